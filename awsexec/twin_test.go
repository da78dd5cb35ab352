package awsexec_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

const twinScenario = `name: twin
seed: 3
function: {name: orders, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
alarms:
  - AlarmName: orders-errors
    MetricName: Errors
    Namespace: AWS/Lambda
    Dimensions: [{Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 3
    Threshold: 50
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
hooks:
  BeforeAllowTraffic: {duration: 40s, catch_probability: 0.9}
  AfterAllowTraffic: {duration: 15s, catch_probability: 0.9}
deployment:
  start: 3m
  strategies: [Linear10PercentEvery2Minutes, Canary10Percent5Minutes, AllAtOnce, AppConfig.Canary10Percent20Minutes,
    {DeploymentStrategy: {Name: Exp12.5, GrowthType: EXPONENTIAL, GrowthFactor: 12.5, DeploymentDurationInMinutes: 8, FinalBakeTimeInMinutes: 3}}]
`

// TestControllerTwin runs the same healthy deployment through the simulator
// and through the alias executor against the fake (hooks taking the time the
// scenario says): the same controller must make the same weight changes at
// the same times from the deployment's start, with the same words.
func TestControllerTwin(t *testing.T) {
	s, err := scenario.Parse("twin.yaml", []byte(twinScenario))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range s.Strategies {
		t.Run(st.Name, func(t *testing.T) {
			res, err := sim.Run(&s.Model, st)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, e := range res.Timeline {
				if e.Kind == sim.KindWeight || e.Kind == sim.KindRollback {
					want = append(want, fmt.Sprintf("%v %s", e.At-res.DeploymentStart, e.Text))
				}
			}
			if len(want) == 0 {
				t.Fatal("the simulator changed no weight")
			}
			if st.Name == "Exp12.5" && !strings.Contains(strings.Join(want, "\n"), "version 2 weight 12.5%") {
				t.Fatalf("no fractional weight step:\n%s", strings.Join(want, "\n"))
			}
			e := newEnv(t, 1)
			e.fake.SetHook("pre", awsfake.Hook{Duration: 40 * time.Second})
			e.fake.SetHook("post", awsfake.Hook{Duration: 15 * time.Second})
			p := twinPlan(s, st)
			out, err := e.deploy(context.Background(), p, e.opts())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, en := range e.log {
				if en.Kind == "weight" || en.Kind == "rollback" {
					got = append(got, fmt.Sprintf("%v %s", en.T, en.Text))
				}
			}
			if !slices.Equal(got, want) || string(out.Status) != string(res.Status) {
				t.Fatalf("executor (%s)\n%q\nsimulator (%s)\n%q", out.Status, got, res.Status, want)
			}
		})
	}
}

// twinPaths are the twin scenario's off-nominal variants: each replaces the
// versions and hooks of twinScenario.
var twinPaths = []struct {
	name, strategy   string
	versions, hooks  string
	pre              awsfake.Hook // the fake's BeforeAllowTraffic hook
	wantStatus, want string       // the simulator's outcome, and a step it must take
}{
	{"healthy", "Canary10Percent5Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.001}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 0.9}, AfterAllowTraffic: {duration: 15s, catch_probability: 0.9}}`,
		awsfake.Hook{Duration: 40 * time.Second}, "Succeeded", "Finish Succeeded"},
	// The target fails 90 % of its requests, the hooks catch nothing: the
	// alarm stops the deployment in the middle of the shift.
	{"alarm stop", "Linear10PercentEvery2Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.9}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 0}, AfterAllowTraffic: {duration: 15s, catch_probability: 0}}`,
		awsfake.Hook{Duration: 40 * time.Second}, "Stopped", "Rollback; Finish Stopped ALARM_ACTIVE alarm:orders-errors"},
	// The same alarm stops an AppConfig plan (no hooks) in the middle of
	// its exponential growth.
	{"appconfig alarm stop", "AppConfig.Canary10Percent20Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.9}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 0}, AfterAllowTraffic: {duration: 15s, catch_probability: 0}}`,
		awsfake.Hook{Duration: 40 * time.Second}, "Stopped", "Rollback; Finish Stopped ALARM_ACTIVE alarm:orders-errors"},
	// The BeforeAllowTraffic hook catches the faulty target: Failed, before
	// any shift.
	{"hook failure", "Canary10Percent5Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.5}}`,
		`{BeforeAllowTraffic: {duration: 40s, catch_probability: 1}, AfterAllowTraffic: {duration: 15s, catch_probability: 1}}`,
		awsfake.Hook{Duration: 40 * time.Second, Result: awsfake.HookFails}, "Failed", "Finish Failed HOOK_EXECUTION_FAILURE hook:BeforeAllowTraffic"},
	// The BeforeAllowTraffic hook runs CodeDeploy's whole hour: it times out
	// (a result that arrives at the deadline is too late).
	{"hook timeout", "Canary10Percent5Minutes",
		`{current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}, target: {version: "2", error_rate: 0.001}}`,
		`{BeforeAllowTraffic: {duration: 1h, catch_probability: 0.9}, AfterAllowTraffic: {duration: 15s, catch_probability: 0.9}}`,
		awsfake.Hook{Duration: time.Hour}, "Failed", "1h0m0s Rollback; Finish Failed HOOK_EXECUTION_FAILURE hook:BeforeAllowTraffic"},
}

