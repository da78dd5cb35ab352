package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/report"
)

func init() {
	register("alarm", "evaluate a CloudWatch alarm over datapoints and explain each state", cmdAlarm)
}

// alarmFlagOf maps the fields of alarm.FieldError to this command's flags.
var alarmFlagOf = map[string]string{
	"EvaluationPeriods": "--evaluation-periods",
	"DatapointsToAlarm": "--datapoints-to-alarm",
	"EvaluationRange":   "--evaluation-range",
	"Threshold":         "--threshold",
}

// alarmJSON is the --output json document.
type alarmJSON struct {
	State        alarm.State   `json:"state"`
	States       []alarm.State `json:"states"`
	Reasons      []string      `json:"reasons"`
	Datapoints   []*float64    `json:"datapoints"`        // null for a missing datapoint
	Samples      []float64     `json:"samples,omitempty"` // with --samples: each datapoint's sample count
	InitialState alarm.State   `json:"initial_state"`
	Rule         alarmRuleJSON `json:"rule"`
}

type alarmRuleJSON struct {
	EvaluationPeriods  int                `json:"evaluation_periods"`
	DatapointsToAlarm  int                `json:"datapoints_to_alarm"`
	Threshold          float64            `json:"threshold"`
	ComparisonOperator alarm.Comparison   `json:"comparison_operator"`
	TreatMissingData   alarm.TreatMissing `json:"treat_missing_data"`
	EvaluationRange    int                `json:"evaluation_range"`
}

func cmdAlarm(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("alarm", "--threshold T --comparison OP --datapoints LIST [flags]",
		"Evaluate a CloudWatch metric alarm once per datapoint, as CloudWatch would, and say why each\n"+
			"state was reached. Datapoints are oldest first, - for a missing one: --datapoints '0,1,-,1,1'.",
		stdout)
	n := fs.Int("evaluation-periods", 1, "EvaluationPeriods: how many recent datapoints are evaluated (N)")
	m := fs.Int("datapoints-to-alarm", 0, "DatapointsToAlarm: how many of them must breach (M); 0 means N")
	threshold := fs.Float64("threshold", 0, "Threshold (required)")
	comparison := fs.String("comparison", "", "ComparisonOperator (required): GreaterThanOrEqualToThreshold, GreaterThanThreshold,\nLessThanThreshold, LessThanOrEqualToThreshold, or >=, >, <, <=")
	treat := fs.String("treat-missing-data", "missing", "TreatMissingData: missing, ignore, breaching or notBreaching")
	initial := fs.String("initial-state", "INSUFFICIENT_DATA", "state before the first datapoint (a new alarm starts INSUFFICIENT_DATA)")
	rng := fs.Int("evaluation-range", 0, "datapoints CloudWatch retrieves per evaluation (R); 0 means the default for N (5 for N=3)")
	points := fs.String("datapoints", "", "datapoints oldest first, comma-separated, - for a missing one (required)")
	extStat := fs.String("extended-statistic", "", "ExtendedStatistic of a percentile alarm, e.g. p99 (for --samples)")
	samplesFlag := fs.String("samples", "", "how many samples each datapoint summarises, comma-separated, - for a missing one\n(with --extended-statistic and --evaluate-low-sample-count-percentile)")
	lowSample := fs.String("evaluate-low-sample-count-percentile", "evaluate", "EvaluateLowSampleCountPercentile: evaluate, or ignore (keep the state while a\npercentile has fewer samples than AWS requires: 1000 for p99)")
	output := outputFlag(fs, "table", "json")
	outFile := outFlag(fs)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return inputErrf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	for _, req := range []string{"threshold", "comparison", "datapoints"} {
		if !fs.Changed(req) {
			return inputErrf("--%s is required (see --help)", req)
		}
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}

	if err := checkFlag("--threshold", *threshold); err != nil {
		return err
	}
	if err := checkFlag("--evaluation-periods", float64(*n)); err != nil {
		return err
	}
	if err := checkFlag("--evaluation-range", float64(*rng)); err != nil {
		return err
	}
	if n := strings.Count(*points, ",") + 1; n > int(limits.Of("--datapoints").Max) {
		return inputErrf("--datapoints: %d datapoints: %v", n, limits.Of("--datapoints").Check(float64(n)))
	}
	r := alarm.Rule{EvaluationPeriods: *n, DatapointsToAlarm: *m, Threshold: *threshold, EvaluationRange: *rng}
	var err error
	if r.Comparison, err = alarm.ParseComparison(*comparison); err != nil {
		return inputErrf("--comparison: %v", err)
	}
	if r.TreatMissing, err = alarm.ParseTreatMissing(*treat); err != nil {
		return inputErrf("--treat-missing-data: %v", err)
	}
	start, err := alarm.ParseState(*initial)
	if err != nil {
		return inputErrf("--initial-state: %v", err)
	}
	if err := r.Validate(); err != nil {
		var fe *alarm.FieldError
		if errors.As(err, &fe) && alarmFlagOf[fe.Field] != "" {
			reason := strings.ReplaceAll(fe.Reason, "EvaluationPeriods", "--evaluation-periods")
			return inputErrf("%s %s: %s", alarmFlagOf[fe.Field], fe.Value, reason)
		}
		return asInput(err)
	}
	ps, err := parseDatapoints(*points)
	if err != nil {
		return err
	}

	low, err := alarm.ParseLowSample(*lowSample)
	if err != nil {
		return inputErrf("--evaluate-low-sample-count-percentile %v", err)
	}
	var samples []float64
	var steps []alarm.Step
	if fs.Changed("samples") || fs.Changed("extended-statistic") {
		st, err := alarm.ParseStat("", *extStat)
		if err != nil {
			return inputErrf("--extended-statistic: %v", err)
		}
		if samples, err = parseSamples(*samplesFlag, ps); err != nil {
			return err
		}
		steps = r.SeriesSamples(ps, samples, st, low, start)
	} else {
		if low == alarm.IgnoreLowSample {
			return inputErrf("--evaluate-low-sample-count-percentile ignore needs --extended-statistic and --samples")
		}
		steps = r.Series(ps, start)
	}
	out := newDataOut(*outFile, stdout)
	if *output == "json" {
		return out.Close(writeAlarmJSON(out.W(), r, start, ps, samples, steps))
	}
	return out.Close(writeAlarmTable(out.W(), r, start, ps, steps))
}

