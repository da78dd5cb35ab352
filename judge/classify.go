package judge

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Class is a metric's verdict in Kayenta's words.
type Class string

// Kayenta's metric classifications.
const (
	Pass             Class = "Pass"
	High             Class = "High"
	Low              Class = "Low"
	Nodata           Class = "Nodata"
	NodataFailMetric Class = "NodataFailMetric"
	Error            Class = "Error"
)

// Direction says which change of a metric counts against the canary.
type Direction string

// Directions of Kayenta's metric configuration.
const (
	Increase Direction = "increase"
	Decrease Direction = "decrease"
	Either   Direction = "either"
)

// Effect-size measures.
const (
	MeanRatio = "meanRatio"
	CLES      = "cles"
)

// Metric is Kayenta's per-metric analysis configuration together with the
// classifier's parameters. DefaultMetric gives Kayenta's defaults.
type Metric struct {
	Direction      Direction
	ReplaceNaN     bool    // nanStrategy replace: NaN becomes 0; otherwise NaNs are removed
	RemoveOutliers bool    // outliers.strategy remove
	OutlierFactor  float64 // k of the IQR fences
	Critical       bool
	MustHaveData   bool
	EffectSize     string // MeanRatio or CLES
	// Effect-size gates: High needs effect ≥ AllowedIncrease, Low effect ≤
	// AllowedDecrease; critical ones CriticalIncrease / CriticalDecrease.
	AllowedIncrease, AllowedDecrease   float64
	CriticalIncrease, CriticalDecrease float64
	Tolerance                          float64 // of the Mann–Whitney classifier
	ConfLevel                          float64 // of its interval
}

// DefaultMetric is Kayenta's default metric configuration for an effect-size
// measure (MeanRatio or CLES): direction either, NaNs removed, outliers
// kept (factor 3), gates 1.0 (0.5 for CLES), tolerance 0.25, confidence 0.98.
func DefaultMetric(effect string) Metric {
	gate := 1.0
	if effect == CLES {
		gate = 0.5
	} else {
		effect = MeanRatio
	}
	return Metric{Direction: Either, OutlierFactor: 3, EffectSize: effect,
		AllowedIncrease: gate, AllowedDecrease: gate, CriticalIncrease: gate, CriticalDecrease: gate,
		Tolerance: 0.25, ConfLevel: 0.98}
}

// Classification is one metric's verdict with the numbers behind it.
type Classification struct {
	Class     Class
	Critical  bool
	Deviation float64 // mean(experiment)/mean(control); NaN when a mean is 0
	Effect    float64 // the configured effect size
	// The classifier's two-sided interval and estimate for the shift
	// experiment − control (normal approximation, continuity correction,
	// estimate with the correction too, as Kayenta computes them) and the
	// tolerance bound b = tolerance·|estimate|.
	CILow, CIHigh, Estimate, Bound float64
	// Sizes after NaN handling and outlier removal.
	NExperiment, NControl int
	Reason                string
}

// Classify is Kayenta's NetflixACAJudge for one metric: NaN handling,
// outlier removal, then the Mann–Whitney classifier (docs/plans.md).
// experiment is the canary, control the baseline. src seeds the noise
// Kayenta adds to two constant samples; it may be nil when that cannot
// happen (the classification then reports Error if it does).
func Classify(experiment, control []float64, m Metric, src rand.Source) Classification {
	x, y := nanHandled(experiment, m.ReplaceNaN), nanHandled(control, m.ReplaceNaN)
	if m.RemoveOutliers {
		x, y = removeOutliers(x, m.OutlierFactor), removeOutliers(y, m.OutlierFactor)
	}
	out := Classification{NExperiment: len(x), NControl: len(y), Deviation: math.NaN(), Effect: math.NaN(),
		CILow: math.NaN(), CIHigh: math.NaN(), Estimate: math.NaN(), Bound: math.NaN()}
	if len(x) == 0 || len(y) == 0 {
		switch {
		case m.ReplaceNaN:
			out.Class, out.Reason = Pass, "no data, and NaNs are replaced: Pass"
		case m.MustHaveData && !m.Critical:
			out.Class, out.Reason = NodataFailMetric, "no data and mustHaveData"
		default:
			out.Class, out.Critical, out.Reason = Nodata, m.Critical, "no data in the experiment or the control"
		}
		return out
	}
	out.Deviation = meanRatio(x, y)
	sx, sy := slices.Sorted(slices.Values(x)), slices.Sorted(slices.Values(y))
	if slices.Equal(sx, sy) {
		out.Class, out.Reason = Pass, "the samples are identical"
		return out
	}
	if sx[0] == sx[len(sx)-1] && sy[0] == sy[len(sy)-1] {
		if sx[0] == sy[0] {
			out.Class, out.Reason = Pass, "every value is the same"
			return out
		}
		if src == nil {
			out.Class, out.Reason = Error, "both samples are constant and no random source was given for Kayenta's noise"
			return out
		}
		// Kayenta perturbs two constant samples so that the ranks are
		// defined: N(0, (v·1e-5)²) on each value v.
		x, y = jitter(sx, src), jitter(sy, src)
	}
	lo, hi, est, err := kayentaInterval(x, y, m.ConfLevel)
	if err != nil {
		out.Class, out.Reason = Error, err.Error()
		return out
	}
	out.CILow, out.CIHigh, out.Estimate = lo, hi, est
	out.Bound = m.Tolerance * math.Abs(est)
	switch m.EffectSize {
	case CLES:
		out.Effect = cles(x, y)
	default:
		out.Effect = out.Deviation
	}
	e := out.Effect
	up := m.Direction == Increase || m.Direction == Either
	down := m.Direction == Decrease || m.Direction == Either
	switch {
	case up && lo > out.Bound && (math.IsNaN(e) || e >= m.AllowedIncrease):
		out.Class = High
		out.Critical = m.Critical && (math.IsNaN(e) || e >= m.CriticalIncrease)
		out.Reason = fmt.Sprintf("the interval's low end %.6g is above the tolerance bound %.6g", lo, out.Bound)
	case down && hi < -out.Bound && (math.IsNaN(e) || e <= m.AllowedDecrease):
		out.Class = Low
		out.Critical = m.Critical && (math.IsNaN(e) || e <= m.CriticalDecrease)
		out.Reason = fmt.Sprintf("the interval's high end %.6g is below −%.6g", hi, out.Bound)
	default:
		out.Class = Pass
		switch {
		case up && lo > out.Bound:
			out.Reason = fmt.Sprintf("higher, but the effect size %.4g is below the allowed increase %.4g", e, m.AllowedIncrease)
		case down && hi < -out.Bound:
			out.Reason = fmt.Sprintf("lower, but the effect size %.4g is above the allowed decrease %.4g", e, m.AllowedDecrease)
		case lo > out.Bound || hi < -out.Bound:
			out.Reason = fmt.Sprintf("the interval [%.6g, %.6g] clears ±%.6g only in a direction not checked (%s)", lo, hi, out.Bound, m.Direction)
		default:
			out.Reason = fmt.Sprintf("the interval [%.6g, %.6g] does not clear the tolerance bound ±%.6g", lo, hi, out.Bound)
		}
	}
	return out
}

