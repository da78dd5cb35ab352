package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const manualStopScenario = `name: stop
seed: 3
horizon: 30m
function: {name: orders, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 40ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
monitoring: {poll_phase: 0s}
deployment:
  start: 2m
  strategies: [Linear10PercentEvery1Minute]
  manual_stop: STOP
`

// deployment.manual_stop stops the deployment by hand at its time exactly:
// Linear10PercentEvery1Minute from 2m has the target at 40 % from t+3m;
// a StopDeployment at t+3m30s ends it Stopped (MANUAL_STOP, cause manual)
// at 2m + 3m30s = 330 s, all traffic back on version 1 with rollback, the
// alias left at 40 % without it. A stop past the horizon, or without its
// time or its rollback, is an input error naming the line.
func TestRunManualStop(t *testing.T) {
	dir := t.TempDir()
	write := func(stop string) string {
		p := filepath.Join(dir, "stop.yaml")
		if err := os.WriteFile(p, []byte(strings.Replace(manualStopScenario, "STOP", stop, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		rollback bool
		weight   float64
	}{{true, 0}, {false, 0.4}} {
		stop := "{at: 3m30s, rollback: false}"
		if tc.rollback {
			stop = "{at: 3m30s, rollback: true}"
		}
		code, out, errs := runCLI("run", write(stop), "--output", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var doc struct {
			Results []struct {
				Status      string   `json:"status"`
				RolledBack  bool     `json:"rolled_back"`
				Start       float64  `json:"deployment_start_s"`
				End         *float64 `json:"end_s"`
				FinalWeight float64  `json:"final_target_weight"`
				Steps       []string `json:"steps"`
				Timeline    []struct {
					Text string `json:"text"`
				} `json:"timeline"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
			t.Fatalf("%v\n%s", err, out)
		}
		r := doc.Results[0]
		if r.Status != "Stopped" || r.RolledBack != tc.rollback || r.End == nil || *r.End != 330 || r.Start != 120 || r.FinalWeight != tc.weight {
			t.Errorf("rollback %v: status %s rolled back %v start %v end %v final weight %v", tc.rollback, r.Status, r.RolledBack, r.Start, r.End, r.FinalWeight)
		}
		var texts []string
		for _, e := range r.Timeline {
			texts = append(texts, e.Text)
		}
		all := strings.Join(texts, "\n")
		if !strings.Contains(all, "a user stops the deployment (StopDeployment, AutoRollbackEnabled="+map[bool]string{true: "true", false: "false"}[tc.rollback]+")") ||
			!strings.Contains(all, "deployment Linear10PercentEvery1Minute: Stopped MANUAL_STOP manual") {
			t.Errorf("rollback %v: timeline\n%s", tc.rollback, all)
		}
	}
	for _, tc := range []struct{ stop, want string }{
		{"{at: 3m30s}", "stop.yaml:13: deployment.manual_stop.rollback: missing"},
		{"{rollback: true}", "stop.yaml:13: deployment.manual_stop.at: missing"},
		{"{at: 28m, rollback: true}", "deployment.manual_stop.at: 28m0s after the start (2m0s) is not before the horizon 30m0s"},
		{"{at: -1m, rollback: true}", "stop.yaml:13: deployment.manual_stop.at: negative duration"},
		{"{at: 1m, rollback: true, rolback: false}", "deployment.manual_stop.rolback: unknown"},
	} {
		code, _, errs := runCLI("run", write(tc.stop))
		if code != exitInput || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, %s; want exit 2 with %q", tc.stop, code, errs, tc.want)
		}
	}
}

// stop_cause names what ended a deployment that did not succeed, with or
// without a rollback; rollback_cause only when it rolled back. The table's
// rollback-cause column says none, and what stopped it.
func TestCompareStopCause(t *testing.T) {
	dir := t.TempDir()
	for _, rollback := range []bool{true, false} {
		stop := strings.Replace("{at: 3m30s, rollback: RB}", "RB", map[bool]string{true: "true", false: "false"}[rollback], 1)
		p := filepath.Join(dir, "stop.yaml")
		if err := os.WriteFile(p, []byte(strings.Replace(manualStopScenario, "STOP", stop, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI("compare", p, "--output", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var doc struct {
			Results []struct {
				Status        string  `json:"status"`
				RollbackCause *string `json:"rollback_cause"`
				StopCause     *string `json:"stop_cause"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
			t.Fatalf("%v: %s", err, out)
		}
		r := doc.Results[0]
		if r.Status != "Stopped" || r.StopCause == nil || *r.StopCause != "manual" {
			t.Errorf("rollback %v: status %s, stop_cause %v", rollback, r.Status, r.StopCause)
		}
		if rollback != (r.RollbackCause != nil) || (rollback && *r.RollbackCause != "manual") {
			t.Errorf("rollback %v: rollback_cause %v", rollback, r.RollbackCause)
		}
		_, table, _ := runCLI("compare", p)
		if want := "none: manual stopped it"; rollback == strings.Contains(table, want) {
			t.Errorf("rollback %v: table has %q = %v:\n%s", rollback, want, !rollback, table)
		}
	}
}
