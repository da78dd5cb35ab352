package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The time-bomb recording (replay/helpers_test.go's timeBomb): 6,000
// requests a minute for 30 minutes; a canary gave version 2 10 % from
// minute 1 until CodeDeploy stopped it on an alarm at minute 5; version 2
// failed 10 % from minute 3.
const (
	timeBombRec      = "testdata/replay/timebomb.json"
	timeBombScenario = "testdata/replay/analytic.yaml"
)

func TestReplayDeploymentCLI(t *testing.T) {
	code, out, stderr := runCLI("compare", "--replay-deployment", timeBombRec, timeBombScenario, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Seed   uint64
		Replay struct {
			DeploymentID    string  `json:"deployment_id"`
			DeploymentStart float64 `json:"deployment_start_s"`
			Requests        int64
			Versions        []struct {
				Version   string
				Estimated int `json:"periods_estimated"`
				Series    []struct {
					Estimated bool
					ErrorRate float64 `json:"error_rate"`
				}
			}
		}
		Actual struct {
			Source               string
			Status               string
			End                  float64 `json:"end_s"`
			Detected             float64 `json:"detected_s"`
			Requests             int64
			TargetRequests       int64 `json:"target_requests"`
			TargetFailedRequests int64 `json:"target_failed_requests"`
			FailedRequests       int64 `json:"failed_requests"`
			Users                *int64
		}
		Results []struct {
			Strategy             string
			Status               string
			Detected             *float64 `json:"detected_s"`
			End                  *float64 `json:"end_s"`
			Requests             int64
			FailedRequests       int64 `json:"failed_requests"`
			TargetFailedRequests int64 `json:"target_failed_requests"`
			VsActual             struct {
				FailedRequests int64 `json:"failed_requests"`
			} `json:"vs_actual"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	a := doc.Actual
	if a.Source != "codedeploy" || a.Status != "Stopped" || a.End != 300 || a.Detected != 300 || a.Requests != 180000 ||
		a.TargetRequests != 2400 || a.TargetFailedRequests != 120 || a.FailedRequests != 300 || a.Users != nil {
		t.Fatalf("actual %+v", a)
	}
	if doc.Replay.DeploymentID != "d-TIMEBOMB1" || doc.Replay.DeploymentStart != 60 || doc.Replay.Requests != 180000 ||
		doc.Replay.Versions[1].Estimated != 26 || !doc.Replay.Versions[1].Series[29].Estimated || doc.Replay.Versions[1].Series[29].ErrorRate != 0.1 {
		t.Fatalf("replay %+v", doc.Replay)
	}
	if len(doc.Results) != 3 {
		t.Fatalf("%d results", len(doc.Results))
	}
	for _, r := range doc.Results {
		if r.Detected == nil || *r.Detected != 240 || r.Requests != 180000 || r.VsActual.FailedRequests != r.FailedRequests-300 {
			t.Errorf("%s: %+v", r.Strategy, r)
		}
	}
	// The same seed gives the same bytes; the table, Markdown, CSV and
	// HTML say the same.
	if _, again, _ := runCLI("compare", "--replay-deployment", timeBombRec, timeBombScenario, "-o", "json"); again != out {
		t.Fatal("two runs of one seed differ")
	}
	for _, f := range []struct{ format, want string }{
		{"table", "actual (CodeDeployDefault.LambdaCanary10Percent5Minutes)"},
		{"markdown", "| actual (CodeDeployDefault.LambdaCanary10Percent5Minutes) |"},
		{"csv", "actual,CodeDeployDefault.LambdaCanary10Percent5Minutes,Stopped,true,60,,300,300,180000,2400,300,120,0,0"},
		{"html", "26 of 30 periods had no invocations"},
	} {
		code, out, stderr := runCLI("compare", "--replay-deployment", timeBombRec, timeBombScenario, "-o", f.format)
		if code != 0 || !strings.Contains(out, f.want) {
			t.Errorf("-o %s: exit %d, %q not in\n%s%s", f.format, code, f.want, out, stderr)
		}
	}
	// --runs N: the plans that roll back do so in every run (the alarm
	// fires at 240 s with certainty), AllAtOnce never (it has ended); the
	// canary's mean failures on the target are the analytic 6000·0.1·0.1
	// = 60 within four standard errors.
	code, out, stderr = runCLI("compare", "--replay-deployment", timeBombRec, timeBombScenario, "-o", "json", "--runs", "40")
	if code != 0 {
		t.Fatalf("--runs: exit %d: %s", code, stderr)
	}
	var runs struct {
		Runs    int
		Results []struct {
			Strategy string
			Repeated struct {
				Runs               int
				StoppedProbability float64    `json:"stopped_probability"`
				TargetFailedMean   float64    `json:"target_failed_requests_mean"`
				TargetFailedCI95   [2]float64 `json:"target_failed_requests_mean_ci95"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatal(err)
	}
	if runs.Runs != 40 {
		t.Fatalf("runs %d", runs.Runs)
	}
	for _, r := range runs.Results {
		want := 1.0
		if r.Strategy == "AllAtOnce" {
			want = 0
		}
		if x := r.Repeated; x.Runs != 40 || x.StoppedProbability != want {
			t.Errorf("%s: %+v", r.Strategy, x)
		}
		if r.Strategy == "Canary10Percent5Minutes" {
			x := r.Repeated
			se := (x.TargetFailedCI95[1] - x.TargetFailedCI95[0]) / 2 / 1.96
			if z := (x.TargetFailedMean - 60) / se; z > 4 || z < -4 {
				t.Errorf("canary: target failed mean %v, z %v", x.TargetFailedMean, z)
			}
		}
	}

	// A scenario's traffic.users spread the replayed requests too.
	withUsers := filepath.Join(t.TempDir(), "users.yaml")
	sc, _ := os.ReadFile(timeBombScenario)
	os.WriteFile(withUsers, []byte(strings.Replace(string(sc), "traffic: {rate: 1}", "traffic: {rate: 1, users: 300}", 1)), 0o644)
	code, out, stderr = runCLI("compare", "--replay-deployment", timeBombRec, withUsers)
	if code != 0 || !strings.Contains(out, " of 300") {
		t.Fatalf("traffic.users: exit %d\n%s%s", code, out, stderr)
	}

	// --users counts users hurt.
	code, out, stderr = runCLI("compare", "--replay-deployment", timeBombRec, timeBombScenario, "--users", "500")
	if code != 0 || !strings.Contains(out, " of 500") {
		t.Fatalf("--users: exit %d\n%s%s", code, out, stderr)
	}
}

func TestReplayDeploymentBadInput(t *testing.T) {
	dir := t.TempDir()
	rec, side := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.function.json")
	b, _ := os.ReadFile(timeBombRec)
	s, _ := os.ReadFile("testdata/replay/timebomb.function.json")
	os.WriteFile(side, s, 0o644)
	os.WriteFile(rec, []byte(strings.Replace(string(b), `"2026-06-01T12:03:00+00:00"`, `"yesterday"`, 1)), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{rec, timeBombScenario}, `r.json:`},
		{[]string{rec, timeBombScenario}, `is not an RFC 3339 time`},
		{[]string{filepath.Join(dir, "none.json"), timeBombScenario}, "none.json"},
		{[]string{timeBombRec}, "no SCENARIO given"},
		{[]string{timeBombRec, timeBombScenario, "--runs", "0"}, "--runs"},
		{[]string{timeBombRec, timeBombScenario, "--users", "-1"}, "--users"},
	} {
		code, _, stderr := runCLI(append([]string{"compare", "--replay-deployment"}, tc.args...)...)
		if code != exitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q lacks %q", tc.args, code, stderr, tc.want)
		}
	}
	if code, _, stderr := runCLI("compare", timeBombScenario, "--users", "5"); code != exitInput || !strings.Contains(stderr, "--replay-deployment") {
		t.Errorf("--users without a replay: exit %d %s", code, stderr)
	}
}
