package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/power"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

type tunedDoc struct {
	SchemaVersion int    `json:"schema_version"`
	Scenario      string `json:"scenario"`
	Alarm         string `json:"alarm"`
	Objective     string `json:"objective"`
	Results       []struct {
		Strategy string   `json:"strategy"`
		Methods  []string `json:"methods"`
		Chosen   *struct {
			Statistic            string  `json:"statistic"`
			Period               int     `json:"period_s"`
			EvaluationPeriods    int     `json:"evaluation_periods"`
			DatapointsToAlarm    int     `json:"datapoints_to_alarm"`
			TreatMissingData     string  `json:"treat_missing_data"`
			Threshold            float64 `json:"threshold"`
			ComparisonOperator   string  `json:"comparison_operator"`
			Method               string  `json:"method"`
			FalseRollback        float64 `json:"false_rollback_probability"`
			RollbackProbability  float64 `json:"rollback_probability"`
			DetectionProbability float64 `json:"detection_probability"`
			TargetFailed         float64 `json:"target_failed_requests"`
		} `json:"chosen"`
		Frontier       []json.RawMessage `json:"frontier"`
		CloudFormation string            `json:"cloudformation"`
		PutMetricAlarm json.RawMessage   `json:"put_metric_alarm"`
	} `json:"results"`
}

func tuneJSON(t *testing.T, args ...string) tunedDoc {
	t.Helper()
	code, out, errs := runCLI(append([]string{"tune-alarm", "--output", "json", "-q"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc tunedDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return doc
}

// The chosen alarm, written as an AWS::CloudWatch::Alarm resource, is read
// back by the importer (as `shiftsim import` reads a template) into the
// scenario, which compiles it to the very alarm that was tuned — name,
// dimensions, statistic, rule — and the exact engine, run afresh on that
// scenario and on its healthy twin, gives the reported numbers. Both
// statistics: count (a plain metric) and rate (metric math).
func TestTuneAlarmRoundTripsThroughTheImporter(t *testing.T) {
	const file = "../../scenarios/bad-canary.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := scenario.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, stat := range []string{"count", "rate"} {
		doc := tuneJSON(t, file, "-s", "Canary10Percent5Minutes", "--statistics", stat, "--evaluation-periods", "1,2")
		if doc.SchemaVersion == 0 || doc.Alarm != "orders-live-v2-errors" || len(doc.Results) != 1 {
			t.Fatalf("%s: document %+v", stat, doc)
		}
		r := doc.Results[0]
		c := r.Chosen
		if c == nil || c.Statistic != stat || c.Method != "exact" || c.FalseRollback > 0.05 {
			t.Fatalf("%s: chosen %+v", stat, c)
		}
		// The resource parses as YAML with Type and Properties.
		var res map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		}
		if err := yaml.Unmarshal([]byte(r.CloudFormation), &res); err != nil || len(res) != 1 {
			t.Fatalf("%s: the resource is not YAML: %v\n%s", stat, err, r.CloudFormation)
		}
		for id, x := range res {
			if id != "OrdersLiveV2ErrorsAlarm" || x.Type != "AWS::CloudWatch::Alarm" || x.Properties["AlarmName"] != "orders-live-v2-errors" {
				t.Errorf("%s: resource %s %+v", stat, id, x)
			}
		}
		// Import it as a template and merge it into the scenario.
		tmpl := "Resources:\n" + indent(r.CloudFormation, "  ")
		d, err := importer.AlarmsImport("tuned.yaml", []byte(tmpl), importer.Options{})
		if err != nil {
			t.Fatalf("%s: import: %v\n%s", stat, err, tmpl)
		}
		if u := d.Unresolved(); len(u) > 0 {
			t.Fatalf("%s: unresolved: %v", stat, u)
		}
		merged, err := d.MergeInto(file, data)
		if err != nil {
			t.Fatal(err)
		}
		s, err := scenario.Parse(file, merged)
		if err != nil {
			t.Fatalf("%s: %v\n%s", stat, err, merged)
		}
		if len(s.Model.Alarms) != 1 {
			t.Fatalf("%s: %d alarms after the merge", stat, len(s.Model.Alarms))
		}
		got := s.Model.Alarms[0]
		o := orig.Model.Alarms[0]
		rule := got.Rule
		if got.Name != o.Name || got.Period.Seconds() != float64(c.Period) || rule.EvaluationPeriods != c.EvaluationPeriods ||
			rule.DatapointsToAlarm != c.DatapointsToAlarm || rule.Threshold != c.Threshold || rule.Comparison.String() != c.ComparisonOperator ||
			rule.TreatMissing.String() != c.TreatMissingData || got.Queries[0].Versions != o.Queries[0].Versions ||
			got.Queries[0].Metric != sim.Errors || (got.Math != nil) != (stat == "rate") {
			t.Errorf("%s: the imported alarm %+v differs from the chosen %+v", stat, got, c)
		}
		// The dimensions are the scenario's, in its order.
		if !slices2Equal(s.Alarms[0], orig.Alarms[0]) {
			t.Errorf("%s: dimensions %+v, the scenario's %+v", stat, s.Alarms[0], orig.Alarms[0])
		}
		// An independent evaluation of the imported alarm.
		st := sim.Strategy{Name: "Canary10Percent5Minutes", Config: orig.Strategies[1].Config}
		bad, err := power.NewEngine(&s.Model)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := bad.Exact(st)
		if err != nil {
			t.Fatal(err)
		}
		good, err := power.NewEngine(sweep.Twin(&s.Model))
		if err != nil {
			t.Fatal(err)
		}
		rg, err := good.Exact(st)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			what      string
			got, want float64
		}{
			{"rollback_probability", c.RollbackProbability, rb.RollbackProbability},
			{"detection_probability", c.DetectionProbability, rb.DetectionProbability},
			{"target_failed_requests", c.TargetFailed, rb.TargetFailedRequests},
			{"false_rollback_probability", c.FalseRollback, rg.RollbackProbability},
		} {
			if math.Abs(x.got-x.want) > 1e-9*max(1, math.Abs(x.want)) {
				t.Errorf("%s: %s reported %v, the imported alarm's %v", stat, x.what, x.got, x.want)
			}
		}
		// The put-metric-alarm document is a PutMetricAlarmInput of
		// aws-sdk-go-v2: every field is one of its fields.
		var in cloudwatch.PutMetricAlarmInput
		dec := json.NewDecoder(bytes.NewReader(r.PutMetricAlarm))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			t.Fatalf("%s: not a PutMetricAlarmInput: %v\n%s", stat, err, r.PutMetricAlarm)
		}
		if *in.AlarmName != "orders-live-v2-errors" || *in.Threshold != c.Threshold || *in.EvaluationPeriods != int32(c.EvaluationPeriods) ||
			*in.DatapointsToAlarm != int32(c.DatapointsToAlarm) || string(in.ComparisonOperator) != c.ComparisonOperator || *in.TreatMissingData != c.TreatMissingData {
			t.Errorf("%s: put-metric-alarm %s", stat, r.PutMetricAlarm)
		}
		dims := in.Dimensions
		if stat == "rate" {
			if len(in.Metrics) != 3 || *in.Metrics[2].Expression != power.RateExpression || !*in.Metrics[2].ReturnData ||
				*in.Metrics[0].MetricStat.Metric.MetricName != "Errors" || *in.Metrics[1].MetricStat.Metric.MetricName != "Invocations" {
				t.Errorf("rate: metrics %s", r.PutMetricAlarm)
			}
			dims = in.Metrics[0].MetricStat.Metric.Dimensions
		} else if *in.MetricName != "Errors" || string(in.Statistic) != "Sum" || *in.Period != int32(c.Period) {
			t.Errorf("count: %s", r.PutMetricAlarm)
		}
		if len(dims) != 3 || *dims[2].Name != "ExecutedVersion" || *dims[2].Value != "2" || *dims[0].Value != "orders:live" {
			t.Errorf("%s: dimensions %s", stat, r.PutMetricAlarm)
		}
	}
}

