package traffic

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func count(t *testing.T, s Source, bins []float64) []int {
	t.Helper()
	out := make([]int, len(bins)-1)
	buf := make([]Arrival, 257)
	last := int64(-1)
	for {
		n := s.Fill(buf)
		if n == 0 {
			return out
		}
		for _, arr := range buf[:n] {
			a := arr.At
			if a < last {
				t.Fatalf("arrivals not sorted: %d after %d", a, last)
			}
			last = a
			x := float64(a) / 1e9
			for i := 0; i+1 < len(bins); i++ {
				if x >= bins[i] && x < bins[i+1] {
					out[i]++
				}
			}
		}
	}
}

// A Poisson count over an interval has mean and variance rate×length: each
// window's count must be within 4 sigma.
func TestPoissonCounts(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		p, err := NewPoisson(500, 100*time.Second, rand.NewPCG(seed, 7))
		if err != nil {
			t.Fatal(err)
		}
		bins := []float64{0, 10, 20, 50, 100}
		got := count(t, p, bins)
		for i, c := range got {
			mean := 500 * (bins[i+1] - bins[i])
			if z := (float64(c) - mean) / math.Sqrt(mean); math.Abs(z) > 4 {
				t.Errorf("seed %d window %v: %d arrivals, expected %v (z=%.1f)", seed, bins[i:i+2], c, mean, z)
			}
		}
	}
}

// Thinning must reproduce the integrated rate in every window, including
// around the trough.
func TestDiurnalCounts(t *testing.T) {
	d, err := NewDiurnal(200, 0.8, time.Hour, 15*time.Minute, time.Hour, rand.NewPCG(11, 7))
	if err != nil {
		t.Fatal(err)
	}
	var bins []float64
	for s := 0.0; s <= 3600; s += 300 {
		bins = append(bins, s)
	}
	got := count(t, d, bins)
	for i, c := range got {
		mean := d.MeanCount(bins[i], bins[i+1])
		if z := (float64(c) - mean) / math.Sqrt(mean); math.Abs(z) > 4 {
			t.Errorf("window %v: %d arrivals, expected %.0f (z=%.1f)", bins[i:i+2], c, mean, z)
		}
	}
	// The peak window holds more than the trough window by the cosine's swing.
	if got[2] <= got[8] {
		t.Errorf("peak window %d not above trough window %d", got[2], got[8])
	}
}

func TestSameSeedSameStream(t *testing.T) {
	a, _ := NewPoisson(100, time.Minute, rand.NewPCG(5, 5))
	b, _ := NewPoisson(100, time.Minute, rand.NewPCG(5, 5))
	ba, bb := make([]Arrival, 64), make([]Arrival, 100)
	var xa, xb []Arrival
	for n := a.Fill(ba); n > 0; n = a.Fill(ba) {
		xa = append(xa, ba[:n]...)
	}
	for n := b.Fill(bb); n > 0; n = b.Fill(bb) {
		xb = append(xb, bb[:n]...)
	}
	if len(xa) != len(xb) {
		t.Fatalf("lengths %d vs %d", len(xa), len(xb))
	}
	for i := range xa {
		if xa[i] != xb[i] {
			t.Fatalf("arrival %d differs", i)
		}
	}
}

func TestBadParameters(t *testing.T) {
	if _, err := NewPoisson(-1, time.Minute, rand.NewPCG(1, 1)); err == nil {
		t.Error("negative rate accepted")
	}
	if _, err := NewDiurnal(1, 1.5, time.Hour, 0, time.Hour, rand.NewPCG(1, 1)); err == nil {
		t.Error("amplitude 1.5 accepted")
	}
	if _, err := NewDiurnal(1, 0.5, 0, 0, time.Hour, rand.NewPCG(1, 1)); err == nil {
		t.Error("zero period accepted")
	}
}
