package traffic

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// sharedData is the path of a real recording in ../shared/data; the test
// skips when it is not there (it is not part of the repository).
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real sample %s not available: %v", rel, err)
	}
	return p
}

// drain reads a source to its end, checking time order, with an odd batch
// size so batch boundaries fall anywhere.
func drain(t testing.TB, s Source) []Arrival {
	t.Helper()
	var out []Arrival
	buf := make([]Arrival, 97)
	last := int64(math.MinInt64)
	for {
		n := s.Fill(buf)
		if n == 0 {
			break
		}
		for _, a := range buf[:n] {
			if a.At < last {
				t.Fatalf("arrival %d at %d after %d: out of order", len(out), a.At, last)
			}
			last = a.At
			out = append(out, a)
		}
	}
	if r, ok := s.(*Replay); ok && r.Err() != nil {
		t.Fatalf("replay ended with %v", r.Err())
	}
	return out
}

// perBin counts arrivals in bins of width ns from 0.
func perBin(arr []Arrival, width int64, n int) []int {
	c := make([]int, n)
	for _, a := range arr {
		if i := a.At / width; i >= 0 && i < int64(n) {
			c[i]++
		}
	}
	return c
}

// poissonCheck checks counts against Poisson means: every bin within 4
// sigma, and the sum of squared z-scores (chi-square with k degrees of
// freedom for k bins with a mean) within 4 of its sd √(2k) of k.
func poissonCheck(t *testing.T, name string, got []int, mean []float64) {
	t.Helper()
	chi, k := 0.0, 0
	for i, m := range mean {
		if m == 0 {
			if got[i] != 0 {
				t.Errorf("%s: bin %d: %d arrivals where the recording has none", name, i, got[i])
			}
			continue
		}
		z := (float64(got[i]) - m) / math.Sqrt(m)
		if math.Abs(z) > 4 {
			t.Errorf("%s: bin %d: %d arrivals, recorded mean %.1f (z = %.1f)", name, i, got[i], m, z)
		}
		chi += z * z
		k++
	}
	if k > 0 {
		if d := (chi - float64(k)) / math.Sqrt(2*float64(k)); math.Abs(d) > 4 {
			t.Errorf("%s: chi-square %.1f over %d bins is %.1f sd from its mean", name, chi, k, d)
		}
	}
}
