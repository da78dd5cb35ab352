package strategies

import (
	"errors"
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/gate"
)

// FlaggerType is the Type of a Flagger canary analysis plan (Config.Flagger):
// a canary with weight steps, or blue/green when iterations > 0. It is not a
// CodeDeploy TrafficRoutingType; only the simulator and the alias executor
// run it (docs/plans.md, "Flagger").
const FlaggerType Type = "Flagger"

// FlaggerPlan is a Flagger Canary's spec.analysis: the tick parameters and
// the metric checks, each measured by a gate query.
type FlaggerPlan struct {
	Analysis analysis.Flagger // as written; Normalised applies Flagger's defaults
	Metrics  []FlaggerMetric
}

// FlaggerMetric is one metric check: how it is judged (thresholdRange or
// threshold) and what is measured.
type FlaggerMetric struct {
	Check analysis.FlaggerMetric
	Query gate.Query
}

// BuiltinQuery is what Flagger's built-in metric name measures, a
// datapoint of period window: request-success-rate the target's % of
// requests without error, request-duration its p99 latency in ms. ok is
// false for other names. Like Flagger's CloudWatch provider the newest
// datapoint within FlaggerLookback periods is taken.
func BuiltinQuery(name string, window time.Duration) (gate.Query, bool) {
	switch name {
	case analysis.RequestSuccessRate:
		return gate.Query{Kind: gate.SuccessRate, Version: gate.Target, Window: window, Lookback: FlaggerLookback}, true
	case analysis.RequestDuration:
		return gate.Query{Kind: gate.Latency, Version: gate.Target, Window: window, Stat: "p99", Lookback: FlaggerLookback}, true
	}
	return gate.Query{}, false
}

// FlaggerLookback is how many metric intervals back Flagger's CloudWatch
// provider reads (cloudWatchStartDeltaMultiplierOnMetricInterval in
// fluxcd/flagger pkg/metrics/providers/cloudwatch.go).
const FlaggerLookback = 10

// Gates lists the metric checks as gates, in order (Measure actions index
// them).
func (p *FlaggerPlan) Gates() []gate.Gate {
	out := make([]gate.Gate, len(p.Metrics))
	for i, m := range p.Metrics {
		out[i] = gate.Gate{Name: m.Check.Name, Query: m.Query}
	}
	return out
}

// Validate checks the analysis (Flagger's rules after its defaults) and
// every metric: a judging bound, a valid query, names unique.
func (p *FlaggerPlan) Validate() error {
	var errs []error
	if _, err := p.Analysis.Normalised(); err != nil {
		errs = append(errs, err)
	}
	seen := map[string]int{}
	for i, m := range p.Metrics {
		if m.Check.Name == "" {
			errs = append(errs, fmt.Errorf("metrics[%d].name: empty", i))
		} else if j, dup := seen[m.Check.Name]; dup {
			errs = append(errs, fmt.Errorf("metrics[%d].name: %q repeats metrics[%d]", i, m.Check.Name, j))
		}
		seen[m.Check.Name] = i
		if err := m.Check.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("metrics[%d]: %w", i, err))
		}
		if err := m.Query.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("metrics[%d] (%s): %w", i, m.Check.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Schedule is the plan's traffic when every check passes, by the tick
// model (decision 6, docs/plans.md): the target's weight at each tick that
// changes it — the canary steps, 100 % at promotion (the primary then runs
// the new version too) — and End at the Succeeded tick.
func (p *FlaggerPlan) Schedule() Plan {
	f, err := p.Analysis.Normalised()
	if err != nil {
		return Plan{}
	}
	s := f.Start()
	var out Plan
	w := 0.0
	for !s.Phase.Done() {
		s.Tick(true)
		at := time.Duration(s.Ticks) * f.Interval
		if tw := s.TargetWeight(); tw != w {
			w = tw
			out.Steps = append(out.Steps, Step{At: at, Percent: w})
		}
		out.End = at
	}
	return out
}

// ClosedForm is the documentation's minimum time to promotion (interval ×
// maxWeight/stepWeight, or × iterations), 0 when it gives none.
func (p *FlaggerPlan) ClosedForm() time.Duration {
	f, err := p.Analysis.Normalised()
	if err != nil {
		return 0
	}
	return f.ClosedForm()
}

// Describe says the plan in words, with the documentation's closed form
// beside the tick model's time (decision 6, docs/plans.md).
func (p *FlaggerPlan) Describe() string {
	s := p.describe()
	if cf := p.ClosedForm(); cf > 0 {
		s += fmt.Sprintf("; promotion by the tick model at %v, by Flagger's documented formula at %v", p.promotion(), cf)
	}
	return s
}

// promotion is when the tick model first routes all traffic to the new
// version, every check passing.
func (p *FlaggerPlan) promotion() time.Duration {
	sch := p.Schedule()
	if n := len(sch.Steps); n > 0 {
		return sch.Steps[n-1].At
	}
	return 0
}

func (p *FlaggerPlan) describe() string {
	f, err := p.Analysis.Normalised()
	if err != nil {
		return "Flagger"
	}
	var s string
	switch {
	case f.BlueGreen():
		s = fmt.Sprintf("Flagger blue/green: %d iterations every %v", f.Iterations, f.Interval)
	case len(f.StepWeights) > 0:
		s = fmt.Sprintf("Flagger canary: stepWeights %v every %v", f.StepWeights, f.Interval)
	default:
		s = fmt.Sprintf("Flagger canary: +%v%% every %v to %v%%", f.StepWeight, f.Interval, f.MaxWeight)
	}
	return s + fmt.Sprintf(", rollback after %d failed check(s)", f.Threshold)
}
