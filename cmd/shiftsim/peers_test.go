package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The same plan written under two families gives identical numbers: every
// strategy's run i meets the same traffic and the same random draws (common
// random numbers), so a plan's results depend on its schedule only, not on
// the system that names it. ECS CANARY 10 % / 5 min with no bake is
// CodeDeploy's Canary10Percent5Minutes (the scenario has no hooks); ECS
// LINEAR 20 % / 6 min with a 30-minute bake is an AppConfig LINEAR 20 %
// strategy over 30 minutes with a 30-minute final bake, steps at (k−1)·D/S.
func TestCompareCommonRandomNumbersAcrossFamilies(t *testing.T) {
	path := writeTemp(t, "crn.yaml", `name: crn
seed: 3
horizon: 90m
function: {name: f, alias: live}
traffic: {rate: 30}
versions:
  current: {version: "1", error_rate: 0.002, latency: {median: 50ms, p99: 200ms}}
  target:  {version: "2", error_rate: 0.03}
faults:
  - {version: target, start: 20m, error_rate: 0.2}
alarms:
  - AlarmName: v2-errors
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: f}, {Name: Resource, Value: "f:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 3
    DatapointsToAlarm: 2
    Threshold: 4
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
monitoring: {alarm_poll_interval: 60s, metric_delay: 60s}
deployment:
  start: 2m
  appconfig_step_timing: interval_start
  strategies:
    - Canary10Percent5Minutes
    - {name: ecs-canary, deploymentConfiguration: {strategy: CANARY, canaryConfiguration: {canaryPercent: 10, canaryBakeTimeInMinutes: 5}, bakeTimeInMinutes: 0}}
    - {DeploymentStrategy: {Name: ac-linear, GrowthType: LINEAR, GrowthFactor: 20, DeploymentDurationInMinutes: 30, FinalBakeTimeInMinutes: 30}}
    - {name: ecs-linear, deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 20, stepBakeTimeInMinutes: 6}, bakeTimeInMinutes: 30}}
`)
	code, out, errs := runCLI("compare", path, "--runs", "20", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct{ Results []map[string]any }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != 4 {
		t.Fatalf("%d results", len(doc.Results))
	}
	for _, pair := range [][2]int{{0, 1}, {2, 3}} {
		a, b := doc.Results[pair[0]], doc.Results[pair[1]]
		for _, r := range []map[string]any{a, b} {
			delete(r, "strategy")
			delete(r, "config")
			delete(r, "verdict")     // names the strategy
			delete(r, "on_frontier") // of two equal points, one is marked
		}
		if !reflect.DeepEqual(a, b) {
			for k := range a {
				if !reflect.DeepEqual(a[k], b[k]) {
					t.Errorf("pair %v: %s differs: %v vs %v", pair, k, a[k], b[k])
				}
			}
		}
		// The numbers are not trivially equal: the bad version is caught.
		if a["rollback_probability"].(float64) == 0 {
			t.Errorf("pair %v never rolls back: the test proves nothing", pair)
		}
	}
}

// recommend weighs the scenario's plans of every family beside CodeDeploy's
// grid and may pick one: an ECS canary of 0.5 % (below CodeDeploy's 1 %
// minimum) is the only plan within a small failure budget, and the
// recommendation is given in ECS's own shape.
func TestRecommendPicksAnECSPlan(t *testing.T) {
	path := writeTemp(t, "rec.yaml", `name: rec
seed: 9
horizon: 30m
function: {name: f, alias: live}
traffic: {rate: 200}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 100ms}}
  target:  {version: "2", error_rate: 1}
alarms:
`+errorsAlarm("v2-errors", "2")+`deployment:
  start: 2m
  strategies:
    - {name: ecs-tiny, deploymentConfiguration: {strategy: CANARY, canaryConfiguration: {canaryPercent: 0.5, canaryBakeTimeInMinutes: 5}, bakeTimeInMinutes: 5}}
`)
	code, out, errs := runCLI("recommend", path, "-n", "5", "-q", "--max-failed", "400", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	var doc struct {
		Recommended struct {
			Strategy             string
			Family               string
			ECS                  json.RawMessage `json:"ecs"`
			TrafficRoutingConfig json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Recommended
	var compact bytes.Buffer
	_ = json.Compact(&compact, r.ECS)
	r.ECS = compact.Bytes()
	if r.Strategy != "ecs-tiny" || r.Family != "ECS" || r.TrafficRoutingConfig != nil ||
		!strings.Contains(string(r.ECS), `"canaryPercent":0.5`) || !strings.Contains(string(r.ECS), `"strategy":"CANARY"`) {
		t.Errorf("recommended %s (%s): ecs %s, TrafficRoutingConfig %s", r.Strategy, r.Family, r.ECS, r.TrafficRoutingConfig)
	}
	code, out, _ = runCLI("recommend", path, "-n", "5", "-q", "--max-failed", "400")
	if code != 0 || !strings.Contains(out, "An Amazon ECS deployment") || strings.Contains(out, "create-deployment-config") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
}
