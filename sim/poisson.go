package sim

import (
	"math"
	"math/rand/v2"
)

// poissonSampler draws from Poisson(λ) exactly as gonum's
// distuv.Poisson{Lambda: λ, Src: src}.Rand does — the same algorithms
// (a product of exponentials below 10; Hörmann's transformed rejection,
// PTRS, from 10: W. Hörmann, "The transformed rejection method for
// generating Poisson random variables", Insurance: Mathematics and
// Economics 12 (1993) 39–45), the same arithmetic and the same draws from
// the source in the same order — so every value is gonum's, bit for bit
// (TestPoissonSamplerIsGonums). What it saves is gonum's setup on every
// call: a rand.Rand built around the source (an allocation), PTRS's
// constants and ln λ (cached while λ stays put, as it does cell after cell
// for constant traffic), and ln Γ(k+1) for counts below lgammaTableSize
// (a table of math.Lgamma's own values).
type poissonSampler struct {
	src *rand.PCG  // PTRS's uniforms, drawn as rand.Rand.Float64 would (unit)
	rng *rand.Rand // the same generator, for the exponentials below 10

	lambda                   float64 // the λ the constants below are for; 0: none yet
	b, a, invalpha, vr, lnLa float64

	// bound[k−kBase] is exp(Y_k), Y_k = k·ln λ − λ − ln Γ(k+1) being
	// PTRS's acceptance bound for count k, valid when gen[k−kBase] ==
	// lambdaGen (a new λ invalidates the whole table in one increment); see
	// accept.
	kBase     int
	bound     [boundTableSize]float64
	gen       [boundTableSize]uint32
	lambdaGen uint32
}

// boundTableSize is how many counts, centred on λ, have their acceptance
// bound cached: ±128, over ±5 standard deviations for λ up to 650.
const boundTableSize = 256

func newPoissonSampler(src *rand.PCG) *poissonSampler {
	return &poissonSampler{src: src, rng: rand.New(src)}
}

// lgammaTableSize bounds the counts whose ln Γ(k+1) is tabulated.
const lgammaTableSize = 1024

// lgammaTable[k] is math.Lgamma(k+1): the same values PTRS would compute.
var lgammaTable = func() (t [lgammaTableSize]float64) {
	for k := range t {
		t[k], _ = math.Lgamma(float64(k) + 1)
	}
	return t
}()

// draw returns a Poisson(lambda) variate; 0 without a draw when lambda is
// not positive.
func (p *poissonSampler) draw(lambda float64) int64 {
	if !(lambda > 0) {
		return 0
	}
	if lambda < 10 {
		// gonum's direct method: count exponential gaps before lambda.
		var em float64
		t := 0.0
		for {
			t += p.rng.ExpFloat64()
			if t >= lambda {
				break
			}
			em++
		}
		return int64(em)
	}
	if lambda != p.lambda {
		p.lambda = lambda
		p.b = 0.931 + 2.53*math.Sqrt(lambda)
		p.a = -0.059 + 0.02483*p.b
		p.invalpha = 1.1239 + 1.1328/(p.b-3.4)
		p.vr = 0.9277 - 3.6224/(p.b-2)
		p.lnLa = math.Log(lambda)
		p.lambdaGen++
		p.kBase = max(0, int(lambda)-boundTableSize/2)
	}
	a, b := p.a, p.b
	for {
		U := unit(p.src) - 0.5
		V := unit(p.src)
		us := 0.5 - math.Abs(U)
		k := math.Floor((2*a/us+b)*U + lambda + 0.43)
		if us >= 0.07 && V <= p.vr {
			return int64(k)
		}
		if k <= 0 || (us < 0.013 && V > us) {
			continue
		}
		if p.accept(k, V*p.invalpha/(a/(us*us)+b)) {
			return int64(k)
		}
	}
}

// accept is PTRS's acceptance test for count k and its variate x,
// math.Log(x) <= Y_k, decided as gonum decides it. For k within
// boundTableSize/2 of λ it compares x with exp(Y_k), computed once per λ: Go's
// Exp and Log are within one ulp, so x <= exp(Y_k)·(1 − 1e-9) implies
// math.Log(x) < Y_k and x >= exp(Y_k)·(1 + 1e-9) implies
// math.Log(x) > Y_k (ln x of any float64 is below 745 in size, so an ulp of
// it is below 2e-13, far inside the 1e-9 margin); between the two, or
// when exp(Y_k) under- or overflows, it is logLE's to decide.
func (p *poissonSampler) accept(k, x float64) bool {
	i := int(k) - p.kBase
	if i < 0 || i >= boundTableSize || k >= lgammaTableSize {
		var lg float64
		if k < lgammaTableSize {
			lg = lgammaTable[int(k)]
		} else {
			lg, _ = math.Lgamma(k + 1)
		}
		return logLE(x, k*p.lnLa-p.lambda-lg)
	}
	y := k*p.lnLa - p.lambda - lgammaTable[int(k)]
	if p.gen[i] != p.lambdaGen {
		p.bound[i], p.gen[i] = math.Exp(y), p.lambdaGen
	}
	e := p.bound[i]
	switch {
	case e == 0 || math.IsInf(e, 0):
	case x <= e*(1-1e-9):
		return true
	case x >= e*(1+1e-9):
		return false
	}
	return logLE(x, y)
}

// logLE reports math.Log(x) <= y, as PTRS's acceptance test computes it,
// mostly without the logarithm: ln x = e·ln 2 + ln m for x = m·2^e with m
// in [1/√2, √2), and ln m = 2(s + s³/3) + R with s = (m−1)/(m+1),
// |s| < 0.172 and |R| <= 2|s|⁵/(5(1−s²)) < 0.413|s|⁵ (the series of
// artanh). When y lies farther than |R| plus a margin from that estimate
// the answer is certain whatever math.Log rounds to (it is within one ulp
// of ln x, below 1e-13 for any float64, and the estimate's own rounding is
// of that order; the margin is 1e-9); only inside the band is math.Log
// called. The decision is therefore always math.Log(x) <= y's.
func logLE(x, y float64) bool {
	const margin = 1e-9
	bits := math.Float64bits(x)
	ex := int(bits>>52) & 0x7ff
	if ex == 0 || ex == 0x7ff || bits>>63 != 0 { // zero, subnormal, Inf, NaN or negative
		return math.Log(x) <= y
	}
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // in [1, 2)
	e := ex - 1023
	if m > math.Sqrt2 {
		m /= 2
		e++
	}
	s := (m - 1) / (m + 1)
	s2 := s * s
	est := float64(e)*math.Ln2 + 2*s*(1+s2/3)
	r := 0.413*math.Abs(s)*s2*s2 + margin
	switch {
	case est+r <= y:
		return true
	case est-r > y:
		return false
	}
	return math.Log(x) <= y
}
