package sim

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/traffic"
)

var z99 = distuv.UnitNormal.Quantile(0.99)

// batch is how many arrivals are fetched from the source per call.
const batch = 1024

// acc accumulates one version's metrics over one bucket of time.
type acc struct {
	inv, errs, thr int64
	conc           int     // highest concurrency seen
	durSum         float64 // ms
	durMin, durMax float64 // ms
}

func (a *acc) reset() { *a = acc{durMin: math.Inf(1), durMax: math.Inf(-1)} }

// totals counts one version's requests over the whole run.
type totals struct {
	requests, failed            int64 // every request routed to the version
	errors, timeouts, throttles int64 // failed, by cause
	cold                        int64 // cold starts
	billedMs, pcBilledMs        float64
	latency                     histogram // client-visible latency (init + duration), ms
	latencyMax                  float64
}

// runner is one simulated deployment.
type runner struct {
	m     *Model
	strat Strategy
	q     queue
	now   int64

	// the request path
	bat       *batcher // the batched engine; nil: requests draws every request
	src       traffic.Source
	buf       []traffic.Arrival
	bi, bn    int
	routing   *rand.Rand
	errs      *rand.Rand
	lat       *rand.Rand
	weight    float64    // fraction of requests routed to the target
	errRate   [2]float64 // in force now (faults applied)
	mu, sig   [2]float64
	timeout   [2]float64 // seconds; +Inf when none
	lnTimeout [2]float64 // ln(timeout)
	needDur   bool       // whether some alarm reads the Duration metric
	baseErr   [2]float64 // error rate without faults (a segment fault's other users)
	hang      [2]float64 // probability a request hangs until the timeout
	segment   [2]float64 // fraction of users a fault is confined to; 0: all
	faultRng  *rand.Rand
	initLn    [2]faults.Lognormal
	tot       [2]totals
	cur       [2]acc // the open bucket
	samples   bool   // whether some alarm needs Duration percentiles
	curDur    [2][]float64
	bucketNs  int64
	// grid is where bucket 0 starts: the poll phase's minute boundary at or
	// before t = 0, so bucket numbers are never negative.
	grid  int64
	phase int64 // the run's poll phase
	open  int64 // when the open bucket began

	// Lambda's execution model (nil: unlimited warm capacity)
	exec     *Execution
	pools    [2]pool
	tokens   float64
	tokensAt int64
	limit    int
	initRng  *rand.Rand
	ttl      int64
	users    bitset // users seen
	hurt     bitset // users with a failed request
	recorded bool
	// concurrency met by arrivals (PASTA), and its peak
	concSeen, concArrivals, concPeak int64

	// closed buckets, a ring indexed by bucket number
	ring    [][2]acc
	ringDur [][2][]float64

	// alarms
	evalStep int64
	alarms   []alarmState
	points   []float64 // scratch: one evaluation range
	values   []float64 // scratch: query datapoints of one period
	pctBuf   []float64 // scratch: merged samples for a percentile

	// deployment
	drv        *deploy.Driver // the controller; its actions are carried out by act
	tickAt     int64
	hooks      *rand.Rand
	res        *Result
	phaseStart int64
	phaseTot   [2]totals

	gates []simGate // the plan's metric gates (gate.go)

	stepActs []deploy.Action // backing store of Result.Steps' actions (last: the hot fields keep their places)
}

type alarmState struct {
	state alarm.State
	seen  bool // delivered to CodeDeploy at least once
}

// Run simulates one deployment of strategy s in model m.
func Run(m *Model, s Strategy) (*Result, error) {
	r, err := newRunner(m, s)
	if err != nil {
		return nil, err
	}
	if c, ok := r.src.(io.Closer); ok {
		defer c.Close() // a recording's file
	}
	if err := r.loop(); err != nil {
		return nil, err
	}
	// A recording can only end early on a bad record; say so.
	if e, ok := r.src.(interface{ Err() error }); ok && e.Err() != nil {
		return nil, e.Err()
	}
	r.finish()
	return r.res, nil
}

