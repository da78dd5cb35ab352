package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// recommend answers an Argo Rollouts or Flagger plan in its own YAML, the
// text a user pastes into the Rollout (spec.strategy and its
// AnalysisTemplates) or the Canary (spec.analysis), in the table, the
// Markdown and the JSON (argo_rollout, flagger_analysis). The plans of the
// examples, with a healthy target and a loose budget: the fastest wins.
func TestRecommendPeersShape(t *testing.T) {
	for _, tc := range []struct {
		path, strategy string
		want           []string
		field          string
	}{
		{"../../examples/argo.yaml", "argo-blue-green", []string{
			"An Argo Rollouts plan: the Rollout's spec.strategy, then its AnalysisTemplates",
			"strategy:\n  blueGreen:\n    # activeService, previewService: your Services (they shape no traffic on an alias)\n    postPromotionAnalysis:\n      templates:\n        - templateName: error-rate\n",
			"---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: error-rate\nspec:\n  metrics:\n    - name: error-rate\n      interval: 1m\n      initialDelay: 1m\n      count: 5\n      failureLimit: 1\n      failureCondition: result > 2\n",
			"      # provider: in a cluster, your metrics provider's query for the error_rate (%) of the new version over 1m\n      provider: {query: error_rate, window: 1m}\n",
		}, "argo_rollout"},
		{"../../examples/argo.yaml", "argo-canary", []string{
			"strategy:\n  canary:\n    steps:\n      - setWeight: 10\n      - pause: {duration: 2m}\n      - analysis:\n          templates:\n            - templateName: error-rate\n      - setWeight: 50\n      - pause: {duration: 5m}\n    analysis:\n      templates:\n        - templateName: latency\n",
			"  dryRun:\n    - metricName: p99\n",
		}, "argo_rollout"},
		{"../../examples/flagger.yaml", "flagger-canary", []string{
			"A Flagger plan: the Canary's spec.analysis",
			"analysis:\n  interval: 1m\n  threshold: 2\n  maxWeight: 50\n  stepWeight: 10\n  metrics:\n    - name: request-success-rate\n      interval: 1m\n      thresholdRange: {min: 99}\n    - name: request-duration\n      interval: 1m\n      thresholdRange: {max: 500}\n",
		}, "flagger_analysis"},
	} {
		s, err := loadScenario(tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := s.Model
		name := m.Versions[sim.Target].Name
		m.Versions[sim.Target] = m.Versions[sim.Current] // healthy: every plan fits, the fastest wins
		m.Versions[sim.Target].Name = name
		var cands []sim.Strategy
		for _, st := range s.Strategies {
			if st.Name == tc.strategy {
				cands = append(cands, st)
			}
		}
		rec, err := sweep.Recommend(&m, cands, sweep.Budget{MaxFailed: 1e6, Confidence: 0.95, MaxFalseRollback: 1}, sweep.Options{Runs: 2, Workers: 1})
		if err != nil || rec.Best != 0 {
			t.Fatalf("%s: %v, best %d", tc.strategy, err, rec.Best)
		}
		doc := report.FromRecommendation(s.Name, m.Seed, rec)
		var text, md, js bytes.Buffer
		if err := report.RecommendTable(&text, doc, false); err != nil {
			t.Fatal(err)
		}
		if err := report.RecommendMarkdown(&md, doc); err != nil {
			t.Fatal(err)
		}
		if err := report.JSON(&js, doc); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(text.String(), w) {
				t.Errorf("%s: the answer lacks\n%s\nin\n%s", tc.strategy, w, text.String())
			}
		}
		if !strings.Contains(md.String(), "```yaml\n") {
			t.Errorf("%s: markdown:\n%s", tc.strategy, md.String())
		}
		var j map[string]any
		if err := json.Unmarshal(js.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		plan, _ := j["recommended"].(map[string]any)
		if y, _ := plan[tc.field].(string); !strings.Contains(text.String(), y) || y == "" || plan["TrafficRoutingConfig"] != nil {
			t.Errorf("%s: JSON %s %q", tc.strategy, tc.field, y)
		}
	}
}
