// Package limits is the one table of every bound shiftsim puts on a number
// a user gives it: scenario fields, command-line flags and the estimated
// cost of a run. AWS's own limit is used where AWS has one (and cited);
// elsewhere the bound is a product decision, with its reason. docs/limits.md
// is generated from Table and held to it by a test, so the documentation
// cannot drift from the checks.
//
// Bounds exist so that no input can make shiftsim overflow, hang or run out
// of memory: every value that reaches the engine has been checked against
// this table first.
package limits

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is what a bound measures, which decides how it is written.
type Kind uint8

// Kinds of bounds.
const (
	Duration Kind = iota // a Go duration; Min and Max in nanoseconds
	Int                  // a whole number
	Float                // a real number (NaN and infinities are always refused)
	Count                // how many items a list holds
	Length               // how many characters a string holds
	Bytes                // a size in bytes
)

// Bound is the accepted range of one value: Min to Max, both included,
// and 0 as well when ZeroOK (0 then means "off" or "the default").
type Bound struct {
	// Name is the scenario path as error messages write it, with [] for
	// any list index (faults[].start), or a flag (--runs), or an estimate.
	Name     string
	Kind     Kind
	Min, Max float64
	ZeroOK   bool
	// Why is the reason in a few words, repeated in error messages.
	Why string
	// Source is where the bound comes from: an AWS document, or "product".
	Source string
}

const (
	h    = float64(time.Hour)
	m    = float64(time.Minute)
	s    = float64(time.Second)
	day  = 24 * h
	week = 7 * day
)

// Sources cited by several bounds.
const (
	cdLimits   = "AWS CodeDeploy User Guide, Quotas (docs.aws.amazon.com/codedeploy/latest/userguide/limits.html)"
	cwAlarm    = "CloudWatch API Reference, PutMetricAlarm (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html)"
	cwQuery    = "CloudWatch API Reference, MetricDataQuery (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html)"
	lambdaQuot = "AWS Lambda Developer Guide, Lambda quotas (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)"
	lambdaAPI  = "AWS Lambda API Reference, CreateAlias / Invoke (docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html)"
	cdAPI      = "CodeDeploy API Reference, CreateApplication / CreateDeploymentGroup (docs.aws.amazon.com/codedeploy/latest/APIReference/)"
	ecsAPI     = "Amazon ECS API Reference (docs.aws.amazon.com/AmazonECS/latest/APIReference/),"
	product    = "product"
)

// MaxRate is the largest request rate (per second) any traffic may reach.
const MaxRate = 1e6

