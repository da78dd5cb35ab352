package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

const flaggerDoc = base + `    - name: flagger-slow
      analysis:
        interval: 1m
        threshold: 5
        maxWeight: 50
        stepWeight: 2
        stepWeightPromotion: 25
        metrics:
          - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
          - {name: request-duration, thresholdRange: {max: 500}}
          - {name: kayenta, thresholdRange: {min: 75}, provider: {query: kayenta, window: 5m}}
          - {name: seq, thresholdRange: {min: 0.05}, provider: {query: sequential, k: 50, oneSided: true}}
    - name: flagger-bg
      analysis: {iterations: 10, metrics: [{name: request-duration, threshold: 300, interval: 2m}]}
`

// TestFlaggerEntries: Flagger's keys as its users write them become a
// FlaggerType plan with its checks and queries.
func TestFlaggerEntries(t *testing.T) {
	s, err := Parse("f.yaml", []byte(flaggerDoc))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Strategies) != 4 {
		t.Fatalf("%d strategies", len(s.Strategies))
	}
	c := s.Strategies[2].Config
	if s.Strategies[2].Name != "flagger-slow" || c.Type != strategies.FlaggerType || c.LifecycleHooks() {
		t.Fatalf("%+v", s.Strategies[2])
	}
	f := c.Flagger
	if f.Analysis.Interval != time.Minute || f.Analysis.Threshold != 5 || f.Analysis.MaxWeight != 50 || f.Analysis.StepWeight != 2 ||
		f.Analysis.StepWeightPromotion != 25 || len(f.Metrics) != 4 {
		t.Fatalf("analysis %+v", f.Analysis)
	}
	want := []gate.Query{
		{Kind: gate.SuccessRate, Window: time.Minute, Lookback: strategies.FlaggerLookback},
		{Kind: gate.Latency, Window: time.Minute, Stat: "p99", Lookback: strategies.FlaggerLookback},
		{Kind: gate.Kayenta, Window: 5 * time.Minute},
		{Kind: gate.Sequential, Window: time.Minute, K: 50, OneSided: true},
	}
	for i, m := range f.Metrics {
		if m.Query != want[i] {
			t.Errorf("metrics[%d] query %+v, want %+v", i, m.Query, want[i])
		}
	}
	if !f.Metrics[0].Check.Passes(99) || f.Metrics[0].Check.Passes(98.9) || f.Metrics[1].Check.Passes(501) {
		t.Error("thresholdRange not kept")
	}
	// The tick model: 25 steps, promotion at 26m, two promotion steps of 25
	// (50 -> 25 -> 0), a Finalising tick: Succeeded at 29m.
	if p := c.Plan(strategies.EndAfterLastInterval); p.End != 29*time.Minute || p.Steps[len(p.Steps)-1] != (strategies.Step{At: 26 * time.Minute, Percent: 100}) {
		t.Errorf("schedule %+v", p)
	}
	bg := s.Strategies[3].Config.Flagger
	if bg.Analysis.Iterations != 10 || *bg.Metrics[0].Check.Legacy != 300 || bg.Metrics[0].Query.Window != 2*time.Minute {
		t.Errorf("blue/green %+v", bg)
	}
	if g := s.Strategies[2].Config.Flagger.Gates(); len(g) != 4 || g[2].Name != "kayenta" {
		t.Errorf("gates %+v", g)
	}
	// Every word the schema offers for provider.query is a query kind.
	for _, w := range enums["deployment.strategies[].analysis.metrics[].provider.query"] {
		if _, err := gate.ParseKind(w); err != nil {
			t.Errorf("schema word %q: %v", w, err)
		}
	}
	if len(enums["deployment.strategies[].analysis.metrics[].provider.query"]) != len(gate.Kinds()) {
		t.Error("the schema's query words and gate.Kinds differ")
	}
	_ = analysis.RequestDuration
}

