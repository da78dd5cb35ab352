package scenario

import (
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/strategies"
)

const resolverScenario = `name: r
traffic: {rate: 1}
versions: {current: {version: "1", latency: {median: 50ms, p99: 200ms}}, target: {version: "2"}}
hooks:
  BeforeAllowTraffic: {duration: 10s, function: CodeDeployHook_pre}
deployment:
  application: shop
  deployment_group: orders-dg
  strategies:
    - Canary10Percent5Minutes
    - CodeDeployDefault.LambdaLinear10PercentEvery1Minute
    - DeploymentConfigName: Canary25Percent45Minutes
      TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 25, CanaryInterval: 45}}
`

// Every name a user can meet resolves to the same config (docs/strategy-names.md).
func TestStrategyResolver(t *testing.T) {
	s, err := Parse("r.yaml", []byte(resolverScenario))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, listed, config string
		typ                  strategies.Type
		pct, iv              int
	}{
		// listed, by the name it is listed under or by its other name
		{"Canary10Percent5Minutes", "Canary10Percent5Minutes", "CodeDeployDefault.LambdaCanary10Percent5Minutes", strategies.Canary, 10, 5},
		{"CodeDeployDefault.LambdaCanary10Percent5Minutes", "Canary10Percent5Minutes", "CodeDeployDefault.LambdaCanary10Percent5Minutes", strategies.Canary, 10, 5},
		{"Linear10PercentEvery1Minute", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", strategies.Linear, 10, 1},
		{"Canary25Percent45Minutes", "Canary25Percent45Minutes", "Canary25Percent45Minutes", strategies.Canary, 25, 45},
		// predefined, not listed
		{"AllAtOnce", "AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce", strategies.AllAtOnce, 0, 0},
		{"CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", strategies.Linear, 10, 3},
		// a recommended plan's name
		{"Canary5Percent15Minutes", "Canary5Percent15Minutes", "Canary5Percent15Minutes", strategies.Canary, 5, 15},
		{"Linear20PercentEvery1Minute", "Linear20PercentEvery1Minute", "Linear20PercentEvery1Minute", strategies.Linear, 20, 1},
	} {
		st, err := s.Strategy(tt.name)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		c := st.Config
		if st.Name != tt.listed || c.Name != tt.config || c.Type != tt.typ || c.Percentage != tt.pct || c.Interval != tt.iv {
			t.Errorf("%s: got %q %+v", tt.name, st.Name, c)
		}
	}
	for name, want := range map[string]string{
		"":                             "the scenario lists Canary10Percent5Minutes, CodeDeployDefault.LambdaLinear10PercentEvery1Minute, Canary25Percent45Minutes",
		"Canary25Percent45Minute":      "(did you mean Canary25Percent45Minutes?)",
		"Canary10Percent5Minute":       "(did you mean Canary10Percent5Minutes?)",
		"CodeDeployDefault.OneAtATime": "that is an EC2/On-Premises configuration",
		"Blue":                         `unknown Lambda deployment configuration "Blue": not a strategy of the scenario`,
	} {
		if _, err := s.Strategy(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", name, err, want)
		}
	}
	if s.HookFunctions[deploy.BeforeAllowTraffic] != "CodeDeployHook_pre" || s.Application != "shop" || s.DeploymentGroup != "orders-dg" {
		t.Errorf("names: %v %q %q", s.HookFunctions, s.Application, s.DeploymentGroup)
	}
}

func TestDeploymentGroupKeys(t *testing.T) {
	base := "name: g\ntraffic: {rate: 1}\nversions: {current: {version: \"1\", latency: {median: 50ms, p99: 200ms}}, target: {version: \"2\"}}\nhooks: {AfterAllowTraffic: {function: %s}}\ndeployment:\n  strategies: [AllAtOnce]\n"
	s, err := Parse("g.yaml", []byte(strings.Replace(base, "%s", "h", 1)+"  group: old\n"))
	if err != nil || s == nil || s.DeploymentGroup != "old" {
		t.Errorf("the older key group: %v %q", err, s.DeploymentGroup)
	}
	_, err = Parse("g.yaml", []byte(strings.Replace(base, "%s", "h", 1)+"  group: a\n  deployment_group: b\n"))
	if err == nil || !strings.Contains(err.Error(), `g.yaml:7: deployment.group: "a" contradicts deployment.deployment_group "b"`) {
		t.Errorf("contradiction: %v", err)
	}
	_, err = Parse("g.yaml", []byte(strings.Replace(base, "%s", "arn:aws:lambda:us-east-1:1:function:h", 1)))
	if err == nil || !strings.Contains(err.Error(), "g.yaml:4: hooks.AfterAllowTraffic.function:") {
		t.Errorf("bad hook function: %v", err)
	}
}
