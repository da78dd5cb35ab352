package importer

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// dataDir holds the real files gathered for testing (SOURCES.md there).
const dataDir = "../../shared/data"

// sample is one real file and what importing it must give. summary is
// Draft.Summary (what resolved), or err a part of the error message.
// noCopy marks files without a stated licence: SOURCES.md forbids copying
// them into the project, so no golden derived from them is kept.
type sample struct {
	kind, file string
	opt        Options
	summary    string
	err        string
	unresolved []string // parts of the unresolved notes, in order
	noCopy     bool
}

var samples = []sample{
	// SAM templates.
	{kind: "sam", file: "deploy/sam-templates/Versent_demo-lambda-safe-deployments_deploy.sam.yaml",
		summary: "imported function Function, strategy Canary10Percent5Minutes, AllAtOnce, 0 alarms (2 more left out), hook BeforeAllowTraffic, 6 unresolved",
		unresolved: []string{
			":26: Resources.Function.Properties.FunctionName: !Sub \"${Product}-${Environment}-${EnvironmentNumber}-lambda-deployment-preferences\" cannot be resolved offline: parameter Product has no Default; pass --parameter Product=VALUE",
			":30: Resources.Function.Properties.AutoPublishAlias: !Ref FunctionAlias cannot be resolved offline: parameter FunctionAlias has no Default",
			":33: Resources.Function.Properties.DeploymentPreference.Type: !If [DeploymentRollbackEnabled, Canary10Percent5Minutes, AllAtOnce] cannot be resolved offline: condition DeploymentRollbackEnabled: parameter Environment has no Default; pass --parameter Environment=VALUE; both branches are listed",
			":62: Resources.AliasErrorMetricGreaterThanZeroAlarm.Properties.Threshold: !If [DeploymentRollbackEnabled, 0, 9000] cannot be resolved offline",
			":82: Resources.LatestVersionErrorMetricGreaterThanZeroAlarm.Properties.Threshold: !If",
			":40: Resources.Function.Properties.DeploymentPreference.Hooks.PreTraffic: !Ref PreTrafficLambdaFunction cannot be resolved offline: parameter Product has no Default",
		}},
	{kind: "sam", file: "deploy/sam-templates/Versent_demo-lambda-safe-deployments_deploy.sam.yaml",
		opt:     Options{Parameters: map[string]string{"Product": "shop", "Environment": "prd", "EnvironmentNumber": "1", "FunctionAlias": "live"}},
		summary: "imported function shop-prd-1-lambda-deployment-preferences:live, strategy Canary10Percent5Minutes, 2 alarms, hook BeforeAllowTraffic, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-templates/aws-sam_examples_lambda_safe_deployments_template.yaml",
		summary: "imported function safeTest:live, strategy Linear10PercentEvery1Minute, hook BeforeAllowTraffic, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-templates/aws-sam_integration_function_with_deployment_alarms_and_hooks.yaml",
		summary: "imported function MyLambdaFunction:Live, strategy Canary10Percent5Minutes, 0 alarms (3 more left out), 6 unresolved",
		unresolved: []string{
			":99: Resources.NewVersionErrorsAlarm.Properties.Dimensions[0].Value: !GetAtt MyLambdaFunction.Arn cannot be resolved offline",
			`:94: Resources.NewVersionErrorsAlarm.Properties.MetricName: Lambda publishes no metric "Error" (did you mean Errors?)`,
			":78: Resources.AliasErrorsAlarm.Properties.Dimensions[0].Value: !GetAtt MyLambdaFunction.Arn",
			":73: Resources.AliasErrorsAlarm.Properties.MetricName",
			":61: Resources.FunctionErrorsAlarm.Properties.Dimensions[0].Value",
			":56: Resources.FunctionErrorsAlarm.Properties.MetricName",
		}},
	{kind: "sam", file: "deploy/sam-templates/aws-samples_sessions-with-aws-sam_safe-deploy_template.yaml",
		summary: "imported function BaseFunction:live, strategy AllAtOnce, hook BeforeAllowTraffic, hook AfterAllowTraffic, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-templates/danilop_evolutionary-safe-deployments_template.yaml",
		err: "2 functions are deployed with CodeDeploy: choose one with --function (functions with a DeploymentPreference: myFirstFunction (line 60), mySecondFunction (line 78))"},
	{kind: "sam", file: "deploy/sam-templates/danilop_evolutionary-safe-deployments_template.yaml", opt: Options{Function: "myFirstFunction"},
		summary: "imported function myFirstFunction:live, strategy Linear10PercentEvery1Minute, hook BeforeAllowTraffic, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-templates/danilop_evolutionary-safe-deployments_template.yaml", opt: Options{Function: "mySecondFunction"},
		summary: "imported function mySecondFunction:live, strategy Canary10Percent5Minutes, hook BeforeAllowTraffic, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-templates/matwerber1_aws-sam-lambda-canary-test_template.yaml", noCopy: true,
		summary: "imported function TestFunction:live, strategy Canary10Percent10Minutes, 2 alarms, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-templates/raulnq_aws-lambda-safe-deployments_template.yml",
		summary: "imported function MyFunction:prod, strategy Linear10PercentEvery10Minutes, 1 alarm, hook BeforeAllowTraffic, hook AfterAllowTraffic, 0 unresolved"},

	// SAM's translator tests: inputs, and the CloudFormation they become.
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml",
		err: "7 functions are deployed with CodeDeploy"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "MinimalFunction"},
		summary:    "imported function MinimalFunction:live, 1 unresolved",
		unresolved: []string{`:34: Resources.MinimalFunction.Properties.DeploymentPreference.Type: "TestDeploymentConfiguration" is not a predefined configuration, and no AWS::CodeDeploy::DeploymentConfig in this template is named so; import its definition with ` + "`shiftsim import deployment-config"}},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "CustomWithFindInMap"},
		summary: "imported function CustomWithFindInMap:live, 1 unresolved", unresolved: []string{`:44: Resources.CustomWithFindInMap.Properties.DeploymentPreference.Type: "CustomDeployment" is not a predefined configuration`}},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "CustomWithCondition"},
		summary: "imported function CustomWithCondition:live, strategy AllAtOnce, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "CustomWithCondition2"},
		summary: "imported function CustomWithCondition2:live, 1 unresolved", unresolved: []string{`"CustomDeployment" is not a predefined configuration`}},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "NormalWithSub"},
		summary: "imported function NormalWithSub:live, strategy AllAtOnce, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "CustomWithSub"},
		summary: "imported function CustomWithSub:live, 1 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_custom_codedeploy_deployment_preference.input.yaml", opt: Options{Function: "NormalWithRef", Parameters: map[string]string{"Deployment": "Linear10PercentEvery2Minutes"}},
		summary: "imported function NormalWithRef:live, strategy Linear10PercentEvery2Minutes, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference.input.yaml",
		summary: "imported function MinimalFunction:live, strategy Linear10PercentEvery3Minutes, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference_all_parameters.input.yaml",
		summary:    "imported function MinimalFunction:live, strategy Linear10PercentEvery1Minute, 0 alarms (1 more left out), hook BeforeAllowTraffic, hook AfterAllowTraffic, 1 unresolved",
		unresolved: []string{`:48: Resources.MyCloudWatchAlarm.Properties.Namespace: "AWS/EC2": shiftsim models Lambda's own metrics, namespace AWS/Lambda; the alarm is left out (commented)`}},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference_all_parameters.output.json",
		summary: "imported function MinimalFunction:live, strategy CodeDeployDefault.LambdaLinear10PercentEvery1Minute, 0 alarms (1 more left out), hook BeforeAllowTraffic, hook AfterAllowTraffic, 1 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference_multiple_combinations.input.yaml",
		err: "2 functions are deployed with CodeDeploy: choose one with --function (functions with a DeploymentPreference: MinimalFunctionWithMinimalDeploymentPreference (line 10), MinimalFunctionWithDeploymentPreferenceWithHooksAndAlarms (line 20))"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference_multiple_combinations.input.yaml", opt: Options{Function: "MinimalFunction"},
		err: "--function MinimalFunction: it has no DeploymentPreference: SAM updates its alias at once, without CodeDeploy"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference_multiple_combinations.input.yaml", opt: Options{Function: "MinimalFunctionWithDeploymentPreferenceWithHooksAndAlarms"},
		summary: "imported function MinimalFunctionWithDeploymentPreferenceWithHooksAndAlarms:livewithdeploymentwithhooksandalarms, strategy Linear10PercentEvery2Minutes, 0 alarms (1 more left out), hook BeforeAllowTraffic, hook AfterAllowTraffic, 1 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_deployment_preference_multiple_combinations.output.json", opt: Options{Function: "MinimalFunctionWithMinimalDeploymentPreference"},
		summary: "imported function MinimalFunctionWithMinimalDeploymentPreference:livewithdeployment, strategy CodeDeployDefault.LambdaCanary10Percent5Minutes, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/function_with_disabled_traffic_hook.input.yaml",
		summary: "imported function Function:live, strategy Linear10PercentEvery1Minute, hook BeforeAllowTraffic, 0 unresolved"},
	{kind: "sam", file: "deploy/sam-translator-tests/state_machine_with_deployment_preference_canary.input.yaml",
		err: "MyStateMachine (line 2) is an AWS::Serverless::StateMachine, whose DeploymentPreference shifts Step Functions traffic, not a Lambda alias"},

	// Deployment configurations.
	{kind: "deployment-config", file: "deploy/cfn-deploymentconfig/aws-cdk_integ_lambda-deployment-config.template.json",
		summary: "imported strategy LinearConfig531CF4AA, hello, 0 unresolved"},
	{kind: "deployment-config", file: "deploy/cfn-deploymentconfig/aws-sam_integration_function_with_custom_code_deploy.yaml",
		summary:    "imported strategy CustomDeploymentConfig, 1 unresolved",
		unresolved: []string{":55: Resources.CustomDeploymentConfig.Properties.DeploymentConfigName: !Ref DeployConfigName cannot be resolved offline: parameter DeployConfigName has no Default; pass --parameter DeployConfigName=VALUE; the configuration is called CustomDeploymentConfig in the scenario"}},
	{kind: "sam", file: "deploy/cfn-deploymentconfig/aws-sam_integration_function_with_custom_code_deploy.yaml", opt: Options{Parameters: map[string]string{"DeployConfigName": "Linear50PercentEvery1Minute"}},
		summary: "imported function MyLambdaFunction:Live, strategy Linear50PercentEvery1Minute, 0 unresolved"},
	{kind: "deployment-config", file: "deploy/cfn-deploymentconfig/terraform-provider-awscc_codedeploy_deployment_config_main.tf",
		summary: "imported strategy ExampleDeployConfig, 0 unresolved"},

	// AppSpec files.
	{kind: "appspec", file: "deploy/appspec/AlphaPL_aws-lambda-helloworld_appspec.yaml", noCopy: true,
		summary:    "imported function GetReport:test, versions 1 -> ?, 2 unresolved",
		unresolved: []string{`:23: Hooks[0].LifeCycleEvent: not a Lambda lifecycle event (BeforeAllowTraffic, AfterAllowTraffic): ignored`, `:18: Resources[0].MyFunction.Properties.TargetVersion: CurrentVersion and TargetVersion are both "1"`}},
	{kind: "appspec", file: "deploy/appspec/awsdocs_codedeploy_lambda_appspec_example.json",
		summary: "imported function myLambdaFunction:myLambdaFunctionAlias, versions 1 -> 2, hook BeforeAllowTraffic, hook AfterAllowTraffic, 0 unresolved"},
	{kind: "appspec", file: "deploy/appspec/awsdocs_codedeploy_lambda_appspec_example.yaml",
		summary: "imported function myLambdaFunction:myLambdaFunctionAlias, versions 1 -> 2, hook BeforeAllowTraffic, hook AfterAllowTraffic, 0 unresolved"},
	{kind: "appspec", file: "deploy/appspec/mvpjava_appspec-demo-hardcoded.yml", noCopy: true,
		summary: "imported function myHelloWorldLambda:hello-world-alias, versions 16 -> 17, hook BeforeAllowTraffic, hook AfterAllowTraffic, 0 unresolved"},
	{kind: "appspec", file: "deploy/appspec/mvpjava_appspec-placeholder-template.yml", noCopy: true,
		summary:    "imported 6 unresolved",
		unresolved: []string{`:6: Resources[0].myLambdaFunction.Properties.Name: "{{LAMBDA_FUNCTION_NAME}}" is an unfilled template placeholder`}},
	{kind: "appspec", file: "deploy/appspec/mvpjava_myHelloWorldLambda-BeforeAllowTraffic.py", noCopy: true,
		err: "invalid YAML"},
}

