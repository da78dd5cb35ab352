package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type runDoc struct {
	Results []struct {
		Strategy      string
		Status        string
		RolledBack    bool     `json:"rolled_back"`
		Cause         string   `json:"rollback_cause"`
		Start         float64  `json:"deployment_start_s"`
		FullShift     *float64 `json:"full_shift_s"`
		End           *float64 `json:"end_s"`
		TargetFailed  int      `json:"target_failed_requests"`
		TargetRequest int      `json:"target_requests"`
		Timeline      []struct {
			T      float64 `json:"t_s"`
			Kind   string
			Weight float64 `json:"target_weight"`
			Text   string
		}
	}
}

func runJSON(t *testing.T, args ...string) runDoc {
	t.Helper()
	code, out, errs := runCLI(append([]string{"run"}, append(args, "--output", "json")...)...)
	if code != 0 {
		t.Fatalf("run %v: exit %d: %s", args, code, errs)
	}
	var doc runDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// weights lists the timeline's weight records as percent@seconds from the
// deployment start.
func (d runDoc) weights() string {
	r := d.Results[0]
	var got []string
	for _, e := range r.Timeline {
		if e.Kind == "weight" {
			got = append(got, fmt.Sprintf("%v@%v", float64(int(e.Weight*1000+0.5))/10, e.T-r.Start))
		}
	}
	return strings.Join(got, " ")
}

// ecsHealthy: a healthy target, so every plan runs to its end.
const ecsHealthy = `name: ecs
seed: 1
horizon: 3h
traffic: {rate: 2}
versions:
  current: {latency: {median: 50ms, p99: 100ms}}
  target: {}
deployment:
  start: 1m
  strategies:
    - {name: lin10, deploymentConfiguration: {strategy: LINEAR, bakeTimeInMinutes: 30}}
    - {name: lin11, deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 11, stepBakeTimeInMinutes: 5}, bakeTimeInMinutes: 0}}
    - {name: lin12.5, deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 12.5, stepBakeTimeInMinutes: 1}, bakeTimeInMinutes: 2}}
    - {name: can, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 15}}
    - {name: bg, deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: 10}, testTrafficTimeInMinutes: 5}
`

// The exposure steps and durations of `run --output json` equal ECS's rules
// in closed form (docs/plans.md): LINEAR p % every b minutes shifts
// ceil(100/p) times with a step bake after each but the last, so 100 % at
// (ceil(100/p) − 1)·b, and ends the deployment bake later.
func TestRunECSClosedForm(t *testing.T) {
	path := writeTemp(t, "ecs.yaml", ecsHealthy)
	for _, c := range []struct {
		name, weights string
		full, end     float64 // seconds from the deployment start
	}{
		// 10 % every 6 min: 10 shifts, 9 bakes → 100 % at 54 min, then the 30-minute bake.
		{"lin10", "10@0 20@360 30@720 40@1080 50@1440 60@1800 70@2160 80@2520 90@2880 100@3240", 54 * 60, 84 * 60},
		// p = 11: 11, 22, …, 99, then 100 with no bake after it (decision 5).
		{"lin11", "11@0 22@300 33@600 44@900 55@1200 66@1500 77@1800 88@2100 99@2400 100@2700", 45 * 60, 45 * 60},
		{"lin12.5", "12.5@0 25@60 37.5@120 50@180 62.5@240 75@300 87.5@360 100@420", 7 * 60, 9 * 60},
		// CANARY with ECS's defaults: 5 % for 10 minutes, 100 %, then the bake.
		{"can", "5@0 100@600", 600, 25 * 60},
		// BLUE_GREEN: 5 minutes of test traffic at 0 % of production, 100 % at once, the bake.
		{"bg", "100@300", 300, 15 * 60},
	} {
		doc := runJSON(t, path, "--strategy", c.name)
		r := doc.Results[0]
		if got := doc.weights(); got != c.weights {
			t.Errorf("%s: weights %s\nwant %s", c.name, got, c.weights)
		}
		if r.Status != "Succeeded" || r.FullShift == nil || *r.FullShift-r.Start != c.full || r.End == nil || *r.End-r.Start != c.end {
			t.Errorf("%s: status %s full %v end %v, want Succeeded full %v end %v", c.name, r.Status, r.FullShift, r.End, c.full, c.end)
		}
	}
}

// An alarm in ALARM during ECS's deployment bake rolls back (docs/plans.md):
// the fault begins after every plan has reached 100 %, so CodeDeploy's
// AllAtOnce has already succeeded while BLUE_GREEN and CANARY, still baking,
// roll back; a bake of 0 minutes ends before the fault and succeeds.
func TestRunECSAlarmDuringBake(t *testing.T) {
	path := writeTemp(t, "bake.yaml", `name: bake
seed: 5
horizon: 1h
function: {name: f, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 100ms}}
  target:  {version: "2", error_rate: 0}
faults:
  - {version: target, start: 3m, error_rate: 0.5}
alarms:
`+errorsAlarm("v2-errors", "2")+`deployment:
  start: 0s
  strategies:
    - AllAtOnce
    - {name: bg, deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: 20}}
    - {name: bg0, deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: 0}}
    - {name: can, deploymentConfiguration: {strategy: CANARY, canaryConfiguration: {canaryPercent: 10, canaryBakeTimeInMinutes: 1}, bakeTimeInMinutes: 30}}
`)
	for _, c := range []struct {
		name       string
		rolledBack bool
	}{{"AllAtOnce", false}, {"bg", true}, {"bg0", false}, {"can", true}} {
		r := runJSON(t, path, "--strategy", c.name).Results[0]
		if r.RolledBack != c.rolledBack {
			t.Errorf("%s: rolled back %v, want %v (status %s)", c.name, r.RolledBack, c.rolledBack, r.Status)
			continue
		}
		if !c.rolledBack {
			if r.Status != "Succeeded" {
				t.Errorf("%s: status %s", c.name, r.Status)
			}
			continue
		}
		// Rolled back during the bake: after the fault (3 min), before the bake's end.
		if r.Status != "Stopped" || r.Cause != "alarm:v2-errors" || r.End == nil || *r.End <= 180 || *r.End >= 20*60 {
			t.Errorf("%s: status %s cause %s end %v", c.name, r.Status, r.Cause, r.End)
		}
		if r.FullShift == nil || *r.FullShift > 180 {
			t.Errorf("%s: not at 100 %% before the fault: %v", c.name, r.FullShift)
		}
	}
}

// An ECS plan watches the alarms its deploymentConfiguration.alarms names,
// as ECS's DeploymentAlarms does (docs/plans.md): the target's alarm fires
// during the bake; a plan naming only the current version's alarm ignores
// it and succeeds, one naming the target's alarm rolls back, enable: false
// watches none, rollback: false stops without moving traffic back, and a
// plan without the key watches the scenario's alarms.
func TestRunECSDeploymentAlarms(t *testing.T) {
	path := writeTemp(t, "alarms.yaml", `name: ecs-alarms
seed: 5
horizon: 1h
function: {name: f, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 100ms}}
  target:  {version: "2", error_rate: 0}
faults:
  - {version: target, start: 3m, error_rate: 0.5}
alarms:
`+errorsAlarm("v1-errors", "1")+errorsAlarm("v2-errors", "2")+`deployment:
  start: 0s
  strategies:
    - {name: own, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 20, alarms: {alarmNames: [v1-errors], enable: true, rollback: true}}}
    - {name: v2, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 20, alarms: {alarmNames: [v2-errors], enable: true, rollback: true}}}
    - {name: off, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 20, alarms: {alarmNames: [v2-errors], enable: false, rollback: true}}}
    - {name: stay, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 20, alarms: {alarmNames: [v2-errors], enable: true, rollback: false}}}
    - {name: all, deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 20}}
`)
	for _, c := range []struct {
		name, status, cause string
		rolledBack          bool
	}{
		{"own", "Succeeded", "", false},
		{"v2", "Stopped", "alarm:v2-errors", true},
		{"off", "Succeeded", "", false},
		{"stay", "Stopped", "", false}, // rollback_cause is reported for a rollback only
		{"all", "Stopped", "alarm:v2-errors", true},
	} {
		r := runJSON(t, path, "--strategy", c.name).Results[0]
		if r.Status != c.status || r.Cause != c.cause || r.RolledBack != c.rolledBack {
			t.Errorf("%s: %s %q rolled back %v, want %s %q %v", c.name, r.Status, r.Cause, r.RolledBack, c.status, c.cause, c.rolledBack)
		}
		// The unwatched alarm still changes state in CloudWatch: the timeline shows it.
		alarmed := false
		for _, e := range r.Timeline {
			alarmed = alarmed || (e.Kind == "alarm" && strings.Contains(e.Text, "v2-errors"))
		}
		if !alarmed {
			t.Errorf("%s: v2-errors never changed state in the timeline", c.name)
		}
	}
}

func TestStrategiesListsECS(t *testing.T) {
	code, out, errs := runCLI("strategies")
	if code != 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{
		"ECS.Linear10PercentEvery6MinutesBake10Minutes", "54m00s 100%, bake 10 min  1h04m00s",
		"ECS.Canary5Percent10MinutesBake10Minutes", "0m00s 5%, 10m00s 100%, bake 10 min",
		"ECS.BlueGreenBake10Minutes",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("strategies lacks %q", want)
		}
	}
	code, out, _ = runCLI("strategies", "--ecs-bake", "0", "-o", "json")
	if code != 0 || !strings.Contains(out, `"name": "ECS.BlueGreenBake0Minutes"`) || !strings.Contains(out, `"family": "ECS"`) {
		t.Errorf("strategies --ecs-bake 0 -o json: exit %d", code)
	}
	if code, _, errs := runCLI("strategies", "--ecs-bake", "1441"); code != 2 || !strings.Contains(errs, "--ecs-bake 1441: want 0 to 1440") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// errorsAlarm is a scenario's alarm (a YAML list item) on function f, alias
// live: NAME goes to ALARM when VERSION's Errors reach 5 in one minute.
func errorsAlarm(name, version string) string {
	return `  - AlarmName: ` + name + `
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: f}, {Name: Resource, Value: "f:live"}, {Name: ExecutedVersion, Value: "` + version + `"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 5
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
`
}
