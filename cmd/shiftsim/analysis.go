package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	gates "github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/report"
)

func init() {
	register("analysis", "explain an Argo Rollouts metric or a Flagger canary analysis from its measurements, step by step", cmdAnalysis)
}

type argoJSON struct {
	System       string         `json:"system"`
	Phase        gates.Phase    `json:"phase"`
	Unused       int            `json:"unused_measurements"`
	Measurements []argoStepJSON `json:"measurements"`
	Metric       argoMetricJSON `json:"metric"`
}

type argoMetricJSON struct {
	Count                   *int   `json:"count"`
	Interval                string `json:"interval,omitempty"`
	InitialDelay            string `json:"initialDelay,omitempty"`
	FailureLimit            int    `json:"failureLimit"`
	InconclusiveLimit       int    `json:"inconclusiveLimit"`
	ConsecutiveErrorLimit   int    `json:"consecutiveErrorLimit"`
	ConsecutiveSuccessLimit int    `json:"consecutiveSuccessLimit"`
	SuccessCondition        string `json:"successCondition,omitempty"`
	FailureCondition        string `json:"failureCondition,omitempty"`
}

type argoStepJSON struct {
	N                  int         `json:"n"`
	AtS                float64     `json:"at_s"`
	Value              *float64    `json:"value"`
	Outcome            gates.Phase `json:"outcome"`
	Why                string      `json:"why"`
	Successful         int         `json:"successful"`
	Failed             int         `json:"failed"`
	Inconclusive       int         `json:"inconclusive"`
	Error              int         `json:"error"`
	Count              int         `json:"count"`
	ConsecutiveError   int         `json:"consecutive_error"`
	ConsecutiveSuccess int         `json:"consecutive_success"`
	Phase              gates.Phase `json:"phase"`
	Rule               string      `json:"rule"`
}

type flaggerJSON struct {
	System      string         `json:"system"`
	Phase       string         `json:"phase"`
	Unused      int            `json:"unused_checks"`
	ClosedFormS *float64       `json:"doc_min_promotion_s"`
	Ticks       []flaggerTickJ `json:"ticks"`
}

type flaggerTickJ struct {
	N            int     `json:"tick"`
	AtS          float64 `json:"at_s"`
	Check        string  `json:"check"`
	FailedChecks int     `json:"failed_checks"`
	CanaryWeight float64 `json:"canary_weight"`
	Phase        string  `json:"phase"`
	Action       string  `json:"action"`
}

