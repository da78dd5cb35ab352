package scenario

import (
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/strategies"
)

// FlaggerEntry is a Flagger canary analysis in deployment.strategies, keys
// as Flagger's Canary spec writes them (docs/plans.md, "Flagger"):
//
//	{name: flagger-slow, analysis: {interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10,
//	  metrics: [{name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}]}}
type FlaggerEntry struct {
	Name     string           `yaml:"name"`
	Analysis *FlaggerAnalysis `yaml:"analysis"`
}

// FlaggerAnalysis is Flagger's spec.analysis.
type FlaggerAnalysis struct {
	Interval            *time.Duration       `yaml:"interval"`
	Threshold           *int                 `yaml:"threshold"`
	MaxWeight           *float64             `yaml:"maxWeight"`
	StepWeight          *float64             `yaml:"stepWeight"`
	StepWeights         []float64            `yaml:"stepWeights"`
	StepWeightPromotion *float64             `yaml:"stepWeightPromotion"`
	Iterations          *int                 `yaml:"iterations"`
	Metrics             []FlaggerMetricEntry `yaml:"metrics"`
}

// FlaggerMetricEntry is one metric check: a built-in (request-success-rate,
// request-duration) or a custom metric whose provider says what to measure.
type FlaggerMetricEntry struct {
	Name           string          `yaml:"name"`
	Interval       *time.Duration  `yaml:"interval"`
	ThresholdRange *ThresholdRange `yaml:"thresholdRange"`
	Threshold      *float64        `yaml:"threshold"`
	Provider       *GateProvider   `yaml:"provider"`
}

// ThresholdRange is Flagger's inclusive bounds of a check.
type ThresholdRange struct {
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
}

// flaggerConfig builds the plan of e; errors name the field under path.
func (c *converter) flaggerConfig(path string, e *FlaggerEntry) (strategies.Config, bool) {
	if e.Name == "" {
		c.fail(path+".name", "missing: a Flagger plan needs a name (shown in reports)")
		return strategies.Config{}, false
	}
	if e.Analysis == nil {
		c.fail(path+".analysis", "missing: want interval, threshold, stepWeight (or stepWeights, or iterations) and metrics")
		return strategies.Config{}, false
	}
	a := e.Analysis
	path += ".analysis"
	p := &strategies.FlaggerPlan{}
	f := &p.Analysis
	if a.Interval != nil {
		if *a.Interval <= 0 {
			c.fail(path+".interval", "%v: want a positive duration (Flagger's default 1m; below 10s counts as 10s)", *a.Interval)
			return strategies.Config{}, false
		}
		f.Interval = *a.Interval
	}
	set := func(dst *float64, src *float64, key string) bool {
		if src == nil {
			return true
		}
		if !(*src > 0 && *src <= 100) && !(key == "stepWeightPromotion" && *src == 0) {
			c.fail(path+"."+key, "%v: want a weight in (0, 100]", *src)
			return false
		}
		*dst = *src
		return true
	}
	if !set(&f.MaxWeight, a.MaxWeight, "maxWeight") || !set(&f.StepWeight, a.StepWeight, "stepWeight") ||
		!set(&f.StepWeightPromotion, a.StepWeightPromotion, "stepWeightPromotion") {
		return strategies.Config{}, false
	}
	if a.Threshold != nil {
		f.Threshold = *a.Threshold
	}
	if a.Iterations != nil {
		if *a.Iterations < 0 {
			c.fail(path+".iterations", "%d: want 0 (canary) or more (blue/green)", *a.Iterations)
			return strategies.Config{}, false
		}
		f.Iterations = *a.Iterations
	}
	for i, w := range a.StepWeights {
		if !(w > 0 && w <= 100) || (i > 0 && w <= a.StepWeights[i-1]) {
			c.fail(fmt.Sprintf("%s.stepWeights[%d]", path, i), "%v: want increasing weights in (0, 100]", w)
			return strategies.Config{}, false
		}
	}
	f.StepWeights = a.StepWeights
	if _, err := f.Normalised(); err != nil {
		field, msg := splitField(err)
		c.fail(path+field, "%s", msg)
		return strategies.Config{}, false
	}
	for i, m := range a.Metrics {
		mp := fmt.Sprintf("%s.metrics[%d]", path, i)
		fm, ok := c.flaggerMetric(mp, m)
		if !ok {
			return strategies.Config{}, false
		}
		p.Metrics = append(p.Metrics, fm)
	}
	if err := p.Validate(); err != nil {
		field, msg := splitField(err)
		c.fail(path+field, "%s", msg)
		return strategies.Config{}, false
	}
	return strategies.Config{Name: e.Name, Type: strategies.FlaggerType, Flagger: p}, true
}

func (c *converter) flaggerMetric(path string, m FlaggerMetricEntry) (strategies.FlaggerMetric, bool) {
	var out strategies.FlaggerMetric
	if m.Name == "" {
		c.fail(path+".name", "missing: request-success-rate, request-duration, or a custom metric's name")
		return out, false
	}
	window := time.Minute
	if m.Interval != nil {
		window = *m.Interval
	}
	out.Check = analysis.FlaggerMetric{Name: m.Name, Interval: window, Legacy: m.Threshold}
	if r := m.ThresholdRange; r != nil {
		if r.Min == nil && r.Max == nil {
			c.fail(path+".thresholdRange", "empty: give min and/or max")
			return out, false
		}
		out.Check.Range = analysis.Range{Min: r.Min, Max: r.Max}
	}
	if err := out.Check.Validate(); err != nil {
		_, msg := splitField(err)
		c.fail(path, "%s", msg)
		return out, false
	}
	q, builtin := strategies.BuiltinQuery(m.Name, window)
	switch {
	case builtin && m.Provider != nil:
		c.fail(path+".provider", "%s is Flagger's built-in metric (the target's %s over interval); a provider is for custom metrics", m.Name, q.Kind)
		return out, false
	case !builtin && m.Provider == nil:
		c.fail(path+".provider", "missing: %q is not a built-in metric (request-success-rate, request-duration); say what to measure, e.g. provider: {query: kayenta, window: 5m}", m.Name)
		return out, false
	case !builtin:
		var err error
		if q, err = m.Provider.Gate(window); err != nil {
			field, msg := splitField(err)
			c.fail(path+".provider"+field, "%s", msg)
			return out, false
		}
	}
	if err := q.Validate(); err != nil {
		field, msg := splitField(err)
		if builtin {
			field = ".interval"
		}
		c.fail(path+field, "%s", msg)
		return out, false
	}
	out.Query = q
	return out, true
}
