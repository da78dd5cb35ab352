package sweep

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of every interval this package reports.
const Confidence = 0.95

// Summary describes one metric over many runs. Values that do not exist in
// a run (a time that never came) are NaN in the input and counted in Nulls;
// every other field is over the runs that have a value. A field that is
// undefined for the sample (the spread of one value, anything of none) is
// NaN.
type Summary struct {
	N     int // runs with a value
	Nulls int // runs without one
	Mean  float64
	// StdDev is the sample standard deviation (n−1 in the denominator).
	StdDev float64
	Min    float64
	P5     float64
	P50    float64
	P95    float64
	Max    float64
	// CILow and CIHigh bound the mean at Confidence, by Student's t:
	// mean ± t(n−1) · StdDev/√n.
	CILow, CIHigh float64
}

// NullFraction is the share of runs without a value.
func (s Summary) NullFraction() float64 {
	if s.N+s.Nulls == 0 {
		return math.NaN()
	}
	return float64(s.Nulls) / float64(s.N+s.Nulls)
}

// Summarize describes xs; NaN entries are nulls. xs is not modified.
func Summarize(xs []float64) Summary {
	vals := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			vals = append(vals, x)
		}
	}
	nan := math.NaN()
	s := Summary{N: len(vals), Nulls: len(xs) - len(vals),
		Mean: nan, StdDev: nan, Min: nan, P5: nan, P50: nan, P95: nan, Max: nan, CILow: nan, CIHigh: nan}
	if s.N == 0 {
		return s
	}
	slices.Sort(vals)
	s.Min, s.Max = vals[0], vals[len(vals)-1]
	s.P5 = Quantile(vals, 0.05)
	s.P50 = Quantile(vals, 0.50)
	s.P95 = Quantile(vals, 0.95)
	s.Mean = stat.Mean(vals, nil)
	if s.N < 2 {
		return s
	}
	s.StdDev = stat.StdDev(vals, nil)
	if s.Min == s.Max { // no spread: the t interval degenerates to the value
		s.StdDev, s.CILow, s.CIHigh = 0, s.Mean, s.Mean
		return s
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.N - 1)}.Quantile(1 - (1-Confidence)/2)
	half := t * s.StdDev / math.Sqrt(float64(s.N))
	s.CILow, s.CIHigh = s.Mean-half, s.Mean+half
	return s
}

// Quantile is the empirical p-quantile of sorted: the smallest value with
// at least a fraction p of the sample at or below it (a value of the sample,
// so a count's quantile is a count).
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	return stat.Quantile(p, stat.Empirical, sorted, nil)
}

// Proportion is an estimated probability: K successes in N runs.
type Proportion struct {
	K, N int
	P    float64 // K/N; NaN when N is 0
	// Low and High bound P at Confidence by Wilson's score interval, which
	// stays inside [0, 1] and is sensible at K = 0 and K = N, where the
	// normal approximation collapses to a point.
	Low, High float64
}

// Wilson returns the proportion k of n with its Wilson score interval.
func Wilson(k, n int) Proportion {
	if n == 0 {
		nan := math.NaN()
		return Proportion{P: nan, Low: nan, High: nan}
	}
	z := distuv.UnitNormal.Quantile(1 - (1-Confidence)/2)
	nf := float64(n)
	p := float64(k) / nf
	den := 1 + z*z/nf
	center := (p + z*z/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return Proportion{K: k, N: n, P: p, Low: math.Max(0, center-half), High: math.Min(1, center+half)}
}
