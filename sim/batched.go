package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// The batched engine simulates the same world as runner.requests, but draws
// counts instead of requests, so a run costs time in proportion to the
// simulated time and the control events, whatever the request rate.
//
// Why it is exact — not an approximation — for the counts a run observes
// (each version's invocations, errors and timeouts per metric bucket and
// per phase of constant weight, hence every alarm, rollback and blast
// radius):
//
//   - Arrivals are a Poisson process of intensity λ(t). Its counts on the
//     disjoint cells [g+kΔ, g+(k+1)Δ) — Δ the run's metric bucket width, g
//     the buckets' grid, so that a cell is a bucket — are independent
//     Poisson(Λ_k), Λ_k the
//     integral of λ over the cell (MeanCount). Given a cell's count N, its
//     arrivals are independent with density λ(t)/Λ_k on the cell, so the
//     count before a control event that falls inside the cell is
//     Binomial(N, Λ(start, event)/Λ_k): control events split cells exactly,
//     for constant traffic and for time-varying rates alike.
//   - Between two control events the alias weight, the error rates, the
//     hang rates and the latency laws are constant, and every request
//     independently goes to the target with probability w, times out with
//     probability 1 − (1 − P(lognormal ≥ timeout))(1 − hang rate), and
//     otherwise fails with its version's error rate. The counts of a span
//     between control events are therefore binomial thinnings of the span's
//     arrival count; by binomial additivity that is the same law as
//     thinning any finer division and summing. So routing, timeouts and
//     errors are drawn once per version per span, not once per step: the
//     same distribution for a fraction of the draws.
//   - Δ sets which draws a run takes, not their law (the two points
//     above hold for any cells). One cell per bucket is one Poisson draw
//     per bucket and no split at the bucket boundaries, where most control
//     events fall (evaluations, polls on the phase's grid); it was one
//     second until the draws per second were most of a run's time
//     (TestBatchedCellWidthKeepsTheLaw holds the two widths to each other,
//     docs/engine.md).
//
// The other per-version results:
//   - LatencyMax is exact in distribution: the longest of k independent
//     durations is drawn by inversion (F⁻¹(U^(1/k))), one draw per version
//     per latency law in force (drawLongest), k summed over its spans.
//   - Billed duration (Cost) is the expectation given the counts: the
//     duration law's mean below the timeout, plus half a millisecond for
//     the rounding up of each request (exact to well under 0.01 ms for any
//     latency spread over more than a few milliseconds), and the timeout
//     for each request that hit it. Its sampling noise (relative size
//     σ/√N) is not drawn.
//   - Latency percentiles are not simulated: the histogram stays empty, so
//     LatencyP50/P90/P99 are NaN (null in reports).
//
// What it cannot do: anything that follows an individual request —
// durations for Duration alarms, user ids, recorded durations, the
// execution model; see batchRules.
//
// Common random numbers: the cell counts come from their own stream in cell
// order, independent of where control events fall (the bucket grid is the
// model's and the seed's, never the strategy's), so every strategy of a
// model and seed sees the same arrivals per cell (the same Requests), as
// under the per-request engine. Routing and outcome draws are not coupled
// across strategies.

// Stream names of the batched engine, apart from the per-request ones so that
// choosing an engine never shifts another component's draws.
const (
	streamBatchCounts   = "batched.counts"   // one Poisson count per cell
	streamBatchSplit    = "batched.split"    // splits of a cell at control events
	streamBatchRouting  = "batched.routing"  // target's share of a span
	streamBatchOutcomes = "batched.outcomes" // timeouts and errors of a span
	streamBatchLatency  = "batched.latency"  // longest duration of a span
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
	fails func(*Model, trafficProbe) bool
}{
	{whyDuration, func(m *Model, _ trafficProbe) bool { return readsDuration(m) }},
	{whyExec, func(m *Model, _ trafficProbe) bool { return m.Exec != nil }},
	{"the traffic source has no expected count (MeanCount)", func(_ *Model, p trafficProbe) bool { return !p.meanCount }},
	{"the traffic carries user ids", func(_ *Model, p trafficProbe) bool { return p.users }},
}

const (
	whyDuration = "an alarm reads the Duration metric, which needs every request's latency"
	whyExec     = "the execution model (concurrency, cold starts, throttles) follows every request"
)

