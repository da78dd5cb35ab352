package traffic_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/traffic"
)

// TestCountsSource: exactly the recorded count in each period, in order,
// inside its period, and the same arrivals for the same seed.
func TestCountsSource(t *testing.T) {
	counts := []float64{3, 0, 1000, 1}
	fill := func(seed uint64) []int64 {
		c, err := traffic.NewCounts(counts, time.Minute, 4*time.Minute, rand.NewPCG(seed, 7))
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		b := make([]traffic.Arrival, 7)
		for {
			n := c.Fill(b)
			if n == 0 {
				return out
			}
			for _, a := range b[:n] {
				out = append(out, a.At)
			}
		}
	}
	got := fill(1)
	per := make([]float64, 4)
	for i, at := range got {
		if i > 0 && at < got[i-1] {
			t.Fatalf("arrival %d at %d before %d", i, at, got[i-1])
		}
		per[at/int64(time.Minute)]++
	}
	for k := range counts {
		if per[k] != counts[k] {
			t.Fatalf("period %d: %v arrivals, want %v", k, per[k], counts[k])
		}
	}
	again := fill(1)
	for i := range got {
		if got[i] != again[i] {
			t.Fatal("not deterministic")
		}
	}
	// The positions are uniform within a period: the mean offset of the
	// 1,000 of period 2 is 30 s, within 4 standard deviations (60/√12/√1000 s).
	var sum float64
	for _, at := range got {
		if at/int64(time.Minute) == 2 {
			sum += float64(at%int64(time.Minute)) / 1e9
		}
	}
	if z := (sum/1000 - 30) / (60 / math.Sqrt(12) / math.Sqrt(1000)); math.Abs(z) > 4 {
		t.Fatalf("mean offset %v s, z %v", sum/1000, z)
	}
}

// TestCountsSpec: a Spec of kind counts opens a Counts source, with users
// when asked, and refuses a count that is not a whole number.
func TestCountsSpec(t *testing.T) {
	s := traffic.Spec{Kind: traffic.KindCounts, Counts: []float64{2, 3}, CountPeriod: time.Minute, Users: 10, UserSkew: 1}
	src, err := s.Open(rand.NewPCG(1, 2), 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]traffic.Arrival, 10)
	if n := src.Fill(buf); n != 5 || buf[0].User == 0 {
		t.Fatalf("%d arrivals %+v", n, buf[:n])
	}
	s.Counts = []float64{1.5}
	if err := s.Check(); err == nil {
		t.Fatal("1.5 arrivals accepted")
	}
}
