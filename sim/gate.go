package sim

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

// Metric gates (docs/gates.md): the controller asks for a measurement with
// a deploy.Measure action; the simulator answers at the same instant with a
// deploy.Measurement event whose value it computes from the run's own
// metric buckets — the datapoint a CloudWatch GetMetricData call of period
// Window ending now would return, the monitoring delay included. Gates are
// measured only at gate times, never per request: the request path is
// untouched.

// KindGate is a timeline entry about a gate: a measurement and its
// judgement, or a pause and a promotion (Subject: the gate or "pause").
const KindGate EntryKind = "gate"

// simGate is one gate compiled for the engine.
type simGate struct {
	g      gate.Gate
	q      Query
	window int64
}

// Gates lists what a plan measures (Argo's template metrics), in the order
// its Measure actions index them.
func Gates(c strategies.Config) []gate.Gate {
	if c.Argo() && c.Rollout != nil {
		return c.Rollout.Gates()
	}
	if c.Type == strategies.FlaggerType && c.Flagger != nil {
		return c.Flagger.Gates()
	}
	return nil
}

// gateQuery is the engine's query for a gate: the Lambda metric, its
// statistic and the versions it reads.
func gateQuery(q gate.Query) (Query, error) {
	out := Query{Versions: 1 << Target}
	switch q.Version {
	case gate.Current:
		out.Versions = 1 << Current
	case gate.Both:
		out.Versions = 1<<Current | 1<<Target
	}
	switch q.Kind {
	case gate.ErrorRate, gate.SuccessRate:
		out.Metric, out.Stat = Errors, alarm.Stat{Kind: alarm.Average}
	case gate.Errors:
		out.Metric, out.Stat = Errors, alarm.Stat{Kind: alarm.Sum}
	case gate.Requests:
		out.Metric, out.Stat = Invocations, alarm.Stat{Kind: alarm.Sum}
	case gate.Kayenta:
		// Both versions' per-request durations (gate_stats.go).
		out.Metric, out.Stat, out.Versions = Duration, alarm.Stat{Kind: alarm.Percentile, Percentile: 50}, 1<<Current|1<<Target
	case gate.Sequential:
		out.Metric, out.Stat, out.Versions = Errors, alarm.Stat{Kind: alarm.Sum}, 1<<Current|1<<Target
	case gate.SequentialLatency:
		// Both versions' per-request durations (gate_stats.go).
		out.Metric, out.Stat, out.Versions = Duration, alarm.Stat{Kind: alarm.Percentile, Percentile: 50}, 1<<Current|1<<Target
	case gate.Latency:
		out.Metric = Duration
		s := q.EffectiveStat()
		var err error
		if strings.HasPrefix(s, "p") || strings.HasPrefix(s, "P") {
			out.Stat, err = alarm.ParseStat("", s)
		} else {
			out.Stat, err = alarm.ParseStat(s, "")
		}
		if err != nil {
			return Query{}, fmt.Errorf("statistic: %w", err)
		}
	default:
		return Query{}, fmt.Errorf("query %v is not measured by the simulator", q.Kind)
	}
	return out, nil
}

// gatesBatchable reports whether the batched engine can measure every gate
// of s: it keeps counts, not latencies, so a latency gate needs the
// per-request engine.
func gatesBatchable(s Strategy) (bool, string) {
	for _, g := range Gates(s.Config) {
		if k := g.Query.Kind; k == gate.Latency || k == gate.Kayenta || k == gate.SequentialLatency {
			return false, fmt.Sprintf("gate %s reads latency, which needs every request's duration", g.Name)
		}
	}
	return true, ""
}