// slices2Equal compares two alarms' dimensions, wherever they are.
func slices2Equal(a, b scenario.Alarm) bool {
	dims := func(x scenario.Alarm) []scenario.Dimension {
		if len(x.Metrics) > 0 {
			return x.Metrics[0].MetricStat.Metric.Dimensions
		}
		return x.Dimensions
	}
	da, db := dims(a), dims(b)
	if len(da) != len(db) {
		return false
	}
	for i := range da {
		if da[i] != db[i] {
			return false
		}
	}
	return true
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Bad input exits 2 with the flag named.
func TestTuneAlarmBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bad-canary", "--objective", "fast"}, "--objective"},
		{[]string{"bad-canary", "--periods", "90"}, "--periods"},
		{[]string{"bad-canary", "--treat-missing-data", "NotBreaching"}, "--treat-missing-data"},
		{[]string{"bad-canary", "--max-false-rollback", "2"}, "--max-false-rollback"},
		{[]string{"bad-canary", "--alarm", "nope"}, "--alarm"},
		{[]string{"bad-canary", "--statistics", "p99"}, "--statistics"},
		{[]string{"healthy"}, "nothing for an alarm to detect"},
		{[]string{"bad-canary", "--periods", "3600", "--evaluation-periods", "200"}, "empty"},
	} {
		code, _, errs := runCLI(append([]string{"tune-alarm", "-q"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 naming %s", c.args, code, errs, c.want)
		}
	}
}

// recommend --with-alarms weighs each plan with its tuned alarm: the
// recommended plan's alarm is the one tune-alarm's search gives for that
// plan, and its put-metric-alarm document is that alarm.
func TestRecommendWithAlarms(t *testing.T) {
	data, err := os.ReadFile("../../scenarios/bad-canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "monitoring:\n", "monitoring:\n  poll_phase: 20s\n", 1)
	file := t.TempDir() + "/pinned.yaml"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	space := []string{"--statistics", "count,rate", "--evaluation-periods", "1,2", "--treat-missing-data", "missing,notBreaching"}
	code, out, errs := runCLI(append([]string{"recommend", file, "--max-failed", "150", "--runs", "20", "--with-alarms", "-q", "--output", "json"}, space...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		WithAlarms  bool `json:"with_alarms"`
		Recommended struct {
			Strategy   string `json:"strategy"`
			Type       string `json:"type"`
			Percentage int    `json:"percentage"`
			Interval   int    `json:"interval_s"`
			Alarm      *struct {
				Statistic     string  `json:"statistic"`
				N             int     `json:"evaluation_periods"`
				M             int     `json:"datapoints_to_alarm"`
				Treat         string  `json:"treat_missing_data"`
				Threshold     float64 `json:"threshold"`
				FalseRollback float64 `json:"false_rollback_probability"`
				Failed        float64 `json:"target_failed_requests"`
			} `json:"alarm"`
			PutMetricAlarm cloudwatch.PutMetricAlarmInput `json:"put_metric_alarm"`
		} `json:"recommended"`
		Candidates []struct {
			Alarm *json.RawMessage `json:"alarm"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Recommended
	if !doc.WithAlarms || r.Alarm == nil || *r.PutMetricAlarm.Threshold != r.Alarm.Threshold {
		t.Fatalf("recommended %+v", r)
	}
	for i, c := range doc.Candidates {
		if c.Alarm == nil {
			t.Errorf("candidate %d has no tuned alarm", i)
		}
	}
	s, err := scenario.Parse(file, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cfgs, _ := sweep.Candidates(&s.Model, s.Strategies)
	var st *sim.Strategy
	for i := range cfgs {
		if cfgs[i].Name == r.Strategy {
			st = &cfgs[i]
		}
	}
	if st == nil || st.Config.Percentage != r.Percentage || 60*st.Config.Interval != r.Interval {
		t.Fatalf("recommended %s is not a candidate plan", r.Strategy)
	}
	sp := power.Space{Statistics: []string{"count", "rate"}, Periods: []int{60}, EvaluationPeriods: []int{1, 2},
		TreatMissing: []alarm.TreatMissing{alarm.Missing, alarm.NotBreaching}}
	tu, err := power.Tune(&s.Model, *st, power.TuneOptions{MaxFalseRollback: 0.05, Space: sp})
	if err != nil || tu.Best < 0 {
		t.Fatal(err, tu.Best)
	}
	b := tu.Shapes[tu.Best]
	if b.Statistic != r.Alarm.Statistic || b.N != r.Alarm.N || b.M != r.Alarm.M || b.TreatMissing.String() != r.Alarm.Treat ||
		b.Threshold != r.Alarm.Threshold || b.Eval.FalseRollback != r.Alarm.FalseRollback || b.Eval.TargetFailedRequests != r.Alarm.Failed {
		t.Errorf("recommended %s with %+v; tune-alarm's search gives %+v threshold %v", r.Strategy, *r.Alarm, b.Shape, b.Threshold)
	}
}

// A period above the evaluation interval is beyond the exact engine: those
// alarms are simulated and say so, and a search whose simulations would
// exceed the cost limit is refused before it starts (exit 2).
func TestTuneAlarmMonteCarloAndCostGuard(t *testing.T) {
	doc := tuneJSON(t, "bad-canary", "-s", "Canary10Percent5Minutes", "--periods", "120", "--evaluation-periods", "1",
		"--treat-missing-data", "notBreaching", "--statistics", "count", "--runs", "40")
	r := doc.Results[0]
	if r.Chosen == nil || r.Chosen.Method != "monte_carlo" || r.Chosen.Period != 120 || len(r.Methods) != 2 {
		t.Errorf("chosen %+v, methods %v (the scenario's own alarm is exact)", r.Chosen, r.Methods)
	}
	t.Setenv("SHIFTSIM_MAX_CPU", "10ms")
	code, _, errs := runCLI("tune-alarm", "bad-canary", "--periods", "60,120,300", "--runs", "1000", "-q")
	if code != 2 || !strings.Contains(errs, "estimate") {
		t.Errorf("exit %d, %q: want 2 and the estimate", code, errs)
	}
}
