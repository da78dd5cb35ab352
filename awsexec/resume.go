package awsexec

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
)

// replayed is what a journal says about an alias-executor deployment.
type replayed struct {
	drv     *deploy.Driver
	lastT   time.Duration
	desired AliasState   // where the controller's actions put the alias
	known   AliasState   // where the last successful UpdateAlias left it
	maybe   []AliasState // UpdateAlias intents since the last success, with no result or a failed one: they may have landed
	inAlarm []bool
	rolled  bool
	finish  *deploy.Action
	// measures are the gates asked for and not yet reported (a crash
	// between a Measure and its Measurement): the resume measures them.
	measures []int
	pausedAt time.Duration // when the rollout last paused; -1 when it is not paused
	pauseWhy string        // the last pause's cause
}

// replay rebuilds the controller from the journal: every journaled step is
// fed again through a driver, at its time, and must give the actions the
// journal recorded; the replay's applier only notes where they put the alias.
func replay(p Plan, recs []Record) (*replayed, error) {
	rp := &replayed{desired: p.aliasAt(0), inAlarm: make([]bool, len(p.Alarms)), pausedAt: -1}
	var step Record // the journal's step being replayed
	var stepT time.Duration
	observed := false
	observe := func(rec deploy.Record) error {
		observed = true
		got := make([]string, 0, len(rec.Actions))
		for _, a := range rec.Actions {
			got = append(got, a.String())
		}
		if !slices.Equal(got, step.Actions) && len(got)+len(step.Actions) > 0 {
			return fmt.Errorf("record %d (%s at %s) replays as %q, the journal says %q", step.Seq, step.Event, step.T, got, step.Actions)
		}
		return nil
	}
	apply := deploy.ApplierFunc(func(a deploy.Action) error {
		switch a.Kind {
		case deploy.SetWeight:
			rp.desired = p.aliasAt(a.Percent)
		case deploy.Rollback:
			rp.desired, rp.rolled = p.aliasAt(0), true
		case deploy.Measure:
			rp.measures = append(rp.measures, a.Gate)
		case deploy.Pause:
			rp.pausedAt, rp.pauseWhy = stepT, a.Cause
		case deploy.Finish:
			f := a
			rp.finish = &f
		}
		return nil
	})
	var err error
	if rp.drv, err = deploy.NewDriver(p.controllerConfig(), apply, observe); err != nil {
		return nil, err
	}
	if recs[0].Alias != nil {
		rp.known = *recs[0].Alias
	}
	intents := map[int]Record{}
	for _, rec := range recs[1:] {
		if rec.T != "" {
			t, err := time.ParseDuration(rec.T)
			if err != nil {
				return nil, fmt.Errorf("record %d: time %q: %v", rec.Seq, rec.T, err)
			}
			rp.lastT = max(rp.lastT, t)
		}
		switch rec.Type {
		case RecStep:
			t, _ := time.ParseDuration(rec.T)
			ev, err := deploy.ParseEvent(rec.Event)
			if err != nil {
				return nil, fmt.Errorf("record %d: %v", rec.Seq, err)
			}
			step, observed = rec, false
			stepT = t
			if ev.Kind == deploy.Measurement {
				if i := slices.Index(rp.measures, ev.Gate); i >= 0 {
					rp.measures = slices.Delete(rp.measures, i, i+1)
				}
			}
			if ev.Kind == deploy.Promote {
				rp.pausedAt = -1
			}
			if err := rp.drv.Run(t, ev); err != nil {
				return nil, err
			}
			if !observed && len(rec.Actions) > 0 {
				return nil, fmt.Errorf("record %d (%s at %s) replays as no action, the journal says %q", rec.Seq, rec.Event, rec.T, rec.Actions)
			}
			if ev.Kind == deploy.AlarmState && ev.Alarm >= 0 && ev.Alarm < len(rp.inAlarm) {
				rp.inAlarm[ev.Alarm] = ev.InAlarm
			}
		case RecIntent:
			intents[rec.Seq] = rec
			if rec.Op == "UpdateAlias" && rec.Alias != nil {
				rp.maybe = append(rp.maybe, *rec.Alias)
			}
		case RecResult:
			in, ok := intents[rec.Intent]
			if !ok || in.Op != "UpdateAlias" {
				continue
			}
			if rec.OK != nil && *rec.OK && rec.Alias != nil {
				rp.known, rp.maybe = *rec.Alias, nil
			}
		case RecNote:
			if rec.Alias != nil {
				rp.known, rp.maybe = *rec.Alias, nil
			}
		}
	}
	return rp, nil
}

