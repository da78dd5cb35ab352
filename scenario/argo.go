package scenario

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// ArgoRollout is an Argo Rollouts plan in a strategy list, in Argo's own
// camelCase keys: {name: X, canary: {steps: [...], analysis: {...}}} or
// {name: X, blueGreen: {...}} (docs/plans.md, "Argo Rollouts").
type ArgoRollout struct {
	Name      string         `yaml:"name"`
	Canary    *ArgoCanary    `yaml:"canary"`
	BlueGreen *ArgoBlueGreen `yaml:"blueGreen"`
}

// ArgoCanary is spec.strategy.canary. Keys that shape pods and services, not
// traffic, are read and ignored so that a pasted spec loads.
type ArgoCanary struct {
	Steps         []ArgoStep      `yaml:"steps"`
	Analysis      *ArgoBackground `yaml:"analysis"`
	CanaryService string          `yaml:"canaryService"`
	StableService string          `yaml:"stableService"`
}

// ArgoStep is one canary step: setWeight, pause or analysis.
type ArgoStep struct {
	SetWeight *int          `yaml:"setWeight"`
	Pause     *ArgoPause    `yaml:"pause"`
	Analysis  *ArgoAnalysis `yaml:"analysis"`
}

// ArgoPause is a pause step: {duration: 10m} or {} (until promoted).
type ArgoPause struct {
	Duration *ArgoDuration `yaml:"duration"`
}

// ArgoDuration is Argo's pause duration (RolloutPause.DurationSeconds): a
// bare whole number is seconds, any other string a Go duration (10s, 5m,
// 1h30m), kept to whole seconds as Argo does.
type ArgoDuration struct {
	D time.Duration
}

var argoSecondsRE = regexp.MustCompile(`^[0-9]+$`)

// UnmarshalYAMLX reads 30, "30", 30s, 10m or 1h30m.
func (a *ArgoDuration) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, path string) error {
	bad := func() error {
		return d.Errorf(n, path, "expected a pause duration as Argo reads it: whole seconds (30) or a duration with units (30s, 10m, 1h30m), got %s", yamlx.Describe(n))
	}
	if n.Kind != yaml.ScalarNode {
		return bad()
	}
	var dur time.Duration
	if argoSecondsRE.MatchString(n.Value) {
		v, err := strconv.ParseInt(n.Value, 10, 32) // Argo's int32 seconds
		if err != nil {
			return d.Errorf(n, path, "%s seconds is more than Argo's int32 holds", n.Value)
		}
		dur = time.Duration(v) * time.Second
	} else {
		var err error
		if dur, err = time.ParseDuration(n.Value); err != nil || dur < 0 {
			return bad()
		}
	}
	if dur > 30*24*time.Hour {
		return d.Errorf(n, path, "%s is longer than 30 days", n.Value)
	}
	a.D = dur.Truncate(time.Second)
	return nil
}

// ArgoAnalysis is an analysis reference: the templates whose metrics make one
// AnalysisRun. args are accepted and ignored (shiftsim's providers take none).
type ArgoAnalysis struct {
	Templates []ArgoTemplateRef `yaml:"templates"`
	Args      []any             `yaml:"args"`
}

// ArgoBackground is spec.strategy.canary.analysis.
type ArgoBackground struct {
	ArgoAnalysis `yaml:",inline"`
	StartingStep *int `yaml:"startingStep"`
}

// ArgoTemplateRef names an AnalysisTemplate.
type ArgoTemplateRef struct {
	TemplateName string `yaml:"templateName"`
	ClusterScope bool   `yaml:"clusterScope"`
}

// ArgoBlueGreen is spec.strategy.blueGreen; service names and scale-down
// delays are read and ignored.
type ArgoBlueGreen struct {
	ActiveService         string        `yaml:"activeService"`
	PreviewService        string        `yaml:"previewService"`
	PrePromotionAnalysis  *ArgoAnalysis `yaml:"prePromotionAnalysis"`
	PostPromotionAnalysis *ArgoAnalysis `yaml:"postPromotionAnalysis"`
	AutoPromotionEnabled  *bool         `yaml:"autoPromotionEnabled"`
	AutoPromotionSeconds  *int          `yaml:"autoPromotionSeconds"`
	ScaleDownDelaySeconds *int          `yaml:"scaleDownDelaySeconds"`
	PreviewReplicaCount   *int          `yaml:"previewReplicaCount"`
}

