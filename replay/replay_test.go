package replay_test

import (
	"math"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/replay"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

// analyticScenario watches version 2's Errors, Sum over one minute >= 5,
// with no metric delay and CodeDeploy seeing alarm states at once, so the
// detection time is exact: the evaluation at the end of the first minute
// in which the target fails. Its poll phase is random, which a replay
// overrides: CloudWatch's minutes are the recording's.
const analyticScenario = `name: analytic
seed: 1
horizon: 30m
function: {name: orders, alias: live}
traffic: {rate: 1}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 100ms}}
  target: {version: "2", error_rate: 0, latency: {median: 50ms, p99: 100ms}}
alarms:
  - AlarmName: v2-errors
    Namespace: AWS/Lambda
    MetricName: Errors
    Dimensions:
      - {Name: FunctionName, Value: orders}
      - {Name: Resource, Value: "orders:live"}
      - {Name: ExecutedVersion, Value: "2"}
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 5
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: random}
deployment:
  start: 0s
  strategies: [AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute]
`

func loadAnalyticB(t testing.TB) *scenario.Scenario {
	s, err := scenario.Parse("analytic.yaml", []byte(analyticScenario))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadAnalytic(t *testing.T) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("analytic.yaml", []byte(analyticScenario))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTimeBombAnalytic replays the time-bomb recording under three plans.
// Each minute has exactly 6,000 requests; a request goes to the target
// with the plan's weight w_k and fails with the recorded rate p_k of its
// version in that minute, independently, so a plan's failed requests on
// the target are a sum of Binomial(6000, w_k·p_k): mean Σ 6000·w_k·p_k,
// variance Σ 6000·q_k(1−q_k). Version 2 first fails in minute 3
// ([180 s, 240 s)), where every plan sends it at least 600 requests, 60 or
// more failing, far above the threshold 5 (P(fewer than 5) < 1e-15): the
// alarm fires at the evaluation at 240 s, exactly. The canary and the
// linear plan roll back then; AllAtOnce has already succeeded at 60 s (a
// deployment that has shifted everything ends, and no alarm stops it
// after), so version 2 keeps all the traffic to the end of the window.
func TestTimeBombAnalytic(t *testing.T) {
	rec, err := replay.Read(timeBomb().write(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	beh, err := rec.Estimate()
	if err != nil {
		t.Fatal(err)
	}
	// The target's minute 0 is pooled from minute 1 (600 invocations, no
	// error); minutes 5 to 29 from minute 4 (60 errors of 600).
	tp := beh.Versions[1]
	if !tp[0].Estimated || tp[0].ErrorRate != 0 || tp[0].From != 1 || tp[0].To != 1 {
		t.Fatalf("target minute 0: %+v", tp[0])
	}
	for k := 5; k < 30; k++ {
		if !tp[k].Estimated || tp[k].ErrorRate != 0.1 || tp[k].From != 4 || tp[k].To != 4 || tp[k].P99 != 184 {
			t.Fatalf("target minute %d: %+v", k, tp[k])
		}
	}
	for k := 1; k < 5; k++ {
		if tp[k].Estimated || tp[k].ErrorRate != []float64{0, 0, 0.1, 0.1}[k-1] || tp[k].P50 != 55 {
			t.Fatalf("target minute %d: %+v", k, tp[k])
		}
	}
	s := loadAnalytic(t)
	// Weights per minute of each plan, from the deployment start at 60 s
	// until the rollback at 240 s.
	all := make([]float64, 30)
	for k := 1; k < 30; k++ {
		all[k] = 1
	}
	weights := map[string][]float64{
		"AllAtOnce":                   all,
		"Canary10Percent5Minutes":     {0, 0.1, 0.1, 0.1},
		"Linear10PercentEvery1Minute": {0, 0.1, 0.2, 0.3},
	}
	pt := func(k int) float64 { return tp[k].ErrorRate }
	pc := func(k int) float64 { return beh.Versions[0][k].ErrorRate }
	const seeds = 20
	for i, st := range s.Strategies {
		w := weights[st.Name]
		var meanT, varT, meanC, varC float64
		for k := range 30 {
			wk := 0.0
			if k < len(w) {
				wk = w[k]
			}
			qt, qc := wk*pt(k), (1-wk)*pc(k)
			meanT += 6000 * qt
			varT += 6000 * qt * (1 - qt)
			meanC += 6000 * qc
			varC += 6000 * qc * (1 - qc)
		}
		var sumT, sumC float64
		for seed := uint64(1); seed <= seeds; seed++ {
			base := s.Model
			base.Seed = seed
			m, err := rec.Model(base, beh, nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := sim.Run(&m, s.Strategies[i])
			if err != nil {
				t.Fatal(err)
			}
			if r.Requests != 180000 {
				t.Fatalf("%s seed %d: %d requests, the recording has 180000", st.Name, seed, r.Requests)
			}
			end, rolledBack := 240*time.Second, true
			if st.Name == "AllAtOnce" {
				end, rolledBack = time.Minute, false
			}
			if r.Detected == nil || *r.Detected != 240*time.Second || r.RolledBack != rolledBack || r.End == nil || *r.End != end {
				t.Fatalf("%s seed %d: detected %v end %v rolled back %v, want 4m0s, %v, %v", st.Name, seed, r.Detected, r.End, r.RolledBack, end, rolledBack)
			}
			sumT += float64(r.TargetFailedRequests)
			sumC += float64(r.FailedRequests - r.TargetFailedRequests)
		}
		zt := (sumT/seeds - meanT) / math.Sqrt(varT/seeds)
		zc := (sumC/seeds - meanC) / math.Sqrt(varC/seeds)
		t.Logf("%s: target failed %.1f (expected %.1f, z %.2f), current failed %.1f (expected %.2f, z %.2f)", st.Name, sumT/seeds, meanT, zt, sumC/seeds, meanC, zc)
		if math.Abs(zt) > 4 || math.Abs(zc) > 4 {
			t.Errorf("%s: |z| > 4", st.Name)
		}
	}
	// The expectations above, written out for the canary: minute 3 only,
	// 6000 · 0.1 · 0.1.
	if got := 6000 * weights["Canary10Percent5Minutes"][3] * pt(3); math.Abs(got-60) > 1e-9 {
		t.Fatalf("canary expectation %v", got)
	}
}

// TestActualIsTheRecording: the actual column is the recording's sums,
// exactly, and CodeDeploy's times.
func TestActualIsTheRecording(t *testing.T) {
	rec, err := replay.Read(timeBomb().write(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	a := rec.Actual()
	if a.Requests != 180000 || a.TargetRequests != 2400 || a.TargetFailedRequests != 120 || a.FailedRequests != 300 {
		t.Fatalf("%+v", a)
	}
	if a.Source != "codedeploy" || a.Status != "Stopped" || !a.RolledBack || *a.End != 300*time.Second || *a.Detected != 300*time.Second ||
		a.DeploymentStart != time.Minute || a.FullShift != nil || a.Config != "CodeDeployDefault.LambdaCanary10Percent5Minutes" {
		t.Fatalf("%+v", a)
	}
	// Without CodeDeploy's record, the times come from the invocations:
	// the target last ran in minute 4, the current version after it.
	s := timeBomb()
	s.deployment, s.weights = nil, nil
	rec, err = replay.Read(s.write(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	a = rec.Actual()
	if a.Source != "invocations" || a.Status != "Stopped" || !a.RolledBack || *a.End != 300*time.Second || a.Detected != nil || a.DeploymentStart != time.Minute {
		t.Fatalf("%+v", a)
	}
	if start, from := rec.DeployStart(); start != time.Minute || from != "first invocation of the target" {
		t.Fatalf("%v %s", start, from)
	}
}

// TestWindowBound: the longest window replay takes is the one
// docs/limits.md states.
func TestWindowBound(t *testing.T) {
	if got := limits.Of("replay window").Max; got != float64(replay.MaxWindow) {
		t.Fatalf("limits say %v, replay.MaxWindow is %v", time.Duration(got), replay.MaxWindow)
	}
}