func importKind(kind string) func(string, []byte, Options) (*Draft, error) {
	return map[string]func(string, []byte, Options) (*Draft, error){
		"sam": SAM, "appspec": AppSpecImport, "deployment-config": DeploymentConfigs, "alarms": AlarmsImport,
	}[kind]
}

// goldenName is the golden file of a sample: its file name, and the
// function and parameters when given.
func goldenName(s sample) string {
	name := filepath.Base(s.file)
	if s.opt.Function != "" {
		name += "." + s.opt.Function
	}
	if len(s.opt.Parameters) > 0 {
		name += ".params"
	}
	return filepath.Join("testdata", "samples", s.kind+"."+name+".golden")
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it; review the diff):\n--- got\n%s", path, got)
	}
}

func readSample(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dataDir, file))
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("%s not present: the real samples live in %s", file, dataDir)
		}
		t.Fatal(err)
	}
	return data
}

// Every real sample imports into a scenario the real loader accepts, or
// fails with the precise message the table states; every value that could
// not be resolved is reported where it is, with the fix.
func TestRealSamples(t *testing.T) {
	for _, s := range samples {
		name := s.kind + " " + s.file
		if s.opt.Function != "" || len(s.opt.Parameters) > 0 {
			name += " " + goldenName(s)
		}
		t.Run(name, func(t *testing.T) {
			data := readSample(t, s.file)
			d, err := importKind(s.kind)(s.file, data, s.opt)
			if s.err != "" {
				if err == nil || !strings.Contains(err.Error(), s.err) {
					t.Fatalf("error %v, want one containing %q", err, s.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d.Command = "shiftsim import " + s.kind + " " + s.file
			if s.opt.Function != "" {
				d.Command += " --function " + s.opt.Function
			}
			for _, k := range slices.Sorted(maps.Keys(s.opt.Parameters)) {
				d.Command += " --parameter " + k + "=" + s.opt.Parameters[k]
			}
			out, err := d.Scenario()
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Summary(); got != s.summary {
				t.Errorf("summary\n got %s\nwant %s", got, s.summary)
			}
			checkUnresolved(t, d, s.file, s.unresolved)
			if _, err := scenario.Parse("imported.yaml", out); err != nil {
				t.Fatalf("the imported scenario does not load: %v\n%s", err, out)
			}
			if !s.noCopy {
				golden(t, goldenName(s), out)
			}
		})
	}
}

// checkUnresolved holds the unresolved notes to the expected parts, in
// order, each naming the file it is in.
func checkUnresolved(t *testing.T, d *Draft, file string, want []string) {
	t.Helper()
	un := d.Unresolved()
	for i, w := range want {
		if i >= len(un) {
			t.Errorf("missing unresolved note %q", w)
			continue
		}
		if !strings.Contains(un[i].String(), w) || !strings.HasPrefix(un[i].String(), file+":") {
			t.Errorf("unresolved note %d\n got %s\nwant it to start with %s: and contain %q", i, un[i], file, w)
		}
	}
}

// rstBlocks returns the literal blocks of an AWS CLI documentation example
// that are JSON documents or aws command lines, and their first lines.
func rstBlocks(data []byte) (blocks []string, lines []int) {
	ls := strings.Split(string(data), "\n")
	for i := 0; i < len(ls); i++ {
		if !strings.HasSuffix(strings.TrimSpace(ls[i]), "::") {
			continue
		}
		j := i + 1
		for j < len(ls) && strings.TrimSpace(ls[j]) == "" {
			j++
		}
		start := j
		var b strings.Builder
		for ; j < len(ls) && (strings.TrimSpace(ls[j]) == "" || strings.HasPrefix(ls[j], " ")); j++ {
			b.WriteString(ls[j] + "\n")
		}
		text := strings.TrimSpace(b.String())
		if strings.HasPrefix(text, "{") || strings.HasPrefix(text, "aws ") {
			blocks, lines = append(blocks, b.String()), append(lines, start+1)
		}
		i = j - 1
	}
	return blocks, lines
}

// The AWS CLI documentation's examples: every literal block (JSON output or
// command line) of every example. Those an import reads import, or are
// refused with the precise reason; every other one is refused by every
// import, with a message saying what it is where that is known.
func TestCLIExamples(t *testing.T) {
	inputs := map[string]struct {
		kind    string
		summary string
		err     string
	}{
		"cloudwatch_describe-alarms.rst#1":            {kind: "alarms", summary: "imported 0 alarms (1 more left out), 1 unresolved"},
		"cloudwatch_describe-alarms-for-metric.rst#1": {kind: "alarms", summary: "imported 0 alarms (2 more left out), 2 unresolved"},
		"cloudwatch_put-metric-alarm.rst#0":           {kind: "alarms", summary: "imported 0 alarms (1 more left out), 1 unresolved"},
		"cloudwatch_put-metric-alarm.rst#1":           {kind: "alarms", summary: "imported 0 alarms (1 more left out), 1 unresolved"},
		"deploy_get-deployment-config.rst#1":          {kind: "deployment-config", err: "deploymentConfigInfo.minimumHealthyHosts: ThreeQuartersHealthy is an EC2/On-Premises (Server) configuration (minimum healthy hosts FLEET_PERCENT 75): shiftsim simulates Lambda configurations"},
		"deploy_create-deployment-config.rst#0":       {kind: "deployment-config", err: "deploy_create-deployment-config.rst:7: --minimum-healthy-hosts: ThreeQuartersHealthy is an EC2/On-Premises (Server) configuration (minimum healthy hosts FLEET_PERCENT 75)"},
		"cloudwatch_describe-alarm-history.rst#1":     {err: "this is `aws cloudwatch describe-alarm-history` output, which no import reads"},
		"cloudwatch_get-metric-data.rst#1":            {err: "this is `aws cloudwatch get-metric-data` output, which no import reads"},
		"cloudwatch_get-metric-data.rst#3":            {err: "this is `aws cloudwatch get-metric-data` output, which no import reads"},
		"cloudwatch_get-metric-statistics.rst#1":      {err: "this is `aws cloudwatch get-metric-statistics` output, which no import reads"},
		"deploy_batch-get-deployments.rst#1":          {err: "this is `aws deploy batch-get-deployments` output, which no import reads"},
		"deploy_get-deployment.rst#1":                 {err: "this is `aws deploy get-deployment` output, which no import reads"},
		"deploy_get-deployment-group.rst#1":           {err: "this is `aws deploy get-deployment-group` output, which no import reads"},
		"deploy_list-deployment-configs.rst#1":        {err: "this is `aws deploy list-deployment-configs` output, which no import reads"},
	}
	files, _ := filepath.Glob(filepath.Join(dataDir, "awsapi", "*.rst"))
	if len(files) == 0 {
		t.Skipf("no AWS CLI examples in %s", dataDir)
	}
	seen := 0
	for _, f := range files {
		blocks, lines := rstBlocks(readSample(t, filepath.Join("awsapi", filepath.Base(f))))
		for i, b := range blocks {
			name := fmt.Sprintf("%s#%d", filepath.Base(f), i)
			want, listed := inputs[name]
			if listed {
				seen++
			}
			t.Run(name, func(t *testing.T) {
				file := filepath.Base(f)
				b := strings.Repeat("\n", lines[i]-1) + b // lines as in the .rst
				if !listed || want.kind == "" {
					for _, k := range []string{"sam", "appspec", "deployment-config", "alarms"} {
						_, err := importKind(k)(file, []byte(b), Options{})
						if err == nil {
							t.Errorf("import %s accepted it", k)
						} else if want.err != "" && k != "appspec" && !strings.Contains(err.Error(), want.err) {
							t.Errorf("import %s: %v, want a message containing %q", k, err, want.err)
						}
					}
					return
				}
				d, err := importKind(want.kind)(file, []byte(b), Options{})
				if want.err != "" {
					if err == nil || !strings.Contains(err.Error(), want.err) {
						t.Fatalf("error %v, want one containing %q", err, want.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				out, err := d.Scenario()
				if err != nil {
					t.Fatal(err)
				}
				if got := d.Summary(); got != want.summary {
					t.Errorf("summary\n got %s\nwant %s", got, want.summary)
				}
				for _, n := range d.Unresolved() {
					if !regexp.MustCompile(`: (MetricAlarms|put-metric-alarm)\[\d\]\.Namespace: "[^"]+": shiftsim models Lambda's own metrics`).MatchString(n.String()) {
						t.Errorf("unexpected note %s", n)
					}
				}
				if _, err := scenario.Parse("imported.yaml", out); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "samples", want.kind+"."+strings.ReplaceAll(strings.TrimSuffix(name, ".rst"), ".rst#", ".")+".golden"), out)
			})
		}
	}
	if seen != len(inputs) {
		t.Errorf("%d of the %d listed blocks were found: has the data changed?", seen, len(inputs))
	}
}
