package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// dimsLine is the Dimensions line of base, replaced by each case.
const dimsLine = `    Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]`

// An alarm sees data only on a dimension set Lambda publishes, with values
// that name the alias's traffic (docs/cloudwatch.md); every other set gets
// a warning that says "dimension", the set given and the nearest published
// set, and no data.
func TestDimensionSets(t *testing.T) {
	const both, target, current = 1<<sim.Current | 1<<sim.Target, 1 << sim.Target, 1 << sim.Current
	cases := []struct {
		name, dims string
		versions   uint8
		warn       string // "" for none; else a substring of the one warning
	}{
		{"account-wide", ``, both, ""},
		{"function", `[{Name: FunctionName, Value: orders}]`, both, ""},
		{"alias", `[{Name: Resource, Value: "orders:live"}, {Name: FunctionName, Value: orders}]`, both, ""},
		{"alias and version", `[{Name: ExecutedVersion, Value: "2"}, {Name: Resource, Value: "orders:live"}, {Name: FunctionName, Value: orders}]`, target, ""},
		{"current version", `[{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "1"}]`, current, ""},
		{"resource and version", `[{Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]`, 0,
			`dimension set {Resource: "orders:live", ExecutedVersion: "2"} is not one Lambda publishes, so this alarm gets no data and TreatMissingData decides its state; nearest published set: {FunctionName: "orders", Resource: "orders:live", ExecutedVersion: "2"}`},
		{"resource alone", `[{Name: Resource, Value: "orders:live"}]`, 0, `nearest published set: {FunctionName: "orders", Resource: "orders:live"}`},
		{"version alone", `[{Name: ExecutedVersion, Value: "1"}]`, 0, `nearest published set: {FunctionName: "orders", Resource: "orders:live", ExecutedVersion: "1"}`},
		{"function and version", `[{Name: FunctionName, Value: orders}, {Name: ExecutedVersion, Value: "2"}]`, 0, `nearest published set: {FunctionName: "orders", Resource: "orders:live", ExecutedVersion: "2"}`},
		{"unknown name", `[{Name: FunctionName, Value: orders}, {Name: Version, Value: "2"}]`, 0, `dimension set {FunctionName: "orders", Version: "2"} is not one Lambda publishes`},
		{"wrong case", `[{Name: functionName, Value: orders}]`, 0, `nearest published set: {FunctionName: "orders"}`},
		{"other function", `[{Name: FunctionName, Value: payments}]`, 0, `dimension FunctionName "payments" is not the scenario's function "orders"`},
		{"version as resource", `[{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:2"}]`, 0, `published under Resource orders:live only`},
		{"unqualified resource", `[{Name: FunctionName, Value: orders}, {Name: Resource, Value: orders}]`, 0, `dimension Resource "orders"`},
		{"unknown version", `[{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "3"}]`, 0, `dimension ExecutedVersion "3" is neither version 1 nor 2`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repl := ""
			if c.dims != "" {
				repl = "    Dimensions: " + c.dims
			}
			doc := strings.Replace(base, dimsLine+"\n", repl+"\n", 1)
			if doc == base && c.dims != "" && !strings.Contains(base, c.dims) {
				t.Fatal("base has no Dimensions line")
			}
			s, err := Parse("d.yaml", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Model.Alarms[0].Queries[0].Versions; got != c.versions {
				t.Errorf("versions %b, want %b", got, c.versions)
			}
			switch {
			case c.warn == "" && len(s.Warnings) > 0:
				t.Errorf("unexpected warnings %v", s.Warnings)
			case c.warn != "" && (len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Msg, c.warn) || !strings.Contains(s.Warnings[0].Msg, "dimension")):
				t.Errorf("warnings %v, want one containing %q", s.Warnings, c.warn)
			case c.warn != "" && s.Warnings[0].Line != 13:
				t.Errorf("warning at line %d, want 13", s.Warnings[0].Line)
			}
		})
	}
}

