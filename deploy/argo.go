package deploy

import (
	"errors"
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/strategies"
)

// This file interprets an Argo Rollouts plan (Config.Rollout): canary steps
// (setWeight, pause, analysis), background analysis, blue-green promotion
// with pre- and post-promotion analysis. The controller never measures: it
// asks with a Measure action and judges the Measurement event with package
// analysis's rules (docs/gates.md, docs/plans.md "Argo Rollouts").

// argoMetric is one metric of one AnalysisRun and its state.
type argoMetric struct {
	m               analysis.Metric
	interval, delay time.Duration
	gate            int // index into Config.Gates
	cnt             analysis.Counters
	phase           analysis.Phase
	measured        bool          // at least one measurement finished
	last            time.Duration // when the last measurement finished
	lastErr         bool          // the last measurement was an Error
	inflight        bool          // a Measure is out, its Measurement not yet in
}

// next is when the metric's next measurement is due (§ scheduling in
// docs/plans.md): initialDelay after the run starts for the first, the
// interval after the last one finished (10 s after an Error).
func (am *argoMetric) next(start time.Duration) time.Duration {
	if !am.measured {
		return start + am.delay
	}
	if am.lastErr {
		return am.last + analysis.ErrorRetry
	}
	return am.last + am.interval
}

// argoRun is one AnalysisRun: an analysis step's, the background one, or a
// blue-green pre- or post-promotion one.
type argoRun struct {
	metrics []argoMetric
	start   time.Duration
	active  bool // started and not complete
	phase   analysis.Phase
}

// argoStage is where a blue-green rollout is.
type argoStage uint8

const (
	bgPre  argoStage = iota // new version up with no traffic; pre-promotion analysis may run
	bgPost                  // promoted; post-promotion analysis may run
)

// argo is the controller's state for an Argo Rollouts plan.
type argo struct {
	r     *strategies.Rollout
	steps []*argoRun // per canary step: its run (analysis steps only)
	bg    *argoRun   // background analysis (canary) or nil
	pre   *argoRun   // blue-green pre-promotion
	post  *argoRun   // blue-green post-promotion

	step      int           // the canary step in progress (len(steps): all done)
	stepStart time.Duration // when it began
	paused    bool
	promoted  bool // a Promote arrived while the pause it ends had not yet begun (blue-green)
	stage     argoStage
	phases    []analysis.MetricPhase // scratch for RunPhase
}

// newArgo compiles r's analyses; gates are r.Gates(), in template then
// metric order.
func newArgo(r *strategies.Rollout) (*argo, error) {
	a := &argo{r: r}
	offset := map[string]int{}
	n := 0
	for _, t := range r.Templates {
		offset[t.Name] = n
		n += len(t.Metrics)
	}
	var errs []error
	build := func(ra *strategies.RolloutAnalysis) *argoRun {
		if ra == nil {
			return nil
		}
		run := &argoRun{phase: analysis.Pending}
		for _, name := range ra.Templates {
			t := r.Template(name)
			if t == nil {
				errs = append(errs, fmt.Errorf("AnalysisTemplate %q is not defined", name))
				continue
			}
			for j, sm := range t.Metrics {
				m, err := AnalysisMetric(sm)
				if err != nil {
					errs = append(errs, fmt.Errorf("AnalysisTemplate %q metric %q: %w", name, sm.Name, err))
				}
				run.metrics = append(run.metrics, argoMetric{m: m, interval: sm.Interval, delay: sm.InitialDelay, gate: offset[name] + j, phase: analysis.Pending})
			}
		}
		if len(run.metrics) > len(a.phases) {
			a.phases = make([]analysis.MetricPhase, len(run.metrics))
		}
		return run
	}
	if c := r.Canary; c != nil {
		a.steps = make([]*argoRun, len(c.Steps))
		for i, s := range c.Steps {
			a.steps[i] = build(s.Analysis)
		}
		if c.Analysis != nil {
			a.bg = build(&c.Analysis.RolloutAnalysis)
		}
	} else {
		a.pre = build(r.BlueGreen.PrePromotionAnalysis)
		a.post = build(r.BlueGreen.PostPromotionAnalysis)
	}
	return a, errors.Join(errs...)
}

