package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/replay"
)

func init() {
	register("record", "pull a Lambda alias's per-minute metrics from CloudWatch into a recording to replay", cmdRecord)
}

func cmdRecord(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("record", "--function F --alias A --from T --to T --out FILE [flags] | --deployment-id ID --out FILE", `Pulls Invocations, Errors and Duration (average, p50, p99) per minute for the alias, and per
executed version (ExecutedVersion), with CloudWatch GetMetricData, and writes them to FILE in the
exact JSON shape of 'aws cloudwatch get-metric-data' output (oldest datapoint first). Replay it with
  traffic: {replay: {file: FILE, format: cloudwatch-metrics, function: invocations}}
('invocations' is the alias's Invocations; 'invocations_v2' version 2's, and so on).
The function's configuration (memory size, timeout, architectures, runtime) for the alias's version
and each recorded version goes next to it, in FILE with .json replaced by .function.json, with the
window and the meaning of each Id. Times: RFC 3339 (2026-05-31T14:00:00Z), "now", or a negative
duration from now (-3h). Credentials come from the AWS SDK's default chain and are never printed.

With --deployment-id, the recording is of a CodeDeploy deployment of a Lambda function: its function,
alias, current and target versions come from the deployment's target (GetDeploymentTarget), the window
from its creation to its end (--margin before and after, unless --from/--to say otherwise), and the
sidecar also holds the deployment (status, error code, AllowTraffic, completion, rollback) and the alias
weights of its traffic steps. FILE with .json replaced by .scenario.yaml is a scenario with the
deployment group's alarms and strategies to compare, so that
  shiftsim compare --replay-deployment FILE
replays the deployment under each of them, next to what actually happened (docs/replay.md). Without
--deployment-id, --versions CURRENT,TARGET names the deployment's versions for the same replay.`, stdout)
	fn := fs.String("function", "", "Lambda function name")
	alias := fs.String("alias", "", "alias whose traffic to record")
	from := fs.String("from", "-3h", "start of the window")
	to := fs.String("to", "now", "end of the window")
	period := fs.Duration("period", time.Minute, "datapoint period (a multiple of a minute)")
	versions := fs.String("versions", "", "comma-separated ExecutedVersion values to record (default: those CloudWatch lists for the alias);\ntwo of them are taken as CURRENT,TARGET of a deployment to replay")
	deploymentID := fs.String("deployment-id", "", "record the window of this CodeDeploy deployment (d-XXXXXXXXX): function, alias, versions and times from it")
	margin := fs.Duration("margin", 15*time.Minute, "with --deployment-id: how long before the deployment's creation and after its end to record")
	format := outputFlag(fs, "json")
	output := fs.StringP("out", "O", "", "recording file to write (required)")
	awsf := addAWSFlags(fs)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if len(fs.Args()) != 0 {
		return inputErrf("record takes no arguments, got %q (see --help)", fs.Args())
	}
	if err := checkOutput(*format, "json"); err != nil {
		return err
	}
	if *output == "" {
		return inputErrf("--out is required")
	}
	if *deploymentID != "" {
		if fs.Changed("function") || fs.Changed("alias") || fs.Changed("versions") {
			return inputErrf("--deployment-id gives the function, alias and versions: drop --function, --alias and --versions")
		}
		if err := checkDurationFlag("--margin", "--margin", *margin); err != nil {
			return err
		}
	} else if *fn == "" || *alias == "" {
		return inputErrf("--function, --alias and --out are required (or --deployment-id and --out)")
	}
	now := time.Now()
	start, err := parseWhen(*from, now)
	if err != nil {
		return inputErrf("--from: %v", err)
	}
	end, err := parseWhen(*to, now)
	if err != nil {
		return inputErrf("--to: %v", err)
	}
	if *period <= 0 || *period%time.Minute != 0 {
		return inputErrf("--period %v: want a multiple of a minute (Lambda publishes per minute)", *period)
	}
	if err := checkDurationFlag("--period", "--period", *period); err != nil {
		return err
	}
	// The window is held to what CloudWatch keeps and to a number of
	// datapoints that a few GetMetricData pages return (docs/limits.md):
	// checked before AWS is asked anything when given, and again once a
	// deployment has set it.
	checkWindow := func(start, end time.Time) error {
		if !end.After(start) {
			return inputErrf("--from %s is not before --to %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
		}
		if err := checkDurationFlag("--from .. --to", "record window", end.Sub(start)); err != nil {
			return err
		}
		if n := float64(end.Sub(start) / *period); n > limits.Of("record datapoints").Max {
			return inputErrf("--from .. --to: %g datapoints of %v: %v; use a longer --period", n, *period, limits.Of("record datapoints").Check(n))
		}
		return nil
	}
	if *deploymentID == "" || fs.Changed("from") && fs.Changed("to") {
		if err := checkWindow(start, end); err != nil {
			return err
		}
	}
	ctx := context.Background()
	cfg, err := awsexec.LoadConfig(ctx, awsf.settings())
	if err != nil {
		return asInput(err)
	}
	if err := awsexec.CheckCredentials(ctx, cfg, credentialTimeout); err != nil {
		return fmt.Errorf("cannot reach AWS: %v", err)
	}
	clients := awsexec.NewClients(cfg, awsexec.DefaultLimits, nil)
	req := awsexec.RecordRequest{Function: *fn, Alias: *alias, Period: *period}
	var dep *awsexec.Deployment
	if *deploymentID != "" {
		if dep, err = awsexec.FindDeployment(ctx, clients, *deploymentID); err != nil {
			return err
		}
		// The deployment's own window, whole minutes, unless given.
		from, to := dep.Window(*margin, now)
		if !fs.Changed("from") {
			start = from
		}
		if !fs.Changed("to") {
			end = to
		}
		req = dep.RecordRequest(*period, start, end)
	} else if *versions != "" {
		for _, v := range strings.Split(*versions, ",") {
			req.Versions = append(req.Versions, strings.TrimSpace(v))
		}
		if len(req.Versions) == 2 {
			req.Current, req.Target = req.Versions[0], req.Versions[1]
		}
	}
	if err := checkWindow(start, end); err != nil {
		return err
	}
	req.From, req.To = start, end
	rec, info, err := awsexec.RecordMetrics(ctx, clients, req)
	if err != nil {
		return err
	}
	if dep != nil {
		info.Deployment, info.Weights, info.WeightsFrom = &dep.Info, dep.Weights, "deployment configuration"
	}
	if err := awsexec.WriteRecording(*output, rec, info); err != nil {
		return err
	}
	if dep != nil {
		doc, err := deploymentScenario(dep)
		if err != nil {
			return err
		}
		if err := os.WriteFile(replay.ScenarioPath(*output), doc, 0o644); err != nil {
			return err
		}
	}
	points := 0
	for _, r := range rec.MetricDataResults {
		points += len(r.Values)
	}
	var vs []string
	for _, q := range info.Queries {
		if q.MetricName == "Invocations" {
			vs = append(vs, q.Id)
		}
	}
	fmt.Fprintf(stdout, "wrote %s: %d series, %d datapoints, %s to %s every %v (alias %s:%s on version %s)\n",
		*output, len(rec.MetricDataResults), points, info.From, info.To, *period, req.Function, req.Alias, info.AliasVersion)
	fmt.Fprintf(stdout, "wrote %s: function configuration and what each Id is\n", awsexec.SidecarPath(*output))
	if dep != nil {
		fmt.Fprintf(stdout, "deployment %s: %s:%s %s -> %s, %s, %s\n", dep.Info.DeploymentId, dep.Function, dep.Alias, dep.Current, dep.Target, dep.Info.DeploymentConfigName, dep.Info.Status)
		fmt.Fprintf(stdout, "wrote %s: the deployment group's %d alarms and strategies to compare\n", replay.ScenarioPath(*output), len(dep.Alarms))
		fmt.Fprintf(stdout, "replay the deployment with: shiftsim compare --replay-deployment %s\n", *output)
		return nil
	}
	if req.Current != "" {
		fmt.Fprintf(stdout, "replay the deployment %s -> %s with: shiftsim compare --replay-deployment %s SCENARIO\n", req.Current, req.Target, *output)
	}
	fmt.Fprintf(stdout, "replay with: traffic: {replay: {file: %s, format: cloudwatch-metrics, function: invocations}}  (Invocations series: %s)\n",
		*output, strings.Join(vs, ", "))
	return nil
}

// parseWhen reads "now", a duration relative to now ("-3h"), or an RFC 3339
// time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "now":
		return now, nil
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: want a duration such as -3h", s)
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2026-05-31T14:00:00Z), now, or a duration from now (-3h)", s)
	}
	return t, nil
}