// The same rule holds for the metrics of a math alarm, at their own line.
func TestDimensionSetOfMathMetric(t *testing.T) {
	doc := strings.Replace(base, "    MetricName: Errors\n"+dimsLine+"\n    Statistic: Sum\n    Period: 60\n", `    Metrics:
      - Id: e
        MetricStat:
          Metric: {Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [{Name: Resource, Value: "orders:live"}]}
          Period: 60
          Stat: Sum
        ReturnData: false
      - Id: rate
        Expression: 100 * e
        ReturnData: true
`, 1)
	s, err := Parse("m.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Line != 15 || !strings.Contains(s.Warnings[0].Path, "alarms[0].Metrics[0].MetricStat.Metric.Dimensions") {
		t.Fatalf("warnings %v", s.Warnings)
	}
	if s.Model.Alarms[0].Queries[0].Versions != 0 {
		t.Error("a metric on an unpublished set must see no data")
	}
}

// chained is an alarm whose expression uses another expression, as
// CloudWatch allows: ratio = e/i, pct = 100*ratio.
const chained = `name: chained
seed: 1
horizon: 12m
function: {name: orders, alias: live}
traffic: {rate: 20}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {version: "2", error_rate: 1}
alarms:
  - AlarmName: pct
    Metrics:
      - Id: pct
        Expression: 100 * ratio
        RETURN
      - Id: ratio
        Expression: e / i
        RETURNFALSE
      - Id: e
        MetricStat:
          Metric: {Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]}
          Period: 60
          Stat: Sum
        RETURNFALSE
      - Id: i
        MetricStat:
          Metric: {Namespace: AWS/Lambda, MetricName: Invocations, Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]}
          Period: 60
          Stat: Sum
        RETURNFALSE
    EvaluationPeriods: 1
    Threshold: THRESHOLD
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s}
deployment:
  start: 1m
  strategies: [Linear10PercentEvery1Minute]
`

func chainedDoc(threshold string, explicit bool) string {
	r := strings.NewReplacer("THRESHOLD", threshold, "        RETURNFALSE\n", "", "        RETURN\n", "")
	if explicit {
		r = strings.NewReplacer("THRESHOLD", threshold, "RETURNFALSE", "ReturnData: false", "RETURN", "ReturnData: true")
	}
	return r.Replace(chained)
}

// Chained expressions validate, compile with alarm's compiler and evaluate
// to known numbers: 5 errors of 200 invocations is ratio 0.025, pct 2.5.
func TestChainedMetricMath(t *testing.T) {
	for _, explicit := range []bool{true, false} {
		s, err := Parse("chained.yaml", []byte(chainedDoc("100", explicit)))
		if err != nil {
			t.Fatalf("explicit ReturnData %v: %v", explicit, err)
		}
		a := s.Model.Alarms[0]
		if a.Math == nil || len(a.Queries) != 2 || a.Queries[0].Metric != sim.Errors || a.Queries[1].Metric != sim.Invocations {
			t.Fatalf("compiled %+v", a)
		}
		if got, want := a.Math.String(), "ratio = (e / i); (100 * ratio)"; got != want {
			t.Errorf("canonical form %q, want %q", got, want)
		}
		vals := make([]float64, a.Math.Len())
		for k, v := range []float64{5, 200} {
			vals[a.Math.Input(k)] = v
		}
		if got := a.Math.Eval(vals); got != 2.5 {
			t.Errorf("pct(5 errors, 200 invocations) = %v, want 2.5", got)
		}
	}
}

// Through the engine: the target fails every request, so each minute's pct
// is exactly 100. A threshold of 100 fires at the end of the first minute
// of shifting; 100.5 never does.
func TestChainedMetricMathInTheEngine(t *testing.T) {
	for _, c := range []struct {
		threshold string
		rollback  bool
	}{{"100", true}, {"100.5", false}} {
		s, err := Parse("chained.yaml", []byte(chainedDoc(c.threshold, true)))
		if err != nil {
			t.Fatal(err)
		}
		s.Model.PollPhase = sim.PollPhase{} // phase 0: CloudWatch's minutes end at t = 60k (docs/monitoring.md)
		r, err := sim.Run(&s.Model, s.Strategies[0])
		if err != nil {
			t.Fatal(err)
		}
		if r.RolledBack != c.rollback {
			t.Errorf("threshold %s: rolled back %v, want %v (status %s)", c.threshold, r.RolledBack, c.rollback, r.Status)
		}
		if c.rollback && (r.Detected == nil || *r.Detected != 2*time.Minute) {
			t.Errorf("threshold %s: detected at %v, want 2m (the end of the first minute of shifting)", c.threshold, r.Detected)
		}
	}
}

