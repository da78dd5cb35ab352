package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

func gateModel(t *testing.T, targetErrors string, engine sim.Engine) *sim.Model {
	t.Helper()
	s := parse(t, `
name: argo
seed: 7
horizon: 30m
function: {name: fn, alias: live}
traffic: {rate: 100}
versions:
  current: {version: "1", error_rate: 0.001, latency: {mu: -3, sigma: 0.5}}
  target:  {version: "2", error_rate: `+targetErrors+`, latency: {mu: -3, sigma: 0.5}}
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: 0s}
deployment: {start: 0s, strategies: [AllAtOnce]}
`)
	s.Model.Engine = engine
	return &s.Model
}

func w(p float64) *float64 { return &p }

// argoCanary: 20 %, pause 2m, an analysis of the target's error rate
// (interval 1m, initialDelay 1m, count 3, failureLimit 1, failure above 5 %),
// then 100 %.
func argoCanary() sim.Strategy {
	m := strategies.DefaultAnalysisMetric()
	m.Name, m.Interval, m.InitialDelay, m.Count, m.FailureLimit = "error-rate", time.Minute, time.Minute, 3, 1
	m.FailureCondition = "result > 5"
	m.Provider = gate.Query{Kind: gate.ErrorRate, Version: gate.Target, Window: time.Minute}
	r := &strategies.Rollout{
		Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
			{SetWeight: w(20)},
			{Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
			{Analysis: &strategies.RolloutAnalysis{Templates: []string{"error-rate"}}},
			{SetWeight: w(100)},
		}},
		Templates: []strategies.AnalysisTemplate{{Name: "error-rate", Metrics: []strategies.AnalysisMetric{m}}},
	}
	return sim.Strategy{Name: "argo", Config: strategies.Config{Name: "argo", Type: strategies.ArgoCanary, Rollout: r}}
}

// A bad target (50 % errors): the analysis starts at 2m, measures at
// 3m and 4m (initialDelay 1m, interval 1m), both fail, and failureLimit 1
// is exceeded at the second: abort at 4m = 2m + 1m + 1·1m, all traffic
// back to the stable version at once. Both engines agree on the time.
func TestArgoAnalysisAbortsAtTheory(t *testing.T) {
	for _, e := range []sim.Engine{sim.PerRequest, sim.Batched} {
		res, err := sim.Run(gateModel(t, "0.5", e), argoCanary())
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != deploy.Stopped || res.End == nil || *res.End != 4*time.Minute || res.RollbackCause != "gate:error-rate" || res.FinalWeight != 0 || !res.RolledBack {
			t.Fatalf("%v: status %s end %v cause %q weight %v", e, res.Status, res.End, res.RollbackCause, res.FinalWeight)
		}
		var text []string
		for _, st := range res.Steps {
			text = append(text, st.String())
		}
		got := strings.Join(text, "\n")
		for _, want := range []string{"0s Start -> SetWeight 20", "3m0s Tick -> Measure 0", "4m0s Tick -> Measure 0",
			"4m0s Measurement 0 ", "-> Rollback; Finish Stopped gate:error-rate weight=0"} {
			if !strings.Contains(got, want) {
				t.Errorf("%v: steps lack %q:\n%s", e, want, got)
			}
		}
		// No request reaches the target after the abort.
		last := res.Phases[len(res.Phases)-1]
		if last.From != 4*time.Minute || last.Weight != 0 || last.TargetRequests != 0 {
			t.Errorf("%v: last phase %+v", e, last)
		}
	}
}

// A healthy target passes: count 3 measurements at 3m, 4m, 5m, then 100 %
// and Succeeded at 5m = pause + initialDelay + (count−1)·interval.
func TestArgoAnalysisPasses(t *testing.T) {
	for _, e := range []sim.Engine{sim.PerRequest, sim.Batched} {
		res, err := sim.Run(gateModel(t, "0.001", e), argoCanary())
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != deploy.Succeeded || *res.End != 5*time.Minute || *res.FullShift != 5*time.Minute {
			t.Fatalf("%v: status %s end %v full %v", e, res.Status, res.End, res.FullShift)
		}
	}
}
