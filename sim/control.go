package sim

import (
	"math/rand/v2"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/deploy"
)

// control is the deployment's side of the run: CodeDeploy's controller,
// driven by deploy.Driver, and the hooks it invokes.
type control struct {
	drv    *deploy.Driver // the controller; its actions are carried out by act
	tickAt int64          // the controller's pending deadline; -1: none
	hooks  *rand.Rand
	gates  []simGate // the plan's metric gates (gate.go)
	stats  gateStats // the statistical ones' state (gate_stats.go)

	stepActs []deploy.Action // backing store of Result.Steps' actions
	// watch maps each scenario alarm to its index among the alarms the
	// plan watches (the controller's Config.Alarms), -1 for one it does
	// not watch (an ECS plan's deploymentConfiguration.alarms).
	watch []int
}

// initControl builds the controller for the strategy.
func (r *runner) initControl() error {
	m, s := r.m, r.strat
	r.tickAt = -1
	r.hooks = rand.New(NewStream(m.Seed, streamHooks))
	hooks := make([]deploy.Hook, 0, len(m.Hooks))
	if s.Config.LifecycleHooks() { // AppConfig strategies have no CodeDeploy hooks
		for _, h := range m.Hooks {
			hooks = append(hooks, h.Name)
		}
	}
	all := make([]string, len(m.Alarms))
	for i, a := range m.Alarms {
		all[i] = a.Name
	}
	idx, rollback := s.Config.Alarms(all, m.AutoRollback)
	names := make([]string, len(idx))
	r.watch = make([]int, len(all))
	for i := range r.watch {
		r.watch[i] = -1
	}
	for k, i := range idx {
		names[k], r.watch[i] = all[i], k
	}
	plan := s.Config.Plan(m.Linear)
	drv, err := deploy.NewDriver(deploy.Config{
		Plan:         plan,
		Hooks:        hooks,
		HookTimeout:  m.HookTimeout,
		Alarms:       names,
		AutoRollback: rollback,
		Gates:        Gates(s.Config),
		Rollout:      rolloutOf(s.Config),
		Flagger:      flaggerOf(s.Config),
	}, r, r.observe)
	if err != nil {
		return err
	}
	r.drv = drv
	// A run's steps: one per weight step, hook and alarm, a rollback and a finish.
	nSteps := len(plan.Steps) + 2*len(hooks) + 4
	r.res.Steps, r.stepActs = make([]deploy.Record, 0, nSteps), make([]deploy.Action, 0, nSteps+2)
	return nil
}

// poll delivers every alarm's state to the controller, as CodeDeploy's
// DescribeAlarms poll would.
func (r *runner) poll() {
	for i := range r.alarms {
		r.alarms[i].seen = true
		if k := r.watch[i]; k >= 0 {
			r.step(deploy.Event{Kind: deploy.AlarmState, Alarm: k, InAlarm: r.trips(r.alarms[i].state)})
		}
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
		r.record(Entry{Kind: KindDeployment, Subject: string(deploy.InProgress), Strategy: r.strat.Name, Alias: r.aliasName(), Versions: r.versionNames()})
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
		e := Entry{Kind: KindWeight, Alias: r.aliasName(), Versions: r.versionNames(), Percent: a.Percent}
		if a.Percent == 100 {
			if r.res.FullShift == nil {
				r.res.FullShift = ptr(time.Duration(r.now))
			}
			e.Bake = r.strat.Config.BakeNote()
		}
		r.record(e)
	case deploy.Rollback:
		r.setWeight(0)
		r.res.RolledBack = true
		r.record(Entry{Kind: KindRollback, Alias: r.aliasName(), Versions: r.versionNames()})
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
		r.record(Entry{Kind: KindDeployment, Subject: string(a.Status), Strategy: r.strat.Name, ErrorCode: a.ErrorCode, Cause: a.Cause})
	}
}

func (r *runner) aliasName() string { return r.m.Function + ":" + r.m.Alias }

func (r *runner) setWeight(w float64) {
	if w == r.weight {
		return
	}
	r.closePhase()
	if len(r.stats.seq) > 0 {
		r.seqSplit()
	}
	r.weight = w
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
	r.record(Entry{Kind: KindHook, Subject: string(name), Invoked: true, Runs: h.Duration, Faulty: faulty})
	r.q.push(at, evHookReport, arg)
}

// targetFaulty reports whether the target version is worse than the current
// one at t: a fault hits it, or its configured error rate is higher.
func (r *runner) targetFaulty(t int64) bool {
	if r.faultIdx != nil {
		if r.faultIdx.AnyActive(Target, time.Duration(t)) {
			return true
		}
	} else if r.m.Faults.AnyActive(Target, time.Duration(t)) {
		return true
	}
	return r.m.Versions[Target].ErrorRate > r.m.Versions[Current].ErrorRate
}

// record adds e to the timeline, at the current time and weight.
func (r *runner) record(e Entry) {
	if r.quiet {
		return
	}
	e.At, e.Weight = time.Duration(r.now), r.weight
	r.res.Timeline = append(r.res.Timeline, e)
}

func (r *runner) versionNames() [2]string {
	return [2]string{r.m.Versions[Current].Name, r.m.Versions[Target].Name}
}