func cmdAnalysis(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("analysis", "argo|flagger|sequential [flags]",
		"Explains, step by step, why an analysis ended as it did (docs/plans.md):\n"+
			"  argo     one AnalysisTemplate metric: each measurement's outcome (given, or evaluated from a value\n"+
			"           with successCondition/failureCondition), the counters and the metric phase after it.\n"+
			"           --outcomes S,F,I,E or --values 0.97,0.91,- (- = the provider returned an error).\n"+
			"  flagger  a canary analysis, one check per interval (the first tick takes none): failed checks,\n"+
			"           weight steps (or blue/green iterations), promotion or rollback. --checks pass,fail or\n"+
			"           --values 99.5,98,- with --min/--max (thresholdRange; - = no values found, which fails).\n"+
			"  sequential  the anytime-valid count test (Lindon & Malek): each event (an error, a crash) from\n"+
			"           the control (A) or the canary (B), in order of arrival: --events A,B,B,... or ABBB;\n"+
			"           --canary-share is the canary's share of traffic. Stops at the first p <= --alpha.",
		stdout)
	outcomes := fs.String("outcomes", "", "measurement (argo) outcomes, comma-separated: Successful/S, Failed/F, Inconclusive/I, Error/E")
	checks := fs.String("checks", "", "check (flagger) outcomes per interval, comma-separated: pass or fail")
	values := fs.String("values", "", "measured values, comma-separated; - for an error / no values found")
	succ := fs.String("success-condition", "", "argo successCondition over result, e.g. 'result[0] >= 0.95'")
	fail := fs.String("failure-condition", "", "argo failureCondition over result")
	count := fs.Int("count", 0, "argo count (0 = unset: one measurement, or unbounded with --interval)")
	interval := fs.Duration("interval", 0, "argo interval between measurements; flagger analysis interval (default 1m)")
	initialDelay := fs.Duration("initial-delay", 0, "argo initialDelay before the first measurement")
	failureLimit := fs.Int("failure-limit", 0, "argo failureLimit (-1 disables)")
	inconclusiveLimit := fs.Int("inconclusive-limit", 0, "argo inconclusiveLimit")
	errorLimit := fs.Int("consecutive-error-limit", 4, "argo consecutiveErrorLimit")
	successLimit := fs.Int("consecutive-success-limit", 0, "argo consecutiveSuccessLimit (0 = disabled)")
	terminate := fs.Bool("terminate", false, "argo: the run is terminated after the last measurement")
	threshold := fs.Int("threshold", 0, "flagger threshold: failed checks before rollback (<= 0 means 1)")
	maxWeight := fs.Float64("max-weight", 0, "flagger maxWeight (default 100)")
	stepWeight := fs.Float64("step-weight", 0, "flagger stepWeight")
	stepWeights := fs.String("step-weights", "", "flagger stepWeights, comma-separated")
	promotion := fs.Float64("step-weight-promotion", 0, "flagger stepWeightPromotion (0 = all at once)")
	iterations := fs.Int("iterations", 0, "flagger iterations (> 0: blue/green)")
	minV := fs.String("min", "", "flagger thresholdRange.min")
	maxV := fs.String("max", "", "flagger thresholdRange.max")
	events := fs.String("events", "", "sequential: events in arrival order, A (control) or B (canary), comma-separated or as one word")
	share := fs.Float64("canary-share", 0.5, "sequential: the canary's share of traffic")
	kFlag := fs.Float64("k", 100, "sequential: concentration of the Dirichlet mixture")
	alpha := fs.Float64("alpha", 0.05, "sequential: false-alarm rate")
	oneSided := fs.Bool("one-sided", false, "sequential: reject only when the canary's share of events exceeds its traffic share")
	output := outputFlag(fs, "table", "json")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "argo" && fs.Arg(0) != "flagger" && fs.Arg(0) != "sequential") {
		return inputErrf("want one argument, argo, flagger or sequential (see --help)")
	}
	a := analysisArgs{outcomes: *outcomes, checks: *checks, values: *values, succ: *succ, fail: *fail, count: *count,
		interval: *interval, initialDelay: *initialDelay, failureLimit: *failureLimit, inconclusiveLimit: *inconclusiveLimit,
		errorLimit: *errorLimit, successLimit: *successLimit, terminate: *terminate, threshold: *threshold,
		maxWeight: *maxWeight, stepWeight: *stepWeight, stepWeights: *stepWeights, promotion: *promotion,
		iterations: *iterations, minV: *minV, maxV: *maxV, output: *output}
	switch fs.Arg(0) {
	case "sequential":
		return sequentialCmd(*events, *share, *kFlag, *alpha, *oneSided, *output, stdout)
	case "flagger":
		return flaggerCmd(a, stdout)
	default:
		return argoCmd(a, stdout)
	}
}

// analysisArgs are the argo and flagger flags' values.
type analysisArgs struct {
	outcomes, checks, values, succ, fail, stepWeights, minV, maxV, output                   string
	count, failureLimit, inconclusiveLimit, errorLimit, successLimit, threshold, iterations int
	interval, initialDelay                                                                  time.Duration
	terminate                                                                               bool
	maxWeight, stepWeight, promotion                                                        float64
}

