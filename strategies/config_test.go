package strategies

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The nine names exactly as CD-UG:deployment-configurations and SAM's
// CODEDEPLOY_PREDEFINED_CONFIGURATIONS_LIST spell them, in the doc's order.
var wantNames = []struct {
	short string
	typ   Type
	pct   int
	min   int
}{
	{"Canary10Percent5Minutes", Canary, 10, 5},
	{"Canary10Percent10Minutes", Canary, 10, 10},
	{"Canary10Percent15Minutes", Canary, 10, 15},
	{"Canary10Percent30Minutes", Canary, 10, 30},
	{"Linear10PercentEvery1Minute", Linear, 10, 1},
	{"Linear10PercentEvery2Minutes", Linear, 10, 2},
	{"Linear10PercentEvery3Minutes", Linear, 10, 3},
	{"Linear10PercentEvery10Minutes", Linear, 10, 10},
	{"AllAtOnce", AllAtOnce, 0, 0},
}

func TestPredefinedOrderAndNames(t *testing.T) {
	pre := Predefined()
	for i, w := range wantNames {
		want := Config{Name: "CodeDeployDefault.Lambda" + w.short, Type: w.typ, Percentage: w.pct, Interval: w.min}
		if pre[i] != want {
			t.Errorf("Predefined()[%d] = %+v, want %+v", i, pre[i], want)
		}
		if err := pre[i].Validate(); err != nil {
			t.Errorf("%s: Validate() = %v", pre[i].Name, err)
		}
	}
	pre[0].Percentage = 50 // the caller's copy must not change the table
	if Predefined()[0].Percentage != 10 {
		t.Error("Predefined() returns shared storage")
	}
}

func TestLookupEveryName(t *testing.T) {
	for _, w := range wantNames {
		for _, name := range []string{w.short, "CodeDeployDefault.Lambda" + w.short} {
			c, err := Lookup(name)
			want := Config{Name: name, Type: w.typ, Percentage: w.pct, Interval: w.min}
			if err != nil || c != want {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v", name, c, err, want)
			}
			if got := ShortName(c); got != w.short {
				t.Errorf("ShortName(Lookup(%q)) = %q, want %q", name, got, w.short)
			}
		}
	}
}

