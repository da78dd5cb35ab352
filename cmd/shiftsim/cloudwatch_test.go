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
	if code != 0 || strings.Contains(errs, "dimension") || !strings.Contains(out, "orders-live-v2-errors: period 1m0s, 2 of 2 datapoints, range 4; sees version 2 only") {
		t.Errorf("validate %s: exit %d, stderr %s", good, code, errs)
	}
	code, out, errs = runCLI("validate", bad)
	want := bad + `:25: alarms[0].Dimensions: dimension set {Resource: "orders:live", ExecutedVersion: "2"} is not one Lambda publishes`
	if code != 0 || !strings.Contains(out, ": ok") || !strings.HasPrefix(errs, want) || !strings.Contains(out, "sees NO DATA") ||
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

// "Why didn't my p99 alarm fire?": with ignore, a datapoint of fewer than
// 1000 samples leaves the state alone (AWS's rule for p99).
func TestAlarmCommandLowSamplePercentile(t *testing.T) {
	args := []string{"alarm", "--threshold", "400", "--comparison", "GreaterThanThreshold", "--datapoints", "900,900,900",
		"--extended-statistic", "p99", "--samples", "120,999,1000"}
	code, out, errs := runCLI(append(args, "--evaluate-low-sample-count-percentile", "ignore", "--output", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		States  []string
		Reasons []string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if want := []string{"INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "ALARM"}; strings.Join(doc.States, " ") != strings.Join(want, " ") {
		t.Errorf("states %v, want %v", doc.States, want)
	}
	if !strings.Contains(doc.Reasons[1], "999 samples, fewer than the 1000 AWS requires for p99") {
		t.Errorf("reason %q", doc.Reasons[1])
	}
	// evaluate (the default) judges every datapoint.
	if code, out, _ = runCLI(append(args, "--output", "json")...); code != 0 || !strings.Contains(out, `"states": [
    "ALARM",
    "ALARM",
    "ALARM"`) {
		t.Errorf("evaluate: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"--samples", "1,2"},                                 // wrong count
		{"--samples", "1,x,3"},                               // not a number
		{"--extended-statistic", "Average"},                  // not a percentile
		{"--evaluate-low-sample-count-percentile", "Ignore"}, // AWS spells it ignore
		{"--samples", "1,0,3"},                               // a present datapoint has samples
	} {
		a := append(append([]string(nil), args...), bad...)
		if code, _, errs := runCLI(a...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
}