// AnalysisMetric is m's judging part in package analysis's terms, its
// conditions parsed, validated with Argo's rules.
func AnalysisMetric(m strategies.AnalysisMetric) (analysis.Metric, error) {
	out := analysis.Metric{Name: m.Name, Count: m.Count, Interval: m.Interval > 0, FailureLimit: m.FailureLimit,
		InconclusiveLimit: m.InconclusiveLimit, ConsecutiveErrorLimit: m.ConsecutiveErrorLimit,
		ConsecutiveSuccessLimit: m.ConsecutiveSuccessLimit, DryRun: m.DryRun}
	var errs []error
	var err error
	if out.SuccessCondition, err = analysis.ParseCondition(m.SuccessCondition); err != nil {
		errs = append(errs, fmt.Errorf("successCondition: %w", err))
	}
	if out.FailureCondition, err = analysis.ParseCondition(m.FailureCondition); err != nil {
		errs = append(errs, fmt.Errorf("failureCondition: %w", err))
	}
	if m.Interval < 0 {
		errs = append(errs, fmt.Errorf("interval: %v is negative", m.Interval))
	}
	if m.InitialDelay < 0 {
		errs = append(errs, fmt.Errorf("initialDelay: %v is negative", m.InitialDelay))
	}
	if m.Count < 0 {
		errs = append(errs, fmt.Errorf("count: %d is negative", m.Count))
	}
	if err := out.Validate(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// startRun begins run at now.
func (c *Controller) startRun(run *argoRun, now time.Duration) {
	run.start, run.active, run.phase = now, true, analysis.Running
	for i := range run.metrics {
		am := &run.metrics[i]
		am.cnt, am.phase, am.measured, am.inflight, am.lastErr = analysis.Counters{}, analysis.Pending, false, false, false
	}
}

// terminateRun stops run's measurements: its incomplete metrics end
// Successful unless a limit already tripped (Argo's terminated run).
func (c *Controller) terminateRun(run *argoRun) {
	if run == nil || !run.active {
		return
	}
	run.active = false
	for i := range run.metrics {
		am := &run.metrics[i]
		am.inflight = false
		if !am.phase.Complete() {
			am.phase = am.m.AssessPhase(am.cnt, true)
		}
	}
	run.phase = c.runPhase(run)
}

func (c *Controller) runPhase(run *argoRun) analysis.Phase {
	ps := c.argo.phases[:len(run.metrics)]
	for i := range run.metrics {
		ps[i] = analysis.MetricPhase{Phase: run.metrics[i].phase, DryRun: run.metrics[i].m.DryRun}
	}
	return analysis.RunPhase(ps)
}

// runs lists the runs that may be active, in a fixed order: the current
// step's, the background one, blue-green's.
func (c *Controller) eachRun(f func(*argoRun) bool) {
	a := c.argo
	if a.step < len(a.steps) && a.steps[a.step] != nil {
		if !f(a.steps[a.step]) {
			return
		}
	}
	for _, run := range [...]*argoRun{a.bg, a.pre, a.post} {
		if run != nil && !f(run) {
			return
		}
	}
}

// argoDeadline is the earliest thing the plan waits for in time: a timed
// pause's end, a due measurement, blue-green auto-promotion.
func (c *Controller) argoDeadline() (time.Duration, bool) {
	a := c.argo
	at, ok := time.Duration(0), false
	take := func(t time.Duration) {
		if !ok || t < at {
			at, ok = t, true
		}
	}
	if cn := a.r.Canary; cn != nil && a.step < len(cn.Steps) && !a.paused {
		if p := cn.Steps[a.step].Pause; p != nil && !p.Indefinite {
			take(a.stepStart + p.Duration)
		}
	}
	if b := a.r.BlueGreen; b != nil && a.stage == bgPre && b.AutoPromotionSeconds > 0 {
		take(c.begin + time.Duration(b.AutoPromotionSeconds)*time.Second)
	}
	c.eachRun(func(run *argoRun) bool {
		if !run.active {
			return true
		}
		for i := range run.metrics {
			am := &run.metrics[i]
			if !am.phase.Complete() && !am.inflight {
				take(am.next(run.start))
			}
		}
		return true
	})
	return at, ok
}

// argoAdvance applies everything due at or before now: steps that complete
// by themselves, due measurements.
func (c *Controller) argoAdvance(now time.Duration) {
	a := c.argo
	for c.status.Active() && c.phase == phaseAllow {
		if a.r.Canary != nil {
			if !a.paused && !c.canaryStep(now) {
				break
			}
			if a.paused {
				break
			}
		} else if !c.blueGreen(now) {
			break
		}
	}
	if !c.status.Active() || c.phase != phaseAllow {
		return
	}
	c.eachRun(func(run *argoRun) bool {
		if !run.active {
			return true
		}
		for i := range run.metrics {
			am := &run.metrics[i]
			if !am.phase.Complete() && !am.inflight && am.next(run.start) <= now {
				am.inflight = true
				c.emit(Action{Kind: Measure, Gate: am.gate})
			}
		}
		return true
	})
}

// canaryStep works on the current canary step at now; it reports whether
// the step completed (so the next one may begin at once).
func (c *Controller) canaryStep(now time.Duration) bool {
	a := c.argo
	steps := a.r.Canary.Steps
	if a.step >= len(steps) {
		c.argoSucceed(now)
		return false
	}
	if b := a.r.Canary.Analysis; b != nil && a.step >= b.StartingStep && a.bg.phase == analysis.Pending {
		c.startRun(a.bg, now)
	}
	s := steps[a.step]
	switch {
	case s.SetWeight != nil:
		if w := *s.SetWeight; w != c.weight {
			c.weight = w
			c.emit(Action{Kind: SetWeight, Percent: w})
		}
	case s.Pause != nil && s.Pause.Indefinite:
		a.paused, c.status = true, Paused
		c.emit(Action{Kind: Pause, Cause: CausePause})
		return false
	case s.Pause != nil:
		if now < a.stepStart+s.Pause.Duration {
			return false
		}
	case s.Analysis != nil:
		run := a.steps[a.step]
		if run.phase == analysis.Pending {
			c.startRun(run, now)
		}
		if run.phase != analysis.Successful {
			return false
		}
	}
	c.nextStep(now)
	return true
}

func (c *Controller) nextStep(now time.Duration) {
	a := c.argo
	a.step++
	a.stepStart = now
}

// blueGreen works on a blue-green rollout at now; it reports whether it
// moved on to a new stage.
func (c *Controller) blueGreen(now time.Duration) bool {
	a := c.argo
	b := a.r.BlueGreen
	switch a.stage {
	case bgPre:
		if a.pre != nil && a.pre.phase == analysis.Pending {
			c.startRun(a.pre, now)
		}
		preDone := a.pre == nil || a.pre.phase == analysis.Successful
		auto := b.AutoPromotionSeconds > 0 && now >= c.begin+time.Duration(b.AutoPromotionSeconds)*time.Second
		switch {
		case auto:
			// Auto-promotion marks a pre-promotion run still running Successful.
			c.terminateRun(a.pre)
		case !preDone:
			return false
		case b.AutoPromotionSeconds > 0:
			return false // wait for the timer
		case !b.AutoPromotes() && !a.promoted:
			if !a.paused {
				a.paused, c.status = true, Paused
				c.emit(Action{Kind: Pause, Cause: CausePause})
			}
			return false
		}
		a.paused, c.status, a.stage = false, InProgress, bgPost
		c.weight = 100
		c.emit(Action{Kind: SetWeight, Percent: 100})
		if a.post != nil {
			c.startRun(a.post, now)
		}
		return true
	default:
		if a.post == nil || a.post.phase == analysis.Successful {
			c.argoSucceed(now)
		}
		return false
	}
}

// argoSucceed ends a rollout that has finished its steps: the new version
// takes all traffic and the background analysis is terminated.
func (c *Controller) argoSucceed(now time.Duration) {
	c.terminateRun(c.argo.bg)
	if c.weight != 100 {
		c.weight = 100
		c.emit(Action{Kind: SetWeight, Percent: 100})
	}
	c.endEvent(lcAllow, now, LifecycleSucceeded)
	c.life[lcAfter].Status = LifecycleSkipped
	c.succeed(now)
}

// measured takes gate g's measurement at now to the first metric waiting
// for it, judges it, and acts on the run's phase.
func (c *Controller) measured(now time.Duration, ev Event) {
	var run *argoRun
	var am *argoMetric
	c.eachRun(func(r *argoRun) bool {
		if !r.active {
			return true
		}
		for i := range r.metrics {
			if m := &r.metrics[i]; m.inflight && m.gate == ev.Gate {
				run, am = r, m
				return false
			}
		}
		return true
	})
	if am == nil {
		return // not asked for, or its run has ended
	}
	am.inflight = false
	out := analysis.Error
	if !ev.Err && !ev.NoData {
		out = am.m.Outcome(ev.Value)
	}
	c.lastOutcome = out
	am.cnt.Observe(out)
	am.measured, am.last, am.lastErr = true, now, out == analysis.Error
	am.phase = am.m.AssessPhase(am.cnt, false)
	c.lastMetric = am.phase
	c.settle(now, run)
}

// settle acts on run's phase after one of its metrics changed.
func (c *Controller) settle(now time.Duration, run *argoRun) {
	a := c.argo
	ph := c.runPhase(run)
	if !ph.Complete() {
		return
	}
	if ph != analysis.Successful {
		// A terminating run: its siblings stop measuring.
		for i := range run.metrics {
			run.metrics[i].inflight = false
		}
	}
	run.active, run.phase = false, ph
	cause := ""
	for i := range run.metrics {
		if m := &run.metrics[i]; !m.m.DryRun && m.phase == ph {
			cause = c.gateCause[m.gate]
			break
		}
	}
	switch ph {
	case analysis.Failed, analysis.Error:
		c.argoAbort(now, cause)
		return
	case analysis.Inconclusive:
		if !a.paused {
			a.paused, c.status = true, Paused
			c.emit(Action{Kind: Pause, Cause: cause})
		}
		return
	}
	c.argoAdvance(now)
}

// argoAbort aborts the rollout: all traffic back to the stable version at
// once, every run terminated (docs/plans.md, "Abort").
func (c *Controller) argoAbort(now time.Duration, cause string) {
	a := c.argo
	for _, run := range a.steps {
		c.terminateRun(run)
	}
	c.terminateRun(a.bg)
	c.terminateRun(a.pre)
	c.terminateRun(a.post)
	c.finish(now, Stopped, "", cause, true)
}

// promote is a user's promotion: it ends the pause in force (an indefinite
// pause step, an Inconclusive analysis, a blue-green rollout waiting for
// promotion) and the rollout goes on.
func (c *Controller) promote(now time.Duration) {
	a := c.argo
	if a.r.BlueGreen != nil && a.stage == bgPre {
		a.promoted = true
		if a.pre != nil && a.pre.phase == analysis.Inconclusive {
			a.pre.phase = analysis.Successful
		}
		if a.paused {
			a.paused, c.status = false, InProgress
		}
		c.argoAdvance(now)
		return
	}
	if !a.paused {
		return
	}
	a.paused, c.status = false, InProgress
	if a.r.BlueGreen != nil { // Inconclusive post-promotion analysis
		a.post.phase = analysis.Successful
		c.argoAdvance(now)
		return
	}
	if a.step < len(a.steps) {
		if s := a.r.Canary.Steps[a.step]; (s.Pause != nil && s.Pause.Indefinite) || (a.steps[a.step] != nil && a.steps[a.step].phase == analysis.Inconclusive) {
			c.nextStep(now)
		}
	}
	c.argoAdvance(now)
}