// Table is every bound, scenario fields first (in file order), then flags,
// then the cost of a run.
var Table = []Bound{
	{"name", Length, 0, 256, false, "a label for people", product},
	{"horizon", Duration, 1, 240 * h, false, "a week of warm-up plus CodeDeploy's longest Lambda deployment (50 h)", "product, from " + cdLimits + ": a Lambda deployment runs at most 50 h"},
	{"function.name", Length, 1, 140, false, "Lambda function names (or ARNs) are at most 140 characters", lambdaAPI},
	{"function.alias", Length, 1, 128, false, "Lambda alias names are at most 128 characters", lambdaAPI},
	{"traffic.rate", Float, 0, MaxRate, false, "10 × a raised account concurrency of 100 000: Lambda's invoke rate cap", "product, from " + lambdaQuot + ": the invoke rate is capped at 10 × the concurrency quota"},
	{"traffic.amplitude", Float, 0, 1, false, "a relative swing", product},
	{"traffic.period", Duration, m, week, false, "a daily cycle is 24 h; a week is the longest cycle with meaning", product},
	{"traffic.peak", Duration, 0, week, false, "a time within the cycle", product},
	{"traffic.phases", Count, 2, 100, false, "a bursty source has a few states", product},
	{"traffic.phases[].rate", Float, 0, MaxRate, false, "as traffic.rate", product},
	{"traffic.phases[].dwell", Duration, s, 240 * h, false, "a state shorter than a second is noise; longer than the horizon never ends", product},
	{"traffic.spikes", Count, 0, 1000, false, "each spike is an event", product},
	{"traffic.spikes[].at", Duration, 0, 240 * h, false, "within the longest horizon", product},
	{"traffic.spikes[].duration", Duration, 1, 240 * h, false, "within the longest horizon", product},
	{"traffic.spikes[].multiplier", Float, 0, 1000, false, "and rate × multiplier stays within traffic.rate's bound", product},
	{"traffic.weekday_factors[]", Float, 0, 100, false, "a day's factor over the week's mean", product},
	{"traffic.origin", Duration, 0, week, false, "a time within the week", product},
	{"traffic.users", Int, 1, 1 << 24, false, "the user table's size", product},
	{"traffic.user_skew", Float, 0, 10, false, "a Zipf exponent; real ones are near 1", product},
	{"traffic.replay.from", Duration, 0, 366 * day, false, "a year of recording", product},
	{"traffic.replay.to", Duration, 0, 366 * day, false, "a year of recording", product},
	{"traffic.replay.speed", Float, 1e-3, 1e4, false, "replay time compressed or stretched at most 10 000 times", product},
	{"traffic.replay.scale", Float, 1e-3, 1e4, false, "and the replayed rate stays within traffic.rate's bound", product},
	{"traffic.replay.reorder", Int, 1, 1 << 20, false, "records held in memory to undo reordering", product},
	{"traffic.replay.period", Duration, s, day, false, "CloudWatch periods are at most a day in a metric recording", product},
	{"versions.*.version", Length, 1, 1024, false, "Lambda version identifiers are at most 1024 characters", lambdaAPI},
	{"versions.*.error_rate", Float, 0, 1, false, "a probability", product},
	{"faults[].error_rate, hang_rate, users", Float, 0, 1, false, "probabilities and fractions", product},
	{"hooks.*.catch_probability", Float, 0, 1, false, "a probability", product},
	{"slo.target", Float, 0, 1, false, "a share of requests, strictly between 0 and 1", product},
	{"versions.*.timeout", Duration, 0, 900 * s, true, "Lambda's longest function timeout is 900 s", lambdaQuot},
	{"versions.*.latency.median", Duration, 1e3, 900 * s, false, "no invocation runs longer than Lambda's 900 s timeout", lambdaQuot},
	{"versions.*.latency.p99", Duration, 1e3, 900 * s, false, "no invocation runs longer than Lambda's 900 s timeout", lambdaQuot},
	{"versions.*.latency.mu", Float, -25, 7, false, "ln seconds: e^7 s ≈ 1100 s, above Lambda's 900 s timeout", product},
	{"versions.*.latency.sigma", Float, 0, 5, false, "σ = 5 puts the p99 100 000 × the median; beyond, draws overflow", product},
	{"versions.*.provisioned_concurrency", Int, 0, 1e6, false, "at most the account concurrency", product},
	{"faults", Count, 0, 100, false, "each fault is checked at every change", product},
	{"faults[].start", Duration, 0, 240 * h, false, "within the longest horizon", product},
	{"faults[].end", Duration, 0, 240 * h, false, "within the longest horizon", product},
	{"faults[].at", Duration, 0, 240 * h, false, "within the longest horizon", product},
	{"faults[].until", Duration, 0, 240 * h, false, "within the longest horizon", product},
	{"faults[].ramp", Duration, 0, 240 * h, false, "within the longest horizon", product},
	{"faults[].flaky.on", Duration, s, 240 * h, false, "flapping faster than a second is below Lambda's per-minute metrics and costs an event per flip", product},
	{"faults[].flaky.off", Duration, s, 240 * h, false, "flapping faster than a second is below Lambda's per-minute metrics and costs an event per flip", product},
	{"faults[].latency_scale", Float, 1e-3, 1e3, false, "a thousand times slower or faster at most", product},
	{"alarms", Count, 0, 10, false, "CodeDeploy accepts at most 10 alarms per deployment group", cdLimits + "; CreateDeploymentGroup AlarmsLimitExceededException"},
	{"alarms[].AlarmName", Length, 1, 255, false, "CloudWatch alarm names are at most 255 characters", cwAlarm},
	{"alarms[].AlarmDescription", Length, 0, 1024, false, "CloudWatch alarm descriptions are at most 1024 characters", cwAlarm},
	{"alarms[].Unit", Length, 1, 32, false, "CloudWatch units are short names such as Count or Milliseconds", cwAlarm},
	{"alarms[].EvaluateLowSampleCountPercentile", Length, 1, 255, false, "CloudWatch takes at most 255 characters here", cwAlarm},
	{"alarms[].Period", Int, 10, 604800, false, "Period × EvaluationPeriods is at most 604 800 s (7 days)", cwAlarm},
	{"alarms[].EvaluationPeriods", Int, 1, 8640, false, "Period × EvaluationPeriods ≤ 604 800 s, and ≤ 86 400 s (one day) when Period < 3600 s", cwAlarm},
	{"alarms[].evaluation_range", Int, 1, 17282, false, "EvaluationPeriods to 2 × EvaluationPeriods + 2: AWS does not document the range; wider would only size a larger ring", product},
	{"alarms[].Dimensions", Count, 0, 30, false, "a CloudWatch metric has at most 30 dimensions", "CloudWatch API Reference, Dimension / PutMetricData"},
	{"alarms[].Dimensions[].Name", Length, 1, 255, false, "a CloudWatch dimension name is at most 255 characters", "CloudWatch API Reference, Dimension (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html)"},
	{"alarms[].Dimensions[].Value", Length, 1, 1024, false, "a CloudWatch dimension value is at most 1024 characters", "CloudWatch API Reference, Dimension (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html)"},
	{"alarms[].Metrics", Count, 0, 10, false, "a math expression used for an alarm can include as many as 10 metrics", "CloudWatch User Guide, Alarms on metric math expressions"},
	{"alarms[].Metrics[].Expression", Length, 1, 2048, false, "a metric math expression is at most 2048 characters", cwQuery},
	{"alarms[].Metrics[].Id", Length, 1, 255, false, "a query Id is at most 255 characters", cwQuery},
	{"hooks.*.duration", Duration, 0, h, false, "CodeDeploy fails a lifecycle hook after 3600 s", cdLimits + ": lifecycle event timeout 3600 s"},
	{"hooks.*.timeout", Duration, 1, h, false, "CodeDeploy fails a lifecycle hook after 3600 s", cdLimits + ": lifecycle event timeout 3600 s"},
	{"hooks.*.function", Length, 1, 140, false, "Lambda function names (or ARNs) are at most 140 characters", lambdaAPI},
	{"monitoring.metric_delay", Duration, 0, h, false, "Lambda publishes every minute; an hour late is beyond any CloudWatch lag reported", product},
	{"monitoring.alarm_poll_interval", Duration, s, h, true, "0 means every state change is seen at once; a poll below a second costs an event per poll", product},
	{"monitoring.poll_phase", Duration, 0, 60 * h, false, "or random (the default); below the phase cycle: 60 s, or the least common multiple of 60 s and a whole-second poll interval (docs/monitoring.md)", product},
	{"deployment.start", Duration, 0, week, false, "a week of warm-up: CloudWatch's longest alarm window is 7 days", "product, from " + cwAlarm},
	{"deployment.strategies", Count, 1, 200, false, "CodeDeploy allows 200 custom deployment configurations per account", cdLimits},
	{"deployment.strategies[].deploymentConfiguration.linearConfiguration.stepPercent", Float, 3, 100, false, "ECS takes multiples of 0.1 from 3.0 to 100.0 (default 10)", ecsAPI + " LinearConfiguration"},
	{"deployment.strategies[].deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes", Int, 0, 1440, false, "ECS's range in minutes (default 6)", ecsAPI + " LinearConfiguration"},
	{"deployment.strategies[].deploymentConfiguration.canaryConfiguration.canaryPercent", Float, 0.1, 100, false, "ECS takes multiples of 0.1 from 0.1 to 100.0 (default 5)", ecsAPI + " CanaryConfiguration"},
	{"deployment.strategies[].deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes", Int, 0, 1440, false, "ECS's range in minutes (default 10)", ecsAPI + " CanaryConfiguration"},
	{"deployment.strategies[].deploymentConfiguration.bakeTimeInMinutes", Int, 0, 1440, false, "ECS documents no range; we take its step bakes' 0 to 1440 and require it (docs/plans.md)", "product, from " + ecsAPI + " DeploymentConfiguration"},
	{"deployment.strategies[].testTrafficTimeInMinutes", Int, 0, 1440, false, "a BLUE_GREEN test-traffic phase, as long as ECS's longest bake (docs/plans.md)", product},
	{"deployment.application", Length, 1, 100, false, "CodeDeploy application names are at most 100 characters", cdAPI},
	{"deployment.deployment_group", Length, 1, 100, false, "CodeDeploy deployment group names are at most 100 characters", cdAPI},
	{"deployment.group", Length, 1, 100, false, "CodeDeploy deployment group names are at most 100 characters (the older key)", cdAPI},
	{"lambda.memory", Int, 128, 10240, false, "Lambda memory is 128 to 10 240 MB", lambdaQuot},
	{"lambda.account_concurrency", Int, 1, 1e6, false, "the default is 1000 and raised quotas are \"tens of thousands\"", "product, from " + lambdaQuot},
	{"lambda.reserved_concurrency", Int, 0, 1e6, false, "at most the account concurrency", lambdaQuot},
	{"lambda.scaling_rate", Float, 1e-3, 1e6, false, "Lambda scales by 1000 environments every 10 s", "product, from the Lambda Developer Guide, scaling behavior"},
	{"lambda.scaling_burst", Float, 1, 1e6, false, "at most the account concurrency's bound", product},
	{"lambda.idle_timeout", Duration, 0, day, false, "AWS does not say; environments are recycled within hours", product},
	{"lambda.prices.*", Float, 0, 1, false, "Lambda's prices are millionths of a dollar per unit", product},
	{"slo.window", Duration, h, 366 * day, false, "SLO windows are 28 or 30 days; a year at most", product},
	{"--runs", Int, 1, 100000, false, "at 100 000 runs a 95 % interval on a probability is ±0.3 points; more buys nothing", product},
	{"--vary", Count, 1, 100, false, "values per --vary", product},
	{"--vary combinations", Count, 1, 1000, false, "every combination is a full comparison", product},
	{"--datapoints", Count, 1, 10000, false, "datapoints evaluated by the alarm command", product},
	{"--evaluation-periods", Int, 1, 8640, false, "as alarms[].EvaluationPeriods", cwAlarm},
	{"tune-alarm shapes", Count, 1, 1760, false, "alarm shapes searched (statistic × period × EvaluationPeriods × DatapointsToAlarm × TreatMissingData): 2 × 4 periods × the 55 (N, M) pairs of N ≤ 10 × 4; each costs a few exact evaluations", product},
	{"--evaluation-range", Int, 1, 17282, true, "as alarms[].evaluation_range", product},
	{"--speed", Float, 1e-3, 1e6, true, "virtual seconds per wall-clock second in demo (0: no waiting)", product},
	{"--max-failed", Float, 0, 1e15, false, "failed requests: more than any run can have", product},
	{"--confidence", Float, 1e-6, 1, false, "a share of runs", product},
	{"--threshold", Float, -1e300, 1e300, false, "any finite number", product},
	{"--alarm-poll-interval", Duration, 1e6, h, true, "every poll is a DescribeAlarms call; below a millisecond the executor would spin", product},
	{"--poll-interval", Duration, 1e6, h, false, "every poll is a GetDeployment call; below a millisecond the executor would spin", product},
	{"--period", Duration, m, day, false, "Lambda's metrics have one-minute resolution; GetMetricData periods are multiples of 60 s", cwAlarm},
	{"record window", Duration, m, 455 * day, false, "record --from .. --to: CloudWatch keeps datapoints of an hour for 455 days (15 months)", "CloudWatch User Guide, metrics retention (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Metric)"},
	{"record datapoints", Count, 1, 100800, false, "record --from .. --to over --period: GetMetricData returns at most 100 800 datapoints per call", "CloudWatch API Reference, GetMetricData (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html)"},
	{"--from, --to", Duration, 0, 366 * day, false, "a year of recording", product},
	{"--margin", Duration, 0, day, false, "record --deployment-id: the window before and after a deployment; a day of baseline is plenty", product},
	{"replay window", Duration, m, 455 * day, false, "compare --replay-deployment: as record window, what CloudWatch keeps", "CloudWatch User Guide, metrics retention (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Metric)"},
	{"replay periods", Count, 1, 100800, false, "compare --replay-deployment: as record datapoints; each period of each version is a fault the engine looks up by index, about 600 bytes a period held", product},
	{"estimate.cpu", Duration, 0, 10 * m, false, "a command that would take more CPU is refused before it starts (SHIFTSIM_MAX_CPU raises it)", product},
	{"estimate.memory", Bytes, 0, 4 << 30, false, "a command that would hold more is refused before it starts (SHIFTSIM_MAX_MEMORY raises it)", product},
	{"file.document", Bytes, 0, 4 << 20, false, "scenarios, SAM templates, AppSpecs, alarm and deployment-config files", "product, from the CloudFormation quota on a template body (1 MB in S3)"},
	{"file.journal", Bytes, 0, 16 << 20, false, "a deployment journal: a few records per traffic shift", product},
	{"file.partial", Bytes, 0, 1 << 30, false, "a partial result of compare --shard, read by merge: a few hundred bytes per run", product},
	{"file.recording line", Bytes, 0, 4 << 20, false, "one line of a recording (recordings are streamed, never read whole)", product},
	{"recording duration", Float, 0, 86400, false, "seconds: no request runs longer than a day (Lambda stops at 900 s)", product},
	{"recording count", Float, 0, 8.64e10, false, "requests in one datapoint: a day at traffic.rate's bound", product},
}

