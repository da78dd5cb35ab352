package power

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// mcCheck runs the simulator runs times on s and holds every exact result
// to it: the rollback and detection probabilities by their binomial
// standard error under the exact value, the expectations and the mean
// detection time by the runs' standard error. |z| must stay below zmax.
func mcCheck(t *testing.T, name string, s *scenario.Scenario, runs int, zmax float64) {
	t.Helper()
	e, err := NewEngine(&s.Model)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rep, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	for si, st := range s.Strategies {
		r, err := e.Exact(st)
		if err != nil {
			t.Fatal(err)
		}
		tl := tallyOutcomes(rep.Outcomes[si])
		stops, dets, req, fail, det := tl.stops, tl.dets, tl.req, tl.fail, tl.det
		label := fmt.Sprintf("%s/%s", name, st.Name)
		// A stop too rare (or too sure) to show in the runs still moves
		// the exact expectations: by at most its probability times what
		// an unstopped deployment sends the target.
		ps, err := paths(&s.Model, st)
		if err != nil {
			t.Fatal(err)
		}
		var most, mostFail float64
		for i := range ps {
			req, fail := e.wd.target(&ps[i], never)
			most, mostFail = max(most, req), max(mostFail, fail)
		}
		q := min(r.RollbackProbability, 1-r.RollbackProbability)
		rare := math.Sqrt(q / float64(runs))
		zProb(t, label+" rollback probability", r.RollbackProbability, stops, runs, zmax)
		zProb(t, label+" detection probability", r.DetectionProbability, dets, runs, zmax)
		zMean(t, label+" target requests", r.TargetRequests, req, rare*most, zmax)
		zMean(t, label+" target failed requests", r.TargetFailedRequests, fail, rare*mostFail, zmax)
		if len(det) > 1 {
			zMean(t, label+" detection time", r.Detection.Mean(), det, 0, zmax)
		}
	}
}

func zProb(t *testing.T, what string, p float64, k, n int, zmax float64) {
	t.Helper()
	got := float64(k) / float64(n)
	se := math.Sqrt(p * (1 - p) / float64(n))
	if se == 0 {
		if got != p {
			t.Errorf("%s: exact %v, simulated %d/%d", what, p, k, n)
		}
		return
	}
	if float64(n)*min(p, 1-p) < 10 {
		// Too few expected events for the normal law: the binomial's own
		// two-sided tail, held to the normal tail of zmax.
		b := distuv.Binomial{N: float64(n), P: p}
		tail := min(b.CDF(float64(k)), 1-b.CDF(float64(k)-1))
		if limit := distuv.UnitNormal.CDF(-zmax); tail < limit {
			t.Errorf("%s: exact %.5f, simulated %d/%d = %.5f, binomial tail %.2g < %.2g", what, p, k, n, got, tail, limit)
		}
		return
	}
	if z := (got - p) / se; math.Abs(z) > zmax {
		t.Errorf("%s: exact %.5f, simulated %d/%d = %.5f, z = %.2f", what, p, k, n, got, z)
	}
}

// zMean compares a mean with its exact value; floor is the least standard
// error to allow.
func zMean(t *testing.T, what string, want float64, xs []float64, floor, zmax float64) {
	t.Helper()
	n := float64(len(xs))
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	mean := s / n
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := max(math.Sqrt(ss/(n-1)/n), floor)
	if se == 0 {
		// Every run gave the same value: the exact law may still hold
		// mass elsewhere too rare to show; allow a request or a second.
		if math.Abs(mean-want) > max(1, 1e-4*math.Abs(want)) {
			t.Errorf("%s: exact %v, every run %v", what, want, mean)
		}
		return
	}
	if z := (mean - want) / se; math.Abs(z) > zmax {
		t.Errorf("%s: exact %.4f, simulated %.4f ± %.4f, z = %.2f", what, want, mean, se, z)
	}
}

// TestTwinBuiltInScenarios holds the exact engine to the simulator on every
// built-in scenario it can compute.
func TestTwinBuiltInScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates hundreds of runs")
	}
	files, _ := filepath.Glob("../scenarios/*.yaml")
	for _, f := range files {
		s := load(t, f)
		if ok, _ := Exactable(&s.Model); !ok {
			continue
		}
		s.Model.Engine = sim.Batched
		// A fixed phase off the whole minute exercises the grid; random
		// phases (an average of 60 chains) have their own tests.
		s.Model.PollPhase = sim.PollPhase{Fixed: 17 * time.Second}
		mcCheck(t, filepath.Base(f), s, 200, 4)
	}
}
