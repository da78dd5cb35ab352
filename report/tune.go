package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/power"
)

// Tuned is the JSON document of `shiftsim tune-alarm`: per strategy, the
// alarm that minimises the objective within the false-rollback ceiling,
// the frontier of the alarms searched, and the chosen alarm in AWS's forms.
type Tuned struct {
	Scenario         string       `json:"scenario"`
	Alarm            string       `json:"alarm"`
	Objective        string       `json:"objective"`
	MaxFalseRollback float64      `json:"max_false_rollback"`
	Space            TuneSpace    `json:"search_space"`
	Results          []TuneResult `json:"results"`
}

// TuneSpace describes the search space.
type TuneSpace struct {
	Statistics        []string  `json:"statistics"`
	Periods           []int     `json:"periods_s"`
	EvaluationPeriods []int     `json:"evaluation_periods"`
	DatapointsToAlarm string    `json:"datapoints_to_alarm"`
	TreatMissingData  []string  `json:"treat_missing_data"`
	CountThresholds   string    `json:"count_thresholds"`
	RateThresholds    []float64 `json:"rate_thresholds_percent"`
	Shapes            int       `json:"shapes"`
}

// TuneEval is what one alarm does, on the scenario and on its healthy twin.
type TuneEval struct {
	Method               string             `json:"method"`
	Runs                 int                `json:"runs,omitempty"`
	FalseRollback        float64            `json:"false_rollback_probability"`
	FalseRollbackCI95    *[2]float64        `json:"false_rollback_probability_ci95"`
	RollbackProbability  float64            `json:"rollback_probability"`
	DetectionProbability float64            `json:"detection_probability"`
	TargetRequests       float64            `json:"target_requests"`
	TargetFailed         float64            `json:"target_failed_requests"`
	ExpectedDetection    float64            `json:"expected_detection_s"`
	Detection            DetectionQuantiles `json:"detection_s"`
}

// TuneAlarm is one searched alarm and what it does.
type TuneAlarm struct {
	Statistic          string  `json:"statistic"`
	Period             int     `json:"period_s"`
	EvaluationPeriods  int     `json:"evaluation_periods"`
	DatapointsToAlarm  int     `json:"datapoints_to_alarm"`
	TreatMissingData   string  `json:"treat_missing_data"`
	Threshold          float64 `json:"threshold"`
	ComparisonOperator string  `json:"comparison_operator"`
	TuneEval
}

// TuneResult is one strategy's answer.
type TuneResult struct {
	Strategy string   `json:"strategy"`
	Methods  []string `json:"methods"`
	// Evaluations counts the alarms evaluated; FeasibleShapes the shapes
	// with a threshold within the ceiling.
	Evaluations    int         `json:"evaluations"`
	FeasibleShapes int         `json:"feasible_shapes"`
	Current        TuneEval    `json:"current"`
	Chosen         *TuneAlarm  `json:"chosen"`
	Frontier       []TuneAlarm `json:"frontier"`
	// CloudFormation is the chosen alarm as an AWS::CloudWatch::Alarm
	// resource (YAML); PutMetricAlarm as put-metric-alarm --cli-input-json.
	CloudFormation string          `json:"cloudformation,omitempty"`
	PutMetricAlarm json.RawMessage `json:"put_metric_alarm,omitempty"`
}

// FromEvaluation builds a TuneEval.
func FromEvaluation(e power.Evaluation) TuneEval {
	out := TuneEval{Method: e.Method, Runs: e.Runs, FalseRollback: e.FalseRollback, RollbackProbability: e.RollbackProbability,
		DetectionProbability: e.DetectionProbability, TargetRequests: e.TargetRequests, TargetFailed: e.TargetFailedRequests,
		ExpectedDetection: e.ExpectedDetection}
	if e.Method == power.MethodMonteCarlo {
		ci := e.FalseRollbackCI95
		out.FalseRollbackCI95 = &ci
	}
	d := e.Detection
	out.Detection = DetectionQuantiles{Mean: finite(d.Mean()), P5: finite(d.Quantile(0.05)), P50: finite(d.Quantile(0.5)),
		P90: finite(d.Quantile(0.9)), P95: finite(d.Quantile(0.95)), P99: finite(d.Quantile(0.99))}
	return out
}

// FromTuned builds a TuneAlarm.
func FromTuned(t *power.Tuned) TuneAlarm {
	return TuneAlarm{Statistic: t.Statistic, Period: t.Period, EvaluationPeriods: t.N, DatapointsToAlarm: t.M,
		TreatMissingData: t.TreatMissing.String(), Threshold: t.Threshold, ComparisonOperator: t.Comparison.String(),
		TuneEval: FromEvaluation(t.Eval)}
}

// FromTuning builds one strategy's result (without the AWS forms).
func FromTuning(t *power.Tuning) TuneResult {
	r := TuneResult{Strategy: t.Strategy, Methods: t.Methods(), Current: FromEvaluation(t.Current), Frontier: []TuneAlarm{}}
	for i := range t.Shapes {
		s := &t.Shapes[i]
		r.Evaluations += s.Evaluations
		if s.Feasible {
			r.FeasibleShapes++
		}
		if s.OnFrontier {
			r.Frontier = append(r.Frontier, FromTuned(s))
		}
	}
	if t.Best >= 0 {
		c := FromTuned(&t.Shapes[t.Best])
		r.Chosen = &c
	}
	return r
}

