package awsexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/shiftsim/shiftsim/deploy"
)

// maxPollFailures is how many polls in a row may fail before the codedeploy
// executor stops following (the deployment goes on in CodeDeploy regardless).
const maxPollFailures = 10

// cdRun is one run of the codedeploy executor: CodeDeploy shifts the alias;
// shiftsim creates the deployment and follows it.
type cdRun struct {
	p     Plan
	o     *Options
	c     Clients
	j     *Journal
	clk   Clock
	id    string // shiftsim's id of the run (the journal's)
	start time.Time

	deployment string // CodeDeploy's id
	status     string
	info       *cdtypes.DeploymentInfo
	targetID   string
	life       map[string]string
	alias      AliasState
	alarms     []string
	alarmState map[string]string
	stopped    bool
	held       bool
	ictx       context.Context
}

func newCDRun(p Plan, o *Options, j *Journal) *cdRun {
	return &cdRun{p: p, o: o, c: o.Clients, j: j, clk: o.Clock, start: o.Clock.Now(), life: map[string]string{}, alarmState: map[string]string{}}
}

func (r *cdRun) log(kind, subject, format string, a ...any) {
	r.record(kind, subject, fmt.Sprintf(format, a...), "")
}

// record logs a sentence the simulator's timeline shares, and its detail.
func (r *cdRun) record(kind, subject, text, detail string) {
	now := r.clk.Now()
	r.o.Log(Entry{At: now, T: now.Sub(r.start), Kind: kind, Subject: subject, Text: text, Detail: detail})
}

func (r *cdRun) journal(rec Record) (int, error) {
	rec.Deployment = r.id
	return r.j.Append(rec)
}

func (r *cdRun) description() string {
	d := fmt.Sprintf("shiftsim %s: %s %s->%s with %s", r.id, r.p.aliasName(), r.p.Current, r.p.Target, r.p.Strategy)
	if len(d) > 256 { // CD-UG:limits
		d = d[:256]
	}
	return d
}

func runCodeDeploy(ctx context.Context, p Plan, o *Options, j *Journal) (*Outcome, error) {
	r := newCDRun(p, o, j)
	pf, err := checkBeforeActing(ctx, o, p, r.log)
	if err != nil {
		return nil, err
	}
	r.id, r.alias, r.alarms = newDeploymentID(), pf.alias, pf.groupAlarms
	ictx, cancel, err := begin(ctx, r.journal, p, pf.alias, o.Interrupt)
	if err != nil {
		return nil, err
	}
	r.ictx = ictx
	defer cancel()
	r.record("deployment", "Created", deploy.StartText(p.Strategy, p.aliasName(), p.Current, p.Target),
		fmt.Sprintf(" (codedeploy executor, %s/%s, config %s, journal %s)", p.Application, p.DeploymentGroup, p.DeploymentConfigName(), j.Path()))
	if p.CustomConfig() && !pf.configExists {
		if err := r.createConfig(ctx); err != nil {
			return r.fail(err)
		}
	}
	if err := r.createDeployment(ctx); err != nil {
		return r.fail(err)
	}
	return r.follow(ctx)
}

// mutate journals an intent, makes the call, and journals its result.
func (r *cdRun) mutate(ctx context.Context, cl Call, do func() (map[string]string, error)) error {
	seq, err := r.journal(Record{Type: RecIntent, Op: cl.Op, Call: cl.String()})
	if err != nil {
		return err
	}
	out, err := do()
	if ctx.Err() != nil {
		return ErrKilled
	}
	rec := Record{Type: RecResult, Intent: seq, OK: aws.Bool(err == nil), Output: out}
	if err != nil {
		err = wrapErr(cl.Op, err)
		rec.Error = err.Error()
	}
	if _, jerr := r.journal(rec); jerr != nil {
		return jerr
	}
	return err
}

