package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

func init() {
	register("deploy", "carry out a scenario's strategy on a real AWS account (a dry run unless --yes)", cmdDeploy)
}

// awsFlags are the AWS CLI's connection flags, shared by deploy and record.
type awsFlags struct{ region, profile, endpoint *string }

func addAWSFlags(fs *pflag.FlagSet) awsFlags {
	return awsFlags{
		region:   fs.String("region", "", "AWS region (default: the SDK's chain: AWS_REGION, the profile's region)"),
		profile:  fs.String("profile", "", "shared config profile (default: AWS_PROFILE or default)"),
		endpoint: fs.String("endpoint-url", "", "base endpoint for Lambda, CodeDeploy and CloudWatch (LocalStack, a private endpoint)"),
	}
}

func (f awsFlags) settings() awsexec.Settings {
	return awsexec.Settings{Region: *f.region, Profile: *f.profile, EndpointURL: *f.endpoint}
}

// deployClock is the clock deploy acts on: nil, the wall clock, except in
// tests, which run whole deployments on the fake AWS server's virtual clock.
var deployClock awsexec.Clock

// credentialTimeout bounds the search for credentials (the instance-role
// lookup waits on the network when there is none).
const credentialTimeout = 5 * time.Second

func cmdDeploy(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("deploy", "SCENARIO --strategy NAME --backend aws [flags]", `Carries out one strategy of a scenario on a real AWS account. Without --yes it is a dry run: it
makes the read-only pre-checks it can (alias on the current version with no routing, target
version published, no deployment in flight, alarms and hooks exist), prints every call a real run
would make, one per line starting with the operation name, and changes nothing.
Function, alias, versions, hook functions (hooks.*.function) and the CodeDeploy application and
group (deployment.application, deployment.deployment_group) come from the scenario; flags override.
NAME is any name 'shiftsim run' takes, a recommended plan's included (docs/strategy-names.md).
  --executor codedeploy  creates (or reuses) the custom deployment config, calls CreateDeployment
                         with an inline AppSpec, and follows the deployment to its end
  --executor alias       runs the simulator's CodeDeploy controller on the wall clock, with real
                         alarm states (DescribeAlarms), shifting the alias with UpdateAlias and
                         invoking hooks with Lambda Invoke (synchronously: a function error or a
                         returned {"status":"Failed"} fails the hook)
Plans CodeDeploy cannot run (AppConfig.* and custom DeploymentStrategy plans, the peers' plans)
always go through the alias executor, with the weights the simulator uses (12.5 % is sent as
0.125); they run no lifecycle hooks.
With --yes every step is journaled (fsync'ed before and after each AWS mutation); after a crash,
--resume continues the journal's deployment, --resume --rollback rolls it back. An Argo rollout
waiting at pause: {} (or after an Inconclusive analysis) waits with its alarms watched: hold it
(Ctrl-C with --on-interrupt=hold), then --resume --promote promotes it, --resume --rollback aborts it.
Ctrl-C or SIGTERM rolls back (--on-interrupt=hold pauses with the alias where it is, --resume continues;
--on-interrupt=stop ends the deployment Stopped without rollback); a second one exits at once.
Credentials, region and profile come from the AWS SDK's default chain; credentials are never
printed. Both the dry run and a run first print the account (STS GetCallerIdentity), region,
profile and endpoint they act on.
Exit status: 0 when the deployment succeeded or a dry run's pre-checks all passed; 1 when it was
stopped, rolled back, held, or AWS failed, or when a dry run finds that a run would stop at its
pre-checks (credentials included); 2 for input errors.`, stdout)
	strategy := fs.StringP("strategy", "s", "", "strategy to deploy (may be omitted when the scenario lists one)")
	backend := fs.String("backend", "aws", "where to deploy: aws (to simulate, use 'shiftsim run')")
	executor := fs.String("executor", "auto", "codedeploy, alias, or auto (codedeploy when an application or group is given, by flag or deployment.application/deployment_group, else alias)")
	app := fs.String("application", "", "CodeDeploy application (codedeploy executor; default: deployment.application)")
	group := fs.String("deployment-group", "", "CodeDeploy deployment group (codedeploy executor; default: deployment.deployment_group)")
	awsf := addAWSFlags(fs)
	yes := fs.Bool("yes", false, "act; without it nothing is changed")
	journal := fs.String("journal", "", "journal file (default: shiftsim-deploy-FUNCTION-ALIAS.jsonl here)")
	resume := fs.Bool("resume", false, "continue the unfinished deployment of the journal (SCENARIO may be omitted: then the one shiftsim-deploy-*.jsonl here)")
	rollback := fs.Bool("rollback", false, "with --resume: roll the journal's deployment back instead of continuing it (for a paused Argo rollout: abort it)")
	promote := fs.Bool("promote", false, "with --resume: promote the journal's paused rollout (an Argo Rollouts plan waiting at pause: {} or after an Inconclusive analysis), as kubectl argo rollouts promote does")
	onInterrupt := fs.String("on-interrupt", awsexec.OnInterruptRollback, "what Ctrl-C/SIGTERM does: rollback, hold (pause, --resume continues) or stop (end Stopped without rollback, as StopDeployment with AutoRollbackEnabled=false)")
	before := fs.String("before-hook", "", "Lambda function to run as the BeforeAllowTraffic hook (default: hooks.BeforeAllowTraffic.function)")
	after := fs.String("after-hook", "", "Lambda function to run as the AfterAllowTraffic hook (default: hooks.AfterAllowTraffic.function)")
	fn := fs.String("function-name", "", "function (default: the scenario's function.name)")
	alias := fs.String("alias", "", "alias (default: the scenario's function.alias)")
	current := fs.String("current-version", "", "version the alias points at (default: versions.current.version)")
	target := fs.String("target-version", "", "version to deploy (default: versions.target.version)")
	alarmPoll := fs.Duration("alarm-poll-interval", 0, "alias executor: how often alarm states are read (default: the scenario's monitoring.alarm_poll_interval, else 1m)")
	followPoll := fs.Duration("poll-interval", 15*time.Second, "codedeploy executor: how often the deployment is read")
	ignorePoll := fs.Bool("ignore-poll-alarm-failure", false, "alias executor: go on when alarm states cannot be read (default: stop and roll back, as CodeDeploy does)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := checkDurationFlag("--alarm-poll-interval", "--alarm-poll-interval", *alarmPoll); err != nil {
		return err
	}
	if err := checkDurationFlag("--poll-interval", "--poll-interval", *followPoll); err != nil {
		return err
	}
	if *backend != "aws" {
		return inputErrf("--backend %q: the only backend is aws (to simulate, use 'shiftsim run')", *backend)
	}
	switch *onInterrupt {
	case awsexec.OnInterruptRollback, awsexec.OnInterruptHold, awsexec.OnInterruptStop:
	default:
		return inputErrf("--on-interrupt %q: want rollback, hold or stop", *onInterrupt)
	}
	if *rollback && !*resume {
		return inputErrf("--rollback goes with --resume (a running deployment rolls back on Ctrl-C)")
	}
	if *promote && (!*resume || *rollback) {
		return inputErrf("--promote goes with --resume, and not with --rollback (--resume --rollback aborts a paused rollout)")
	}
	switch *executor {
	case "auto", awsexec.ExecAlias, awsexec.ExecCodeDeploy: // auto: awsexec.NewPlan decides
	default:
		return inputErrf("--executor %q: want codedeploy, alias or auto", *executor)
	}

	var plan awsexec.Plan
	var s *scenario.Scenario
	switch len(fs.Args()) {
	case 0:
		if !*resume {
			return inputErrf("want a SCENARIO argument (see --help)")
		}
	case 1:
		var err error
		if s, err = loadScenario(fs.Args()[0], stderr); err != nil {
			return err
		}
		plan, err = deployPlan(s, *strategy, *before, *after, awsexec.Overrides{Executor: *executor, Function: *fn, Alias: *alias,
			Current: *current, Target: *target, Application: *app, DeploymentGroup: *group, DryRun: !*yes}, stderr)
		if err != nil {
			return err
		}
		if *alarmPoll == 0 {
			*alarmPoll = s.Model.AlarmPollInterval
		}
	default:
		return inputErrf("want one SCENARIO argument, got %d (see --help)", len(fs.Args()))
	}
	if *journal == "" {
		j, found, err := awsexec.JournalFor(".", plan)
		if err != nil {
			return inputErrf("--resume without SCENARIO needs --journal: %v", err)
		}
		if found {
			fmt.Fprintf(stderr, "shiftsim deploy: --resume: journal %s\n", j)
		}
		*journal = j
	}

	ctx := context.Background()
	cfg, conn, cfgErr := awsexec.Connect(ctx, awsf.settings(), credentialTimeout)
	opts := awsexec.Options{Clock: deployClock, Journal: *journal, Resume: *resume, ResumeRollback: *rollback, ResumePromote: *promote, OnInterrupt: *onInterrupt,
		AlarmPoll: *alarmPoll, FollowPoll: *followPoll, IgnorePollAlarmFailure: *ignorePoll, Connection: &conn}

	if !*yes {
		if *resume {
			return asInput(awsexec.DryResume(stdout, *journal, *rollback, *promote))
		}
		clients := awsexec.OfflineClients(cfgErr)
		if cfgErr == nil {
			clients = awsexec.NewClients(cfg, awsexec.DefaultLimits, deployClock)
		}
		return awsexec.DryRun(ctx, plan, clients, opts, stdout)
	}
	if cfgErr != nil {
		return fmt.Errorf("nothing was changed: %v", cfgErr)
	}
	opts.Clients = awsexec.NewClients(cfg, awsexec.DefaultLimits, deployClock)
	return runDeploy(ctx, plan, opts, scenarioName(s), conn.Lines(), stdout, stderr)
}

