package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// strategies --scenario lists a scenario's Argo plans with their schedule
// (every analysis passing as early as it can) and gates.
func TestStrategiesArgo(t *testing.T) {
	got := scenarioStrategyDoc(t, "../../examples/argo.yaml", "argo-canary")
	// 10 % at 0; pause 2m; analysis initialDelay 1m + 4 × 1m; 50 %; pause 5m; 100 %.
	if got == nil || len(got.Steps) != 3 || got.Steps[1] != (stepDoc{At: 420, Percent: 50}) || got.Steps[2] != (stepDoc{At: 720, Percent: 100}) ||
		got.End != 720 || len(got.Gates) != 2 || got.WaitsForUser {
		t.Fatalf("argo-canary: %+v", got)
	}
	code, out, _ := runCLI("strategies", "--scenario", "../../examples/argo.yaml")
	if code != 0 || !strings.Contains(out, "argo-blue-green (ArgoRollouts.blueGreen): blueGreen: promote, postPromotionAnalysis [error-rate]") {
		t.Fatalf("table: %s", out)
	}
}

// run --output json shows every measurement in the steps and the gate
// entries in the timeline; the Argo canary stops at the theory's time.
func TestRunArgoJSON(t *testing.T) {
	code, out, errs := runCLI("run", "../../examples/argo.yaml", "--strategy", "argo-canary", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{`"status": "Stopped"`, `gate:error-rate`, `"kind": "gate"`, "measure error-rate (error_rate target 1m0s)", `"4m0s Measurement 0 `, `-> Rollback; Finish Stopped gate:error-rate weight=0"`} {
		if !strings.Contains(out, want) {
			t.Errorf("run JSON lacks %q", want)
		}
	}
}

// scenarioStrategyDoc is the plan named name in `strategies --scenario file
// --output json` (nil if it is not listed).
func scenarioStrategyDoc(t *testing.T, file, name string) *strategyDoc {
	t.Helper()
	code, out, errs := runCLI("strategies", "--scenario", file, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Strategies []strategyDoc `json:"strategies"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for i := range doc.Strategies {
		if doc.Strategies[i].Name == name {
			return &doc.Strategies[i]
		}
	}
	return nil
}
