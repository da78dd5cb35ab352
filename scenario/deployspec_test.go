package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/strategies"
)

const deploySpecScenario = `name: d
function: {name: orders, alias: live}
traffic: {rate: 1}
versions: {current: {version: "7", latency: {median: 50ms, p99: 200ms}}, target: {version: "8"}}
alarms:
  - {AlarmName: a1, MetricName: Errors, Statistic: Sum, Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanThreshold}
  - {AlarmName: a2, MetricName: Throttles, Statistic: Sum, Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanThreshold}
hooks:
  BeforeAllowTraffic: {duration: 10s, function: CodeDeployHook_pre}
monitoring: {metric_delay: 2m}
deployment:
  application: shop
  deployment_group: orders-dg
  strategies:
    - Canary10Percent5Minutes
    - AppConfig.Linear50PercentEvery30Seconds
    - {name: ecs, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 1, alarms: {alarmNames: [a2], enable: true, rollback: false}}}
`

// DeploySpec carries every name a real deployment needs from the scenario;
// a flag overrides a hook function; a plan without lifecycle hooks keeps
// the overrides as given (awsexec.NewPlan tells the user it runs none).
func TestDeploySpec(t *testing.T) {
	s, err := Parse("d.yaml", []byte(deploySpecScenario))
	if err != nil {
		t.Fatal(err)
	}
	canary, err := s.Strategy("Canary10Percent5Minutes")
	if err != nil {
		t.Fatal(err)
	}
	got, warnings, err := s.DeploySpec(canary, "", "")
	if err != nil || len(warnings) != 0 {
		t.Fatalf("%v %v", err, warnings)
	}
	want := deploy.Spec{Function: "orders", Alias: "live", Current: "7", Target: "8", Strategy: "Canary10Percent5Minutes",
		Config: canary.Config, Linear: s.Model.Linear, Alarms: []string{"a1", "a2"}, BeforeHook: "CodeDeployHook_pre",
		HookTimeout: s.Model.HookTimeout, AutoRollback: s.Model.AutoRollback, MetricDelay: 2 * time.Minute,
		Application: "shop", DeploymentGroup: "orders-dg"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	// --after-hook for a hook the scenario does not simulate: used, with a warning.
	got, warnings, err = s.DeploySpec(canary, "mine", "post")
	if err != nil || got.BeforeHook != "mine" || got.AfterHook != "post" || len(warnings) != 1 || !strings.Contains(warnings[0], "--after-hook post") {
		t.Errorf("overrides: %q %q %v %v", got.BeforeHook, got.AfterHook, warnings, err)
	}

	// An AppConfig plan has no lifecycle hooks: the scenario's functions
	// are not filled in; what a flag gives is passed on for NewPlan to refuse.
	ac, err := s.Strategy("AppConfig.Linear50PercentEvery30Seconds")
	if err != nil {
		t.Fatal(err)
	}
	if ac.Config.Type != strategies.AppConfig {
		t.Fatalf("type %s", ac.Config.Type)
	}
	got, _, err = s.DeploySpec(ac, "", "x")
	if err != nil || got.BeforeHook != "" || got.AfterHook != "x" {
		t.Errorf("AppConfig: %q %q %v", got.BeforeHook, got.AfterHook, err)
	}

	// An ECS plan watches its own alarms, and rolls back as they say.
	ecs, err := s.Strategy("ecs")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err = s.DeploySpec(ecs, "", "")
	if err != nil || !reflect.DeepEqual(got.Alarms, []string{"a2"}) || got.AutoRollback {
		t.Errorf("ECS alarms: %v rollback %v (%v)", got.Alarms, got.AutoRollback, err)
	}

	// A simulated hook with no function is the user's error.
	s.HookFunctions = nil
	if _, _, err := s.DeploySpec(canary, "", ""); err == nil || !strings.Contains(err.Error(), "set hooks.BeforeAllowTraffic.function") {
		t.Errorf("no function: %v", err)
	}
}

// A hook timeout shorter than CodeDeploy's fixed hour is a what-if the
// simulator models; a real deployment says it waits the hour.
func TestDeploySpecHookTimeoutIsSimulatedOnly(t *testing.T) {
	doc := strings.Replace(deploySpecScenario, "{duration: 10s, function: CodeDeployHook_pre}",
		"{duration: 10s, timeout: 5m, function: CodeDeployHook_pre}", 1)
	s, err := Parse("d.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	canary, err := s.Strategy("Canary10Percent5Minutes")
	if err != nil {
		t.Fatal(err)
	}
	got, warnings, err := s.DeploySpec(canary, "", "")
	if err != nil || got.HookTimeout != deploy.DefaultHookTimeout {
		t.Fatalf("%v, hook timeout %v", err, got.HookTimeout)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "hooks.BeforeAllowTraffic.timeout 5m0s is simulated only") || !strings.Contains(warnings[0], "1h0m0s") {
		t.Errorf("warnings %q", warnings)
	}
	// A plan without lifecycle hooks runs none: nothing to say.
	ac, err := s.Strategy("AppConfig.Linear50PercentEvery30Seconds")
	if err != nil {
		t.Fatal(err)
	}
	if _, warnings, _ := s.DeploySpec(ac, "", ""); len(warnings) != 0 {
		t.Errorf("AppConfig: %q", warnings)
	}
}