// batchable reports whether the batched engine can simulate m exactly, and
// why not when it cannot. It depends on the model alone (it builds a
// throwaway traffic source), so a caller running many seeds of one model
// may decide once.
func batchable(m *Model) (ok bool, why string) {
	p := probeTraffic(m)
	for _, r := range batchRules {
		if r.fails(m, p) {
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

// trafficProbe is what the batched engine needs to know of a model's
// traffic, read from its Spec: no arrival is drawn.
type trafficProbe struct {
	meanCount bool // its rate is known in advance (traffic.Spec.Intensity)
	users     bool // its arrivals carry user ids
}

// probeTraffic reads what the batched engine needs from m's traffic spec.
// A source with an intensity draws its arrivals, so they carry no recorded
// durations; only the users wrapper stamps them.
func probeTraffic(m *Model) trafficProbe {
	_, err := m.Traffic.Intensity(m.Horizon)
	return trafficProbe{meanCount: err == nil, users: m.Traffic.Users > 0}
}

// batcher is the state of the batched engine within one run: a cursor, the
// open count cell and its own generators. The runner keeps everything else
// (weights, rates, metric buckets, totals), exactly as for requests.
type batcher struct {
	mean    meanCounter
	step    int64 // Δ, ns: the run's metric bucket width
	grid    int64 // where cell 0 starts: the metric buckets' grid (≤ 0)
	horizon int64

	pos     int64 // everything before pos has been simulated
	cellEnd int64 // end of the open cell; == pos when none is open
	left    int64 // arrivals of the open cell in [pos, cellEnd) not yet handed out

	counts                   *poissonSampler // the cells' counts
	split, routing, outcomes *rand.PCG
	latency                  *rand.Rand

	laws [2]latencyLaw // each version's, for the parameters last seen
	// unseen[v] is version v's requests under laws[v] whose longest
	// duration is not drawn yet: ok ones (under the timeout), slow ones.
	unseen [2][2]int64
}

// newBatcher returns the batched engine for r, or an error when r's model
// needs per-request state that r itself shows (Duration alarms, the
// execution model, a source without MeanCount). What only the arrivals
// show (user ids, recorded durations) is batchable's to check.
func newBatcher(r *runner) (*batcher, error) {
	if r.needDur {
		return nil, fmt.Errorf("batched engine: %s", whyDuration)
	}
	if r.exec != nil {
		return nil, fmt.Errorf("batched engine: %s", whyExec)
	}
	mc, ok := r.src.(meanCounter)
	if !ok {
		return nil, fmt.Errorf("batched engine: traffic source %T has no MeanCount", r.src)
	}
	seed := r.m.Seed
	b := &batcher{
		mean:     mc,
		step:     r.bucketNs,
		grid:     r.grid,
		horizon:  int64(r.m.Horizon),
		counts:   newPoissonSampler(NewStream(seed, streamBatchCounts)),
		split:    NewStream(seed, streamBatchSplit),
		routing:  NewStream(seed, streamBatchRouting),
		outcomes: NewStream(seed, streamBatchOutcomes),
		latency:  rand.New(NewStream(seed, streamBatchLatency)),
	}
	for v := range b.laws {
		b.laws[v].mu = math.NaN() // equal to nothing: computed on first use
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
			end := min(b.grid+((b.pos-b.grid)/b.step+1)*b.step, b.horizon)
			b.left = b.counts.draw(b.mean.MeanCount(seconds(b.pos), seconds(end)))
			b.cellEnd = end
		}
		end := min(b.cellEnd, until)
		k := b.left
		if end < b.cellEnd {
			k = 0
			if whole := b.mean.MeanCount(seconds(b.pos), seconds(b.cellEnd)); whole > 0 {
				k = binomial(b.left, b.mean.MeanCount(seconds(b.pos), seconds(end))/whole, b.split)
			}
		}
		n += k
		b.left -= k
		b.pos = end
	}
	b.spend(r, n)
}

// spend routes the n arrivals of one span and draws their outcomes,
// updating the run's totals and open metric bucket as request would.
func (b *batcher) spend(r *runner, n int64) {
	if n == 0 {
		return
	}
	target := binomial(n, r.weight, b.routing)
	for v, k := range [2]int64{n - target, target} {
		if k == 0 {
			continue
		}
		law := b.law(r, v)
		errRate, hang := r.errRate[v], r.hang[v]
		if r.segment[v] > 0 {
			// Without user ids no request belongs to the segment.
			errRate, hang = r.baseErr[v], 0
		}
		timeouts := binomial(k, law.pSlow+(1-law.pSlow)*hang, b.outcomes)
		errors := binomial(k-timeouts, errRate, b.outcomes)
		t := &r.tot[v]
		t.requests += k
		t.failed += timeouts + errors
		t.timeouts += timeouts
		t.errors += errors
		t.billedMs += float64(k-timeouts)*law.okBilledMs + float64(timeouts)*math.Ceil(law.timeoutMs)
		b.unseen[v][0] += k - timeouts
		b.unseen[v][1] += timeouts
		a := &r.cur[v]
		a.inv += k
		a.errs += timeouts + errors
	}
}

// latencyLaw is what the batched engine needs of a version's duration law
// ln(seconds) ~ Normal(mu, sig) under a timeout.
type latencyLaw struct {
	mu, sig, lnTimeout float64 // the parameters it was computed from
	cut                float64 // (ln timeout − mu)/sig: durations below the timeout are Z < cut
	pSlow              float64 // P(duration ≥ timeout)
	okBilledMs         float64 // E[billed ms] of a request that does not time out
	timeoutMs          float64 // the duration of a request that times out
}

// law returns version v's latency law for the parameters in force; they
// change only with faults, so it is nearly always the cached one.
func (b *batcher) law(r *runner, v int) *latencyLaw {
	l := &b.laws[v]
	mu, sig, lt := r.mu[v], math.Abs(r.sig[v]), r.lnTimeout[v] // mu + sig·Z has the law of mu + |sig|·Z
	if l.mu == mu && l.sig == sig && l.lnTimeout == lt {
		return l
	}
	b.drawLongest(r, v) // the requests under the law that ends
	*l = latencyLaw{mu: mu, sig: sig, lnTimeout: lt, timeoutMs: r.timeout[v] * 1000}
	if math.IsInf(l.timeoutMs, 1) {
		l.timeoutMs = DefaultFunctionTimeout.Seconds() * 1000 // a hang waits for Lambda's default
	}
	switch {
	case sig == 0:
		l.cut = math.Inf(1)
		if mu >= lt {
			l.cut, l.pSlow = math.Inf(-1), 1
		}
		l.okBilledMs = math.Ceil(math.Exp(mu) * 1000)
	default:
		l.cut = (lt - mu) / sig
		l.pSlow = distuv.UnitNormal.Survival(l.cut)
		// E[e^X | X < ln T] for X ~ Normal(mu, sig²): the lognormal's
		// partial expectation e^(mu+sig²/2)·Φ(cut − sig) over Φ(cut).
		if below := distuv.UnitNormal.CDF(l.cut); below > 0 {
			l.okBilledMs = 1000*math.Exp(mu+sig*sig/2)*distuv.UnitNormal.CDF(l.cut-sig)/below + 0.5
		}
	}
	return l
}

// drawLongest folds the longest duration of version v's requests not yet
// seen under laws[v] into its LatencyMax. Drawn once per law rather than
// once per span: the longest of the spans' longest durations is the longest
// of all their requests, which under one law is one draw for their summed
// counts (F^a·F^b = F^(a+b)), the same distribution for a fraction of the
// draws.
func (b *batcher) drawLongest(r *runner, v int) {
	ok, slow := b.unseen[v][0], b.unseen[v][1]
	if ok+slow == 0 {
		return
	}
	b.unseen[v] = [2]int64{}
	t := &r.tot[v]
	t.latencyMax = max(t.latencyMax, b.longest(&b.laws[v], ok, slow))
}

// finish draws what is still pending at the end of the run.
func (b *batcher) finish(r *runner) {
	for v := range b.laws {
		b.drawLongest(r, v)
	}
}

// longest draws the longest duration (ms) among ok requests that finished
// under the timeout and slow ones that hit it, as request's latencyMax
// would see it (no init time: the execution model is off).
func (b *batcher) longest(l *latencyLaw, ok, slow int64) float64 {
	worst := 0.0
	if slow > 0 {
		worst = l.timeoutMs
		if !math.IsInf(l.lnTimeout, 1) {
			return worst // every ok request finished under the timeout
		}
	}
	if ok == 0 {
		return worst
	}
	if l.sig == 0 {
		return max(worst, math.Exp(l.mu)*1000)
	}
	// The longest of ok durations below the timeout has CDF (Φ(z)/Φ(cut))^ok
	// in z: z = Φ⁻¹(U^(1/ok)·Φ(cut)), computed from its upper tail so that
	// large counts (U^(1/ok) near 1) keep their precision.
	u := (float64(b.latency.Uint64()>>11) + 0.5) * 0x1p-53 // in (0, 1)
	tail := distuv.UnitNormal.Survival(l.cut) + distuv.UnitNormal.CDF(l.cut)*-math.Expm1(math.Log(u)/float64(ok))
	z := -distuv.UnitNormal.Quantile(tail)
	return max(worst, math.Exp(l.mu+l.sig*z)*1000)
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }

// RunBatched simulates one deployment of strategy s in model m with the
// batched engine, whatever m.Engine says; it fails when m needs per-request
// state (see batchRules).
func RunBatched(m *Model, s Strategy) (*Result, error) {
	if ok, why := batchable(m); !ok {
		return nil, fmt.Errorf("batched engine: %s", why)
	}
	pm := *m
	pm.Engine = PerRequest // checked above: newRunner need not probe the traffic again
	r, err := newRunner(&pm, s)
	if err != nil {
		return nil, err
	}
	if r.bat, err = newBatcher(r); err != nil {
		return nil, err
	}
	return r.run()
}
