package sweep_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// hairTrigger is a healthy target (it fails 0.1 % of requests, like the
// current version) under the alarm a SAM template often carries: any error
// of the new version in one minute. At 100 requests/s a 10 % canary serves
// 600 requests a minute, 0.6 errors expected: the alarm fires within minutes
// on a version that is fine.
const hairTrigger = `
name: hair-trigger
seed: 11
horizon: 40m
function: {name: fn, alias: live}
traffic: {rate: 100}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}}
  target:  {version: "2", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}}
alarms:
  - AlarmName: fn-v2-any-error
    Namespace: AWS/Lambda
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: fn}, {Name: Resource, Value: "fn:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
deployment:
  strategies: [Linear10PercentEvery3Minutes, Canary10Percent15Minutes]
`

func parse(t testing.TB, doc string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("test.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The hair trigger rolls the healthy twin back in nearly every run, says
// which alarm did it, and recommend will not pick a plan that does.
func TestHairTriggerFalseRollbacks(t *testing.T) {
	s := parse(t, hairTrigger)
	if !sweep.Healthy(&s.Model) || !sweep.IsOwnTwin(&s.Model) {
		t.Fatal("the hair-trigger scenario's target should be its own healthy twin")
	}
	const runs = 40
	rep, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range rep.Stats() {
		fr := st.FalseRollback
		t.Logf("%s: false rollbacks %d/%d [%.3f, %.3f], causes %v", st.Strategy, fr.K, fr.N, fr.Low, fr.High, st.FalseCauses)
		if fr.N != runs || fr.P < 0.9 {
			t.Errorf("%s: false rollback probability %.3f of %d runs, want near 1", st.Strategy, fr.P, fr.N)
		}
		if len(st.FalseCauses) != 1 || st.FalseCauses[0].Value != "alarm:fn-v2-any-error" || st.FalseCauses[0].N != fr.K {
			t.Errorf("%s: causes %v, want all %d to the alarm", st.Strategy, st.FalseCauses, fr.K)
		}
		// A healthy target causes no failures: rolling it back saves nothing.
		if m := st.ExcessTargetFailed.Mean; m > 2 {
			t.Errorf("%s: %.2f failures caused by a healthy target", st.Strategy, m)
		}
	}
	rec, err := sweep.Recommend(&s.Model, s.Strategies, sweep.Budget{MaxFailed: 1000, Confidence: 0.95, MaxFalseRollback: 0.05}, sweep.Options{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Best >= 0 {
		t.Errorf("recommended %s, which rolls back a healthy version %.0f %% of the time", rec.Candidates[rec.Best].Strategy.Name, 100*rec.Candidates[rec.Best].Stats.FalseRollback.P)
	}
	if len(rec.Nearest) != 2 || rec.Candidates[rec.Nearest[0]].FitsFalseRollback || !rec.Candidates[rec.Nearest[0]].FitsFailures {
		t.Errorf("nearest %v: want both plans, within the failure budget but not the false-rollback limit", rec.Nearest)
	}
	// The same plans with an alarm that needs 10 errors a minute are fine.
	s.Model.Alarms[0].Rule.Threshold = 10
	rec, err = sweep.Recommend(&s.Model, s.Strategies, sweep.Budget{MaxFailed: 1000, Confidence: 0.95, MaxFalseRollback: 0.05}, sweep.Options{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Best < 0 {
		t.Errorf("with a sane threshold no plan qualifies: %+v", rec.Candidates[0].Stats.FalseRollback)
	}
}

// A shared dependency's outage hits both versions: the target is healthy,
// yet the alarm on its errors rolls it back — false rollbacks, by the twin.
func TestSharedOutageFalseRollbacks(t *testing.T) {
	s := load(t, "shared-dependency-outage.yaml")
	if !sweep.Healthy(&s.Model) {
		t.Fatal("a fault of both versions should leave the target healthy")
	}
	rep, err := sweep.Run(&s.Model, s.Strategies[:1], sweep.Options{Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stats()[0]
	if st.FalseRollback.K == 0 || len(st.FalseCauses) == 0 {
		t.Errorf("%s: false rollbacks %+v causes %v: the outage should roll the healthy twin back", st.Strategy, st.FalseRollback, st.FalseCauses)
	}
	if st.FaultAtFull != nil {
		t.Errorf("FaultAtFull %+v for a healthy target", st.FaultAtFull)
	}
}

// The twin is the target behaving as the current version: the target's
// own faults go, a fault of both versions stays, and a run of it meets the
// same traffic as the model's.
func TestTwin(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	tw := sweep.Twin(&s.Model)
	cur, tgt := tw.Versions[sim.Current], tw.Versions[sim.Target]
	if cur.ErrorRate != tgt.ErrorRate || cur.Latency != tgt.Latency || cur.Timeout != tgt.Timeout || tgt.Name != s.Model.Versions[sim.Target].Name {
		t.Errorf("twin versions %+v %+v", cur, tgt)
	}
	if sweep.IsOwnTwin(&s.Model) || !sweep.IsOwnTwin(tw) || !sweep.Healthy(tw) {
		t.Error("IsOwnTwin/Healthy disagree with Twin")
	}
	if s.Model.Versions[sim.Target].ErrorRate != 0.05 {
		t.Error("Twin changed the model it was given")
	}
	a, err := sim.Run(&s.Model, s.Strategies[1])
	if err != nil {
		t.Fatal(err)
	}
	b, err := sim.Run(tw, s.Strategies[1])
	if err != nil {
		t.Fatal(err)
	}
	if a.Requests != b.Requests || a.PollPhase != b.PollPhase {
		t.Errorf("twin saw %d requests at phase %v, the model %d at %v", b.Requests, b.PollPhase, a.Requests, a.PollPhase)
	}
	// A fault of both versions stays; the target's own faults go.
	o := load(t, "shared-dependency-outage.yaml").Model
	o.Faults = append(o.Faults, s.Model.Faults...)
	o.Faults = append(o.Faults, o.Faults[0])
	o.Faults[len(o.Faults)-1].Version = sim.Target
	kept := sweep.Twin(&o).Faults
	if len(kept) != len(o.Faults)-1 || kept[0].Version == sim.Target {
		t.Errorf("twin faults %+v of %+v", kept, o.Faults)
	}
}

// A bad target's failures beyond the current version's rate are, in
// expectation, its requests times the difference of error rates
// (0.05 − 0.001): the mean over runs agrees within 4 standard errors.
func TestExcessIsTheTargetsHarm(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	idx := 1 // Canary10Percent5Minutes
	rep, err := sweep.Run(&s.Model, s.Strategies[idx:idx+1], sweep.Options{Runs: 60})
	if err != nil {
		t.Fatal(err)
	}
	var diff []float64
	for _, o := range rep.Outcomes[0] {
		diff = append(diff, o.ExcessTargetFailed-float64(o.TargetRequests)*(0.05-0.001))
		if o.ExcessTargetFailed > float64(o.TargetFailedRequests) {
			t.Errorf("seed %d: excess %.1f above the target's %d failures", o.Seed, o.ExcessTargetFailed, o.TargetFailedRequests)
		}
	}
	mean, sd := stat.MeanStdDev(diff, nil)
	z := mean / (sd / math.Sqrt(float64(len(diff))))
	t.Logf("excess − requests × 0.049: mean %.2f, sd %.2f, z = %.2f", mean, sd, z)
	if math.Abs(z) > 4 {
		t.Errorf("excess failures are biased: mean difference %.2f (z = %.2f)", mean, z)
	}
}

// The false-rollback interval is Wilson's, checked against numbers worked
// by hand: p = 2/40, z = 1.959964, centre (p + z²/80)/(1 + z²/40) and half
// width z/(1 + z²/40)·sqrt(p(1−p)/40 + z²/6400).
func TestFalseRollbackWilsonByHand(t *testing.T) {
	for _, c := range []struct {
		k, n      int
		low, high float64
	}{
		{2, 40, 0.013820667386148358, 0.16503877369140957},
		{39, 40, 0.8711863103652591, 0.9955731684973186},
		{0, 40, 0, 0.0876216011972866},
	} {
		p := sweep.Wilson(c.k, c.n)
		if math.Abs(p.Low-c.low) > 1e-9 || math.Abs(p.High-c.high) > 1e-9 {
			t.Errorf("Wilson(%d, %d) = [%.12f, %.12f], by hand [%.12f, %.12f]", c.k, c.n, p.Low, p.High, c.low, c.high)
		}
	}
}

// Onset is when the target turns worse: at the start for a version that is
// worse by configuration, at the fuse for a time bomb, never for a healthy
// one; rollback times count from it.
func TestOnset(t *testing.T) {
	bad, bomb, ok := load(t, "bad-canary.yaml"), load(t, "time-bomb.yaml"), load(t, "healthy.yaml")
	if got := sweep.Onset(&bad.Model); got != bad.Model.DeployStart {
		t.Errorf("bad-canary onset %v, want the start %v", got, bad.Model.DeployStart)
	}
	if got, want := sweep.Onset(&bomb.Model), bomb.Model.Faults[0].Start; got != want || got <= bomb.Model.DeployStart {
		t.Errorf("time-bomb onset %v, want the fuse %v", got, want)
	}
	if got := sweep.Onset(&ok.Model); got != ok.Model.Horizon {
		t.Errorf("healthy onset %v, want the horizon", got)
	}
	rep, err := sweep.Run(&bomb.Model, bomb.Strategies[2:3], sweep.Options{Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stats()[0]
	fuse := sweep.Onset(&bomb.Model).Seconds()
	for _, o := range rep.Outcomes[0] {
		if o.RolledBack && o.End < fuse {
			t.Errorf("seed %d rolled back at %v, before the fuse", o.Seed, o.End)
		}
	}
	if st.TimeToRollback.N == 0 || st.TimeToRollback.Max > 600 || st.TimeToRollback.Min < 0 {
		t.Errorf("time to rollback %+v: want minutes after the fuse, not after the start", st.TimeToRollback)
	}
}