var byName = func() map[string]int {
	idx := make(map[string]int, len(Table))
	for i, b := range Table {
		if _, dup := idx[b.Name]; dup {
			panic("limits: " + b.Name + " twice")
		}
		idx[b.Name] = i
	}
	return idx
}()

// Of returns the bound named name (a path with "[]" for indices, "*" for
// versions and hooks); it panics on a name not in Table, which is a bug
// that any test of the caller finds.
func Of(name string) Bound {
	i, ok := byName[name]
	if !ok {
		panic("limits: no bound " + name)
	}
	return Table[i]
}

// Generic maps a concrete path to its bound's name: indices become [],
// and the version and hook names become *: faults[2].start is
// faults[].start, versions.target.latency.median is
// versions.*.latency.median.
func Generic(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			if j := strings.IndexByte(path[i:], ']'); j > 0 {
				b.WriteString("[]")
				i += j
				continue
			}
		}
		b.WriteByte(path[i])
	}
	p := b.String()
	for _, pre := range []string{"versions.current.", "versions.target.", "hooks.BeforeAllowTraffic.", "hooks.AfterAllowTraffic."} {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			p = pre[:strings.IndexByte(pre, '.')] + ".*." + rest
		}
	}
	if rest, ok := strings.CutPrefix(p, "lambda.prices."); ok && rest != "" {
		p = "lambda.prices.*"
	}
	for _, pre := range []string{"versions.*.init.", "faults[].latency.", "faults[].init.", "versions.*.latency."} {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			p = "versions.*.latency." + rest
		}
	}
	return p
}

