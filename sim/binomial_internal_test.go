package sim

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// binomialBins are chi-square bins for Binomial(n, p) and draws draws:
// upper[i] is the last count of bin i (the last bin takes everything
// above), want[i] its expected number of draws, every one >= 5; counts far
// below the mean fall in the first bin.
func binomialBins(n int64, p float64, draws int) (upper []int64, want []float64) {
	d := distuv.Binomial{N: float64(n), P: p}
	mean, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
	lo := max(0, int64(mean-12*sd-5))
	hi := min(n, int64(mean+12*sd+5))
	acc := 0.0
	if lo > 0 {
		acc = d.CDF(float64(lo - 1))
	}
	acc *= float64(draws)
	for k := lo; k <= hi; k++ {
		acc += d.Prob(float64(k)) * float64(draws)
		if acc >= 5 {
			upper, want = append(upper, k), append(want, acc)
			acc = 0
		}
	}
	acc += d.Survival(float64(hi)) * float64(draws)
	if len(want) == 0 {
		return []int64{n}, []float64{float64(draws)}
	}
	want[len(want)-1] += acc
	upper[len(upper)-1] = n
	return upper, want
}

func binOf(upper []int64, k int64) int {
	return sort.Search(len(upper), func(i int) bool { return upper[i] >= k })
}

// The batched engine's binomial sampler has Binomial(n, p)'s law on both of
// its algorithms (inversion below n·p = 10, BTRS from 10), at their
// boundary, for p above 1/2 (drawn by symmetry), for small n, for the tiny
// p of a timeout at large n, and for large n·p. Per case, 200 000 draws:
// their histogram against the exact probabilities (chi-square
// goodness of fit) and against as many draws of gonum's distuv.Binomial,
// the sampler it replaced (chi-square test of homogeneity), over bins
// holding at least 5 expected draws; both p-values above 1e-4 (the seeds
// are fixed: the verdict is too). The mean and the variance are within
// |z| < 4 of n·p and n·p·(1−p).
func TestBinomialLaw(t *testing.T) {
	const draws = 200000
	for i, c := range []struct {
		n int64
		p float64
	}{
		{1, 0.3}, {10, 0.5}, {24, 0.2}, {60, 0.15}, {40, 0.9},
		{100, 0.1}, {101, 0.0995}, {99, 0.102},
		{6000, 0.001}, {6000, 0.05}, {6000, 0.5}, {6000, 0.97},
		{1000000, 0.3}, {1000000000, 1e-9}, {1000000000, 2.5e-8},
	} {
		t.Run(fmt.Sprintf("n=%d,p=%g", c.n, c.p), func(t *testing.T) {
			upper, want := binomialBins(c.n, c.p, draws)
			ours, theirs := make([]float64, len(upper)), make([]float64, len(upper))
			g := NewStream(uint64(i)+1, "binomial-law")
			gonum := distuv.Binomial{N: float64(c.n), P: c.p, Src: NewStream(uint64(i)+1, "binomial-law-gonum")}
			var sum, sum2 float64
			for range draws {
				k := binomial(c.n, c.p, g)
				if k < 0 || k > c.n {
					t.Fatalf("draw %d outside [0, %d]", k, c.n)
				}
				ours[binOf(upper, k)]++
				theirs[binOf(upper, int64(gonum.Rand()))]++
				x := float64(k)
				sum += x
				sum2 += x * x
			}
			var gof, hom float64
			for j := range want {
				gof += (ours[j] - want[j]) * (ours[j] - want[j]) / want[j]
				if s := ours[j] + theirs[j]; s > 0 {
					hom += (ours[j] - theirs[j]) * (ours[j] - theirs[j]) / s
				}
			}
			dof := float64(len(want) - 1)
			pGof, pHom := 1.0, 1.0
			if dof > 0 {
				pGof = distuv.ChiSquared{K: dof}.Survival(gof)
				pHom = distuv.ChiSquared{K: dof}.Survival(hom)
			}
			np, npq := float64(c.n)*c.p, float64(c.n)*c.p*(1-c.p)
			mean := sum / draws
			variance := (sum2 - sum*mean) / (draws - 1)
			zMean := (mean - np) / math.Sqrt(npq/draws)
			// Var(S²) ≈ (μ4 − σ⁴)/N with the binomial's μ4 = npq(1 + 3(n−2)pq).
			mu4 := npq * (1 + 3*float64(c.n-2)*c.p*(1-c.p))
			zVar := (variance - npq) / math.Sqrt(max(mu4-npq*npq, 1e-300)/draws)
			t.Logf("%d bins: exact χ² = %.1f (p = %.3g), vs gonum χ² = %.1f (p = %.3g); mean %.4f (z = %.2f), variance %.4f (z = %.2f)",
				len(want), gof, pGof, hom, pHom, mean, zMean, variance, zVar)
			if pGof < 1e-4 || pHom < 1e-4 || math.Abs(zMean) >= 4 || math.Abs(zVar) >= 4 {
				t.Errorf("not Binomial(%d, %g): p-values %.3g (exact), %.3g (gonum); z mean %.2f, variance %.2f", c.n, c.p, pGof, pHom, zMean, zVar)
			}
		})
	}
}

// The degenerate cases take no draw.
func TestBinomialDegenerate(t *testing.T) {
	g := NewStream(1, "binomial-degenerate")
	before := *g
	for _, c := range []struct {
		n    int64
		p    float64
		want int64
	}{{0, 0.5, 0}, {-3, 0.5, 0}, {10, 0, 0}, {10, -1, 0}, {10, math.NaN(), 0}, {10, 1, 10}, {10, 1.5, 10}} {
		if got := binomial(c.n, c.p, g); got != c.want {
			t.Errorf("binomial(%d, %v) = %d, want %d", c.n, c.p, got, c.want)
		}
	}
	if *g != before {
		t.Errorf("a degenerate case drew from the source")
	}
}

func BenchmarkBinomial(b *testing.B) {
	for _, c := range []struct {
		n int64
		p float64
	}{{6000, 1e-16}, {6000, 0.001}, {6000, 0.05}, {600, 0.1}} {
		b.Run(fmt.Sprintf("n=%d,p=%g", c.n, c.p), func(b *testing.B) {
			g := NewStream(1, "bench")
			b.Run("sim", func(b *testing.B) {
				for b.Loop() {
					binomial(c.n, c.p, g)
				}
			})
			b.Run("gonum", func(b *testing.B) {
				d := distuv.Binomial{N: float64(c.n), P: c.p, Src: g}
				for b.Loop() {
					d.Rand()
				}
			})
		})
	}
}
