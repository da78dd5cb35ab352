package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// The batched engine simulates the same world as runner.requests, but draws
// counts instead of requests, so a run costs time in proportion to the
// simulated time and the control events, whatever the request rate.
//
// Why it is exact (not an approximation) for every quantity a run observes
// — each version's invocations, errors and timeouts per metric bucket and
// per phase of constant weight:
//
//   - Arrivals are a Poisson process of intensity λ(t). Its counts on the
//     disjoint cells [kΔ, (k+1)Δ) are independent Poisson(Λ_k), Λ_k the
//     integral of λ over the cell (MeanCount). Given a cell's count N, its
//     arrivals are independent with density λ(t)/Λ_k on the cell, so the
//     count before a control event that falls inside the cell is
//     Binomial(N, Λ(start, event)/Λ_k): control events split cells exactly,
//     for constant traffic and for the diurnal pattern alike.
//   - Between two control events the alias weight w, the error rates and the
//     latency laws are constant, and every request independently goes to the
//     target with probability w, times out with probability
//     P(lognormal ≥ timeout), and otherwise fails with the version's error
//     rate. The counts of a span are therefore Binomial thinnings of the
//     span's arrival count; by binomial additivity that is the same law as
//     thinning each Δ step and summing. So the routing, timeout and error
//     counts are drawn once per version per span between control events,
//     not once per step: same distribution, a fraction of the draws.
//
// What it cannot do: anything that needs an individual request — durations
// for Duration alarms, user ids, concurrency — see batchable.
//
// Common random numbers: the cell counts come from their own stream in cell
// order, independent of where control events fall, so every strategy of a
// model and seed sees the same arrivals per cell (the same Requests), as
// under the per-request engine. The routing and outcome draws are not
// coupled across strategies.

// batchStep is the default Δ, the width of the arrival-count cells. The
// result's law does not depend on it; it sets the granularity at which
// arrivals are shared between strategies, and the cost (one Poisson draw
// per cell).
const batchStep = int64(time.Second)

// Stream names of the batched engine, apart from the per-request ones so that
// choosing an engine never shifts another component's draws.
const (
	streamBatchCounts   = "batched.counts"   // one Poisson count per cell
	streamBatchSplit    = "batched.split"    // splits of a cell at control events
	streamBatchRouting  = "batched.routing"  // target's share of a span
	streamBatchOutcomes = "batched.outcomes" // timeouts and errors of a span
)

// meanCounter is a traffic source that knows its expected arrival count in
// [a, b) seconds; the batched engine needs nothing else from it.
type meanCounter interface {
	MeanCount(a, b float64) float64
}

// batchRules are the reasons a model cannot run batched, checked in order.
// A new per-request feature adds one line here.
var batchRules = []struct {
	why   string
	fails func(*Model) bool
}{
	{whyDuration, readsDuration},
	{"the traffic source has no expected count (MeanCount)", func(m *Model) bool { return !meanCountable(m) }},
}

const whyDuration = "an alarm reads the Duration metric, which needs every request's latency"

// batchable reports whether the batched engine can simulate m exactly, and
// why not when it cannot.
func batchable(m *Model) (ok bool, why string) {
	for _, r := range batchRules {
		if r.fails(m) {
			return false, r.why
		}
	}
	return true, ""
}

func readsDuration(m *Model) bool {
	for _, a := range m.Alarms {
		for _, q := range a.Queries {
			if q.Metric == Duration {
				return true
			}
		}
	}
	return false
}

// meanCountable builds a throwaway source of m (its own generator, so no
// run's draws move) to see whether it has a MeanCount.
func meanCountable(m *Model) bool {
	if m.Traffic == nil {
		return false
	}
	src, err := m.Traffic(NewStream(m.Seed, streamArrivals), m.Horizon)
	if err != nil {
		return false
	}
	_, ok := src.(meanCounter)
	return ok
}

// batcher is the state of the batched engine within one run: a cursor, the
// open count cell and its own generators. The runner keeps everything else
// (weights, rates, metric buckets, totals), exactly as for requests.
type batcher struct {
	mean    meanCounter
	step    int64 // Δ, ns
	horizon int64

	pos     int64 // everything before pos has been simulated
	cellEnd int64 // end of the open cell; == pos when none is open
	left    int64 // arrivals of the open cell in [pos, cellEnd) not yet handed out

	counts, split, routing, outcomes rand.Source

	// The timeout probability of each version, for the latency law and
	// timeout it was computed from (they change only with faults).
	ptFor [2][3]float64
	pt    [2]float64
}

