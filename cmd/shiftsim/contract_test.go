package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line in-process.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// The JSON of compare is a contract scripts and acceptance tests rely on:
// these keys, these types, one result per strategy in the scenario's order.
func TestCompareJSONContract(t *testing.T) {
	code, out, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc["scenario"] != "bad-canary" || doc["seed"] != float64(42) {
		t.Errorf("scenario/seed: %v %v", doc["scenario"], doc["seed"])
	}
	results, _ := doc["results"].([]any)
	want := []string{"AllAtOnce", "Canary10Percent5Minutes", "Canary10Percent10Minutes", "Linear10PercentEvery1Minute", "Linear10PercentEvery3Minutes"}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d", len(results), len(want))
	}
	for i, r := range results {
		m := r.(map[string]any)
		if m["strategy"] != want[i] {
			t.Errorf("result %d strategy %v, want %s", i, m["strategy"], want[i])
		}
		for _, k := range []string{"status", "rolled_back", "rollback_cause", "deployment_start_s", "full_shift_s", "end_s", "detected_s",
			"requests", "target_requests", "failed_requests", "target_failed_requests"} {
			if _, ok := m[k]; !ok {
				t.Errorf("result %d lacks %q", i, k)
			}
		}
		if _, ok := m["rolled_back"].(bool); !ok {
			t.Errorf("rolled_back is %T", m["rolled_back"])
		}
		if m["rolled_back"] == true {
			c, _ := m["rollback_cause"].(string)
			if !strings.HasPrefix(c, "alarm:") && !strings.HasPrefix(c, "hook:") {
				t.Errorf("rollback_cause %v", m["rollback_cause"])
			}
		} else if m["rollback_cause"] != nil {
			t.Errorf("not rolled back but cause %v", m["rollback_cause"])
		}
		if m["deployment_start_s"] != float64(300) {
			t.Errorf("deployment_start_s %v", m["deployment_start_s"])
		}
	}
	// AllAtOnce: 100 % at the start, done at once, before the alarm can see anything.
	all := results[0].(map[string]any)
	if all["status"] != "Succeeded" || all["full_shift_s"] != float64(300) || all["end_s"] != float64(300) {
		t.Errorf("AllAtOnce: %v %v %v", all["status"], all["full_shift_s"], all["end_s"])
	}
	// The canary never reaches 100 %: rolled back by the alarm.
	can := results[1].(map[string]any)
	if can["status"] != "Stopped" || can["full_shift_s"] != nil || can["rollback_cause"] != "alarm:orders-live-v2-errors" {
		t.Errorf("canary: %v %v %v", can["status"], can["full_shift_s"], can["rollback_cause"])
	}
}

func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\nversions: {current: {latency: {median: 1s, p99: 2s}}, target: {}}\ntraffic: {rate: 1}\ndeployment: {strategies: [Canary10Percent6Minutes]}\n"), 0o644)
	cases := []struct {
		args []string
		code int
		in   string // in stderr
	}{
		{[]string{"compare", bad}, 2, "bad.yaml:4: deployment.strategies[0]: unknown Lambda deployment configuration"},
		{[]string{"compare", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{[]string{"compare"}, 2, "want exactly one SCENARIO"},
		{[]string{"compare", "../../scenarios/healthy.yaml", "--output", "xml"}, 2, "--output"},
		{[]string{"compare", "../../scenarios/healthy.yaml", "--bogus"}, 2, "unknown flag"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"run", "../../scenarios/bad-canary.yaml"}, 2, "--strategy is required"},
		{[]string{"run", "../../scenarios/bad-canary.yaml", "--strategy", "Canary99"}, 2, "unknown Lambda deployment configuration"},
		{[]string{"validate", "../../scenarios/healthy.yaml"}, 0, ""},
		{[]string{"compare", "--help"}, 0, ""},
		{[]string{"strategies"}, 0, ""},
	}
	for _, c := range cases {
		code, _, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(errs, c.in) {
			t.Errorf("%v: exit %d stderr %q; want exit %d containing %q", c.args, code, errs, c.code, c.in)
		}
		if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: panicked: %s", c.args, errs)
		}
	}
}

// run --output json carries the timeline; a simulated rollback exits 0.
func TestRunTimeline(t *testing.T) {
	code, out, errs := runCLI("run", "../../scenarios/bad-canary.yaml", "--strategy", "Linear10PercentEvery1Minute", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Results []struct {
			Timeline []struct {
				At   float64 `json:"t_s"`
				Kind string  `json:"kind"`
				Text string  `json:"text"`
			} `json:"timeline"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	var kinds []string
	for _, e := range doc.Results[0].Timeline {
		kinds = append(kinds, e.Kind)
	}
	got := strings.Join(kinds, ",")
	if !strings.Contains(got, "deployment,weight,weight") || !strings.Contains(got, "alarm,rollback,deployment") {
		t.Errorf("timeline kinds %s", got)
	}
}
