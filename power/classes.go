package power

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mathext"
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
	a *sim.Alarm
	// sumErrors marks an alarm on Sum(Errors) alone, whose class law has
	// a closed form (sumErrorsProbs).
	sumErrors bool
	// rate marks an alarm on 100 * errors / invocations (RateExpression)
	// firing above its threshold: given the requests, its class changes
	// once, at a failure count found directly (rateGivenN).
	rate    bool
	scratch []float64
	byN     map[uint64]*nLaw           // by math.Float64bits(p): P(class | N, p)
	byMean  map[mKey][nClasses]float64 // P(class | μ, p)
	pmf     []float64                  // poissonPMF's buffer
	// steps holds, by n, the class of every failure count (the general
	// case); asks counts the laws asked of an n not yet in steps.
	steps    map[int64]*steps
	asks     map[int64]int
	scanOnly bool // never table (tests: the scan is the table's slow twin)
	// breachAt[n] is a rate alarm's first breaching failure count plus
	// one, given n requests (0: not yet known).
	breachAt []int64
	// lastAt[e] is a rate alarm's lastBreach(e) plus one (0: not yet
	// known); pmfS and cdfS are rateProbs's buffers.
	lastAt     []int64
	pmfS, cdfS []float64
	// seen marks the failure probabilities asked once: a second ask
	// keeps their per-n laws (byN); a ramping fault asks most only once.
	seen map[uint64]bool
}

// steps is the class of a period's datapoint given n requests as a
// function of its failures e in [0, n]: first at e = 0, changing to to[i]
// at e = at[i] (ascending). Evaluating every e once serves the laws of
// that n for every failure probability: worth it once an n has been asked
// for more laws than its n+1 datapoints cost against a scan's ~40 (see
// givenN), as a tuned or ramping scenario asks.
type steps struct {
	first uint8
	at    []int64
	to    []uint8
}

// classAt is the class at e failures.
func (s *steps) classAt(e int64) uint8 {
	i := sort.Search(len(s.at), func(i int) bool { return s.at[i] > e })
	if i == 0 {
		return s.first
	}
	return s.to[i-1]
}

// Bounds on a steps table: the datapoints a scan of one law evaluates
// (about 2·(tail·sd + 10)/stride), against which a table's n+1 are
// weighed; and the largest n tabled.
const (
	scanCost = 40
	maxSteps = 1 << 16
)

// stepsOf returns n's table, building it when it has become the cheaper
// way to answer n's laws; nil: scan.
func (c *classifier) stepsOf(n int64) *steps {
	if st := c.steps[n]; st != nil || c.scanOnly {
		return st
	}
	if n >= maxSteps {
		return nil
	}
	c.asks[n]++
	if int64(c.asks[n])*scanCost < n+1 {
		return nil
	}
	delete(c.asks, n)
	return c.tabulate(n)
}

// tabulate builds and keeps n's table.
func (c *classifier) tabulate(n int64) *steps {
	st := &steps{first: c.class(n, 0)}
	cl := st.first
	for e := int64(1); e <= n; e++ {
		if x := c.class(n, e); x != cl {
			st.at, st.to = append(st.at, e), append(st.to, x)
			cl = x
		}
	}
	c.steps[n] = st
	return st
}

// nLaw is P(class | N = n, p) for one p, indexed by n − base: a period's
// laws for many means share most of their n, so each is computed once.
type nLaw struct {
	base  int64
	q     [][nClasses]float64
	known []bool
}

// cover extends l to cover n in [lo, hi).
func (l *nLaw) cover(lo, hi int64) {
	if len(l.q) == 0 {
		l.base = lo
	}
	if lo < l.base {
		d := int(l.base - lo)
		l.q = append(make([][nClasses]float64, d, d+len(l.q)), l.q...)
		l.known = append(make([]bool, d, d+len(l.known)), l.known...)
		l.base = lo
	}
	if top := int(hi - l.base); top > len(l.q) {
		l.q = append(l.q, make([][nClasses]float64, top-len(l.q))...)
		l.known = append(l.known, make([]bool, top-len(l.known))...)
	}
}

