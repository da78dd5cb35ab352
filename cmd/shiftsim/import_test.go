package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const samDir = "../../../shared/data/deploy/sam-templates"

// writeTemp writes content to a file in a test directory.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const template = `Parameters:
  Stage: {Type: String}
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "orders-${Stage}"
      AutoPublishAlias: live
      Timeout: 6
      DeploymentPreference:
        Type: Linear10PercentEvery1Minute
        Alarms: [!Ref Errors]
        Hooks: {PreTraffic: !Ref Pre}
  Pre:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: CodeDeployHook_pre}
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: orders-errors
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{Name: Resource, Value: !Sub "${Orders}:live"}, {Name: ExecutedVersion, Value: !GetAtt Orders.Version.Version}]
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 2
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
`

// The contract: import sam prints a scenario on stdout that validate
// accepts; notes go to stderr as file:line: path: message.
func TestImportSAMContract(t *testing.T) {
	tmpl := writeTemp(t, "template.yaml", template)
	code, out, errs := runCLI("import", "sam", tmpl, "--parameter", "Stage=prod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	scen := writeTemp(t, "scenario.yaml", out)
	if code, vout, verrs := runCLI("validate", scen); code != 0 {
		t.Fatalf("validate exit %d: %s%s\n%s", code, vout, verrs, out)
	}
	for _, want := range []string{"name: orders-prod", "alias: live", "timeout: 6s", "- Linear10PercentEvery1Minute", "AlarmName: orders-errors", "BeforeAllowTraffic:", "rate: 10 # DEFAULT"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "imported function orders-prod:live, strategy Linear10PercentEvery1Minute, 1 alarm, hook BeforeAllowTraffic, 0 unresolved") {
		t.Errorf("stderr: %s", errs)
	}
	// Without the parameter the function name cannot be resolved: a note
	// at its line, and --strict refuses to write anything.
	code, out, errs = runCLI("import", "sam", tmpl)
	if code != 0 || !strings.Contains(errs, tmpl+`:7: Resources.Orders.Properties.FunctionName: !Sub "orders-${Stage}" cannot be resolved offline: parameter Stage has no Default; pass --parameter Stage=VALUE`) {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
	code, out, errs = runCLI("import", "sam", tmpl, "--strict")
	if code != 2 || out != "" || !strings.Contains(errs, "--strict: 1 value could not be resolved") {
		t.Errorf("--strict: exit %d, stdout %q, stderr %s", code, out, errs)
	}
}

func TestImportErrors(t *testing.T) {
	tmpl := writeTemp(t, "template.yaml", template)
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"import"}, 2, "want a KIND"},
		{[]string{"import", "terraform", tmpl}, 2, `unknown kind "terraform"`},
		{[]string{"import", "sam"}, 2, "want exactly one TEMPLATE argument"},
		{[]string{"import", "sam", "nope.yaml"}, 2, "nope.yaml: no such file"},
		{[]string{"import", "sam", tmpl, "--function", "Pre"}, 2, "--function Pre: it has no DeploymentPreference"},
		{[]string{"import", "sam", tmpl, "--parameter", "novalue"}, 2, `"novalue": want Name=Value`},
		{[]string{"import", "appspec", tmpl}, 2, "Resources: expected a list with one function; this is a CloudFormation or SAM template: use `shiftsim import sam`"},
		{[]string{"import", "alarms", tmpl, "--into", "nope.yaml"}, 2, "--into nope.yaml: no such file"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(errs, c.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.err)
		}
	}
	for _, args := range [][]string{{"import", "--help"}, {"import", "sam", "--help"}, {"import", "alarms", "-h"}} {
		if code, out, _ := runCLI(args...); code != 0 || !strings.Contains(out, "--into") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
}

// Several deployed functions: --function is required and the choices are listed.
func TestImportSeveralFunctions(t *testing.T) {
	p := filepath.Join(samDir, "danilop_evolutionary-safe-deployments_template.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Skip("real samples not present")
	}
	code, _, errs := runCLI("import", "sam", p)
	if code != 2 || !strings.Contains(errs, "choose one with --function (functions with a DeploymentPreference: myFirstFunction (line 60), mySecondFunction (line 78))") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("import", "sam", p, "--function", "mySecondFunction"); code != 0 {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// --into with --output naming the same file merges in place, keeping the
// scenario's comments, and the result validates.
func TestImportIntoInPlace(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "s.yaml")
	data, err := os.ReadFile("../../scenarios/bad-canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scen, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeTemp(t, "cfg.json", `{"deploymentConfigInfo": {"deploymentConfigName": "Linear20PercentEvery2Minutes", "computePlatform": "Lambda",
  "trafficRoutingConfig": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 20, "linearInterval": 2}}}}`)
	code, out, errs := runCLI("import", "deployment-config", cfg, "--into", scen, "--out", scen)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errs)
	}
	merged, _ := os.ReadFile(scen)
	if !strings.Contains(string(merged), "# bad-canary: version 2 throws errors") || !strings.Contains(string(merged), "DeploymentConfigName: Linear20PercentEvery2Minutes") {
		t.Errorf("merged:\n%s", merged)
	}
	code, vout, verrs := runCLI("validate", scen)
	if code != 0 || !strings.Contains(vout, "strategy   Linear20PercentEvery2Minutes") {
		t.Errorf("validate exit %d: %s%s", code, vout, verrs)
	}
}
