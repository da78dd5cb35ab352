package faults

import (
	"math/rand/v2"
	"testing"
	"time"
)

// same reports whether two effects are equal field by field (the values
// behind their pointers, not the pointers).
func same(a, b Effect) bool {
	eqF := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqL := func(x, y *Lognormal) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eqF(a.ErrorRate, b.ErrorRate) && eqL(a.Latency, b.Latency) && eqL(a.Init, b.Init) &&
		a.LatencyScale == b.LatencyScale && a.HangRate == b.HangRate && a.Segment == b.Segment
}

// randomSet draws n faults over an hour: steps, windows, ramps, flaky ones,
// both versions, overlapping freely (seeded: a failure names its seed).
func randomSet(rng *rand.Rand, n int, open bool) Set {
	s := make(Set, n)
	for i := range s {
		f := Fault{Version: rng.IntN(3) - 1, Start: time.Duration(rng.IntN(3600)) * time.Second}
		if !open || rng.IntN(4) > 0 {
			f.End = f.Start + time.Duration(1+rng.IntN(900))*time.Second
		}
		switch rng.IntN(4) {
		case 0:
			f.ErrorRate = rate(rng.Float64())
		case 1:
			f.Latency = &Lognormal{Mu: rng.NormFloat64(), Sigma: rng.Float64()}
		case 2:
			f.LatencyScale, f.HangRate = 1+rng.Float64()*3, rng.Float64()/10
		default:
			f.Init, f.ErrorRate = &Lognormal{Mu: -1, Sigma: 0.3}, rate(rng.Float64())
		}
		if rng.IntN(5) == 0 {
			f.Ramp = time.Duration(1+rng.IntN(300)) * time.Second
		}
		if rng.IntN(6) == 0 {
			f.Flaky = &Flaky{On: time.Duration(1+rng.IntN(60)) * time.Second, Off: time.Duration(1+rng.IntN(60)) * time.Second}
		}
		if rng.IntN(8) == 0 {
			f.Segment = rng.Float64()
		}
		s[i] = f
	}
	return s
}

// The index is a fast twin of Set.At and Set.AnyActive: on random sets
// (sparse and dense enough to fall back to a scan), at every change
// instant, just before it and at random instants, both versions, the same
// effect.
func TestIndexAgreesWithScan(t *testing.T) {
	indexed, scanned := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := []int{0, 1, 2, 5, 20, 200, 1000}[seed%7]
		s := randomSet(rng, n, seed%2 == 0)
		x := s.Index()
		if x.cuts != nil {
			indexed++
		} else if n > 0 {
			scanned++
		}
		times := []time.Duration{-time.Second, 0, 2 * time.Hour}
		for _, c := range s.Changes(2 * time.Hour) {
			if rng.IntN(max(1, n/50)) == 0 {
				times = append(times, c, c-1, c+1)
			}
		}
		for range 200 {
			times = append(times, time.Duration(rng.Int64N(int64(2*time.Hour))))
		}
		for _, at := range times {
			for v := range 2 {
				if got, want := x.At(v, at, 0.01), s.At(v, at, 0.01); !same(got, want) {
					t.Fatalf("seed %d (%d faults): version %d at %v: index %+v, scan %+v", seed, n, v, at, got, want)
				}
				if got, want := x.AnyActive(v, at), s.AnyActive(v, at); got != want {
					t.Fatalf("seed %d: version %d at %v: index says active %v, scan %v", seed, v, at, got, want)
				}
			}
		}
	}
	if indexed < 10 || scanned < 2 {
		t.Errorf("%d sets indexed, %d scanned: both paths want exercising", indexed, scanned)
	}
}

// A replayed recording's shape — one fault per version and minute — is
// indexed (not scanned): each minute's lookup sees its two faults only.
func TestIndexOfPerMinuteFaults(t *testing.T) {
	const minutes = 7 * 24 * 60
	s := make(Set, 0, 2*minutes)
	for v := range 2 {
		for k := range minutes {
			s = append(s, Fault{Version: v, Start: time.Duration(k) * time.Minute, End: time.Duration(k+1) * time.Minute,
				ErrorRate: rate(float64(k%100) / 100)})
		}
	}
	x := s.Index()
	if x.cuts == nil {
		t.Fatal("per-minute faults fell back to a scan")
	}
	for _, k := range []int{0, 1, 59, 4000, minutes - 1} {
		at := time.Duration(k)*time.Minute + 30*time.Second
		ids, _ := x.candidates(at)
		if len(ids) != 2 {
			t.Errorf("minute %d: %d candidates, want 2", k, len(ids))
		}
		if e := x.At(1, at, 0); e.ErrorRate == nil || *e.ErrorRate != float64(k%100)/100 {
			t.Errorf("minute %d: error rate %v, want %v", k, e.ErrorRate, float64(k%100)/100)
		}
	}
	if e := x.At(1, time.Duration(minutes)*time.Minute, 0); e.ErrorRate != nil {
		t.Errorf("after the last minute: error rate %v, want none", *e.ErrorRate)
	}
}

// BenchmarkIndexAt looks up a week of per-minute faults (20,160) at every
// minute, as the engine does for a replayed recording.
func BenchmarkIndexAt(b *testing.B) {
	const minutes = 7 * 24 * 60
	s := make(Set, 0, 2*minutes)
	for v := range 2 {
		for k := range minutes {
			s = append(s, Fault{Version: v, Start: time.Duration(k) * time.Minute, End: time.Duration(k+1) * time.Minute, ErrorRate: rate(0.01)})
		}
	}
	x := s.Index()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x.At(i%2, time.Duration(i%minutes)*time.Minute, 0)
	}
}