type mKey struct{ mu, p uint64 }

func newClassifier(a *sim.Alarm) *classifier {
	return &classifier{a: a, scratch: make([]float64, a.ScratchLen()),
		byN: map[uint64]*nLaw{}, byMean: map[mKey][nClasses]float64{}, steps: map[int64]*steps{}, asks: map[int64]int{}, seen: map[uint64]bool{},
		sumErrors: a.Math == nil && len(a.Queries) == 1 && a.Queries[0].Metric == sim.Errors && a.Queries[0].Stat.Kind == alarm.Sum &&
			(a.Rule.Comparison == alarm.GreaterThanThreshold || a.Rule.Comparison == alarm.GreaterThanOrEqualToThreshold),
		rate: isRate(a)}
}

// isRate reports whether a is tune-alarm's rate alarm: Sum(Errors) and
// Sum(Invocations) of the same versions combined by RateExpression, firing
// above its threshold.
func isRate(a *sim.Alarm) bool {
	if a.Math == nil || len(a.Queries) != 2 || a.Queries[0].Metric != sim.Errors || a.Queries[1].Metric != sim.Invocations ||
		a.Queries[0].Stat.Kind != alarm.Sum || a.Queries[1].Stat.Kind != alarm.Sum || a.Queries[0].Versions != a.Queries[1].Versions ||
		a.Rule.Comparison != alarm.GreaterThanThreshold && a.Rule.Comparison != alarm.GreaterThanOrEqualToThreshold {
		return false
	}
	ref, err := alarm.CompileMetrics([]alarm.Query{{ID: "errors"}, {ID: "invocations"}, {ID: "rate", Expression: RateExpression, ReturnData: true}})
	return err == nil && a.Math.String() == ref.String() && a.Math.Input(0) == ref.Input(0) && a.Math.Input(1) == ref.Input(1)
}

// rateGivenN is givenN for a rate alarm (n >= 1, 0 < p < 1): the rate
// 100·E/n grows with the failures E, so the datapoint breaches from the
// first E that breaches on: near ⌈threshold·n/100⌉, settled with the
// alarm's own datapoint function, and P(E >= e) is the regularized
// incomplete beta function I_p(e, n−e+1).
func (c *classifier) rateGivenN(n int64, p float64) [nClasses]float64 {
	e := c.firstBreach(n)
	var q [nClasses]float64
	switch {
	case e > n:
		q[classOK] = 1
	case e == 0:
		q[classBreach] = 1
	default:
		b := mathext.RegIncBeta(float64(e), float64(n-e+1), p)
		q[classBreach], q[classOK] = b, 1-b
	}
	return q
}

// rateProbs is probs for a rate alarm (mu > 0, 0 < p < 1), summed over
// the failures rather than the requests: a period's failures E ~
// Poisson(mu·p) and successes S ~ Poisson(mu·(1−p)) are independent
// (a thinned Poisson process), and with E failures the rate 100·E/(E+S)
// falls as S grows, so the datapoint breaches exactly for 1 <= E+S <=
// lastBreach(E). Hence P(breach) = Σ_E P(E)·P(S <= lastBreach(E) − E)
// (less P(S = 0) at E = 0, a period without requests being missing),
// with S's CDF a running sum of its probabilities: no special function
// per request count, as the sum over N needs (rateGivenN, its slow twin,
// TestRateClassLaw). The datapoint is missing with probability e^−mu.
func (c *classifier) rateProbs(mu, p float64) [nClasses]float64 {
	var q [nClasses]float64
	q[classMissing] = math.Exp(-mu)
	present := -math.Expm1(-mu)
	eLo, pe := poissonPMF(mu*p, c.pmf)
	c.pmf = pe
	sLo, ps := poissonPMF(mu*(1-p), c.pmfS)
	c.pmfS = ps
	// Each law is normalised over its range (which leaves out less than
	// 1e-18): the mode's probability, e^(k·ln λ − λ − ln k!), carries a
	// relative error of about |k·ln λ|·1e-16 (6e-12 at λ = 6000), which
	// the sum then carries whole.
	normalise(pe)
	normalise(ps)
	// cdf[i] = P(S <= sLo + i), summed from the lower tail.
	c.cdfS = slices.Grow(c.cdfS[:0], len(ps))[:len(ps)]
	acc := 0.0
	for i, x := range ps {
		acc += x
		c.cdfS[i] = acc
	}
	cdf := func(k int64) float64 {
		switch {
		case k < sLo:
			return 0
		case k-sLo >= int64(len(ps)):
			return acc
		}
		return c.cdfS[k-sLo]
	}
	breach := 0.0
	for i, w := range pe {
		e := eLo + int64(i)
		last := c.lastBreach(e)
		if last < max(e, 1) {
			continue
		}
		f := cdf(last - e)
		if e == 0 {
			f -= math.Exp(-mu * (1 - p)) // S = 0: no request, missing
		}
		breach += w * max(f, 0)
	}
	q[classBreach] = min(breach, present)
	q[classOK] = max(present-q[classBreach], 0)
	return q
}