// flaggerCmd replays a Flagger canary analysis from its checks or values.
func flaggerCmd(a analysisArgs, stdout io.Writer) error {
	vals, err := parseValues(a.values)
	if err != nil {
		return err
	}
	f := gates.Flagger{Interval: a.interval, Threshold: a.threshold, MaxWeight: a.maxWeight, StepWeight: a.stepWeight, StepWeightPromotion: a.promotion, Iterations: a.iterations}
	if a.stepWeights != "" {
		if f.StepWeights, err = parseValues(a.stepWeights); err != nil {
			return inputErrf("--step-weights: %v", err)
		}
	}
	var r gates.Range
	for _, b := range []struct {
		s   string
		dst **float64
		n   string
	}{{a.minV, &r.Min, "--min"}, {a.maxV, &r.Max, "--max"}} {
		if b.s != "" {
			v, err := strconv.ParseFloat(b.s, 64)
			if err != nil {
				return inputErrf("%s %q: want a number", b.n, b.s)
			}
			*b.dst = &v
		}
	}
	var cs []gates.Check
	switch {
	case a.checks != "" && a.values != "":
		return inputErrf("give --checks or --values, not both")
	case a.checks != "":
		for i, s := range strings.Split(a.checks, ",") {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "pass", "passed", "p", "ok":
				cs = append(cs, gates.Check{Given: true, Passed: true})
			case "fail", "failed", "f":
				cs = append(cs, gates.Check{Given: true})
			default:
				return inputErrf("--checks item %d: %q, want pass or fail", i+1, s)
			}
		}
	case a.values != "":
		if r.Min == nil && r.Max == nil {
			return inputErrf("--values needs --min and/or --max (the metric's thresholdRange)")
		}
		for _, v := range vals {
			cs = append(cs, gates.Check{Value: v})
		}
	default:
		return inputErrf("flagger needs --checks or --values")
	}
	res, err := f.Replay(cs, r)
	if err != nil {
		return inputErrf("%v", err)
	}
	doc := flaggerJSON{System: "flagger", Phase: res.Phase, Unused: res.Unused, Ticks: []flaggerTickJ{}}
	if res.ClosedForm > 0 {
		s := res.ClosedForm.Seconds()
		doc.ClosedFormS = &s
	}
	for _, t := range res.Ticks {
		doc.Ticks = append(doc.Ticks, flaggerTickJ{t.N, t.At.Seconds(), t.Check, t.FailedChecks, t.Canary, t.Phase, t.Action})
	}
	if a.output == "json" {
		return report.JSON(stdout, doc)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "tick\tt+\tcheck\tfailedChecks\tcanary %\tphase\taction")
	for _, t := range doc.Ticks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%v\t%s\t%s\n", t.N, time.Duration(t.AtS*float64(time.Second)), dash(t.Check), t.FailedChecks, t.CanaryWeight, t.Phase, t.Action)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nresult: %s", res.Phase)
	if res.Phase != "Succeeded" && res.Phase != "Failed" {
		fmt.Fprintf(stdout, " (the checks ran out before the analysis ended)")
	}
	if res.Unused > 0 {
		fmt.Fprintf(stdout, "; %d checks after the end were not used", res.Unused)
	}
	if doc.ClosedFormS != nil {
		formula := "interval x maxWeight/stepWeight"
		if f.Iterations > 0 {
			formula = "interval x iterations"
		}
		fmt.Fprintf(stdout, "\nFlagger's documented minimum time to promotion, %s: %s", formula, res.ClosedForm)
	}
	fmt.Fprintln(stdout)
	return nil
}

