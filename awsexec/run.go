package awsexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/strategies"
)

// Interrupt policies: what Ctrl-C or SIGTERM does to a running deployment.
const (
	OnInterruptRollback = "rollback" // put the alias back on the current version
	OnInterruptHold     = "hold"     // leave the alias where it is, journal it, exit
	// OnInterruptStop ends the deployment as CodeDeploy's StopDeployment
	// with AutoRollbackEnabled=false does: Stopped (MANUAL_STOP), the alias
	// LEFT where it is; --resume --rollback can still reset it.
	OnInterruptStop = "stop"
)

// Options say how to carry out a plan.
type Options struct {
	Clients Clients
	Clock   Clock  // nil: the wall clock
	Journal string // the journal's path; required

	// Resume continues the unfinished deployment in Journal (the plan comes
	// from the journal); with ResumeRollback it rolls it back instead.
	Resume, ResumeRollback bool
	// ResumePromote, with Resume, promotes the journal's paused rollout (an
	// Argo Rollouts plan at a `pause: {}` step, an Inconclusive analysis, or
	// a blue-green promotion that waits for a user), as `kubectl argo
	// rollouts promote` does: the replayed controller takes a Promote at
	// once and the rollout goes on. A journal whose deployment is not
	// Paused is refused with ErrNotPaused. Aborting is ResumeRollback.
	ResumePromote bool

	OnInterrupt string          // OnInterruptRollback (default), OnInterruptHold or OnInterruptStop
	Interrupt   <-chan struct{} // closed on Ctrl-C or SIGTERM

	AlarmPoll  time.Duration // alias executor: DescribeAlarms period; default 60 s
	FollowPoll time.Duration // codedeploy executor: GetDeployment period; default 15 s
	// IgnorePollAlarmFailure keeps the alias executor going when alarm states
	// cannot be read, as CodeDeploy's option of that name does; by default a
	// failed poll stops the deployment and rolls back.
	IgnorePollAlarmFailure bool

	Log func(Entry) // the timeline, entry by entry as it happens

	// Connection, if known, is where the calls go; the dry run prints it.
	Connection *Connection
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = Wall{}
	}
	if o.OnInterrupt == "" {
		o.OnInterrupt = OnInterruptRollback
	}
	if o.AlarmPoll <= 0 {
		o.AlarmPoll = time.Minute
	}
	if o.FollowPoll <= 0 {
		o.FollowPoll = 15 * time.Second
	}
	if o.Log == nil {
		o.Log = func(Entry) {}
	}
}

// Entry is one line of a deployment's timeline; Kind is one of the
// simulator's timeline kinds (deployment, weight, rollback, hook, alarm) or
// "aws" (a call failed, was retried, was made on the user's behalf) or
// "note".
type Entry struct {
	At      time.Time     // the clock's time
	T       time.Duration // since the deployment started (alias executor: controller time)
	Kind    string
	Subject string
	// Text is the sentence: for the deployment's start and end, alias
	// updates, hooks and alarm changes the one the simulator's timeline
	// writes for the same step (deploy.StartText, WeightText, HookReportText...).
	Text string
	// Detail is what the executor adds after the sentence (its journal,
	// the hook's function, why a hook failed); "" for none.
	Detail string
}

// Line is the entry as the deployment's log prints it: the sentence and its
// detail.
func (e Entry) Line() string { return e.Text + e.Detail }

// Outcome is how a deployment ended, or where it was left.
type Outcome struct {
	Executor     string
	DeploymentID string        // CodeDeploy's, or shiftsim's own for the alias executor
	Status       deploy.Status // Succeeded, Failed or Stopped; empty when held
	ErrorCode    string
	Cause        string // "alarm:<name>", "hook:<Hook>", "manual", "interrupt", "aws:<Op>", ...
	RolledBack   bool
	Held         bool
	Alias        AliasState // the alias as shiftsim last saw it
	Journal      string
}

