package strategies

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/gate"
)

// The peers' plans in their own YAML, as a user pastes them into a Rollout
// (spec.strategy) and its AnalysisTemplates, or into a Flagger Canary
// (spec.analysis): what `recommend` answers for an Argo Rollouts or Flagger
// plan. Each metric's provider is shiftsim's measure ({query, version,
// window, ...}), which a scenario reads back (the round trip is tested); in a
// cluster it is the metrics provider's query that returns the same number,
// and the YAML says so in a comment beside it (docs/plans.md).

// StrategyYAML is r's spec.strategy body, "canary:" or "blueGreen:" at
// indent 0, Argo's keys and defaults left out.
func (r *Rollout) StrategyYAML() string {
	var b strings.Builder
	refs := func(indent string, a *RolloutAnalysis) {
		fmt.Fprintf(&b, "%stemplates:\n", indent)
		for _, t := range a.Templates {
			fmt.Fprintf(&b, "%s  - templateName: %s\n", indent, yamlString(t))
		}
	}
	switch {
	case r.Canary != nil:
		b.WriteString("canary:\n  steps:\n")
		for _, s := range r.Canary.Steps {
			switch {
			case s.SetWeight != nil:
				fmt.Fprintf(&b, "    - setWeight: %s\n", strconv.FormatFloat(*s.SetWeight, 'f', -1, 64))
			case s.Pause != nil && s.Pause.Indefinite:
				b.WriteString("    - pause: {}\n")
			case s.Pause != nil:
				fmt.Fprintf(&b, "    - pause: {duration: %s}\n", yamlDuration(s.Pause.Duration))
			case s.Analysis != nil:
				b.WriteString("    - analysis:\n")
				refs("        ", s.Analysis)
			}
		}
		if a := r.Canary.Analysis; a != nil {
			b.WriteString("  analysis:\n")
			refs("    ", &a.RolloutAnalysis)
			if a.StartingStep > 0 {
				fmt.Fprintf(&b, "    startingStep: %d\n", a.StartingStep)
			}
		}
	case r.BlueGreen != nil:
		g := r.BlueGreen
		b.WriteString("blueGreen:\n")
		b.WriteString("  # activeService, previewService: your Services (they shape no traffic on an alias)\n")
		if g.AutoPromotionEnabled != nil {
			fmt.Fprintf(&b, "  autoPromotionEnabled: %v\n", *g.AutoPromotionEnabled)
		}
		if g.AutoPromotionSeconds > 0 {
			fmt.Fprintf(&b, "  autoPromotionSeconds: %d\n", g.AutoPromotionSeconds)
		}
		if g.PrePromotionAnalysis != nil {
			b.WriteString("  prePromotionAnalysis:\n")
			refs("    ", g.PrePromotionAnalysis)
		}
		if g.PostPromotionAnalysis != nil {
			b.WriteString("  postPromotionAnalysis:\n")
			refs("    ", g.PostPromotionAnalysis)
		}
	}
	return b.String()
}

