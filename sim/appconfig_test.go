package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

const appConfigHealthy = `
name: appconfig
seed: 3
horizon: 2h
traffic: {rate: 20}
versions:
  current: {error_rate: 0.001, latency: {median: 50ms, p99: 150ms}}
  target:  {}
hooks:
  BeforeAllowTraffic: {duration: 40s}
deployment:
  start: 2m
  strategies:
    - AppConfig.Canary10Percent20Minutes
    - AppConfig.Linear20PercentEvery6Minutes
    - AppConfig.AllAtOnce
    - AppConfig.Linear50PercentEvery30Seconds
    - {DeploymentStrategy: {GrowthType: EXPONENTIAL, GrowthFactor: 12.5, DeploymentDurationInMinutes: 7, FinalBakeTimeInMinutes: 3}}
    - {DeploymentStrategy: {GrowthFactor: 33.3, DeploymentDurationInMinutes: 4}}
`

// TestAppConfigTimelines runs every predefined AppConfig strategy and two
// custom ones through the engine and holds the timeline's weight records to
// the closed forms of docs/plans.md: S steps, step k at start + k·D/S with
// exposure min(k·G, 100) (linear) or min(G·2^(k−1), 100) (exponential), the
// full shift at start + D and the end after the final bake. No CodeDeploy hook
// runs.
func TestAppConfigTimelines(t *testing.T) {
	s := parse(t, appConfigHealthy)
	start := 2 * time.Minute
	type step struct {
		at     time.Duration
		weight float64
	}
	at := func(d, k, n int) time.Duration {
		return start + time.Duration(k)*time.Duration(d)*time.Minute/time.Duration(n)
	}
	exp := func(g float64, d, n int) []step {
		var out []step
		for k := 1; k <= n; k++ {
			w := g / 100
			for i := 1; i < k; i++ {
				w *= 2
			}
			out = append(out, step{at(d, k, n), min(w, 1)})
		}
		return out
	}
	want := []struct {
		steps     []step
		d, bakeMn int
	}{
		{exp(10, 20, 5), 20, 10}, // the contract: 10, 20, 40, 80, 100 %
		{[]step{{at(30, 1, 5), .2}, {at(30, 2, 5), .4}, {at(30, 3, 5), .6}, {at(30, 4, 5), .8}, {at(30, 5, 5), 1}}, 30, 30},
		{[]step{{start, 1}}, 0, 10},
		{[]step{{start + 30*time.Second, .5}, {start + time.Minute, 1}}, 1, 1},
		{exp(12.5, 7, 4), 7, 3},
		{[]step{{at(4, 1, 4), .333}, {at(4, 2, 4), .666}, {at(4, 3, 4), .999}, {at(4, 4, 4), 1}}, 4, 0},
	}
	for i, w := range want {
		r := run(t, s, i)
		var got []step
		for _, e := range r.Timeline {
			if e.Kind == sim.KindWeight {
				got = append(got, step{e.At, e.Weight})
			}
			if e.Kind == sim.KindHook {
				t.Errorf("%s: an AppConfig deployment ran a CodeDeploy hook: %s", r.Strategy, e.Text())
			}
		}
		same := len(got) == len(w.steps)
		for k := 0; same && k < len(got); k++ {
			same = got[k].at == w.steps[k].at && math.Abs(got[k].weight-w.steps[k].weight) < 1e-12
		}
		if !same {
			t.Errorf("%s: weight records %v, want %v", r.Strategy, got, w.steps)
		}
		full := start + time.Duration(w.d)*time.Minute
		end := full + time.Duration(w.bakeMn)*time.Minute
		if r.Status != "Succeeded" || r.FullShift == nil || *r.FullShift != full || r.End == nil || *r.End != end {
			t.Errorf("%s: %s full shift %v end %v, want Succeeded, %v and %v", r.Strategy, r.Status, r.FullShift, r.End, full, end)
		}
	}
}

const appConfigBake = `
name: appconfig-bake
seed: 4
horizon: 30m
traffic: {rate: 50}
versions:
  current: {error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {error_rate: 0.5}
alarms:
  - AlarmName: any-error
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: my-function}, {Name: Resource, Value: "my-function:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: 0s}
deployment:
  strategies: [AllAtOnce, AppConfig.AllAtOnce]
`

