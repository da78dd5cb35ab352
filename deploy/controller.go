package deploy

import (
	"errors"
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

// DefaultHookTimeout is how long a hook may run before its lifecycle event
// fails: "Maximum number of seconds until a deployment lifecycle event fails
// if not completed: 3600" (CD-UG:limits).
const DefaultHookTimeout = 3600 * time.Second

// Limits on alarms from CodeDeploy's AlarmConfiguration (docs/codedeploy.md, "Alarms").
const (
	MaxAlarms         = 10  // AlarmsLimitExceededException
	MaxAlarmNameBytes = 255 // InvalidAlarmConfigException
)

// Config is one deployment's settings.
type Config struct {
	Plan         strategies.Plan // AllowTraffic's schedule
	Hooks        []Hook          // which hooks exist; the lifecycle fixes their order, not this slice
	HookTimeout  time.Duration   // 0 means DefaultHookTimeout; other values are what-ifs, AWS's is fixed
	Alarms       []string        // names of the alarms watched, at most MaxAlarms, no duplicates
	AutoRollback bool            // roll back on DEPLOYMENT_FAILURE and DEPLOYMENT_STOP_ON_ALARM
	// Gates are the measurements the plan may ask for (Measure actions
	// index them); for an Argo plan, Rollout.Gates().
	Gates []gate.Gate
	// Rollout, when set, is an Argo Rollouts plan that replaces Plan: its
	// steps, analyses and promotion drive the traffic (docs/gates.md).
	// An Argo abort always sends all traffic back to the stable version.
	Rollout *strategies.Rollout
	// Flagger, when set, is a Flagger canary analysis that replaces Plan
	// (deploy/flagger.go); Gates are then Flagger.Gates().
	Flagger *strategies.FlaggerPlan
}

// Validate reports every problem with cfg, one per line.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.Flagger != nil {
		if err := cfg.Flagger.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Flagger: %w", err))
		}
		if n := len(cfg.Flagger.Metrics); n != len(cfg.Gates) {
			errs = append(errs, fmt.Errorf("Gates: %d gates, but the analysis has %d metrics (want Flagger.Gates())", len(cfg.Gates), n))
		}
	} else if cfg.Rollout == nil {
		if err := cfg.Plan.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Plan: %w", err))
		}
	} else {
		if err := cfg.Rollout.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Rollout: %w", err))
		} else if _, err := newArgo(cfg.Rollout); err != nil {
			errs = append(errs, fmt.Errorf("Rollout: %w", err))
		}
		if n := len(cfg.Rollout.Gates()); n != len(cfg.Gates) {
			errs = append(errs, fmt.Errorf("Gates: %d gates, but the rollout's templates have %d metrics (want Rollout.Gates())", len(cfg.Gates), n))
		}
	}
	for i, g := range cfg.Gates {
		if g.Name == "" {
			errs = append(errs, fmt.Errorf("Gates[%d]: empty name", i))
		}
		if err := g.Query.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Gates[%d] (%s): %w", i, g.Name, err))
		}
	}
	seen := map[Hook]int{}
	for i, h := range cfg.Hooks {
		switch h {
		case BeforeAllowTraffic, AfterAllowTraffic:
		case "PreTraffic":
			errs = append(errs, fmt.Errorf("Hooks[%d]: %q is SAM's name; the lifecycle event is %s", i, h, BeforeAllowTraffic))
			continue
		case "PostTraffic":
			errs = append(errs, fmt.Errorf("Hooks[%d]: %q is SAM's name; the lifecycle event is %s", i, h, AfterAllowTraffic))
			continue
		default:
			errs = append(errs, fmt.Errorf("Hooks[%d]: %q is not a Lambda lifecycle hook (want %s or %s)", i, h, BeforeAllowTraffic, AfterAllowTraffic))
			continue
		}
		if j, dup := seen[h]; dup {
			errs = append(errs, fmt.Errorf("Hooks[%d]: %s repeats Hooks[%d] (each hook runs once per deployment)", i, h, j))
		}
		seen[h] = i
	}
	if cfg.HookTimeout < 0 {
		errs = append(errs, fmt.Errorf("HookTimeout: %v is negative", cfg.HookTimeout))
	}
	if len(cfg.Alarms) > MaxAlarms {
		errs = append(errs, fmt.Errorf("Alarms: %d alarms exceed CodeDeploy's limit of %d", len(cfg.Alarms), MaxAlarms))
	}
	names := map[string]int{}
	for i, a := range cfg.Alarms {
		switch {
		case a == "":
			errs = append(errs, fmt.Errorf("Alarms[%d]: empty name", i))
		case len(a) > MaxAlarmNameBytes:
			errs = append(errs, fmt.Errorf("Alarms[%d]: name of %d characters exceeds the limit of %d", i, len(a), MaxAlarmNameBytes))
		}
		if j, dup := names[a]; dup {
			errs = append(errs, fmt.Errorf("Alarms[%d]: %q repeats Alarms[%d]", i, a, j))
		}
		names[a] = i
	}
	return errors.Join(errs...)
}

