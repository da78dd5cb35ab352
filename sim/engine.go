package sim

import (
	"fmt"
	"io"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
)

// This file is the engine: the runner, its construction and its loop. The
// runner's state is grouped by concern, one embedded part per file:
//
//	requestPath  request.go  arrivals, routing, the dice and the parameters in force
//	execution    lambda.go   Lambda's execution model (environments, cold starts, throttles)
//	metrics      metrics.go  CloudWatch: metric buckets, alarm evaluation
//	control      control.go  the CodeDeploy controller, its driver and the simulated alias
//	outcome      outcome.go  totals, phases, the Result and its cost
//
// The parts are embedded by value: their fields are the runner's own, with
// no indirection on the hot path.

// batch is how many arrivals are fetched from the source per call.
const batch = 1024

// runner is one simulated deployment.
type runner struct {
	m     *Model
	strat Strategy
	q     queue
	now   int64
	bat   *batcher // the batched engine; nil: requests draws every request
	quiet bool     // keep no timeline (RunCounts)

	requestPath
	metrics
	outcome
	execution
	control
}

// indexFaults is the number of faults above which a run indexes them
// (faults.Index) rather than scanning them at every change.
const indexFaults = 32

// Run simulates one deployment of strategy s in model m.
func Run(m *Model, s Strategy) (*Result, error) {
	r, err := newRunner(m, s)
	if err != nil {
		return nil, err
	}
	return r.run()
}

// RunCounts is Run without the timeline: Result.Timeline stays empty (the
// alarm reasons and gate notes are not even written) and everything else
// is Run's, byte for byte (TestRunCountsIsRunWithoutTimeline). For callers
// that keep only a run's numbers, as sweep does for all but the runs it
// keeps whole: the reasons of a healthy twin's alarm going in and out of
// ALARM minute after minute were a fifth of compare --runs' time.
func RunCounts(m *Model, s Strategy) (*Result, error) {
	r, err := newRunner(m, s)
	if err != nil {
		return nil, err
	}
	r.quiet = true
	return r.run()
}

// run runs the loop to the horizon and returns the result.
func (r *runner) run() (*Result, error) {
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
	r := &runner{m: m, strat: s}
	if err := r.initRequests(); err != nil {
		return nil, err
	}
	if err := r.initExecution(); err != nil {
		return nil, err
	}
	r.phase = int64(m.RunPhase())
	r.res = &Result{Strategy: s.Name, Plan: s.Config, DeploymentStart: m.DeployStart, Status: deploy.Status("Created"),
		PollPhase: time.Duration(r.phase), PollPhaseRandom: m.PollPhase.Random}
	if err := r.initMetrics(); err != nil {
		return nil, err
	}
	if len(m.Faults) > indexFaults {
		r.faultIdx = m.Faults.Index()
	}
	r.applyFaults(0)
	if err := r.initControl(); err != nil {
		return nil, err
	}

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
	if ms := m.ManualStop; ms != nil && ms.At >= 0 && m.DeployStart+ms.At < m.Horizon {
		r.q.push(int64(m.DeployStart+ms.At), evManualStop, 0)
	}
	if m.Engine != PerRequest {
		ok, why := batchable(m)
		if ok {
			ok, why = gatesBatchable(s)
		}
		if ok {
			var err error
			if r.bat, err = newBatcher(r); err != nil {
				return nil, err
			}
		} else if m.Engine == Batched {
			return nil, fmt.Errorf("the batched engine cannot simulate this model: %s (use --engine per-request or auto)", why)
		}
	}
	return r, nil
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
			if r.bat != nil {
				r.bat.finish(r)
			}
			return nil
		}
		e := r.q.pop()
		r.now = e.at
		if err := r.handle(e); err != nil {
			return err
		}
	}
}

func (r *runner) handle(e event) error {
	switch e.kind {
	case evFault:
		r.applyFaults(e.at)
		r.record(Entry{Kind: KindFault, Versions: r.versionNames(), ErrorRates: r.errRate})
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
		r.record(Entry{Kind: KindHook, Subject: string(h.Name), Verdict: verdict})
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
	case evManualStop:
		if r.drv.Status().Active() {
			r.record(Entry{Kind: KindDeployment, UserStop: true, Rollback: r.m.ManualStop.Rollback})
			r.step(deploy.Event{Kind: deploy.Stop, Rollback: r.m.ManualStop.Rollback})
		}
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

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func ptr[T any](v T) *T { return &v }
