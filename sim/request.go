package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/traffic"
)

// requestPath is the runner's request path: the arrivals, the dice every
// request meets, and each version's parameters in force (faults applied).
type requestPath struct {
	src       traffic.Source
	buf       []traffic.Arrival
	bi, bn    int
	routing   *rand.PCG // concrete generators: no interface call per draw (unit)
	errs      *rand.PCG
	lat       *rand.Rand
	weight    float64    // fraction of requests routed to the target
	errRate   [2]float64 // in force now (faults applied)
	mu, sig   [2]float64
	timeout   [2]float64 // seconds; +Inf when none
	lnTimeout [2]float64 // ln(timeout)
	baseErr   [2]float64 // error rate without faults (a segment fault's other users)
	// faultIdx looks up the faults in force when there are many (a
	// replayed recording has one per version and minute); nil: they are
	// few, and scanned.
	faultIdx *faults.Index
	hang     [2]float64 // probability a request hangs until the timeout
	segment  [2]float64 // fraction of users a fault is confined to; 0: all
	faultRng *rand.Rand
	initLn   [2]faults.Lognormal
	recorded bool          // latency follows the stream's recorded durations
	draws    *requestDraws // scratch of requests, allocated with buf on first use
}

// initRequests opens the run's traffic and its request streams.
func (r *runner) initRequests() error {
	m := r.m
	src, err := m.Traffic.Open(NewStream(m.Seed, streamArrivals), m.Horizon)
	if err != nil {
		return err
	}
	r.src = src
	r.routing = NewStream(m.Seed, streamRouting)
	r.errs = NewStream(m.Seed, streamErrors)
	r.lat = rand.New(NewStream(m.Seed, streamLatency))
	r.recorded = m.RecordedLatency
	r.faultRng = rand.New(NewStream(m.Seed, streamFaults))
	return nil
}

// applyFaults sets the per-version parameters in force at t.
func (r *runner) applyFaults(t int64) {
	for v := 0; v < 2; v++ {
		ver := &r.m.Versions[v]
		r.baseErr[v] = ver.ErrorRate
		r.errRate[v] = ver.ErrorRate
		r.mu[v], r.sig[v] = ver.Latency.Mu, ver.Latency.Sigma
		r.timeout[v] = math.Inf(1)
		if ver.Timeout > 0 {
			r.timeout[v] = ver.Timeout.Seconds()
		}
		r.lnTimeout[v] = math.Log(r.timeout[v])
		if r.m.Exec != nil {
			r.initLn[v] = r.m.Exec.Init[v]
		}
		var e faults.Effect
		if r.faultIdx != nil {
			e = r.faultIdx.At(v, time.Duration(t), ver.ErrorRate)
		} else {
			e = r.m.Faults.At(v, time.Duration(t), ver.ErrorRate)
		}
		if e.Init != nil {
			r.initLn[v] = *e.Init
		}
		if e.ErrorRate != nil {
			r.errRate[v] = *e.ErrorRate
		}
		if e.Latency != nil {
			r.mu[v], r.sig[v] = e.Latency.Mu, e.Latency.Sigma
		}
		if e.LatencyScale > 0 {
			r.mu[v] += math.Log(e.LatencyScale)
		}
		r.hang[v] = e.HangRate
		r.segment[v] = e.Segment
	}
}

