package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

// exported are strategies to export: custom canary, linear and all-at-once
// configurations, and predefined ones (SAM form only).
var exported = []strategies.Config{
	{Name: "Canary25Percent45Minutes", Type: strategies.Canary, Percentage: 25, Interval: 45},
	{Name: "Linear5PercentEvery1Minute", Type: strategies.Linear, Percentage: 5, Interval: 1},
	{Name: "Linear33PercentEvery7Minutes", Type: strategies.Linear, Percentage: 33, Interval: 7},
	{Name: "my.config_v2+blue=1,@x-y", Type: strategies.Canary, Percentage: 1, Interval: 2880},
	{Name: "CustomAllAtOnce", Type: strategies.AllAtOnce},
}

// Export, then import: the same strategy comes back, in every form.
func TestExportImportRoundTrip(t *testing.T) {
	for _, cfg := range exported {
		e := Export{Config: cfg, Scenario: "s", Function: "orders", Alias: "live", Alarms: []string{"orders-errors"}}
		forms := map[string]func() ([]byte, error){"sam": e.SAM, "cloudformation": e.CloudFormation, "cli": e.CLI, "json": e.JSON}
		for name, emit := range forms {
			t.Run(cfg.Name+"/"+name, func(t *testing.T) {
				out, err := emit()
				if err != nil {
					t.Fatal(err)
				}
				d, err := DeploymentConfigs("exported", out, Options{})
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				if len(d.Strategies) != 1 || d.Strategies[0].Custom == nil {
					t.Fatalf("strategies %+v\n%s", d.Strategies, out)
				}
				got, err := strategies.FromDeploymentConfig(*d.Strategies[0].Custom)
				if err != nil || got != cfg {
					t.Errorf("got %+v, %v; want %+v\n%s", got, err, cfg, out)
				}
				if len(d.Unresolved()) > 0 {
					t.Errorf("unresolved: %v", d.Unresolved())
				}
				if name == "sam" { // the fragment is a template import sam reads
					s, err := SAM("exported", out, Options{})
					if err != nil {
						t.Fatal(err)
					}
					if len(s.Strategies) != 1 || s.Strategies[0].Custom == nil {
						t.Fatalf("import sam: %+v", s.Strategies)
					}
					if got, err := strategies.FromDeploymentConfig(*s.Strategies[0].Custom); err != nil || got != cfg {
						t.Errorf("import sam: %+v, %v", got, err)
					}
					if s.Function.Alias != "live" {
						t.Errorf("alias %q", s.Function.Alias)
					}
				}
			})
		}
	}
	for _, cfg := range strategies.Predefined() {
		e := Export{Config: cfg, Scenario: "s", Function: "orders", Alias: "live"}
		out, err := e.SAM()
		if err != nil {
			t.Fatal(err)
		}
		d, err := SAM("exported", out, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Strategies) != 1 || d.Strategies[0].Name != strategies.ShortName(cfg) {
			t.Errorf("%s: strategies %+v", cfg.Name, d.Strategies)
		}
		for _, emit := range []func() ([]byte, error){e.CloudFormation, e.CLI, e.JSON} {
			if _, err := emit(); err == nil || !strings.Contains(err.Error(), "is predefined") {
				t.Errorf("%s: %v, want: predefined, nothing to create", cfg.Name, err)
			}
		}
	}
}

