package replay_test

import (
	"math"
	"os"
	"testing"

	"github.com/shiftsim/shiftsim/replay"
)

// FuzzParse: any recording and sidecar either parse into aligned series
// that Estimate and Actual accept, or fail with an error; never a panic.
func FuzzParse(f *testing.F) {
	dir := f.TempDir()
	path := timeBomb().write(f, dir)
	data, _ := os.ReadFile(path)
	side, _ := os.ReadFile(replay.SidecarPath(path))
	f.Add(data, side)
	f.Add([]byte(`{"MetricDataResults":[{"Id":"invocations_v1","Timestamps":["2026-06-01T12:00:00Z"],"Values":[3]},{"Id":"errors_v1","Timestamps":[],"Values":[]},{"Id":"invocations_v2","Timestamps":["2026-06-01T12:01:00Z"],"Values":[1]},{"Id":"errors_v2","Timestamps":["2026-06-01T12:01:00Z"],"Values":[1]}]}`),
		[]byte(`{"FunctionName":"f","Alias":"a","From":"2026-06-01T12:00:00Z","To":"2026-06-01T12:02:00Z","Period":60,"CurrentVersion":"1","TargetVersion":"2"}`))
	f.Add([]byte(`{}{}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, data, side []byte) {
		rec, err := replay.Parse("rec.json", data, "rec.function.json", side)
		if err != nil {
			return
		}
		for v := range rec.Versions {
			s := rec.Versions[v]
			if len(s.Invocations) != rec.Periods || len(s.Errors) != rec.Periods || len(s.P50) != rec.Periods || len(s.P99) != rec.Periods {
				t.Fatalf("version %d: series not aligned on %d periods", v, rec.Periods)
			}
			for k := range s.Errors {
				if s.Errors[k] > s.Invocations[k] || s.Invocations[k] > rec.Traffic[k] {
					t.Fatalf("period %d: %v errors of %v", k, s.Errors[k], s.Invocations[k])
				}
			}
		}
		b, err := rec.Estimate()
		if err != nil {
			return
		}
		for v := range b.Versions {
			for _, p := range b.Versions[v] {
				if !(p.ErrorRate >= 0 && p.ErrorRate <= 1) || !(p.P50 > 0) || p.P99 < p.P50 || math.IsInf(p.P99, 0) {
					t.Fatalf("version %d: %+v", v, p)
				}
			}
		}
		a := rec.Actual()
		if a.TargetFailedRequests > a.TargetRequests || a.FailedRequests < a.TargetFailedRequests {
			t.Fatalf("actual %+v", a)
		}
	})
}