// requests simulates every arrival before until. This is the hot path: one
// routing draw, one standard normal and one uniform per request, whatever
// the version, so that the same request meets the same dice under every
// strategy (common random numbers), and the latency of both versions is the
// lognormal exp(Mu + Sigma·z) of the same z.
//
// The arrivals before until are taken a buffer's run at a time: each
// stream's draws for the run first (each stream is its own generator, read
// in arrival order, so every request gets the same draws as one at a time),
// then their durations, then the requests. Computed together, the
// exponentials do not wait on one another; one per request, each waited
// for the environment heaps of the request before it.
func (r *runner) requests(until int64) {
	if r.draws == nil {
		// On first use: the batched engine never needs them (the
		// arrival buffer alone was 16 KiB, 40 % of what a batched run
		// allocated).
		r.buf = make([]traffic.Arrival, batch)
		r.draws = new(requestDraws)
	}
	buf, i, n := r.buf, r.bi, r.bn
	w := r.weight
	routing, lat, errs := r.routing, r.lat, r.errs
	d := r.draws
	for {
		if i == n {
			n = r.src.Fill(buf)
			i = 0
			if n == 0 {
				buf[0].At = math.MaxInt64
				n = 1
			}
		}
		if buf[i].At >= until {
			break
		}
		j := i + 1
		for j < n && buf[j].At < until {
			j++
		}
		run := buf[i:j]
		for k := range run {
			d.v[k] = 0
			if unit(routing) < w {
				d.v[k] = 1
			}
		}
		for k := range run {
			d.x[k] = lat.NormFloat64()
		}
		for k := range run {
			d.u[k] = unit(errs)
		}
		for k := range run {
			v := d.v[k]
			// x = ln(duration in seconds) of the handler.
			x := r.mu[v] + r.sig[v]*d.x[k]
			if r.recorded && run[k].Duration > 0 {
				// The current version behaves as recorded; the target as
				// recorded, scaled by the ratio of the versions' medians.
				x = math.Log(float64(run[k].Duration)) + r.mu[v] - r.mu[Current]
			}
			d.x[k] = x
			d.ms[k] = math.Exp(x) * 1000
		}
		for k := range run {
			a := &run[k]
			r.request(int(d.v[k]), a.At, d.x[k], d.ms[k], d.u[k], a.User)
		}
		i = j
	}
	r.bi, r.bn = i, n
}

// requestDraws holds one buffer's run of requests' draws and durations.
type requestDraws struct {
	v  [batch]uint8   // version routed to
	x  [batch]float64 // ln(duration in seconds)
	ms [batch]float64 // exp(x) in ms: the duration unless it times out
	u  [batch]float64 // error draw
}

// request serves one request routed to version v at t, whose handler would
// run exp(x) seconds (expMs: that in milliseconds); u is its error draw.
func (r *runner) request(v int, t int64, x, expMs, u float64, user uint32) {
	tot := &r.tot[v]
	tot.requests++
	// The timeout test needs no exponential: duration >= timeout <=> x >= ln(timeout).
	timedOut := x >= r.lnTimeout[v]
	errRate, hang := r.errRate[v], r.hang[v]
	if seg := r.segment[v]; seg > 0 && !inSegment(user, seg) {
		errRate, hang = r.baseErr[v], 0 // the fault hits other users only
	}
	if hang > 0 && r.faultRng.Float64() < hang {
		timedOut = true // hangs until the function times out
	}
	ms := r.timeout[v] * 1000
	if math.IsInf(ms, 1) && timedOut {
		ms = DefaultFunctionTimeout.Seconds() * 1000
	}
	if !timedOut {
		ms = expMs
	}
	initMs := 0.0
	onPC := false
	if r.exec != nil {
		var ok bool
		ok, onPC, initMs = r.acquire(v, t, ms)
		if !ok {
			tot.throttles++
			tot.failed++
			r.cur[v].thr++
			if user != 0 {
				r.users.set(user)
				r.hurt.set(user)
			}
			return
		}
	}
	fail := false
	if timedOut {
		fail = true
		tot.timeouts++
	} else if u < errRate {
		fail = true
		tot.errors++
	}
	billed := math.Ceil(initMs + ms) // 1 ms granularity; init billed since 2025-08-01
	if onPC {
		tot.pcBilledMs += billed
	} else {
		tot.billedMs += billed
	}
	tot.latency.add(initMs + ms)
	if initMs+ms > tot.latencyMax {
		tot.latencyMax = initMs + ms
	}
	a := &r.cur[v]
	a.inv++
	if fail {
		tot.failed++
		a.errs++
	}
	if user != 0 {
		r.users.set(user)
		if fail {
			r.hurt.set(user)
		}
	}
	a.durSum += ms
	if ms < a.durMin {
		a.durMin = ms
	}
	if ms > a.durMax {
		a.durMax = ms
	}
	if r.samples {
		r.curDur[v] = append(r.curDur[v], ms)
	}
}

// inSegment reports whether user belongs to the first fraction of users,
// by a fixed hash; requests without a user id belong to no segment.
func inSegment(user uint32, fraction float64) bool {
	return user != 0 && float64(splitmix64(uint64(user))>>11)*0x1p-53 < fraction
}

// DefaultFunctionTimeout is Lambda's default function timeout, what a hung
// request waits when the scenario sets none.
const DefaultFunctionTimeout = 3 * time.Second

// unit is rand.New(g).Float64() — the same value from the same draw —
// without the call through the rand.Source interface.
func unit(g *rand.PCG) float64 { return float64(g.Uint64()<<11>>11) / (1 << 53) }
