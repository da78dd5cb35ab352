package awsexec

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/shiftsim/shiftsim/deploy"
)

// rollbackAttempts is how many times the alias executor tries a rollback's
// UpdateAlias (each try being the SDK's own retries) before it gives up and
// leaves the rollback to --resume; rollbackBackoff is the first pause.
const (
	rollbackAttempts = 5
	rollbackBackoff  = 2 * time.Second
)

// aliasRun is one run of the alias executor: the deploy controller, stepped
// with controller time and real alarm states, its actions carried out with
// UpdateAlias and Invoke, every step and mutation journaled.
type aliasRun struct {
	p   Plan
	o   *Options
	c   Clients
	j   *Journal
	clk Clock
	id  string

	drv    *deploy.Driver  // the controller, its actions carried out by act
	ctx    context.Context // the run's context, for the calls act makes
	origin time.Time       // clock time at which controller time was offset
	offset time.Duration   // controller time at origin

	alias AliasState // as last seen or set, with its RevisionId
	// maybe holds the states asked of UpdateAlias calls that failed without
	// saying whether they landed (a lost answer, a timeout, retries that
	// ran out after one of them landed): until a call succeeds, the alias
	// may be at one of them rather than at alias.
	maybe      []AliasState
	inAlarm    []bool   // as last fed to the controller
	alarmState []string // as last seen, for the timeline
	polled     bool
	nextPoll   time.Duration

	hook *runningHook

	measures  []int         // gates whose Measure action awaits its measurement
	promoteAt time.Duration // when a paused rollout is promoted; -1: not scheduled

	ictx        context.Context // done on interrupt (or kill)
	interrupts  bool            // the interrupt was handled
	stopCause   string          // why shiftsim itself stopped the controller
	out         Outcome
	finished    bool
	rolledBack  bool
	finishedAct deploy.Action
}

type runningHook struct {
	hook   deploy.Hook
	intent int
	ch     chan hookReply
}

type hookReply struct {
	out *lambda.InvokeOutput
	err error
}

func newDeploymentID() string {
	var b [6]byte
	rand.Read(b[:])
	return "shiftsim-" + hex.EncodeToString(b[:])
}

func newAliasRun(ctx context.Context, p Plan, o *Options, j *Journal) (*aliasRun, error) {
	r := &aliasRun{p: p, o: o, c: o.Clients, j: j, clk: o.Clock, ctx: ctx,
		inAlarm: make([]bool, len(p.Alarms)), alarmState: make([]string, len(p.Alarms)),
		out: Outcome{Executor: ExecAlias, Journal: j.Path()}, promoteAt: -1}
	var err error
	r.drv, err = deploy.NewDriver(p.controllerConfig(), r.applier(), r.journalStep)
	return r, err
}

// applier carries out the controller's actions with AWS calls.
func (r *aliasRun) applier() deploy.Applier {
	return deploy.ApplierFunc(func(a deploy.Action) error { return r.act(r.ctx, a) })
}

// journalStep writes a controller step to the journal before any of its
// actions is carried out.
func (r *aliasRun) journalStep(rec deploy.Record) error {
	jr := Record{Type: RecStep, T: rec.T.String(), Event: rec.Event.String()}
	for _, a := range rec.Actions {
		jr.Actions = append(jr.Actions, a.String())
	}
	_, err := r.journal(jr)
	return err
}

func (r *aliasRun) now() time.Duration { return r.offset + r.clk.Now().Sub(r.origin) }

func (r *aliasRun) log(kind, subject, format string, a ...any) {
	r.record(kind, subject, fmt.Sprintf(format, a...), "")
}

// record logs a sentence the simulator's timeline shares, and its detail.
func (r *aliasRun) record(kind, subject, text, detail string) {
	r.o.Log(Entry{At: r.clk.Now(), T: r.now(), Kind: kind, Subject: subject, Text: text, Detail: detail})
}

func (r *aliasRun) journal(rec Record) (int, error) {
	rec.Deployment = r.id
	return r.j.Append(rec)
}

