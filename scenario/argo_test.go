package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

const argoScenario = `name: argo
traffic: {rate: 10}
versions: {current: {version: "1", latency: {median: 50ms, p99: 200ms}}, target: {version: "2"}}
analysisTemplates:
  - name: error-rate
    metrics:
      - name: error-rate
        interval: 1m
        initialDelay: 30s
        count: 4
        failureLimit: 1
        failureCondition: result > 5
        provider: {query: error_rate, version: target, window: 2m}
  - apiVersion: argoproj.io/v1alpha1
    kind: AnalysisTemplate
    metadata: {name: latency}
    spec:
      args: [{name: service-name}]
      dryRun: [{metricName: p99}]
      metrics:
        - name: p99
          interval: 5m
          successCondition: result < 300
          provider: {query: latency, statistic: p99}
deployment:
  argo_promote_after: 10m
  strategies:
    - Canary10Percent5Minutes
    - name: argo-canary
      canary:
        canaryService: c
        steps:
          - setWeight: 20
          - pause: {duration: 5m}
          - pause: {duration: 90}
          - analysis: {templates: [{templateName: error-rate}]}
          - setWeight: 50
          - pause: {}
        analysis: {templates: [{templateName: latency}], startingStep: 1}
    - name: argo-bg
      blueGreen:
        activeService: a
        autoPromotionEnabled: false
        postPromotionAnalysis: {templates: [{templateName: error-rate}]}
`

func TestArgoStrategies(t *testing.T) {
	s, err := Parse("a.yaml", []byte(argoScenario))
	if err != nil {
		t.Fatal(err)
	}
	if s.Model.PromoteAfter != 10*time.Minute {
		t.Errorf("PromoteAfter %v", s.Model.PromoteAfter)
	}
	c := s.Strategies[1].Config
	if c.Type != strategies.ArgoCanary || s.Strategies[1].Name != "argo-canary" {
		t.Fatalf("%+v", s.Strategies[1])
	}
	r := c.Rollout
	if n := len(r.Canary.Steps); n != 6 || r.Canary.Steps[2].Pause.Duration != 90*time.Second || !r.Canary.Steps[5].Pause.Indefinite {
		t.Errorf("steps %+v", r.Canary.Steps)
	}
	if r.Canary.Analysis.StartingStep != 1 || len(r.Templates) != 2 {
		t.Errorf("background %+v templates %d", r.Canary.Analysis, len(r.Templates))
	}
	m := r.Template("error-rate").Metrics[0]
	if m.Interval != time.Minute || m.InitialDelay != 30*time.Second || m.Count != 4 || m.FailureLimit != 1 || m.ConsecutiveErrorLimit != 4 ||
		m.Provider != (gate.Query{Kind: gate.ErrorRate, Window: 2 * time.Minute}) {
		t.Errorf("metric %+v", m)
	}
	if p := r.Template("latency").Metrics[0]; !p.DryRun || p.Provider.Kind != gate.Latency {
		t.Errorf("dry-run metric %+v", p)
	}
	// The schedule when analyses pass as early as they can and a user promotes
	// after 10m: 20 % at 0; pauses 5m + 90s; analysis 30s + 3·1m; 50 %; 10m; 100 %.
	p, ok := r.Schedule(10 * time.Minute)
	want := []strategies.Step{{At: 0, Percent: 20}, {At: 10 * time.Minute, Percent: 50}, {At: 20 * time.Minute, Percent: 100}}
	if !ok || len(p.Steps) != 3 || p.Steps[0] != want[0] || p.Steps[1] != want[1] || p.Steps[2] != want[2] || p.End != 20*time.Minute {
		t.Errorf("schedule %+v %v", p, ok)
	}
	if _, ok := r.Schedule(-1); ok {
		t.Error("an indefinite pause nobody promotes has a schedule")
	}
	bg := s.Strategies[2].Config
	if bg.Type != strategies.ArgoBlueGreen || bg.Rollout.BlueGreen.AutoPromotes() {
		t.Errorf("%+v", bg)
	}
}