// normalise scales xs to sum to 1.
func normalise(xs []float64) {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	for i := range xs {
		xs[i] /= t
	}
}

// lastBreach is, for a rate alarm and e failures, the most requests n >=
// max(e, 1) whose datapoint breaches (math.MaxInt64: every n; below
// max(e, 1): none). The rate 100·e/n falls as n grows — the division
// rounds monotonically — so the breaching n run from max(e, 1) up to it.
// Kept by e below maxSteps: it does not depend on the failure probability.
func (c *classifier) lastBreach(e int64) int64 {
	if e < int64(len(c.lastAt)) && c.lastAt[e] != 0 {
		return c.lastAt[e] - 1
	}
	first := max(e, 1)
	var n int64
	switch {
	case c.class(first, e) != classBreach:
		n = first - 1
	case c.class(math.MaxInt64/2, e) == classBreach:
		n = math.MaxInt64 - 1
	default:
		// From the threshold's guess, walk to the last breaching n.
		n = first
		if t := c.a.Rule.Threshold; t > 0 {
			n = max(first, int64(min(100*float64(e)/t, math.MaxInt64/4)))
		}
		for n > first && c.class(n, e) != classBreach {
			n--
		}
		for c.class(n+1, e) == classBreach {
			n++
		}
	}
	if e < maxSteps {
		if e >= int64(len(c.lastAt)) {
			c.lastAt = append(c.lastAt, make([]int64, e+1-int64(len(c.lastAt)))...)
		}
		c.lastAt[e] = n + 1
	}
	return n
}

// firstBreach is the smallest failure count whose rate breaches, given n
// requests (n+1: none), kept by n below maxSteps: it does not depend on
// the failure probability.
func (c *classifier) firstBreach(n int64) int64 {
	if n < int64(len(c.breachAt)) && c.breachAt[n] > 0 {
		return c.breachAt[n] - 1
	}
	e := int64(math.Ceil(c.a.Rule.Threshold * float64(n) / 100))
	e = min(max(e, 0), n+1)
	for e > 0 && c.class(n, e-1) == classBreach {
		e--
	}
	for e <= n && c.class(n, e) != classBreach {
		e++
	}
	if n < maxSteps {
		if n >= int64(len(c.breachAt)) {
			c.breachAt = append(c.breachAt, make([]int64, n+1-int64(len(c.breachAt)))...)
		}
		c.breachAt[n] = e + 1
	}
	return e
}

