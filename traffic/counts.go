package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Counts is a source with exactly counts[k] arrivals in period k,
// [k·Period, (k+1)·Period), placed independently and uniformly within it:
// recorded per-period counts (a deployment's Invocations minute by minute,
// package replay) replayed as they were, where a cloudwatch-metrics
// Recording replays each period as a Poisson process of that mean.
// CloudWatch keeps no order within a period, so the positions are drawn.
type Counts struct {
	counts []float64
	period int64
	until  int64
	rng    *rand.Rand

	k    int     // current period
	left int64   // arrivals still to place in it
	u    float64 // position of the last placed, in [0, 1)
}

// MaxCount bounds one period's count of a Counts source.
const MaxCount = 1e12

// NewCounts returns the source of counts per period (whole numbers >= 0)
// until the given time (<= 0: the end of the counts).
func NewCounts(counts []float64, period, until time.Duration, src rand.Source) (*Counts, error) {
	if period <= 0 {
		return nil, fmt.Errorf("traffic: counts period %v must be > 0", period)
	}
	for k, n := range counts {
		if !(n >= 0 && n <= MaxCount) || n != math.Trunc(n) {
			return nil, fmt.Errorf("traffic: count %v of period %d: want a whole number in [0, %g]", n, k, MaxCount)
		}
	}
	c := &Counts{counts: counts, period: int64(period), until: int64(until), rng: rand.New(src), k: -1}
	c.nextPeriod()
	return c, nil
}

func (c *Counts) nextPeriod() {
	c.k++
	c.u = 0
	c.left = 0
	if c.k < len(c.counts) {
		c.left = int64(c.counts[c.k])
	}
}

// Fill implements Source. The sorted uniform positions of a period's n
// arrivals are drawn one after the other: given the previous one at u, the
// next of the m left is u + (1−u)(1 − V^(1/m)), V uniform (the smallest of
// m uniforms on [u, 1)), so no period is held in memory.
func (c *Counts) Fill(buf []Arrival) int {
	n := 0
	for n < len(buf) && c.k < len(c.counts) {
		if c.left == 0 {
			c.nextPeriod()
			continue
		}
		c.u += (1 - c.u) * -math.Expm1(math.Log(1-c.rng.Float64())/float64(c.left))
		c.left--
		at := int64(c.k)*c.period + min(int64(c.u*float64(c.period)), c.period-1)
		if c.until > 0 && at >= c.until {
			c.k = len(c.counts)
			break
		}
		buf[n] = Arrival{At: at}
		n++
	}
	return n
}