func runAlias(ctx context.Context, p Plan, o *Options, j *Journal) (*Outcome, error) {
	r, err := newAliasRun(ctx, p, o, j)
	if err != nil {
		return nil, err
	}
	pf, err := checkBeforeActing(ctx, o, p, r.log)
	if err != nil {
		return nil, err
	}
	r.id = newDeploymentID()
	r.alias = pf.alias
	r.origin = r.clk.Now()
	ictx, cancel, err := begin(ctx, r.journal, p, pf.alias, o.Interrupt)
	if err != nil {
		return nil, err
	}
	r.ictx = ictx
	defer cancel()
	r.record("deployment", "InProgress", deploy.StartText(p.Strategy, p.aliasName(), p.Current, p.Target),
		fmt.Sprintf(" (alias executor, %s, journal %s)", r.id, j.Path()))
	if err := r.pollAlarms(ctx); err != nil {
		return r.fail(err) // the journal holds the begin record: say how to go on
	}
	if err := r.step(deploy.Event{Kind: deploy.Start}); err != nil {
		return r.fail(err)
	}
	return r.loop(ctx)
}

// step feeds the controller one event at the current controller time; the
// driver journals it and queues its actions.
func (r *aliasRun) step(ev deploy.Event) error { return r.drv.Step(r.now(), ev) }

// stop makes the controller stop and roll back for a reason of shiftsim's
// own (an AWS error, a failed alarm poll, an interrupt). Forward moves still
// queued (weight steps, hook invocations) are dropped; if the controller had
// already decided to end — its Rollback and Finish are queued behind the
// step that failed — those are kept and its cause stands.
func (r *aliasRun) stop(cause string) error {
	stopped, err := r.drv.Stop(r.now(), true)
	if stopped {
		r.stopCause = cause
	}
	return err
}

// stopWithout stops the controller without a rollback, as StopDeployment
// with AutoRollbackEnabled=false: the alias stays where it is.
func (r *aliasRun) stopWithout(cause string) error {
	stopped, err := r.drv.Stop(r.now(), false)
	if stopped {
		r.stopCause = cause
	}
	return err
}

func (r *aliasRun) drain() error { return r.drv.Drain() }

func (r *aliasRun) act(ctx context.Context, a deploy.Action) error {
	switch a.Kind {
	case deploy.SetWeight:
		err := r.setAlias(ctx, r.p.aliasAt(a.Percent), 1)
		var ae *APIError
		if errors.As(err, &ae) {
			r.log("aws", "UpdateAlias", "%v: stopping the deployment", err)
			return r.stop("aws:UpdateAlias " + ae.Code)
		}
		return err
	case deploy.Rollback:
		r.rolledBack = true
		return r.setAlias(ctx, r.p.aliasAt(0), rollbackAttempts)
	case deploy.InvokeHook:
		return r.startHook(ctx, a.Hook)
	case deploy.Measure:
		r.measures = append(r.measures, a.Gate) // taken once the step's actions are carried out, at the same instant
	case deploy.Pause:
		r.paused(a)
	case deploy.Finish:
		return r.finish(a)
	}
	return nil
}

// paused notes a rollout's pause and, if the plan says when it is
// promoted, schedules the promotion, as the simulator's user does.
func (r *aliasRun) paused(a deploy.Action) {
	if r.p.PromoteAfter > 0 {
		r.promoteAt = r.now() + r.p.PromoteAfter
		r.log("gate", a.Cause, "rollout paused (%s): promoted after %v (deployment.argo_promote_after)", a.Cause, r.p.PromoteAfter)
		return
	}
	r.log("gate", a.Cause, "rollout paused (%s): it waits for a promotion, which no one is set to give (deployment.argo_promote_after); alarms are still watched; Ctrl-C rolls back (--on-interrupt=hold pauses shiftsim)", a.Cause)
}