// parseSamples parses the sample counts that go with the datapoints ps: a
// non-negative whole number for each present datapoint, - (or 0) for a
// missing one.
func parseSamples(s string, ps []float64) ([]float64, error) {
	if s == "" {
		return nil, inputErrf("--samples is required with --extended-statistic (see --help)")
	}
	items := strings.Split(s, ",")
	if len(items) != len(ps) {
		return nil, inputErrf("--samples has %d items, --datapoints %d: give one count per datapoint", len(items), len(ps))
	}
	out := make([]float64, len(items))
	for i, item := range items {
		item = strings.TrimSpace(item)
		if item == "-" {
			if !math.IsNaN(ps[i]) {
				return nil, inputErrf("--samples item %d is - but datapoint %d is present: give its sample count", i+1, i+1)
			}
			continue
		}
		n, err := strconv.ParseUint(item, 10, 53)
		if err != nil {
			return nil, inputErrf("--samples item %d %q: want a whole number of samples >= 0, or -", i+1, clipText(item))
		}
		if n == 0 && !math.IsNaN(ps[i]) {
			return nil, inputErrf("--samples item %d is 0 but datapoint %d is present: a datapoint summarises at least 1 sample", i+1, i+1)
		}
		out[i] = float64(n)
	}
	return out, nil
}

// clipText shortens a value echoed in an error.
func clipText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return s
}

// parseDatapoints parses "0,1,-,1.5" into datapoints, NaN for "-".
func parseDatapoints(s string) ([]float64, error) {
	items := strings.Split(s, ",")
	ps := make([]float64, len(items))
	for i, item := range items {
		item = strings.TrimSpace(item)
		if item == "-" {
			ps[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(item, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			if item == "" {
				return nil, inputErrf("--datapoints %s: item %d is empty (use - for a missing datapoint)", safeio.Quote(s), i+1)
			}
			return nil, inputErrf("--datapoints %s: item %d %s is not a number (use - for a missing datapoint)", safeio.Quote(s), i+1, safeio.Quote(item))
		}
		ps[i] = v
	}
	return ps, nil
}

func writeAlarmJSON(w io.Writer, r alarm.Rule, start alarm.State, ps, samples []float64, steps []alarm.Step) error {
	nr := r.Normalized()
	doc := alarmJSON{
		Samples:      samples,
		State:        steps[len(steps)-1].State,
		InitialState: start,
		Rule: alarmRuleJSON{
			EvaluationPeriods: nr.EvaluationPeriods, DatapointsToAlarm: nr.DatapointsToAlarm, Threshold: nr.Threshold,
			ComparisonOperator: nr.Comparison, TreatMissingData: nr.TreatMissing, EvaluationRange: nr.EvaluationRange,
		},
	}
	for i, s := range steps {
		doc.States = append(doc.States, s.State)
		doc.Reasons = append(doc.Reasons, s.Reason)
		if math.IsNaN(ps[i]) {
			doc.Datapoints = append(doc.Datapoints, nil)
		} else {
			doc.Datapoints = append(doc.Datapoints, &ps[i])
		}
	}
	return report.JSON(w, doc)
}

func writeAlarmTable(w io.Writer, r alarm.Rule, start alarm.State, ps []float64, steps []alarm.Step) error {
	nr := r.Normalized()
	fmt.Fprintf(w, "alarm: %d of %d datapoints %s %s, TreatMissingData=%s, evaluation range %d, initial state %s\n\n",
		nr.DatapointsToAlarm, nr.EvaluationPeriods, nr.Comparison.Symbol(), alarm.FormatNumber(nr.Threshold),
		nr.TreatMissing, nr.EvaluationRange, start)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tdatapoint\tbreaching\tstate\treason")
	for i, s := range steps {
		v, breach := "-", "-"
		if !math.IsNaN(ps[i]) {
			v = alarm.FormatNumber(ps[i])
			breach = "no"
			if nr.Comparison.Breaches(ps[i], nr.Threshold) {
				breach = "yes"
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i+1, v, breach, s.State, s.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nfinal state: %s\n", steps[len(steps)-1].State)
	return err
}
