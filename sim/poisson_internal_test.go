package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// The batched engine's Poisson sampler is gonum's, value for value: from
// twin sources it returns exactly what distuv.Poisson.Rand returns, on both
// of gonum's algorithms (below and above 10), at their boundary, and when
// λ changes from draw to draw (time-varying traffic) or stays put
// (constant traffic, cached constants), and its table of ln Γ(k+1) holds
// math.Lgamma's own values. Being the same draws, it has gonum's law.
func TestPoissonSamplerIsGonums(t *testing.T) {
	for k := range lgammaTableSize {
		if want, _ := math.Lgamma(float64(k) + 1); lgammaTable[k] != want {
			t.Fatalf("lgammaTable[%d] = %v, want %v", k, lgammaTable[k], want)
		}
	}
	means := []float64{0, -1, math.NaN(), 1e-9, 0.3, 1, 9.999999, 10, 10.000001, 17.5, 100, 999.5, 1023.5, 1024, 5000, 1e6}
	for i, lambda := range means {
		gsrc := rand.NewPCG(uint64(i), 7)
		p := newPoissonSampler(rand.NewPCG(uint64(i), 7))
		for n := range 20000 {
			want := int64(0)
			if lambda > 0 {
				want = int64(distuv.Poisson{Lambda: lambda, Src: gsrc}.Rand())
			}
			if got := p.draw(lambda); got != want {
				t.Fatalf("λ=%v draw %d: %d, gonum %d", lambda, n, got, want)
			}
		}
	}
	// λ varying from draw to draw, across both algorithms.
	gsrc, rng := rand.NewPCG(3, 4), rand.New(rand.NewPCG(5, 6))
	p := newPoissonSampler(rand.NewPCG(3, 4))
	for n := range 200000 {
		lambda := math.Exp(rng.Float64() * 9) // 1 .. 8100
		want := int64(distuv.Poisson{Lambda: lambda, Src: gsrc}.Rand())
		if got := p.draw(lambda); got != want {
			t.Fatalf("draw %d, λ=%v: %d, gonum %d", n, lambda, got, want)
		}
	}
}

// The sampler against Poisson's own PMF (a chi-square goodness-of-fit test
// over cells of expected count >= 5), for means on both algorithms: a
// check on the law itself, not only on agreeing with gonum.
func TestPoissonSamplerChiSquare(t *testing.T) {
	const n = 200000
	for i, lambda := range []float64{0.7, 4, 10, 37, 100, 2500} {
		p := newPoissonSampler(rand.NewPCG(uint64(i)+100, 1))
		counts := map[int64]int{}
		for range n {
			counts[p.draw(lambda)]++
		}
		pmf := distuv.Poisson{Lambda: lambda}
		// Pool the tails into cells with expected count >= 5.
		lo := int64(math.Max(0, lambda-12*math.Sqrt(lambda)-5))
		hi := int64(lambda + 12*math.Sqrt(lambda) + 10)
		chi, df := 0.0, -1
		var obs, exp float64
		for k := lo; k <= hi; k++ {
			pk := pmf.Prob(float64(k))
			if k == lo {
				pk = pmf.CDF(float64(k))
			}
			if k == hi {
				pk = pmf.Survival(float64(k) - 1)
			}
			for kk, c := range counts {
				if (k == lo && kk < lo) || (k == hi && kk > hi) {
					obs += float64(c)
				}
			}
			obs += float64(counts[k])
			exp += n * pk
			if exp >= 5 || k == hi {
				chi += (obs - exp) * (obs - exp) / exp
				df++
				obs, exp = 0, 0
			}
		}
		crit := distuv.ChiSquared{K: float64(df)}.Quantile(0.999)
		t.Logf("λ=%v: chi-square %.1f on %d df (0.999 critical %.1f)", lambda, chi, df, crit)
		if chi > crit {
			t.Errorf("λ=%v: chi-square %.1f > %.1f (%d df)", lambda, chi, crit, df)
		}
	}
}

// logLE decides as math.Log(x) <= y does, on random pairs, on pairs at the
// logarithm itself and one ulp either side, and on the special values.
func TestLogLE(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	check := func(x, y float64) {
		if got, want := logLE(x, y), math.Log(x) <= y; got != want {
			t.Fatalf("logLE(%v, %v) = %v, math.Log gives %v", x, y, got, want)
		}
	}
	for range 1000000 {
		x := math.Exp((rng.Float64() - 0.5) * 1400)
		l := math.Log(x)
		check(x, l)
		check(x, math.Nextafter(l, math.Inf(1)))
		check(x, math.Nextafter(l, math.Inf(-1)))
		check(x, l+(rng.Float64()-0.5)*0.01)
		check(x, l+(rng.Float64()-0.5)*10)
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 5e-324, 1e-310, math.SmallestNonzeroFloat64, 1, 2, math.Sqrt2, math.MaxFloat64, math.Inf(1), math.NaN(), -1} {
		for _, y := range []float64{math.Inf(-1), -800, -1, 0, 1, 800, math.Inf(1), math.NaN()} {
			check(x, y)
		}
	}
}

func BenchmarkPoissonSampler(b *testing.B) {
	for _, lambda := range []float64{5, 100, 2000} {
		b.Run(fmt.Sprintf("gonum/λ=%v", lambda), func(b *testing.B) {
			src := rand.NewPCG(1, 2)
			var s int64
			for b.Loop() {
				s += int64(distuv.Poisson{Lambda: lambda, Src: src}.Rand())
			}
			sinkInt = s
		})
		b.Run(fmt.Sprintf("sampler/λ=%v", lambda), func(b *testing.B) {
			p := newPoissonSampler(rand.NewPCG(1, 2))
			var s int64
			for b.Loop() {
				s += p.draw(lambda)
			}
			sinkInt = s
		})
	}
}

var sinkInt int64
