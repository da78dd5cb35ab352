package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/power"
)

// Powered is the JSON document of `shiftsim power`: per strategy, whether
// the alarms and hooks stop a deployment of the scenario's target, how
// soon, and what the target serves meanwhile. Its field names are a
// contract.
type Powered struct {
	Scenario string        `json:"scenario"`
	Horizon  float64       `json:"horizon_s"`
	Results  []PowerResult `json:"results"`
}

// PowerResult is one strategy's answer. Expectations are over the horizon;
// for a Monte Carlo result the *_ci95 fields hold 95 % intervals (null for
// an exact one).
type PowerResult struct {
	Strategy string `json:"strategy"`
	Method   string `json:"method"` // exact or monte_carlo
	// Why says why a result is not exact (empty for an exact one).
	Why                  string      `json:"why,omitempty"`
	Runs                 int         `json:"runs,omitempty"`
	RollbackProbability  float64     `json:"rollback_probability"`
	RollbackCI95         *[2]float64 `json:"rollback_probability_ci95"`
	DetectionProbability float64     `json:"detection_probability"`
	TargetRequests       *float64    `json:"target_requests"`
	TargetRequestsCI95   *[2]float64 `json:"target_requests_ci95"`
	TargetFailed         *float64    `json:"target_failed_requests"`
	TargetFailedCI95     *[2]float64 `json:"target_failed_requests_ci95"`
	// Detection is the time from the deployment's start to detection,
	// given a detection before the horizon (null quantiles: none).
	Detection DetectionQuantiles `json:"detection_s"`
}

// DetectionQuantiles summarises the law of the detection time, in seconds.
type DetectionQuantiles struct {
	Mean     *float64    `json:"mean"`
	MeanCI95 *[2]float64 `json:"mean_ci95"`
	P5       *float64    `json:"p5"`
	P50      *float64    `json:"p50"`
	P90      *float64    `json:"p90"`
	P95      *float64    `json:"p95"`
	P99      *float64    `json:"p99"`
}

// FromPower builds the document's result from the library's.
func FromPower(r power.Result) PowerResult {
	out := PowerResult{Strategy: r.Strategy, Method: r.Method, Why: r.Why, Runs: r.Runs,
		RollbackProbability: r.RollbackProbability, DetectionProbability: r.DetectionProbability,
		TargetRequests: finite(r.TargetRequests), TargetFailed: finite(r.TargetFailedRequests)}
	d := r.Detection
	out.Detection = DetectionQuantiles{Mean: finite(d.Mean()), P5: finite(d.Quantile(0.05)), P50: finite(d.Quantile(0.5)),
		P90: finite(d.Quantile(0.9)), P95: finite(d.Quantile(0.95)), P99: finite(d.Quantile(0.99))}
	if r.Method == power.MethodMonteCarlo {
		ci := func(x [2]float64) *[2]float64 {
			if finite(x[0]) == nil || finite(x[1]) == nil {
				return nil
			}
			return &x
		}
		out.RollbackCI95 = ci(r.RollbackCI95)
		out.TargetRequestsCI95 = ci(r.TargetRequestsCI95)
		out.TargetFailedCI95 = ci(r.TargetFailedCI95)
		out.Detection.MeanCI95 = ci(r.DetectionMeanCI95)
	}
	return out
}

// TablePower prints the document for people.
func TablePower(w io.Writer, doc Powered) error {
	fmt.Fprintf(w, "Scenario %s: will the alarms and hooks stop the deployment?\n\n", doc.Scenario)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "strategy\tmethod\tP(stopped)\tP(detected)\tdetect p50\tdetect p90\ttarget requests\ttarget failed\t")
	var whys []string
	for _, r := range doc.Results {
		method := r.Method
		if r.Why != "" {
			method += "*"
			whys = append(whys, r.Strategy+": "+r.Why)
		}
		p := fmt.Sprintf("%.4f", r.RollbackProbability)
		if r.RollbackCI95 != nil {
			p += fmt.Sprintf(" [%.3f, %.3f]", r.RollbackCI95[0], r.RollbackCI95[1])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4f\t%s\t%s\t%s\t%s\t\n", r.Strategy, method, p, r.DetectionProbability,
			clock(r.Detection.P50), clock(r.Detection.P90), count(r.TargetRequests, r.TargetRequestsCI95), count(r.TargetFailed, r.TargetFailedCI95))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nDetection times are from the deployment's start; expectations are over the horizon.")
	if len(whys) > 0 {
		fmt.Fprintf(w, "* estimated by simulation, not computed exactly:\n  %s\n", strings.Join(whys, "\n  "))
	}
	return nil
}