// Summary is a one-line account for people.
func (o *Outcome) Summary(p Plan) string {
	switch {
	case o.Held && o.Executor == ExecCodeDeploy:
		return fmt.Sprintf("HELD: CodeDeploy deployment %s was stopped without rollback; alias %s is LEFT at %s and later deployments fail until it is reset: run --resume --rollback (journal %s)",
			o.DeploymentID, p.aliasName(), o.Alias, o.Journal)
	case o.Held:
		return fmt.Sprintf("HELD: deployment %s is paused with alias %s at %s and nothing watching its alarms; continue with --resume, or roll back with --resume --rollback (journal %s)",
			o.DeploymentID, p.aliasName(), o.Alias, o.Journal)
	case o.Status == deploy.Succeeded:
		return fmt.Sprintf("deployment %s Succeeded: alias %s is at %s", o.DeploymentID, p.aliasName(), o.Alias)
	}
	s := fmt.Sprintf("deployment %s %s", o.DeploymentID, o.Status)
	if o.ErrorCode != "" {
		s += " " + o.ErrorCode
	}
	if o.Cause != "" {
		s += " (" + o.Cause + ")"
	}
	if o.RolledBack {
		s += ", rolled back"
	}
	s += fmt.Sprintf(": alias %s is at %s", p.aliasName(), o.Alias)
	if len(nonZero(o.Alias.Weights)) > 0 {
		s += "; it is LEFT on two versions (no rollback): later deployments fail until it is reset (CD-UG:troubleshooting-deployments-lambda)"
		if o.Executor == ExecAlias {
			s += fmt.Sprintf("; --resume --rollback resets it (journal %s)", o.Journal)
		}
	}
	return s
}

// Errors the caller may want to tell apart.
var (
	// ErrKilled: the context was cancelled; the run stopped where it was
	// and wrote nothing more to the journal, as a killed process would.
	ErrKilled = errors.New("killed")
	// ErrUnfinished: the journal holds a deployment that did not finish.
	ErrUnfinished = errors.New("the journal holds an unfinished deployment")
	// ErrNothingToResume: --resume with a journal whose last deployment
	// finished, or with no deployment at all.
	ErrNothingToResume = errors.New("nothing to resume")
	// ErrJournal: the journal does not replay (edited, or written by an
	// incompatible shiftsim).
	ErrJournal = errors.New("journal does not replay")
	// ErrNotPaused: --resume --promote with a journal whose deployment is
	// not a paused rollout.
	ErrNotPaused = errors.New("nothing to promote")
)

// ConflictError says the alias is not where shiftsim left it: someone else
// changed it, and shiftsim will not fight them.
type ConflictError struct {
	Alias      string
	Known, Got AliasState
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("alias %s changed outside shiftsim: it is at %s, shiftsim last left it at %s; shiftsim stops without touching it (check who else deploys it, then reset it by hand or resume)",
		e.Alias, e.Got, e.Known)
}

