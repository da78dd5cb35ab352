package judge

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Alternative is the alternative hypothesis about the shift of the
// experiment (x) against the control (y), in R's words.
type Alternative string

// Alternatives, as wilcox.test's alternative argument.
const (
	TwoSided Alternative = "two.sided"
	Greater  Alternative = "greater"
	Less     Alternative = "less"
)

// ParseAlternative accepts R's names and their unique prefixes ("g", "two"),
// and "two-sided".
func ParseAlternative(s string) (Alternative, error) {
	if s == "two-sided" {
		return TwoSided, nil
	}
	for _, a := range []Alternative{TwoSided, Greater, Less} {
		if s != "" && len(s) <= len(a) && string(a[:len(s)]) == s {
			return a, nil
		}
	}
	return "", fmt.Errorf("%q: want two-sided, greater or less", s)
}

// Options are wilcox.test's arguments for the two-sample test.
type Options struct {
	Alternative Alternative // "" is TwoSided
	Exact       bool        // exact null distribution when there are no ties
	Correct     bool        // continuity correction in the normal approximation
	ConfLevel   float64     // of the interval; 0 means 0.95, R's default
	Mu          float64     // the shift under the null hypothesis
}

// Result is wilcox.test's answer with conf.int = TRUE.
type Result struct {
	W         float64 // rank sum of x minus n_x(n_x+1)/2: the Mann–Whitney U of x
	PValue    float64
	CILow     float64 // may be -Inf (alternative less)
	CIHigh    float64 // may be +Inf (alternative greater)
	ConfLevel float64 // achieved; lower than asked when an exact interval cannot reach it
	Estimate  float64 // R's "difference in location"
	Exact     bool    // the exact distribution was used
	Ties      bool    // x − mu and y share values
	Method    string  // R's method line
	Warnings  []string
}

// MaxExactCells bounds n_x·n_y for the exact distribution, whose table has
// that many entries per sample size.
const MaxExactCells = 250000

// ErrAllTied is the error of an interval when every observation is tied.
var ErrAllTied = errors.New("cannot compute confidence interval when all observations are tied")