// setupGates compiles s's gates and returns the longest window the metric
// ring must hold.
func (r *runner) setupGates() (int64, error) {
	gs := Gates(r.strat.Config)
	r.gates = make([]simGate, len(gs))
	span := int64(0)
	for i, g := range gs {
		q, err := gateQuery(g.Query)
		if err != nil {
			return 0, fmt.Errorf("gate %s: %w", g.Name, err)
		}
		w := int64(g.Query.EffectiveWindow())
		r.gates[i] = simGate{g: g, q: q, window: w}
		// A lookback reads up to Lookback windows back: the ring must still
		// hold them all (it is indexed modulo its length).
		span = max(span, w*int64(max(1, g.Query.Lookback)))
		if q.Metric == Duration {
			r.needDur = true
			if q.Stat.Kind == alarm.Percentile {
				r.samples = true
			}
		}
	}
	r.setupStats()
	return span, nil
}

// measure is gate g's measurement at r.now.
func (r *runner) measure(g int) deploy.Event {
	sg := &r.gates[g]
	if k := sg.g.Query.Kind; k == gate.Kayenta || k == gate.Sequential || k == gate.SequentialLatency {
		return r.measureStats(g)
	}
	v, _ := r.query(sg.q, r.now-sg.window, r.now)
	for k := int64(1); math.IsNaN(v) && k < int64(sg.g.Query.Lookback); k++ {
		v, _ = r.query(sg.q, r.now-(k+1)*sg.window, r.now-k*sg.window)
	}
	ev := deploy.Event{Kind: deploy.Measurement, Gate: g}
	if math.IsNaN(v) {
		ev.NoData = true
		return ev
	}
	switch sg.g.Query.Kind {
	case gate.ErrorRate:
		v *= 100
	case gate.SuccessRate:
		v = 100 - 100*v
	}
	ev.Value = v
	return ev
}

// handleGate handles the gate events of the queue.
func (r *runner) handleGate(e event) {
	switch e.kind {
	case evMeasure:
		if !r.drv.Status().Active() {
			return // the deployment ended at this instant (an abort by another gate): nothing is measured any more
		}
		ev := r.measure(int(e.arg))
		sg := &r.gates[e.arg]
		value := "no data"
		if !ev.NoData {
			value = strconv.FormatFloat(ev.Value, 'g', 4, 64) + sg.g.Query.Kind.Unit()
		}
		if sg.g.Query.Kind == gate.Kayenta && r.stats.note != "" {
			value += " (" + r.stats.note + ")"
		}
		// The entry comes before what the judgement leads to (a rollback).
		i := len(r.res.Timeline)
		r.record(Entry{Kind: KindGate, Subject: sg.g.Name, GateStep: GateMeasure, Note: fmt.Sprintf("%s (%s): %s", sg.g.Name, sg.g.Query, value)})
		r.step(ev)
		if i < len(r.res.Timeline) { // RunCounts keeps none
			meas, met := r.drv.Controller().LastMeasurement()
			r.res.Timeline[i].Note += " -> " + string(meas)
			if met != "" {
				r.res.Timeline[i].Note += "; metric " + string(met)
			}
		}
	case evPromote:
		if r.drv.Status() == deploy.Paused {
			r.record(Entry{Kind: KindGate, Subject: "promote", GateStep: GatePromote})
			r.step(deploy.Event{Kind: deploy.Promote})
		}
	}
}

// actGate carries out the gate actions: a measurement is taken at once, a
// pause noted and, if the model has a user promote, its promotion
// scheduled.
func (r *runner) actGate(a deploy.Action) {
	switch a.Kind {
	case deploy.Measure:
		r.q.push(r.now, evMeasure, int32(a.Gate))
	case deploy.Pause:
		when := "nobody promotes it within the horizon"
		if p := r.m.PromoteAfter; p > 0 {
			r.q.push(r.now+int64(p), evPromote, 0)
			when = fmt.Sprintf("a user promotes it after %v", p)
		}
		r.record(Entry{Kind: KindGate, Subject: a.Cause, GateStep: GatePause, Note: fmt.Sprintf("(%s): %s", a.Cause, when)})
	}
}

// rolloutOf is c's Argo Rollouts plan, nil for a time-only plan.
func rolloutOf(c strategies.Config) *strategies.Rollout {
	if c.Argo() {
		return c.Rollout
	}
	return nil
}
