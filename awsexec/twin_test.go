package awsexec_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
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
  strategies: [Linear10PercentEvery2Minutes, Canary10Percent5Minutes, AllAtOnce]
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
			e := newEnv(t, 1)
			e.fake.SetHook("pre", awsfake.Hook{Duration: 40 * time.Second})
			e.fake.SetHook("post", awsfake.Hook{Duration: 15 * time.Second})
			p := awsexec.Plan{Executor: awsexec.ExecAlias, Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: st.Name,
				Config: st.Config, Schedule: st.Config.Plan(s.Model.Linear), Alarms: []string{"orders-errors"}, BeforeHook: "pre", AfterHook: "post",
				HookTimeout: s.Model.HookTimeout, AutoRollback: s.Model.AutoRollback}
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
