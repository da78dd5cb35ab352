package power

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

// variant is a small scenario: low traffic, so that missing datapoints
// matter, a target-only alarm by default, and placeholders for the parts a
// case changes.
const variant = `
name: variant
seed: 3
horizon: 20m
function: {name: fn, alias: live}
traffic: {rate: RATE}
versions:
  current: {version: "1", error_rate: 0.01, latency: {median: 50ms, p99: 160ms}}
  target:  {version: "2", error_rate: PTARGET}
alarms:
  - AlarmName: a
    Metrics:
      - Id: errors
        MetricStat:
          Metric: {Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [DIMS]}
          Period: 60
          Stat: Sum
        ReturnData: false
      - Id: invocations
        MetricStat:
          Metric: {Namespace: AWS/Lambda, MetricName: Invocations, Dimensions: [DIMS]}
          Period: 60
          Stat: Sum
        ReturnData: false
      - Id: rate
        Expression: EXPR
        ReturnData: true
    EvaluationPeriods: NPERIODS
    DatapointsToAlarm: MPOINTS
    Threshold: THRESHOLD
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: TREAT
monitoring: {metric_delay: DELAY, alarm_poll_interval: POLL, poll_phase: PHASE}
HOOKS
deployment:
  start: START
  AUTO
  strategies: [Canary10Percent5Minutes, Linear10PercentEvery1Minute, AllAtOnce]
`

var variantDefaults = map[string]string{
	"RATE": "1", "PTARGET": "0.05", "DIMS": `{Name: FunctionName, Value: fn}, {Name: Resource, Value: "fn:live"}, {Name: ExecutedVersion, Value: "2"}`,
	"EXPR": "errors", "NPERIODS": "1", "MPOINTS": "1", "THRESHOLD": "1", "TREAT": "notBreaching",
	"DELAY": "0s", "POLL": "0s", "PHASE": "0s", "HOOKS": "", "START": "0s", "AUTO": "",
}

// makeVariant builds the variant scenario with some placeholders changed.
func makeVariant(t *testing.T, set map[string]string) *scenario.Scenario {
	t.Helper()
	text := variant
	for k, v := range variantDefaults {
		if x, ok := set[k]; ok {
			v = x
		}
		text = strings.ReplaceAll(text, k, v)
	}
	s, err := scenario.Parse("variant.yaml", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return s
}

// TestOneOfOneClosedForm: a 1-of-1 Sum(Errors) >= 1 alarm fires in the
// first minute with a failure; under Canary10Percent5Minutes each of the
// four evaluations before the full shift (at 1..4 min) finds one with
// probability 1 − q, q = exp(−λ·60·0.1·p), so P(stopped) = 1 − q⁴ and the
// target serves λ·0.1·60k requests when stopped at minute k.
func TestOneOfOneClosedForm(t *testing.T) {
	s := makeVariant(t, nil)
	e, err := NewEngine(&s.Model)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Exact(s.Strategies[0])
	if err != nil {
		t.Fatal(err)
	}
	const rate, p, horizon = 1.0, 0.05, 1200.0
	q := math.Exp(-rate * 60 * 0.1 * p)
	var pStop, req, mean float64
	for k := 1; k <= 4; k++ {
		pk := math.Pow(q, float64(k-1)) * (1 - q)
		pStop += pk
		req += pk * rate * 0.1 * 60 * float64(k)
	}
	req += math.Pow(q, 4) * rate * (0.1*300 + (horizon - 300))
	// Detection goes on after the full shift: minute 5 still at 10 %,
	// then each minute at 100 %.
	qFull := math.Exp(-rate * 60 * p)
	pDet, acc := 0.0, 1.0
	for k := 1; k < 20; k++ {
		qk := q
		if k > 5 {
			qk = qFull
		}
		pDet += acc * (1 - qk)
		mean += acc * (1 - qk) * 60 * float64(k)
		acc *= qk
	}
	near(t, "P(stopped)", r.RollbackProbability, pStop, 1e-9)
	near(t, "target requests", r.TargetRequests, req, 1e-6)
	near(t, "target failed", r.TargetFailedRequests, req*p, 1e-6)
	near(t, "P(detected)", r.DetectionProbability, pDet, 1e-9)
	near(t, "mean detection", r.Detection.Mean(), mean/pDet, 1e-6)
}

// TestTwinVariants holds the exact engine to the simulator where its
// modelling is most delicate: missing data under every TreatMissingData,
// M of N, the metric delay, the poll interval, a start after the alarm has
// history, hooks, alias-level alarms, automatic rollback off.
func TestTwinVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates thousands of runs")
	}
	rate := `100 * errors / invocations`
	cases := []map[string]string{
		{"TREAT": "missing", "NPERIODS": "3", "MPOINTS": "2"},
		{"TREAT": "ignore", "NPERIODS": "3", "MPOINTS": "2"},
		{"TREAT": "breaching", "NPERIODS": "3", "MPOINTS": "3", "THRESHOLD": "2"},
		{"TREAT": "missing", "NPERIODS": "5", "MPOINTS": "3", "EXPR": rate, "THRESHOLD": "6", "RATE": "3"},
		{"DELAY": "90s", "NPERIODS": "2", "MPOINTS": "1", "TREAT": "missing"},
		{"POLL": "45s", "NPERIODS": "2", "MPOINTS": "2", "THRESHOLD": "1", "TREAT": "breaching", "START": "150s"},
		{"DIMS": `{Name: FunctionName, Value: fn}, {Name: Resource, Value: "fn:live"}`, "EXPR": rate, "THRESHOLD": "3", "NPERIODS": "3", "MPOINTS": "2", "RATE": "5", "TREAT": "ignore"},
		{"HOOKS": "hooks: {BeforeAllowTraffic: {duration: 40s, catch_probability: 0.3}, AfterAllowTraffic: {duration: 70s, catch_probability: 0.5}}", "POLL": "60s"},
		{"HOOKS": "hooks: {BeforeAllowTraffic: {duration: 40s, catch_probability: 0.3}, AfterAllowTraffic: {duration: 70s, catch_probability: 0.5}}", "THRESHOLD": "100"},
		{"AUTO": "auto_rollback: false", "NPERIODS": "2", "MPOINTS": "2"},
		{"PHASE": "random", "NPERIODS": "3", "MPOINTS": "2", "TREAT": "missing"},
		{"PHASE": "22s", "DELAY": "30s", "POLL": "60s", "START": "95s", "NPERIODS": "2", "MPOINTS": "1"},
		{"PHASE": "random", "POLL": "45s", "START": "100s", "NPERIODS": "2", "MPOINTS": "2", "TREAT": "breaching", "THRESHOLD": "2"},
	}
	for i, c := range cases {
		s := makeVariant(t, c)
		if ok, why := Exactable(&s.Model); !ok {
			t.Fatalf("case %d: not exact: %s", i, why)
		}
		s.Model.Engine = sim.Batched
		mcCheck(t, fmt.Sprintf("case %d %v", i, c), s, 300, 4)
	}
}
