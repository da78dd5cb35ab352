package strategies

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/gate"
)

// The Types of Argo Rollouts plans. They are not CodeDeploy
// TrafficRoutingTypes: a Config of these Types carries its Rollout, and only
// the alias executor can run it for real (docs/plans.md, "Argo Rollouts").
const (
	ArgoCanary    Type = "ArgoRollouts.canary"
	ArgoBlueGreen Type = "ArgoRollouts.blueGreen"
)

// Rollout is an Argo Rollouts strategy (spec.strategy of a Rollout) with the
// AnalysisTemplates it references, field names Argo's. Exactly one of Canary
// and BlueGreen is set.
type Rollout struct {
	Canary    *RolloutCanary
	BlueGreen *RolloutBlueGreen
	// Templates are the AnalysisTemplates the strategy references, resolved
	// from the scenario's analysisTemplates list, in first-reference order.
	Templates []AnalysisTemplate
}

// RolloutCanary is spec.strategy.canary: the steps, and a background analysis
// that runs alongside them.
type RolloutCanary struct {
	Steps    []ArgoStep
	Analysis *BackgroundAnalysis
}

// ArgoStep is one canary step: exactly one of SetWeight, Pause and Analysis.
type ArgoStep struct {
	SetWeight *float64
	Pause     *ArgoPause
	Analysis  *RolloutAnalysis
}

// ArgoPause is a pause step: Duration, or, when Indefinite (pause: {}),
// until a user promotes.
type ArgoPause struct {
	Duration   time.Duration
	Indefinite bool
}

// RolloutAnalysis is an analysis reference: the AnalysisTemplates whose
// metrics make up one AnalysisRun (templates: [{templateName: ...}]).
type RolloutAnalysis struct {
	Templates []string
}

// BackgroundAnalysis is spec.strategy.canary.analysis: a run started when
// the rollout reaches step StartingStep (0: at once) and terminated when it
// has finished all steps.
type BackgroundAnalysis struct {
	RolloutAnalysis
	StartingStep int
}

// RolloutBlueGreen is spec.strategy.blueGreen restricted to what shapes the
// traffic: the analyses before and after promotion and when promotion
// happens. AutoPromotionEnabled nil means Argo's default, true.
type RolloutBlueGreen struct {
	PrePromotionAnalysis  *RolloutAnalysis
	PostPromotionAnalysis *RolloutAnalysis
	AutoPromotionEnabled  *bool
	AutoPromotionSeconds  int
}

// AutoPromotes reports whether the rollout promotes without a user:
// autoPromotionEnabled (default true).
func (b *RolloutBlueGreen) AutoPromotes() bool {
	return b.AutoPromotionEnabled == nil || *b.AutoPromotionEnabled
}

// AnalysisTemplate is an Argo AnalysisTemplate: a name and its metrics.
type AnalysisTemplate struct {
	Name    string
	Metrics []AnalysisMetric
}

// AnalysisMetric is one AnalysisTemplate metric (Argo's analysis_types.go),
// with Provider saying which simulated metric it reads. Conditions are kept
// as written; package deploy parses them (package analysis's expression
// language, docs/plans.md).
type AnalysisMetric struct {
	Name                    string
	Interval                time.Duration // 0: one measurement (unless Count > 1, which needs it)
	InitialDelay            time.Duration
	Count                   int // 0: one measurement without Interval, unbounded with it
	SuccessCondition        string
	FailureCondition        string
	FailureLimit            int // Argo's default 0; -1 disables
	InconclusiveLimit       int // default 0
	ConsecutiveErrorLimit   int // Argo's default 4 (DefaultAnalysisMetric)
	ConsecutiveSuccessLimit int // default 0: disabled
	DryRun                  bool
	Provider                gate.Query
}

// DefaultAnalysisMetric has Argo's defaults: failureLimit 0,
// inconclusiveLimit 0, consecutiveErrorLimit 4, consecutiveSuccessLimit 0.
func DefaultAnalysisMetric() AnalysisMetric { return AnalysisMetric{ConsecutiveErrorLimit: 4} }

// Template returns the template named name, or nil.
func (r *Rollout) Template(name string) *AnalysisTemplate {
	for i := range r.Templates {
		if r.Templates[i].Name == name {
			return &r.Templates[i]
		}
	}
	return nil
}

// Gates lists what the rollout measures: every metric of every template, in
// template order then metric order. A measurement action names a gate by
// its index in this list. A gate is named by its metric, or
// "<template>/<metric>" when another template has a metric of that name.
func (r *Rollout) Gates() []gate.Gate {
	seen := map[string]int{}
	for _, t := range r.Templates {
		for _, m := range t.Metrics {
			seen[m.Name]++
		}
	}
	var out []gate.Gate
	for _, t := range r.Templates {
		for _, m := range t.Metrics {
			name := m.Name
			if seen[name] > 1 {
				name = t.Name + "/" + m.Name
			}
			out = append(out, gate.Gate{Name: name, Query: m.Provider})
		}
	}
	return out
}