// newBatcher returns the batched engine for r, or an error when r's model
// needs per-request state.
func newBatcher(r *runner) (*batcher, error) {
	if r.needDur {
		return nil, fmt.Errorf("batched engine: %s", whyDuration)
	}
	mc, ok := r.src.(meanCounter)
	if !ok {
		return nil, fmt.Errorf("batched engine: traffic source %T has no MeanCount", r.src)
	}
	seed := r.m.Seed
	b := &batcher{
		mean:     mc,
		step:     batchStep,
		horizon:  int64(r.m.Horizon),
		counts:   NewStream(seed, streamBatchCounts),
		split:    NewStream(seed, streamBatchSplit),
		routing:  NewStream(seed, streamBatchRouting),
		outcomes: NewStream(seed, streamBatchOutcomes),
	}
	for v := range b.ptFor {
		b.ptFor[v] = [3]float64{math.NaN(), math.NaN(), math.NaN()} // never equal: computed on first use
	}
	return b, nil
}

// advance simulates every arrival in [cursor, until) — the contract of
// runner.requests — and moves the cursor to until.
func (b *batcher) advance(r *runner, until int64) {
	until = min(until, b.horizon)
	if until <= b.pos {
		return
	}
	var n int64
	for b.pos < until {
		if b.pos == b.cellEnd {
			end := min((b.pos/b.step+1)*b.step, b.horizon)
			b.left = poisson(b.mean.MeanCount(seconds(b.pos), seconds(end)), b.counts)
			b.cellEnd = end
		}
		end := min(b.cellEnd, until)
		k := b.left
		if end < b.cellEnd {
			whole := b.mean.MeanCount(seconds(b.pos), seconds(b.cellEnd))
			if whole > 0 {
				k = binomial(b.left, b.mean.MeanCount(seconds(b.pos), seconds(end))/whole, b.split)
			} else {
				k = 0
			}
		}
		n += k
		b.left -= k
		b.pos = end
	}
	b.spend(r, n)
}

// spend routes n arrivals of one span and draws their outcomes, updating
// the run's totals and open metric bucket as requests would.
func (b *batcher) spend(r *runner, n int64) {
	if n == 0 {
		return
	}
	target := binomial(n, r.weight, b.routing)
	for v, k := range [2]int64{n - target, target} {
		if k == 0 {
			continue
		}
		timeouts := binomial(k, b.timeoutProb(r, v), b.outcomes)
		fail := timeouts + binomial(k-timeouts, r.errRate[v], b.outcomes)
		t := &r.tot[v]
		t.requests += k
		t.failed += fail
		t.timeouts += timeouts
		a := &r.cur[v]
		a.inv += k
		a.errs += fail
	}
}

// timeoutProb is P(mu + sig·Z ≥ ln timeout) for version v, Z standard
// normal: the per-request engine's timeout test.
func (b *batcher) timeoutProb(r *runner, v int) float64 {
	mu, sig, lt := r.mu[v], r.sig[v], r.lnTimeout[v]
	if key := [3]float64{mu, sig, lt}; key != b.ptFor[v] {
		b.ptFor[v] = key
		var p float64
		switch {
		case math.IsInf(lt, 1):
			p = 0
		case sig == 0:
			if mu >= lt {
				p = 1
			}
		case sig > 0:
			p = distuv.UnitNormal.Survival((lt - mu) / sig)
		default:
			p = distuv.UnitNormal.CDF((lt - mu) / sig)
		}
		b.pt[v] = p
	}
	return b.pt[v]
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }

// poisson draws from Poisson(mean) with gonum's exact sampler (PTRS for
// means of 10 and more); 0 without a draw when the mean is 0.
func poisson(mean float64, src rand.Source) int64 {
	if !(mean > 0) {
		return 0
	}
	return int64(distuv.Poisson{Lambda: mean, Src: src}.Rand())
}

// binomial draws from Binomial(n, p) with gonum's sampler; the degenerate
// cases take no draw.
func binomial(n int64, p float64, src rand.Source) int64 {
	switch {
	case n <= 0 || !(p > 0):
		return 0
	case p >= 1:
		return n
	}
	return int64(distuv.Binomial{N: float64(n), P: p, Src: src}.Rand())
}

// RunBatched simulates one deployment of strategy s in model m with the
// batched engine, whatever m.Engine says; it fails when m needs per-request
// state (see the engine's doc). Run will reach the same engine through
// m.Engine once its loop dispatches to it.
func RunBatched(m *Model, s Strategy) (*Result, error) {
	if ok, why := batchable(m); !ok {
		return nil, fmt.Errorf("batched engine: %s", why)
	}
	pm := *m
	pm.Engine = PerRequest // the runner's own request path stays idle: the batcher replaces it
	r, err := newRunner(&pm, s)
	if err != nil {
		return nil, err
	}
	b, err := newBatcher(r)
	if err != nil {
		return nil, err
	}
	if err := b.loop(r); err != nil {
		return nil, err
	}
	r.finish()
	return r.res, nil
}

// loop is runner.loop with advance in place of requests.
func (b *batcher) loop(r *runner) error {
	horizon := int64(r.m.Horizon)
	for {
		next := horizon
		if r.q.len() > 0 && r.q.top() < next {
			next = r.q.top()
		}
		b.advance(r, next)
		if next >= horizon {
			r.now = horizon
			return nil
		}
		e := r.q.pop()
		r.now = e.at
		if err := r.handle(e); err != nil {
			return err
		}
	}
}
