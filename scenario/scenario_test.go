package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/scenarios"
	"github.com/shiftsim/shiftsim/traffic"
)

const base = `name: t
seed: 3
horizon: 30m
function: {name: orders, alias: live}
traffic:
  rate: 100
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}, timeout: 3s}
  target: {version: "2", error_rate: 0.05}
alarms:
  - AlarmName: v2-errors
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 3
    DatapointsToAlarm: 2
    Threshold: 5
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
hooks:
  BeforeAllowTraffic: {duration: 30s, catch_probability: 0.5}
deployment:
  start: 5m
  strategies:
    - Canary10Percent5Minutes
    - DeploymentConfigName: Canary25Percent45Minutes
      ComputePlatform: Lambda
      TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 25, CanaryInterval: 45}}
`

func TestBaseLoads(t *testing.T) {
	s, err := Parse("base.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Model
	if m.Seed != 3 || m.Horizon != 30*time.Minute || m.DeployStart != 5*time.Minute || m.Function != "orders" || m.Alias != "live" {
		t.Errorf("model %+v", m)
	}
	if len(s.Strategies) != 2 || s.Strategies[0].Config.Name != "CodeDeployDefault.LambdaCanary10Percent5Minutes" || s.Strategies[1].Name != "Canary25Percent45Minutes" {
		t.Errorf("strategies %+v", s.Strategies)
	}
	if s.Strategies[1].Config.Percentage != 25 || s.Strategies[1].Config.Interval != 45 {
		t.Errorf("custom config %+v", s.Strategies[1].Config)
	}
	// The target inherits the current version's latency and timeout.
	if m.Versions[1].Latency != m.Versions[0].Latency || m.Versions[1].Timeout != 3*time.Second {
		t.Errorf("target %+v", m.Versions[1])
	}
	if len(m.Alarms) != 1 || m.Alarms[0].Queries[0].Versions != 2 {
		t.Errorf("alarm %+v: want the target version only", m.Alarms)
	}
	if m.MetricDelay != DefaultMetricDelay || m.AlarmPollInterval != DefaultAlarmPollInterval || !m.AutoRollback {
		t.Errorf("defaults: %+v", m)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %v", s.Warnings)
	}
}

func TestAppConfigStrategies(t *testing.T) {
	doc := strings.Replace(base, "    - Canary10Percent5Minutes\n", "    - Canary10Percent5Minutes\n    - AppConfig.Canary10Percent20Minutes\n"+
		"    - {DeploymentStrategy: {Name: slow, GrowthFactor: 12.5, DeploymentDurationInMinutes: 8, FinalBakeTimeInMinutes: 2}}\n", 1) +
		"  appconfig_step_timing: interval_start\n  appconfig_rollback_states: [ALARM, INSUFFICIENT_DATA]\n"
	s, err := Parse("ac.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Strategies) != 4 {
		t.Fatalf("strategies %+v", s.Strategies)
	}
	for _, st := range s.Strategies[1:3] {
		c := st.Config
		if c.Type != "AppConfig" || c.Timing.String() != "interval_start" || !c.InsufficientDataRollsBack || c.LifecycleHooks() {
			t.Errorf("%s: %+v", st.Name, c)
		}
	}
	if s.Strategies[1].Name != "AppConfig.Canary10Percent20Minutes" || s.Strategies[2].Name != "slow" || s.Strategies[2].Config.AppConfig.GrowthFactor != 12.5 {
		t.Errorf("names %q %q", s.Strategies[1].Name, s.Strategies[2].Name)
	}
	if s.Strategies[0].Config.InsufficientDataRollsBack {
		t.Error("a CodeDeploy strategy took the AppConfig rollback states")
	}
	// Six alarms exceed an AppConfig environment's five monitors.
	alarm := base[strings.Index(base, "  - AlarmName"):strings.Index(base, "hooks:")]
	var six strings.Builder
	for i := range 6 {
		six.WriteString(strings.Replace(alarm, "v2-errors", fmt.Sprintf("a%d", i), 1))
	}
	bad := strings.Replace(doc, alarm, six.String(), 1)
	if _, err := Parse("ac.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "deployment.strategies[1]: AppConfig.Canary10Percent20Minutes watches alarms through AppConfig monitors, at most 5 per environment, and the scenario has 6 alarms") {
		t.Errorf("six alarms: %v", err)
	}
}

// Each malformed scenario yields one message naming file, line and field.
func TestMalformed(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"bad yaml", "  rate: 100", "  rate: [100", "bad.yaml:6: invalid YAML"},
		{"unknown strategy", "    - Canary10Percent5Minutes", "    - Canary10Percent6Minutes",
			`bad.yaml:26: deployment.strategies[0]: unknown Lambda deployment configuration "Canary10Percent6Minutes" (did you mean Canary10Percent5Minutes?)`},
		{"percentage out of range", "CanaryPercentage: 25", "CanaryPercentage: 120",
			"bad.yaml:29: deployment.strategies[1].TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage: 120 is out of range 1..99"},
		{"unknown alarm field", "    ComparisonOperator:", "    ComparisonOperatr:",
			"bad.yaml:19: alarms[0].ComparisonOperatr: unknown field (did you mean ComparisonOperator?)"},
		{"negative duration", "  start: 5m", "  start: -5m", "bad.yaml:24: deployment.start: -5m is below the minimum 0s"},
		{"missing versions", "versions:\n  current: {version: \"1\", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}, timeout: 3s}\n  target: {version: \"2\", error_rate: 0.05}\n", "",
			"bad.yaml:1: versions: missing: a scenario needs versions.current and versions.target"},
		{"missing target", "  target: {version: \"2\", error_rate: 0.05}\n", "", "bad.yaml:7: versions.target: missing: the version being deployed"},
		{"probability", "error_rate: 0.05", "error_rate: 5", "bad.yaml:9: versions.target.error_rate: 5 is not a probability"},
		{"M > N", "DatapointsToAlarm: 2", "DatapointsToAlarm: 4", "bad.yaml:17: alarms[0].DatapointsToAlarm:"},
		{"case", "TreatMissingData: notBreaching", "TreatMissingData: notbreaching",
			`bad.yaml:20: alarms[0].TreatMissingData: "notbreaching": AWS spells it notBreaching (values are case-sensitive)`},
		{"period", "Period: 60", "Period: 45", "bad.yaml:15: alarms[0].Period: 45: must be 10, 20, 30 or a multiple of 60 seconds"},
		{"duration without unit", "horizon: 30m", "horizon: 30", "bad.yaml:3: horizon: expected a duration"},
		{"same version", `version: "2"`, `version: "1"`, `bad.yaml:9: versions.target.version: the target version "1" equals the current version`},
		{"latest", `version: "2"`, `version: $LATEST`, "bad.yaml:9: versions.target.version: an alias cannot point to $LATEST"},
		{"hook probability", "catch_probability: 0.5", "catch_probability: 1.5", "bad.yaml:22: hooks.BeforeAllowTraffic.catch_probability: 1.5 is not a probability"},
		{"hook timeout", "{duration: 30s, catch_probability: 0.5}", "{duration: 30s, catch_probability: 0.5, timeout: 2h}",
			"bad.yaml:22: hooks.BeforeAllowTraffic.timeout: 2h is above the maximum 1h"},
		{"unknown hook", "  BeforeAllowTraffic:", "  BeforeInstall:", "bad.yaml:22: hooks.BeforeInstall: unknown field"},
		{"no strategies", "    - Canary10Percent5Minutes\n    - DeploymentConfigName: Canary25Percent45Minutes\n      ComputePlatform: Lambda\n      TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 25, CanaryInterval: 45}}\n", "    []\n",
			"bad.yaml:25: deployment.strategies: empty"},
		{"dimension twice", "Name: ExecutedVersion", "Name: Resource", `bad.yaml:13: alarms[0].Dimensions[2].Name: dimension Resource given twice`},
		{"statistic", "Statistic: Sum", "Statistic: Total", `bad.yaml:14: alarms[0].Statistic:`},
		{"math and metric", "    MetricName: Errors\n", "    MetricName: Errors\n    Metrics: [{Id: e, Expression: 1}]\n", "bad.yaml:13: alarms[0].Metrics: an alarm has either Metrics"},
		{"traffic", "  rate: 100", "  rate: -1", "bad.yaml:6: traffic.rate: -1 is below the minimum 0"},
		{"appconfig name", "    - Canary10Percent5Minutes", "    - AppConfig.Canary10Percent20Minute",
			`bad.yaml:26: deployment.strategies[0]: unknown AppConfig predefined deployment strategy "AppConfig.Canary10Percent20Minute" (did you mean AppConfig.Canary10Percent20Minutes?)`},
		{"appconfig growth factor", "    - Canary10Percent5Minutes", "    - {DeploymentStrategy: {GrowthType: EXPONENTIAL, GrowthFactor: 0, DeploymentDurationInMinutes: 20}}",
			"bad.yaml:26: deployment.strategies[0].DeploymentStrategy.GrowthFactor: 0 is out of range 1..100"},
		{"appconfig field", "    - Canary10Percent5Minutes", "    - {DeploymentStrategy: {GrowthFactor: 10, FinalBakeTime: 5}}",
			"bad.yaml:26: deployment.strategies[0].DeploymentStrategy.FinalBakeTime: unknown field (valid fields: Name, GrowthType, GrowthFactor, DeploymentDurationInMinutes, FinalBakeTimeInMinutes)"},
		{"appconfig growth type", "    - Canary10Percent5Minutes", "    - {DeploymentStrategy: {GrowthType: Exponential, GrowthFactor: 10}}",
			`bad.yaml:26: deployment.strategies[0].DeploymentStrategy.GrowthType: "Exponential" is not an AppConfig growth type (did you mean EXPONENTIAL?)`},
		{"appconfig timing", "  start: 5m", "  start: 5m\n  appconfig_step_timing: middle",
			`bad.yaml:25: deployment.appconfig_step_timing: "middle": want interval_end`},
		{"appconfig states", "  start: 5m", "  start: 5m\n  appconfig_rollback_states: [INSUFFICIENT_DATA]",
			"bad.yaml:25: deployment.appconfig_rollback_states: must include ALARM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("base has no %q", c.old)
			}
			doc := strings.Replace(base, c.old, c.new, 1)
			_, err := Parse("bad.yaml", []byte(doc))
			if err == nil {
				t.Fatalf("accepted:\n%s", doc)
			}
			var ye *yamlx.Error
			if !errors.As(err, &ye) {
				t.Errorf("error %T is not a *yamlx.Error: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

func TestWarnsOnAlarmThatCannotSeeData(t *testing.T) {
	doc := strings.Replace(base, `Value: "orders:live"`, `Value: "orders:2"`, 1)
	s, err := Parse("w.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Line != 13 || !strings.Contains(s.Warnings[0].Msg, "never get data") {
		t.Fatalf("warnings %v", s.Warnings)
	}
	if s.Model.Alarms[0].Queries[0].Versions != 0 {
		t.Errorf("an alarm on a resource the traffic does not use must see no data")
	}
}

// Every built-in scenario loads without warnings.
func TestBuiltinScenariosLoad(t *testing.T) {
	names, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(names) < 4 {
		t.Fatalf("scenarios: %v %v", names, err)
	}
	for _, n := range names {
		data, _ := fs.ReadFile(scenarios.FS, n)
		// From the scenario's own folder, where its recordings are.
		s, err := Parse(filepath.Join("..", "scenarios", n), data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if len(s.Warnings) > 0 {
			t.Errorf("%s: %v", n, s.Warnings)
		}
	}
}

// FuzzScenario: any input gives a scenario or an error, never a panic, and
// an error always names the file.
func FuzzScenario(f *testing.F) {
	f.Add([]byte(base))
	names, _ := fs.Glob(scenarios.FS, "*.yaml")
	for _, n := range names {
		data, _ := fs.ReadFile(scenarios.FS, n)
		f.Add(data)
	}
	f.Add([]byte("versions: {current: {latency: {mu: 1e308, sigma: 1e308}}, target: {}}\ndeployment: {strategies: [AllAtOnce]}\ntraffic: {rate: 1e308}"))
	f.Add([]byte("alarms: [{Metrics: [{Id: a, Expression: a/0}]}]"))
	f.Add([]byte(ecsDoc))
	f.Add([]byte(base + "    - {deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 3}, bakeTimeInMinutes: 0}}\n"))
	f.Add([]byte(chainedDoc("1", true)))
	f.Add([]byte(chainedDoc("1", false)))
	f.Add([]byte(strings.NewReplacer("RATE", "5", "STAT", "p99", "SETTING", "ignore").Replace(slowTarget)))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if s.Model.Horizon <= 0 || len(s.Strategies) == 0 {
			t.Fatalf("accepted an unusable scenario: %+v", s.Model)
		}
	})
}

func TestFaultTimes(t *testing.T) {
	doc := strings.Replace(base, "hooks:", "faults:\n  - {version: both, at: 1m, until: 2m, error_rate: 0.5}\n  - {version: target, start: 1m, end: 2m, hang_rate: 0.1}\nhooks:", 1)
	s, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	f := s.Model.Faults
	if f[0].Start != time.Minute || f[0].End != 2*time.Minute || f[0].Version != -1 {
		t.Errorf("absolute fault %+v", f[0])
	}
	if f[1].Start != 6*time.Minute || f[1].End != 7*time.Minute {
		t.Errorf("relative fault %+v (deployment at 5m)", f[1])
	}
	bad := strings.Replace(base, "hooks:", "faults:\n  - {version: target, at: 3m, until: 2m, error_rate: 0.5}\nhooks:", 1)
	if _, err := Parse("f.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "f.yaml:22: faults[0].until: the fault ends") {
		t.Errorf("got %v", err)
	}
}

// A built-in scenario loaded from the embedded tree reads its recording from
// the tree too, from any working directory; messages name it as in the
// source tree.
func TestLoadFSResolvesRecordingsInside(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := LoadFS(scenarios.Tree, "scenarios/azure-trace.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.File != "scenarios/azure-trace.yaml" || s.Model.Traffic.Kind != traffic.KindReplay {
		t.Fatalf("File %q, traffic %v", s.File, s.Model.Traffic.Kind)
	}
	// The recording is relative to the scenario's folder inside the FS, not
	// to the working directory: a MapFS without it fails naming the path.
	data, _ := fs.ReadFile(scenarios.Tree, "scenarios/azure-trace.yaml")
	m := fstest.MapFS{"x/azure-trace.yaml": {Data: data}}
	_, err = LoadFS(m, "x/azure-trace.yaml")
	if err == nil || !strings.Contains(err.Error(), "x/azure-trace.yaml:") || !strings.Contains(err.Error(), "x/data/azure2019-invocations.csv") {
		t.Fatalf("want an error naming x/azure-trace.yaml and x/data/azure2019-invocations.csv, got %v", err)
	}
}