// takeMeasurements measures the gates the controller asked for, journals
// what CloudWatch said, and feeds each Measurement to the controller.
func (r *aliasRun) takeMeasurements(ctx context.Context) error {
	gs := r.p.gates()
	for len(r.measures) > 0 {
		i := r.measures[0]
		r.measures = r.measures[1:]
		if !r.drv.Status().Active() || i < 0 || i >= len(gs) {
			continue
		}
		m, gq := measureGate(ctx, r.c, r.p, i, gs[i], r.clk.Now())
		if ctx.Err() != nil {
			return ErrKilled
		}
		out := map[string]string{"measurement": m.ev.String()}
		for id, v := range m.sums {
			out[id] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		rec := Record{Type: RecNote, T: r.now().String(), Call: gq.call().String(), Output: out, Note: "gate " + gs[i].Name}
		if m.callErr != nil {
			rec.Error = m.callErr.Error()
		}
		if _, err := r.journal(rec); err != nil {
			return err
		}
		if err := r.step(m.ev); err != nil {
			return err
		}
		meas, met := r.drv.Controller().LastMeasurement()
		r.log("gate", gs[i].Name, "measure %s: %s -> %s; metric %s", gateText(gs[i]), m.text, meas, met)
	}
	return nil
}

// setAlias brings the alias to want with UpdateAlias, up to attempts times
// while the error is transient (a rollback insists), logging it as the
// simulator's timeline does.
func (r *aliasRun) setAlias(ctx context.Context, want AliasState, attempts int) error {
	if r.alias.RevisionID != "" && r.alias.Same(want) && len(r.maybe) == 0 {
		r.log("note", "", "alias %s is already at %s: no UpdateAlias needed", r.p.aliasName(), want)
		return nil
	}
	backoff := rollbackBackoff
	for i := 1; ; i++ {
		err := r.updateAlias(ctx, want)
		if err == nil {
			r.logAlias(want)
			return nil
		}
		var ae *APIError
		if !errors.As(err, &ae) || !ae.Transient || i >= attempts {
			return err // only what time can cure is worth another try
		}
		r.log("aws", "UpdateAlias", "%v; trying again in %v (%d of %d)", err, backoff, i+1, attempts)
		if r.clk.Sleep(ctx, backoff) != nil {
			return ErrKilled
		}
		backoff *= 2
	}
}

func (r *aliasRun) logAlias(want AliasState) {
	// The simulator's records say the same (deploy.WeightText, RollbackText).
	pct := r.p.targetPercent(want)
	if pct == 0 {
		r.record("rollback", "", deploy.RollbackText(r.p.aliasName(), r.p.Current), "")
		return
	}
	bake := ""
	if pct == 100 {
		bake = r.p.Config.BakeNote()
	}
	r.record("weight", "", deploy.WeightText(r.p.aliasName(), r.p.Target, pct, bake), "")
}

// updateAlias makes one journaled UpdateAlias call, locked on the revision
// last seen. A PreconditionFailedException means the revision moved: if the
// alias already is where we want it (an earlier attempt landed and its answer
// was lost), that is success; if it is still where we left it (a change that
// did not touch routing), or where an earlier call of ours that failed may
// have put it, we retry on the new revision; otherwise someone else changed
// it. A call that fails otherwise may still have landed: its state is kept
// in r.maybe until a call succeeds.
func (r *aliasRun) updateAlias(ctx context.Context, want AliasState) error {
	for attempt := 1; ; attempt++ {
		cl := r.p.updateAliasCall(want, r.alias.RevisionID)
		w := want
		seq, err := r.journal(Record{Type: RecIntent, Op: cl.Op, Call: cl.String(), Alias: &w})
		if err != nil {
			return err
		}
		in := &lambda.UpdateAliasInput{FunctionName: aws.String(r.p.Function), Name: aws.String(r.p.Alias),
			FunctionVersion: aws.String(want.Version), RevisionId: aws.String(r.alias.RevisionID),
			RoutingConfig: &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: routingValue(want)["AdditionalVersionWeights"]}}
		if r.alias.RevisionID == "" {
			in.RevisionId = nil
		}
		out, err := r.c.Lambda.UpdateAlias(ctx, in)
		if ctx.Err() != nil {
			return ErrKilled
		}
		if err == nil {
			r.alias, r.maybe = aliasFrom(out.FunctionVersion, out.RoutingConfig, out.RevisionId), nil
			got := r.alias
			_, jerr := r.journal(Record{Type: RecResult, Intent: seq, OK: aws.Bool(true), Alias: &got, Output: map[string]string{"RevisionId": got.RevisionID}})
			return jerr
		}
		werr := wrapErr("UpdateAlias", err)
		if _, jerr := r.journal(Record{Type: RecResult, Intent: seq, OK: aws.Bool(false), Error: werr.Error()}); jerr != nil {
			return jerr
		}
		var pf *ltypes.PreconditionFailedException
		if !errors.As(err, &pf) {
			r.maybe = append(r.maybe, want)
			return werr
		}
		cur, gerr := getAlias(ctx, r.c, r.p)
		if ctx.Err() != nil {
			return ErrKilled
		}
		if gerr != nil {
			return wrapErr("GetAlias", gerr)
		}
		switch {
		case cur.Same(want):
			r.alias, r.maybe = cur, nil
			_, jerr := r.journal(Record{Type: RecNote, Alias: &cur, Note: "UpdateAlias answered PreconditionFailed but the alias is as wanted: an earlier attempt had landed"})
			return jerr
		case attempt < 3 && (cur.Same(r.alias) || slices.ContainsFunc(r.maybe, cur.Same)):
			if !cur.Same(r.alias) {
				r.log("note", "UpdateAlias", "alias %s is at %s, where an earlier UpdateAlias whose answer was lost put it: going on from there", r.p.aliasName(), cur)
			}
			r.alias, r.maybe = cur, nil
			if _, jerr := r.journal(Record{Type: RecNote, Alias: &cur, Note: "UpdateAlias answered PreconditionFailed: the alias is where shiftsim left it or where an earlier attempt of ours landed; trying again on its new revision"}); jerr != nil {
				return jerr
			}
			continue
		}
		return &ConflictError{Alias: r.p.aliasName(), Known: r.alias, Got: cur}
	}
}