func (r *cdRun) createConfig(ctx context.Context) error {
	name := r.p.DeploymentConfigName()
	tr := trafficRouting(r.p)
	cl := call("CreateDeploymentConfig", "DeploymentConfigName", name, "ComputePlatform", "Lambda", "TrafficRoutingConfig", r.p.Config.DeploymentConfig().TrafficRoutingConfig)
	err := r.mutate(ctx, cl, func() (map[string]string, error) {
		out, err := r.c.CodeDeploy.CreateDeploymentConfig(ctx, &codedeploy.CreateDeploymentConfigInput{
			DeploymentConfigName: aws.String(name), ComputePlatform: cdtypes.ComputePlatformLambda, TrafficRoutingConfig: tr})
		if err != nil {
			return nil, err
		}
		return map[string]string{"DeploymentConfigId": aws.ToString(out.DeploymentConfigId)}, nil
	})
	if errorCode(err) == "DeploymentConfigAlreadyExistsException" { // a retry of ours landed, or a race
		got, gerr := r.c.CodeDeploy.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(name)})
		if gerr != nil {
			return wrapErr("GetDeploymentConfig", gerr)
		}
		if describeRouting(got.DeploymentConfigInfo.TrafficRoutingConfig) != describeRouting(tr) {
			return fmt.Errorf("deployment config %s appeared meanwhile as %s, not %s", name, describeRouting(got.DeploymentConfigInfo.TrafficRoutingConfig), describeRouting(tr))
		}
		err = nil
	}
	if err == nil {
		r.log("aws", "CreateDeploymentConfig", "CreateDeploymentConfig %s: %s", name, describeRouting(tr))
	}
	return err
}

func (p Plan) createDeploymentCall(description string) Call {
	content, sha := p.AppSpec()
	return call("CreateDeployment", "ApplicationName", p.Application, "DeploymentGroupName", p.DeploymentGroup,
		"DeploymentConfigName", p.DeploymentConfigName(), "Description", description,
		"Revision", map[string]any{"RevisionType": "AppSpecContent", "AppSpecContent": map[string]string{"Content": content, "Sha256": sha}})
}

// createAttempts is how many CreateDeployment requests the codedeploy
// executor makes. The SDK does not retry CreateDeployment by itself: the
// call has no idempotency token, and a request whose answer was lost may
// have created the deployment, so a blind retry could start a second one
// (or, as CodeDeploy allows one deployment in progress per group, fail on
// our own). Before each new attempt the executor looks for the deployment
// by its description (docs/aws-executor-tests.md).
const createAttempts = 4

func (r *cdRun) createDeployment(ctx context.Context) error {
	content, sha := r.p.AppSpec()
	desc := r.description()
	backoff := rollbackBackoff
	for attempt := 1; ; attempt++ {
		err := r.mutate(ctx, r.p.createDeploymentCall(desc), func() (map[string]string, error) {
			out, err := r.c.CodeDeploy.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
				ApplicationName: aws.String(r.p.Application), DeploymentGroupName: aws.String(r.p.DeploymentGroup),
				DeploymentConfigName: aws.String(r.p.DeploymentConfigName()), Description: aws.String(desc),
				Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent,
					AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(content), Sha256: aws.String(sha)}}},
				func(o *codedeploy.Options) { o.RetryMaxAttempts = 1 })
			if err != nil {
				return nil, err
			}
			r.deployment = aws.ToString(out.DeploymentId)
			return map[string]string{"DeploymentId": r.deployment}, nil
		})
		if err == nil {
			r.log("deployment", "Created", "CreateDeployment: deployment %s created", r.deployment)
			return nil
		}
		var ae *APIError
		if !errors.As(err, &ae) || !(ae.Transient || ae.Code == "DeploymentLimitExceededException") {
			return err
		}
		// The request may have landed even though its answer was lost:
		// look for it before asking again.
		id, ferr := r.findOurs(ctx)
		if ctx.Err() != nil {
			return ErrKilled
		}
		if ferr == nil && id != "" {
			r.deployment = id
			_, jerr := r.journal(Record{Type: RecNote, Output: map[string]string{"DeploymentId": id}, Note: "CreateDeployment failed, but the deployment it created was found by its description"})
			r.log("aws", "CreateDeployment", "%v, but deployment %s with our description exists: following it", err, id)
			return jerr
		}
		if ferr != nil || !ae.Transient || attempt >= createAttempts {
			return err // --resume looks for the deployment again
		}
		r.log("aws", "CreateDeployment", "%v; no deployment of ours exists: trying again in %v (%d of %d)", err, backoff, attempt+1, createAttempts)
		if r.clk.Sleep(ctx, backoff) != nil {
			return ErrKilled
		}
		backoff *= 2
	}
}

// findOurs looks for an in-flight deployment of the group with this run's
// description.
func (r *cdRun) findOurs(ctx context.Context) (string, error) {
	ld, err := r.c.CodeDeploy.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String(r.p.Application),
		DeploymentGroupName: aws.String(r.p.DeploymentGroup), IncludeOnlyStatuses: inFlight()})
	if err != nil {
		return "", err
	}
	for _, id := range ld.Deployments {
		gd, err := r.c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		if err != nil {
			return "", err
		}
		if aws.ToString(gd.DeploymentInfo.Description) == r.description() {
			return id, nil
		}
	}
	return "", nil
}