// deployPlan is the plan to carry out the strategy named of s on AWS: the
// scenario's deployment (scenario.DeploySpec) with the command line's
// overrides (awsexec.NewPlan, which picks the executor and says so).
func deployPlan(s *scenario.Scenario, strategy, before, after string, o awsexec.Overrides, stderr io.Writer) (awsexec.Plan, error) {
	// Any plan the simulator runs: CodeDeploy's through either executor,
	// the others (AppConfig's, the peers') through the alias executor.
	st, err := pickStrategy(s, strategy)
	if err != nil {
		return awsexec.Plan{}, err
	}
	spec, warnings, err := s.DeploySpec(st, before, after)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "shiftsim: %s (warning)\n", w)
	}
	if err != nil {
		return awsexec.Plan{}, inputErrf("%v", err)
	}
	plan, notes, err := awsexec.NewPlan(spec, o)
	for _, n := range notes {
		fmt.Fprintf(stderr, "shiftsim deploy: %s\n", n)
	}
	if err != nil {
		return awsexec.Plan{}, asInput(err)
	}
	return plan, nil
}

// runDeploy carries out plan with --yes, printing its timeline as it goes
// and its summary at the end. The first Ctrl-C or SIGTERM interrupts (roll
// back, hold or stop, as opts.OnInterrupt says); a second one kills the run
// at once, leaving the rest to --resume.
func runDeploy(ctx context.Context, plan awsexec.Plan, opts awsexec.Options, name string, conn []string, stdout, stderr io.Writer) error {
	interrupt := make(chan struct{})
	ctx, kill := context.WithCancel(ctx)
	defer kill()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var mu sync.Mutex // serializes output between the run and the signal watcher
	go func() {
		n := 0
		for sig := range sigs {
			mu.Lock()
			if n++; n == 1 {
				fmt.Fprintf(stderr, "shiftsim deploy: %v: %s (again to exit at once)\n", sig, map[string]string{
					awsexec.OnInterruptRollback: "rolling back", awsexec.OnInterruptHold: "HOLDING the alias where it is",
					awsexec.OnInterruptStop: "STOPPING without rollback, the alias left where it is"}[opts.OnInterrupt])
				close(interrupt)
			} else {
				fmt.Fprintf(stderr, "shiftsim deploy: %v again: exiting now; the journal %s says where the alias is (--resume)\n", sig, opts.Journal)
				kill()
			}
			mu.Unlock()
		}
	}()
	opts.Interrupt = interrupt
	opts.Log = func(e awsexec.Entry) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "t+%-10s %s  %s\n", sim.Clock(e.T.Round(time.Second)), e.At.UTC().Format("15:04:05Z"), e.Line())
	}
	if plan.Function != "" {
		fmt.Fprintf(stdout, "deploy %s  strategy %s (%s)  executor %s\n", name, plan.Strategy, plan.DeploymentConfigName(), plan.Executor)
	}
	for _, l := range conn {
		fmt.Fprintf(stdout, "  %s\n", l)
	}
	fmt.Fprintln(stdout)
	out, err := awsexec.Deploy(ctx, plan, opts)
	if err != nil {
		return deployErr(err)
	}
	if plan.Function == "" { // resumed from the journal alone
		if p, perr := awsexec.JournalPlanAt(opts.Journal); perr == nil {
			plan = p
		}
	}
	mu.Lock()
	fmt.Fprintf(stdout, "\n%s\n", out.Summary(plan))
	mu.Unlock()
	if out.Status != deploy.Succeeded {
		return deployFailure{out.Summary(plan)}
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func scenarioName(s *scenario.Scenario) string {
	if s == nil {
		return "(from the journal)"
	}
	return s.Name
}

// deployFailure is a deployment that ran but did not succeed: exit 1, with
// the summary already printed.
type deployFailure struct{ summary string }

func (e deployFailure) Error() string {
	return "the deployment did not succeed: " + e.summary
}

// deployErr classifies an executor error: problems with the journal or the
// resume request are the user's (exit 2); AWS errors, failed pre-checks and
// conflicts exit 1 with their message.
func deployErr(err error) error {
	switch {
	case errors.Is(err, awsexec.ErrUnfinished), errors.Is(err, awsexec.ErrNothingToResume), errors.Is(err, awsexec.ErrJournal), errors.Is(err, awsexec.ErrNotPaused):
		return asInput(err)
	case errors.Is(err, awsexec.ErrKilled):
		return errors.New("stopped at once by a second interrupt: run again with --resume (or --resume --rollback) to finish")
	}
	return err
}