// phase is where the controller is in the lifecycle.
type phase uint8

const (
	phaseCreated phase = iota
	phaseBefore        // BeforeAllowTraffic hook running
	phaseAllow         // AllowTraffic: shifting
	phaseAfter         // AfterAllowTraffic hook running
	phaseDone
)

// Indices into Controller.life, in lifecycle order.
const (
	lcStart = iota
	lcBefore
	lcAllow
	lcAfter
	lcEnd
	lcCount
)

// Controller is one deployment's CodeDeploy controller. It is a value stepped
// by one caller; it is not safe for concurrent use.
type Controller struct {
	plan       strategies.Plan
	hasHook    [2]bool // BeforeAllowTraffic, AfterAllowTraffic
	timeout    time.Duration
	alarmCause []string // "alarm:<name>", built once so that Step does not allocate
	inAlarm    []bool
	rollback   bool

	status    Status
	phase     phase
	now       time.Duration // the latest time seen
	seen      bool          // whether now is set
	begin     time.Duration // AllowTraffic's begin
	next      int           // the next plan step to apply
	hookStart time.Duration // when the running hook was invoked
	weight    float64       // the target's weight on the alias
	life      [lcCount]LifecycleEvent
	out       []Action

	// An Argo Rollouts plan's state (nil for a time-only plan).
	argo        *argo
	fl          *flagger       // a Flagger plan's state (nil otherwise)
	gateCause   []string       // "gate:<name>", built once
	lastOutcome analysis.Phase // the last measurement's phase
	lastMetric  analysis.Phase // its metric's phase after it
}

// New returns a controller in status Created for cfg, or cfg's validation
// errors. The controller keeps copies of cfg's slices.
func New(cfg Config) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Controller{
		plan:       strategies.Plan{Steps: append([]strategies.Step(nil), cfg.Plan.Steps...), End: cfg.Plan.End},
		timeout:    cfg.HookTimeout,
		alarmCause: make([]string, len(cfg.Alarms)),
		inAlarm:    make([]bool, len(cfg.Alarms)),
		rollback:   cfg.AutoRollback,
		// The most one Step can return: every plan step (a late Tick), then a
		// hook invocation, or a rollback and a finish.
		out: make([]Action, 0, len(cfg.Plan.Steps)+3),
	}
	if c.timeout == 0 {
		c.timeout = DefaultHookTimeout
	}
	for _, h := range cfg.Hooks {
		c.hasHook[hookIndex(h)] = true
	}
	for i, a := range cfg.Alarms {
		c.alarmCause[i] = "alarm:" + a
	}
	c.gateCause = make([]string, len(cfg.Gates))
	for i, g := range cfg.Gates {
		c.gateCause[i] = "gate:" + g.Name
	}
	if cfg.Rollout != nil {
		a, err := newArgo(cfg.Rollout)
		if err != nil {
			return nil, err
		}
		c.argo, c.rollback = a, true
		c.out = make([]Action, 0, len(cfg.Gates)*4+8)
	}
	if cfg.Flagger != nil {
		fl, err := newFlagger(cfg.Flagger)
		if err != nil {
			return nil, err
		}
		c.fl, c.rollback = fl, true
		c.out = make([]Action, 0, len(cfg.Gates)+4)
	}
	c.reset()
	return c, nil
}

// LastMeasurement returns the phase of the last measurement judged and its
// metric's phase after it, for a timeline that explains itself.
func (c *Controller) LastMeasurement() (measurement, metric analysis.Phase) {
	return c.lastOutcome, c.lastMetric
}

// reset puts c back in status Created with every alarm OK and no time seen,
// keeping its configuration and storage (benchmarks reuse a controller).
func (c *Controller) reset() {
	c.status, c.phase = Created, phaseCreated
	c.now, c.seen, c.begin, c.next, c.hookStart, c.weight = 0, false, 0, 0, 0, 0
	clear(c.inAlarm)
	for i, name := range [lcCount]string{"Start", string(BeforeAllowTraffic), "AllowTraffic", string(AfterAllowTraffic), "End"} {
		c.life[i] = LifecycleEvent{Name: name, Status: LifecyclePending}
	}
	c.out = c.out[:0]
	if c.argo != nil {
		a, _ := newArgo(c.argo.r)
		c.argo = a
	}
	if c.fl != nil {
		c.fl.reset()
	}
}