// startHook invokes a hook function in the background (its verdict comes
// back through r.hook.ch), as CodeDeploy invokes hooks asynchronously.
func (r *aliasRun) startHook(ctx context.Context, h deploy.Hook) error {
	fn := r.p.hookFunction(h)
	payload, _ := json.Marshal(map[string]string{"DeploymentId": r.id, "LifecycleEventHookExecutionId": r.id + "-" + string(h)})
	cl := call("Invoke", "FunctionName", fn, "InvocationType", "RequestResponse", "Payload", json.RawMessage(payload))
	seq, err := r.journal(Record{Type: RecIntent, Op: cl.Op, Call: cl.String()})
	if err != nil {
		return err
	}
	r.record("hook", string(h), deploy.HookInvokeText(h), ": Invoke "+fn)
	ch := make(chan hookReply, 1)
	go func() {
		out, err := r.c.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(fn),
			InvocationType: ltypes.InvocationTypeRequestResponse, Payload: payload})
		ch <- hookReply{out, err}
	}()
	r.hook = &runningHook{hook: h, intent: seq, ch: ch}
	return nil
}

// hookVerdict reads a hook's answer (see the package comment).
func hookVerdict(rep hookReply) (ok bool, why string) {
	if rep.err != nil {
		return false, wrapErr("Invoke", rep.err).Error()
	}
	if fe := aws.ToString(rep.out.FunctionError); fe != "" {
		return false, "function error " + fe + ": " + excerpt(rep.out.Payload)
	}
	var v map[string]any
	if json.Unmarshal(rep.out.Payload, &v) == nil {
		for k, s := range v {
			if strings.EqualFold(k, "status") && strings.EqualFold(fmt.Sprint(s), "Failed") {
				return false, "returned " + excerpt(rep.out.Payload)
			}
		}
	}
	return true, "returned " + excerpt(rep.out.Payload)
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "nothing"
	}
	return s
}

func (r *aliasRun) hookDone(rep hookReply) error {
	h := r.hook
	r.hook = nil
	ok, why := hookVerdict(rep)
	verdict := "Succeeded"
	if !ok {
		verdict = "Failed"
	}
	if _, err := r.journal(Record{Type: RecResult, Intent: h.intent, OK: aws.Bool(rep.err == nil),
		Output: map[string]string{"verdict": verdict, "why": why}}); err != nil {
		return err
	}
	r.record("hook", string(h.hook), deploy.HookReportText(h.hook, verdict), " ("+why+")")
	return r.step(deploy.Event{Kind: deploy.HookResult, Hook: h.hook, Succeeded: ok})
}

// hookRunning reports whether the controller still waits for h.
func (r *aliasRun) hookRunning(h deploy.Hook) bool {
	i := 1
	if h == deploy.AfterAllowTraffic {
		i = 3
	}
	return r.drv.Controller().Lifecycle()[i].Status == deploy.LifecycleInProgress
}

