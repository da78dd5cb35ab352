package sweep_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sweep"
)

const argoDoc = `name: argo
seed: 3
horizon: 40m
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 40ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: 0s}
analysisTemplates:
  - name: err
    metrics:
      - {name: err, interval: 1m, initialDelay: 1m, count: 3, failureCondition: result > 20, provider: {query: error_rate}}
deployment:
  strategies:
    - Canary10Percent5Minutes
    - name: argo-steps
      canary:
        steps: [{setWeight: 10}, {analysis: {templates: [{templateName: err}]}}, {setWeight: 50}, {pause: {duration: 1m}}]
    - name: argo-manual
      canary:
        steps: [{setWeight: 10}, {pause: {}}, {setWeight: 100}]
`

// compare mixes Argo and CodeDeploy plans on the same seeds: run i of every
// plan meets the same arrivals (common random numbers), and the outcomes are
// the same at any number of workers. recommend never takes a plan that ends
// Paused on a healthy version for a fast one, however few requests it fails.
func TestArgoBesideCodeDeploy(t *testing.T) {
	s, err := scenario.Parse("argo.yaml", []byte(argoDoc))
	if err != nil {
		t.Fatal(err)
	}
	a, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: 6, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: 6, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Outcomes) != fmt.Sprint(b.Outcomes) {
		t.Fatal("outcomes differ between 1 and 3 workers")
	}
	for i := range a.Outcomes[0] {
		for s := 1; s < len(a.Outcomes); s++ {
			if a.Outcomes[s][i].Requests != a.Outcomes[0][i].Requests {
				t.Errorf("run %d: plan %d saw %d requests, plan 0 %d", i, s, a.Outcomes[s][i].Requests, a.Outcomes[0][i].Requests)
			}
		}
	}
	st := a.Stats()
	if st[1].Statuses[0].Value != "Succeeded" || st[1].Planned.Minutes() != 4 {
		t.Errorf("argo-steps: %+v planned %v", st[1].Statuses, st[1].Planned)
	}
	if st[2].Paused.P != 1 || st[2].FalsePause.P != 1 || st[2].Planned != sweep.NeverFinishes {
		t.Errorf("argo-manual: paused %v false %v planned %v", st[2].Paused, st[2].FalsePause, st[2].Planned)
	}
	rec, err := sweep.Recommend(&s.Model, s.Strategies, sweep.Budget{MaxFailed: math.Inf(1), Confidence: 0.95}, sweep.Options{Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range rec.Candidates {
		if c.Strategy.Name == "argo-manual" && (c.Fits || c.Finishes || rec.Best == i) {
			t.Errorf("argo-manual recommended or fits: %+v", c)
		}
	}
	if rec.Best < 0 || rec.Candidates[rec.Best].Strategy.Name != "argo-steps" {
		t.Errorf("best %d", rec.Best)
	}
}