func newRunner(m *Model, s Strategy) (*runner, error) {
	if m.Horizon <= 0 {
		return nil, fmt.Errorf("horizon %v must be > 0", m.Horizon)
	}
	r := &runner{m: m, strat: s, tickAt: -1}
	src, err := m.Traffic.Open(NewStream(m.Seed, streamArrivals), m.Horizon)
	if err != nil {
		return nil, err
	}
	r.src = src
	r.buf = make([]traffic.Arrival, batch)
	r.routing = rand.New(NewStream(m.Seed, streamRouting))
	r.errs = rand.New(NewStream(m.Seed, streamErrors))
	r.lat = rand.New(NewStream(m.Seed, streamLatency))
	r.hooks = rand.New(NewStream(m.Seed, streamHooks))
	r.recorded = m.RecordedLatency
	r.faultRng = rand.New(NewStream(m.Seed, streamFaults))
	if m.Exec != nil {
		e := m.Exec
		r.exec = e
		r.initRng = rand.New(NewStream(m.Seed, streamInit))
		r.limit = e.AccountConcurrency
		if e.HasReserved {
			r.limit = e.ReservedConcurrency
		}
		r.tokens = e.ScalingBurst
		r.ttl = int64(e.IdleTimeout)
		for v := 0; v < 2; v++ {
			r.pools[v].pcFree = e.Provisioned[v]
		}
		if e.Provisioned[0]+e.Provisioned[1] > r.limit {
			return nil, fmt.Errorf("provisioned concurrency %d exceeds the concurrency limit %d", e.Provisioned[0]+e.Provisioned[1], r.limit)
		}
	}
	r.phase = int64(m.RunPhase())
	r.res = &Result{Strategy: s.Name, DeploymentStart: m.DeployStart, Status: deploy.Status("Created"),
		PollPhase: time.Duration(r.phase), PollPhaseRandom: m.PollPhase.Random}

	// Metric buckets: Lambda publishes at one-minute granularity; alarms
	// with 10/20/30-second periods need finer buckets.
	r.bucketNs = int64(time.Minute)
	r.evalStep = int64(time.Minute)
	maxSpan := int64(0)
	for _, a := range m.Alarms {
		p := int64(a.Period)
		if p <= 0 {
			return nil, fmt.Errorf("alarm %s: period %v must be > 0", a.Name, a.Period)
		}
		r.bucketNs = gcd(r.bucketNs, p)
		if p < int64(time.Minute) {
			r.evalStep = int64(10 * time.Second) // "If the alarm period is 10 seconds or 30 seconds, the alarm is evaluated every 10 seconds."
		}
		span := p * int64(rangeOf(a.Rule))
		maxSpan = max(maxSpan, span)
		for _, q := range a.Queries {
			if q.Metric == Duration {
				r.needDur = true
				if q.Stat.Kind == alarm.Percentile {
					r.samples = true
				}
			}
		}
		r.alarms = append(r.alarms, alarmState{state: a.Initial})
	}
	gspan, err := r.setupGates()
	if err != nil {
		return nil, err
	}
	maxSpan = max(maxSpan, gspan)
	r.bucketNs = gcd(r.bucketNs, r.evalStep)
	if o := r.phase % int64(time.Minute); o > 0 {
		r.grid = o - int64(time.Minute)
	}
	n := (maxSpan+int64(m.MetricDelay))/r.bucketNs + 2
	r.ring = make([][2]acc, n)
	if r.samples {
		r.ringDur = make([][2][]float64, n)
	}
	for i := range r.ring {
		r.ring[i][0].reset()
		r.ring[i][1].reset()
	}
	r.cur[0].reset()
	r.cur[1].reset()
	maxR, maxQ := 0, 0
	for _, a := range m.Alarms {
		maxR = max(maxR, rangeOf(a.Rule))
		maxQ = max(maxQ, len(a.Queries))
		if a.Math != nil {
			maxQ = max(maxQ, a.Math.Len())
		}
	}
	r.points = make([]float64, maxR)
	r.values = make([]float64, maxQ)

	r.applyFaults(0)
	hooks := make([]deploy.Hook, 0, len(m.Hooks))
	if s.Config.LifecycleHooks() { // AppConfig strategies have no CodeDeploy hooks
		for _, h := range m.Hooks {
			hooks = append(hooks, h.Name)
		}
	}
	names := make([]string, len(m.Alarms))
	for i, a := range m.Alarms {
		names[i] = a.Name
	}
	plan := s.Config.Plan(m.Linear)
	drv, err := deploy.NewDriver(deploy.Config{
		Plan:         plan,
		Hooks:        hooks,
		HookTimeout:  m.HookTimeout,
		Alarms:       names,
		AutoRollback: m.AutoRollback,
		Gates:        Gates(s.Config),
		Rollout:      rolloutOf(s.Config),
	}, r, r.observe)
	if err != nil {
		return nil, err
	}
	r.drv = drv
	// A run's steps: one per weight step, hook and alarm, a rollback and a finish.
	nSteps := len(plan.Steps) + 2*len(hooks) + 4
	r.res.Steps, r.stepActs = make([]deploy.Record, 0, nSteps), make([]deploy.Action, 0, nSteps+2)

	// Control events known in advance.
	for _, t := range m.Faults.Changes(m.Horizon) {
		if t > 0 && t < m.Horizon {
			r.q.push(int64(t), evFault, 0)
		}
	}
	r.q.push(r.firstAfterZero(r.bucketNs), evBucket, 0)
	if len(m.Alarms) > 0 {
		r.q.push(r.firstAfterZero(r.evalStep), evEval, 0)
	}
	if m.DeployStart < m.Horizon {
		r.q.push(int64(m.DeployStart), evDeployStart, 0)
	}
	if m.Engine != PerRequest {
		ok, why := batchable(m)
		if ok {
			ok, why = gatesBatchable(s)
		}
		if ok {
			if r.bat, err = newBatcher(r); err != nil {
				return nil, err
			}
		} else if m.Engine == Batched {
			return nil, fmt.Errorf("the batched engine cannot simulate this model: %s (use --engine per-request or auto)", why)
		}
	}
	return r, nil
}

