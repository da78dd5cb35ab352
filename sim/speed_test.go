package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// cpuMeter reports a benchmark's work per CPU-second: reqs simulated
// requests over the CPU time the process used while it ran (see
// cpuSeconds), besides the wall-clock figures testing reports itself.
type cpuMeter struct{ start float64 }

func startCPU(b *testing.B) cpuMeter {
	b.Helper()
	c, _ := cpuSeconds()
	return cpuMeter{start: c}
}

func (c cpuMeter) report(b *testing.B, reqs int64) {
	b.Helper()
	now, ok := cpuSeconds()
	if !ok || now <= c.start {
		return
	}
	b.ReportMetric(float64(reqs)/(now-c.start), "req/CPU-s")
	b.ReportMetric((now-c.start)*1e9/float64(b.N), "CPU-ns/op")
}

// BenchmarkCompare9x1000x2h is issue 12's batched figure: compare's runs of
// the nine predefined CodeDeploy Lambda configurations over 1000 seeds of a
// 2-hour window at 100 requests/s (sweep2h), through sim.Compare on the
// engine compare picks (auto: batched here), one op being all 9,000 runs.
// The target is under 1 s of wall time on a 2-core machine: run it with
// -cpu 2 for that figure (-cpu 1 for CPU cost alone); req/CPU-s counts the
// requests simulated as counts.
func BenchmarkCompare9x1000x2h(b *testing.B) {
	s := parse(b, sweep2h)
	s.Model.Engine = sim.Auto
	if len(s.Strategies) != 9 || s.Model.Horizon != 2*time.Hour {
		b.Fatalf("%d strategies, horizon %v", len(s.Strategies), s.Model.Horizon)
	}
	if ok, why := sim.Batchable(&s.Model); !ok {
		b.Fatalf("not batched: %s", why)
	}
	b.ReportAllocs()
	cpu := startCPU(b)
	var reqs int64
	for b.Loop() {
		for seed := uint64(1); seed <= 1000; seed++ {
			m := s.Model
			m.Seed = seed
			rs, err := sim.Compare(&m, s.Strategies)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				reqs += r.Requests
			}
		}
	}
	cpu.report(b, reqs)
}

// allocsPerRun is the mean number of allocations of one run of strategy 0
// of s with the model changed by edit.
func allocsPerRun(t *testing.T, doc string, engine sim.Engine, edit func(*sim.Model)) float64 {
	t.Helper()
	s := parse(t, doc)
	s.Model.Engine = engine
	edit(&s.Model)
	seed := s.Model.Seed
	return testing.AllocsPerRun(5, func() {
		seed++
		m := s.Model
		m.Seed = seed
		if _, err := sim.Run(&m, s.Strategies[0]); err != nil {
			t.Fatal(err)
		}
	})
}

// Memory is flat in the horizon and in the run count: a run allocates as
// many times over 8 hours as over 30 minutes (on both engines: the engine's
// state is sized by the alarms and the traffic, not the time simulated; the
// result's per-minute buckets are one slice sized up front), and the
// thousandth run of a sweep as many as the first.
func TestAllocationsFlat(t *testing.T) {
	horizon := func(h time.Duration) func(*sim.Model) {
		return func(m *sim.Model) { m.Horizon = h }
	}
	// A healthy target: what a run allocates for its timeline grows with the
	// alarm state changes it records, whatever the engine.
	healthy := strings.Replace(sweep2h, "error_rate: 0.05", "error_rate: 0.00001", 1)
	for _, c := range []struct {
		name   string
		doc    string
		engine sim.Engine
	}{
		{"batched", healthy, sim.Batched},
		{"per-request", strings.Replace(healthy, "rate: 100", "rate: 5", 1), sim.PerRequest},
	} {
		short := allocsPerRun(t, c.doc, c.engine, horizon(30*time.Minute))
		long := allocsPerRun(t, c.doc, c.engine, horizon(8*time.Hour))
		late := allocsPerRun(t, c.doc, c.engine, func(m *sim.Model) { m.Seed = 1000 })
		first := allocsPerRun(t, c.doc, c.engine, func(*sim.Model) {})
		t.Logf("%s: %v allocations a run over 30m, %v over 8h; %v from seed 1, %v from seed 1000", c.name, short, long, first, late)
		if long > short {
			t.Errorf("%s: %v allocations a run over 8h, %v over 30m: memory grows with the horizon", c.name, long, short)
		}
		if late != first {
			t.Errorf("%s: %v allocations a run from seed 1, %v from seed 1000", c.name, first, late)
		}
	}
}