// TemplatesYAML is each AnalysisTemplate r references, as an Argo manifest
// (apiVersion argoproj.io/v1alpha1, kind AnalysisTemplate), dry-run metrics
// in spec.dryRun.
func (r *Rollout) TemplatesYAML() []string {
	var out []string
	for _, t := range r.Templates {
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: %s\nspec:\n  metrics:\n", yamlString(t.Name))
		var dry []string
		for _, m := range t.Metrics {
			fmt.Fprintf(&b, "    - name: %s\n", yamlString(m.Name))
			if m.Interval > 0 {
				fmt.Fprintf(&b, "      interval: %s\n", yamlDuration(m.Interval))
			}
			if m.InitialDelay > 0 {
				fmt.Fprintf(&b, "      initialDelay: %s\n", yamlDuration(m.InitialDelay))
			}
			def := DefaultAnalysisMetric()
			for _, f := range []struct {
				key      string
				v, deflt int
			}{{"count", m.Count, 0}, {"failureLimit", m.FailureLimit, def.FailureLimit}, {"inconclusiveLimit", m.InconclusiveLimit, def.InconclusiveLimit},
				{"consecutiveErrorLimit", m.ConsecutiveErrorLimit, def.ConsecutiveErrorLimit}, {"consecutiveSuccessLimit", m.ConsecutiveSuccessLimit, def.ConsecutiveSuccessLimit}} {
				if f.v != f.deflt {
					fmt.Fprintf(&b, "      %s: %d\n", f.key, f.v)
				}
			}
			if m.SuccessCondition != "" {
				fmt.Fprintf(&b, "      successCondition: %s\n", yamlString(m.SuccessCondition))
			}
			if m.FailureCondition != "" {
				fmt.Fprintf(&b, "      failureCondition: %s\n", yamlString(m.FailureCondition))
			}
			fmt.Fprintf(&b, "      # provider: in a cluster, your metrics provider's query for %s\n", measureText(m.Provider))
			fmt.Fprintf(&b, "      provider: %s\n", providerYAML(m.Provider))
			if m.DryRun {
				dry = append(dry, m.Name)
			}
		}
		if len(dry) > 0 {
			b.WriteString("  dryRun:\n")
			for _, n := range dry {
				fmt.Fprintf(&b, "    - metricName: %s\n", yamlString(n))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// AnalysisYAML is p as Flagger's Canary spec.analysis body, at indent 0:
// the analysis as written (Flagger's defaults left out) and its metrics,
// built-ins by name, custom metrics with shiftsim's provider.
func (p *FlaggerPlan) AnalysisYAML() string {
	var b strings.Builder
	a := p.Analysis
	if a.Interval > 0 {
		fmt.Fprintf(&b, "interval: %s\n", yamlDuration(a.Interval))
	}
	if a.Threshold != 0 {
		fmt.Fprintf(&b, "threshold: %d\n", a.Threshold)
	}
	if a.Iterations > 0 {
		fmt.Fprintf(&b, "iterations: %d\n", a.Iterations)
	}
	if a.MaxWeight != 0 {
		fmt.Fprintf(&b, "maxWeight: %s\n", num(a.MaxWeight))
	}
	if a.StepWeight != 0 {
		fmt.Fprintf(&b, "stepWeight: %s\n", num(a.StepWeight))
	}
	if len(a.StepWeights) > 0 {
		ws := make([]string, len(a.StepWeights))
		for i, w := range a.StepWeights {
			ws[i] = num(w)
		}
		fmt.Fprintf(&b, "stepWeights: [%s]\n", strings.Join(ws, ", "))
	}
	if a.StepWeightPromotion != 0 {
		fmt.Fprintf(&b, "stepWeightPromotion: %s\n", num(a.StepWeightPromotion))
	}
	b.WriteString("metrics:\n")
	for _, m := range p.Metrics {
		c := m.Check
		fmt.Fprintf(&b, "  - name: %s\n", yamlString(c.Name))
		if c.Interval > 0 {
			fmt.Fprintf(&b, "    interval: %s\n", yamlDuration(c.Interval))
		}
		switch {
		case c.Legacy != nil:
			fmt.Fprintf(&b, "    threshold: %s\n", num(*c.Legacy))
		default:
			var r []string
			if c.Range.Min != nil {
				r = append(r, "min: "+num(*c.Range.Min))
			}
			if c.Range.Max != nil {
				r = append(r, "max: "+num(*c.Range.Max))
			}
			fmt.Fprintf(&b, "    thresholdRange: {%s}\n", strings.Join(r, ", "))
		}
		if _, builtin := BuiltinQuery(c.Name, c.Interval); !builtin {
			fmt.Fprintf(&b, "    # provider: in a cluster, a templateRef to a MetricTemplate whose query gives %s\n", measureText(m.Query))
			fmt.Fprintf(&b, "    provider: %s\n", providerYAML(m.Query))
		}
	}
	return b.String()
}

// providerYAML is q as a scenario's provider, in flow style.
func providerYAML(q gate.Query) string {
	parts := []string{"query: " + q.Kind.String()}
	if q.Version != 0 {
		parts = append(parts, "version: "+q.Version.String())
	}
	if q.Window > 0 {
		parts = append(parts, "window: "+yamlDuration(q.Window))
	}
	if q.Stat != "" {
		parts = append(parts, "statistic: "+yamlString(q.Stat))
	}
	if q.K != 0 {
		parts = append(parts, "k: "+num(q.K))
	}
	if q.OneSided {
		parts = append(parts, "oneSided: true")
	}
	if q.NoData != gate.NoDataFail {
		parts = append(parts, "noData: "+q.NoData.String())
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// measureText says in words what q measures, for the provider's comment.
func measureText(q gate.Query) string {
	w := yamlDuration(q.EffectiveWindow())
	of := map[gate.Version]string{gate.Target: "the new version", gate.Current: "the current version", gate.Both: "both versions"}[q.Version]
	switch q.Kind {
	case gate.Latency:
		return fmt.Sprintf("the %s latency (ms) of %s over %s", q.EffectiveStat(), of, w)
	case gate.Kayenta, gate.Sequential, gate.SequentialLatency:
		return fmt.Sprintf("shiftsim's %s judgement of %s over %s (no CloudWatch counterpart)", q.Kind, of, w)
	case gate.ErrorRate, gate.SuccessRate:
		return fmt.Sprintf("the %s (%%) of %s over %s", q.Kind, of, w)
	}
	return fmt.Sprintf("the %s of %s over %s", q.Kind, of, w)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// yamlDuration writes d as Argo's and Flagger's users do: 1m, 90s, 1h30m.
func yamlDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

var plainYAML = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_ .<>=!()+*/-]*$`)

// yamlString writes s plain when YAML reads it back as that string, else
// double-quoted (JSON's quoting is YAML's).
func yamlString(s string) string {
	if plainYAML.MatchString(s) && !strings.HasSuffix(s, " ") && !strings.Contains(s, " #") {
		switch strings.ToLower(s) {
		case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		default:
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				return s
			}
		}
	}
	b, _ := json.Marshal(s)
	return string(b)
}
