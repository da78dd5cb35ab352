package sweep_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

func load(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(filepath.Join("..", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reference is the reference workload at another rate.
func reference(t testing.TB, rate int) *scenario.Scenario {
	t.Helper()
	path := filepath.Join("..", "scenarios", "reference-workload.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.ParseWith(nil, path, data, scenario.Setting{Path: "traffic.rate", Value: fmt.Sprint(rate)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The runs are merged in order: the same outcomes at GOMAXPROCS 1 and 2,
// and with any number of workers.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	s.Model.Horizon = s.Model.Horizon / 2 // enough for the alarm; halves the cost
	var got []*sweep.Replicated
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		r, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: 6})
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	r3, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: 6, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, r3)
	for i := 1; i < len(got); i++ {
		// %v, not reflect.DeepEqual: NaN (a time that never came) is
		// unequal to itself.
		if fmt.Sprintf("%v", got[0].Outcomes) != fmt.Sprintf("%v", got[i].Outcomes) {
			t.Errorf("outcomes differ between GOMAXPROCS 1 and configuration %d", i)
		}
	}
	// Run 0 is the single run of `compare`, seed for seed.
	one, err := sim.Run(&s.Model, s.Strategies[1])
	if err != nil {
		t.Fatal(err)
	}
	if o := got[0].Outcomes[1][0]; o.TargetFailedRequests != one.TargetFailedRequests || o.Seed != s.Model.Seed {
		t.Errorf("run 0: %+v, single run target failed %d", o, one.TargetFailedRequests)
	}
	// Common random numbers: every strategy's run i has the same seed and
	// so the same traffic.
	for i := range 6 {
		for st := range s.Strategies {
			o := got[0].Outcomes[st][i]
			if o.Seed != sweep.Seed(s.Model.Seed, i) || o.Requests != got[0].Outcomes[0][i].Requests {
				t.Errorf("strategy %d run %d: seed %d, %d requests; strategy 0: %d", st, i, o.Seed, o.Requests, got[0].Outcomes[0][i].Requests)
			}
		}
	}
}

func zOf(s sweep.Summary, want float64) float64 {
	return (s.Mean - want) / (s.StdDev / math.Sqrt(float64(s.N)))
}

// The reference workload (shared/bench/reference-workload.md) at 200
// requests/s: the means of the multi-run statistics agree with the exact
// expectations (|z| < 3), and the detection time is the alarm minute.
func TestReferenceWorkloadStatistics(t *testing.T) {
	if testing.Short() {
		t.Skip("many runs")
	}
	s := reference(t, 200)
	rep, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: 120})
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stats()[0]
	for _, c := range []struct {
		name string
		s    sweep.Summary
		want float64
	}{
		{"target requests", st.TargetRequests, 9672.0},
		{"target failed requests", st.TargetFailedRequests, 483.6},
		{"time to detect (s)", st.TimeToDetect, 4.739 * 60},
	} {
		z := zOf(c.s, c.want)
		t.Logf("%s: mean %.2f [%.2f, %.2f] over %d runs, expected %.2f, z = %.2f", c.name, c.s.Mean, c.s.CILow, c.s.CIHigh, c.s.N, c.want, z)
		if math.Abs(z) >= 3 {
			t.Errorf("%s: mean %.2f, expected %.2f (z = %.2f)", c.name, c.s.Mean, c.want, z)
		}
	}
	// The twin (version 2 failing 0.1 % like version 1) never reaches the 5 % alarm.
	if st.FaultAtFull == nil || st.FalseRollback.K != 0 || st.FalseRollback.N != 120 {
		t.Errorf("a bad target: want FaultAtFull and no false rollback, got %+v %+v", st.FaultAtFull, st.FalseRollback)
	}
}

// At 2000 requests/s the reference workload rolls back with probability
// 0.99984: the Wilson interval of a few runs must contain it.
func TestReferenceWorkloadRollbackProbability(t *testing.T) {
	if testing.Short() {
		t.Skip("long runs")
	}
	s := load(t, "reference-workload.yaml")
	const runs = 8
	rep, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Stats()[0].RolledBack
	t.Logf("rolled back %d of %d: %.3f [%.3f, %.3f]", p.K, p.N, p.P, p.Low, p.High)
	if !(p.Low <= 0.99984 && 0.99984 <= p.High) {
		t.Errorf("rollback probability %.3f [%.3f, %.3f] excludes the exact 0.99984", p.P, p.Low, p.High)
	}
}

// A healthy target: rollbacks are false alarms, and none happen in the
// built-in healthy scenario.
func TestHealthyFalseRollback(t *testing.T) {
	s := load(t, "healthy.yaml")
	if !sweep.Healthy(&s.Model) {
		t.Fatal("healthy.yaml is not healthy")
	}
	rep, err := sweep.Run(&s.Model, s.Strategies[:1], sweep.Options{Runs: 4})
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stats()[0]
	if st.FaultAtFull != nil || st.FalseRollback.K != 0 || st.FalseRollback.N != 4 {
		t.Errorf("healthy: false rollback %+v, fault at full %+v", st.FalseRollback, st.FaultAtFull)
	}
	if sweep.Healthy(&load(t, "bad-canary.yaml").Model) {
		t.Error("bad-canary.yaml counted as healthy")
	}
}

// AllAtOnce puts a bad target at 100 % before the alarm can see it, in
// every run; a canary never does in bad-canary.
func TestFaultAtFull(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	s.Model.Horizon = s.Model.Horizon / 2
	rep, err := sweep.Run(&s.Model, s.Strategies[:2], sweep.Options{Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	st := rep.Stats()
	if st[0].FaultAtFull.K != 3 || st[1].FaultAtFull.K != 0 {
		t.Errorf("fault at full: AllAtOnce %d/3, canary %d/3", st[0].FaultAtFull.K, st[1].FaultAtFull.K)
	}
}
