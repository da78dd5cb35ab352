package replay_test

import (
	"testing"

	"github.com/shiftsim/shiftsim/replay"
	"github.com/shiftsim/shiftsim/sim"
)

// BenchmarkReplayDay replays a day's recording (1,440 minutes of 60
// requests, each version's minute a fault of its own) under a canary: the
// cost of the per-minute faults, which grows with the square of the window
// (docs/replay.md; 72 h measured 0.43 s a run on the 2-core machine).
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