// The CLI form is the AWS documentation's (CD-UG:deployment-configurations-create).
func TestExportCLIForm(t *testing.T) {
	out, err := Export{Config: exported[0]}.CLI()
	if err != nil {
		t.Fatal(err)
	}
	want := "aws deploy create-deployment-config \\\n    --deployment-config-name Canary25Percent45Minutes \\\n    --compute-platform Lambda \\\n    --traffic-routing-config 'type=TimeBasedCanary,timeBasedCanary={canaryPercentage=25,canaryInterval=45}'\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// AppSpec out, AppSpec in: the same function, versions and hooks, in both
// formats; and the revision carries the exact bytes and their SHA-256.
func TestAppSpecRoundTrip(t *testing.T) {
	specs := []strategies.AppSpec{
		{Name: "orders", Alias: "live", CurrentVersion: "1", TargetVersion: "2"},
		{Name: "my-fn_2", Alias: "prod", CurrentVersion: "16", TargetVersion: "17", BeforeAllowTraffic: "CodeDeployHook_pre", AfterAllowTraffic: "CodeDeployHook_post"},
		{Name: "quote\"d: fn", Alias: "a", CurrentVersion: "3", TargetVersion: "30", AfterAllowTraffic: "post: hook"},
	}
	for _, a := range specs {
		for format, content := range map[string][]byte{"yaml": a.YAML(), "json": a.JSON()} {
			got, notes, err := ParseAppSpec("appspec."+format, content)
			if err != nil || len(notes) > 0 {
				t.Fatalf("%s: %v %v\n%s", format, err, notes, content)
			}
			if fields(got.AppSpec) != fields(a) {
				t.Errorf("%s: got %+v, want %+v\n%s", format, *got, a, content)
			}
			d, err := AppSpecImport("appspec."+format, content, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Versions.Current != a.CurrentVersion || d.Versions.Target != a.TargetVersion || len(d.Hooks) != len(a.Hooks()) {
				t.Errorf("%s: draft %+v %+v", format, d.Versions, d.Hooks)
			}
			for i, h := range a.Hooks() {
				if d.Hooks[i].Event != h[0] || d.Hooks[i].Function != h[1] {
					t.Errorf("%s: hook %d %+v, want %v", format, i, d.Hooks[i], h)
				}
			}
			r := strategies.NewRevision(content)
			var back strategies.Revision
			if err := json.Unmarshal(r.JSON(), &back); err != nil || back.AppSpecContent.Content != string(content) || back.RevisionType != "AppSpecContent" {
				t.Fatalf("revision %s: %v", r.JSON(), err)
			}
			sum := sha256.Sum256(content)
			if back.AppSpecContent.Sha256 != hex.EncodeToString(sum[:]) {
				t.Errorf("sha256 %s", back.AppSpecContent.Sha256)
			}
		}
	}
}

func fields(a strategies.AppSpec) [6]string {
	return [6]string{a.Name, a.Alias, a.CurrentVersion, a.TargetVersion, a.BeforeAllowTraffic, a.AfterAllowTraffic}
}

// Both key casings seen in the wild read the same (docs/appspec.md).
func TestAppSpecLowerCaseKeys(t *testing.T) {
	doc := `version: 0.0
resources:
  - fn:
      type: AWS::Lambda::Function
      properties:
        name: orders
        alias: live
        currentversion: "4"
        targetversion: "5"
hooks:
  - BeforeAllowTraffic: CodeDeployHook_pre
`
	a, notes, err := ParseAppSpec("appspec.yml", []byte(doc))
	if err != nil || len(notes) > 0 {
		t.Fatal(err, notes)
	}
	if a.Name != "orders" || a.Alias != "live" || a.CurrentVersion != "4" || a.TargetVersion != "5" || a.BeforeAllowTraffic != "CodeDeployHook_pre" {
		t.Errorf("%+v", a)
	}
}

const existing = `# my scenario: keep this comment
name: shop
function: {name: orders, alias: live}
traffic: {rate: 50}
versions:
  current: {version: "7", error_rate: 0.002, latency: {median: 40ms, p99: 150ms}}
  target: {version: "8", error_rate: 0.05}   # the bad release
alarms:
  - AlarmName: orders-errors
    MetricName: Errors
    Dimensions: [{Name: Resource, Value: "orders:live"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 2
    Threshold: 99
    ComparisonOperator: GreaterThanOrEqualToThreshold
deployment:
  strategies: [AllAtOnce]
`

// Merging keeps the scenario's own values and comments, replaces an alarm
// of the same name, appends strategies, adds hooks the scenario lacks, and
// leaves out (with a note) an alarm the loader refuses.
func TestMergeInto(t *testing.T) {
	tmpl := `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders
      AutoPublishAlias: live
      Timeout: 10
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref Errors, !Ref Cpu]
        Hooks: {PreTraffic: CodeDeployHook_pre}
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: orders-errors
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{Name: FunctionName, Value: !Ref Fn}]
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 5
      ComparisonOperator: GreaterThanOrEqualToThreshold
  Cpu:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/EC2
      MetricName: CPUUtilization
      Statistic: Average
      Period: 60
      EvaluationPeriods: 1
      Threshold: 90
      ComparisonOperator: GreaterThanThreshold
`
	d, err := SAM("template.yaml", []byte(tmpl), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.MergeInto("shop.yaml", []byte(existing))
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Parse("shop.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"# my scenario: keep this comment", "# the bad release", "error_rate: 0.05", "rate: 50"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("lost %q:\n%s", want, out)
		}
	}
	if len(s.Model.Alarms) != 1 || s.Model.Alarms[0].Rule.Threshold != 5 {
		t.Errorf("alarms %+v: want orders-errors replaced (Threshold 5)", s.Model.Alarms)
	}
	if len(s.Strategies) != 2 || s.Strategies[0].Name != "AllAtOnce" || s.Strategies[1].Name != "Canary10Percent5Minutes" {
		t.Errorf("strategies %+v", s.Strategies)
	}
	if len(s.Model.Hooks) != 1 || s.Model.Versions[0].Timeout.Seconds() != 10 || s.Model.Versions[0].Name != "7" {
		t.Errorf("hooks %+v, current %+v", s.Model.Hooks, s.Model.Versions[0])
	}
	found := false
	for _, n := range d.Unresolved() {
		found = found || strings.Contains(n.String(), `template.yaml:27: Resources.Cpu.Properties.Namespace: not merged: "AWS/EC2": shiftsim models Lambda's own metrics`)
	}
	if !found {
		t.Errorf("no note on the EC2 alarm: %v", d.Notes)
	}
	// Merging again changes nothing: the same alarm, strategy and hook.
	again, err := d.MergeInto("shop.yaml", out)
	if err != nil || string(again) != string(out) {
		t.Errorf("second merge differs: %v\n%s", err, again)
	}
}
