package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/strategies"
)

// addSamples seeds a fuzz target with the real files of dir, when present.
func addSamples(f *testing.F, dirs ...string) {
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dataDir, dir, "*"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzSAM: the template reader, the intrinsic-function evaluator and the
// scenario writer never panic, and a template that imports always renders
// a scenario the loader accepts.
func FuzzSAM(f *testing.F) {
	addSamples(f, "deploy/sam-templates", "deploy/sam-translator-tests")
	for _, s := range []string{
		base + "Test: 1\n",
		"Resources: {F: {Type: AWS::Serverless::Function, Properties: {AutoPublishAlias: live, DeploymentPreference: {Type: !If [C, !Sub '${A}', !Ref B]}}}}\nConditions: {C: !Equals [!Ref P, x]}\nParameters: {P: {Type: String}}",
		"Resources: {F: {Type: AWS::Serverless::Function, Properties: {AutoPublishAlias: &a live, DeploymentPreference: {Type: *a, Alarms: [!GetAtt A.Arn, !Ref A, x]}}}, A: {Type: AWS::CloudWatch::Alarm, Properties: {Metrics: [{Id: m, MetricStat: {Metric: {MetricName: Errors}, Period: 60, Stat: Sum}}]}}}",
		`{"Resources": {"F": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "G"}}, "UpdatePolicy": {"CodeDeployLambdaAliasUpdate": {"DeploymentGroupName": {"Ref": "D"}}}}, "D": {"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": {"DeploymentConfigName": {"Fn::Join": ["", ["CodeDeployDefault.Lambda", "AllAtOnce"]]}}}}}`,
		"a: &a [*a]",
		"Resources: {F: {Type: AWS::Serverless::Function, Properties: {DeploymentPreference: {Type: !Select [!Ref AWS::NoValue, !Split [',', !FindInMap [M, !Ref AWS::Region, k]]]}}}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opt := range []Options{{}, {Parameters: map[string]string{"AWS::Region": "us-east-1", "AWS::AccountId": "1", "P": "x"}}} {
			d, err := SAM("t.yaml", data, opt)
			if err != nil {
				if strings.Contains(err.Error(), "--function") && strings.Contains(err.Error(), "choose one") {
					continue
				}
				continue
			}
			if _, err := d.Scenario(); err != nil {
				t.Fatalf("imported but renders no loadable scenario: %v", err)
			}
			if _, err := AlarmsImport("t.yaml", data, opt); err == nil {
				continue
			}
		}
		if d, err := DeploymentConfigs("t.yaml", data, Options{}); err == nil {
			if _, err := d.Scenario(); err != nil {
				t.Fatalf("deployment config imported but renders no loadable scenario: %v", err)
			}
		}
	})
}

// FuzzAppSpec: the AppSpec reader never panics; what it reads imports into
// a loadable scenario, and writing it back reads the same.
func FuzzAppSpec(f *testing.F) {
	addSamples(f, "deploy/appspec")
	for _, a := range []strategies.AppSpec{{Name: "f", Alias: "a", CurrentVersion: "1", TargetVersion: "2", BeforeAllowTraffic: "h"}, {Name: "x: y", Alias: "'", CurrentVersion: "9", TargetVersion: "9"}} {
		f.Add(a.YAML())
		f.Add(a.JSON())
	}
	f.Add([]byte("version: 0.0\nresources: [{f: {type: AWS::Lambda::Function, properties: {name: n, alias: a, currentversion: '1', targetversion: '2'}}}]\nhooks: [{AfterAllowTraffic: x}, {AfterAllowTraffic: y}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _, err := ParseAppSpec("appspec.yml", data)
		if err != nil {
			return
		}
		d, err := AppSpecImport("appspec.yml", data, Options{})
		if err != nil {
			t.Fatalf("ParseAppSpec accepts what AppSpecImport refuses: %v", err)
		}
		if _, err := d.Scenario(); err != nil {
			t.Fatalf("imported but renders no loadable scenario: %v", err)
		}
		for _, out := range [][]byte{a.YAML(), a.JSON()} {
			b, notes, err := ParseAppSpec("again", out)
			if err != nil || fields(b.AppSpec) != fields(a.AppSpec) {
				t.Fatalf("written and read back: %+v %v %v, want %+v\n%s", b, notes, err, a, out)
			}
		}
	})
}

// FuzzDeploymentConfigText: the command-line, shorthand and Terraform
// readers never panic.
func FuzzDeploymentConfigText(f *testing.F) {
	addSamples(f, "deploy/cfn-deploymentconfig")
	for _, c := range exported {
		e := Export{Config: c}
		out, _ := e.CLI()
		f.Add(out)
		out, _ = e.JSON()
		f.Add(out)
	}
	f.Add([]byte("aws deploy create-deployment-config --deployment-config-name \"a\\\"b\" --traffic-routing-config 'type=TimeBasedLinear,timeBasedLinear={linearPercentage=\"5\",linearInterval=1}' --compute-platform Lambda"))
	f.Add([]byte("resource \"aws_codedeploy_deployment_config\" \"x\" {\n  deployment_config_name = var.name\n  traffic_routing_config {\n    type = \"TimeBasedCanary\"\n    time_based_canary { interval = 5\n percentage = 10 }\n  }\n}\n"))
	f.Add([]byte("aws cloudwatch put-metric-alarm --alarm-name a --metric-name Errors --namespace AWS/Lambda --statistic Sum --period 60 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanThreshold --dimensions Name=FunctionName,Value=f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := DeploymentConfigs("cfg", data, Options{}); err == nil {
			if _, err := d.Scenario(); err != nil {
				t.Fatalf("imported but renders no loadable scenario: %v", err)
			}
		}
		if d, err := AlarmsImport("alarms", data, Options{}); err == nil {
			if _, err := d.Scenario(); err != nil {
				t.Fatalf("imported but renders no loadable scenario: %v", err)
			}
		}
	})
}