// firstAfterZero is the first boundary of the grid of step after t = 0.
func (r *runner) firstAfterZero(step int64) int64 {
	return r.grid + (-r.grid/step+1)*step
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func rangeOf(r alarm.Rule) int {
	if r.EvaluationRange > 0 {
		return r.EvaluationRange
	}
	return alarm.DefaultRange(r.EvaluationPeriods)
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
		e := r.m.Faults.At(v, time.Duration(t), ver.ErrorRate)
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

func (r *runner) loop() error {
	horizon := int64(r.m.Horizon)
	for {
		next := horizon
		if r.q.len() > 0 && r.q.top() < next {
			next = r.q.top()
		}
		if r.bat != nil {
			r.bat.advance(r, next)
		} else {
			r.requests(next)
		}
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

// requests simulates every arrival before until. This is the hot path: one
// routing draw, one standard normal and one uniform per request, whatever
// the version, so that the same request meets the same dice under every
// strategy (common random numbers), and the latency of both versions is the
// lognormal exp(Mu + Sigma·z) of the same z.
func (r *runner) requests(until int64) {
	buf, i, n := r.buf, r.bi, r.bn
	w := r.weight
	routing, lat, errs := r.routing, r.lat, r.errs
	for {
		if i == n {
			n = r.src.Fill(buf)
			i = 0
			if n == 0 {
				buf[0].At = math.MaxInt64
				n = 1
			}
		}
		a := &buf[i]
		if a.At >= until {
			break
		}
		i++
		v := 0
		if routing.Float64() < w {
			v = 1
		}
		// x = ln(duration in seconds) of the handler.
		x := r.mu[v] + r.sig[v]*lat.NormFloat64()
		if r.recorded && a.Duration > 0 {
			// The current version behaves as recorded; the target as
			// recorded, scaled by the ratio of the versions' medians.
			x = math.Log(float64(a.Duration)) + r.mu[v] - r.mu[Current]
		}
		r.request(v, a.At, x, errs.Float64(), a.User)
	}
	r.bi, r.bn = i, n
}

// request serves one request routed to version v at t, whose handler would
// run exp(x) seconds; u is its error draw.
func (r *runner) request(v int, t int64, x, u float64, user uint32) {
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
		ms = math.Exp(x) * 1000
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

// acquire finds an execution environment of version v at t for a request
// whose handler runs ms: a provisioned one, an idle one, or a new one (a
// cold start, if the concurrency limit and the scaling rate allow it).
func (r *runner) acquire(v int, t int64, ms float64) (ok, onPC bool, initMs float64) {
	e := r.exec
	for i := range r.pools {
		r.pools[i].release(t, r.ttl)
	}
	busy := int64(r.pools[0].concurrency() + r.pools[1].concurrency())
	r.concSeen += busy
	r.concArrivals++
	p := &r.pools[v]
	switch {
	case p.pcFree > 0:
		p.pcFree--
		p.pcBusy = heapPush(p.pcBusy, t+int64(ms*1e6))
		onPC = true
	case len(p.idle) > p.idleOff:
		p.idle = p.idle[:len(p.idle)-1]
		p.busy = heapPush(p.busy, t+int64(ms*1e6))
	default:
		if r.pools[0].concurrency()+r.pools[1].concurrency() >= r.limit {
			return false, false, 0
		}
		r.tokens = min(e.ScalingBurst, r.tokens+e.ScalingRate*float64(t-r.tokensAt)/1e9)
		r.tokensAt = t
		if r.tokens < 1 {
			return false, false, 0
		}
		r.tokens--
		in := r.initLn[v]
		initMs = math.Exp(in.Mu+in.Sigma*r.initRng.NormFloat64()) * 1000
		r.tot[v].cold++
		p.busy = heapPush(p.busy, t+int64((initMs+ms)*1e6))
	}
	if c := p.concurrency(); c > r.cur[v].conc {
		r.cur[v].conc = c
	}
	r.concPeak = max(r.concPeak, int64(r.pools[0].concurrency()+r.pools[1].concurrency()))
	return true, onPC, initMs
}

func (r *runner) handle(e event) error {
	switch e.kind {
	case evFault:
		r.applyFaults(e.at)
		r.logf(KindFault, "", "fault: version %s error rate %g, version %s error rate %g", r.m.Versions[0].Name, r.errRate[0], r.m.Versions[1].Name, r.errRate[1])
	case evBucket:
		r.closeBucket()
		r.q.push(e.at+r.bucketNs, evBucket, 0)
	case evDeployTick:
		if e.at == r.tickAt {
			r.tickAt = -1
			r.step(deploy.Event{Kind: deploy.Tick})
		}
	case evHookReport:
		h := r.m.Hooks[e.arg>>1]
		verdict := "Succeeded"
		if e.arg&1 == 0 {
			verdict = "Failed"
		}
		r.logf(KindHook, string(h.Name), "%s hook reports %s", h.Name, verdict)
		r.step(deploy.Event{Kind: deploy.HookResult, Hook: h.Name, Succeeded: e.arg&1 == 1})
	case evEval:
		r.evaluate()
		r.q.push(e.at+r.evalStep, evEval, 0)
	case evPoll:
		if r.drv.Status().Active() {
			r.poll()
			r.q.push(e.at+int64(r.m.AlarmPollInterval), evPoll, 0)
		}
	case evMeasure, evPromote:
		r.handleGate(e)
	case evDeployStart:
		r.poll()
		r.step(deploy.Event{Kind: deploy.Start})
		if iv := int64(r.m.AlarmPollInterval); iv > 0 {
			first := r.phase % iv
			if first == 0 {
				first = iv
			}
			r.q.push(e.at+first, evPoll, 0)
		}
	}
	return nil
}

// poll delivers every alarm's state to the controller, as CodeDeploy's
// DescribeAlarms poll would.
func (r *runner) poll() {
	for i := range r.alarms {
		r.alarms[i].seen = true
		r.step(deploy.Event{Kind: deploy.AlarmState, Alarm: i, InAlarm: r.trips(r.alarms[i].state)})
	}
}

// trips reports whether an alarm in state st stops the deployment: ALARM
// always; INSUFFICIENT_DATA too for an AppConfig strategy that asks for it
// (docs/plans.md).
func (r *runner) trips(st alarm.State) bool {
	return st == alarm.Alarm || (st == alarm.InsufficientData && r.strat.Config.InsufficientDataRollsBack)
}

// step feeds the controller and carries out its actions.
func (r *runner) step(ev deploy.Event) {
	if ev.Kind == deploy.Start {
		r.logf(KindDeployment, "InProgress", "deployment %s starts: %s moves from version %s to %s", r.strat.Name, r.aliasName(), r.m.Versions[Current].Name, r.m.Versions[Target].Name)
	}
	r.drv.Run(time.Duration(r.now), ev) // act does not fail
	if at, ok := r.drv.Deadline(); ok && int64(at) != r.tickAt {
		if int64(at) < r.now {
			at = time.Duration(r.now)
		}
		r.tickAt = int64(at)
		r.q.push(int64(at), evDeployTick, 0)
	}
}

// Apply carries out a controller action on the simulated alias: the
// simulator's deploy.Applier.
func (r *runner) Apply(a deploy.Action) error {
	r.act(a)
	return nil
}

// observe keeps the controller's steps that yielded actions (Result.Steps),
// their actions copied into one buffer sized for a whole run.
func (r *runner) observe(rec deploy.Record) error {
	if len(rec.Actions) > 0 || rec.Event.Kind == deploy.Measurement || rec.Event.Kind == deploy.Promote {
		i := len(r.stepActs)
		r.stepActs = append(r.stepActs, rec.Actions...)
		rec.Actions = r.stepActs[i:len(r.stepActs):len(r.stepActs)]
		r.res.Steps = append(r.res.Steps, rec)
	}
	return nil
}

func (r *runner) act(a deploy.Action) {
	switch a.Kind {
	case deploy.SetWeight:
		r.setWeight(a.Percent / 100)
		if a.Percent == 100 {
			if r.res.FullShift == nil {
				r.res.FullShift = ptr(time.Duration(r.now))
			}
			r.logf(KindWeight, "", "UpdateAlias %s: FunctionVersion %s, no additional version (100%% to %s)%s", r.aliasName(), r.m.Versions[1].Name, r.m.Versions[1].Name, r.strat.Config.BakeNote())
		} else {
			r.logf(KindWeight, "", "UpdateAlias %s: version %s weight %s%%", r.aliasName(), r.m.Versions[1].Name, deploy.FormatPercent(a.Percent))
		}
	case deploy.Rollback:
		r.setWeight(0)
		r.res.RolledBack = true
		r.logf(KindRollback, "", "rollback: UpdateAlias %s: FunctionVersion %s, no additional version", r.aliasName(), r.m.Versions[0].Name)
	case deploy.InvokeHook:
		r.invokeHook(a.Hook)
	case deploy.Measure, deploy.Pause:
		r.actGate(a)
	case deploy.Finish:
		r.res.Status = a.Status
		r.res.End = ptr(time.Duration(r.now))
		if r.res.RolledBack || a.Status != "Succeeded" {
			r.res.RollbackCause = a.Cause
		}
		// A hook failure is detected when it is reported; an alarm that was
		// already in ALARM before the deployment started, when CodeDeploy
		// reads it at the start.
		if a.Cause != "" && a.Cause != deploy.CauseManual && r.res.Detected == nil {
			r.res.Detected = ptr(time.Duration(r.now))
		}
		r.logf(KindDeployment, string(a.Status), "deployment %s: %s", r.strat.Name, strings.Join(slices.DeleteFunc([]string{string(a.Status), a.ErrorCode, a.Cause}, func(s string) bool { return s == "" }), " "))
	}
}

func (r *runner) aliasName() string { return r.m.Function + ":" + r.m.Alias }

func (r *runner) setWeight(w float64) {
	if w == r.weight {
		return
	}
	r.closePhase()
	r.weight = w
}

func (r *runner) closePhase() {
	p := Phase{
		From:           time.Duration(r.phaseStart),
		To:             time.Duration(r.now),
		Weight:         r.weight,
		Requests:       r.tot[0].requests + r.tot[1].requests - r.phaseTot[0].requests - r.phaseTot[1].requests,
		TargetRequests: r.tot[1].requests - r.phaseTot[1].requests,
		TargetFailed:   r.tot[1].failed - r.phaseTot[1].failed,
		Failed:         r.tot[0].failed + r.tot[1].failed - r.phaseTot[0].failed - r.phaseTot[1].failed,
	}
	if p.To > p.From {
		r.res.Phases = append(r.res.Phases, p)
	}
	r.phaseStart = r.now
	r.phaseTot = r.tot
}

// invokeHook runs a lifecycle hook: it decides now, with one draw, whether
// the hook's tests catch a fault present in the target at this moment, and
// schedules its report after its duration.
func (r *runner) invokeHook(name deploy.Hook) {
	idx := -1
	for i, h := range r.m.Hooks {
		if h.Name == name {
			idx = i
		}
	}
	u := r.hooks.Float64()
	if idx < 0 {
		return
	}
	h := r.m.Hooks[idx]
	faulty := r.targetFaulty(r.now)
	ok := !(faulty && u < h.CatchProbability)
	at := r.now + int64(h.Duration)
	if h.Timeout > 0 && h.Duration >= h.Timeout {
		ok, at = false, r.now+int64(h.Timeout) // never reported in time
	}
	arg := int32(idx << 1)
	if ok {
		arg |= 1
	}
	health := "healthy"
	if faulty {
		health = "faulty"
	}
	r.logf(KindHook, string(name), "invoke %s hook (runs %v; target is %s)", name, h.Duration, health)
	r.q.push(at, evHookReport, arg)
}

// targetFaulty reports whether the target version is worse than the current
// one at t: a fault hits it, or its configured error rate is higher.
func (r *runner) targetFaulty(t int64) bool {
	if r.m.Faults.AnyActive(Target, time.Duration(t)) {
		return true
	}
	return r.m.Versions[Target].ErrorRate > r.m.Versions[Current].ErrorRate
}

func (r *runner) closeBucket() {
	b := (r.now-r.grid)/r.bucketNs - 1 // the bucket that just ended
	i := int(b % int64(len(r.ring)))
	bk := Bucket{Start: time.Duration(max(0, r.grid+b*r.bucketNs))}
	for v := 0; v < 2; v++ {
		bk.Requests[v] = r.cur[v].inv + r.cur[v].thr
		bk.Failed[v] = r.cur[v].errs + r.cur[v].thr
	}
	r.res.Buckets = append(r.res.Buckets, bk)
	r.open = r.now
	r.ring[i] = r.cur
	r.cur[0].reset()
	r.cur[1].reset()
	if r.samples {
		for v := 0; v < 2; v++ {
			r.ringDur[i][v], r.curDur[v] = r.curDur[v], r.ringDur[i][v][:0]
		}
	}
}

// bucketAt returns the closed bucket number b if the ring still holds it.
func (r *runner) bucketAt(b int64) (*[2]acc, int) {
	i := int(b % int64(len(r.ring)))
	return &r.ring[i], i
}

// evaluate runs every alarm's evaluation at r.now.
func (r *runner) evaluate() {
	for ai := range r.m.Alarms {
		a := &r.m.Alarms[ai]
		rr := rangeOf(a.Rule)
		pts := r.points[:rr]
		newest, low := false, false
		for k := 0; k < rr; k++ {
			end := r.now - int64(k)*int64(a.Period)
			v, n := r.datapoint(a, end-int64(a.Period), end)
			pts[rr-1-k] = v
			if !newest && !math.IsNaN(v) {
				// The newest datapoint decides whether a percentile
				// alarm has too few samples (docs/cloudwatch.md).
				newest, low = true, a.LowSample.Holds(a.Queries[0].Stat, float64(n))
			}
		}
		st := &r.alarms[ai]
		if low {
			continue // EvaluateLowSampleCountPercentile: ignore keeps the state
		}
		next := a.Rule.Evaluate(pts, st.state)
		if next != st.state {
			// The reason is worth its string only when the state changes.
			_, why := a.Rule.Explain(pts, st.state)
			r.logf(KindAlarm, a.Name, "alarm %s: %s -> %s (%s)", a.Name, st.state, next, why)
			e := &r.res.Timeline[len(r.res.Timeline)-1]
			e.From, e.To = st.state.String(), next.String()
			st.state = next
			if next == alarm.Alarm && r.now >= int64(r.m.DeployStart) && r.res.Detected == nil {
				r.res.Detected = ptr(time.Duration(r.now))
			}
			if r.m.AlarmPollInterval == 0 && r.drv.Status().Active() {
				r.step(deploy.Event{Kind: deploy.AlarmState, Alarm: ai, InAlarm: r.trips(next)})
			}
		}
	}
}

// datapoint is alarm a's value for the period [from, to) as visible at
// r.now, NaN when there is none (no invocations, or not yet published), and
// for a single-metric alarm the number of samples it summarises.
func (r *runner) datapoint(a *Alarm, from, to int64) (float64, int64) {
	if a.Math == nil {
		return r.query(a.Queries[0], from, to)
	}
	for qi, q := range a.Queries {
		r.values[a.Math.Input(qi)], _ = r.query(q, from, to)
	}
	return a.Math.Eval(r.values[:a.Math.Len()]), 0
}

// query is a metric's datapoint for [from, to) and its sample count, with
// the statistics of package alarm.
func (r *runner) query(q Query, from, to int64) (float64, int64) {
	if from < r.grid {
		from = r.grid
	}
	var inv, errs, thr int64
	var sum float64
	mn, mx := math.Inf(1), math.Inf(-1)
	conc := 0
	pct := r.pctBuf[:0]
	for b := (from - r.grid) / r.bucketNs; r.grid+b*r.bucketNs < to; b++ {
		if r.grid+(b+1)*r.bucketNs+int64(r.m.MetricDelay) > r.now {
			break // not yet published
		}
		bk, i := r.bucketAt(b)
		c := 0
		for v := 0; v < 2; v++ {
			if q.Versions&(1<<v) == 0 {
				continue
			}
			x := &bk[v]
			inv += x.inv
			errs += x.errs
			thr += x.thr
			sum += x.durSum
			mn = min(mn, x.durMin)
			mx = max(mx, x.durMax)
			c += x.conc
			if q.Metric == Duration && q.Stat.Kind == alarm.Percentile {
				pct = append(pct, r.ringDur[i][v]...)
			}
		}
		conc = max(conc, c)
	}
	r.pctBuf = pct
	// Lambda publishes a datapoint for a period only when it had invocations
	// (or throttles): a quiet period is missing data, not zero. Count
	// metrics are one sample per invocation, 1 when the event happened and
	// 0 when not (so the Average of Errors is the error rate).
	switch q.Metric {
	case Invocations:
		return q.Stat.OfBinary(inv, inv), inv
	case Errors:
		return q.Stat.OfBinary(errs, inv), inv
	case Throttles:
		return q.Stat.OfBinary(thr, inv+thr), inv + thr
	case ConcurrentExecutions:
		// Published per minute as the peak; every statistic of one peak
		// per bucket is taken as that peak (a simplification).
		if inv+thr == 0 {
			return math.NaN(), 0
		}
		return float64(conc), inv + thr
	case Duration:
		if q.Stat.Kind == alarm.Percentile {
			slices.Sort(pct)
		}
		return q.Stat.OfSummary(alarm.Summary{SampleCount: float64(inv), Sum: sum, Minimum: mn, Maximum: mx}, pct), inv
	}
	return math.NaN(), 0
}

func (r *runner) finish() {
	r.closePhase()
	res := r.res
	// The bucket still open at the horizon, so that Buckets holds every request.
	bk := Bucket{Start: time.Duration(r.open)}
	for v := 0; v < 2; v++ {
		bk.Requests[v] = r.cur[v].inv + r.cur[v].thr
		bk.Failed[v] = r.cur[v].errs + r.cur[v].thr
	}
	if bk.Requests[0]+bk.Requests[1] > 0 {
		res.Buckets = append(res.Buckets, bk)
	}
	res.Status = r.drv.Status()
	res.Requests = r.tot[0].requests + r.tot[1].requests
	res.TargetRequests = r.tot[1].requests
	res.FailedRequests = r.tot[0].failed + r.tot[1].failed
	res.TargetFailedRequests = r.tot[1].failed
	res.Timeouts = r.tot[0].timeouts + r.tot[1].timeouts
	res.FinalWeight = r.weight
	for v := 0; v < 2; v++ {
		t := &r.tot[v]
		res.Versions[v] = VersionResult{
			Version: r.m.Versions[v].Name, Requests: t.requests, Failed: t.failed,
			Errors: t.errors, Timeouts: t.timeouts, Throttles: t.throttles, ColdStarts: t.cold,
			LatencyP50: t.latency.quantile(0.50), LatencyP90: t.latency.quantile(0.90), LatencyP99: t.latency.quantile(0.99),
			LatencyMax: t.latencyMax,
		}
	}
	res.Cost = r.cost()
	if r.exec != nil && r.concArrivals > 0 {
		res.Concurrency = &Concurrency{Mean: float64(r.concSeen) / float64(r.concArrivals), Peak: r.concPeak}
	}
	if n := r.users.count(); n > 0 {
		res.Users = n
		res.UsersAffected = r.hurt.count()
	}
	if slo := r.m.SLO; slo != nil && res.Requests > 0 {
		allowed := (1 - slo.Target) * float64(res.Requests) * slo.Window.Seconds() / r.m.Horizon.Seconds()
		res.SLOBudgetConsumed = ptr(float64(res.FailedRequests) / allowed)
	}
	for i, a := range r.m.Alarms {
		res.Alarms = append(res.Alarms, AlarmResult{Name: a.Name, State: r.alarms[i].state.String()})
	}
}

// cost prices the run: requests and GB-seconds of what was invoked (not
// throttled), plus provisioned concurrency for the whole horizon.
func (r *runner) cost() Cost {
	b := r.m.Billing
	mem := float64(b.MemoryMB) / 1024
	var c Cost
	var ms, pcMs float64
	for v := 0; v < 2; v++ {
		t := &r.tot[v]
		c.Requests += float64(t.requests-t.throttles) * b.Prices.Request
		ms += t.billedMs
		pcMs += t.pcBilledMs
	}
	c.GBSeconds = (ms + pcMs) / 1000 * mem
	c.Duration = ms/1000*mem*b.Prices.GBSecond[b.Arch] + pcMs/1000*mem*b.Prices.ProvisionedDuration
	if e := r.exec; e != nil {
		c.Provisioned = float64(e.Provisioned[0]+e.Provisioned[1]) * mem * r.m.Horizon.Seconds() * b.Prices.ProvisionedGBSecond
	}
	c.Total = c.Requests + c.Duration + c.Provisioned
	return c
}

func (r *runner) logf(kind EntryKind, subject, format string, a ...any) {
	r.res.Timeline = append(r.res.Timeline, Entry{At: time.Duration(r.now), Kind: kind, Subject: subject, Weight: r.weight, Text: fmt.Sprintf(format, a...)})
}

func ptr[T any](v T) *T { return &v }
