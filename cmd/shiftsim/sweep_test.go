package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sweep re-reads the scenario per combination: the low-traffic-blind
// scenario's canary is blind at 0.1 requests/s and sees the fault at 10.
func TestSweepTraffic(t *testing.T) {
	code, out, errs := runCLI("sweep", "../../scenarios/low-traffic-blind.yaml", "--vary", "traffic.rate=0.1,10",
		"--runs", "8", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Points []struct {
			Values  map[string]string `json:"values"`
			Results []struct {
				Strategy            string  `json:"strategy"`
				RollbackProbability float64 `json:"rollback_probability"`
			} `json:"results"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Points) != 2 || doc.Points[0].Values["traffic.rate"] != "0.1" {
		t.Fatalf("points %+v", doc.Points)
	}
	blind, seen := doc.Points[0].Results[0], doc.Points[1].Results[0]
	if blind.RollbackProbability > 0.5 || seen.RollbackProbability != 1 {
		t.Errorf("%s: rollback probability %v at 0.1/s, %v at 10/s", blind.Strategy, blind.RollbackProbability, seen.RollbackProbability)
	}
	code, out, _ = runCLI("sweep", "../../scenarios/low-traffic-blind.yaml", "--vary", "traffic.rate=1", "--runs", "2", "--output", "csv")
	if code != 0 || !strings.HasPrefix(out, "traffic.rate,strategy,rollback_probability") {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
}

// A varied value the scenario rejects is reported with the user's file
// and line: the value is decoded into the key the file has there. A key
// the scenario lacks, or a value its key cannot take, names the --vary
// flag, the key, what it takes and its line.
func TestSweepErrorsNameTheLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	os.WriteFile(file, []byte("name: s\ntraffic:\n  rate: 5\nversions:\n  current: {latency: {median: 50ms, p99: 100ms}}\n  target: {error_rate: 0.01}\ndeployment: {strategies: [AllAtOnce]}\n"), 0o644)
	code, _, errs := runCLI("sweep", file, "--vary", "versions.target.error_rate=0.1,1.5", "--runs", "1")
	if code != 2 || !strings.Contains(errs, "versions.target.error_rate=1.5") || !strings.Contains(errs, "s.yaml:6:") {
		t.Errorf("exit %d: %s", code, errs)
	}
	for _, c := range []struct{ vary, want string }{
		{"traffic.rate=5,fast", `--vary traffic.rate=fast: ` + file + `:3: traffic.rate: expected a number, got "fast"`},
		{"traffic.rat=5", `--vary traffic.rat=5: ` + file + `:2: traffic.rat: unknown field (did you mean rate?)`},
		{"faults[0].error_rate=1", `--vary faults[0].error_rate=1: ` + file + `: faults[0]: no such item: the list has 0`},
		{"traffic..rate=1", `--vary traffic..rate=1: ` + file + `: traffic..rate: not a path`},
	} {
		code, _, errs := runCLI("sweep", file, "--vary", c.vary, "--runs", "1")
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("--vary %s: exit %d: %s\nwant %s", c.vary, code, errs, c.want)
		}
	}
	for _, c := range [][]string{{"sweep", file}, {"sweep", file, "--vary", "traffic.rate"}} {
		if code, _, errs := runCLI(c...); code != 2 {
			t.Errorf("%v: exit %d %s", c, code, errs)
		}
	}
}

// recommend picks the fastest plan within the budget, and prints it in a
// shape CodeDeploy (and shiftsim) read back.
func TestRecommend(t *testing.T) {
	code, out, errs := runCLI("recommend", "../../scenarios/bad-canary.yaml", "--max-failed", "100", "--runs", "5", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Recommended *struct {
			Strategy         string          `json:"strategy"`
			Planned          float64         `json:"planned_duration_s"`
			Quantile         float64         `json:"blast_radius_quantile"`
			DeploymentConfig json.RawMessage `json:"DeploymentConfig"`
		} `json:"recommended"`
		Candidates []struct {
			Strategy string  `json:"strategy"`
			Planned  float64 `json:"planned_duration_s"`
			Fits     bool    `json:"fits"`
			Frontier bool    `json:"on_frontier"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	rec := doc.Recommended
	if rec == nil || rec.Quantile > 100 {
		t.Fatalf("recommended %+v", rec)
	}
	for _, c := range doc.Candidates {
		if c.Fits && c.Planned < rec.Planned {
			t.Errorf("%s fits and is faster (%vs) than the recommended %s (%vs)", c.Strategy, c.Planned, rec.Strategy, rec.Planned)
		}
	}
	// The DeploymentConfig reads back as a scenario strategy.
	dir := t.TempDir()
	scen := "name: r\ntraffic: {rate: 1}\nversions:\n  current: {latency: {median: 50ms, p99: 100ms}}\n  target: {}\ndeployment:\n  strategies:\n    - " + string(rec.DeploymentConfig) + "\n"
	file := filepath.Join(dir, "r.yaml")
	os.WriteFile(file, []byte(scen), 0o644)
	if code, _, errs := runCLI("validate", file); code != 0 {
		t.Errorf("the recommended DeploymentConfig does not read back: %s\n%s", errs, scen)
	}
	// An impossible budget: no plan, said plainly with the nearest plans, exit 1 (issue 8's contract).
	code, out, _ = runCLI("recommend", "../../scenarios/bad-canary.yaml", "--max-failed", "0", "--runs", "2")
	if code != 1 || !strings.Contains(out, "No plan meets both the failure budget and the false-rollback limit. Nearest:") {
		t.Errorf("impossible budget: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI("recommend", "../../scenarios/bad-canary.yaml"); code != 2 {
		t.Errorf("without --max-failed: exit %d", code)
	}
}
