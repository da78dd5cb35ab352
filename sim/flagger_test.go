package sim_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

func fptr(v float64) *float64 { return &v }

// flaggerPlan: Flagger's documented example (interval 1m, stepWeight 2,
// maxWeight 50) with threshold 5 and the built-in success-rate check (min 99).
func flaggerPlan(a analysis.Flagger) sim.Strategy {
	q, _ := strategies.BuiltinQuery(analysis.RequestSuccessRate, time.Minute)
	p := &strategies.FlaggerPlan{Analysis: a, Metrics: []strategies.FlaggerMetric{{
		Check: analysis.FlaggerMetric{Name: analysis.RequestSuccessRate, Range: analysis.Range{Min: fptr(99)}}, Query: q}}}
	return sim.Strategy{Name: "flagger", Config: strategies.Config{Name: "flagger", Type: strategies.FlaggerType, Flagger: p}}
}

// TestFlaggerRunAtTheory holds a simulated Flagger run to the tick model
// (docs/plans.md): a healthy target steps 2 % per minute from 1m, reaches
// 50 % at 25m, is promoted (100 %) at 26m = ceil(50/2)+1 ticks and succeeds
// two ticks later at 28m; a target that always fails (every request an
// error) is checked from tick 2 on — the first tick measures nothing — so
// with threshold 5 it rolls back at t0 + threshold×interval = 2m + 5m = 7m,
// all traffic back at once, its weight held at 2 % meanwhile.
func TestFlaggerRunAtTheory(t *testing.T) {
	a := analysis.Flagger{Interval: time.Minute, Threshold: 5, MaxWeight: 50, StepWeight: 2}
	for _, e := range []sim.Engine{sim.PerRequest, sim.Batched} {
		res, err := sim.Run(gateModel(t, "0.001", e), flaggerPlan(a))
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != deploy.Succeeded || *res.End != 28*time.Minute || *res.FullShift != 26*time.Minute {
			t.Fatalf("%v healthy: status %s end %v full shift %v", e, res.Status, res.End, res.FullShift)
		}
		steps := stepsText(res)
		for _, want := range []string{"1m0s Tick -> SetWeight 2\n", "2m0s Tick -> Measure 0\n", "2m0s Measurement 0 ", "-> SetWeight 4\n",
			"26m0s Measurement 0 ", "-> SetWeight 100\n", "28m0s Tick -> Finish Succeeded weight=100"} {
			if !strings.Contains(steps, want) {
				t.Errorf("%v healthy: steps lack %q:\n%s", e, want, steps)
			}
		}

		res, err = sim.Run(gateModel(t, "1", e), flaggerPlan(a))
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != deploy.Stopped || *res.End != 7*time.Minute || res.RollbackCause != "gate:request-success-rate" || res.FinalWeight != 0 || !res.RolledBack {
			t.Fatalf("%v failing: status %s end %v cause %q weight %v", e, res.Status, res.End, res.RollbackCause, res.FinalWeight)
		}
		steps = stepsText(res)
		if n := strings.Count(steps, "Tick -> Measure 0"); n != 5 || strings.Contains(steps, "SetWeight 4") ||
			!strings.Contains(steps, "7m0s Tick -> Rollback; Finish Stopped gate:request-success-rate weight=0") {
			t.Errorf("%v failing: %d measurements:\n%s", e, n, steps)
		}
	}
}

func stepsText(res *sim.Result) string {
	var b strings.Builder
	for _, st := range res.Steps {
		b.WriteString(st.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestFlaggerRunOvershoot: stepWeight 20, maxWeight 50: the weights 20,
// 40, 60 (past maxWeight, as Flagger does), then 100 % at promotion on tick 4.
func TestFlaggerRunOvershoot(t *testing.T) {
	res, err := sim.Run(gateModel(t, "0.001", sim.Batched), flaggerPlan(analysis.Flagger{Interval: time.Minute, StepWeight: 20, MaxWeight: 50}))
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, p := range res.Phases {
		got = append(got, math.Round(100*p.Weight))
	}
	want := []float64{0, 20, 40, 60, 100}
	if res.Status != deploy.Succeeded || len(got) != len(want) {
		t.Fatalf("status %s weights %v", res.Status, got)
	}
	for i := range want {
		if got[i] != want[i] || (i > 0 && res.Phases[i].From != time.Duration(i)*time.Minute) {
			t.Errorf("phase %d: %v at %v, want %v at %dm", i, got[i], res.Phases[i].From, want[i], i)
		}
	}
}