// tunePct writes a probability as a percentage with the precision it needs.
func tunePct(p float64) string {
	switch {
	case p == 0:
		return "0 %"
	case p < 0.001:
		return strconv.FormatFloat(100*p, 'g', 2, 64) + " %"
	}
	return strconv.FormatFloat(100*p, 'f', 1, 64) + " %"
}

func secondsText(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return "-"
	}
	return strconv.FormatFloat(s, 'f', 0, 64) + " s"
}

// TableTuned prints the document for people.
func TableTuned(w io.Writer, doc Tuned) error {
	goal := "the fewest expected failed requests"
	if doc.Objective == power.ObjectiveDetect {
		goal = "the shortest expected time to detection"
	}
	fmt.Fprintf(w, "Scenario %s: tuning alarm %s for %s, false rollbacks of the healthy twin at most %s.\n",
		doc.Scenario, doc.Alarm, goal, tunePct(doc.MaxFalseRollback))
	sp := doc.Space
	fmt.Fprintf(w, "Searched %d shapes: statistic %s, Period %s s, EvaluationPeriods %s, DatapointsToAlarm %s,\nTreatMissingData %s; each shape's smallest threshold within the ceiling (counts: %s; rates: %v to %v %%).\n",
		sp.Shapes, strings.Join(sp.Statistics, "|"), joinInts(sp.Periods), joinInts(sp.EvaluationPeriods), sp.DatapointsToAlarm,
		strings.Join(sp.TreatMissingData, "|"), sp.CountThresholds, sp.RateThresholds[0], sp.RateThresholds[len(sp.RateThresholds)-1])
	for _, r := range doc.Results {
		fmt.Fprintf(w, "\n== %s (%s; %d alarms evaluated, %d of %d shapes within the ceiling)\n", r.Strategy, strings.Join(r.Methods, " and "),
			r.Evaluations, r.FeasibleShapes, sp.Shapes)
		c := r.Current
		fmt.Fprintf(w, "The scenario's alarm: %.1f failed requests expected, false rollbacks %s, detected %s (mean %s after the start).\n",
			c.TargetFailed, tunePct(c.FalseRollback), tunePct(c.DetectionProbability), secondsText(deref(c.Detection.Mean)))
		if r.Chosen == nil {
			fmt.Fprintf(w, "No alarm of the space keeps false rollbacks within %s.\n", tunePct(doc.MaxFalseRollback))
			continue
		}
		fmt.Fprintln(w, "\nFrontier (no other alarm has fewer failures, false rollbacks and detection time at once; * chosen):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\tstatistic\tperiod\tN\tM\tTreatMissingData\tthreshold\tfailed\tfalse rollback\tdetected\texpected detection\tmethod\t")
		for _, a := range r.Frontier {
			mark := ""
			if sameAlarm(a, *r.Chosen) {
				mark = "*"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d s\t%d\t%d\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t\n", mark, a.Statistic, a.Period, a.EvaluationPeriods,
				a.DatapointsToAlarm, a.TreatMissingData, thresholdText(a), a.TargetFailed, tunePct(a.FalseRollback),
				tunePct(a.DetectionProbability), secondsText(a.ExpectedDetection), a.Method)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		a := r.Chosen
		fmt.Fprintf(w, "\nChosen: %s %s over %d of %d periods of %d s, TreatMissingData %s (%s): %.1f failed requests expected (the scenario's alarm: %.1f), false rollbacks %s.\n",
			describeStat(a.Statistic), thresholdText(*a), a.DatapointsToAlarm, a.EvaluationPeriods, a.Period, a.TreatMissingData, a.Method,
			a.TargetFailed, c.TargetFailed, tunePct(a.FalseRollback))
		if r.CloudFormation != "" {
			fmt.Fprintf(w, "\nAs a CloudFormation resource:\n\n%s", r.CloudFormation)
		}
		if len(r.PutMetricAlarm) > 0 {
			var b bytes.Buffer
			if err := json.Indent(&b, r.PutMetricAlarm, "", "  "); err != nil {
				return err
			}
			fmt.Fprintf(w, "\nAs `aws cloudwatch put-metric-alarm --cli-input-json file://alarm.json`:\n\n%s\n", b.Bytes())
		}
	}
	return nil
}

func sameAlarm(a, b TuneAlarm) bool {
	return a.Statistic == b.Statistic && a.Period == b.Period && a.EvaluationPeriods == b.EvaluationPeriods &&
		a.DatapointsToAlarm == b.DatapointsToAlarm && a.TreatMissingData == b.TreatMissingData && a.Threshold == b.Threshold
}

func describeStat(s string) string {
	if s == power.StatRate {
		return "error rate"
	}
	return "errors"
}

func thresholdText(a TuneAlarm) string {
	op := ">"
	if a.ComparisonOperator == "GreaterThanOrEqualToThreshold" {
		op = ">="
	}
	v := strconv.FormatFloat(a.Threshold, 'g', -1, 64)
	if a.Statistic == power.StatRate {
		v += " %"
	}
	return op + " " + v
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}
