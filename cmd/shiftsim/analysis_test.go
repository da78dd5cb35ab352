package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// "Why did my AnalysisRun fail?": failureLimit 1 trips on the second failure
// (strict >), the Error is not counted and delays the next measurement by
// 10 s.
func TestAnalysisArgoCLI(t *testing.T) {
	code, out, errs := runCLI("analysis", "argo", "--interval", "1m", "--count", "5", "--failure-limit", "1",
		"--values", "0.97,0.93,-,0.99,0.90,0.99", "--success-condition", "result[0] >= 0.95", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		SchemaVersion int    `json:"schema_version"`
		Phase         string `json:"phase"`
		Unused        int    `json:"unused_measurements"`
		Measurements  []struct {
			AtS   float64 `json:"at_s"`
			Phase string  `json:"phase"`
			Count int     `json:"count"`
			Rule  string  `json:"rule"`
		} `json:"measurements"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Measurements
	if doc.SchemaVersion != 1 || doc.Phase != "Failed" || len(m) != 5 || doc.Unused != 1 || m[4].Rule != "failed 2 > failureLimit 1" ||
		m[2].Count != 2 || m[3].AtS != 130 || m[4].AtS != 190 {
		t.Errorf("argo: %s", out)
	}
}

func TestAnalysisFlaggerCLI(t *testing.T) {
	code, out, errs := runCLI("analysis", "flagger", "--interval", "1m", "--threshold", "2", "--step-weight", "20", "--max-weight", "50",
		"--values", "99.5,98,99.9,-,100", "--min", "99")
	if code != 0 || !strings.Contains(out, "result: Failed") || !strings.Contains(out, "failed: no values found") || !strings.Contains(out, "5     5m0s") {
		t.Errorf("flagger: exit %d %s\n%s", code, errs, out)
	}
	for _, args := range [][]string{
		{"analysis"},
		{"analysis", "argo"},
		{"analysis", "argo", "--outcomes", "S,X"},
		{"analysis", "argo", "--count", "3", "--outcomes", "S"},
		{"analysis", "argo", "--values", "1", "--success-condition", "result >"},
		{"analysis", "flagger", "--checks", "pass"},
		{"analysis", "flagger", "--step-weight", "10", "--values", "1"},
	} {
		if code, _, _ := runCLI(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestAnalysisSequentialCLI(t *testing.T) {
	code, out, errs := runCLI("analysis", "sequential", "--events", strings.Repeat("B", 40), "--one-sided", "-o", "json")
	if code != 0 || !strings.Contains(out, `"stopped_at_event": 29`) {
		t.Errorf("exit %d %s\n%s", code, errs, out)
	}
	if code, _, _ := runCLI("analysis", "sequential", "--events", "ABX"); code != 2 {
		t.Errorf("bad event: exit %d", code)
	}
	if code, _, _ := runCLI("analysis", "sequential", "--events", "AB", "--canary-share", "1.5"); code != 2 {
		t.Errorf("bad share: exit %d", code)
	}
}
