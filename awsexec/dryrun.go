package awsexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/shiftsim/shiftsim/deploy"
)

// offlineClient answers every request with an error, so that the dry run
// can list the pre-check calls it could not make, through the same code.
type offlineClient struct{ reason error }

func (c offlineClient) Do(*http.Request) (*http.Response, error) { return nil, c.reason }

// errOffline marks a call the dry run did not make.
var errOffline = errors.New("not made")

// OfflineClients are clients that make no call at all: each fails at once
// with reason. The dry run uses them when AWS cannot be reached.
func OfflineClients(reason error) Clients {
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		HTTPClient: offlineClient{fmt.Errorf("%w: %v", errOffline, reason)}}
	return NewClients(cfg, Limits{}, Wall{})
}

// ErrWouldStop is what a dry run returns, after printing everything, when
// its pre-checks failed or could not be made: a run with --yes would stop
// there, before changing anything.
var ErrWouldStop = errors.New("a run with --yes would stop here and change nothing")

// DryRun writes, one per line, every AWS call Deploy would make for p, in
// order, with its parameters: where the calls go (o.Connection, if known),
// the read-only pre-checks (made for real unless c are OfflineClients; what
// they found follows each as "#" comments), then the calls a run makes if all
// goes well, each with the time after the start at which it would be made,
// then what a rollback would call. Every line that is not a call starts with
// "#". It changes nothing in AWS. When a pre-check failed or could not be
// made, it returns an error wrapping ErrWouldStop.
func DryRun(ctx context.Context, p Plan, c Clients, o Options, w io.Writer) error {
	o.defaults()
	if err := p.Validate(); err != nil {
		return err
	}
	pr := &printer{w: w}
	pr.f("# shiftsim deploy: DRY RUN. No call that changes anything is made; add --yes to carry out the calls below.")
	pr.f("# plan: %s from version %s to version %s with %s (%s), %s executor", p.aliasName(), p.Current, p.Target, p.Strategy, p.DeploymentConfigName(), p.Executor)
	var steps []string
	for _, s := range p.Schedule.Steps {
		steps = append(steps, fmt.Sprintf("%v%% at t+%s", s.Percent, clock(s.At)))
	}
	if p.Config.CodeDeploy() {
		pr.f("# schedule (from the start of AllowTraffic): %s; AllowTraffic ends at t+%s", strings.Join(steps, ", "), clock(p.Schedule.End))
	} else {
		pr.f("# schedule (from the deployment's start; CodeDeploy cannot run this %s plan: shiftsim shifts the alias itself): %s; the deployment ends at t+%s",
			p.Config.Type, strings.Join(steps, ", "), clock(p.Schedule.End))
	}
	hooks := "none"
	if p.BeforeHook != "" || p.AfterHook != "" {
		hooks = fmt.Sprintf("BeforeAllowTraffic=%s AfterAllowTraffic=%s", orNone(p.BeforeHook), orNone(p.AfterHook))
	}
	pr.f("# alarms: %s; hooks: %s; auto-rollback: %v", orNone(strings.Join(p.Alarms, ", ")), hooks, p.AutoRollback)
	if gs := p.gates(); len(gs) > 0 {
		var names []string
		for _, g := range gs {
			names = append(names, gateText(g))
		}
		pr.f("# gates (CloudWatch GetMetricData, metric delay %v; a failed gate aborts: all traffic back to version %s): %s", p.MetricDelay, p.Current, strings.Join(names, ", "))
	}

	if o.Connection != nil {
		pr.f("#")
		for i, l := range o.Connection.Lines() {
			pr.f("# %s %s", map[bool]string{true: "AWS:", false: "    "}[i == 0], l)
		}
	}

	pf := runPreflight(ctx, c, p)
	var offline *APIError // why the pre-checks were not made, said once
	for _, ch := range pf.checks {
		var ae *APIError
		if ch.Status == NotChecked && errors.Is(ch.err, errOffline) && errors.As(ch.err, &ae) && offline == nil {
			offline = ae
		}
	}
	pr.f("#")
	if offline != nil {
		pr.f("# PROBLEM: %s", offline.Message)
		pr.f("# pre-checks (read-only), NOT MADE in this dry run (see the problem above):")
	} else {
		pr.f("# pre-checks (read-only), made for real in this dry run:")
	}
	var last string
	problems := 0
	for _, ch := range pf.checks {
		if s := ch.Call.String(); s != last {
			pr.f("%s", s)
			last = s
		}
		if ch.Status == NotChecked && errors.Is(ch.err, errOffline) {
			problems++
			continue
		}
		pr.f("#   %s: %s", ch.Status, ch.Detail)
		if ch.Status == Failed || ch.Status == NotChecked {
			problems++
		}
	}
	if problems > 0 {
		pr.f("#   => %d pre-check(s) failed or could not be made: a run with --yes would stop here and change nothing.", problems)
	}
	pr.f("#")
	pr.f("# planned calls if all goes well (t+ = time from the deployment's start):")
	if p.Executor == ExecCodeDeploy {
		dryCodeDeploy(pr, p, &o, pf, offline != nil)
	} else {
		if err := dryAlias(pr, p, &o); err != nil {
			return err
		}
	}
	if o.Journal != "" {
		pr.f("# journal: %s (JSON lines, fsync'ed before and after each AWS mutation; --resume continues from it)", o.Journal)
	}
	switch {
	case pr.err != nil:
		return pr.err
	case offline != nil:
		return fmt.Errorf("%w: the pre-checks could not be made: %s", ErrWouldStop, offline.Message)
	case problems > 0:
		return fmt.Errorf("%w: %d pre-check(s) failed or could not be made (see the PROBLEM lines above)", ErrWouldStop, problems)
	}
	return nil
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", a...)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// clock formats a duration as the simulator's timeline does: 5m00s, 1h02m03s.
func clock(d time.Duration) string { return deploy.Clock(d) }

// dryAlias runs the controller on virtual time, every alarm OK and every
// hook reporting Succeeded at once, and prints the calls its actions become:
// the driver's applier here is a printer.
func dryAlias(pr *printer, p Plan, o *Options) error {
	var lines []string
	var reports []deploy.Hook   // hooks invoked, to report Succeeded
	var measures []deploy.Event // gates measured, to report a passing value
	gates := p.gates()
	rev := Placeholder("RevisionId from GetAlias")
	var t, end time.Duration
	promoteAt, waits := time.Duration(-1), ""
	print := deploy.ApplierFunc(func(a deploy.Action) error {
		switch a.Kind {
		case deploy.Measure:
			g := gates[a.Gate]
			gq := p.gateMetricQuery(g, time.Time{})
			w := g.Query.EffectiveWindow()
			cl := gq.callWith(Placeholder(fmt.Sprintf("t+%s − %v, to the minute", clock(t), w)), Placeholder(fmt.Sprintf("t+%s − %v (metric delay), to the minute", clock(t), p.MetricDelay)))
			v, ok := p.passingValue(a.Gate)
			if !ok {
				lines = append(lines, fmt.Sprintf("%s    # t+%s: gate %s; no value passes it: the dry run stops here", cl, clock(t), gateText(g)))
				waits = "a gate no value passes"
				return nil
			}
			back := ""
			if g.Query.Lookback > 1 {
				back = fmt.Sprintf(" (a window without data: the one before, up to %d back)", g.Query.Lookback)
			}
			unit := g.Query.Kind.Unit()
			lines = append(lines, fmt.Sprintf("%s    # t+%s: gate %s%s; if all goes well it reads %s; the dry run goes on with %s%s", cl, clock(t), gateText(g), back,
				p.passingSide(a.Gate, unit), strconv.FormatFloat(v, 'g', -1, 64), unit))
			measures = append(measures, deploy.Event{Kind: deploy.Measurement, Gate: a.Gate, Value: v})
		case deploy.Pause:
			if p.PromoteAfter > 0 {
				promoteAt = t + p.PromoteAfter
				lines = append(lines, fmt.Sprintf("# t+%s: the rollout pauses (%s); promoted at t+%s (deployment.argo_promote_after)", clock(t), a.Cause, clock(promoteAt)))
			} else {
				lines = append(lines, fmt.Sprintf("# t+%s: the rollout pauses (%s) and waits for a promotion no one is set to give (deployment.argo_promote_after): the dry run stops here", clock(t), a.Cause))
				waits = "a promotion"
			}
		case deploy.InvokeHook:
			fn := p.hookFunction(a.Hook)
			cl := call("Invoke", "FunctionName", fn, "InvocationType", "RequestResponse",
				"Payload", map[string]string{"DeploymentId": "shiftsim-<id>", "LifecycleEventHookExecutionId": "shiftsim-<id>-" + string(a.Hook)})
			lines = append(lines, fmt.Sprintf("%s    # t+%s: %s hook (synchronous; its answer is the verdict)", cl, clock(t), a.Hook))
			reports = append(reports, a.Hook)
		case deploy.SetWeight:
			want := p.aliasAt(a.Percent)
			lines = append(lines, fmt.Sprintf("%s    # t+%s: version %s at %s%%", p.updateAliasCall(want, rev), clock(t), p.Target, deploy.FormatPercent(a.Percent)))
			rev = Placeholder("RevisionId from the previous UpdateAlias")
		case deploy.Finish:
			end = t
		}
		return nil
	})
	drv, err := deploy.NewDriver(p.controllerConfig(), print, nil)
	if err != nil {
		return err
	}
	drv.Run(0, deploy.Event{Kind: deploy.Start})
	for guard := 0; guard < 100000 && !drv.Status().Terminal() && waits == ""; guard++ {
		if len(measures) > 0 {
			ev := measures[0]
			measures = measures[1:]
			drv.Run(t, ev)
			continue
		}
		if promoteAt >= 0 {
			if dl, ok := drv.Deadline(); !ok || promoteAt <= dl {
				t, promoteAt = promoteAt, -1
				drv.Run(t, deploy.Event{Kind: deploy.Promote})
				continue
			}
		}
		if len(reports) > 0 {
			h := reports[0]
			reports = reports[1:]
			drv.Run(t, deploy.Event{Kind: deploy.HookResult, Hook: h, Succeeded: true})
			continue
		}
		dl, ok := drv.Deadline()
		if !ok {
			break
		}
		t = dl
		drv.Run(t, deploy.Event{Kind: deploy.Tick})
	}
	if waits != "" {
		end = t
	}
	if len(p.Alarms) > 0 {
		n := int(end/o.AlarmPoll) + 1
		pr.f("%s    # t+0m00s before the start, then every %v until the end at t+%s (%d calls); an alarm in ALARM stops the deployment",
			call("DescribeAlarms", "AlarmNames", p.Alarms, "MaxRecords", 100), o.AlarmPoll, clock(end), n)
	}
	for _, l := range lines {
		pr.f("%s", l)
	}
	pr.f("#")
	pr.f("# on an alarm, a failed hook or gate, an AWS error that retries do not cure, or Ctrl-C/SIGTERM (--on-interrupt=%s):", o.OnInterrupt)
	pr.f("#   %s", p.updateAliasCall(p.aliasAt(0), Placeholder("latest RevisionId")))
	switch o.OnInterrupt {
	case OnInterruptHold:
		pr.f("#   (on Ctrl-C/SIGTERM with --on-interrupt=hold: no call; the alias is left where it is and the journal says so)")
	case OnInterruptStop:
		pr.f("#   (on Ctrl-C/SIGTERM with --on-interrupt=stop: no call; the deployment ends Stopped with the alias left where it is, as StopDeployment without rollback)")
	}
	return nil
}

func dryCodeDeploy(pr *printer, p Plan, o *Options, pf *preflight, offline bool) {
	if p.CustomConfig() && !pf.configExists {
		why := "it does not exist yet"
		if offline {
			why = "if GetDeploymentConfig finds no config of that name"
		}
		pr.f("%s    # t+0m00s: %s", call("CreateDeploymentConfig", "DeploymentConfigName", p.DeploymentConfigName(), "ComputePlatform", "Lambda",
			"TrafficRoutingConfig", p.Config.DeploymentConfig().TrafficRoutingConfig), why)
	}
	pr.f("%s    # t+0m00s", p.createDeploymentCall("shiftsim <id>: "+p.aliasName()+" "+p.Current+"->"+p.Target+" with "+p.Strategy))
	id := Placeholder("DeploymentId from CreateDeployment")
	n := int(p.Schedule.End/o.FollowPoll) + 2
	pr.f("%s    # t+0m00s, then every %v until it ends (about t+%s plus the hooks' time if all goes well: ~%d polls)",
		call("GetDeployment", "DeploymentId", id), o.FollowPoll, clock(p.Schedule.End), n)
	pr.f("%s    # once", call("ListDeploymentTargets", "DeploymentId", id))
	pr.f("%s    # with each GetDeployment: lifecycle events, for the timeline", call("GetDeploymentTarget", "DeploymentId", id, "TargetId", p.aliasName()))
	alarms := pf.groupAlarms
	if len(alarms) == 0 && offline {
		alarms = p.Alarms
	}
	if len(alarms) > 0 {
		pr.f("%s    # with each GetDeployment: alarm states, for the timeline", call("DescribeAlarms", "AlarmNames", alarms, "MaxRecords", 100))
	}
	pr.f("%s    # with each GetDeployment: the weights CodeDeploy sets, for the timeline", call("GetAlias", "FunctionName", p.Function, "Name", p.Alias))
	pr.f("#")
	rollback := "not read"
	if pf.groupKnown {
		rollback = fmt.Sprint(pf.groupRollbak)
	}
	pr.f("# CodeDeploy shifts the alias itself and rolls back on the group's alarms and failed hooks (group auto-rollback: %s).", rollback)
	switch o.OnInterrupt {
	case OnInterruptHold, OnInterruptStop:
		pr.f("# on Ctrl-C/SIGTERM (--on-interrupt=%s): %s  (leaves the alias weighted)", o.OnInterrupt, call("StopDeployment", "DeploymentId", id, "AutoRollbackEnabled", false))
	default:
		pr.f("# on Ctrl-C/SIGTERM: %s", call("StopDeployment", "DeploymentId", id, "AutoRollbackEnabled", true))
	}
	content, _ := p.AppSpec()
	pr.f("# AppSpec content sent (its SHA-256 is computed on these exact bytes):")
	for _, l := range strings.Split(strings.TrimRight(content, "\n"), "\n") {
		pr.f("#   %s", l)
	}
}
