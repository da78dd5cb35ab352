package sim

import (
	"math"
	"math/rand/v2"
)

// binomial draws from Binomial(n, p); the degenerate cases take no draw.
// It replaces gonum's distuv.Binomial.Rand, whose rejection from a Cauchy
// proposal computes a tangent, three ln Γ and an exponential per trial
// (a third of a batched run's time), with the two algorithms numpy and
// TensorFlow use for the same law:
//
//   - n·min(p, 1−p) < 10: inversion, BINV (V. Kachitvichyanukul and
//     B. W. Schmeiser, "Binomial random variate generation", Comm. ACM 31
//     (1988) 216–222): one uniform, walked down the probabilities
//     f(0) = (1−p)^n, f(x) = f(x−1)·((n+1)p/(x(1−p)) − p/(1−p)), about
//     n·p + 1 steps.
//   - from 10: transformed rejection with squeeze, BTRS (W. Hörmann, "The
//     generation of binomial random variates", J. Statist. Comput.
//     Simulation 46 (1993) 101–110): two uniforms, accepted without a
//     logarithm about 4 times in 5, otherwise by the exact ratio
//     f(k)/f(m) at the mode m through ln Γ.
//
// Both are exact (up to floating point); p > 1/2 draws n − Binomial(n, 1−p).
// The values differ from gonum's, the law does not: TestBinomialLaw holds
// the sampler to the exact probabilities and to gonum's draws by
// chi-square across n and p (docs/engine.md).
func binomial(n int64, p float64, g *rand.PCG) int64 {
	switch {
	case n <= 0 || !(p > 0):
		return 0
	case p >= 1:
		return n
	}
	q := min(p, 1-p)
	var k int64
	if float64(n)*q < 10 {
		k = binv(n, q, g)
	} else {
		k = btrs(n, q, g)
	}
	if q != p {
		return n - k
	}
	return k
}

// binv is inversion for n·p < 10, p <= 1/2. The walk stops at a bound
// ten standard deviations past the mean (numpy's), where the mass left is
// below 1e-20: a uniform that rounding leaves above every probability is
// redrawn.
func binv(n int64, p float64, g *rand.PCG) int64 {
	q := 1 - p
	s := p / q
	a := float64(n+1) * s
	f0 := math.Exp(float64(n) * math.Log1p(-p))
	bound := min(float64(n), float64(n)*p+10*math.Sqrt(float64(n)*p*q+1))
	for {
		u := unit(g)
		f := f0
		x := 0.0
		for u > f {
			u -= f
			x++
			if x > bound {
				break
			}
			f *= a/x - s
		}
		if x <= bound {
			return int64(x)
		}
	}
}

// btrs is Hörmann's BTRS for n·p >= 10, p <= 1/2.
func btrs(n int64, p float64, g *rand.PCG) int64 {
	nf := float64(n)
	q := 1 - p
	spq := math.Sqrt(nf * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := nf*p + 0.5
	vr := 0.92 - 4.2/b
	var alpha, lpq, m, h float64 // for the exact test, computed on its first use
	for {
		u := unit(g) - 0.5
		v := unit(g)
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > nf {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		if alpha == 0 {
			alpha = (2.83 + 5.1/b) * spq
			lpq = math.Log(p / q)
			m = math.Floor((nf + 1) * p)
			h = lnFactorial(m) + lnFactorial(nf-m)
		}
		// ln f(k)/f(m) = ln(m!(n−m)!/(k!(n−k)!)) + (k−m)·ln(p/q)
		if math.Log(v*alpha/(a/(us*us)+b)) <= h-lnFactorial(k)-lnFactorial(nf-k)+(k-m)*lpq {
			return int64(k)
		}
	}
}

// lnFactorial is ln Γ(x+1) for a whole x >= 0, from the table below
// lgammaTableSize.
func lnFactorial(x float64) float64 {
	if x < lgammaTableSize {
		return lgammaTable[int(x)]
	}
	v, _ := math.Lgamma(x + 1)
	return v
}