// promotable says why the replayed deployment cannot be promoted, if it
// cannot: only a paused rollout can.
func (rp *replayed) promotable(id, path string) error {
	switch st := rp.drv.Status(); {
	case st == deploy.Paused:
		return nil
	case rp.finish != nil:
		return fmt.Errorf("%w: deployment %s in journal %s has finished (%s)", ErrNotPaused, id, path, rp.finish.Status)
	default:
		return fmt.Errorf("%w: deployment %s in journal %s is %s, not Paused: only a rollout waiting at a pause (pause: {}, an Inconclusive analysis, a blue-green promotion) can be promoted; continue it with --resume, abort it with --resume --rollback",
			ErrNotPaused, id, path, st)
	}
}

// PromotePreview is what --resume --promote would do with a journal: the
// rollout paused at Since (controller time) for Cause, and the controller's
// answer to the promotion, Actions in deploy.Action's text.
type PromotePreview struct {
	Since   time.Duration
	Cause   string
	Actions []string
}

// PreviewPromote replays the journal's alias-executor deployment and, if it
// is a paused rollout, steps a copy of its controller with the Promote the
// user would give; it calls no AWS API. An error wraps ErrNotPaused (or
// ErrJournal) and says why.
func PreviewPromote(recs []Record) (PromotePreview, error) {
	if len(recs) == 0 || recs[0].Type != RecBegin || recs[0].Plan == nil {
		return PromotePreview{}, fmt.Errorf("%w: the journal holds no deployment", ErrNotPaused)
	}
	if recs[0].Plan.Executor == ExecCodeDeploy {
		return PromotePreview{}, fmt.Errorf("%w: deployment %s runs on CodeDeploy, whose deployments never pause", ErrNotPaused, recs[0].Deployment)
	}
	p, err := recs[0].Plan.plan()
	if err != nil {
		return PromotePreview{}, fmt.Errorf("%w: %v", ErrJournal, err)
	}
	rp, err := replay(p, recs)
	if err != nil {
		return PromotePreview{}, fmt.Errorf("%w: %v", ErrJournal, err)
	}
	if err := rp.promotable(recs[0].Deployment, "(the one given)"); err != nil {
		return PromotePreview{}, err
	}
	out := PromotePreview{Since: rp.pausedAt, Cause: rp.pauseWhy}
	rp.drv.Use(deploy.ApplierFunc(func(deploy.Action) error { return nil }), func(rec deploy.Record) error {
		for _, a := range rec.Actions {
			out.Actions = append(out.Actions, a.String())
		}
		return nil
	})
	if err := rp.drv.Run(rp.lastT, deploy.Event{Kind: deploy.Promote}); err != nil {
		return PromotePreview{}, err
	}
	return out, nil
}

// resumeAlias continues (or, with ResumeRollback, rolls back) the unfinished
// alias-executor deployment of recs: it replays the controller, puts the
// alias where the journal says it should be, re-invokes a hook whose verdict
// was never journaled, and goes on from the controller time last journaled.
func resumeAlias(ctx context.Context, p Plan, o *Options, j *Journal, recs []Record) (*Outcome, error) {
	rp, err := replay(p, recs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJournal, j.Path(), err)
	}
	if o.ResumePromote {
		if err := rp.promotable(recs[0].Deployment, j.Path()); err != nil {
			return nil, err
		}
	}
	r, err := newAliasRun(ctx, p, o, j)
	if err != nil {
		return nil, err
	}
	r.id, r.drv, r.inAlarm, r.rolledBack = recs[0].Deployment, rp.drv, rp.inAlarm, rp.rolled
	r.drv.Use(r.applier(), r.journalStep) // the replayed controller goes on with AWS calls
	r.offset, r.origin = rp.lastT, r.clk.Now()
	var cancel context.CancelFunc
	r.ictx, cancel = watchInterrupt(ctx, o.Interrupt)
	defer cancel()

	cur, err := getAlias(ctx, r.c, p)
	if ctx.Err() != nil {
		return nil, ErrKilled
	}
	if err != nil {
		return nil, wrapErr("GetAlias", err)
	}
	r.alias = cur
	if _, err := r.journal(Record{Type: RecNote, T: rp.lastT.String(), Note: "resumed", Alias: &cur}); err != nil {
		return nil, err
	}
	r.log("deployment", "InProgress", "deployment %s resumed from journal %s at t+%s: alias %s is at %s, the journal wants %s",
		r.id, j.Path(), clock(rp.lastT), p.aliasName(), cur, rp.desired)
	switch {
	case cur.Same(rp.desired):
	case cur.Same(rp.known) || slices.ContainsFunc(rp.maybe, cur.Same):
		attempts := 1
		if rp.rolled {
			attempts = rollbackAttempts
		}
		if err := r.setAlias(ctx, rp.desired, attempts); err != nil {
			return r.fail(err)
		}
	default:
		return nil, &ConflictError{Alias: p.aliasName(), Known: rp.desired, Got: cur}
	}
	if rp.finish != nil { // the controller had finished; only the record was missing
		if err := r.finish(*rp.finish); err != nil {
			return nil, err
		}
		return &r.out, nil
	}
	if r.drv.Status() == deploy.Created && !o.ResumeRollback { // stopped before its start
		if err := r.pollAlarms(ctx); err != nil {
			return r.fail(err)
		}
		if err := r.step(deploy.Event{Kind: deploy.Start}); err != nil {
			return r.fail(err)
		}
		return r.loop(ctx)
	}
	if o.ResumeRollback {
		r.log("deployment", "", "rolling back (--resume --rollback)")
		if err := r.stop("resume --rollback"); err != nil {
			return r.fail(err)
		}
		return r.loop(ctx)
	}
	for _, h := range []deploy.Hook{deploy.BeforeAllowTraffic, deploy.AfterAllowTraffic} {
		if r.hookRunning(h) {
			r.log("hook", string(h), "%s hook had not reported when the run stopped: invoking it again", h)
			if err := r.startHook(ctx, h); err != nil {
				return r.fail(err)
			}
		}
	}
	r.measures = rp.measures // asked for, never reported: measured now
	switch {
	case o.ResumePromote && r.drv.Status() == deploy.Paused:
		r.log("gate", "promote", "promoting the paused rollout (--resume --promote; it paused at t+%s: %s)", clock(rp.pausedAt), rp.pauseWhy)
		if err := r.step(deploy.Event{Kind: deploy.Promote}); err != nil {
			return r.fail(err)
		}
	case rp.pausedAt >= 0 && p.PromoteAfter > 0 && r.drv.Status() == deploy.Paused:
		r.promoteAt = rp.pausedAt + p.PromoteAfter
	}
	r.nextPoll = rp.lastT // poll at once: alarms may have fired meanwhile
	return r.loop(ctx)
}

