package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// alarmOut is what the acceptance contract promises in --output json.
type alarmOut struct {
	State        string     `json:"state"`
	States       []string   `json:"states"`
	Reasons      []string   `json:"reasons"`
	Datapoints   []*float64 `json:"datapoints"`
	InitialState string     `json:"initial_state"`
	Rule         struct {
		EvaluationPeriods  int     `json:"evaluation_periods"`
		DatapointsToAlarm  int     `json:"datapoints_to_alarm"`
		Threshold          float64 `json:"threshold"`
		ComparisonOperator string  `json:"comparison_operator"`
		TreatMissingData   string  `json:"treat_missing_data"`
		EvaluationRange    int     `json:"evaluation_range"`
	} `json:"rule"`
}

func runAlarmCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"alarm"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func runAlarmJSON(t *testing.T, args ...string) alarmOut {
	t.Helper()
	code, out, errs := runAlarmCmd(t, append(args, "--output", "json")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc alarmOut
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("bad JSON %q: %v", out, err)
	}
	return doc
}

// TestAlarmCLIAWSRows runs rows of the CloudWatch User Guide's missing-data
// tables through the CLI (N=3, range 5; 0 → 0, X → 1, - → missing, threshold
// 1 with >=): after the fifth datapoint the range is exactly the row.
func TestAlarmCLIAWSRows(t *testing.T) {
	for _, tc := range []struct {
		m             string
		points, treat string
		initial, want string
	}{
		{"3", "0,-,1,-,1", "missing", "INSUFFICIENT_DATA", "OK"},      // table 1 row 1
		{"3", "-,-,1,-,-", "missing", "INSUFFICIENT_DATA", "ALARM"},   // table 1 row 5, premature alarm
		{"3", "-,-,1,-,-", "ignore", "OK", "OK"},                      // retain current state
		{"3", "-,-,-,-,-", "breaching", "INSUFFICIENT_DATA", "ALARM"}, // table 1 row 3
		{"2", "0,-,1,-,-", "breaching", "OK", "ALARM"},                // table 2 row 3
		{"2", "-,-,-,-,0", "notBreaching", "ALARM", "OK"},             // table 2 row 4
	} {
		doc := runAlarmJSON(t, "--evaluation-periods", "3", "--datapoints-to-alarm", tc.m, "--threshold", "1",
			"--comparison", "GreaterThanOrEqualToThreshold", "--treat-missing-data", tc.treat,
			"--initial-state", tc.initial, "--datapoints", tc.points)
		if doc.State != tc.want || len(doc.States) != 5 || doc.States[4] != tc.want || len(doc.Reasons) != 5 {
			t.Errorf("M=%s %s %s: got %s %v, want %s", tc.m, tc.points, tc.treat, doc.State, doc.States, tc.want)
		}
	}
}

func TestAlarmCLIJSON(t *testing.T) {
	doc := runAlarmJSON(t, "--evaluation-periods", "3", "--datapoints-to-alarm", "2", "--threshold", "1",
		"--comparison", ">=", "--datapoints", "0, 1,-,1,1")
	wantStates := []string{"OK", "OK", "OK", "ALARM", "ALARM"}
	if strings.Join(doc.States, " ") != strings.Join(wantStates, " ") || doc.State != "ALARM" {
		t.Errorf("states %v, state %s; want %v", doc.States, doc.State, wantStates)
	}
	if doc.InitialState != "INSUFFICIENT_DATA" {
		t.Errorf("default initial state %s, want INSUFFICIENT_DATA (a new alarm)", doc.InitialState)
	}
	r := doc.Rule
	if r.EvaluationPeriods != 3 || r.DatapointsToAlarm != 2 || r.Threshold != 1 || r.ComparisonOperator != "GreaterThanOrEqualToThreshold" ||
		r.TreatMissingData != "missing" || r.EvaluationRange != 5 {
		t.Errorf("rule echoed as %+v", r)
	}
	if len(doc.Datapoints) != 5 || doc.Datapoints[2] != nil || *doc.Datapoints[1] != 1 {
		t.Errorf("datapoints echoed as %v", doc.Datapoints)
	}
	if !strings.Contains(doc.Reasons[3], "2 of the 3 most recent present datapoints breach") {
		t.Errorf("reason %q", doc.Reasons[3])
	}
	// --evaluation-range overrides the default.
	doc = runAlarmJSON(t, "--evaluation-periods", "1", "--threshold", "1", "--comparison", "<",
		"--treat-missing-data", "breaching", "--evaluation-range", "1", "--datapoints", "5,-")
	if doc.State != "ALARM" || doc.Rule.EvaluationRange != 1 {
		t.Errorf("range 1: %s %+v", doc.State, doc.Rule)
	}
}

func TestAlarmCLITable(t *testing.T) {
	code, out, errs := runAlarmCmd(t, "--evaluation-periods", "2", "--threshold", "5", "--comparison", "GreaterThanThreshold",
		"--datapoints", "6,-,7")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"alarm: 2 of 2 datapoints > 5", "#  datapoint  breaching  state", "2  -          -",
		"3  7          yes        ALARM", "final state: ALARM"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestAlarmCLIErrors(t *testing.T) {
	base := []string{"--evaluation-periods", "3", "--threshold", "1", "--comparison", ">="}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{append(base, "--datapoints", "1,x"), `--datapoints "1,x": item 2 "x" is not a number`},
		{append(base, "--datapoints", "1,,2"), "item 2 is empty"},
		{append(base, "--datapoints", "1,NaN"), `"NaN" is not a number`},
		{append(base, "--datapoints", "1", "--datapoints-to-alarm", "4"), "--datapoints-to-alarm 4: must be between 1 and --evaluation-periods (3)"},
		{append(base, "--datapoints", "1", "--evaluation-range", "2"), "--evaluation-range 2"},
		{append(base, "--datapoints", "1", "--evaluation-periods", "0"), "--evaluation-periods 0"},
		{[]string{"--threshold", "1", "--comparison", "=>", "--datapoints", "1"}, `--comparison: unknown comparison operator "=>"`},
		{[]string{"--threshold", "1", "--comparison", "GreaterThanUpperThreshold", "--datapoints", "1"}, "not supported"},
		{append(base, "--datapoints", "1", "--treat-missing-data", "zero"), `--treat-missing-data: unknown TreatMissingData "zero"`},
		{append(base, "--datapoints", "1", "--initial-state", "FIRING"), `--initial-state: unknown alarm state "FIRING"`},
		{append(base, "--datapoints", "1", "--output", "yaml"), `--output "yaml"`},
		{append(base, "--datapoints", "1", "--threshold", "NaN"), "--threshold NaN"},
		{[]string{"--threshold", "1", "--datapoints", "1"}, "--comparison is required"},
		{[]string{"--comparison", ">", "--datapoints", "1"}, "--threshold is required"},
		{base, "--datapoints is required"},
		{append(base, "--datapoints", "1", "extra"), `unexpected argument "extra"`},
		{append(base, "--nope"), "unknown flag"},
	} {
		code, out, errs := runAlarmCmd(t, tc.args...)
		if code != exitInput || !strings.Contains(errs, tc.msg) || out != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tc.args, code, errs, exitInput, tc.msg)
		}
	}
	code, out, _ := runAlarmCmd(t, "--help")
	if code != exitOK || !strings.Contains(out, "--treat-missing-data") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}