func hookIndex(h Hook) int {
	if h == AfterAllowTraffic {
		return 1
	}
	return 0
}

// Status returns the deployment's status.
func (c *Controller) Status() Status { return c.status }

// Lifecycle returns a copy of the five lifecycle events in order: Start,
// BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic, End.
func (c *Controller) Lifecycle() []LifecycleEvent {
	return append([]LifecycleEvent(nil), c.life[:]...)
}

// Deadline returns when the controller next needs a Tick: the next weight
// step or AllowTraffic's end while shifting, the running hook's timeout while
// a hook runs. ok is false before Start and after Finish.
func (c *Controller) Deadline() (at time.Duration, ok bool) {
	if !c.status.Active() {
		return 0, false
	}
	switch c.phase {
	case phaseBefore, phaseAfter:
		return c.hookStart + c.timeout, true
	case phaseAllow:
		if c.argo != nil {
			return c.argoDeadline()
		}
		if c.fl != nil {
			return c.flaggerDeadline()
		}
		if c.next < len(c.plan.Steps) {
			return c.begin + c.plan.Steps[c.next].At, true
		}
		return c.begin + c.plan.End, true
	}
	return 0, false
}

// Step applies ev at time now and returns the actions to carry out, in order.
// It first applies everything due at or before now (see the package comment,
// "Time"), then ev:
//
//   - Start leaves Created: the lifecycle begins, unless a watched alarm is
//     already in ALARM, which stops the deployment before any shift.
//   - AlarmState records the alarm's state; ALARM while InProgress stops the
//     deployment.
//   - HookResult completes the running hook (Succeeded) or fails the
//     deployment (Failed).
//   - Stop stops the deployment, rolling back if ev.Rollback.
//
// Events that do not apply are ignored: a second Start, a result for a hook
// that is not running (CodeDeploy: LifecycleEventAlreadyCompletedException),
// an alarm index out of range, an unknown kind, and every event after Finish
// (DeploymentAlreadyCompletedException). The returned slice is reused by the
// next Step call.
func (c *Controller) Step(now time.Duration, ev Event) []Action {
	c.out = c.out[:0]
	if c.seen && now < c.now {
		now = c.now
	}
	c.now, c.seen = now, true
	if c.status.Terminal() {
		return c.out
	}
	c.advance(now)
	if c.status.Terminal() {
		return c.out
	}
	switch ev.Kind {
	case Start:
		if c.status == Created {
			c.start(now)
		}
	case AlarmState:
		if ev.Alarm < 0 || ev.Alarm >= len(c.inAlarm) {
			break
		}
		c.inAlarm[ev.Alarm] = ev.InAlarm
		if ev.InAlarm && c.status.Active() {
			c.stop(now, ErrorCodeAlarmActive, c.alarmCause[ev.Alarm], c.rollback)
		}
	case Measurement:
		if c.argo != nil && c.status.Active() && c.phase == phaseAllow && ev.Gate >= 0 && ev.Gate < len(c.gateCause) {
			c.measured(now, ev)
		}
		if c.fl != nil && c.status.Active() && c.phase == phaseAllow && ev.Gate >= 0 && ev.Gate < len(c.gateCause) {
			c.flaggerMeasured(now, ev)
		}
	case Promote:
		if c.argo != nil && c.status.Active() && c.phase == phaseAllow {
			c.promote(now)
		}
	case HookResult:
		if c.status == InProgress && c.runningHook() == ev.Hook && ev.Hook != "" {
			if ev.Succeeded {
				c.hookSucceeded(now)
			} else {
				c.hookFailed(now)
			}
		}
	case Stop:
		c.stop(now, ErrorCodeManualStop, CauseManual, ev.Rollback || c.argo != nil || c.fl != nil)
	}
	return c.out
}

// runningHook is the hook now running, or "".
func (c *Controller) runningHook() Hook {
	switch c.phase {
	case phaseBefore:
		return BeforeAllowTraffic
	case phaseAfter:
		return AfterAllowTraffic
	}
	return ""
}

