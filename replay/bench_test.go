package replay_test

import (
	"testing"

	"github.com/shiftsim/shiftsim/replay"
	"github.com/shiftsim/shiftsim/sim"
)

// BenchmarkReplayDay replays a day's recording (1,440 minutes of 60
// requests, each version's minute a fault of its own) under a canary. The
// faults in force are looked up by index (faults.Index): 15 ms/op, where
// scanning them all at every minute took 66 ms/op and grew with the
// square of the window (docs/replay.md).
func BenchmarkReplayDay(b *testing.B) {
	s := timeBomb()
	n := 24 * 60
	s.minutes = n
	s.alias = make([]float64, n)
	for v := range 2 {
		s.inv[v], s.errs[v], s.p50[v], s.p99[v] = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	}
	for k := range n {
		s.alias[k] = 60
		s.inv[0][k], s.inv[1][k] = 54, 6
		s.errs[1][k] = 1
		s.p50[0][k], s.p99[0][k], s.p50[1][k], s.p99[1][k] = 50, 100, 50, 100
	}
	s.deployment, s.weights = nil, nil
	rec, err := replay.Read(s.write(b, b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	beh, err := rec.Estimate()
	if err != nil {
		b.Fatal(err)
	}
	sc := loadAnalyticB(b)
	m, err := rec.Model(sc.Model, beh, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := sim.Run(&m, sc.Strategies[1]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayFortnight replays the 15-day recording of
// TestLongRecordingExactSums (21,600 minutes, 43,200 faults, ~140,000
// requests) under AllAtOnce: the faults in force are looked up by index,
// so the run costs in proportion to its requests and minutes.
func BenchmarkReplayFortnight(b *testing.B) {
	s, _, _, _ := fortnight()
	rec, err := replay.Read(s.write(b, b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	beh, err := rec.Estimate()
	if err != nil {
		b.Fatal(err)
	}
	sc := loadAnalyticB(b)
	base := sc.Model
	base.Alarms = nil
	m, err := rec.Model(base, beh, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := sim.Run(&m, sc.Strategies[0]); err != nil {
			b.Fatal(err)
		}
	}
}