// pollAlarms reads the alarms' states and feeds the changes to the
// controller, as CodeDeploy's poll would; the poll also marks controller
// time in the journal.
func (r *aliasRun) pollAlarms(ctx context.Context) error {
	t := r.now()
	r.nextPoll = t + r.o.AlarmPoll
	if _, err := r.journal(Record{Type: RecTick, T: t.String()}); err != nil {
		return err
	}
	if len(r.p.Alarms) == 0 {
		return nil
	}
	out, err := r.c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: r.p.Alarms, MaxRecords: aws.Int32(100)})
	if ctx.Err() != nil {
		return ErrKilled
	}
	if err != nil {
		return r.pollFailed(wrapErr("DescribeAlarms", err))
	}
	states := map[string]cwtypes.MetricAlarm{}
	for _, a := range out.MetricAlarms {
		states[aws.ToString(a.AlarmName)] = a
	}
	for _, n := range r.p.Alarms {
		if _, ok := states[n]; !ok {
			return r.pollFailed(fmt.Errorf("DescribeAlarms did not return alarm %s (deleted?)", n))
		}
	}
	for i, n := range r.p.Alarms {
		a := states[n]
		st := string(a.StateValue)
		switch {
		case !r.polled:
			r.log("alarm", n, "alarm %s: %s (%s)", n, st, aws.ToString(a.StateReason))
		case st != r.alarmState[i]:
			r.record("alarm", n, deploy.AlarmText(n, r.alarmState[i], st, aws.ToString(a.StateReason)), "")
		}
		r.alarmState[i] = st
		// ALARM stops the deployment; INSUFFICIENT_DATA too for an AppConfig
		// strategy that asks for it, as the simulator's trips (docs/plans.md).
		in := a.StateValue == cwtypes.StateValueAlarm || (a.StateValue == cwtypes.StateValueInsufficientData && r.p.Config.InsufficientDataRollsBack)
		if in != r.inAlarm[i] {
			r.inAlarm[i] = in
			if err := r.step(deploy.Event{Kind: deploy.AlarmState, Alarm: i, InAlarm: in}); err != nil {
				return err
			}
		}
	}
	r.polled = true
	return nil
}

// pollFailed handles alarm states that could not be read: CodeDeploy stops
// the deployment unless IgnorePollAlarmFailure (SDK-CD AlarmConfiguration).
func (r *aliasRun) pollFailed(err error) error {
	if r.o.IgnorePollAlarmFailure {
		r.log("aws", "DescribeAlarms", "%v (ignored: --ignore-poll-alarm-failure)", err)
		return nil
	}
	r.log("aws", "DescribeAlarms", "%v: alarm states unknown, stopping the deployment", err)
	if !r.drv.Status().Terminal() && r.drv.Status() != deploy.Created {
		return r.stop("alarm-poll: " + err.Error())
	}
	if r.drv.Status() == deploy.Created { // before Start: nothing shifted, nothing to undo
		return err
	}
	return nil
}

func (r *aliasRun) finish(a deploy.Action) error {
	r.finished, r.finishedAct = true, a
	cause := a.Cause
	if r.stopCause != "" && a.Cause == deploy.CauseManual {
		cause = r.stopCause
	}
	r.out.DeploymentID, r.out.Status, r.out.ErrorCode, r.out.Cause = r.id, a.Status, a.ErrorCode, cause
	r.out.RolledBack, r.out.Alias = r.rolledBack, r.alias
	r.record("deployment", string(a.Status), deploy.EndText(r.p.Strategy, a.Status, a.ErrorCode, cause), "")
	al := r.alias
	_, err := r.journal(Record{Type: RecFinish, T: r.now().String(), Status: string(a.Status), ErrorCode: a.ErrorCode, Cause: cause, Alias: &al})
	return err
}