func TestLookupUnknown(t *testing.T) {
	tests := []struct{ name, want string }{
		// The plural/singular trap (docs/codedeploy.md, "Configuration names").
		{"Linear10PercentEvery1Minutes", `unknown Lambda deployment configuration "Linear10PercentEvery1Minutes" (did you mean Linear10PercentEvery1Minute?)`},
		{"CodeDeployDefault.LambdaLinear10PercentEvery2Minute", `unknown Lambda deployment configuration "CodeDeployDefault.LambdaLinear10PercentEvery2Minute" (did you mean CodeDeployDefault.LambdaLinear10PercentEvery2Minutes?)`},
		// Case matters in AWS; SAM would pass this through as a custom name.
		{"canary10percent5minutes", `unknown Lambda deployment configuration "canary10percent5minutes" (did you mean Canary10Percent5Minutes?)`},
		{"Canary10Percent20Minutes", `unknown Lambda deployment configuration "Canary10Percent20Minutes" (did you mean Canary10Percent10Minutes or Canary10Percent30Minutes?)`},
		{"CodeDeployDefault.ECSLinear10PercentEvery1Minutes", `unknown Lambda deployment configuration "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": that is an ECS configuration (did you mean CodeDeployDefault.LambdaLinear10PercentEvery1Minute?)`},
		{"CodeDeployDefault.OneAtATime", `unknown Lambda deployment configuration "CodeDeployDefault.OneAtATime": that is an EC2/On-Premises configuration (did you mean CodeDeployDefault.LambdaAllAtOnce?)`},
		{"", `unknown Lambda deployment configuration "" (want a CodeDeployDefault.Lambda* name or its SAM short name, e.g. Canary10Percent5Minutes)`},
		{"MyCustomConfig", `unknown Lambda deployment configuration "MyCustomConfig" (want a CodeDeployDefault.Lambda* name or its SAM short name, e.g. Canary10Percent5Minutes)`},
	}
	for _, tt := range tests {
		_, err := Lookup(tt.name)
		var ne *NameError
		if !errors.As(err, &ne) || ne.Name != tt.name {
			t.Errorf("Lookup(%q) error = %v, want a *NameError", tt.name, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Lookup(%q):\n got %s\nwant %s", tt.name, err, tt.want)
		}
	}
}

func TestShortNameCustom(t *testing.T) {
	// Same parameters as a predefined config: SAM's short name selects the same schedule.
	if got := ShortName(Config{Name: "Mine", Type: Canary, Percentage: 10, Interval: 5}); got != "Canary10Percent5Minutes" {
		t.Errorf("ShortName = %q", got)
	}
	if got := ShortName(Config{Name: "Canary25Percent45Minutes", Type: Canary, Percentage: 25, Interval: 45}); got != "Canary25Percent45Minutes" {
		t.Errorf("ShortName = %q", got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		c    Config
		want string // "" for valid
	}{
		{Config{Type: Canary, Percentage: 1, Interval: 1}, ""},
		{Config{Type: Canary, Percentage: 99, Interval: 2880}, ""},
		{Config{Type: Linear, Percentage: 25, Interval: 720}, ""},
		{Config{Name: "a.b_c+d=e,f@g-h9", Type: AllAtOnce}, ""},
		{Config{Name: "CodeDeployDefault.LambdaAllAtOnce", Type: AllAtOnce}, ""},
		{Config{Type: Canary, Percentage: 120, Interval: 5}, "Percentage: 120 is out of range 1..99"},
		{Config{Type: Canary, Percentage: 100, Interval: 5}, "Percentage: 100 is out of range 1..99"},
		{Config{Type: Linear, Percentage: 0, Interval: 0}, "Percentage: 0 is out of range 1..99\nInterval: 0 minutes is below the minimum of 1"},
		{Config{Type: Canary, Percentage: 10, Interval: 2881}, "Interval: 2881 minutes exceeds the 2880-minute limit between the first and last shift (CD-UG:limits)"},
		{Config{Type: Linear, Percentage: 25, Interval: 721}, "Interval: 4 increments × 721 minutes exceeds the 2880-minute limit (at most 720 minutes per increment at 25%; CD-UG:limits, CD-UG:applications-create-lambda)"},
		{Config{Type: Linear, Percentage: 10, Interval: 1 << 40}, "Interval: 10 increments × 1099511627776 minutes exceeds the 2880-minute limit (at most 288 minutes per increment at 10%; CD-UG:limits, CD-UG:applications-create-lambda)"},
		{Config{Type: AllAtOnce, Percentage: 100}, "Percentage: 100 must be 0 for AllAtOnce"},
		{Config{Type: "TimeBasedCanery"}, `Type: "TimeBasedCanery" is not a known traffic routing type (did you mean TimeBasedCanary?)`},
		{Config{Type: "TimeBasedFlexible"}, `Type: "TimeBasedFlexible" is not a known traffic routing type (want TimeBasedCanary, TimeBasedLinear or AllAtOnce)`},
		{Config{Name: "has space", Type: AllAtOnce}, `Name: "has space" has the character ' '; allowed are letters, digits and . _ + = , @ -`},
		{Config{Name: strings.Repeat("x", 101), Type: AllAtOnce}, "Name: 101 characters exceeds the limit of 100"},
		{Config{Name: "CodeDeployDefault.LambdaCanary10Percent5Minutes", Type: Canary, Percentage: 20, Interval: 5},
			"Name: CodeDeployDefault.LambdaCanary10Percent5Minutes is predefined as canary 10% then 100% after 5 min, not canary 20% then 100% after 5 min"},
		{Config{Name: "CodeDeployDefault.Mine", Type: AllAtOnce},
			`Name: the prefix CodeDeployDefault. is reserved for predefined configs: unknown Lambda deployment configuration "CodeDeployDefault.Mine": that is an EC2/On-Premises configuration (want a CodeDeployDefault.Lambda* name or its SAM short name, e.g. Canary10Percent5Minutes)`},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v.Validate():\n got %q\nwant %q", tt.c, got, tt.want)
		}
	}
}

func canary(p, i int) *TrafficRoutingConfig {
	return &TrafficRoutingConfig{Type: "TimeBasedCanary", TimeBasedCanary: &TimeBasedCanary{CanaryPercentage: p, CanaryInterval: i}}
}

func linear(p, i int) *TrafficRoutingConfig {
	return &TrafficRoutingConfig{Type: "TimeBasedLinear", TimeBasedLinear: &TimeBasedLinear{LinearPercentage: p, LinearInterval: i}}
}

func TestFromDeploymentConfig(t *testing.T) {
	tests := []struct {
		d    DeploymentConfig
		want Config
		err  string
	}{
		{DeploymentConfig{"Canary25Percent45Minutes", "Lambda", canary(25, 45)}, Config{Name: "Canary25Percent45Minutes", Type: Canary, Percentage: 25, Interval: 45}, ""},
		{DeploymentConfig{"", "", linear(30, 2)}, Config{Name: "", Type: Linear, Percentage: 30, Interval: 2}, ""},
		{DeploymentConfig{"all", "Lambda", &TrafficRoutingConfig{Type: "AllAtOnce"}}, Config{Name: "all", Type: AllAtOnce, Percentage: 0, Interval: 0}, ""},
		{DeploymentConfig{"x", "Lambda", canary(120, 5)}, Config{}, "TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage: 120 is out of range 1..99"},
		{DeploymentConfig{"x", "Lambda", linear(10, 0)}, Config{}, "TrafficRoutingConfig.TimeBasedLinear.LinearInterval: 0 minutes is below the minimum of 1"},
		{DeploymentConfig{"x", "Lambda", linear(10, 289)}, Config{}, "TrafficRoutingConfig.TimeBasedLinear.LinearInterval: 10 increments × 289 minutes exceeds the 2880-minute limit (at most 288 minutes per increment at 10%; CD-UG:limits, CD-UG:applications-create-lambda)"},
		{DeploymentConfig{"x", "ECS", canary(10, 5)}, Config{}, `ComputePlatform: "ECS" is not supported (want "Lambda")`},
		{DeploymentConfig{"x", "Server", nil}, Config{}, "ComputePlatform: \"Server\" is not supported (want \"Lambda\")\nTrafficRoutingConfig: missing (a Lambda config needs Type and its settings)"},
		{DeploymentConfig{"x", "Lambda", &TrafficRoutingConfig{Type: "TimeBasedCanary"}}, Config{}, "TrafficRoutingConfig.TimeBasedCanary: missing for Type TimeBasedCanary"},
		{DeploymentConfig{"CodeDeployDefault.X", "", nil}, Config{}, "DeploymentConfigName: the prefix CodeDeployDefault. is reserved for predefined configs: " +
			`unknown Lambda deployment configuration "CodeDeployDefault.X": that is an EC2/On-Premises configuration (want a CodeDeployDefault.Lambda* name or its SAM short name, e.g. Canary10Percent5Minutes)` +
			"\nTrafficRoutingConfig: missing (a Lambda config needs Type and its settings)"},
		{DeploymentConfig{"x", "Lambda", &TrafficRoutingConfig{Type: "TimeBasedLinear", TimeBasedCanary: &TimeBasedCanary{10, 5}}}, Config{},
			"TrafficRoutingConfig.TimeBasedLinear: missing for Type TimeBasedLinear\nTrafficRoutingConfig.TimeBasedCanary: must be absent for Type TimeBasedLinear"},
		{DeploymentConfig{"x", "Lambda", &TrafficRoutingConfig{Type: "AllAtOnce", TimeBasedLinear: &TimeBasedLinear{10, 5}}}, Config{},
			"TrafficRoutingConfig.TimeBasedLinear: must be absent for Type AllAtOnce"},
		{DeploymentConfig{"x", "Lambda", &TrafficRoutingConfig{Type: "timeBasedLinear"}}, Config{},
			`TrafficRoutingConfig.Type: "timeBasedLinear" is not a known traffic routing type (did you mean TimeBasedLinear?)`},
		{DeploymentConfig{"bad name!", "Lambda", canary(0, 0)}, Config{},
			"DeploymentConfigName: \"bad name!\" has the character ' '; allowed are letters, digits and . _ + = , @ -\n" +
				"TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage: 0 is out of range 1..99\n" +
				"TrafficRoutingConfig.TimeBasedCanary.CanaryInterval: 0 minutes is below the minimum of 1"},
	}
	for _, tt := range tests {
		got, err := FromDeploymentConfig(tt.d)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("FromDeploymentConfig(%+v) =\n %+v, %q\nwant\n %+v, %q", tt.d, got, gotErr, tt.want, tt.err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	configs := append(Predefined(),
		Config{Name: "Canary25Percent45Minutes", Type: Canary, Percentage: 25, Interval: 45},
		Config{Name: "lin30", Type: Linear, Percentage: 30, Interval: 2},
		Config{Name: "", Type: AllAtOnce, Percentage: 0, Interval: 0})
	for _, c := range configs {
		d := c.DeploymentConfig()
		back, err := FromDeploymentConfig(d)
		if err != nil || back != c {
			t.Errorf("round trip of %+v: %+v, %v", c, back, err)
		}
		if !reflect.DeepEqual(back.DeploymentConfig(), d) {
			t.Errorf("emit of %+v is not stable", c)
		}
		// JSON in the CloudFormation spelling and back.
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var d2 DeploymentConfig
		if err := json.Unmarshal(b, &d2); err != nil || !reflect.DeepEqual(d2, d) {
			t.Errorf("JSON round trip of %s: %+v, %v", b, d2, err)
		}
	}
}

// TestCDKSnapshot reads a real synthesized template (testdata/SOURCE.md) in both
// spellings: CloudFormation properties and the lowerCamel API call of Custom::AWS.
func TestCDKSnapshot(t *testing.T) {
	b, err := os.ReadFile("testdata/aws-cdk_integ_lambda-deployment-config.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	want := Config{Type: Linear, Percentage: 5, Interval: 1}

	var cfn DeploymentConfig
	if err := json.Unmarshal(tmpl.Resources["LinearConfig531CF4AA"].Properties, &cfn); err != nil {
		t.Fatal(err)
	}
	c, err := FromDeploymentConfig(cfn)
	if err != nil || c != want {
		t.Errorf("CFN DeploymentConfig: %+v, %v; want %+v", c, err, want)
	}

	var custom struct{ Create string }
	if err := json.Unmarshal(tmpl.Resources["CustomConfigDeploymentConfigE9E1F384"].Properties, &custom); err != nil {
		t.Fatal(err)
	}
	var call struct{ Parameters DeploymentConfig }
	if err := json.Unmarshal([]byte(custom.Create), &call); err != nil {
		t.Fatal(err)
	}
	want.Name = "hello"
	c, err = FromDeploymentConfig(call.Parameters)
	if err != nil || c != want {
		t.Errorf("createDeploymentConfig call: %+v, %v; want %+v", c, err, want)
	}
	// 5 % every minute: 20 increments, 100 % at 19 min, complete at 20 min.
	p := c.Plan(EndAfterLastInterval)
	if len(p.Steps) != 20 || p.Steps[19].At.Minutes() != 19 || p.End.Minutes() != 20 {
		t.Errorf("plan: %d steps, last %v, end %v", len(p.Steps), p.Steps[len(p.Steps)-1], p.End)
	}
}