// AnalysisTemplate is an Argo AnalysisTemplate, defined once at scenario
// level (analysisTemplates:) and referenced by name: {name, metrics}, or
// pasted whole as {apiVersion, kind, metadata: {name}, spec: {metrics}}.
type AnalysisTemplate struct {
	Name       string                `yaml:"name"`
	Metrics    []ArgoMetric          `yaml:"metrics"`
	APIVersion string                `yaml:"apiVersion"`
	Kind       string                `yaml:"kind"`
	Metadata   *ArgoMetadata         `yaml:"metadata"`
	Spec       *AnalysisTemplateSpec `yaml:"spec"`
}

// ArgoMetadata is a pasted manifest's metadata.
type ArgoMetadata struct {
	Name string `yaml:"name"`
}

// AnalysisTemplateSpec is a pasted AnalysisTemplate's spec.
type AnalysisTemplateSpec struct {
	Metrics []ArgoMetric     `yaml:"metrics"`
	DryRun  []ArgoMetricName `yaml:"dryRun"`
	Args    []any            `yaml:"args"`
}

// ArgoMetricName is an entry of spec.dryRun.
type ArgoMetricName struct {
	MetricName string `yaml:"metricName"`
}

// ArgoMetric is an AnalysisTemplate metric, Argo's fields, with a provider
// saying which simulated metric it reads.
type ArgoMetric struct {
	Name                    string         `yaml:"name"`
	Interval                *time.Duration `yaml:"interval"`
	InitialDelay            *time.Duration `yaml:"initialDelay"`
	Count                   *int           `yaml:"count"`
	SuccessCondition        string         `yaml:"successCondition"`
	FailureCondition        string         `yaml:"failureCondition"`
	FailureLimit            *int           `yaml:"failureLimit"`
	InconclusiveLimit       *int           `yaml:"inconclusiveLimit"`
	ConsecutiveErrorLimit   *int           `yaml:"consecutiveErrorLimit"`
	ConsecutiveSuccessLimit *int           `yaml:"consecutiveSuccessLimit"`
	DryRun                  bool           `yaml:"dryRun"`
	Provider                *GateProvider  `yaml:"provider"`
}

// GateProvider (scenario/gate.go) is what a metric measures in the simulation (docs/gates.md).

// argoUnmarshal reports whether mapping n is an Argo Rollouts strategy, and
// decodes it if so.
func (s *StrategyEntry) argoUnmarshal(d *yamlx.Decoder, n *yaml.Node, path string) (bool, error) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k == "canary" || k == "blueGreen" {
			s.Argo = &ArgoRollout{}
			return true, d.DecodeNode(n, path, s.Argo)
		}
	}
	return false, nil
}

// templates compiles the scenario's analysisTemplates by name.
func (c *converter) templates(f *File) map[string]strategies.AnalysisTemplate {
	out := map[string]strategies.AnalysisTemplate{}
	for i, t := range f.AnalysisTemplates {
		path := fmt.Sprintf("analysisTemplates[%d]", i)
		name, metrics := t.Name, t.Metrics
		dry := map[string]bool{}
		if t.Kind != "" && t.Kind != "AnalysisTemplate" && t.Kind != "ClusterAnalysisTemplate" {
			c.fail(path+".kind", "%q: want AnalysisTemplate or ClusterAnalysisTemplate", t.Kind)
		}
		if t.Metadata != nil {
			if name != "" && name != t.Metadata.Name {
				c.fail(path+".name", "%q contradicts metadata.name %q: give one", name, t.Metadata.Name)
			}
			name = t.Metadata.Name
		}
		if t.Spec != nil {
			if len(metrics) > 0 {
				c.fail(path+".metrics", "given beside spec.metrics: give one")
			}
			metrics = t.Spec.Metrics
			for _, dr := range t.Spec.DryRun {
				dry[dr.MetricName] = true
			}
		}
		if name == "" {
			c.fail(path+".name", "missing: an AnalysisTemplate needs a name (the strategies reference it by templateName)")
			continue
		}
		if _, dup := out[name]; dup {
			c.fail(path+".name", "%q is defined twice", name)
		}
		mp := path + ".metrics"
		if t.Spec != nil {
			mp = path + ".spec.metrics"
		}
		if len(metrics) == 0 {
			c.fail(mp, "empty: an AnalysisTemplate needs at least one metric")
		}
		at := strategies.AnalysisTemplate{Name: name}
		seen := map[string]bool{}
		for j, am := range metrics {
			p := fmt.Sprintf("%s[%d]", mp, j)
			m := c.argoMetric(p, am)
			m.DryRun = m.DryRun || dry[m.Name]
			if seen[m.Name] {
				c.fail(p+".name", "%q repeats a metric of the template (Argo refuses two metrics of one name)", m.Name)
			}
			seen[m.Name] = true
			at.Metrics = append(at.Metrics, m)
		}
		out[name] = at
	}
	return out
}

