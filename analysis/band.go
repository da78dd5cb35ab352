package analysis

import (
	"errors"
	"fmt"
	"math"
)

// The continuous sequential test (decision 9, docs/gates.md): each version's
// empirical distribution of a continuous metric (latency) stays inside
// Howard & Ramdas's time-uniform DKW band,
//
//	sup_x |F̂_t(x) − F(x)| ≤ ε_t = A·sqrt((ln(1 + ln(t/t_min)) + C) / t)  for every t ≥ t_min,
//
// with probability at least 1 − α_C, where α_C = min over η > 1 of
// 4·e^(−γ²C)·(1 + 1/((γ² − 1)·ln η)) and γ² = (2/η)·(A − sqrt(2(η − 1)/C))²
// (Howard & Ramdas, "Sequential estimation of quantiles with applications
// to A/B-testing and best-arm identification", Bernoulli 2022, Theorem 2;
// confseq's EmpiricalProcessLILBound). Two versions with the same
// distribution keep their ECDFs within ε_target + ε_current of each other at
// every x and every t, each band at α/2, except with probability α.

// BandA is the band's shape constant A (> 1/√2), the value the spec gives.
const BandA = 0.85

// BandAlpha is α_C, the probability that the ECDF of i.i.d. samples ever
// leaves the band with constant C (at A = BandA): the minimum over η of the
// Howard–Ramdas bound, or 1 when no η makes it less.
func BandAlpha(c float64) float64 {
	if !(c > 0) {
		return 1
	}
	bound := func(eta float64) float64 {
		r := BandA - math.Sqrt(2*(eta-1)/c)
		if r <= 0 {
			return math.Inf(1)
		}
		g2 := 2 / eta * r * r
		if g2 <= 1 {
			return math.Inf(1)
		}
		return 4 * math.Exp(-g2*c) * (1 + 1/((g2-1)*math.Log(eta)))
	}
	// γ² > 1 needs η < 2A²: search (1, 2A²) on a grid, then refine by
	// golden section around the best point.
	hi := 2 * BandA * BandA
	const n = 400
	best, bi := math.Inf(1), 0
	for i := 1; i < n; i++ {
		if v := bound(1 + (hi-1)*float64(i)/n); v < best {
			best, bi = v, i
		}
	}
	if math.IsInf(best, 1) {
		return 1
	}
	a, b := 1+(hi-1)*float64(bi-1)/n, 1+(hi-1)*float64(bi+1)/n
	if bi == 1 {
		a = 1 + 1e-12
	}
	const phi = 0.6180339887498949
	x1, x2 := b-phi*(b-a), a+phi*(b-a)
	f1, f2 := bound(x1), bound(x2)
	for range 100 {
		if f1 < f2 {
			b, x2, f2 = x2, x1, f1
			x1 = b - phi*(b-a)
			f1 = bound(x1)
		} else {
			a, x1, f1 = x1, x2, f2
			x2 = a + phi*(b-a)
			f2 = bound(x2)
		}
	}
	return math.Min(1, math.Min(best, math.Min(f1, f2)))
}