// Deploy carries out p as p.Executor says, or, with o.Resume, the
// unfinished deployment in o.Journal (p may then be zero; if it is not, it
// must name the same function, alias and versions). It returns how the
// deployment ended; a deployment that was stopped or rolled back is an
// Outcome, not an error. Errors are for what kept shiftsim from finishing:
// a failed pre-check (*PreflightError), an AWS error it could not get past
// (*APIError), the alias changed by someone else (*ConflictError), a journal
// problem, or ErrKilled when ctx was cancelled.
func Deploy(ctx context.Context, p Plan, o Options) (*Outcome, error) {
	o.defaults()
	if o.Journal == "" {
		return nil, errors.New("a journal file is required to act")
	}
	if !o.Resume {
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	j, recs, err := OpenJournal(o.Journal, o.Clock)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	if o.ResumePromote && (!o.Resume || o.ResumeRollback) {
		return nil, fmt.Errorf("%w: --promote goes with --resume, and not with --rollback (which aborts the rollout)", ErrNotPaused)
	}
	if o.Resume {
		if o.ResumeRollback && leftWeighted(recs) {
			jp, err := recs[0].Plan.plan()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrJournal, o.Journal, err)
			}
			return resetLeftWeighted(ctx, jp, &o, j, recs)
		}
		if !unfinished(recs) {
			if len(recs) == 0 {
				return nil, fmt.Errorf("%w: journal %s holds no deployment", ErrNothingToResume, o.Journal)
			}
			if o.ResumePromote {
				return nil, fmt.Errorf("%w: deployment %s in journal %s has finished (%s)", ErrNotPaused, recs[0].Deployment, o.Journal, finishText(recs))
			}
			return nil, fmt.Errorf("%w: deployment %s in journal %s has finished (%s)", ErrNothingToResume, recs[0].Deployment, o.Journal, finishText(recs))
		}
		jp, err := recs[0].Plan.plan()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrJournal, o.Journal, err)
		}
		if p.Function != "" && (p.Function != jp.Function || p.Alias != jp.Alias || p.Current != jp.Current || p.Target != jp.Target) {
			return nil, fmt.Errorf("%w: journal %s is about %s %s→%s, not %s %s→%s", ErrJournal, o.Journal,
				jp.aliasName(), jp.Current, jp.Target, p.aliasName(), p.Current, p.Target)
		}
		if jp.Executor == ExecCodeDeploy {
			if o.ResumePromote {
				return nil, fmt.Errorf("%w: deployment %s in journal %s runs on CodeDeploy, whose deployments never pause", ErrNotPaused, recs[0].Deployment, o.Journal)
			}
			return resumeCodeDeploy(ctx, jp, &o, j, recs)
		}
		return resumeAlias(ctx, jp, &o, j, recs)
	}
	if unfinished(recs) {
		return nil, fmt.Errorf("%w: deployment %s (%s %s→%s, begun %s) in %s: continue it with --resume, roll it back with --resume --rollback",
			ErrUnfinished, recs[0].Deployment, recs[0].Plan.Function+":"+recs[0].Plan.Alias, recs[0].Plan.Current, recs[0].Plan.Target,
			recs[0].Time.Format(time.RFC3339), o.Journal)
	}
	if p.Executor == ExecCodeDeploy {
		return runCodeDeploy(ctx, p, &o, j)
	}
	return runAlias(ctx, p, &o, j)
}

func finishText(recs []Record) string {
	for _, r := range recs {
		if r.Type == RecFinish {
			return strings.TrimSpace(r.Status + " " + r.ErrorCode + " " + r.Cause)
		}
	}
	return "?"
}

// begin journals a deployment's begin record (its plan, and the alias
// before it) and then watches for the interrupt: both executors start so;
// cancel ends the watch.
func begin(ctx context.Context, journal func(Record) (int, error), p Plan, before AliasState, interrupt <-chan struct{}) (context.Context, context.CancelFunc, error) {
	if _, err := journal(Record{Type: RecBegin, Plan: p.record(), Alias: &before}); err != nil {
		return nil, nil, err
	}
	ictx, cancel := watchInterrupt(ctx, interrupt)
	return ictx, cancel, nil
}

// watchInterrupt returns a context done when ctx is, or when interrupt fires.
func watchInterrupt(ctx context.Context, interrupt <-chan struct{}) (context.Context, context.CancelFunc) {
	ictx, cancel := context.WithCancel(ctx)
	if interrupt != nil {
		go func() {
			select {
			case <-interrupt:
				cancel()
			case <-ictx.Done():
			}
		}()
	}
	return ictx, cancel
}

