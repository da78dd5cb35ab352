package sim_test

import (
	"fmt"
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

func rollout(steps []strategies.ArgoStep, bg *strategies.BackgroundAnalysis, ms ...strategies.AnalysisMetric) sim.Strategy {
	r := &strategies.Rollout{Canary: &strategies.RolloutCanary{Steps: steps, Analysis: bg}}
	for _, m := range ms {
		r.Templates = append(r.Templates, strategies.AnalysisTemplate{Name: m.Name, Metrics: []strategies.AnalysisMetric{m}})
	}
	return sim.Strategy{Name: "argo", Config: strategies.Config{Name: "argo", Type: strategies.ArgoCanary, Rollout: r}}
}

func errorMetric(name string, mod func(*strategies.AnalysisMetric)) strategies.AnalysisMetric {
	m := strategies.DefaultAnalysisMetric()
	m.Name = name
	m.Provider = gate.Query{Kind: gate.ErrorRate}
	mod(&m)
	return m
}

func analysisStep(names ...string) strategies.ArgoStep {
	return strategies.ArgoStep{Analysis: &strategies.RolloutAnalysis{Templates: names}}
}

func pause(d time.Duration) strategies.ArgoStep {
	if d < 0 {
		return strategies.ArgoStep{Pause: &strategies.ArgoPause{Indefinite: true}}
	}
	return strategies.ArgoStep{Pause: &strategies.ArgoPause{Duration: d}}
}

// A time-only steps list: the time to full shift is the sum of the pauses,
// and each span of constant weight carries the setWeight in force.
func TestArgoStepsClosedForm(t *testing.T) {
	steps := []strategies.ArgoStep{{SetWeight: w(5)}, pause(90 * time.Second), {SetWeight: w(25)}, pause(4 * time.Minute),
		{SetWeight: w(60)}, pause(30 * time.Second)}
	res, err := sim.Run(gateModel(t, "0.001", sim.Batched), rollout(steps, nil))
	if err != nil {
		t.Fatal(err)
	}
	full := 90*time.Second + 4*time.Minute + 30*time.Second
	if res.Status != deploy.Succeeded || *res.FullShift != full || *res.End != full {
		t.Fatalf("status %s full shift %v end %v, want %v", res.Status, res.FullShift, res.End, full)
	}
	want := []struct {
		from, to time.Duration
		weight   float64
	}{{0, 90 * time.Second, 0.05}, {90 * time.Second, 330 * time.Second, 0.25}, {330 * time.Second, full, 0.6}, {full, 30 * time.Minute, 1}}
	if len(res.Phases) != len(want) {
		t.Fatalf("phases %+v", res.Phases)
	}
	for i, p := range res.Phases {
		if p.From != want[i].from || p.To != want[i].to || p.Weight != want[i].weight {
			t.Errorf("phase %d: %+v, want %+v", i, p, want[i])
		}
	}
	// The planned schedule says the same.
	p, ok := rollout(steps, nil).Config.Rollout.Schedule(-1)
	if !ok || p.End != full || len(p.Steps) != 4 || p.Steps[3].At != full || p.Steps[1].Percent != 25 {
		t.Errorf("schedule %+v", p)
	}
}

// Inconclusive pauses: both conditions set, a value meeting neither (the
// target's 10 % error rate between success < 1 and failure > 50) leaves the
// run Inconclusive at the first measurement, and nobody promotes: the run
// ends its horizon Paused with the canary still at 30 %. With a user who
// promotes after 5m, the rollout goes on and succeeds.
func TestArgoInconclusivePauses(t *testing.T) {
	m := errorMetric("error-rate", func(m *strategies.AnalysisMetric) {
		m.InitialDelay, m.SuccessCondition, m.FailureCondition = time.Minute, "result < 1", "result > 50"
	})
	st := rollout([]strategies.ArgoStep{{SetWeight: w(30)}, analysisStep("error-rate"), {SetWeight: w(100)}}, nil, m)
	res, err := sim.Run(gateModel(t, "0.1", sim.Batched), st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deploy.Paused || res.End != nil || res.FinalWeight != 0.3 || res.RolledBack {
		t.Fatalf("status %s end %v weight %v", res.Status, res.End, res.FinalWeight)
	}
	if last := res.Steps[len(res.Steps)-1].String(); !strings.HasSuffix(last, "-> Pause gate:error-rate") || !strings.HasPrefix(last, "1m0s Measurement 0 ") {
		t.Errorf("last step %q", last)
	}
	mdl := gateModel(t, "0.1", sim.Batched)
	mdl.PromoteAfter = 5 * time.Minute
	res, err = sim.Run(mdl, st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deploy.Succeeded || *res.FullShift != 6*time.Minute {
		t.Fatalf("promoted: status %s full shift %v, want Succeeded at 1m + 5m", res.Status, res.FullShift)
	}
}

// pause: {} without a user ends Paused; with argo_promote_after the pause
// lasts exactly that long.
func TestArgoIndefinitePause(t *testing.T) {
	st := rollout([]strategies.ArgoStep{{SetWeight: w(20)}, pause(-1), {SetWeight: w(100)}}, nil)
	res, err := sim.Run(gateModel(t, "0.001", sim.Batched), st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deploy.Paused || res.FinalWeight != 0.2 {
		t.Fatalf("status %s weight %v", res.Status, res.FinalWeight)
	}
	mdl := gateModel(t, "0.001", sim.Batched)
	mdl.PromoteAfter = 7 * time.Minute
	if res, err = sim.Run(mdl, st); err != nil || res.Status != deploy.Succeeded || *res.FullShift != 7*time.Minute {
		t.Fatalf("%v: status %s full shift %v", err, res.Status, res.FullShift)
	}
}

// A dry-run metric that always fails never aborts: the rollout follows its
// steps to 100 % and its measurements show in the steps.
func TestArgoDryRunNeverAborts(t *testing.T) {
	m := errorMetric("dry", func(m *strategies.AnalysisMetric) {
		m.Interval, m.InitialDelay, m.Count, m.FailureCondition, m.DryRun = time.Minute, time.Minute, 3, "result > 0", true
	})
	st := rollout([]strategies.ArgoStep{{SetWeight: w(50)}, analysisStep("dry"), pause(time.Minute)}, nil, m)
	res, err := sim.Run(gateModel(t, "0.5", sim.Batched), st)
	if err != nil {
		t.Fatal(err)
	}
	// The dry-run metric fails at its first measurement (1m, failureLimit 0),
	// which completes it Failed; a run of dry-run metrics only is Successful,
	// so the step completes at 1m, then the 1m pause.
	if res.Status != deploy.Succeeded || *res.FullShift != 2*time.Minute || res.RolledBack {
		t.Fatalf("status %s full shift %v", res.Status, res.FullShift)
	}
	if !strings.Contains(fmt.Sprint(res.Timeline), "-> Failed; metric Failed") {
		t.Errorf("timeline %v", res.Timeline)
	}
}

// Background analysis runs alongside the steps from startingStep and is
// terminated when the last step completes: its unbounded metric is measured
// every interval from its start until then and never after. A failing one
// aborts mid-steps.
func TestArgoBackgroundAnalysis(t *testing.T) {
	m := errorMetric("bg", func(m *strategies.AnalysisMetric) {
		m.Interval, m.FailureCondition, m.FailureLimit = 2*time.Minute, "result > 20", 2
	})
	steps := []strategies.ArgoStep{{SetWeight: w(10)}, pause(3 * time.Minute), {SetWeight: w(40)}, pause(7 * time.Minute)}
	bg := &strategies.BackgroundAnalysis{RolloutAnalysis: strategies.RolloutAnalysis{Templates: []string{"bg"}}, StartingStep: 2}
	res, err := sim.Run(gateModel(t, "0.001", sim.Batched), rollout(steps, bg, m))
	if err != nil {
		t.Fatal(err)
	}
	var at []time.Duration
	for _, s := range res.Steps {
		if s.Event.Kind == deploy.Measurement {
			at = append(at, s.T)
		}
	}
	// Started at step 2 (3m): measured at 3m, 5m, 7m, 9m; cancelled at 10m.
	want := []time.Duration{3 * time.Minute, 5 * time.Minute, 7 * time.Minute, 9 * time.Minute}
	if res.Status != deploy.Succeeded || *res.FullShift != 10*time.Minute || len(at) != len(want) {
		t.Fatalf("status %s full shift %v measurements %v", res.Status, res.FullShift, at)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Errorf("measurement %d at %v, want %v", i, at[i], want[i])
		}
	}
	// A bad target: three failures (failureLimit 2) at 3m, 5m, 7m abort at 7m.
	res, err = sim.Run(gateModel(t, "0.5", sim.Batched), rollout(steps, bg, m))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deploy.Stopped || *res.End != 7*time.Minute || res.RollbackCause != "gate:bg" || res.FinalWeight != 0 {
		t.Fatalf("bad target: status %s end %v cause %s", res.Status, res.End, res.RollbackCause)
	}
}

// Blue-green: promotion switches all traffic at once; a failing
// post-promotion analysis sends it all back at once. With
// autoPromotionSeconds the switch waits that long.
func TestArgoBlueGreen(t *testing.T) {
	m := errorMetric("post", func(m *strategies.AnalysisMetric) {
		m.Interval, m.InitialDelay, m.Count, m.FailureCondition = time.Minute, time.Minute, 3, "result > 5"
	})
	bg := func(secs int) sim.Strategy {
		r := &strategies.Rollout{BlueGreen: &strategies.RolloutBlueGreen{AutoPromotionSeconds: secs,
			PostPromotionAnalysis: &strategies.RolloutAnalysis{Templates: []string{"post"}}},
			Templates: []strategies.AnalysisTemplate{{Name: "post", Metrics: []strategies.AnalysisMetric{m}}}}
		return sim.Strategy{Name: "bg", Config: strategies.Config{Name: "bg", Type: strategies.ArgoBlueGreen, Rollout: r}}
	}
	res, err := sim.Run(gateModel(t, "0.5", sim.Batched), bg(0))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deploy.Stopped || *res.FullShift != 0 || *res.End != time.Minute || res.FinalWeight != 0 || len(res.Phases) != 2 {
		t.Fatalf("status %s full %v end %v phases %+v", res.Status, res.FullShift, res.End, res.Phases)
	}
	res, err = sim.Run(gateModel(t, "0.001", sim.Batched), bg(120))
	if err != nil {
		t.Fatal(err)
	}
	// Promotion at 120 s, then 3 measurements at +1m, +2m, +3m: Succeeded at 5m.
	if res.Status != deploy.Succeeded || *res.FullShift != 2*time.Minute || *res.End != 5*time.Minute {
		t.Fatalf("status %s full %v end %v", res.Status, res.FullShift, res.End)
	}
}

// A latency gate needs every request's duration: auto runs the plan on the
// per-request engine, batched refuses it with the reason; the same seed
// gives the same steps twice.
func TestArgoLatencyGateEngine(t *testing.T) {
	m := strategies.DefaultAnalysisMetric()
	m.Name, m.SuccessCondition, m.InitialDelay = "p99", "result < 1000", time.Minute
	m.Provider = gate.Query{Kind: gate.Latency, Stat: "p99"}
	st := rollout([]strategies.ArgoStep{{SetWeight: w(50)}, analysisStep("p99")}, nil, m)
	if _, err := sim.Run(gateModel(t, "0.001", sim.Batched), st); err == nil || !strings.Contains(err.Error(), "gate p99 reads latency") {
		t.Fatalf("batched: %v", err)
	}
	a, err := sim.Run(gateModel(t, "0.001", sim.Auto), st)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sim.Run(gateModel(t, "0.001", sim.PerRequest), st)
	if a.Status != deploy.Succeeded || fmt.Sprint(a.Steps) != fmt.Sprint(b.Steps) || fmt.Sprint(a.Timeline) != fmt.Sprint(b.Timeline) {
		t.Fatalf("auto %s %v\nper-request %v", a.Status, a.Steps, b.Steps)
	}
	// The p99 of a lognormal with mu = -3, sigma = 0.5 is exp(-3 + 0.5·2.326) s = 159 ms: the gate read a plausible value.
	if !strings.Contains(fmt.Sprint(a.Timeline), "ms -> Successful") {
		t.Errorf("timeline %v", a.Timeline)
	}
}