func terminalStatus(s string) bool {
	return s == string(cdtypes.DeploymentStatusSucceeded) || s == string(cdtypes.DeploymentStatusFailed) || s == string(cdtypes.DeploymentStatusStopped)
}

// follow polls the deployment until it ends, printing what changes, and
// stops it on interrupt.
func (r *cdRun) follow(ctx context.Context) (*Outcome, error) {
	failures := 0
	for {
		err := r.poll(ctx)
		if ctx.Err() != nil {
			return nil, ErrKilled
		}
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) {
				return r.fail(err)
			}
			failures++
			r.log("aws", ae.Op, "%v (poll %d of %d allowed to fail in a row; CodeDeploy goes on regardless)", err, failures, maxPollFailures)
			if failures >= maxPollFailures {
				return r.fail(fmt.Errorf("lost track of deployment %s: %w", r.deployment, err))
			}
		} else {
			failures = 0
			if terminalStatus(r.status) {
				return r.end(ctx)
			}
		}
		if !r.stopped && interrupted(r.o.Interrupt) {
			r.stopped = true
			r.ictx = ctx
			if err := r.stop(ctx, r.o.OnInterrupt == OnInterruptRollback, "interrupt"); err != nil {
				return r.fail(err)
			}
			continue
		}
		if r.clk.Sleep(r.ictx, r.o.FollowPoll) != nil && ctx.Err() != nil {
			return nil, ErrKilled
		}
	}
}

func (r *cdRun) stop(ctx context.Context, rollback bool, why string) error {
	if rollback {
		r.log("deployment", "", "INTERRUPTED (%s): StopDeployment %s with AutoRollbackEnabled=true: CodeDeploy rolls %s back to version %s",
			why, r.deployment, r.p.aliasName(), r.p.Current)
	} else {
		r.held = true
		r.log("deployment", "", "INTERRUPTED, HOLDING (--on-interrupt=%s): StopDeployment %s with AutoRollbackEnabled=false: CodeDeploy stops and LEAVES alias %s where it is; later deployments fail until it is reset: run --resume --rollback",
			r.o.OnInterrupt, r.deployment, r.p.aliasName())
	}
	cl := call("StopDeployment", "DeploymentId", r.deployment, "AutoRollbackEnabled", rollback)
	err := r.mutate(ctx, cl, func() (map[string]string, error) {
		out, err := r.c.CodeDeploy.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String(r.deployment), AutoRollbackEnabled: aws.Bool(rollback)})
		if err != nil {
			return nil, err
		}
		return map[string]string{"Status": string(out.Status), "StatusMessage": aws.ToString(out.StatusMessage)}, nil
	})
	if errorCode(err) == "DeploymentAlreadyCompletedException" {
		r.log("aws", "StopDeployment", "deployment %s had already completed", r.deployment)
		return nil
	}
	if !rollback && err == nil {
		if _, jerr := r.journal(Record{Type: RecHold, Note: "StopDeployment without rollback"}); jerr != nil {
			return jerr
		}
	}
	return err
}

// poll reads the deployment, its Lambda target's lifecycle events, the alias
// and the alarms, and logs what changed since the last poll.
func (r *cdRun) poll(ctx context.Context) error {
	gd, err := r.c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(r.deployment)})
	if err != nil {
		return wrapErr("GetDeployment", err)
	}
	info := gd.DeploymentInfo
	r.info = info
	if r.targetID == "" {
		lt, err := r.c.CodeDeploy.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(r.deployment)})
		if err != nil {
			return wrapErr("ListDeploymentTargets", err)
		}
		if len(lt.TargetIds) > 0 {
			r.targetID = lt.TargetIds[0]
		}
	}
	if r.targetID != "" {
		dt, err := r.c.CodeDeploy.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(r.deployment), TargetId: aws.String(r.targetID)})
		if err != nil {
			return wrapErr("GetDeploymentTarget", err)
		}
		if lt := dt.DeploymentTarget.LambdaTarget; lt != nil {
			for _, e := range lt.LifecycleEvents {
				r.lifecycle(aws.ToString(e.LifecycleEventName), string(e.Status))
			}
		}
	}
	if err := r.pollAlarms(ctx); err != nil {
		return err
	}
	a, err := getAlias(ctx, r.c, r.p)
	if err != nil {
		return wrapErr("GetAlias", err)
	}
	if !a.Same(r.alias) {
		r.logAlias(a)
	}
	r.alias = a
	if st := string(info.Status); st != r.status {
		r.status = st
		if terminalStatus(st) {
			r.log("deployment", st, "deployment %s: %s", r.deployment, strings.Join(strings.Fields(st+" "+errorInfo(info)), " "))
		} else {
			r.log("deployment", st, "deployment %s: %s", r.deployment, st)
		}
	}
	return nil
}