func (c *converter) argoMetric(path string, am ArgoMetric) strategies.AnalysisMetric {
	m := strategies.DefaultAnalysisMetric()
	m.Name = am.Name
	if m.Name == "" {
		c.fail(path+".name", "missing: a metric needs a name")
	}
	if am.Interval != nil {
		if *am.Interval <= 0 {
			c.fail(path+".interval", "%v: want a positive duration such as 1m", *am.Interval)
		}
		m.Interval = *am.Interval
	}
	m.InitialDelay = c.nonNegative(path+".initialDelay", am.InitialDelay)
	set := func(field string, dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	set("count", &m.Count, am.Count)
	set("failureLimit", &m.FailureLimit, am.FailureLimit)
	set("inconclusiveLimit", &m.InconclusiveLimit, am.InconclusiveLimit)
	set("consecutiveErrorLimit", &m.ConsecutiveErrorLimit, am.ConsecutiveErrorLimit)
	set("consecutiveSuccessLimit", &m.ConsecutiveSuccessLimit, am.ConsecutiveSuccessLimit)
	m.SuccessCondition, m.FailureCondition, m.DryRun = am.SuccessCondition, am.FailureCondition, am.DryRun
	if am.Provider == nil {
		c.fail(path+".provider", "missing: say what the metric measures, e.g. {query: error_rate, version: target, window: 1m} (docs/gates.md)")
		return m
	}
	p := am.Provider
	k, err := gate.ParseKind(p.Query)
	if err != nil {
		c.fail(path+".provider.query", "%v", err)
	}
	m.Provider.Kind = k
	if p.Version != "" {
		v, err := gate.ParseVersion(p.Version)
		if err != nil {
			c.fail(path+".provider.version", "%v", err)
		}
		m.Provider.Version = v
	}
	if p.Window != nil {
		m.Provider.Window = *p.Window
		if *p.Window == 0 {
			c.fail(path+".provider.window", "0: want a whole number of minutes such as 1m")
		}
	}
	m.Provider.Stat = p.Statistic
	if p.K != nil {
		m.Provider.K = *p.K
	}
	if p.OneSided != nil {
		m.Provider.OneSided = *p.OneSided
	}
	if p.NoData != "" {
		n, err := gate.ParseNoData(p.NoData)
		if err != nil {
			c.fail(path+".provider.noData", "%v", err)
		}
		m.Provider.NoData = n
	}
	if err := m.Provider.Validate(); err != nil && k != 0 {
		field, msg := splitField(err)
		if field == ".query" {
			field = ""
		}
		c.fail(path+".provider"+map[string]string{".statistic": ".statistic", ".window": ".window", ".version": ".version"}[field], "%s", msg)
	}
	if _, err := deploy.AnalysisMetric(m); err != nil {
		field, msg := splitField(err)
		c.fail(path+field, "%s", msg)
	}
	return m
}

// argoStrategy compiles an Argo Rollouts strategy entry.
func (c *converter) argoStrategy(path string, a *ArgoRollout, tmpl map[string]strategies.AnalysisTemplate) (sim.Strategy, bool) {
	if a.Name == "" {
		c.fail(path+".name", "missing: an Argo Rollouts strategy needs a name (reports show it)")
		return sim.Strategy{}, false
	}
	r := &strategies.Rollout{}
	used := map[string]bool{}
	ref := func(p string, an *ArgoAnalysis) *strategies.RolloutAnalysis {
		if an == nil {
			return nil
		}
		out := &strategies.RolloutAnalysis{}
		if len(an.Templates) == 0 {
			c.fail(p+".templates", "empty: name at least one AnalysisTemplate ({templateName: ...})")
		}
		metrics := map[string]string{}
		for i, t := range an.Templates {
			tp := fmt.Sprintf("%s.templates[%d].templateName", p, i)
			at, ok := tmpl[t.TemplateName]
			if !ok {
				c.fail(tp, "%q is not in analysisTemplates (define it there once, by name)", t.TemplateName)
				continue
			}
			for _, m := range at.Metrics {
				if other, dup := metrics[m.Name]; dup {
					c.fail(tp, "templates %q and %q both have a metric %q: Argo refuses to merge them into one AnalysisRun", other, t.TemplateName, m.Name)
				}
				metrics[m.Name] = t.TemplateName
			}
			out.Templates = append(out.Templates, t.TemplateName)
			if !used[t.TemplateName] {
				used[t.TemplateName] = true
				r.Templates = append(r.Templates, at)
			}
		}
		return out
	}
	typ := strategies.ArgoCanary
	switch {
	case a.Canary != nil && a.BlueGreen != nil:
		c.fail(path+".blueGreen", "given beside canary: an Argo strategy is one or the other")
		return sim.Strategy{}, false
	case a.Canary != nil:
		cn := &strategies.RolloutCanary{}
		if len(a.Canary.Steps) == 0 {
			c.fail(path+".canary.steps", "empty: list the steps (setWeight, pause, analysis); shiftsim does not model Argo's step-less rolling update")
		}
		for i, s := range a.Canary.Steps {
			p := fmt.Sprintf("%s.canary.steps[%d]", path, i)
			var st strategies.ArgoStep
			n := 0
			if s.SetWeight != nil {
				n++
				if w := *s.SetWeight; w < 0 || w > 100 {
					c.fail(p+".setWeight", "%d: want a whole percent 0 to 100", w)
				}
				w := float64(*s.SetWeight)
				st.SetWeight = &w
			}
			if s.Pause != nil {
				n++
				st.Pause = &strategies.ArgoPause{Indefinite: s.Pause.Duration == nil}
				if s.Pause.Duration != nil {
					st.Pause.Duration = s.Pause.Duration.D
				}
			}
			if s.Analysis != nil {
				n++
				st.Analysis = ref(p+".analysis", s.Analysis)
			}
			if n != 1 {
				c.fail(p, "want exactly one of setWeight, pause and analysis (shiftsim models these canary steps)")
			}
			cn.Steps = append(cn.Steps, st)
		}
		if b := a.Canary.Analysis; b != nil {
			bg := &strategies.BackgroundAnalysis{}
			if ra := ref(path+".canary.analysis", &b.ArgoAnalysis); ra != nil {
				bg.RolloutAnalysis = *ra
			}
			if b.StartingStep != nil {
				bg.StartingStep = *b.StartingStep
				if *b.StartingStep < 0 || *b.StartingStep > len(a.Canary.Steps) {
					c.fail(path+".canary.analysis.startingStep", "%d: want a step index 0 to %d", *b.StartingStep, len(a.Canary.Steps))
				}
			}
			cn.Analysis = bg
		}
		r.Canary = cn
	case a.BlueGreen != nil:
		typ = strategies.ArgoBlueGreen
		b := a.BlueGreen
		bg := &strategies.RolloutBlueGreen{
			PrePromotionAnalysis:  ref(path+".blueGreen.prePromotionAnalysis", b.PrePromotionAnalysis),
			PostPromotionAnalysis: ref(path+".blueGreen.postPromotionAnalysis", b.PostPromotionAnalysis),
			AutoPromotionEnabled:  b.AutoPromotionEnabled,
		}
		if b.AutoPromotionSeconds != nil {
			if *b.AutoPromotionSeconds < 0 {
				c.fail(path+".blueGreen.autoPromotionSeconds", "%d: want a number of seconds >= 0", *b.AutoPromotionSeconds)
			}
			bg.AutoPromotionSeconds = *b.AutoPromotionSeconds
		}
		r.BlueGreen = bg
	default:
		c.fail(path, "an Argo Rollouts strategy needs canary or blueGreen")
		return sim.Strategy{}, false
	}
	cfg := strategies.Config{Name: a.Name, Type: typ, Rollout: r}
	if c.err == nil {
		if err := cfg.Validate(); err != nil {
			c.fail(path, "%v", err)
		}
	}
	return sim.Strategy{Name: a.Name, Config: cfg}, true
}

// argoLength is how long an Argo plan takes when nothing stops it, for the
// default horizon: its schedule with the scenario's user promoting pauses,
// or with 30 minutes of waiting for a user nobody plays, so that the pause
// shows in the run.
func argoLength(c strategies.Config, promote time.Duration) time.Duration {
	if promote == 0 {
		promote = 30 * time.Minute
	}
	if p, ok := c.Rollout.Schedule(promote); ok {
		return p.End
	}
	return 30 * time.Minute
}