// Test runs R's wilcox.test(x, y, alternative, mu, exact, correct,
// conf.int = TRUE, conf.level) for the two-sample case. Non-finite values
// are dropped first, as R does. x is the experiment (canary), y the control
// (baseline).
func Test(x, y []float64, o Options) (Result, error) {
	x, y = finite(x), finite(y)
	if len(x) < 1 {
		return Result{}, errors.New("not enough (finite) experiment observations")
	}
	if len(y) < 1 {
		return Result{}, errors.New("not enough (finite) control observations")
	}
	alt := o.Alternative
	if alt == "" {
		alt = TwoSided
	}
	conf := o.ConfLevel
	if conf == 0 {
		conf = 0.95
	}
	if !(conf > 0 && conf < 1) {
		return Result{}, fmt.Errorf("confidence level %v: want a number strictly between 0 and 1", conf)
	}
	nx, ny := float64(len(x)), float64(len(y))
	comb := make([]float64, 0, len(x)+len(y))
	for _, v := range x {
		comb = append(comb, v-o.Mu)
	}
	comb = append(comb, y...)
	r, tie := ranks(comb)
	res := Result{W: sum(r[:len(x)]) - nx*(nx+1)/2, Ties: tie > 0, ConfLevel: conf}
	alpha := 1 - conf

	if o.Exact && !res.Ties && len(x)*len(y) <= MaxExactCells {
		res.Exact = true
		res.Method = "Wilcoxon rank sum exact test"
		d := newDist(len(x), len(y))
		w := res.W
		switch alt {
		case TwoSided:
			var p float64
			if w > nx*ny/2 {
				p = d.sf(w - 1)
			} else {
				p = d.cdf(w)
			}
			res.PValue = math.Min(2*p, 1)
		case Greater:
			res.PValue = d.sf(w - 1)
		case Less:
			res.PValue = d.cdf(w)
		}
		// Exact interval and estimate from the sorted pairwise differences.
		diffs := make([]float64, 0, len(x)*len(y))
		for _, a := range x {
			for _, b := range y {
				diffs = append(diffs, a-b)
			}
		}
		sort.Float64s(diffs)
		var achieved float64
		mn := len(x) * len(y)
		switch alt {
		case TwoSided:
			qu := d.quantile(alpha / 2)
			if qu == 0 {
				qu = 1
			}
			ql := mn - qu
			achieved = 2 * d.cdf(float64(qu-1))
			res.CILow, res.CIHigh = diffs[qu-1], diffs[ql]
		case Greater:
			qu := d.quantile(alpha)
			if qu == 0 {
				qu = 1
			}
			achieved = d.cdf(float64(qu - 1))
			res.CILow, res.CIHigh = diffs[qu-1], math.Inf(1)
		case Less:
			qu := d.quantile(alpha)
			if qu == 0 {
				qu = 1
			}
			ql := mn - qu
			achieved = d.cdf(float64(qu - 1))
			res.CILow, res.CIHigh = math.Inf(-1), diffs[ql]
		}
		if achieved-alpha > alpha/2 {
			res.Warnings = append(res.Warnings, "requested conf.level not achievable")
			res.ConfLevel = 1 - achieved
		}
		res.Estimate = median(diffs)
		return res, nil
	}

	// Normal approximation.
	res.Method = "Wilcoxon rank sum test"
	if o.Correct {
		res.Method += " with continuity correction"
	}
	if o.Exact {
		switch {
		case res.Ties:
			res.Warnings = append(res.Warnings, "cannot compute exact p-value with ties", "cannot compute exact confidence intervals with ties")
		default:
			res.Warnings = append(res.Warnings, fmt.Sprintf("samples too large for the exact distribution (%d × %d > %d cells): normal approximation used", len(x), len(y), MaxExactCells))
		}
	}
	z := res.W - nx*ny/2
	sigma := math.Sqrt(nx * ny / 12 * ((nx + ny + 1) - tie/((nx+ny)*(nx+ny-1))))
	corr := 0.0
	if o.Correct {
		corr = correction(alt, z)
	}
	z = (z - corr) / sigma
	n := distuv.UnitNormal
	switch alt {
	case Less:
		res.PValue = n.CDF(z)
	case Greater:
		res.PValue = n.Survival(z)
	default:
		res.PValue = 2 * math.Min(n.CDF(z), n.Survival(z))
	}

	s := shift{x: x, y: y, correct: o.Correct, alt: alt, buf: make([]float64, len(comb))}
	lo, hi := slices.Min(x)-slices.Max(y), slices.Max(x)-slices.Min(y)
	wlo, err := s.w(lo)
	if err != nil {
		return res, err
	}
	whi, err := s.w(hi)
	if err != nil {
		return res, err
	}
	root := func(zq float64) float64 {
		// In extreme cases the endpoints are the answer (R:
		// wilcox.test(1, 2:60, conf.int=TRUE)).
		fl := wlo - zq
		if fl <= 0 {
			return lo
		}
		fu := whi - zq
		if fu >= 0 {
			return hi
		}
		v, _ := Zeroin(func(d float64) float64 { w, _ := s.w(d); return w - zq }, lo, hi, fl, fu, 1e-4, 1000)
		return v
	}
	switch alt {
	case TwoSided:
		res.CILow = root(-n.Quantile(alpha / 2))
		res.CIHigh = root(n.Quantile(alpha / 2))
	case Greater:
		res.CILow, res.CIHigh = root(-n.Quantile(alpha)), math.Inf(1)
	case Less:
		res.CILow, res.CIHigh = math.Inf(-1), root(n.Quantile(alpha))
	}
	// R computes the estimate without the continuity correction.
	s.correct = false
	f := func(d float64) float64 { w, _ := s.w(d); return w }
	flo, fhi := f(lo), f(hi)
	if flo*fhi > 0 {
		return res, fmt.Errorf("estimate: the rank statistic does not change sign over [%v, %v]", lo, hi)
	}
	res.Estimate, _ = Zeroin(f, lo, hi, flo, fhi, 1e-4, 1000)
	return res, nil
}

func correction(alt Alternative, z float64) float64 {
	switch alt {
	case Greater:
		return 0.5
	case Less:
		return -0.5
	}
	switch {
	case z > 0:
		return 0.5
	case z < 0:
		return -0.5
	}
	return 0
}

// shift evaluates R's W(d): the standardised rank statistic of x − d
// against y, with the tie correction recomputed for each d.
type shift struct {
	x, y    []float64
	correct bool
	alt     Alternative
	buf     []float64
}

func (s *shift) w(d float64) (float64, error) {
	nx, ny := float64(len(s.x)), float64(len(s.y))
	for i, v := range s.x {
		s.buf[i] = v - d
	}
	copy(s.buf[len(s.x):], s.y)
	r, tie := ranks(s.buf)
	dz := sum(r[:len(s.x)]) - nx*(nx+1)/2 - nx*ny/2
	c := 0.0
	if s.correct {
		c = correction(s.alt, dz)
	}
	sigma := math.Sqrt(nx * ny / 12 * ((nx + ny + 1) - tie/((nx+ny)*(nx+ny-1))))
	if sigma == 0 {
		return math.NaN(), ErrAllTied
	}
	return (dz - c) / sigma, nil
}

// ranks returns the average ranks of v (1-based, ties share the mean of
// their positions, as R's rank) and Σ(t³ − t) over the tie groups.
func ranks(v []float64) ([]float64, float64) {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	tie := 0.0
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of positions i+1..j
		for k := i; k < j; k++ {
			r[idx[k]] = avg
		}
		if t := float64(j - i); t > 1 {
			tie += t*t*t - t
		}
		i = j
	}
	return r, tie
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func finite(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	return out
}

// median of sorted values, as R's median.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
