package sim

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/deploy"
)

// acc accumulates one version's metrics over one bucket of time.
type acc struct {
	inv, errs, thr int64
	conc           int     // highest concurrency seen
	durSum         float64 // ms
	durMin, durMax float64 // ms
}

func (a *acc) reset() { *a = acc{durMin: math.Inf(1), durMax: math.Inf(-1)} }

// metrics is CloudWatch's side of the run: the open metric bucket, the
// closed ones still visible to alarms, and the alarms' states.
type metrics struct {
	cur      [2]acc // the open bucket
	samples  bool   // whether some alarm needs Duration percentiles
	needDur  bool   // whether some alarm reads the Duration metric
	curDur   [2][]float64
	bucketNs int64
	// grid is where bucket 0 starts: the poll phase's minute boundary at or
	// before t = 0, so bucket numbers are never negative.
	grid  int64
	phase int64 // the run's poll phase
	open  int64 // when the open bucket began

	// closed buckets, a ring indexed by bucket number
	ring    [][2]acc
	ringDur [][2][]float64

	// alarms
	evalStep int64
	alarms   []alarmState
	points   []float64 // scratch: one evaluation range
	values   []float64 // scratch: query datapoints of one period
	pctBuf   []float64 // scratch: merged samples for a percentile
}

type alarmState struct {
	state alarm.State
	seen  bool // delivered to CodeDeploy at least once
}

// initMetrics sizes the metric buckets and the ring from the alarms.
func (r *runner) initMetrics() error {
	m := r.m
	// Metric buckets: Lambda publishes at one-minute granularity; alarms
	// with 10/20/30-second periods need finer buckets.
	r.bucketNs = int64(time.Minute)
	r.evalStep = int64(time.Minute)
	maxSpan := int64(0)
	for _, a := range m.Alarms {
		p := int64(a.Period)
		if p <= 0 {
			return fmt.Errorf("alarm %s: period %v must be > 0", a.Name, a.Period)
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
		return err
	}
	maxSpan = max(maxSpan, gspan)
	r.bucketNs = gcd(r.bucketNs, r.evalStep)
	if o := r.phase % int64(time.Minute); o > 0 {
		r.grid = o - int64(time.Minute)
	}
	// Result.Buckets gets one bucket per bucket boundary before the horizon
	// and the last, cut one: sized up front, a run allocates it once
	// whatever its horizon.
	r.res.Buckets = make([]Bucket, 0, int64(m.Horizon)/r.bucketNs+2)
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
	return nil
}

// firstAfterZero is the first boundary of the grid of step after t = 0.
func (r *runner) firstAfterZero(step int64) int64 {
	return r.grid + (-r.grid/step+1)*step
}

func rangeOf(r alarm.Rule) int {
	if r.EvaluationRange > 0 {
		return r.EvaluationRange
	}
	return alarm.DefaultRange(r.EvaluationPeriods)
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
			// The reason is worth its string only when the state changes,
			// and when there is a timeline to hold it.
			if !r.quiet {
				_, why := a.Rule.Explain(pts, st.state)
				r.record(Entry{Kind: KindAlarm, Subject: a.Name, From: st.state.String(), To: next.String(), Reason: why})
			}
			st.state = next
			k := r.watch[ai] // -1: the plan does not watch this alarm
			if next == alarm.Alarm && k >= 0 && r.now >= int64(r.m.DeployStart) && r.res.Detected == nil {
				r.res.Detected = ptr(time.Duration(r.now))
			}
			if k >= 0 && r.m.AlarmPollInterval == 0 && r.drv.Status().Active() {
				r.step(deploy.Event{Kind: deploy.AlarmState, Alarm: k, InAlarm: r.trips(next)})
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