// Format writes v as the bound's kind is written.
func (b Bound) Format(v float64) string {
	switch b.Kind {
	case Duration:
		return FormatDuration(time.Duration(v))
	case Bytes:
		return FormatBytes(v)
	case Float:
		if v == math.Trunc(v) && math.Abs(v) < 1e9 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if v >= 1e6 && v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Range is "MIN to MAX" in the bound's units, e.g. "1s to 240h" or
// "0 (off), or 1s to 1h".
func (b Bound) Range() string {
	r := b.Format(b.Min) + " to " + b.Format(b.Max)
	if b.ZeroOK {
		return "0 (off), or " + r
	}
	return r
}

// Unit names what a Count or Length counts.
func (b Bound) Unit() string {
	switch b.Kind {
	case Count:
		return " items"
	case Length:
		return " characters"
	}
	return ""
}

// Check returns nil if v is within the bound, else an error saying what
// was given and what is accepted, and why (NaN and infinities are always
// out of bounds).
func (b Bound) Check(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%v: want a finite number, %s", v, b.Range())
	}
	switch {
	case (v == 0 && b.ZeroOK) || (v >= b.Min && v <= b.Max):
		return nil
	case v < b.Min:
		return fmt.Errorf("%s%s is below the minimum %s: want %s%s (%s; docs/limits.md)", b.Format(v), b.Unit(), b.Format(b.Min), b.Range(), b.Unit(), b.Why)
	}
	return fmt.Errorf("%s%s is above the maximum %s: want %s%s (%s; docs/limits.md)", b.Format(v), b.Unit(), b.Format(b.Max), b.Range(), b.Unit(), b.Why)
}

// CheckDuration is Check for a duration.
func (b Bound) CheckDuration(d time.Duration) error { return b.Check(float64(d)) }

// FormatDuration writes d without zero units: 240h, 1h30m, 900ms.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// FormatBytes writes n as 4 GiB, 16 MiB, 512 KiB or n bytes.
func FormatBytes(n float64) string {
	for _, u := range []struct {
		size float64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			return strconv.FormatFloat(n/u.size, 'g', 3, 64) + " " + u.name
		}
	}
	return strconv.FormatFloat(n, 'f', 0, 64) + " bytes"
}

// Markdown renders Table as the Markdown table docs/limits.md holds.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| value | accepted | why | source |\n| --- | --- | --- | --- |\n")
	for _, x := range Table {
		fmt.Fprintf(&b, "| `%s` | %s%s | %s | %s |\n", x.Name, x.Range(), x.Unit(), x.Why, x.Source)
	}
	return b.String()
}
