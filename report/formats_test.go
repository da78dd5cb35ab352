package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sweep"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it, review the diff):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func f(x float64) *float64 { return &x }
func s(x string) *string   { return &x }

// single is a comparison of one run per strategy, shaped like bad-canary's.
func single() Compared {
	return Compared{Scenario: "bad-canary", Seed: 42, Horizon: 1800, Results: []Result{
		{Strategy: "AllAtOnce", Config: "CodeDeployDefault.LambdaAllAtOnce", Status: "Succeeded", DeploymentStart: 300,
			FullShift: f(300), End: f(300), Detected: f(480), Requests: 180412, TargetRequests: 150674,
			FailedRequests: 7600, TargetFailedRequests: 7569},
		{Strategy: "Canary10Percent5Minutes", Config: "CodeDeployDefault.LambdaCanary10Percent5Minutes", Status: "Stopped",
			RolledBack: true, RollbackCause: s("alarm:orders-live-v2-errors"), DeploymentStart: 300, End: f(480),
			Detected: f(480), Requests: 180412, TargetRequests: 1776, FailedRequests: 261, TargetFailedRequests: 79},
		{Strategy: "my|custom", Config: "my|custom", Status: "Succeeded", DeploymentStart: 300, FullShift: f(900.5),
			End: f(900.5), Requests: 0},
	}}
}

// series makes n values a, a+step, ...; NaN where null(i).
func series(n int, a, step float64, null func(i int) bool) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = a + step*float64(i%7) + step*float64(i)/10
		if null != nil && null(i) {
			xs[i] = math.NaN()
		}
	}
	return xs
}

// many is a comparison of 20 runs per strategy, from fixed samples.
func many() ComparedRuns {
	never := func(int) bool { return true }
	some := func(i int) bool { return i%4 == 0 }
	mk := func(name string, rolled int, fail float64, full func(int) bool) sweep.Stats {
		at := sweep.Wilson(20-rolled, 20)
		st := sweep.Stats{Strategy: name, Config: "CodeDeployDefault.Lambda" + name, Runs: 20, Planned: 5 * time.Minute,
			Requests: sweep.Summarize(series(20, 180000, 40, nil)), TargetRequests: sweep.Summarize(series(20, 1700, 10, nil)),
			FailedRequests: sweep.Summarize(series(20, 260, 3, nil)), TargetFailedRequests: sweep.Summarize(series(20, fail, 2, nil)),
			DeploymentStart: sweep.Summarize(series(20, 300, 0, nil)), FullShift: sweep.Summarize(series(20, 600, 0, full)),
			End: sweep.Summarize(series(20, 480, 60, nil)), Detected: sweep.Summarize(series(20, 480, 60, some)),
			TimeToDetect: sweep.Summarize(series(20, 180, 60, some)), Duration: sweep.Summarize(series(20, 180, 60, nil)),
			RolledBack: sweep.Wilson(rolled, 20), FaultAtFull: &at,
			TimeToRollback:     sweep.Summarize(series(20, 180, 30, func(i int) bool { return i >= rolled })),
			ExcessTargetFailed: sweep.Summarize(series(20, fail-2, 2, nil)), ExcessFailed: sweep.Summarize(series(20, fail-1, 3, nil)),
			FalseRollback: sweep.Wilson(rolled/9, 20), FalseCauses: []sweep.Count{{Value: "alarm:orders-live-v2-errors", N: rolled / 9}},
			Statuses: []sweep.Count{{Value: "Stopped", N: rolled}, {Value: "Succeeded", N: 20 - rolled}},
			Causes:   []sweep.Count{{Value: "alarm:orders-live-v2-errors", N: rolled}}}
		return st
	}
	st := []sweep.Stats{mk("Canary10Percent5Minutes", 18, 80, never), mk("AllAtOnce", 0, 7500, nil)}
	st[1].Planned = 0
	st[1].Statuses = st[1].Statuses[1:]
	st[1].Causes = nil
	return ComparedRuns{Scenario: "bad-canary", Seed: 42, Horizon: 1800, Runs: 20, Engine: "auto",
		Results: FromStats(st, []bool{true, true})}
}

func TestGoldenSingle(t *testing.T) {
	doc := single()
	var tb, md, cv bytes.Buffer
	if err := Table(&tb, doc); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, doc); err != nil {
		t.Fatal(err)
	}
	if err := CSV(&cv, doc); err != nil {
		t.Fatal(err)
	}
	golden(t, "single.table.golden", tb.Bytes())
	golden(t, "single.md.golden", md.Bytes())
	golden(t, "single.csv.golden", cv.Bytes())
}

func TestGoldenRuns(t *testing.T) {
	doc := many()
	var tb, md, cv, js bytes.Buffer
	if err := TableRuns(&tb, doc); err != nil {
		t.Fatal(err)
	}
	if err := MarkdownRuns(&md, doc); err != nil {
		t.Fatal(err)
	}
	if err := CSVRuns(&cv, doc); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, doc); err != nil {
		t.Fatal(err)
	}
	golden(t, "runs.table.golden", tb.Bytes())
	golden(t, "runs.md.golden", md.Bytes())
	golden(t, "runs.csv.golden", cv.Bytes())
	golden(t, "runs.json.golden", js.Bytes())
}

// The multi-run JSON keeps issue 4's contract: every count and time of
// the core contract is an object with these keys, times also with
// null_fraction; a statistic of no value is null, not NaN.
func TestRunsJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, many()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	stats := []string{"mean", "stddev", "min", "p5", "p50", "p95", "max", "ci95_low", "ci95_high"}
	for _, r := range doc.Results {
		if p, ok := r["rollback_probability"].(float64); !ok || p < 0 || p > 1 {
			t.Errorf("rollback_probability %v", r["rollback_probability"])
		}
		for _, k := range []string{"requests", "target_requests", "failed_requests", "target_failed_requests",
			"deployment_start_s", "full_shift_s", "end_s", "detected_s"} {
			m, ok := r[k].(map[string]any)
			if !ok {
				t.Errorf("%s: %T, want an object", k, r[k])
				continue
			}
			for _, st := range stats {
				if _, ok := m[st]; !ok {
					t.Errorf("%s lacks %s", k, st)
				}
			}
			_, hasNull := m["null_fraction"]
			if hasNull != strings.HasSuffix(k, "_s") {
				t.Errorf("%s: null_fraction present %v", k, hasNull)
			}
		}
	}
	full := doc.Results[0]["full_shift_s"].(map[string]any)
	if full["null_fraction"] != float64(1) || full["mean"] != nil {
		t.Errorf("a time that never came: %v", full)
	}
}