// TestFlaggerMalformed: each mistake is named by file, line and field.
func TestFlaggerMalformed(t *testing.T) {
	for _, tt := range []struct{ old, new, want string }{
		{"stepWeight: 2\n", "stepWeight: 0\n", "f.yaml:35: deployment.strategies[2].analysis.stepWeight: 0: want a weight in (0, 100]"},
		{"        stepWeight: 2\n", "", "f.yaml:31: deployment.strategies[2].analysis.stepWeight: 0; want a weight in (0, 100] (or stepWeights, or iterations for blue/green)"},
		{"stepWeight: 2\n", "stepWeight: 2\n        stepWeights: [10, 5]\n", "deployment.strategies[2].analysis.stepWeights[1]: 5: want increasing weights"},
		{"interval: 1m\n        threshold", "interval: -1m\n        threshold", "deployment.strategies[2].analysis.interval: -1m0s: want a positive duration"},
		{"{name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}", "{name: request-success-rate, interval: 1m}",
			`f.yaml:38: deployment.strategies[2].analysis.metrics[0]: metric "request-success-rate": give thresholdRange (min and/or max) or threshold`},
		{"thresholdRange: {min: 99}", "thresholdRange: {min: 99, max: 98}", "thresholdRange min 99 > max 98"},
		{"thresholdRange: {min: 99}", "thresholdRange: {}", "deployment.strategies[2].analysis.metrics[0].thresholdRange: empty"},
		{"provider: {query: kayenta, window: 5m}", "provider: {query: kayenta, window: 90s}", "deployment.strategies[2].analysis.metrics[2].provider.window: 1m30s must be a whole number of minutes"},
		{"provider: {query: kayenta, window: 5m}", "provider: {query: kayentta}", `deployment.strategies[2].analysis.metrics[2].provider.query: unknown query "kayentta"`},
		{"provider: {query: kayenta, window: 5m}", "provider: {window: 5m}", "metrics[2].provider.query: missing"},
		{", provider: {query: kayenta, window: 5m}", "", `metrics[2].provider: missing: "kayenta" is not a built-in metric`},
		{"{name: request-duration, thresholdRange: {max: 500}}", "{name: request-duration, thresholdRange: {max: 500}, provider: {query: latency}}", "metrics[1].provider: request-duration is Flagger's built-in metric"},
		{"provider: {query: sequential, k: 50, oneSided: true}", "provider: {query: sequential, k: -1}", "metrics[3].provider.k: -1, want a concentration > 0"},
		{"provider: {query: kayenta, window: 5m}", "provider: {query: kayenta, oneSided: true}", "metrics[2].provider.oneSided: applies to the sequential and sequential_latency queries only"},
		{"provider: {query: kayenta, window: 5m}", "provider: {query: kayenta, window: 5m, noData: maybe}", `f.yaml:40: deployment.strategies[2].analysis.metrics[2].provider.noData: unknown rule "maybe" (want fail or pass)`},
		{"provider: {query: sequential, k: 50, oneSided: true}", "provider: {query: sequential, noData: pass}", "f.yaml:41: deployment.strategies[2].analysis.metrics[3].provider.noData: applies to the kayenta query only"},
		{"{name: kayenta,", "{name: request-success-rate,", `metrics[2].provider: request-success-rate is Flagger's built-in metric`},
		{"- name: flagger-slow\n      analysis:", "- analysis:", "deployment.strategies[2].name: missing"},
		{"stepWeight: 2\n", "stepWeight: 2.5\n", "deployment.strategies[2].analysis.stepWeight: 2.5; Flagger's weights are whole percents"},
		{"      analysis:\n        interval: 1m\n", "      analysis:\n        intervall: 1m\n", "f.yaml:32: deployment.strategies[2].analysis.intervall: unknown field (did you mean interval?)"},
		// Flagger's A/B testing, mirroring and session affinity: refused with the reason.
		{"        stepWeight: 2\n", "        stepWeight: 2\n        match: [{headers: {x-canary: {exact: insider}}}]\n", "f.yaml:36: deployment.strategies[2].analysis.match: not supported on a Lambda alias: A/B testing sends requests that match headers or cookies to the canary; a Lambda alias has no header or cookie routes"},
		{"        stepWeight: 2\n", "        stepWeight: 2\n        mirror: true\n", "f.yaml:36: deployment.strategies[2].analysis.mirror: not supported on a Lambda alias: mirroring copies requests to the canary; a Lambda alias cannot copy requests"},
		{"        stepWeight: 2\n", "        stepWeight: 2\n        mirrorWeight: 10\n", "f.yaml:36: deployment.strategies[2].analysis.mirrorWeight: not supported on a Lambda alias"},
		{"        stepWeight: 2\n", "        stepWeight: 2\n        sessionAffinity: {cookieName: flagger-cookie}\n", "f.yaml:36: deployment.strategies[2].analysis.sessionAffinity: not supported on a Lambda alias: session affinity pins a user"},
		{"iterations: 10", "iterations: -1", "deployment.strategies[3].analysis.iterations: -1: want 0 (canary) or more (blue/green)"},
		{"name: flagger-bg", "name: flagger-slow", `strategy "flagger-slow" is listed twice`},
	} {
		doc := strings.Replace(flaggerDoc, tt.old, tt.new, 1)
		if doc == flaggerDoc {
			t.Fatalf("%q not in the document", tt.old)
		}
		_, err := Parse("f.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q -> %q: %v\nwant %s", tt.old, tt.new, err, tt.want)
		}
	}
}

