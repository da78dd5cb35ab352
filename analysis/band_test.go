package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestBandC: the band constant the spec gives for α = 0.05 at A = 0.85,
// C ≈ 8.1227, its inverse, and α_C decreasing in C (1 below C ≈ 5, where no
// η makes the bound useful).
func TestBandC(t *testing.T) {
	if c := BandC(0.05); math.Abs(c-8.1227) > 5e-4 {
		t.Errorf("C(0.05) = %.5f, want 8.1227", c)
	}
	if a := BandAlpha(8.1227); math.Abs(a-0.05) > 1e-4 {
		t.Errorf("α_C(8.1227) = %v, want 0.05", a)
	}
	if BandAlpha(2) != 1 {
		t.Errorf("α_C(2) = %v, want 1", BandAlpha(2))
	}
	prev := 1.0
	for _, c := range []float64{6, 8, 16, 32} {
		a := BandAlpha(c)
		if !(a < prev) {
			t.Errorf("α_C(%v) = %v not below %v", c, a, prev)
		}
		prev = a
	}
}

// lookStreams runs streams of samples of two lognormal versions (the target
// scaled by ratio), looking every `every` samples per version up to n, and
// returns how many streams rejected and their mean stop (samples per version).
func lookStreams(streams, n, every int, ratio float64, oneSided bool, seed uint64) (int, float64) {
	edges := LogEdges(0.01, 100, 200)
	src := rand.NewPCG(seed, 99)
	base := distuv.LogNormal{Mu: 0, Sigma: 0.5, Src: src}
	rejected, stopSum := 0, 0.0
	for range streams {
		bt, _ := NewBandTest(edges, oneSided, 0.05)
		for i := 1; i <= n; i++ {
			bt.Add(0, base.Rand())
			bt.Add(1, ratio*base.Rand())
			if i%every == 0 && bt.Update() {
				rejected++
				stopSum += float64(i)
				break
			}
		}
	}
	return rejected, stopSum / float64(max(rejected, 1))
}

// TestBandTestFalseAlarms: two versions with the same latency distribution,
// looked at every 20 samples up to 5,000 each (250 looks): the test rejects
// in at most α of 1,000 streams — the count held to the Binomial(1000, 0.05)
// tail (P(X ≥ count) ≥ 0.001) — two-sided and one-sided.
func TestBandTestFalseAlarms(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 streams of 250 looks")
	}
	for _, one := range []bool{false, true} {
		k, _ := lookStreams(1000, 5000, 20, 1, one, 5)
		tail := 1 - distuv.Binomial{N: 1000, P: 0.05}.CDF(float64(k-1))
		t.Logf("one-sided %v: %d of 1000 streams rejected under the null (α = 0.05; P(X ≥ %d) = %.3g)", one, k, k, tail)
		if tail < 0.001 {
			t.Errorf("one-sided %v: %d false alarms of 1000 exceed α", one, k)
		}
	}
}

// TestBandTestPower: a target 20 % slower (every sample scaled by 1.2, a
// shift of the whole distribution) is caught in every one of 200 streams
// within 5,000 samples per version, one-sided sooner than two-sided, and a
// target 50 % slower sooner still.
func TestBandTestPower(t *testing.T) {
	k2, at2 := lookStreams(200, 5000, 20, 1.2, false, 6)
	k1, at1 := lookStreams(200, 5000, 20, 1.2, true, 6)
	k3, at3 := lookStreams(200, 5000, 20, 1.5, true, 6)
	t.Logf("1.2x slower: two-sided %d/200 at %.0f samples, one-sided %d/200 at %.0f; 1.5x one-sided %d/200 at %.0f", k2, at2, k1, at1, k3, at3)
	if k2 != 200 || k1 != 200 || k3 != 200 || !(at1 <= at2) || !(at3 < at1) {
		t.Errorf("power: %d at %.0f, %d at %.0f, %d at %.0f", k2, at2, k1, at1, k3, at3)
	}
}

// TestBandTestBins: a sample falls in the bin of the first edge above it,
// the ECDF gap is read at the edges, and p never rises.
func TestBandTestBins(t *testing.T) {
	bt, err := NewBandTest([]float64{1, 2, 3}, true, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	for x, want := range map[float64]int{0.5: 0, 1: 1, 1.5: 1, 2.99: 2, 3: 3, 10: 3} {
		if b := bt.Bin(x); b != want {
			t.Errorf("Bin(%v) = %d, want %d", x, b, want)
		}
	}
	// Current all below 1, target all between 2 and 3: the gap is 1 at edges 2 and 3.
	bt.AddBin(0, 0, 400)
	bt.AddBin(1, 2, 400)
	bt.Update()
	if bt.D != 1 || !bt.Reject() {
		t.Errorf("gap %v p %v", bt.D, bt.P)
	}
	p := bt.P
	bt.AddBin(1, 0, 4000)
	bt.Update()
	if bt.P != p {
		t.Errorf("p rose from %v to %v", p, bt.P)
	}
	if _, err := NewBandTest([]float64{1, 1}, false, 0); err == nil {
		t.Error("equal edges accepted")
	}
	if n := testing.AllocsPerRun(100, func() { bt.Add(0, 1.5); bt.Update() }); n != 0 {
		t.Errorf("%v allocations per look", n)
	}
}
