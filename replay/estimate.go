package replay

import (
	"fmt"
	"math"
)

// PoolInvocations is how many invocations an estimate for a period without
// data pools, at least: the nearest periods in which the version ran are
// taken, nearest first, until they hold this many (or all are taken). A
// hundred invocations put the error rate of a 1 % version within about
// ±1 % (one binomial standard deviation), where one period of a handful
// of invocations would make it 0 % or 20 % (docs/replay.md).
const PoolInvocations = 100

// EstimationRule says in one sentence how a period without data is
// filled, for reports.
const EstimationRule = "a version's error rate and latency in a period where it had no invocations are pooled from the nearest periods it ran (nearest first, the earlier of two as near) until they hold at least 100 invocations: errors over invocations, and the invocation-weighted geometric mean of their Duration p50 and p99"

// Params is one version's behaviour in one period.
type Params struct {
	ErrorRate float64 // probability that an invocation fails
	P50, P99  float64 // Duration percentiles, ms: the lognormal's median and 99th percentile
	// Estimated says the version had no invocations in the period: its
	// error rate and latency are pooled from the nearest periods it ran.
	Estimated bool
	// LatencyEstimated says the period has no Duration percentiles of its
	// own (it had no invocations, or the recording lacks them).
	LatencyEstimated bool
	// From and To are the periods pooled for an estimate (inclusive), -1
	// when none was needed.
	From, To int
}

// Behaviour is each version's Params per period.
type Behaviour struct {
	Versions [2][]Params
}

// Estimate derives each version's behaviour per period: the recorded
// error rate (Errors/Invocations) and Duration p50/p99 where the version
// ran, and where it did not (the target before the shift, after a
// rollback; the current version after a full shift), values pooled from the
// nearest periods it ran (PoolInvocations).
func (r *Recording) Estimate() (*Behaviour, error) {
	b := &Behaviour{}
	for v := range r.Versions {
		s := &r.Versions[v]
		some := false
		for _, x := range s.Invocations {
			some = some || x > 0
		}
		if !some {
			return nil, fmt.Errorf("%s: version %s has no invocations in the recording: there is nothing to replay it with", r.File, s.Name)
		}
		p := make([]Params, r.Periods)
		ran := newNearest(r.Periods, func(j int) bool { return s.Invocations[j] > 0 })
		// Periods with latency percentiles of their own.
		has := func(j int) bool { return s.Invocations[j] > 0 && s.P50[j] > 0 && !math.IsNaN(s.P99[j]) }
		hasLat := newNearest(r.Periods, has)
		for k := range p {
			p[k] = Params{From: -1, To: -1}
			if s.Invocations[k] > 0 {
				p[k].ErrorRate = s.Errors[k] / s.Invocations[k]
			} else {
				var inv, errs float64
				p[k].From, p[k].To, inv, errs = pool(s.Invocations, s.Errors, k, ran)
				p[k].ErrorRate = errs / inv
				p[k].Estimated = true
			}
			p50, p99 := s.P50[k], s.P99[k]
			if s.Invocations[k] > 0 && p50 > 0 && !math.IsNaN(p99) {
				p[k].P50, p[k].P99 = p50, max(p99, p50)
				continue
			}
			// Latency pooled over the nearest periods with percentiles,
			// their logarithms weighted by invocations (a geometric mean).
			from, to, _, _ := pool(s.Invocations, s.Errors, k, hasLat)
			if from < 0 {
				return nil, fmt.Errorf("%s: version %s has no Duration p50 and p99 in any period it ran (record writes duration_p50 and duration_p99)", r.File, s.Name)
			}
			var w, l50, l99 float64
			// Every period with percentiles in [from, to] was pooled;
			// they are visited in ascending order, skipping the others.
			for j := from; j <= to; j = hasLat.after(j) {
				w += s.Invocations[j]
				l50 += s.Invocations[j] * math.Log(s.P50[j])
				l99 += s.Invocations[j] * math.Log(max(s.P99[j], s.P50[j]))
			}
			p[k].P50, p[k].P99 = math.Exp(l50/w), math.Exp(l99/w)
			if from == to { // one period: its own values, without rounding
				p[k].P50, p[k].P99 = s.P50[from], max(s.P99[from], s.P50[from])
			}
			p[k].LatencyEstimated = true
			if !p[k].Estimated {
				p[k].From, p[k].To = from, to
			}
		}
		b.Versions[v] = p
	}
	return b, nil
}

// nearest finds, from any period, the nearest periods at or before it
// and at or after it that hold a property: pooling then walks from one
// such period to the next, whatever lies between (a target idle for days
// before its deployment), so estimating every period of a long recording
// takes time in proportion to its length (docs/replay.md, "Limits").
type nearest struct {
	prev []int // prev[k]: the last period <= k with the property, -1 if none
	next []int // next[k]: the first period >= k with it, len if none
}

func newNearest(n int, ok func(int) bool) nearest {
	x := nearest{prev: make([]int, n), next: make([]int, n)}
	last := -1
	for k := 0; k < n; k++ {
		if ok(k) {
			last = k
		}
		x.prev[k] = last
	}
	last = n
	for k := n - 1; k >= 0; k-- {
		if ok(k) {
			last = k
		}
		x.next[k] = last
	}
	return x
}

// after is the first period after j with the property, len if none.
func (x nearest) after(j int) int {
	if j+1 >= len(x.next) {
		return len(x.next)
	}
	return x.next[j+1]
}

// pool takes the periods j with the property ok indexes, nearest to k
// first (the earlier of two as near), until they hold PoolInvocations
// invocations or none is left; it returns the span [from, to] they cover
// and their sums. from is -1 when no period has the property.
func pool(inv, errs []float64, k int, ok nearest) (from, to int, sumInv, sumErr float64) {
	from, to = -1, -1
	lo, hi := k, k+1 // next candidates: lo going down, hi going up
	take := func(j int) {
		sumInv += inv[j]
		sumErr += errs[j]
		if from < 0 || j < from {
			from = j
		}
		if j > to {
			to = j
		}
	}
	for sumInv < PoolInvocations && (lo >= 0 || hi < len(inv)) {
		// Skip to the nearest period with the property on each side.
		if lo >= 0 {
			lo = ok.prev[lo]
		}
		if hi < len(inv) {
			hi = ok.next[hi]
		}
		switch {
		case lo < 0 && hi >= len(inv):
			return
		case hi >= len(inv) || (lo >= 0 && k-lo <= hi-k):
			take(lo)
			lo--
		default:
			take(hi)
			hi++
		}
	}
	return
}