// kayentaInterval is Kayenta's MannWhitney: R's asymptotic two-sided
// interval with continuity correction, and an estimate that keeps the
// correction and is not clamped to the search range.
func kayentaInterval(x, y []float64, conf float64) (lo, hi, est float64, err error) {
	if !(conf > 0 && conf < 1) {
		return 0, 0, 0, fmt.Errorf("confidence level %v: want a number strictly between 0 and 1", conf)
	}
	s := shift{x: x, y: y, correct: true, alt: TwoSided, buf: make([]float64, len(x)+len(y))}
	mumin, mumax := slices.Min(x)-slices.Max(y), slices.Max(x)-slices.Min(y)
	wlo, err := s.w(mumin)
	if err != nil {
		return 0, 0, 0, err
	}
	whi, err := s.w(mumax)
	if err != nil {
		return 0, 0, 0, err
	}
	f := func(d float64) float64 { w, _ := s.w(d); return w }
	root := func(q float64) float64 {
		if wlo-q <= 0 {
			return mumin
		}
		if whi-q >= 0 {
			return mumax
		}
		v, _ := Zeroin(func(d float64) float64 { return f(d) - q }, mumin, mumax, wlo-q, whi-q, 1e-4, 1000)
		return v
	}
	z := distuv.UnitNormal.Quantile((1 - conf) / 2)
	lo, hi = root(-z), root(z)
	if wlo*whi > 0 {
		return lo, hi, 0, fmt.Errorf("estimate: the rank statistic does not change sign over [%v, %v]", mumin, mumax)
	}
	est, _ = Zeroin(f, mumin, mumax, wlo, whi, 1e-4, 1000)
	return lo, hi, est, nil
}

func nanHandled(v []float64, replace bool) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		switch {
		case !math.IsNaN(x):
			out = append(out, x)
		case replace:
			out = append(out, 0)
		}
	}
	return out
}

// Quantile7 is the p-quantile of sorted values by R's type 7 (linear
// interpolation between order statistics, h = (n−1)·p).
func Quantile7(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i >= n-1 {
		return sorted[n-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// removeOutliers drops the values strictly outside Kayenta's
// reduced-sensitivity IQR fences: [min(P1, Q1 − k·IQR), max(P99, Q3 + k·IQR)].
func removeOutliers(v []float64, k float64) []float64 {
	if len(v) == 0 {
		return v
	}
	s := slices.Sorted(slices.Values(v))
	q1, q3 := Quantile7(s, 0.25), Quantile7(s, 0.75)
	iqr := q3 - q1
	lo := math.Min(Quantile7(s, 0.01), q1-k*iqr)
	hi := math.Max(Quantile7(s, 0.99), q3+k*iqr)
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if x >= lo && x <= hi {
			out = append(out, x)
		}
	}
	return out
}

func meanRatio(x, y []float64) float64 {
	mx, my := sum(x)/float64(len(x)), sum(y)/float64(len(y))
	if mx == 0 || my == 0 {
		return math.NaN()
	}
	return mx / my
}

// cles is the common-language effect size (2·R1 − m(m+1)) / (2·m·n), R1 the
// rank sum of x in x ∪ y: the probability that an experiment value exceeds a
// control value, ties counting half.
func cles(x, y []float64) float64 {
	r, _ := ranks(append(append([]float64(nil), x...), y...))
	m, n := float64(len(x)), float64(len(y))
	return (2*sum(r[:len(x)]) - m*(m+1)) / (2 * n * m)
}

func jitter(v []float64, src rand.Source) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		d := distuv.Normal{Mu: 0, Sigma: math.Abs(x) * 1e-5, Src: src}
		if d.Sigma == 0 {
			out[i] = x
			continue
		}
		out[i] = x + d.Rand()
	}
	return out
}
