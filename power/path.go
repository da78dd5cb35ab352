package power

import (
	"math"
	"sort"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/sim"
)

// never is a time after every horizon.
const never = time.Duration(math.MaxInt64)

// change is the target's alias weight from At on.
type change struct {
	At     time.Duration
	Weight float64 // 0..1
}

// path is one way a deployment goes when no alarm stops it: what its hooks
// reported decides it, the controller does the rest. Prob is the chance of
// those hook reports.
type path struct {
	Prob    float64
	Weights []change      // in time order; the weight is 0 before the first
	Finish  time.Duration // when the deployment ended; never if not before the horizon
	// HookStop says a failed hook ended it (at Finish): a stop the alarms
	// did not cause but the deployment suffers all the same.
	HookStop bool
}

// weightAt is the path's target weight at t (after every change at t).
func (p *path) weightAt(t time.Duration) float64 {
	i := sort.Search(len(p.Weights), func(i int) bool { return p.Weights[i].At > t })
	if i == 0 {
		return 0
	}
	return p.Weights[i-1].Weight
}

// paths drives the CodeDeploy controller (package deploy, the one the
// simulator steps) through strategy s without alarms, once per combination
// of hook verdicts, as the simulator's hooks decide them: a hook invoked
// while the target is faulty catches it with its CatchProbability, and one
// that runs as long as its timeout fails at the timeout.
func paths(m *sim.Model, s sim.Strategy) ([]path, error) {
	var out []path
	var walk func(verdicts []bool) error
	walk = func(verdicts []bool) error {
		p, fork, err := drive(m, s, verdicts)
		if err != nil {
			return err
		}
		if fork == nil {
			if p.Prob > 0 {
				out = append(out, p)
			}
			return nil
		}
		// The next hook's verdict is open: take both.
		for _, ok := range []bool{false, true} {
			if err := walk(append(append([]bool(nil), verdicts...), ok)); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(nil)
}

// forked marks that drive met a hook whose verdict verdicts did not give.
type forked struct{}

// drive runs the controller with the given verdicts for the hooks in
// invocation order. It returns fork != nil when a further verdict is needed.
func drive(m *sim.Model, s sim.Strategy, verdicts []bool) (p path, fork *forked, err error) {
	hooks := make([]deploy.Hook, 0, len(m.Hooks))
	for _, h := range m.Hooks {
		hooks = append(hooks, h.Name)
	}
	names := make([]string, len(m.Alarms))
	for i, a := range m.Alarms {
		names[i] = a.Name
	}
	ctl, err := deploy.New(deploy.Config{
		Plan: s.Config.Plan(m.Linear), Hooks: hooks, HookTimeout: m.HookTimeout,
		Alarms: names, AutoRollback: m.AutoRollback,
	})
	if err != nil {
		return p, nil, err
	}
	p = path{Prob: 1, Finish: never}
	type report struct {
		at   time.Duration
		hook deploy.Hook
		ok   bool
	}
	var pending []report
	used := 0
	now := m.DeployStart
	apply := func(acts []deploy.Action) {
		for _, a := range acts {
			switch a.Kind {
			case deploy.SetWeight:
				p.Weights = append(p.Weights, change{now, float64(a.Percent) / 100})
			case deploy.Rollback:
				p.Weights = append(p.Weights, change{now, 0})
			case deploy.InvokeHook:
				var h sim.Hook
				for _, x := range m.Hooks {
					if x.Name == a.Hook {
						h = x
					}
				}
				pFail := 0.0
				at := now + h.Duration
				if h.Timeout > 0 && h.Duration >= h.Timeout {
					pFail, at = 1, now+h.Timeout
				} else if m.TargetFaulty(now) {
					pFail = h.CatchProbability
				}
				if used >= len(verdicts) {
					fork = &forked{}
					return
				}
				ok := verdicts[used]
				used++
				if ok {
					p.Prob *= 1 - pFail
				} else {
					p.Prob *= pFail
				}
				pending = append(pending, report{at, a.Hook, ok})
			case deploy.Finish:
				p.Finish = now
				p.HookStop = len(a.Cause) > 5 && a.Cause[:5] == "hook:"
			}
		}
	}
	if m.DeployStart >= m.Horizon {
		return p, nil, nil
	}
	apply(ctl.Step(now, deploy.Event{Kind: deploy.Start}))
	for fork == nil && !ctl.Status().Terminal() {
		// The next event: the controller's deadline or a hook report; at
		// one instant the deadline goes first, as in the simulator.
		next, ev := never, deploy.Event{Kind: deploy.Tick}
		if at, ok := ctl.Deadline(); ok {
			next = max(at, now)
		}
		if len(pending) > 0 && pending[0].at < next {
			r := pending[0]
			next, ev = r.at, deploy.Event{Kind: deploy.HookResult, Hook: r.hook, Succeeded: r.ok}
		}
		if next >= m.Horizon {
			break
		}
		if ev.Kind == deploy.HookResult {
			pending = pending[1:]
		}
		now = next
		apply(ctl.Step(now, ev))
	}
	if p.Finish >= m.Horizon {
		p.Finish, p.HookStop = never, false
	}
	return p, fork, nil
}
