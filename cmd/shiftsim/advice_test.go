package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// hairTrigger: a healthy version 2 (it fails like version 1, 0.1 %) under
// the SAM-style alarm "any error of the new version in one minute".
const hairTrigger = `name: hair-trigger
seed: 11
horizon: 40m
function: {name: fn, alias: live}
traffic: {rate: 100}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}}
  target:  {version: "2", error_rate: TARGET, latency: {median: 50ms, p99: 160ms}}
alarms:
  - AlarmName: fn-v2-any-error
    Namespace: AWS/Lambda
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: fn}, {Name: Resource, Value: "fn:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
deployment:
  strategies: [Linear10PercentEvery3Minutes, Canary10Percent15Minutes]
`

func hairTriggerFile(t *testing.T, targetErrors string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hair-trigger.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(hairTrigger, "TARGET", targetErrors, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// compare --runs N --output json: every result has false_rollback_probability
// in [0, 1] (the contract), here near 1, with the alarm responsible.
func TestCompareFalseRollbackJSON(t *testing.T) {
	code, out, errs := runCLI("compare", hairTriggerFile(t, "0.001"), "--runs", "30", "-q", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != 2 {
		t.Fatalf("%d results", len(doc.Results))
	}
	for _, r := range doc.Results {
		p, ok := r["false_rollback_probability"].(float64)
		if !ok || p < 0.9 || p > 1 {
			t.Errorf("%v: false_rollback_probability %v, want a number near 1", r["strategy"], r["false_rollback_probability"])
		}
		causes, _ := r["false_rollback_causes"].(map[string]any)
		if causes["alarm:fn-v2-any-error"] != p*30 {
			t.Errorf("%v: causes %v", r["strategy"], causes)
		}
		if v, _ := r["verdict"].(string); !strings.Contains(v, "false rollbacks") {
			t.Errorf("%v: verdict %q", r["strategy"], v)
		}
	}
	// The one-run document carries it too, as 0 or 1.
	code, out, _ = runCLI("compare", "../../scenarios/shared-dependency-outage.yaml", "--output", "json")
	if code != 0 || !strings.Contains(out, `"false_rollback_probability": 1`) || !strings.Contains(out, `"false_rollback_cause": "alarm:`) {
		t.Errorf("exit %d; one-run compare lacks the twin's false rollback:\n%.2000s", code, out)
	}
	// The table opens with a verdict per strategy.
	_, out, _ = runCLI("compare", hairTriggerFile(t, "0.05"), "--runs", "20", "-q")
	if !strings.Contains(out, "Canary10Percent15Minutes: rolls back a bad version in 100 % of runs within") || !strings.Contains(out, "false rollbacks 100 % (alarm:fn-v2-any-error)") {
		t.Errorf("no verdict lines:\n%s", out)
	}
}

// recommend refuses plans that roll back a healthy version more often than
// --max-false-rollback; when none qualifies it says so, lists the nearest
// and exits 1; a bad flag value is an input error.
func TestRecommendMaxFalseRollback(t *testing.T) {
	code, out, errs := runCLI("recommend", hairTriggerFile(t, "0.001"), "--max-failed", "100", "--runs", "20", "-q", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Recommended *struct {
			Strategy                 string          `json:"strategy"`
			Predefined               *bool           `json:"predefined"`
			TrafficRoutingConfig     json.RawMessage `json:"TrafficRoutingConfig"`
			FalseRollbackProbability float64         `json:"false_rollback_probability"`
		} `json:"recommended"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if r := doc.Recommended; r == nil || r.Predefined == nil || len(r.TrafficRoutingConfig) == 0 || r.FalseRollbackProbability > 0.05 {
		t.Errorf("recommended %+v: want a plan that does not roll back the healthy version", doc.Recommended)
	}

	// A bad version under the hair trigger: AllAtOnce hurts everyone, every
	// other plan rolls the healthy twin back. No plan qualifies.
	code, out, errs = runCLI("recommend", hairTriggerFile(t, "0.05"), "--max-failed", "100", "--runs", "20", "-q")
	if code != 1 || !strings.Contains(errs, "no plan meets both") || !strings.Contains(out, "Nearest:") || !regexp.MustCompile(`false rollbacks \d+ % \(limit 5 %\)`).MatchString(out) {
		t.Errorf("exit %d, stderr %q:\n%s", code, errs, out)
	}
	code, out, _ = runCLI("recommend", hairTriggerFile(t, "0.05"), "--max-failed", "100", "--runs", "20", "-q", "-o", "json")
	if code != 1 || !strings.Contains(out, `"recommended": null`) || !strings.Contains(out, `"nearest": [`) {
		t.Errorf("json: exit %d:\n%.1500s", code, out)
	}
	// Allowing every false rollback, a plan qualifies again.
	if code, _, errs := runCLI("recommend", hairTriggerFile(t, "0.05"), "--max-failed", "100", "--max-false-rollback", "1", "--runs", "20", "-q"); code != 0 {
		t.Errorf("--max-false-rollback 1: exit %d: %s", code, errs)
	}
	for _, bad := range []string{"1.5", "-0.1", "NaN"} {
		if code, _, errs := runCLI("recommend", hairTriggerFile(t, "0.05"), "--max-failed", "100", "--max-false-rollback", bad); code != 2 || !strings.Contains(errs, "--max-false-rollback") {
			t.Errorf("--max-false-rollback %s: exit %d: %s", bad, code, errs)
		}
	}
}

// run says which poll phase it used, in JSON and in the narration.
func TestRunPollPhase(t *testing.T) {
	code, out, errs := runCLI("run", "../../scenarios/bad-canary.yaml", "-s", "AllAtOnce", "--output", "json")
	if code != 0 || !strings.Contains(out, `"poll_phase_s": 22,`) || !strings.Contains(out, `"poll_phase_random": true`) {
		t.Errorf("exit %d %s:\n%.1500s", code, errs, out)
	}
	_, out, _ = runCLI("run", "../../scenarios/reference-workload.yaml", "--explain")
	if !strings.Contains(out, "Poll phase 0s (fixed by monitoring.poll_phase)") {
		t.Errorf("explain:\n%.800s", out)
	}
}

// The case, from a real SAM template: its alarm (Errors > 0 in 2
// of 2 minutes) on a healthy version imported with shiftsim's defaults
// rolls Linear10PercentEvery10Minutes back nearly always; recommend picks a
// plan that does not.
func TestImportedSAMHairTrigger(t *testing.T) {
	src := filepath.Join("..", "..", "..", "shared", "data", "deploy", "sam-templates", "raulnq_aws-lambda-safe-deployments_template.yml")
	if _, err := os.Stat(src); err != nil {
		t.Skip("the SAM template samples are not here")
	}
	scen := filepath.Join(t.TempDir(), "sam.yaml")
	if code, _, errs := runCLI("import", "sam", src, "--out", scen); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	code, out, errs := runCLI("compare", scen, "--runs", "40", "-q", "-o", "json")
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, errs)
	}
	var doc struct {
		Results []struct {
			Strategy string  `json:"strategy"`
			P        float64 `json:"false_rollback_probability"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != 1 || doc.Results[0].Strategy != "Linear10PercentEvery10Minutes" || doc.Results[0].P < 0.9 {
		t.Errorf("results %+v: want Linear10PercentEvery10Minutes rolling back the healthy version nearly always", doc.Results)
	}
	code, out, errs = runCLI("recommend", scen, "--max-failed", "50", "--runs", "30", "-q", "-o", "json")
	var rec struct {
		Recommended *struct {
			Strategy string  `json:"strategy"`
			P        float64 `json:"false_rollback_probability"`
		} `json:"recommended"`
		Healthy bool `json:"healthy_target"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("exit %d %s: %v", code, errs, err)
	}
	if code != 0 || rec.Recommended == nil || rec.Recommended.P > 0.05 || !rec.Healthy {
		t.Errorf("exit %d: recommended %+v (healthy %v)", code, rec.Recommended, rec.Healthy)
	}
}

// poll_phase: 0s is the grid every run used before the phase existed: the
// numbers the README showed then, to the request — as the batched engine
// draws them since its count cells are metric minutes and its binomials
// its own (the same law, other draws: docs/engine.md); the outcomes
// (statuses, causes, times) are the earlier ones.
func TestPhaseZeroReproducesEarlierNumbers(t *testing.T) {
	data, err := os.ReadFile("../../scenarios/bad-canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(data), "monitoring:\n", "monitoring:\n  poll_phase: 0s\n", 1)
	p := filepath.Join(t.TempDir(), "bad-canary-0.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("compare", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	norm := strings.Join(strings.Fields(out), " ")
	for _, row := range []string{
		"AllAtOnce Succeeded - 0m00s 3m00s 0m00s 150755 7506 7541 4.18%",
		"Canary10Percent5Minutes Stopped alarm:orders-live-v2-errors - 3m00s 3m00s 1782 91 265 0.15%",
		"Canary10Percent10Minutes Stopped alarm:orders-live-v2-errors - 3m00s 3m00s 1782 91 265 0.15%",
		"Linear10PercentEvery1Minute Stopped alarm:orders-live-v2-errors - 3m00s 3m00s 3601 196 372 0.21%",
		"Linear10PercentEvery3Minutes Stopped alarm:orders-live-v2-errors - 3m00s 3m00s 1782 91 265 0.15%",
	} {
		if !strings.Contains(norm, row) {
			t.Errorf("phase 0 lacks the earlier row %q:\n%s", row, out)
		}
	}
}