// loop runs the deployment until the controller finishes, the run is held,
// or something stops it.
func (r *aliasRun) loop(ctx context.Context) (*Outcome, error) {
	for {
		if err := r.drain(); err != nil {
			return r.fail(err)
		}
		if r.finished {
			return &r.out, nil
		}
		if len(r.measures) > 0 {
			if err := r.takeMeasurements(ctx); err != nil {
				return r.fail(err)
			}
			continue
		}
		if r.drv.Status().Terminal() { // cannot happen: every end of the controller is a Finish action
			return r.fail(errors.New("internal error: the controller ended without a Finish action"))
		}
		if ctx.Err() != nil {
			return nil, ErrKilled
		}
		if !r.interrupts && interrupted(r.o.Interrupt) {
			r.interrupts = true
			r.ictx = ctx // the interrupt is handled: later waits must not end at once
			switch r.o.OnInterrupt {
			case OnInterruptHold:
				return r.hold()
			case OnInterruptStop:
				r.log("deployment", "", "INTERRUPTED, STOPPING WITHOUT ROLLBACK (--on-interrupt=stop): the deployment ends Stopped and alias %s is LEFT at %s; --resume --rollback resets it",
					r.p.aliasName(), r.alias)
				if err := r.stopWithout("interrupt"); err != nil {
					return r.fail(err)
				}
			default:
				r.log("deployment", "", "INTERRUPTED: rolling back %s to version %s (interrupt again to exit at once; --resume then finishes the rollback)", r.p.aliasName(), r.p.Current)
				if err := r.stop("interrupt"); err != nil {
					return r.fail(err)
				}
			}
			continue
		}
		if r.hook != nil && !r.hookRunning(r.hook.hook) {
			r.hook = nil // the controller gave up on it (timeout, stop); its answer no longer matters
		}
		wake := r.nextPoll
		if dl, ok := r.drv.Deadline(); ok && dl < wake {
			wake = dl
		}
		if r.promoteAt >= 0 && r.promoteAt < wake {
			wake = r.promoteAt
		}
		d := wake - r.now()
		if r.hook != nil {
			timer := r.clk.After(d)
			select {
			case rep := <-r.hook.ch:
				select { // time that passed while the hook ran is handled first
				case <-timer:
					if err := r.onTime(ctx); err != nil {
						return r.fail(err)
					}
				default:
				}
				if r.hook != nil && r.hookRunning(r.hook.hook) {
					if err := r.hookDone(rep); err != nil {
						return r.fail(err)
					}
				}
			case <-timer:
				if err := r.onTime(ctx); err != nil {
					return r.fail(err)
				}
			case <-r.ictx.Done():
			}
			continue
		}
		if d > 0 && r.clk.Sleep(r.ictx, d) != nil {
			continue // interrupted (or killed): the top of the loop decides
		}
		if err := r.onTime(ctx); err != nil {
			return r.fail(err)
		}
	}
}

// onTime polls the alarms if a poll is due, then ticks the controller if its
// deadline has come.
func (r *aliasRun) onTime(ctx context.Context) error {
	if r.now() >= r.nextPoll {
		if err := r.pollAlarms(ctx); err != nil {
			return err
		}
	}
	if r.promoteAt >= 0 && r.now() >= r.promoteAt {
		r.promoteAt = -1
		if r.drv.Status() == deploy.Paused {
			r.log("gate", "promote", "promoting the paused rollout (deployment.argo_promote_after)")
			if err := r.step(deploy.Event{Kind: deploy.Promote}); err != nil {
				return err
			}
		}
	}
	if dl, ok := r.drv.Deadline(); ok && r.now() >= dl {
		return r.step(deploy.Event{Kind: deploy.Tick})
	}
	return nil
}

// hold leaves the alias where it is, journals it, and says so loudly.
func (r *aliasRun) hold() (*Outcome, error) {
	al := r.alias
	if _, err := r.journal(Record{Type: RecHold, T: r.now().String(), Alias: &al}); err != nil {
		return nil, err
	}
	r.log("deployment", "held", "INTERRUPTED, HOLDING (--on-interrupt=hold): alias %s is LEFT at %s; nothing is watching its alarms now. Continue with --resume, roll back with --resume --rollback",
		r.p.aliasName(), r.alias)
	r.out.DeploymentID, r.out.Held, r.out.Alias = r.id, true, r.alias
	return &r.out, nil
}

// fail reports an error that stops the run, saying where the alias was left.
func (r *aliasRun) fail(err error) (*Outcome, error) {
	if errors.Is(err, ErrKilled) {
		return nil, ErrKilled
	}
	return nil, fmt.Errorf("%w\nalias %s was last seen at %s; the journal %s records every step: run again with --resume to continue, or --resume --rollback to roll back",
		err, r.p.aliasName(), r.alias, r.j.Path())
}