func TestMetricMathErrorsNameTheEntry(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"Expression: e / i", "Expression: e / j", `chained.yaml:16: alarms[0].Metrics[1].Expression: column 5: unknown metric id "j"`},
		{"Expression: e / i", "Expression: e / pct", `chained.yaml:13: alarms[0].Metrics[0].Expression: expressions form a cycle: pct -> ratio -> pct`},
		{"Expression: 100 * ratio", "Expression: 100 * pct", `chained.yaml:13: alarms[0].Metrics[0].Expression: the expression uses its own Id`},
		{"      - Id: ratio", "      - Id: Ratio", `chained.yaml:15: alarms[0].Metrics[1].Id: Id "Ratio" must start with a lower-case letter`},
	} {
		doc := strings.Replace(chainedDoc("1", true), c.old, c.new, 1)
		_, err := Parse("chained.yaml", []byte(doc))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got %v\nwant %s", c.new, err, c.want)
		}
	}
}

// Lambda's metrics have standard resolution: sub-minute periods are refused,
// and CloudWatch's window limits hold, each at its line.
func TestAlarmPeriodBounds(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{"Period: 60", "Period: 10", "bad.yaml:15: alarms[0].Period: 10: the metric has standard resolution"},
		{"Period: 60", "Period: 30", "bad.yaml:15: alarms[0].Period: 30: the metric has standard resolution"},
		{"Period: 60", "Period: 90", "bad.yaml:15: alarms[0].Period: 90: must be 10, 20, 30 or a multiple of 60"},
		{"Period: 60", "Period: 0", "bad.yaml:15: alarms[0].Period: 0: must be"},
		{"Period: 60", "Period: 604860", "bad.yaml:15: alarms[0].Period: 604860: at most 604800 seconds"},
		{"EvaluationPeriods: 3", "EvaluationPeriods: 1441", "bad.yaml:16: alarms[0].EvaluationPeriods: EvaluationPeriods 1441: at most 1440 with a 60-second period"},
		{"Period: 60\n    EvaluationPeriods: 3", "Period: 3600\n    EvaluationPeriods: 169", "bad.yaml:16: alarms[0].EvaluationPeriods: EvaluationPeriods 169: at most 168 with a 3600-second period"},
		{"DatapointsToAlarm: 2", "DatapointsToAlarm: 4", "bad.yaml:17: alarms[0].DatapointsToAlarm: DatapointsToAlarm 4: must be between 1 and EvaluationPeriods (3)"},
		{"DatapointsToAlarm: 2", "DatapointsToAlarm: 0", "bad.yaml:17: alarms[0].DatapointsToAlarm: 0: must be at least 1"},
		{"DatapointsToAlarm: 2", "DatapointsToAlarm: 2\n    evaluation_range: 9", "bad.yaml:18: alarms[0].evaluation_range: 9: at most 2 × EvaluationPeriods + 2 = 8"},
	} {
		if !strings.Contains(base, c.old) {
			t.Fatalf("base has no %q", c.old)
		}
		_, err := Parse("bad.yaml", []byte(strings.Replace(base, c.old, c.new, 1)))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got %v\nwant %s", c.new, err, c.want)
		}
	}
	// The largest windows AWS allows are accepted.
	for _, c := range []struct{ old, new string }{
		{"EvaluationPeriods: 3", "EvaluationPeriods: 1440"},
		{"Period: 60\n    EvaluationPeriods: 3", "Period: 3600\n    EvaluationPeriods: 168"},
		{"Period: 60\n    EvaluationPeriods: 3\n    DatapointsToAlarm: 2", "Period: 604800\n    EvaluationPeriods: 1\n    DatapointsToAlarm: 1"},
	} {
		doc := strings.Replace(base, c.old, c.new, 1)
		if _, err := Parse("ok.yaml", []byte(doc)); err != nil {
			t.Errorf("%s: %v", c.new, err)
		}
	}
}

