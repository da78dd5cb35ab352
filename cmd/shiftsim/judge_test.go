package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The contract: judge --control F --experiment F ... --output json
// gives an object with w, p_value, ci_low, ci_high, estimate and
// classification; the numbers are R's for its documented example
// (Hollander & Wolfe's permeability data, x the experiment).
func TestJudgeContract(t *testing.T) {
	x := writeTemp(t, "x.json", "[0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]")
	y := writeTemp(t, "y.txt", "1.15\n0.88\n0.90\n0.74\n1.21\n")
	for _, tt := range []struct {
		args []string
		p    float64
		tol  float64
	}{
		{[]string{"--alternative", "greater", "--exact"}, 0.1272, 5e-5},                              // W = 35, p-value = 0.1272
		{[]string{"--alternative", "greater", "--no-correct"}, 0.1103, 5e-5},                         // W = 35, p-value = 0.1103
		{[]string{"--exact", "--confidence", "0.95"}, 0.2544, 5e-5},                                  // exact two-sided
		{[]string{"--confidence", "0.95", "--alternative", "two-sided"}, 0.24462360512698333, 1e-12}, // normal, corrected
	} {
		args := append([]string{"judge", "--control", y, "--experiment", x, "--output", "json"}, tt.args...)
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errs)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"w", "p_value", "ci_low", "ci_high", "estimate", "classification"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%v: no %q in %s", tt.args, k, out)
			}
		}
		if doc["w"] != 35.0 || math.Abs(doc["p_value"].(float64)-tt.p) > tt.tol || doc["classification"] != "Pass" {
			t.Errorf("%v: w %v p %v class %v, want 35, %v, Pass", tt.args, doc["w"], doc["p_value"], doc["classification"], tt.p)
		}
		if strings.Contains(strings.Join(tt.args, " "), "--exact") && doc["estimate"] != 0.305 && math.Abs(doc["estimate"].(float64)-0.305) > 1e-12 {
			t.Errorf("%v: estimate %v, want 0.305", tt.args, doc["estimate"])
		}
	}
	// A regression the classifier catches: latencies three times higher.
	hi := writeTemp(t, "hi.txt", "300\n310\n320\n330\n305\n315\n325\n335\n")
	lo := writeTemp(t, "lo.txt", "100\n110\n120\n130\n105\n115\n125\n135\n")
	code, out, _ := runCLI("judge", "--control", lo, "--experiment", hi, "-o", "json")
	if code != 0 || !strings.Contains(out, `"classification": "High"`) {
		t.Errorf("regression: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("judge", "--control", lo, "--experiment", hi, "--direction", "decrease", "-o", "json")
	if code != 0 || !strings.Contains(out, `"classification": "Pass"`) {
		t.Errorf("regression with --direction decrease: exit %d\n%s", code, out)
	}
}

func TestJudgeErrors(t *testing.T) {
	good := writeTemp(t, "g.txt", "1\n2\n3\n")
	bad := writeTemp(t, "b.txt", "1\ntwo\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--control", good}, "--experiment is required"},
		{[]string{"--control", good, "--experiment", bad}, `b.txt:2: "two" is not a number`},
		{[]string{"--control", good, "--experiment", good, "--alternative", "bigger"}, "--alternative"},
		{[]string{"--control", good, "--experiment", good, "--confidence", "98"}, "--confidence 98"},
		{[]string{"--control", good, "--experiment", good, "--direction", "up"}, "--direction"},
	} {
		code, _, errs := runCLI(append([]string{"judge"}, tt.args...)...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
}

// judge --canary scores several metrics as Kayenta does: latency (weight 60)
// has one High of two (50), errors (the remaining 40) passes (100): 70,
// below marginal 75: Fail. Making p99 critical forces 0.
func TestJudgeCanary(t *testing.T) {
	doc := `{
  "classifier": {"groupWeights": {"latency": 60}},
  "scoreThresholds": {"pass": 95, "marginal": 75},
  "metrics": [
    {"name": "p99", "groups": ["latency"], "control": [100,110,120,130,105,115,125,135], "experiment": [300,310,320,330,305,315,325,335],
     "analysisConfigurations": {"canary": {"direction": "increase", "critical": CRIT}}},
    {"name": "p50", "groups": ["latency"], "control": [10,11,12,13,14,15], "experiment": [10,11,12,13,14,15.5]},
    {"name": "errors", "groups": ["errors"], "control": [0.1,0.2,0.1,0.3,null], "experiment": [0.1,0.2,0.2,0.1],
     "analysisConfigurations": {"canary": {"outliers": {"strategy": "remove"}}}}
  ]
}`
	for crit, want := range map[string]string{"false": `"score": 70`, "true": `"score": 0`} {
		path := writeTemp(t, "canary-"+crit+".json", strings.Replace(doc, "CRIT", crit, 1))
		code, out, errs := runCLI("judge", "--canary", path, "-o", "json")
		if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, `"verdict": "Fail"`) || !strings.Contains(out, `"classification": "High"`) {
			t.Errorf("critical %s: exit %d %s\n%s", crit, code, errs, out)
		}
	}
	bad := writeTemp(t, "bad.json", `{"metrics": [{"name": "x", "contrl": [1]}]}`)
	if code, _, errs := runCLI("judge", "--canary", bad); code != 2 || !strings.Contains(errs, `unknown field "contrl"`) {
		t.Errorf("unknown field: exit %d %s", code, errs)
	}
}

// Every JSON document of judge and analysis carries schema_version exactly once.
func TestJudgeAnalysisSchemaVersionOnce(t *testing.T) {
	x := writeTemp(t, "x1.txt", "1\n2\n3\n")
	y := writeTemp(t, "y1.txt", "2\n3\n4\n")
	for _, args := range [][]string{
		{"judge", "--control", y, "--experiment", x, "-o", "json"},
		{"analysis", "sequential", "--events", "BBA", "-o", "json"},
		{"analysis", "argo", "--outcomes", "S", "-o", "json"},
		{"analysis", "flagger", "--step-weight", "50", "--checks", "pass", "-o", "json"},
	} {
		code, out, errs := runCLI(args...)
		if code != 0 || strings.Count(out, `"schema_version"`) != 1 {
			t.Errorf("%v: exit %d %s\n%s", args, code, errs, out)
		}
	}
}