// FuzzFlaggerEntry fuzzes the Flagger branch of deployment.strategies: any
// analysis block parses to a valid plan or fails naming the file.
func FuzzFlaggerEntry(f *testing.F) {
	f.Add("{interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 2, metrics: [{name: request-success-rate, thresholdRange: {min: 99}}]}")
	f.Add("{iterations: 3, metrics: [{name: request-duration, threshold: 300}]}")
	f.Add("{stepWeights: [1, 2, 100], stepWeightPromotion: 50, metrics: [{name: x, thresholdRange: {max: 1}, provider: {query: sequential, k: 1e308}}]}")
	f.Add("{stepWeight: 1, iterations: 9999, interval: 1ns, metrics: [{name: k, thresholdRange: {min: -1e308}, provider: {query: kayenta, window: 24h}}]}")
	f.Add("[1, 2]")
	f.Fuzz(func(t *testing.T, analysisYAML string) {
		doc := base + "    - {name: f, analysis: " + analysisYAML + "}\n"
		s, err := Parse("fuzz.yaml", []byte(doc))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, st := range s.Strategies {
			if st.Config.Type != strategies.FlaggerType {
				continue
			}
			if err := st.Config.Validate(); err != nil {
				t.Fatalf("accepted an invalid plan: %v", err)
			}
			if p := st.Config.Plan(strategies.EndAfterLastInterval); p.Validate() != nil {
				t.Fatalf("accepted a plan without a schedule: %+v", p)
			}
		}
	})
}

// TestKayentaNoDataKey: provider.noData reaches the kayenta gate's query.
func TestKayentaNoDataKey(t *testing.T) {
	doc := strings.Replace(flaggerDoc, "provider: {query: kayenta, window: 5m}", "provider: {query: kayenta, window: 5m, noData: pass}", 1)
	s, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if q := s.Strategies[2].Config.Flagger.Metrics[2].Query; q.NoData != gate.NoDataPass || q.String() != "kayenta 5m0s nodata=pass" {
		t.Errorf("query %+v (%s)", q, q)
	}
}

// TestSequentialLatencyKey: a Flagger custom metric with provider query
// sequential_latency is the continuous sequential gate, its window the
// metric's interval unless given; k belongs to the count test only.
func TestSequentialLatencyKey(t *testing.T) {
	doc := strings.Replace(flaggerDoc, "provider: {query: kayenta, window: 5m}", "provider: {query: sequential_latency, oneSided: true}", 1)
	s, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	q := s.Strategies[2].Config.Flagger.Metrics[2].Query
	if want := (gate.Query{Kind: gate.SequentialLatency, Window: time.Minute, OneSided: true}); q != want || q.String() != "sequential_latency 1m0s one-sided" {
		t.Errorf("query %+v (%s), want %+v", q, q, want)
	}
	doc = strings.Replace(flaggerDoc, "provider: {query: kayenta, window: 5m}", "provider: {query: sequential_latency, k: 10}", 1)
	if _, err := Parse("f.yaml", []byte(doc)); err == nil || !strings.Contains(err.Error(), "f.yaml:40: deployment.strategies[2].analysis.metrics[2].provider.k: applies to the sequential query only") {
		t.Errorf("k on sequential_latency: %v", err)
	}
}