// TestControllerTwinPaths holds the alias executor (against the fake) to the
// simulator on the paths that end early, step by step: every controller step
// that yielded actions — its time from the deployment's start and its
// actions — must be the same in the executor's journal and in the
// simulator's Result.Steps. The alarm is set to fire in the fake when the
// simulator's poll saw it fire, and the executor polls at that instant.
// (Manual stop has no simulator twin: the simulator does not stop
// deployments by hand; TestAliasResumeRollbackAfterKill and the moto test
// cover the executor's own stop.)
func TestControllerTwinPaths(t *testing.T) {
	for _, tc := range twinPaths {
		t.Run(tc.name, func(t *testing.T) {
			src := twinScenario[:strings.Index(twinScenario, "versions:")] + "horizon: 2h\nversions: " + tc.versions + "\n" +
				twinScenario[strings.Index(twinScenario, "alarms:"):strings.Index(twinScenario, "hooks:")] + "hooks: " + tc.hooks + "\n" +
				twinScenario[strings.Index(twinScenario, "deployment:"):]
			src = strings.Replace(src, `Dimensions: [{Name: Resource`, `Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource`, 1)
			s, err := scenario.Parse("twin.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var st sim.Strategy
			for _, x := range s.Strategies {
				if x.Name == tc.strategy {
					st = x
				}
			}
			res, err := sim.Run(&s.Model, st)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			alarmAt := time.Duration(0)
			for _, r := range res.Steps {
				want = append(want, stepLine(r.T-res.DeploymentStart, r.Actions))
				if r.Event.Kind == deploy.AlarmState && r.Event.InAlarm {
					alarmAt = r.T - res.DeploymentStart
				}
			}
			if string(res.Status) != tc.wantStatus || !strings.Contains(strings.Join(want, "\n"), tc.want) {
				t.Fatalf("the simulator ends %s, want %s with %q:\n%s", res.Status, tc.wantStatus, tc.want, strings.Join(want, "\n"))
			}

			e := newEnv(t, 1)
			e.fake.SetHook("pre", tc.pre)
			e.fake.SetHook("post", awsfake.Hook{Duration: 15 * time.Second})
			o := e.opts()
			if alarmAt > 0 {
				e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(alarmAt), awsfake.ALARM)
				o.AlarmPoll = alarmAt // the executor's second poll is the simulator's that saw ALARM
			}
			p := twinPlan(s, st)
			out, err := e.deploy(context.Background(), p, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(e.journalText()), "\n") {
				var r awsexec.Record
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatal(err)
				}
				if r.Type == awsexec.RecStep && len(r.Actions) > 0 {
					d, _ := time.ParseDuration(r.T)
					got = append(got, fmt.Sprintf("%v %s", d, strings.Join(r.Actions, "; ")))
				}
			}
			if !slices.Equal(got, want) || string(out.Status) != string(res.Status) {
				t.Fatalf("executor (%s)\n%s\nsimulator (%s)\n%s", out.Status, strings.Join(got, "\n"), res.Status, strings.Join(want, "\n"))
			}
		})
	}
}

func stepLine(t time.Duration, acts []deploy.Action) string {
	s := make([]string, len(acts))
	for i, a := range acts {
		s[i] = a.String()
	}
	return fmt.Sprintf("%v %s", t, strings.Join(s, "; "))
}

// twinPlan is the alias executor's plan for a strategy of a twin scenario,
// made by awsexec.NewPlan from what the scenario says, as deploy makes it:
// a plan without lifecycle hooks (AppConfig's) runs none.
func twinPlan(s *scenario.Scenario, st sim.Strategy) awsexec.Plan {
	p, _, err := awsexec.NewPlan(awsexec.Spec{Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: st.Name,
		Config: st.Config, Linear: s.Model.Linear, Alarms: []string{"orders-errors"}, BeforeHook: "pre", AfterHook: "post",
		HookTimeout: s.Model.HookTimeout, AutoRollback: s.Model.AutoRollback}, awsexec.Overrides{Executor: awsexec.ExecAlias})
	if err != nil {
		panic(err)
	}
	return p
}