// slowTarget is a canary whose target takes about 2 s per request, watched
// by a percentile alarm on the target's Duration.
const slowTarget = `name: low-sample
seed: 5
horizon: 15m
function: {name: orders, alias: live}
traffic: {rate: RATE}
versions:
  current: {version: "1", error_rate: 0, latency: {median: 50ms, p99: 150ms}, timeout: 10s}
  target:  {version: "2", error_rate: 0, latency: {median: 2s, p99: 2500ms}}
alarms:
  - AlarmName: slow
    MetricName: Duration
    Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]
    ExtendedStatistic: STAT
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1000
    ComparisonOperator: GreaterThanThreshold
    TreatMissingData: notBreaching
    EvaluateLowSampleCountPercentile: SETTING
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s}
deployment:
  start: 1m
  strategies: [Canary10Percent5Minutes]
`

// EvaluateLowSampleCountPercentile: with ignore, a percentile alarm keeps
// its state while a period has fewer samples than AWS's minimum (1000 for
// p99, 20 for p50, 100 for p10); with evaluate (the default) it judges any
// sample count. The canary sends 10 % of RATE per second to the target, so
// about 6 × RATE samples a minute (Poisson: the rates keep well away from
// each minimum; the exact edges are alarm's TestMinSamples).
func TestEvaluateLowSampleCountPercentile(t *testing.T) {
	for _, c := range []struct {
		stat, rate, setting string
		rollback            bool
	}{
		{"p99", "20", "evaluate", true}, // about 120 samples a minute: judged anyway
		{"p99", "20", "ignore", false},  // 120 < 1000: the state never changes
		{"p99", "300", "ignore", true},  // 1800 >= 1000
		{"p50", "1", "ignore", false},   // 6 < 20
		{"p50", "1", "evaluate", true},
		{"p50", "10", "ignore", true}, // 60 >= 20
		{"p10", "5", "ignore", false}, // 30 < 100
		{"p10", "5", "evaluate", true},
		{"p10", "50", "ignore", true}, // 300 >= 100
	} {
		doc := strings.NewReplacer("RATE", c.rate, "STAT", c.stat, "SETTING", c.setting).Replace(slowTarget)
		s, err := Parse("low.yaml", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		r, err := sim.Run(&s.Model, s.Strategies[0])
		if err != nil {
			t.Fatal(err)
		}
		if r.RolledBack != c.rollback {
			t.Errorf("%s at %s/s, %s: rolled back %v, want %v (status %s)", c.stat, c.rate, c.setting, r.RolledBack, c.rollback, r.Status)
		}
	}
	// The setting is refused when misspelt and warned about where it does nothing.
	doc := strings.NewReplacer("RATE", "20", "STAT", "p99", "SETTING", "Ignore").Replace(slowTarget)
	if _, err := Parse("low.yaml", []byte(doc)); err == nil || !strings.Contains(err.Error(), `low.yaml:19: alarms[0].EvaluateLowSampleCountPercentile: "Ignore": want evaluate or ignore`) {
		t.Errorf("misspelt setting: %v", err)
	}
	doc = strings.NewReplacer("RATE", "20", "ExtendedStatistic: STAT", "Statistic: Average", "SETTING", "ignore").Replace(slowTarget)
	s, err := Parse("low.yaml", []byte(doc))
	if err != nil || len(s.Warnings) != 1 || s.Warnings[0].Line != 19 || !strings.Contains(s.Warnings[0].Msg, "has no effect") {
		t.Errorf("on an Average alarm: %v, warnings %v", err, s.Warnings)
	}
}