// argoCmd replays one Argo Rollouts metric from its outcomes or values.
func argoCmd(a analysisArgs, stdout io.Writer) error {
	vals, err := parseValues(a.values)
	if err != nil {
		return err
	}
	m := gates.Metric{Count: a.count, Interval: a.interval > 0, FailureLimit: a.failureLimit, InconclusiveLimit: a.inconclusiveLimit,
		ConsecutiveErrorLimit: a.errorLimit, ConsecutiveSuccessLimit: a.successLimit}
	if m.SuccessCondition, err = gates.ParseCondition(a.succ); err != nil {
		return inputErrf("--success-condition: %v", err)
	}
	if m.FailureCondition, err = gates.ParseCondition(a.fail); err != nil {
		return inputErrf("--failure-condition: %v", err)
	}
	if err := m.Validate(); err != nil {
		return inputErrf("%v", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	var in []gates.Input
	switch {
	case a.outcomes != "" && a.values != "":
		return inputErrf("give --outcomes or --values, not both")
	case a.outcomes != "":
		for i, s := range strings.Split(a.outcomes, ",") {
			p, err := gates.ParsePhase(s)
			if err != nil {
				return inputErrf("--outcomes item %d: %v", i+1, err)
			}
			in = append(in, gates.Input{Outcome: p})
		}
	case a.values != "":
		for _, v := range vals {
			in = append(in, gates.Input{Value: v})
		}
	default:
		return inputErrf("argo needs --outcomes or --values")
	}
	res := m.Replay(in, a.terminate)
	doc := argoJSON{System: "argo", Phase: res.Phase, Unused: res.Unused, Measurements: []argoStepJSON{},
		Metric: argoMetricJSON{FailureLimit: m.FailureLimit, InconclusiveLimit: m.InconclusiveLimit, ConsecutiveErrorLimit: m.ConsecutiveErrorLimit,
			ConsecutiveSuccessLimit: m.ConsecutiveSuccessLimit}}
	if m.Count > 0 {
		doc.Metric.Count = &m.Count
	}
	if a.interval > 0 {
		doc.Metric.Interval = a.interval.String()
	}
	if a.initialDelay > 0 {
		doc.Metric.InitialDelay = a.initialDelay.String()
	}
	if m.SuccessCondition != nil {
		doc.Metric.SuccessCondition = m.SuccessCondition.String()
	}
	if m.FailureCondition != nil {
		doc.Metric.FailureCondition = m.FailureCondition.String()
	}
	at := res.Times(a.initialDelay, a.interval) // the controller's schedule
	for i, s := range res.Steps {
		val := s.Value
		if val != nil && math.IsNaN(*val) {
			val = nil // the provider's error: no value
		}
		doc.Measurements = append(doc.Measurements, argoStepJSON{s.N, at[i].Seconds(), val, s.Outcome, s.Why, s.Successful, s.Failed,
			s.Inconclusive, s.Error, s.Count, s.ConsecErr, s.ConsecOK, s.Phase, s.Rule})
	}
	if a.output == "json" {
		return report.JSON(stdout, doc)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tt+\tvalue\toutcome\tS/F/I/E\tcount\tconsecErr\tconsecOK\tmetric phase\twhy")
	for _, s := range doc.Measurements {
		v := "-"
		switch {
		case s.Value != nil:
			v = strconv.FormatFloat(*s.Value, 'g', -1, 64)
		case s.Outcome == gates.Error:
			v = "error"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d/%d/%d\t%d\t%d\t%d\t%s\t%s; %s\n", s.N, time.Duration(s.AtS*float64(time.Second)), v, s.Outcome,
			s.Successful, s.Failed, s.Inconclusive, s.Error, s.Count, s.ConsecutiveError, s.ConsecutiveSuccess, s.Phase, s.Why, s.Rule)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nmetric phase: %s", res.Phase)
	switch res.Phase {
	case gates.Failed, gates.Error:
		fmt.Fprint(stdout, " (the AnalysisRun fails and the rollout aborts)")
	case gates.Inconclusive:
		fmt.Fprint(stdout, " (the rollout pauses until someone promotes or aborts it)")
	case gates.Running, gates.Pending:
		fmt.Fprint(stdout, " (more measurements are needed)")
	}
	if res.Unused > 0 {
		fmt.Fprintf(stdout, "; %d measurements after the end were not taken", res.Unused)
	}
	fmt.Fprintln(stdout)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseValues reads comma-separated numbers; - (or error, none) is NaN.
func parseValues(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []float64
	for i, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch strings.ToLower(f) {
		case "-", "error", "none":
			out = append(out, math.NaN())
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) {
			return nil, inputErrf("--values item %d: %q is not a number (- for an error or no values)", i+1, f)
		}
		out = append(out, v)
	}
	return out, nil
}

type seqJSON struct {
	System    string        `json:"system"`
	Stopped   bool          `json:"stopped"`
	StoppedAt *int          `json:"stopped_at_event"`
	Events    []seqStepJSON `json:"events"`
}

type seqStepJSON struct {
	N       int     `json:"n"`
	Arm     string  `json:"arm"`
	Control int     `json:"control"`
	Canary  int     `json:"canary"`
	LogBF   float64 `json:"log_bayes_factor"`
	P       float64 `json:"p_value"`
	Reject  bool    `json:"reject"`
}

func sequentialCmd(events string, share, k, alpha float64, oneSided bool, output string, stdout io.Writer) error {
	var toks []string
	if strings.Contains(events, ",") {
		toks = strings.Split(events, ",")
	} else {
		for _, r := range strings.TrimSpace(events) {
			toks = append(toks, string(r))
		}
	}
	if len(toks) == 0 {
		return inputErrf("sequential needs --events, e.g. --events ABBB")
	}
	var ev []int
	for i, t := range toks {
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "a", "control", "baseline":
			ev = append(ev, 0)
		case "b", "canary":
			ev = append(ev, 1)
		default:
			return inputErrf("--events item %d: %q, want A (control) or B (canary)", i+1, t)
		}
	}
	s := gates.Sequential{Rho: []float64{1 - share, share}, K: k, Alpha: alpha, OneSided: oneSided, Canary: 1}
	steps, err := s.Replay(ev)
	if err != nil {
		return inputErrf("%v", err)
	}
	doc := seqJSON{System: "sequential", Events: []seqStepJSON{}}
	for _, st := range steps {
		arm := "A"
		if st.Arm == 1 {
			arm = "B"
		}
		doc.Events = append(doc.Events, seqStepJSON{st.N, arm, st.Counts[0], st.Counts[1], st.LogBF, st.P, st.Reject})
		if st.Reject {
			doc.Stopped, doc.StoppedAt = true, &st.N
		}
	}
	if output == "json" {
		return report.JSON(stdout, doc)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "event\tarm\tcontrol\tcanary\tlog BF\tanytime p")
	for _, e := range doc.Events {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%.4f\t%.4g\n", e.N, e.Arm, e.Control, e.Canary, e.LogBF, e.P)
	}
	tw.Flush()
	if doc.Stopped {
		fmt.Fprintf(stdout, "\nstop at event %d: p <= %v, the canary's events are not explained by its %v share of traffic\n", *doc.StoppedAt, alpha, share)
	} else {
		fmt.Fprintf(stdout, "\nno stop after %d events (p = %.4g > %v)\n", len(ev), steps[len(steps)-1].P, alpha)
	}
	return nil
}
