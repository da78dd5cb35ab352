package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The contract: run --output json on AppConfig.Canary10Percent20Minutes
// gives the exposure steps 10, 20, 40, 80, 100 % as timeline weight records,
// also when --strategy names a predefined strategy the scenario does not list.
func TestRunAppConfigWeights(t *testing.T) {
	path := writeTemp(t, "ac.yaml", `name: ac
seed: 1
traffic: {rate: 5}
versions:
  current: {latency: {median: 50ms, p99: 100ms}}
  target: {}
deployment:
  strategies: [AppConfig.Canary10Percent20Minutes, Canary10Percent5Minutes]
`)
	for _, name := range []string{"AppConfig.Canary10Percent20Minutes", "AppConfig.Linear50PercentEvery30Seconds"} {
		code, out, errs := runCLI("run", path, "--strategy", name, "--output", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var doc struct {
			Results []struct {
				Status   string
				Timeline []struct {
					T      float64 `json:"t_s"`
					Kind   string
					Weight float64 `json:"target_weight"`
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range doc.Results[0].Timeline {
			if e.Kind == "weight" {
				got = append(got, fmt.Sprintf("%v@%v", e.Weight*100, e.T))
			}
		}
		want := map[string]string{
			"AppConfig.Canary10Percent20Minutes":      "10@240 20@480 40@720 80@960 100@1200",
			"AppConfig.Linear50PercentEvery30Seconds": "50@30 100@60",
		}[name]
		if strings.Join(got, " ") != want || doc.Results[0].Status != "Succeeded" {
			t.Errorf("%s: weights %v status %s, want %s", name, got, doc.Results[0].Status, want)
		}
	}
	code, out, _ := runCLI("strategies", "--output", "json")
	if code != 0 || !strings.Contains(out, `"name": "AppConfig.Canary10Percent20Minutes"`) {
		t.Errorf("strategies does not list AppConfig's: exit %d", code)
	}
}