func TestArgoErrors(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"setWeight: 50", "setWeight: 150", "a.yaml:37: deployment.strategies[1].canary.steps[4].setWeight: 150: want a whole percent 0 to 100"},
		{"setWeight: 50", "setWeight: 12.5", "a.yaml:37: deployment.strategies[1].canary.steps[4].setWeight"},
		{"pause: {duration: 90}", "pause: {duration: 1d}", "a.yaml:35: deployment.strategies[1].canary.steps[2].pause.duration: expected a pause duration as Argo reads it"},
		{"templateName: error-rate}]}\n", "templateName: errors}]}\n", `a.yaml:36: deployment.strategies[1].canary.steps[3].analysis.templates[0].templateName: "errors" is not in analysisTemplates`},
		{"failureLimit: 1", "failureLimit: -2", "a.yaml:11: analysisTemplates[0].metrics[0].failureLimit: -2 must be >= -1"},
		{"failureCondition: result > 5", "failureCondition: result >> 5", "a.yaml:12: analysisTemplates[0].metrics[0].failureCondition: condition"},
		{"query: error_rate", "query: errors_rate", `a.yaml:13: analysisTemplates[0].metrics[0].provider.query: unknown query "errors_rate"`},
		{"window: 2m}", "window: 90s}", "a.yaml:13: analysisTemplates[0].metrics[0].provider.window"},
		{"startingStep: 1", "startingStep: 9", "a.yaml:39: deployment.strategies[1].canary.analysis.startingStep: 9: want a step index 0 to 6"},
		{"          - setWeight: 20\n", "          - setWeight: 20\n            pause: {}\n", "a.yaml:33: deployment.strategies[1].canary.steps[0]: want exactly one of setWeight, pause and analysis"},
		// Argo's steps an alias cannot carry out: refused with the reason, not as unknown keys.
		{"          - setWeight: 20\n", "          - experiment: {duration: 1h}\n", "a.yaml:33: deployment.strategies[1].canary.steps[0].experiment: not supported on a Lambda alias: an experiment runs extra ReplicaSets"},
		{"          - setWeight: 20\n", "          - setCanaryScale: {weight: 20}\n", "a.yaml:33: deployment.strategies[1].canary.steps[0].setCanaryScale: not supported on a Lambda alias: it scales the canary's replicas apart from its traffic weight; a Lambda alias has no replicas"},
		{"          - setWeight: 20\n", "          - setHeaderRoute: {name: beta, match: [{headerName: x-beta}]}\n", "a.yaml:33: deployment.strategies[1].canary.steps[0].setHeaderRoute: not supported on a Lambda alias: it routes requests that carry a header to the canary; a Lambda alias has no header routes: it splits requests by weight only"},
		{"          - setWeight: 20\n", "          - setMirrorRoute: {name: m, percentage: 10}\n", "a.yaml:33: deployment.strategies[1].canary.steps[0].setMirrorRoute: not supported on a Lambda alias: it mirrors (copies) requests"},
		{"          - setWeight: 20\n", "          - plugin: {name: x}\n", "a.yaml:33: deployment.strategies[1].canary.steps[0].plugin: not supported on a Lambda alias"},
		{"          - setWeight: 20\n", "          - setWeigth: 20\n", "a.yaml:33: deployment.strategies[1].canary.steps[0].setWeigth: unknown field (did you mean setWeight?)"},
		{"failureLimit: 1", "failureLimit: 5", "a.yaml:10: analysisTemplates[0].metrics[0].count: 4 must be >= failureLimit"},
		{"argo_promote_after: 10m", "argo_promote_after: 0s", "deployment.argo_promote_after: 0s: want a positive duration"},
	} {
		doc := strings.Replace(argoScenario, tc.from, tc.to, 1)
		if doc == argoScenario {
			t.Fatalf("%q not in the scenario", tc.from)
		}
		_, err := Parse("a.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: got %v, want %q", tc.from, tc.to, err, tc.want)
		}
	}
}

// FuzzArgo: any mutation of an Argo strategy gives a scenario or an error
// naming the file, never a panic.
func FuzzArgo(f *testing.F) {
	f.Add([]byte(argoScenario))
	f.Add([]byte(strings.Replace(argoScenario, "pause: {}", "pause: {duration: 0}", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, st := range s.Strategies {
			if st.Config.Argo() {
				if err := st.Config.Validate(); err != nil {
					t.Fatalf("accepted an invalid rollout: %v", err)
				}
				st.Config.Rollout.Schedule(time.Minute)
			}
		}
	})
}