// Validate checks the structure (the metrics' counting fields and
// conditions are package deploy's to check, with package analysis): one
// strategy, steps present, weights within 0..100, pauses >= 0, every
// referenced template known, startingStep within the steps.
func (r *Rollout) Validate() error {
	var errs []error
	known := func(path string, a *RolloutAnalysis) {
		if a == nil {
			return
		}
		if len(a.Templates) == 0 {
			errs = append(errs, fmt.Errorf("%s.templates: empty (name at least one AnalysisTemplate)", path))
		}
		for i, n := range a.Templates {
			if r.Template(n) == nil {
				errs = append(errs, fmt.Errorf("%s.templates[%d].templateName: %q is not an AnalysisTemplate of the scenario", path, i, n))
			}
		}
	}
	switch {
	case (r.Canary == nil) == (r.BlueGreen == nil):
		return errors.New("want exactly one of canary and blueGreen")
	case r.Canary != nil:
		c := r.Canary
		if len(c.Steps) == 0 {
			errs = append(errs, errors.New("canary.steps: empty (shiftsim needs the steps; Argo's step-less rolling update moves pods, not traffic)"))
		}
		for i, s := range c.Steps {
			path := fmt.Sprintf("canary.steps[%d]", i)
			n := 0
			if s.SetWeight != nil {
				n++
				if w := *s.SetWeight; !(w >= 0 && w <= 100) {
					errs = append(errs, fmt.Errorf("%s.setWeight: %v is out of range 0..100", path, w))
				}
			}
			if s.Pause != nil {
				n++
				if s.Pause.Duration < 0 {
					errs = append(errs, fmt.Errorf("%s.pause.duration: %v is negative", path, s.Pause.Duration))
				}
			}
			if s.Analysis != nil {
				n++
				known(path+".analysis", s.Analysis)
			}
			if n != 1 {
				errs = append(errs, fmt.Errorf("%s: want exactly one of setWeight, pause and analysis", path))
			}
		}
		if b := c.Analysis; b != nil {
			known("canary.analysis", &b.RolloutAnalysis)
			if b.StartingStep < 0 || b.StartingStep > len(c.Steps) {
				errs = append(errs, fmt.Errorf("canary.analysis.startingStep: %d is outside 0..%d (the steps)", b.StartingStep, len(c.Steps)))
			}
		}
	default:
		b := r.BlueGreen
		known("blueGreen.prePromotionAnalysis", b.PrePromotionAnalysis)
		known("blueGreen.postPromotionAnalysis", b.PostPromotionAnalysis)
		if b.AutoPromotionSeconds < 0 {
			errs = append(errs, fmt.Errorf("blueGreen.autoPromotionSeconds: %d is negative", b.AutoPromotionSeconds))
		}
	}
	for i, t := range r.Templates {
		if len(t.Metrics) == 0 {
			errs = append(errs, fmt.Errorf("analysisTemplates %q: no metrics", t.Name))
		}
		for j, m := range t.Metrics {
			if err := m.Provider.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("Templates[%d].Metrics[%d] (%s): provider: %w", i, j, m.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Gated reports whether the rollout's progress depends on anything but
// time: an analysis, an indefinite pause, or a blue-green promotion.
func (r *Rollout) Gated() bool {
	if r.BlueGreen != nil {
		return true
	}
	if r.Canary.Analysis != nil {
		return true
	}
	for _, s := range r.Canary.Steps {
		if s.Analysis != nil || (s.Pause != nil && s.Pause.Indefinite) {
			return true
		}
	}
	return false
}

// Schedule is the rollout's traffic schedule when nothing stops it: every
// analysis passes as early as its metrics allow (each metric's last needed
// measurement, initialDelay + (n−1)·interval) and a user promotes each
// indefinite pause promoteAfter after it begins (promoteAfter < 0: never).
// ok is false when the rollout would wait forever: an indefinite pause
// nobody promotes, or an analysis whose metrics never complete by
// themselves. The weight steps are those of the setWeight steps, then 100 %
// at the end (Argo promotes the canary to stable after the last step).
func (r *Rollout) Schedule(promoteAfter time.Duration) (p Plan, ok bool) {
	runTime := func(a *RolloutAnalysis) (time.Duration, bool) {
		var d time.Duration
		for _, name := range a.Templates {
			t := r.Template(name)
			if t == nil {
				return 0, false
			}
			for _, m := range t.Metrics {
				md, ok := m.Earliest()
				if !ok {
					return 0, false
				}
				d = max(d, md)
			}
		}
		return d, true
	}
	var t time.Duration
	if b := r.BlueGreen; b != nil {
		ready := time.Duration(0)
		if b.PrePromotionAnalysis != nil {
			d, ok := runTime(b.PrePromotionAnalysis)
			if !ok && b.AutoPromotionSeconds == 0 {
				return Plan{}, false
			}
			ready = d
		}
		switch {
		case b.AutoPromotionSeconds > 0:
			t = time.Duration(b.AutoPromotionSeconds) * time.Second
		case !b.AutoPromotes():
			if promoteAfter < 0 {
				return Plan{}, false
			}
			t = max(ready, promoteAfter)
		default:
			t = ready
		}
		end := t
		if b.PostPromotionAnalysis != nil {
			d, ok := runTime(b.PostPromotionAnalysis)
			if !ok {
				return Plan{}, false
			}
			end += d
		}
		return Plan{Steps: []Step{{t, 100}}, End: end}, true
	}
	w := 0.0
	for _, s := range r.Canary.Steps {
		switch {
		case s.SetWeight != nil:
			if *s.SetWeight != w {
				w = *s.SetWeight
				p.Steps = append(p.Steps, Step{t, w})
			}
		case s.Pause != nil && s.Pause.Indefinite:
			if promoteAfter < 0 {
				return Plan{}, false
			}
			t += promoteAfter
		case s.Pause != nil:
			t += s.Pause.Duration
		case s.Analysis != nil:
			d, ok := runTime(s.Analysis)
			if !ok {
				return Plan{}, false
			}
			t += d
		}
	}
	if w != 100 {
		p.Steps = append(p.Steps, Step{t, 100})
	}
	// A setWeight 0 step is no exposure: drop leading zero steps, which
	// Plan.Validate refuses.
	for len(p.Steps) > 0 && p.Steps[0].Percent == 0 {
		p.Steps = p.Steps[1:]
	}
	p.End = t
	return p, true
}

// Earliest is how long after its run starts the metric completes
// Successful when every measurement succeeds: its last needed measurement
// at initialDelay + (n−1)·interval, n the count (or consecutiveSuccessLimit
// when that ends it sooner). ok is false for a metric that never completes
// by itself (an interval without count or consecutiveSuccessLimit).
func (m AnalysisMetric) Earliest() (time.Duration, bool) {
	n := m.Count
	if n == 0 && m.Interval == 0 {
		n = 1
	}
	if m.ConsecutiveSuccessLimit > 0 && (n == 0 || m.ConsecutiveSuccessLimit < n) {
		n = m.ConsecutiveSuccessLimit
	}
	if n == 0 {
		return 0, false
	}
	return m.InitialDelay + time.Duration(n-1)*m.Interval, true
}

// Describe is the rollout's steps in words, as `shiftsim strategies` shows
// them, e.g. "setWeight 20, pause 5m0s, analysis [error-rate], pause {} (until
// promoted); background analysis [latency] from step 1".
func (r *Rollout) Describe() string {
	var parts []string
	names := func(a *RolloutAnalysis) string { return "[" + strings.Join(a.Templates, ", ") + "]" }
	if b := r.BlueGreen; b != nil {
		if b.PrePromotionAnalysis != nil {
			parts = append(parts, "prePromotionAnalysis "+names(b.PrePromotionAnalysis))
		}
		switch {
		case b.AutoPromotionSeconds > 0:
			parts = append(parts, fmt.Sprintf("promote after %ds", b.AutoPromotionSeconds))
		case !b.AutoPromotes():
			parts = append(parts, "promote when a user does")
		default:
			parts = append(parts, "promote")
		}
		if b.PostPromotionAnalysis != nil {
			parts = append(parts, "postPromotionAnalysis "+names(b.PostPromotionAnalysis))
		}
		return "blueGreen: " + strings.Join(parts, ", ")
	}
	for _, s := range r.Canary.Steps {
		switch {
		case s.SetWeight != nil:
			parts = append(parts, "setWeight "+strconv.FormatFloat(*s.SetWeight, 'f', -1, 64))
		case s.Pause != nil && s.Pause.Indefinite:
			parts = append(parts, "pause {} (until promoted)")
		case s.Pause != nil:
			parts = append(parts, "pause "+s.Pause.Duration.String())
		case s.Analysis != nil:
			parts = append(parts, "analysis "+names(s.Analysis))
		}
	}
	out := "canary: " + strings.Join(parts, ", ")
	if b := r.Canary.Analysis; b != nil {
		out += fmt.Sprintf("; background analysis %s from step %d", names(&b.RolloutAnalysis), b.StartingStep)
	}
	return out
}
