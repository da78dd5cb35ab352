package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runResult runs one strategy of a scenario and returns its JSON result.
func runResult(t *testing.T, path, strategy string) map[string]any {
	t.Helper()
	code, out, errs := runCLI("run", path, "--strategy", strategy, "--output", "json")
	if code != 0 {
		t.Fatalf("run %s: exit %d: %s", path, code, errs)
	}
	var doc struct{ Results []map[string]any }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("run %s: %v\n%s", path, err, out)
	}
	return doc.Results[0]
}

// The most common real mistake with SAM alarms: {Resource, ExecutedVersion}
// without FunctionName. Lambda never publishes that set, so on AWS the alarm
// gets no data, stays OK (notBreaching) and the bad version reaches 100 %.
// shiftsim must say so at validate time and simulate exactly that, while the
// same scenario with the published set rolls back (docs/cloudwatch.md).
func TestUnpublishedDimensionSetSeesNoData(t *testing.T) {
	good := "../../scenarios/bad-canary.yaml"
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	const fnLine = "      - {Name: FunctionName, Value: orders}\n"
	if !strings.Contains(string(data), fnLine) {
		t.Fatal("bad-canary.yaml no longer has the FunctionName dimension line")
	}
	bad := filepath.Join(t.TempDir(), "no-function-name.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(data), fnLine, "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	// validate: ok with a warning at the Dimensions line; --strict: exit 2.
	code, out, errs := runCLI("validate", good)
	if code != 0 || strings.Contains(errs, "dimension") {
		t.Errorf("validate %s: exit %d, stderr %s", good, code, errs)
	}
	code, out, errs = runCLI("validate", bad)
	want := bad + `:25: alarms[0].Dimensions: dimension set {Resource: "orders:live", ExecutedVersion: "2"} is not one Lambda publishes`
	if code != 0 || !strings.Contains(out, ": ok") || !strings.HasPrefix(errs, want) ||
		!strings.Contains(errs, `nearest published set: {FunctionName: "orders", Resource: "orders:live", ExecutedVersion: "2"}`) {
		t.Errorf("validate: exit %d\nstdout %s\nstderr %s\nwant stderr starting %s", code, out, errs, want)
	}
	code, out, errs = runCLI("validate", "--strict", bad)
	if code != 2 || strings.Contains(out, ": ok") || !strings.Contains(errs, want) || !strings.Contains(errs, "--strict") {
		t.Errorf("validate --strict: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, _, errs = runCLI("validate", "--strict", good); code != 0 {
		t.Errorf("validate --strict on the published set: exit %d: %s", code, errs)
	}

	// The right set rolls the bad version back; the unpublished one cannot.
	for _, strategy := range []string{"Canary10Percent5Minutes", "Linear10PercentEvery1Minute"} {
		r := runResult(t, good, strategy)
		if r["rolled_back"] != true || r["rollback_cause"] != "alarm:orders-live-v2-errors" || r["final_target_weight"] != float64(0) {
			t.Errorf("%s with the published set: rolled back %v cause %v weight %v", strategy, r["rolled_back"], r["rollback_cause"], r["final_target_weight"])
		}
		r = runResult(t, bad, strategy)
		if r["rolled_back"] != false || r["status"] != "Succeeded" || r["final_target_weight"] != float64(1) || r["full_shift_s"] == nil || r["detected_s"] != nil {
			t.Errorf("%s without FunctionName: status %v rolled back %v weight %v full shift %v detected %v; want the bad version at 100 %% and no alarm",
				strategy, r["status"], r["rolled_back"], r["final_target_weight"], r["full_shift_s"], r["detected_s"])
		}
	}
}

// The alarm command prints numbers at full precision: a datapoint just over
// the threshold is not rounded onto it.
func TestAlarmCommandFullPrecision(t *testing.T) {
	code, out, errs := runCLI("alarm", "--threshold", "0.1", "--comparison", "GreaterThanThreshold", "--datapoints", "0.1000001,1000001")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"(> 0.1; 1 needed): [0.1000001]", "(> 0.1; 1 needed): [1000001]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
