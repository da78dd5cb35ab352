package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// compare gives AppConfig plans AppConfig's state beside CodeDeploy's
// status, as run does: in the table, the HTML report (table and
// timelines) and the JSON; other plans keep CodeDeploy's word alone.
func TestCompareAppConfigStates(t *testing.T) {
	code, out, errs := runCLI("compare", "../../scenarios/peers.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		appConfig := strings.HasPrefix(f[0], "AppConfig.")
		if has := strings.Contains(line, "Stopped (AppConfig: ROLLED_BACK)"); has != appConfig && (appConfig || strings.Contains(line, "AppConfig:")) {
			t.Errorf("row %q: AppConfig state shown %v, want %v", line, has, appConfig)
		}
	}
	if n := strings.Count(out, "(AppConfig: ROLLED_BACK)"); n != 2 {
		t.Errorf("%d AppConfig states in the table, want 2:\n%s", n, out)
	}
	code, html, errs := runCLI("compare", "../../scenarios/peers.yaml", "--output", "html")
	if code != 0 || !strings.Contains(html, "Stopped (AppConfig: ROLLED_BACK)") || !strings.Contains(html, "[AppConfig PERCENTAGE_UPDATED -&gt; DEPLOYING]") {
		t.Errorf("html (exit %d, %s) lacks AppConfig's words", code, errs)
	}
	code, js, errs := runCLI("compare", "../../scenarios/peers.yaml", "--output", "json")
	var doc struct {
		Results []struct {
			Strategy string  `json:"strategy"`
			Family   string  `json:"family"`
			State    *string `json:"appconfig_state"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(js), &doc); code != 0 || err != nil {
		t.Fatalf("json: exit %d %v %s", code, err, errs)
	}
	for _, r := range doc.Results {
		appConfig := strings.HasPrefix(r.Strategy, "AppConfig.")
		if (r.State != nil) != appConfig || (appConfig && *r.State != "ROLLED_BACK") || (r.Family == "AppConfig") != appConfig {
			t.Errorf("%s: family %s, appconfig_state %v", r.Strategy, r.Family, r.State)
		}
	}
}

// The final state read from a run's outcome alone (compare's results
// without a timeline) is the last state its timeline gives, for AppConfig
// plans that complete, roll back, and are cut by the horizon while
// deploying or baking.
func TestAppConfigFinalAgrees(t *testing.T) {
	seen := map[string]bool{}
	for _, path := range []string{"../../scenarios/peers.yaml", "../../scenarios/appconfig-bake.yaml"} {
		s, err := loadScenario(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			horizon float64
			healthy bool
		}{{0.1, false}, {0.3, false}, {1, false}, {1, true}} {
			m := s.Model
			m.Horizon = m.DeployStart + time.Duration(c.horizon*float64(m.Horizon-m.DeployStart))
			if c.healthy { // the target behaves exactly like the current version
				name := m.Versions[sim.Target].Name
				m.Versions[sim.Target] = m.Versions[sim.Current]
				m.Versions[sim.Target].Name = name
				m.Faults = nil
			}
			for _, st := range s.Strategies {
				if st.Config.Type != strategies.AppConfig {
					continue
				}
				res, err := sim.Run(&m, st)
				if err != nil {
					t.Fatal(err)
				}
				with, without := report.FromSim(res, st.Name, true), report.FromSim(res, st.Name, false)
				if (with.AppConfigState == nil) != (without.AppConfigState == nil) ||
					(with.AppConfigState != nil && *with.AppConfigState != *without.AppConfigState) {
					t.Errorf("%s %s horizon %v: from the timeline %v, from the outcome %v", path, st.Name, m.Horizon, with.StatusWords(), without.StatusWords())
				}
				if with.AppConfigState != nil {
					seen[*with.AppConfigState] = true
				}
			}
		}
	}
	for _, want := range []string{"DEPLOYING", "BAKING", "COMPLETE", "ROLLED_BACK"} {
		if !seen[want] {
			t.Errorf("no run ended %s: the test does not cover it (seen %v)", want, seen)
		}
	}
}