// sumErrorsProbs is probs for an alarm on Sum(Errors): the failures of a
// period are Poisson(mu·p) (a thinned Poisson count), the datapoint is
// missing exactly when no request came (probability e^−mu), and it breaches
// when the failures reach the smallest whole number k that breaches; for
// k >= 1 that implies a request came, so P(breach) = P(Poisson(mu·p) >= k),
// the regularized lower incomplete gamma function P(k, mu·p). It equals
// the general sum over the requests (tested), at a fraction of its cost —
// what tune-alarm's many evaluations need (docs/tune-alarm.md).
func sumErrorsProbs(mu, p float64, r alarm.Rule) [nClasses]float64 {
	var q [nClasses]float64
	q[classMissing] = math.Exp(-mu)
	present := -math.Expm1(-mu)
	k := math.Max(0, math.Ceil(r.Threshold)-1)
	for !r.Comparison.Breaches(k, r.Threshold) && k <= math.Ceil(r.Threshold)+1 {
		k++
	}
	switch {
	case !r.Comparison.Breaches(k, r.Threshold):
		q[classOK] = present // no whole number breaches
	case k == 0:
		q[classBreach] = present
	case !(p > 0) || !(mu > 0):
		q[classOK] = present
	default:
		b := mathext.GammaIncReg(k, mu*min(p, 1))
		q[classBreach] = b
		q[classOK] = max(present-b, 0)
	}
	return q
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
	if c.sumErrors {
		q := sumErrorsProbs(mu, p, c.a.Rule)
		c.byMean[k] = q
		return q
	}
	if c.rate && p > 0 && p < 1 && mu > 0 && !c.scanOnly {
		q := c.rateProbs(mu, p)
		c.byMean[k] = q
		return q
	}
	var q [nClasses]float64
	lo, pmf := poissonPMF(mu, c.pmf)
	c.pmf = pmf
	pk := math.Float64bits(p)
	law := c.byN[pk]
	if law == nil {
		if !c.seen[pk] {
			// The first ask of p: its laws are not kept.
			c.seen[pk] = true
			for i, w := range pmf {
				qn := c.givenN(lo+int64(i), p)
				for j := range q {
					q[j] += w * qn[j]
				}
			}
			c.byMean[k] = q
			return q
		}
		law = &nLaw{}
		c.byN[pk] = law
	}
	law.cover(lo, lo+int64(len(pmf)))
	for i, w := range pmf {
		n := lo + int64(i)
		at := n - law.base
		if !law.known[at] {
			law.q[at], law.known[at] = c.givenN(n, p), true
		}
		qn := &law.q[at]
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
// (docs/power.md). Where n's laws are asked for many p, the class of every
// E is tabled once (stepsOf) and the same runs are read from the table:
// the same numbers, exact for any datapoint.
func (c *classifier) givenN(n int64, p float64) [nClasses]float64 {
	var q [nClasses]float64
	switch {
	case n == 0 || !(p > 0):
		q[c.class(n, 0)] = 1
	case p >= 1:
		q[c.class(n, n)] = 1
	case c.rate:
		q = c.rateGivenN(n, p)
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
		if st := c.stepsOf(n); st != nil {
			// The runs within [lo, hi], the first taking the lower tail
			// and the last the upper, as the scan below finds them.
			start, cl := int64(-1), st.classAt(lo)
			for i, b := range st.at {
				if b <= lo {
					continue
				}
				if b > hi {
					break
				}
				q[cl] += cdf(b-1) - cdf(start)
				start, cl = b-1, st.to[i]
			}
			q[cl] += 1 - cdf(start)
			return q
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
	return q
}

// poissonPMF returns the Poisson(mu) probabilities of lo, lo+1, ... over
// the range that holds all but a negligible mass, computed outward from the
// mode so that nothing underflows; it reuses buf's storage.
func poissonPMF(mu float64, buf []float64) (lo int64, pmf []float64) {
	if !(mu > 0) {
		return 0, append(buf[:0], 1)
	}
	sd := math.Sqrt(mu)
	lo = max(0, int64(math.Floor(mu-tail*sd-10)))
	hi := int64(math.Ceil(mu + tail*sd + 10))
	mode := int64(math.Floor(mu))
	pmf = slices.Grow(buf[:0], int(hi-lo+1))[:hi-lo+1]
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
