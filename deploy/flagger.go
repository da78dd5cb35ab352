package deploy

import (
	"math"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/strategies"
)

// This file interprets a Flagger canary analysis (Config.Flagger): one tick
// per interval from the start of AllowTraffic, with Flagger's loop in
// package analysis (FlaggerState). A tick that runs the analysis asks for
// every metric check with Measure actions and completes when the last
// Measurement is in; the checks are judged in order and the first failing
// one counts (docs/plans.md, "Flagger"). Once the canary's spec is copied to
// the primary both serve the new version, so the target's weight on the
// alias is the canary's weight until promotion and 100 % from it on.

// flagger is the controller's state for a Flagger plan.
type flagger struct {
	spec    analysis.Flagger // normalised
	metrics []analysis.FlaggerMetric
	st      analysis.FlaggerState
	value   []float64 // this tick's measurements, NaN for no values
	got     []bool
	pending int    // measurements of this tick still out
	failed  string // the cause of the last failed check, "gate:<name>"
}

func newFlagger(p *strategies.FlaggerPlan) (*flagger, error) {
	f, err := p.Analysis.Normalised()
	if err != nil {
		return nil, err
	}
	fl := &flagger{spec: f, st: f.Start(), value: make([]float64, len(p.Metrics)), got: make([]bool, len(p.Metrics))}
	for _, m := range p.Metrics {
		fl.metrics = append(fl.metrics, m.Check)
	}
	return fl, nil
}

func (fl *flagger) reset() {
	fl.st, fl.pending, fl.failed = fl.spec.Start(), 0, ""
	clear(fl.got)
}

// flaggerDeadline is the next tick, unless a tick's measurements are out.
func (c *Controller) flaggerDeadline() (time.Duration, bool) {
	fl := c.fl
	if fl.pending > 0 {
		return 0, false
	}
	return c.begin + time.Duration(fl.st.Ticks+1)*fl.spec.Interval, true
}

// flaggerAdvance runs every tick due at or before now.
func (c *Controller) flaggerAdvance(now time.Duration) {
	fl := c.fl
	for c.status.Active() && c.phase == phaseAllow && fl.pending == 0 {
		at := c.begin + time.Duration(fl.st.Ticks+1)*fl.spec.Interval
		if now < at {
			return
		}
		if fl.st.NeedsCheck() && len(fl.metrics) > 0 {
			clear(fl.got)
			fl.pending = len(fl.metrics)
			for g := range fl.metrics {
				c.emit(Action{Kind: Measure, Gate: g})
			}
			return
		}
		c.flaggerTick(now, true)
	}
}

// flaggerMeasured takes one of the tick's measurements; the last one
// completes the tick.
func (c *Controller) flaggerMeasured(now time.Duration, ev Event) {
	fl := c.fl
	if fl.pending == 0 || fl.got[ev.Gate] {
		return // not asked for
	}
	v := ev.Value
	if ev.Err || ev.NoData {
		v = math.NaN() // "no values found" fails the check
	}
	fl.value[ev.Gate], fl.got[ev.Gate] = v, true
	pass := fl.metrics[ev.Gate].Passes(v)
	c.lastOutcome, c.lastMetric = analysis.Successful, "" // Flagger has no metric phase
	if !pass {
		c.lastOutcome = analysis.Failed
	}
	fl.pending--
	if fl.pending > 0 {
		return
	}
	passed := true
	for g, m := range fl.metrics {
		if !m.Passes(fl.value[g]) {
			passed, fl.failed = false, c.gateCause[g]
			break
		}
	}
	c.flaggerTick(now, passed)
	c.flaggerAdvance(now)
}

// flaggerTick runs one tick with the analysis's outcome and carries out
// what it did.
func (c *Controller) flaggerTick(now time.Duration, passed bool) {
	fl := c.fl
	switch fl.st.Tick(passed) {
	case analysis.EffectPreRollout, analysis.EffectStep, analysis.EffectSwitch, analysis.EffectPromote:
		if w := fl.st.TargetWeight(); w != c.weight {
			c.weight = w
			c.emit(Action{Kind: SetWeight, Percent: w})
		}
	case analysis.EffectHalt:
	case analysis.EffectRollback:
		c.finish(now, Stopped, "", fl.failed, true)
	case analysis.EffectSucceeded:
		c.endEvent(lcAllow, now, LifecycleSucceeded)
		c.life[lcAfter].Status = LifecycleSkipped
		c.succeed(now)
	}
}