// lastAlias is where the journal last saw the alias: the state of its last
// record that says one (begin, a successful UpdateAlias, a note, a hold, the
// finish), or false if none does.
func lastAlias(recs []Record) (AliasState, bool) {
	var a AliasState
	found := false
	for _, r := range recs {
		if r.Alias == nil || r.Type == RecIntent || (r.Type == RecResult && (r.OK == nil || !*r.OK)) {
			continue
		}
		a, found = *r.Alias, true
	}
	return a, found
}

// leftWeighted reports whether recs hold an alias-executor deployment that
// finished with the alias left on two versions (a stop without rollback)
// and has not been reset since.
func leftWeighted(recs []Record) bool {
	if len(recs) == 0 || unfinished(recs) || recs[0].Plan == nil || recs[0].Plan.Executor != ExecAlias {
		return false
	}
	a, ok := lastAlias(recs)
	return ok && len(nonZero(a.Weights)) > 0
}

// LeftWeighted reports whether the journal's deployment ended with the
// alias left on two versions (stopped without rollback) and not reset since,
// and where it was left: --resume --rollback resets it.
func LeftWeighted(recs []Record) (AliasState, bool) {
	if !leftWeighted(recs) {
		return AliasState{}, false
	}
	a, _ := lastAlias(recs)
	return a, true
}

// resetLeftWeighted rolls back the alias of a deployment that ended without
// rollback, leaving it weighted (--on-interrupt=stop): one journaled
// UpdateAlias to the current version, if the alias is still where the
// journal left it; someone else's change is not touched.
func resetLeftWeighted(ctx context.Context, p Plan, o *Options, j *Journal, recs []Record) (*Outcome, error) {
	r, err := newAliasRun(ctx, p, o, j)
	if err != nil {
		return nil, err
	}
	r.id = recs[0].Deployment
	left, _ := lastAlias(recs)
	cur, err := getAlias(ctx, r.c, p)
	if ctx.Err() != nil {
		return nil, ErrKilled
	}
	if err != nil {
		return nil, wrapErr("GetAlias", err)
	}
	if !cur.Same(left) {
		return nil, &ConflictError{Alias: p.aliasName(), Known: left, Got: cur}
	}
	r.alias = cur
	if _, err := r.journal(Record{Type: RecNote, Alias: &cur, Note: "resume --rollback: resetting the alias the deployment left weighted"}); err != nil {
		return nil, err
	}
	r.log("deployment", "", "deployment %s ended with alias %s LEFT at %s: rolling it back to version %s (--resume --rollback)", r.id, p.aliasName(), cur, p.Current)
	if err := r.setAlias(ctx, p.aliasAt(0), rollbackAttempts); err != nil {
		return r.fail(err)
	}
	out := Outcome{Executor: ExecAlias, DeploymentID: r.id, Status: deploy.Stopped, RolledBack: true, Alias: r.alias, Journal: j.Path()}
	for _, rec := range recs {
		if rec.Type == RecFinish {
			out.Status, out.ErrorCode, out.Cause = deploy.Status(rec.Status), rec.ErrorCode, rec.Cause
		}
	}
	return &out, nil
}
