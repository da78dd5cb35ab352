package judge

import "math"

// dist is the exact null distribution of the Mann–Whitney statistic for
// sample sizes m and n without ties: counts[k] is the number of the
// C(m+n, m) orderings with U = k (R's cwilcox).
type dist struct {
	m, n   int
	counts []float64
	total  float64
}

// newDist builds the counts by placing the m+n ordered values one by one;
// a value of x placed after j values of y adds j to U. Only additions, so
// the counts are exact integers while they fit in a float64's mantissa and
// as precise as R's double-precision counts beyond.
func newDist(m, n int) *dist {
	// dp[j][k]: arrangements so far with j x-values and U = k.
	mn := m * n
	dp := make([][]float64, m+1)
	next := make([][]float64, m+1)
	for j := range dp {
		dp[j] = make([]float64, mn+1)
		next[j] = make([]float64, mn+1)
	}
	dp[0][0] = 1
	for t := 0; t < m+n; t++ { // t values placed
		for j := range next {
			clear(next[j])
		}
		for j := 0; j <= m && j <= t; j++ {
			ys := t - j
			if ys > n {
				continue
			}
			for k, c := range dp[j] {
				if c == 0 {
					continue
				}
				if ys < n { // place a y
					next[j][k] += c
				}
				if j < m { // place an x above ys values of y
					next[j+1][k+ys] += c
				}
			}
		}
		dp, next = next, dp
	}
	d := &dist{m: m, n: n, counts: dp[m]}
	for _, c := range d.counts {
		d.total += c
	}
	return d
}

// cdf is R's pwilcox(q, m, n): P(U ≤ q).
func (d *dist) cdf(q float64) float64 { return d.p(q, true) }

// sf is R's pwilcox(q, m, n, lower.tail = FALSE): P(U > q).
func (d *dist) sf(q float64) float64 { return d.p(q, false) }

// p sums the probabilities over the shorter range, as R's pwilcox does, so
// that small tails keep their precision.
func (d *dist) p(q float64, lower bool) float64 {
	mn := float64(d.m * d.n)
	q = math.Floor(q + 1e-7)
	if q < 0 {
		if lower {
			return 0
		}
		return 1
	}
	if q >= mn {
		if lower {
			return 1
		}
		return 0
	}
	p := 0.0
	if q <= mn/2 {
		for i := 0; i <= int(q); i++ {
			p += d.counts[i] / d.total
		}
	} else {
		q = mn - q
		for i := 0; i < int(q); i++ {
			p += d.counts[i] / d.total
		}
		lower = !lower
	}
	if lower {
		return p
	}
	return 0.5 - p + 0.5
}

// quantile is R's qwilcox(x, m, n): the smallest q with P(U ≤ q) ≥ x,
// computed from the side R computes it from.
func (d *dist) quantile(x float64) int {
	const eps = 2.220446049250313e-16
	p := 0.0
	q := 0
	if x <= 0.5 {
		x -= 10 * eps
		for {
			p += d.counts[q] / d.total
			if p >= x {
				return q
			}
			q++
		}
	}
	x = 1 - x + 10*eps
	for {
		p += d.counts[q] / d.total
		if p > x {
			return d.m*d.n - q
		}
		q++
	}
}