func errorInfo(info *cdtypes.DeploymentInfo) string {
	if info.ErrorInformation == nil {
		return ""
	}
	return string(info.ErrorInformation.Code) + " " + aws.ToString(info.ErrorInformation.Message)
}

func (r *cdRun) lifecycle(name, status string) {
	if r.life[name] == status {
		return
	}
	r.life[name] = status
	hook := name == string(deploy.BeforeAllowTraffic) || name == string(deploy.AfterAllowTraffic)
	switch {
	case hook && status == "InProgress":
		r.record("hook", name, deploy.HookInvokeText(deploy.Hook(name)), " (CodeDeploy invokes it)")
	case hook && (status == "Succeeded" || status == "Failed"):
		r.record("hook", name, deploy.HookReportText(deploy.Hook(name), status), "")
	case status != "Pending" && !(hook && status == "Skipped"):
		r.log("note", name, "lifecycle event %s: %s", name, status)
	}
}

// seenDetail says that CodeDeploy made the update the executor reports.
const seenDetail = " (CodeDeploy's, seen with GetAlias)"

func (r *cdRun) logAlias(a AliasState) {
	switch pct := r.p.targetPercent(a); pct {
	case 0:
		r.record("rollback", "", deploy.RollbackText(r.p.aliasName(), r.p.Current), seenDetail)
	case -1:
		r.log("weight", "", "alias %s: %s (not a state of this plan!)", r.p.aliasName(), a)
	default:
		// CodeDeploy writes no bake note: its own Lambda configs have none.
		r.record("weight", "", deploy.WeightText(r.p.aliasName(), r.p.Target, pct, ""), seenDetail)
	}
}

func (r *cdRun) pollAlarms(ctx context.Context) error {
	if len(r.alarms) == 0 {
		return nil
	}
	out, err := r.c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: r.alarms, MaxRecords: aws.Int32(100)})
	if err != nil {
		return wrapErr("DescribeAlarms", err)
	}
	for _, a := range out.MetricAlarms {
		n, st := aws.ToString(a.AlarmName), string(a.StateValue)
		switch prev, seen := r.alarmState[n]; {
		case !seen:
			r.log("alarm", n, "alarm %s: %s (%s)", n, st, aws.ToString(a.StateReason))
		case prev != st:
			r.record("alarm", n, deploy.AlarmText(n, prev, st, aws.ToString(a.StateReason)), "")
		}
		r.alarmState[n] = st
	}
	return nil
}

// end follows a rollback deployment, if CodeDeploy started one, and
// journals how the deployment ended.
func (r *cdRun) end(ctx context.Context) (*Outcome, error) {
	info := r.info
	out := &Outcome{Executor: ExecCodeDeploy, DeploymentID: r.deployment, Status: deploy.Status(r.status), Journal: r.j.Path(), Held: r.held}
	if info.ErrorInformation != nil {
		out.ErrorCode, out.Cause = string(info.ErrorInformation.Code), aws.ToString(info.ErrorInformation.Message)
	}
	if ri := info.RollbackInfo; ri != nil && aws.ToString(ri.RollbackDeploymentId) != "" {
		rb := aws.ToString(ri.RollbackDeploymentId)
		for fails := 0; ; {
			gd, err := r.c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(rb)})
			if ctx.Err() != nil {
				return nil, ErrKilled
			}
			if err != nil {
				if fails++; fails >= maxPollFailures {
					return r.fail(fmt.Errorf("lost track of rollback deployment %s: %w", rb, wrapErr("GetDeployment", err)))
				}
			} else if st := string(gd.DeploymentInfo.Status); terminalStatus(st) {
				r.log("rollback", st, "rollback deployment %s: %s", rb, st)
				out.RolledBack = st == string(cdtypes.DeploymentStatusSucceeded)
				break
			}
			if r.clk.Sleep(ctx, r.o.FollowPoll) != nil {
				return nil, ErrKilled
			}
		}
		if a, err := getAlias(ctx, r.c, r.p); err == nil {
			if !a.Same(r.alias) {
				r.logAlias(a)
			}
			r.alias = a
		}
	}
	out.Alias = r.alias
	if !r.held {
		al := r.alias
		if _, err := r.journal(Record{Type: RecFinish, Status: r.status, ErrorCode: out.ErrorCode, Cause: out.Cause, Alias: &al,
			Output: map[string]string{"DeploymentId": r.deployment}}); err != nil {
			return nil, err
		}
	} else {
		out.Status = ""
		r.log("deployment", "held", "HELD: alias %s is LEFT at %s (deployment %s Stopped without rollback); reset it with --resume --rollback", r.p.aliasName(), r.alias, r.deployment)
	}
	return out, nil
}

