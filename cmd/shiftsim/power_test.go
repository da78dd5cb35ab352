package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The JSON of power is issue 12's contract: results[] with strategy,
// rollback_probability, target_requests, target_failed_requests,
// detection_s quantiles and method; the numbers are the reference
// workload's exact values.
func TestPowerJSONContract(t *testing.T) {
	code, out, errs := runCLI("power", "../../scenarios/reference-workload.yaml", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Results []struct {
			Strategy            string         `json:"strategy"`
			Method              string         `json:"method"`
			RollbackProbability float64        `json:"rollback_probability"`
			TargetRequests      float64        `json:"target_requests"`
			TargetFailed        float64        `json:"target_failed_requests"`
			Detection           map[string]any `json:"detection_s"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Results) != 1 {
		t.Fatalf("%d results, want 1", len(doc.Results))
	}
	r := doc.Results[0]
	if r.Strategy != "Linear10PercentEvery3Minutes" || r.Method != "exact" {
		t.Errorf("strategy %q method %q", r.Strategy, r.Method)
	}
	for _, c := range []struct {
		what      string
		got, want float64
		tol       float64
	}{
		{"rollback_probability", r.RollbackProbability, 0.99984, 0.00001},
		{"target_requests", r.TargetRequests, 94974.8, 0.1},
		{"target_failed_requests", r.TargetFailed, 4748.7, 0.1},
		{"detection_s.mean", r.Detection["mean"].(float64) / 60, 4.689, 0.001},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, q := range []string{"p50", "p90", "p99"} {
		if _, ok := r.Detection[q].(float64); !ok {
			t.Errorf("detection_s.%s missing: %v", q, r.Detection)
		}
	}
}

// A scenario beyond the exact engine falls back to simulation and says why;
// --method exact then refuses with exit 2.
func TestPowerFallback(t *testing.T) {
	code, out, errs := runCLI("power", "../../scenarios/latency-p99.yaml", "-n", "20", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"method": "monte_carlo"`) || !strings.Contains(out, "Duration") {
		t.Errorf("want a monte_carlo result saying why:\n%s", out)
	}
	code, _, errs = runCLI("power", "../../scenarios/latency-p99.yaml", "--method", "exact")
	if code != 2 || !strings.Contains(errs, "Duration") {
		t.Errorf("--method exact: exit %d, %s", code, errs)
	}
}

// power --detect: the shortest canary interval reaching the power is found
// and printed with its false-rollback probability; bad values are exit 2.
func TestPowerDetect(t *testing.T) {
	code, out, errs := runCLI("power", "../../scenarios/bad-canary.yaml", "--detect", "0.95", "--error-rate", "0.05", "-s", "Canary10Percent5Minutes", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Results []struct {
			Strategy         string   `json:"strategy"`
			ShortestInterval *int     `json:"shortest_interval_min"`
			Power            *float64 `json:"shortest_interval_power"`
			False            *float64 `json:"shortest_interval_false_rollback_probability"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Results) != 1 || doc.Results[0].ShortestInterval == nil || *doc.Results[0].Power < 0.95 || doc.Results[0].False == nil {
		t.Errorf("want one result with an interval reaching 0.95:\n%s", out)
	}
	for _, bad := range [][]string{{"--detect", "1.5", "--error-rate", "0.1"}, {"--detect", "0.9"}, {"--detect", "0.9", "--error-rate", "2"}} {
		if code, _, errs := runCLI(append([]string{"power", "../../scenarios/bad-canary.yaml"}, bad...)...); code != 2 {
			t.Errorf("%v: exit %d: %s", bad, code, errs)
		}
	}
}