// BandC is the constant C whose band holds with probability 1 − alpha
// (BandAlpha(C) = alpha), found by bisection: C ≈ 8.12 at alpha = 0.05.
func BandC(alpha float64) float64 {
	lo, hi := 1e-3, 1e3
	for range 200 {
		mid := math.Sqrt(lo * hi)
		if BandAlpha(mid) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// bandWidth is ε_t for n samples and constant c (t_min = 1).
func bandWidth(n int64, c float64) float64 {
	if n < 1 {
		return math.Inf(1)
	}
	return BandA * math.Sqrt((math.Log(1+math.Log(float64(n)))+c)/float64(n))
}

// BandTest is the running two-version test: each version's samples counted
// in the bins of Edges (upper bin edges, increasing; a sample at or above
// the last edge is in a final bin), the ECDFs compared at the edges — a
// subset of all x, so the test is valid and only a little conservative.
// Arm 0 is the current version, arm 1 the target. It never allocates after
// NewBandTest.
type BandTest struct {
	Edges []float64
	// OneSided rejects only a target stochastically larger (slower, for
	// latency): F̂_current(x) − F̂_target(x) > ε_current + ε_target at some
	// x. Otherwise any difference either way rejects.
	OneSided bool
	Alpha    float64 // 0 means 0.05
	counts   [2][]int64
	n        [2]int64
	D        float64 // the largest gap between the ECDFs at an edge (signed: current above target when OneSided)
	P        float64 // the anytime p-value
}

// NewBandTest returns a test with no samples over the given bin edges.
func NewBandTest(edges []float64, oneSided bool, alpha float64) (*BandTest, error) {
	if len(edges) == 0 {
		return nil, errors.New("no bin edges")
	}
	for i := 1; i < len(edges); i++ {
		if !(edges[i] > edges[i-1]) {
			return nil, fmt.Errorf("edge %d: %v is not above %v", i, edges[i], edges[i-1])
		}
	}
	if alpha == 0 {
		alpha = 0.05
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("alpha %v, want (0, 1)", alpha)
	}
	t := &BandTest{Edges: edges, OneSided: oneSided, Alpha: alpha, P: 1}
	for a := range t.counts {
		t.counts[a] = make([]int64, len(edges)+1)
	}
	return t, nil
}

// Bin is the bin of a sample value x.
func (t *BandTest) Bin(x float64) int {
	lo, hi := 0, len(t.Edges)
	for lo < hi { // the first edge above x
		m := (lo + hi) / 2
		if t.Edges[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// AddBin counts n samples of arm in bin b.
func (t *BandTest) AddBin(arm, b int, n int64) {
	t.counts[arm][b] += n
	t.n[arm] += n
}

// Add counts one sample x of arm.
func (t *BandTest) Add(arm int, x float64) { t.AddBin(arm, t.Bin(x), 1) }

// N returns the samples counted per arm.
func (t *BandTest) N() [2]int64 { return t.n }

// Update recomputes the gap and the anytime p-value from the samples so far
// (call it at each look) and reports whether the test rejects: p ≤ Alpha.
// The p-value is 2·α_C* for the largest C* at which the gap still exceeds
// ε_current + ε_target (each band at half the level), and the running minimum
// over looks.
func (t *BandTest) Update() bool {
	n0, n1 := t.n[0], t.n[1]
	if n0 == 0 || n1 == 0 {
		return t.Reject()
	}
	var c0, c1 int64
	d := math.Inf(-1)
	for b := 0; b < len(t.Edges); b++ { // the ECDFs just below each edge
		c0 += t.counts[0][b]
		c1 += t.counts[1][b]
		g := float64(c0)/float64(n0) - float64(c1)/float64(n1)
		if !t.OneSided {
			g = math.Abs(g)
		}
		d = math.Max(d, g)
	}
	t.D = d
	if !(d > bandWidth(n0, 0)+bandWidth(n1, 0)) {
		return t.Reject() // not even the widest C would reject
	}
	lo, hi := 0.0, 1.0
	for bandWidth(n0, hi)+bandWidth(n1, hi) < d && hi < 1e6 {
		lo, hi = hi, 2*hi
	}
	for range 100 {
		mid := (lo + hi) / 2
		if bandWidth(n0, mid)+bandWidth(n1, mid) < d {
			lo = mid
		} else {
			hi = mid
		}
	}
	t.P = math.Min(t.P, math.Min(1, 2*BandAlpha(lo)))
	return t.Reject()
}

// Reject reports whether the test has rejected.
func (t *BandTest) Reject() bool { return t.P <= t.Alpha }

// LogEdges returns n+1 log-spaced edges from lo to hi.
func LogEdges(lo, hi float64, n int) []float64 {
	e := make([]float64, n+1)
	r := math.Log(hi / lo)
	for i := range e {
		e[i] = lo * math.Exp(r*float64(i)/float64(n))
	}
	return e
}
