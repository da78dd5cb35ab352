package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/limits"
)

func init() {
	register("record", "pull a Lambda alias's per-minute metrics from CloudWatch into a recording to replay", cmdRecord)
}

func cmdRecord(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("record", "--function F --alias A --from T --to T --output FILE [flags]", `Pulls Invocations, Errors and Duration (average, p50, p99) per minute for the alias, and per
executed version (ExecutedVersion), with CloudWatch GetMetricData, and writes them to FILE in the
exact JSON shape of 'aws cloudwatch get-metric-data' output (oldest datapoint first). Replay it with
  traffic: {replay: {file: FILE, format: cloudwatch-metrics, function: invocations}}
('invocations' is the alias's Invocations; 'invocations_v2' version 2's, and so on).
The function's configuration (memory size, timeout, architectures, runtime) for the alias's version
and each recorded version goes next to it, in FILE with .json replaced by .function.json, with the
window and the meaning of each Id. Times: RFC 3339 (2026-05-31T14:00:00Z), "now", or a negative
duration from now (-3h). Credentials come from the AWS SDK's default chain and are never printed.`, stdout)
	fn := fs.String("function", "", "Lambda function name")
	alias := fs.String("alias", "", "alias whose traffic to record")
	from := fs.String("from", "-3h", "start of the window")
	to := fs.String("to", "now", "end of the window")
	period := fs.Duration("period", time.Minute, "datapoint period (a multiple of a minute)")
	versions := fs.String("versions", "", "comma-separated ExecutedVersion values to record (default: those CloudWatch lists for the alias)")
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
	if *fn == "" || *alias == "" || *output == "" {
		return inputErrf("--function, --alias and --out are required")
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
	if !end.After(start) {
		return inputErrf("--from %s is not before --to %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if *period <= 0 || *period%time.Minute != 0 {
		return inputErrf("--period %v: want a multiple of a minute (Lambda publishes per minute)", *period)
	}
	if err := checkDurationFlag("--period", "--period", *period); err != nil {
		return err
	}
	// The window is held to what CloudWatch keeps and to a number of
	// datapoints that a few GetMetricData pages return (docs/limits.md).
	if err := checkDurationFlag("--from .. --to", "record window", end.Sub(start)); err != nil {
		return err
	}
	if n := float64(end.Sub(start) / *period); n > limits.Of("record datapoints").Max {
		return inputErrf("--from .. --to: %g datapoints of %v: %v; use a longer --period", n, *period, limits.Of("record datapoints").Check(n))
	}
	req := awsexec.RecordRequest{Function: *fn, Alias: *alias, From: start, To: end, Period: *period}
	if *versions != "" {
		for _, v := range strings.Split(*versions, ",") {
			req.Versions = append(req.Versions, strings.TrimSpace(v))
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
	rec, info, err := awsexec.RecordMetrics(ctx, awsexec.NewClients(cfg, awsexec.DefaultLimits, nil), req)
	if err != nil {
		return err
	}
	if err := awsexec.WriteRecording(*output, rec, info); err != nil {
		return err
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
		*output, len(rec.MetricDataResults), points, info.From, info.To, *period, *fn, *alias, info.AliasVersion)
	fmt.Fprintf(stdout, "wrote %s: function configuration and what each Id is\n", awsexec.SidecarPath(*output))
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
