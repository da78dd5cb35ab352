package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/judge"
	"github.com/shiftsim/shiftsim/report"
)

func init() {
	register("judge", "compare a canary sample with a baseline: Mann-Whitney test as R computes it, Kayenta's classification", cmdJudge)
}

// judgeJSON is the --output json document. Infinite interval ends (one-sided
// alternatives) and undefined numbers are null.
type judgeJSON struct {
	W              float64           `json:"w"`
	PValue         *float64          `json:"p_value"`
	CILow          *float64          `json:"ci_low"`
	CIHigh         *float64          `json:"ci_high"`
	Estimate       *float64          `json:"estimate"`
	Classification judge.Class       `json:"classification"`
	Critical       bool              `json:"critical"`
	Method         string            `json:"method"`
	Alternative    judge.Alternative `json:"alternative"`
	Confidence     float64           `json:"confidence"`
	Exact          bool              `json:"exact"`
	Ties           bool              `json:"ties"`
	NExperiment    int               `json:"n_experiment"`
	NControl       int               `json:"n_control"`
	Warnings       []string          `json:"warnings"`
	Classifier     classifierJSON    `json:"classifier"`
}

// classifierJSON is what Kayenta's classifier saw and computed.
type classifierJSON struct {
	NExperiment int      `json:"n_experiment"`
	NControl    int      `json:"n_control"`
	CILow       *float64 `json:"ci_low"`
	CIHigh      *float64 `json:"ci_high"`
	Estimate    *float64 `json:"estimate"`
	Bound       *float64 `json:"bound"`
	Deviation   *float64 `json:"deviation"`
	EffectSize  string   `json:"effect_size"`
	Effect      *float64 `json:"effect"`
	Reason      string   `json:"reason"`
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func cmdJudge(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("judge", "--control FILE --experiment FILE [flags] | --canary FILE",
		"Compares an experiment (canary) sample with a control (baseline) sample, as Kayenta's\n"+
			"\"comparison on canned data\" does. Each FILE is a JSON array of numbers (null = missing) or\n"+
			"one number per line. Prints R's wilcox.test(experiment, control, conf.int = TRUE): W, the\n"+
			"p-value, the confidence interval for the shift experiment - control and the estimate (R's\n"+
			"\"difference in location\"), then Kayenta's classification (Pass, High, Low, Nodata), which\n"+
			"always uses the two-sided normal-approximation interval with continuity correction at\n"+
			"--confidence, after NaN handling and outlier removal (docs/plans.md).\n"+
			"With --canary FILE, judges several metrics at once and scores them as Kayenta does: a JSON\n"+
			"document {\"classifier\": {\"groupWeights\": {...}}, \"scoreThresholds\": {\"pass\": 95, \"marginal\": 75},\n"+
			"\"metrics\": [{\"name\", \"groups\", \"control\": [...], \"experiment\": [...],\n"+
			"\"analysisConfigurations\": {\"canary\": {\"direction\", \"critical\", \"mustHaveData\", \"muted\",\n"+
			"\"nanStrategy\", \"effectSize\": {...}, \"outliers\": {...}}}}]}.",
		stdout)
	control := fs.String("control", "", "the control (baseline) sample file (required)")
	experiment := fs.String("experiment", "", "the experiment (canary) sample file (required)")
	confidence := fs.Float64("confidence", 0.98, "confidence level of the interval (Kayenta's classifier uses 0.98)")
	alternative := fs.String("alternative", "two-sided", "alternative hypothesis for the p-value and interval: two-sided, greater or less")
	exact := fs.Bool("exact", false, "exact null distribution, interval and estimate (only without ties; R falls back to the normal approximation with ties)")
	noCorrect := fs.Bool("no-correct", false, "no continuity correction in the normal approximation")
	mu := fs.Float64("mu", 0, "location shift under the null hypothesis")
	tolerance := fs.Float64("tolerance", 0.25, "classifier tolerance: the interval must clear tolerance x |estimate|")
	direction := fs.String("direction", "either", "which change fails the canary: increase, decrease or either")
	effect := fs.String("effect-size", "meanRatio", "effect-size measure for the gates: meanRatio or cles")
	allowedInc := fs.Float64("allowed-increase", 0, "High also needs effect >= this (default 1.0, 0.5 for cles)")
	allowedDec := fs.Float64("allowed-decrease", 0, "Low also needs effect <= this (default 1.0, 0.5 for cles)")
	critInc := fs.Float64("critical-increase", 0, "a critical metric's High is critical when effect >= this (default as --allowed-increase)")
	critDec := fs.Float64("critical-decrease", 0, "a critical metric's Low is critical when effect <= this (default as --allowed-decrease)")
	critical := fs.Bool("critical", false, "the metric is critical")
	mustHave := fs.Bool("must-have-data", false, "no data fails the metric (NodataFailMetric) unless it is critical")
	outliers := fs.String("outliers", "keep", "outlier strategy: keep or remove (IQR fences, reduced sensitivity)")
	factor := fs.Float64("outlier-factor", 3, "k of the IQR fences")
	nan := fs.String("nan-strategy", "remove", "NaN handling: remove or replace (by 0)")
	seed := fs.Uint64("seed", 1, "seed of the noise Kayenta adds to two constant samples")
	canary := fs.String("canary", "", "judge and score several metrics from a Kayenta-shaped JSON file (see above)")
	output := outputFlag(fs, "table", "json")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return inputErrf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if *canary != "" {
		if fs.Changed("control") || fs.Changed("experiment") {
			return inputErrf("--canary takes the samples from its file: drop --control and --experiment")
		}
		if err := checkOutput(*output, "table", "json"); err != nil {
			return err
		}
		if !(*confidence > 0 && *confidence < 1) {
			return inputErrf("--confidence %v: want a number strictly between 0 and 1, e.g. 0.98", *confidence)
		}
		return judgeCanary(*canary, *confidence, *tolerance, *seed, *output, stdout)
	}
	for _, req := range []string{"control", "experiment"} {
		if !fs.Changed(req) {
			return inputErrf("--%s is required (see --help)", req)
		}
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}
	alt, err := judge.ParseAlternative(*alternative)
	if err != nil {
		return inputErrf("--alternative %v", err)
	}
	if !(*confidence > 0 && *confidence < 1) {
		return inputErrf("--confidence %v: want a number strictly between 0 and 1, e.g. 0.98", *confidence)
	}
	if *effect != judge.MeanRatio && *effect != judge.CLES {
		return inputErrf("--effect-size %q: want meanRatio or cles", *effect)
	}
	m := judge.DefaultMetric(*effect)
	m.Tolerance, m.ConfLevel, m.Critical, m.MustHaveData, m.OutlierFactor = *tolerance, *confidence, *critical, *mustHave, *factor
	switch d := judge.Direction(*direction); d {
	case judge.Increase, judge.Decrease, judge.Either:
		m.Direction = d
	default:
		return inputErrf("--direction %q: want increase, decrease or either", *direction)
	}
	switch *outliers {
	case "keep":
	case "remove":
		m.RemoveOutliers = true
	default:
		return inputErrf("--outliers %q: want keep or remove", *outliers)
	}
	switch *nan {
	case "remove":
	case "replace":
		m.ReplaceNaN = true
	default:
		return inputErrf("--nan-strategy %q: want remove or replace", *nan)
	}
	if fs.Changed("allowed-increase") {
		m.AllowedIncrease, m.CriticalIncrease = *allowedInc, *allowedInc
	}
	if fs.Changed("allowed-decrease") {
		m.AllowedDecrease, m.CriticalDecrease = *allowedDec, *allowedDec
	}
	if fs.Changed("critical-increase") {
		m.CriticalIncrease = *critInc
	}
	if fs.Changed("critical-decrease") {
		m.CriticalDecrease = *critDec
	}
	if *tolerance < 0 || *factor < 0 {
		return inputErrf("--tolerance and --outlier-factor must be >= 0")
	}

	read := func(path string) ([]float64, error) {
		data, err := safeio.ReadFile(path, safeio.MaxDocument)
		if err != nil {
			return nil, inputErrf("%v", err)
		}
		v, err := judge.ParseSample(path, data)
		if err != nil {
			return nil, inputErrf("%v", err)
		}
		return v, nil
	}
	y, err := read(*control)
	if err != nil {
		return err
	}
	x, err := read(*experiment)
	if err != nil {
		return err
	}

	doc := judgeJSON{Alternative: alt, Confidence: *confidence, Warnings: []string{}}
	res, terr := judge.Test(x, y, judge.Options{Alternative: alt, Exact: *exact, Correct: !*noCorrect, ConfLevel: *confidence, Mu: *mu})
	if terr != nil {
		doc.Warnings = append(doc.Warnings, terr.Error())
		doc.PValue = num(res.PValue)
	} else {
		doc.W, doc.PValue, doc.CILow, doc.CIHigh, doc.Estimate = res.W, num(res.PValue), num(res.CILow), num(res.CIHigh), num(res.Estimate)
		doc.Method, doc.Exact, doc.Ties, doc.Confidence = res.Method, res.Exact, res.Ties, res.ConfLevel
		doc.Warnings = append(doc.Warnings, res.Warnings...)
	}
	doc.NExperiment, doc.NControl = countFinite(x), countFinite(y)
	c := judge.Classify(x, y, m, rand.NewPCG(*seed, 0x6b6179656e7461)) // "kayenta"
	doc.Classification, doc.Critical = c.Class, c.Critical
	doc.Classifier = classifierJSON{NExperiment: c.NExperiment, NControl: c.NControl, CILow: num(c.CILow), CIHigh: num(c.CIHigh),
		Estimate: num(c.Estimate), Bound: num(c.Bound), Deviation: num(c.Deviation), EffectSize: m.EffectSize, Effect: num(c.Effect), Reason: c.Reason}
	if *output == "json" {
		return report.JSON(stdout, doc)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.7g", *p)
	}
	method := doc.Method
	if method == "" {
		method = "Wilcoxon rank sum test"
	}
	fmt.Fprintf(tw, "%s\texperiment %s (n=%d) vs control %s (n=%d)\n", method, *experiment, doc.NExperiment, *control, doc.NControl)
	fmt.Fprintf(tw, "W\t%g\n", doc.W)
	fmt.Fprintf(tw, "p-value\t%s\t(alternative %s)\n", f(doc.PValue), alt)
	lo, hi := f(doc.CILow), f(doc.CIHigh)
	if res.CILow == math.Inf(-1) {
		lo = "-Inf"
	}
	if res.CIHigh == math.Inf(1) {
		hi = "Inf"
	}
	fmt.Fprintf(tw, "%g%% interval\t[%s, %s]\n", 100*doc.Confidence, lo, hi)
	fmt.Fprintf(tw, "difference in location\t%s\n", f(doc.Estimate))
	crit := ""
	if c.Critical {
		crit = " (critical)"
	}
	fmt.Fprintf(tw, "classification\t%s%s\t%s\n", c.Class, crit, c.Reason)
	fmt.Fprintf(tw, "classifier\tinterval [%s, %s], estimate %s, bound %s, %s %s\n", f(num(c.CILow)), f(num(c.CIHigh)), f(num(c.Estimate)), f(num(c.Bound)), m.EffectSize, f(num(c.Effect)))
	if len(doc.Warnings) > 0 {
		fmt.Fprintf(tw, "warnings\t%s\n", strings.Join(doc.Warnings, "; "))
	}
	return tw.Flush()
}

func countFinite(v []float64) int {
	n := 0
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			n++
		}
	}
	return n
}
