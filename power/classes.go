package power

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/sim"
)

// A datapoint's class: what the alarm rule needs to know of it.
const (
	classMissing uint8 = iota
	classOK            // present, not breaching
	classBreach        // present, breaching
	nClasses
)

// tail is how many standard deviations (plus a margin for skewed laws) the
// Poisson and binomial sums run each side of the mean: the mass left out is
// below 1e-18.
const tail = 9.5

// classifier gives the law of one period's datapoint class for an alarm on
// count metrics: in a period the versions the alarm reads serve N ~
// Poisson(μ) requests, of which E ~ Binomial(N, p) fail, and the datapoint
// is a function of (N, E) — sim.Alarm.CountDatapoint, the engine's own.
type classifier struct {
	a       *sim.Alarm
	scratch []float64
	byN     map[nKey][nClasses]float64 // P(class | N, p)
	byMean  map[mKey][nClasses]float64 // P(class | μ, p)
}

type nKey struct {
	p uint64 // math.Float64bits(p)
	n int64
}

type mKey struct{ mu, p uint64 }

func newClassifier(a *sim.Alarm) *classifier {
	return &classifier{a: a, scratch: make([]float64, a.ScratchLen()),
		byN: map[nKey][nClasses]float64{}, byMean: map[mKey][nClasses]float64{}}
}

// class is the class of the datapoint of a period with n requests, e of
// them failed.
func (c *classifier) class(n, e int64) uint8 {
	v, _ := c.a.CountDatapoint(n, e, c.scratch)
	switch {
	case math.IsNaN(v):
		return classMissing
	case c.a.Rule.Comparison.Breaches(v, c.a.Rule.Threshold):
		return classBreach
	}
	return classOK
}

// probs is the law of the class of a period whose expected requests are mu,
// a fraction p of which fail.
func (c *classifier) probs(mu, p float64) [nClasses]float64 {
	k := mKey{math.Float64bits(mu), math.Float64bits(p)}
	if q, ok := c.byMean[k]; ok {
		return q
	}
	var q [nClasses]float64
	lo, pmf := poissonPMF(mu)
	for i, w := range pmf {
		qn := c.givenN(lo+int64(i), p)
		for j := range q {
			q[j] += w * qn[j]
		}
	}
	c.byMean[k] = q
	return q
}

// givenN is the law of the class given n requests, each failing with p.
//
// The class is a step function of the failures E: it is found at points
// half a standard deviation apart, each change between two of them
// is located exactly by bisection, and every run of one class gets its
// binomial mass from the CDF. This is exact for a datapoint that crosses
// its threshold at most once between two such points — every count alarm's
// does, its datapoint being monotone in the failures for a given number of
// requests — and otherwise misses a class run narrower than the step
// (docs/power.md).
func (c *classifier) givenN(n int64, p float64) [nClasses]float64 {
	k := nKey{math.Float64bits(p), n}
	if q, ok := c.byN[k]; ok {
		return q
	}
	var q [nClasses]float64
	switch {
	case n == 0 || !(p > 0):
		q[c.class(n, 0)] = 1
	case p >= 1:
		q[c.class(n, n)] = 1
	default:
		mean := float64(n) * p
		sd := math.Sqrt(mean * (1 - p))
		lo := max(0, int64(math.Floor(mean-tail*sd-10)))
		hi := min(n, int64(math.Ceil(mean+tail*sd+10)))
		stride := max(1, int64(sd/2))
		bin := distuv.Binomial{N: float64(n), P: p}
		cdf := func(x int64) float64 {
			if x < 0 {
				return 0
			}
			if x >= n {
				return 1
			}
			return bin.CDF(float64(x))
		}
		// Runs of one class: [start, E] has class cl; the first run
		// takes the lower tail, the last the upper.
		start, cl := int64(-1), c.class(n, lo)
		for e := lo; ; {
			next := min(e+stride, hi)
			if next == e {
				break
			}
			cn := c.class(n, next)
			if cn != cl {
				// Bisect for the last point of class cl in [e, next).
				a, b := e, next
				for b-a > 1 {
					mid := a + (b-a)/2
					if c.class(n, mid) == cl {
						a = mid
					} else {
						b = mid
					}
				}
				q[cl] += cdf(a) - cdf(start)
				start, cl = a, c.class(n, b)
				// Between b and next the class may change again.
				if cl != cn {
					e = b
					continue
				}
			}
			e = next
		}
		q[cl] += 1 - cdf(start)
	}
	c.byN[k] = q
	return q
}

// poissonPMF returns the Poisson(mu) probabilities of lo, lo+1, ... over
// the range that holds all but a negligible mass, computed outward from the
// mode so that nothing underflows.
func poissonPMF(mu float64) (lo int64, pmf []float64) {
	if !(mu > 0) {
		return 0, []float64{1}
	}
	sd := math.Sqrt(mu)
	lo = max(0, int64(math.Floor(mu-tail*sd-10)))
	hi := int64(math.Ceil(mu + tail*sd + 10))
	mode := int64(math.Floor(mu))
	pmf = make([]float64, hi-lo+1)
	lg, _ := math.Lgamma(float64(mode) + 1)
	pmf[mode-lo] = math.Exp(float64(mode)*math.Log(mu) - mu - lg)
	for n := mode + 1; n <= hi; n++ {
		pmf[n-lo] = pmf[n-1-lo] * mu / float64(n)
	}
	for n := mode - 1; n >= lo; n-- {
		pmf[n-lo] = pmf[n+1-lo] * float64(n+1) / mu
	}
	return lo, pmf
}

// binomialPMF returns the Binomial(n, p) probabilities of lo, lo+1, ...
// over the range that holds all but a negligible mass.
func binomialPMF(n int64, p float64) (lo int64, pmf []float64) {
	switch {
	case n == 0 || !(p > 0):
		return 0, []float64{1}
	case p >= 1:
		return n, []float64{1}
	}
	mean := float64(n) * p
	sd := math.Sqrt(mean * (1 - p))
	lo = max(0, int64(math.Floor(mean-tail*sd-10)))
	hi := min(n, int64(math.Ceil(mean+tail*sd+10)))
	mode := min(max(int64(math.Floor(float64(n+1)*p)), lo), hi)
	pmf = make([]float64, hi-lo+1)
	a, _ := math.Lgamma(float64(n) + 1)
	b, _ := math.Lgamma(float64(mode) + 1)
	d, _ := math.Lgamma(float64(n-mode) + 1)
	pmf[mode-lo] = math.Exp(a - b - d + float64(mode)*math.Log(p) + float64(n-mode)*math.Log1p(-p))
	odds := p / (1 - p)
	for k := mode + 1; k <= hi; k++ {
		pmf[k-lo] = pmf[k-1-lo] * float64(n-k+1) / float64(k) * odds
	}
	for k := mode - 1; k >= lo; k-- {
		pmf[k-lo] = pmf[k+1-lo] * float64(k+1) / float64(n-k) / odds
	}
	return lo, pmf
}

// representatives returns a datapoint value that breaches rule r and one
// that does not, so that rule sequences of classes can be handed to the
// alarm package's own evaluator.
func representatives(r alarm.Rule) (breach, ok float64) {
	t := r.Threshold
	up, down := math.Nextafter(t, math.Inf(1)), math.Nextafter(t, math.Inf(-1))
	for _, v := range [...]float64{t, up, down} {
		if r.Comparison.Breaches(v, t) {
			breach = v
		} else {
			ok = v
		}
	}
	return breach, ok
}