// advance applies, in order, everything due at or before now.
func (c *Controller) advance(now time.Duration) {
	if c.argo != nil && c.phase == phaseAllow {
		c.argoAdvance(now)
		return
	}
	if c.fl != nil && c.phase == phaseAllow {
		c.flaggerAdvance(now)
		return
	}
	for c.status == InProgress {
		switch c.phase {
		case phaseBefore, phaseAfter:
			if now >= c.hookStart+c.timeout {
				c.hookFailed(now)
			}
			return
		case phaseAllow:
			if c.next < len(c.plan.Steps) {
				s := c.plan.Steps[c.next]
				if now < c.begin+s.At {
					return
				}
				c.next++
				c.weight = s.Percent
				c.emit(Action{Kind: SetWeight, Percent: s.Percent})
				continue
			}
			if now < c.begin+c.plan.End {
				return
			}
			c.endEvent(lcAllow, now, LifecycleSucceeded)
			c.enterAfter(now)
		default:
			return
		}
	}
}

func (c *Controller) emit(a Action) { c.out = append(c.out, a) }

func (c *Controller) beginEvent(i int, now time.Duration) {
	c.life[i].Status, c.life[i].Start = LifecycleInProgress, now
}

func (c *Controller) endEvent(i int, now time.Duration, s LifecycleEventStatus) {
	c.life[i].Status, c.life[i].End = s, now
}

func (c *Controller) start(now time.Duration) {
	c.status = InProgress
	c.beginEvent(lcStart, now)
	for i, in := range c.inAlarm {
		if in { // the lowest index names the cause, for determinism
			c.stop(now, ErrorCodeAlarmActive, c.alarmCause[i], c.rollback)
			return
		}
	}
	c.endEvent(lcStart, now, LifecycleSucceeded)
	if c.hasHook[0] {
		c.phase, c.hookStart = phaseBefore, now
		c.beginEvent(lcBefore, now)
		c.emit(Action{Kind: InvokeHook, Hook: BeforeAllowTraffic})
		return
	}
	c.life[lcBefore].Status = LifecycleSkipped
	c.enterAllow(now)
}

func (c *Controller) enterAllow(now time.Duration) {
	c.phase, c.begin, c.next = phaseAllow, now, 0
	if c.argo != nil {
		c.argo.stepStart = now
	}
	c.beginEvent(lcAllow, now)
	c.advance(now)
}

func (c *Controller) enterAfter(now time.Duration) {
	if c.hasHook[1] {
		c.phase, c.hookStart = phaseAfter, now
		c.beginEvent(lcAfter, now)
		c.emit(Action{Kind: InvokeHook, Hook: AfterAllowTraffic})
		return
	}
	c.life[lcAfter].Status = LifecycleSkipped
	c.succeed(now)
}

func (c *Controller) hookSucceeded(now time.Duration) {
	if c.phase == phaseBefore {
		c.endEvent(lcBefore, now, LifecycleSucceeded)
		c.enterAllow(now)
		return
	}
	c.endEvent(lcAfter, now, LifecycleSucceeded)
	c.succeed(now)
}

func (c *Controller) hookFailed(now time.Duration) {
	cause := "hook:" + string(BeforeAllowTraffic)
	if c.phase == phaseAfter {
		cause = "hook:" + string(AfterAllowTraffic)
	}
	c.finish(now, Failed, ErrorCodeHookExecutionFailure, cause, c.rollback)
}

func (c *Controller) succeed(now time.Duration) {
	c.beginEvent(lcEnd, now)
	c.endEvent(lcEnd, now, LifecycleSucceeded)
	c.phase, c.status = phaseDone, Succeeded
	c.emit(Action{Kind: Finish, Status: Succeeded, Percent: c.weight})
}

// stop ends the deployment as Stopped (alarm or manual stop).
func (c *Controller) stop(now time.Duration, code, cause string, rollback bool) {
	c.finish(now, Stopped, code, cause, rollback)
}

// finish ends the deployment unsuccessfully: the running lifecycle event
// fails, the ones not reached are skipped (our decision; AWS is silent), and
// the alias rolls back if asked — even if it never moved, because CodeDeploy
// still runs a rollback deployment then (our inference, docs/codedeploy.md).
func (c *Controller) finish(now time.Duration, s Status, code, cause string, rollback bool) {
	for i := range c.life {
		switch c.life[i].Status {
		case LifecycleInProgress:
			c.endEvent(i, now, LifecycleFailed)
		case LifecyclePending:
			c.life[i].Status = LifecycleSkipped
		}
	}
	if rollback {
		c.weight = 0
		c.emit(Action{Kind: Rollback})
	}
	c.phase, c.status = phaseDone, s
	c.emit(Action{Kind: Finish, Status: s, ErrorCode: code, Cause: cause, Percent: c.weight})
}