// interrupted reports, without blocking, whether the interrupt has fired.
func interrupted(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func (p Plan) record() *planRecord {
	r := &planRecord{
		Executor: p.Executor, Function: p.Function, Alias: p.Alias, Current: p.Current, Target: p.Target,
		Strategy: p.Strategy, End: p.Schedule.End.String(), Alarms: p.Alarms, BeforeHook: p.BeforeHook, AfterHook: p.AfterHook,
		AutoRollback: p.AutoRollback, Application: p.Application, DeploymentGroup: p.DeploymentGroup, ConfigName: p.DeploymentConfigName(),
		Config: configJSON{Name: p.Config.Name, Type: string(p.Config.Type), Percentage: p.Config.Percentage, Interval: p.Config.Interval},
	}
	if p.HookTimeout != 0 {
		r.HookTimeout = p.HookTimeout.String()
	}
	if p.Config.Type == strategies.AppConfig {
		ac := p.Config.AppConfig
		r.Config.AppConfig, r.Config.StepTiming = &ac, p.Config.Timing.String()
	}
	r.Config.InsufficientDataRollsBack = p.Config.InsufficientDataRollsBack
	if p.Config.Argo() {
		r.Config.Rollout = p.Config.Rollout
	}
	if p.Config.Type.IsECS() {
		ecs := p.Config.ECS
		r.Config.ECS = &ecs
	}
	if p.Config.Type == strategies.FlaggerType {
		r.Config.Flagger = p.Config.Flagger
	}
	if p.MetricDelay != 0 {
		r.MetricDelay = p.MetricDelay.String()
	}
	if p.PromoteAfter != 0 {
		r.PromoteAfter = p.PromoteAfter.String()
	}
	for _, s := range p.Schedule.Steps {
		r.Steps = append(r.Steps, stepJSON{At: s.At.String(), Percent: s.Percent})
	}
	return r
}

func (r *planRecord) plan() (Plan, error) {
	if r == nil {
		return Plan{}, errors.New("begin record without a plan")
	}
	p := Plan{Executor: r.Executor, Function: r.Function, Alias: r.Alias, Current: r.Current, Target: r.Target,
		Strategy: r.Strategy, Alarms: r.Alarms, BeforeHook: r.BeforeHook, AfterHook: r.AfterHook, AutoRollback: r.AutoRollback,
		Application: r.Application, DeploymentGroup: r.DeploymentGroup,
		Config: strategies.Config{Name: r.Config.Name, Type: strategies.Type(r.Config.Type), Percentage: r.Config.Percentage, Interval: r.Config.Interval,
			InsufficientDataRollsBack: r.Config.InsufficientDataRollsBack}}
	var err error
	p.Config.Rollout, p.Config.Flagger = r.Config.Rollout, r.Config.Flagger
	// A gated plan is its gates: a journal that lost them (one written
	// before they were journaled) must not resume the bare schedule.
	switch {
	case p.Config.Argo() && p.Config.Rollout == nil:
		return Plan{}, fmt.Errorf("the journal's %s plan %q holds no rollout (steps and analyses), so it cannot be replayed; %s", p.Config.Type, p.Config.Name, p.resetHint())
	case p.Config.Type == strategies.FlaggerType && p.Config.Flagger == nil:
		return Plan{}, fmt.Errorf("the journal's Flagger plan %q holds no analysis, so it cannot be replayed; %s", p.Config.Name, p.resetHint())
	}
	if r.Config.ECS != nil {
		p.Config.ECS = *r.Config.ECS
	}
	for _, d := range []struct {
		s   string
		dst *time.Duration
	}{{r.MetricDelay, &p.MetricDelay}, {r.PromoteAfter, &p.PromoteAfter}} {
		if d.s == "" {
			continue
		}
		if *d.dst, err = time.ParseDuration(d.s); err != nil {
			return Plan{}, fmt.Errorf("plan duration %q: %v", d.s, err)
		}
	}
	if r.Config.AppConfig != nil {
		p.Config.AppConfig = *r.Config.AppConfig
		if p.Config.Timing, err = strategies.ParseStepTiming(r.Config.StepTiming); err != nil {
			return Plan{}, fmt.Errorf("plan step timing: %v", err)
		}
	}
	if p.Schedule.End, err = time.ParseDuration(r.End); err != nil {
		return Plan{}, fmt.Errorf("plan end %q: %v", r.End, err)
	}
	if r.HookTimeout != "" {
		if p.HookTimeout, err = time.ParseDuration(r.HookTimeout); err != nil {
			return Plan{}, fmt.Errorf("plan hook timeout %q: %v", r.HookTimeout, err)
		}
	}
	for _, s := range r.Steps {
		at, err := time.ParseDuration(s.At)
		if err != nil {
			return Plan{}, fmt.Errorf("plan step at %q: %v", s.At, err)
		}
		p.Schedule.Steps = append(p.Schedule.Steps, strategies.Step{At: at, Percent: s.Percent})
	}
	return p, p.Validate()
}

// resetHint says how to put the alias back on the current version by hand,
// for a journal that cannot be replayed.
func (p Plan) resetHint() string {
	return fmt.Sprintf("put the alias back by hand: aws lambda update-alias --function-name %s --name %s --function-version %s --routing-config '{}'",
		p.Function, p.Alias, p.Current)
}

// JournalPlan returns the plan a journal's begin record holds.
func JournalPlan(begin Record) (Plan, error) { return begin.Plan.plan() }
