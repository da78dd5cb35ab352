package main

import (
	"strings"
	"testing"
)

// strategies --scenario lists a scenario's Flagger plans with the tick
// model's schedule and, beside it, Flagger's documented closed form
// (decision 6): interval 1m, stepWeight 10, maxWeight 50 → the doc says
// 5 min; the tick model steps at 1..5 min, promotes (100 %) on tick
// ceil(50/10)+1 = 6 and succeeds two ticks later, at 8 min.
func TestStrategiesFlagger(t *testing.T) {
	got := scenarioStrategyDoc(t, "../../examples/flagger.yaml", "flagger-canary")
	if got == nil || got.Family != "Flagger" || len(got.Steps) != 6 || got.End != 480 || got.DocClosedForm == nil || *got.DocClosedForm != 300 || len(got.Gates) != 2 {
		t.Fatalf("flagger-canary: %+v", got)
	}
	for i, s := range got.Steps {
		want := stepDoc{At: float64(60 * (i + 1)), Percent: float64(10 * (i + 1))}
		if i == 5 {
			want.Percent = 100
		}
		if s != want {
			t.Errorf("step %d: %+v, want %+v", i, s, want)
		}
	}
	code, out, _ := runCLI("strategies", "--scenario", "../../examples/flagger.yaml")
	if code != 0 || !strings.Contains(out, "promotion by the tick model at 6m0s, by Flagger's documented formula at 5m0s") ||
		!strings.Contains(out, "gate sequential: sequential k=100") {
		t.Fatalf("table: %s", out)
	}
}

// A Flagger plan on a target failing 4 % of requests against a 99 %
// success-rate check (no metric delay): checks fail from the 2-minute tick
// on, so with threshold 2 the rollback comes at 2m + 2 × 1m = 4m.
func TestRunFlaggerRollback(t *testing.T) {
	code, out, errs := runCLI("run", "../../examples/flagger.yaml", "--strategy", "flagger-canary", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{`"status": "Stopped"`, `gate:request-success-rate`, `-> Rollback; Finish Stopped gate:request-success-rate weight=0"`, `"4m0s `} {
		if !strings.Contains(out, want) {
			t.Errorf("run JSON lacks %q", want)
		}
	}
}

// deploy's dry run of a Flagger plan says each built-in check's
// GetMetricData and its look back for the newest datapoint, and how the
// plan goes if every check passes.
func TestDeployDryRunFlagger(t *testing.T) {
	_, out, errs := runCLI("deploy", "../../examples/flagger.yaml", "--strategy", "flagger-canary")
	for _, want := range []string{
		"CodeDeploy cannot run this Flagger plan",
		"# t+2m00s: gate request-success-rate (success_rate target 1m0s) (a window without data: the one before, up to 10 back); if all goes well it reads ≥ 99% (thresholdRange min); the dry run goes on with 100%",
		"gate request-duration (latency p99 target 1m0s) (a window without data: the one before, up to 10 back); if all goes well it reads ≤ 500ms (thresholdRange max); the dry run goes on with 0ms",
		`RoutingConfig={"AdditionalVersionWeights":{"2":0.5}}`,
	} {
		if !strings.Contains(out+errs, want) {
			t.Errorf("dry run lacks %q:\n%s\n%s", want, out, errs)
		}
	}
}