func (r *cdRun) fail(err error) (*Outcome, error) {
	if errors.Is(err, ErrKilled) {
		return nil, ErrKilled
	}
	where := "no CodeDeploy deployment was created"
	if r.deployment != "" {
		where = fmt.Sprintf("CodeDeploy deployment %s goes on without shiftsim watching (aws deploy get-deployment --deployment-id %s)", r.deployment, r.deployment)
	}
	return nil, fmt.Errorf("%w\n%s; the journal %s records it: --resume follows it again, --resume --rollback stops it with rollback", err, where, r.j.Path())
}

// resumeCodeDeploy follows again (or stops with rollback) the CodeDeploy
// deployment of an unfinished journal; for a held one (stopped without
// rollback) it can only reset the alias, with --rollback.
func resumeCodeDeploy(ctx context.Context, p Plan, o *Options, j *Journal, recs []Record) (*Outcome, error) {
	r := newCDRun(p, o, j)
	r.id = recs[0].Deployment
	if recs[0].Alias != nil {
		r.alias = *recs[0].Alias
	}
	created, asked := false, false
	for _, rec := range recs {
		if rec.Type == RecIntent && rec.Op == "CreateDeployment" {
			asked = true
		}
		if id := rec.Output["DeploymentId"]; id != "" {
			r.deployment, created = id, true
		}
		if rec.Type == RecHold {
			r.held = true
		}
	}
	var cancel context.CancelFunc
	r.ictx, cancel = watchInterrupt(ctx, o.Interrupt)
	defer cancel()
	if !created && asked {
		id, err := r.findOurs(ctx)
		if err != nil {
			return nil, wrapErr("ListDeployments", err)
		}
		r.deployment, created = id, id != ""
	}
	if !created {
		if _, err := r.journal(Record{Type: RecFinish, Status: "Abandoned", Note: "no CodeDeploy deployment had been created"}); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: no CodeDeploy deployment was created by run %s (journal %s): nothing changed; start again without --resume", ErrNothingToResume, r.id, j.Path())
	}
	r.log("deployment", "", "resuming: following CodeDeploy deployment %s (journal %s)", r.deployment, j.Path())
	if err := r.poll(ctx); err != nil {
		return r.fail(err)
	}
	if r.held || (terminalStatus(r.status) && p.targetPercent(r.alias) > 0 && p.targetPercent(r.alias) < 100) {
		if !o.ResumeRollback {
			return nil, fmt.Errorf("%w: deployment %s is %s and alias %s is left at %s; CodeDeploy cannot continue it: use --resume --rollback to reset the alias",
				ErrNothingToResume, r.deployment, r.status, p.aliasName(), r.alias)
		}
		// CodeDeploy will not touch a stopped deployment again: reset the alias ourselves.
		ar, err := newAliasRun(ctx, p, o, j)
		if err != nil {
			return nil, err
		}
		ar.id, ar.alias, ar.origin = r.id, r.alias, r.clk.Now()
		if err := ar.setAlias(ctx, p.aliasAt(0), rollbackAttempts); err != nil {
			return ar.fail(err)
		}
		al := ar.alias
		if _, err := r.journal(Record{Type: RecFinish, Status: r.status, Cause: "resume --rollback", Alias: &al}); err != nil {
			return nil, err
		}
		return &Outcome{Executor: ExecCodeDeploy, DeploymentID: r.deployment, Status: deploy.Status(r.status), Cause: "resume --rollback", RolledBack: true, Alias: al, Journal: j.Path()}, nil
	}
	if !terminalStatus(r.status) && o.ResumeRollback {
		r.stopped = true
		if err := r.stop(ctx, true, "--resume --rollback"); err != nil {
			return r.fail(err)
		}
	}
	return r.follow(ctx)
}