// An alarm during AppConfig's final bake rolls back: AppConfig.AllAtOnce
// exposes 100 % at once but watches alarms for 10 minutes, so the 1-of-1
// alarm at the end of the first minute stops and reverts it, where
// CodeDeploy's AllAtOnce (no bake) has already succeeded.
func TestAppConfigAlarmInFinalBakeRollsBack(t *testing.T) {
	s := parse(t, appConfigBake)
	if r := run(t, s, 0); r.Status != "Succeeded" || r.RolledBack {
		t.Fatalf("CodeDeploy AllAtOnce: %s rolled back %v", r.Status, r.RolledBack)
	}
	r := run(t, s, 1)
	if !r.RolledBack || r.Status != "Stopped" || r.RollbackCause != "alarm:any-error" || r.End == nil || *r.End != time.Minute {
		t.Fatalf("AppConfig.AllAtOnce: %s rolled back %v cause %q end %v; want a rollback by any-error at 1m", r.Status, r.RolledBack, r.RollbackCause, r.End)
	}
	if r.FullShift == nil || *r.FullShift != 0 || r.FinalWeight != 0 {
		t.Errorf("full shift %v final weight %v; want 100%% at 0 and 0 after the rollback", r.FullShift, r.FinalWeight)
	}
}

const appConfigInsufficient = `
name: appconfig-insufficient
seed: 5
horizon: 40m
traffic: {rate: 50}
versions:
  current: {error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {error_rate: 0}
alarms:
  - AlarmName: target-errors
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: my-function}, {Name: Resource, Value: "my-function:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: missing
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s}
deployment:
  start: 0s
  strategies: [AppConfig.Canary10Percent20Minutes]
`

// The alarm starts in INSUFFICIENT_DATA (a new alarm does, and the target
// has no datapoints yet): by default that does not roll an AppConfig
// deployment back; with appconfig_rollback_states [ALARM, INSUFFICIENT_DATA]
// it stops it at the start, before any exposure.
func TestAppConfigInsufficientDataOption(t *testing.T) {
	r := run(t, parse(t, appConfigInsufficient), 0)
	if r.Status != "Succeeded" || r.RolledBack {
		t.Errorf("default states: %s rolled back %v, want Succeeded", r.Status, r.RolledBack)
	}
	s := parse(t, appConfigInsufficient+"  appconfig_rollback_states: [ALARM, INSUFFICIENT_DATA]\n")
	r = run(t, s, 0)
	if r.Status != "Stopped" || r.RollbackCause != "alarm:target-errors" || r.End == nil || *r.End != 0 || r.FullShift != nil {
		t.Errorf("with INSUFFICIENT_DATA: %s cause %q end %v full shift %v; want Stopped by target-errors at 0", r.Status, r.RollbackCause, r.End, r.FullShift)
	}
}

// The appconfig-bake scenario teaches what it claims on every seed: the
// fault begins after CodeDeploy's AllAtOnce and Canary10Percent5Minutes have
// finished (nothing rolls back), while AppConfig's final bake is still
// watching the alarm and rolls back.
func TestAppConfigBakeScenarioTeaches(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	eachSeed(t, "appconfig-bake.yaml", seeds, func(seed int, rs []*sim.Result) {
		for _, r := range rs[:2] {
			if r.Status != "Succeeded" || r.RolledBack {
				t.Errorf("seed %d %s: %s rolled back %v; the fault comes after it ends", seed, r.Strategy, r.Status, r.RolledBack)
			}
		}
		for _, r := range rs[2:] {
			if !r.RolledBack || r.RollbackCause != "alarm:billing-v31-errors" {
				t.Errorf("seed %d %s: rolled back %v (%s); the final bake should catch it", seed, r.Strategy, r.RolledBack, r.RollbackCause)
			}
		}
		if rs[3].TargetFailedRequests*3 > rs[2].TargetFailedRequests {
			t.Errorf("seed %d: the exponential canary exposed %d failures vs AllAtOnce's %d", seed, rs[3].TargetFailedRequests, rs[2].TargetFailedRequests)
		}
	})
}