func count(x *float64, ci *[2]float64) string {
	if x == nil {
		return "-"
	}
	s := fmt.Sprintf("%.1f", *x)
	if ci != nil {
		s += fmt.Sprintf(" ±%.1f", (ci[1]-ci[0])/2)
	}
	return s
}

// PowerSearched is the JSON document of `shiftsim power --detect P
// --error-rate X`.
type PowerSearched struct {
	Scenario  string         `json:"scenario"`
	Detect    float64        `json:"detect"`
	ErrorRate float64        `json:"error_rate"`
	Results   []SearchResult `json:"results"`
}

// SearchResult is one strategy's plans that reach the power: the shortest
// interval at its percentage and the smallest percentage at its interval
// (null: none does), each with its power and the false-rollback
// probability of the same alarm on a healthy target.
type SearchResult struct {
	Strategy      string  `json:"strategy"`
	Percentage    int     `json:"percentage"`
	Interval      int     `json:"interval_min"`
	Power         float64 `json:"power"`
	FalseRollback float64 `json:"false_rollback_probability"`

	ShortestInterval              *int     `json:"shortest_interval_min"`
	ShortestIntervalPower         *float64 `json:"shortest_interval_power"`
	ShortestIntervalFalseRollback *float64 `json:"shortest_interval_false_rollback_probability"`

	SmallestPercentage              *int     `json:"smallest_percentage"`
	SmallestPercentagePower         *float64 `json:"smallest_percentage_power"`
	SmallestPercentageFalseRollback *float64 `json:"smallest_percentage_false_rollback_probability"`
}

// FromSearch builds the document's result from the library's.
func FromSearch(r power.Search) SearchResult {
	out := SearchResult{Strategy: r.Strategy, Percentage: r.Config.Percentage, Interval: r.Config.Interval,
		Power: r.Power, FalseRollback: r.FalseAlarm}
	if r.Interval > 0 {
		out.ShortestInterval = &r.Interval
		out.ShortestIntervalPower, out.ShortestIntervalFalseRollback = &r.IntervalPower, &r.IntervalFalseAlarm
	}
	if r.Percentage > 0 {
		out.SmallestPercentage = &r.Percentage
		out.SmallestPercentagePower, out.SmallestPercentageFalseRollback = &r.PercentagePower, &r.PercentageFalseAlarm
	}
	return out
}

// TableSearch prints the document for people.
func TableSearch(w io.Writer, doc PowerSearched) error {
	fmt.Fprintf(w, "Scenario %s: plans that stop a target failing %.4g %% of requests with probability %.4g\n\n", doc.Scenario, 100*doc.ErrorRate, doc.Detect)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tas is: power\tfalse rollback\tshortest interval\tpower\tfalse rollback\tsmallest percentage\tpower\tfalse rollback")
	for _, r := range doc.Results {
		iv, ivp, ivf := "none ≤ 1 day", "-", "-"
		if r.ShortestInterval != nil {
			iv = fmt.Sprintf("%d min (at %d %%)", *r.ShortestInterval, r.Percentage)
			ivp, ivf = fmt.Sprintf("%.4f", *r.ShortestIntervalPower), fmt.Sprintf("%.4f", *r.ShortestIntervalFalseRollback)
		}
		pc, pcp, pcf := "none ≤ 99 %", "-", "-"
		if r.SmallestPercentage != nil {
			pc = fmt.Sprintf("%d %% (every %d min)", *r.SmallestPercentage, r.Interval)
			pcp, pcf = fmt.Sprintf("%.4f", *r.SmallestPercentagePower), fmt.Sprintf("%.4f", *r.SmallestPercentageFalseRollback)
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Strategy, r.Power, r.FalseRollback, iv, ivp, ivf, pc, pcp, pcf)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nPower: the probability that the alarms stop the bad version before the deployment ends.\nFalse rollback: the probability that the same alarm stops a target as healthy as the current version.")
	return nil
}
