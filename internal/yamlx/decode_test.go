package yamlx

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func intPtr(i int) *int { return &i }

// TestDecodeValues checks, for each valid document, the exact value decoded.
func TestDecodeValues(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want scenario
	}{
		{"every kind", `# A canary with one alarm.
description: checkout under a 10% canary
owner: payments
name: checkout-canary
seed: 18446744073709551615
level: -128
weight: 0.25
duration: 1h30m
enabled: true
alarms:
  - AlarmName: checkout-errors
    Namespace: AWS/Lambda
    MetricName: Errors
    Statistic: Sum
    Dimensions:
      - {Name: FunctionName, Value: checkout}
    Period: 60
    EvaluationPeriods: 3
    DatapointsToAlarm: 2
    Threshold: 5
    ComparisonOperator: GreaterThanThreshold
    TreatMissingData: notBreaching
    ActionsEnabled: false
traffic:
  rate: 1_200
  pattern: diurnal
  warmup: 0
functions:
  checkout: {memory: 0x400, timeout: 3s, labels: [api, "v2"]}
  "my fn": {memory: 128}
labels:
  team: payments
  tier: 1
  "200": ok
strategy: Canary10Percent5Minutes
extra:
  retries: 3
  ratio: 0.5
  tags: [a, true, null]
addr: 10.0.0.1
`, scenario{
			common:   common{Description: "checkout under a 10% canary", Owner: "payments"},
			Name:     "checkout-canary",
			Seed:     18446744073709551615,
			Level:    -128,
			Weight:   0.25,
			Duration: 90 * time.Minute,
			Enabled:  true,
			Alarms: []metricAlarm{{
				AlarmName: "checkout-errors", Namespace: "AWS/Lambda", MetricName: "Errors", Statistic: "Sum",
				Dimensions: []dimension{{Name: "FunctionName", Value: "checkout"}},
				Period:     60, EvaluationPeriods: 3, DatapointsToAlarm: intPtr(2), Threshold: 5,
				ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching",
			}},
			Traffic: &traffic{Rate: 1200, Pattern: "diurnal"},
			Functions: map[string]function{
				"checkout": {Memory: 1024, Timeout: 3 * time.Second, Labels: []string{"api", "v2"}},
				"my fn":    {Memory: 128},
			},
			Labels:   map[string]string{"team": "payments", "tier": "1", "200": "ok"},
			Strategy: strategy{Name: "Canary10Percent5Minutes"},
			Extra:    map[string]any{"retries": 3, "ratio": 0.5, "tags": []any{"a", true, nil}},
			Addr:     netip.MustParseAddr("10.0.0.1"),
		}},
		{"absent pointer stays nil, absent fields stay zero", "name: a\n", scenario{Name: "a"}},
		{"explicit null leaves a pointer nil", "name: a\ntraffic: null\n", scenario{Name: "a"}},
		{"empty value is null", "name: a\ntraffic:\nalarms:\n", scenario{Name: "a"}},
		{"empty mapping allocates", "traffic: {}\n", scenario{Traffic: &traffic{}}},
		{"empty list is not nil", "alarms: []\n", scenario{Alarms: []metricAlarm{}}},
		{"numbers and booleans as strings keep their text", "name: 012345678901\nowner: true\n",
			scenario{Name: "012345678901", common: common{Owner: "true"}}},
		{"integer into float, YAML 1.2 spellings", "weight: 2\nenabled: TRUE\nlevel: 0o17\n",
			scenario{Weight: 2, Enabled: true, Level: 15}},
		{"negative values", "level: -5\nweight: -1.5\nduration: -90s\n",
			scenario{Level: -5, Weight: -1.5, Duration: -90 * time.Second}},
		{"union: object form", "strategy:\n  type: linear\n  percent: 10\n  interval: 1m\n",
			scenario{Strategy: strategy{Custom: &customStrategy{Type: "linear", Percent: 10, Interval: time.Minute}}}},
		{"union: null", "strategy: null\n", scenario{}},
		{"anchors and aliases", `extra: &two 2
alarms:
  - &base
    Namespace: AWS/Lambda
    Threshold: *two
  - *base
`, scenario{Extra: 2, Alarms: []metricAlarm{
			{Namespace: "AWS/Lambda", Threshold: 2},
			{Namespace: "AWS/Lambda", Threshold: 2},
		}}},
		{"merge keys: written keys win wherever they are, earlier merges win", `extra:
  - &slow {rate: 1, pattern: flat}
  - &fast {rate: 100, pattern: burst, warmup: 5s}
traffic:
  pattern: diurnal
  <<: [*slow, *fast]
`, scenario{
			Extra:   []any{map[string]any{"rate": 1, "pattern": "flat"}, map[string]any{"rate": 100, "pattern": "burst", "warmup": "5s"}},
			Traffic: &traffic{Rate: 1, Pattern: "diurnal", Warmup: 5 * time.Second},
		}},
		{"merge keys: nested merges and inline mappings", `extra: &a {rate: 1}
functions:
  f:
    <<: {memory: 512, timeout: 2s}
    memory: 256
traffic:
  <<: {<<: *a, pattern: p}
`, scenario{
			Extra:     map[string]any{"rate": 1},
			Functions: map[string]function{"f": {Memory: 256, Timeout: 2 * time.Second}},
			Traffic:   &traffic{Rate: 1, Pattern: "p"},
		}},
		{"merge into free-form data", "extra:\n  <<: {a: 1, b: 2}\n  b: 3\n",
			scenario{Extra: map[string]any{"a": 1, "b": 3}}},
		{"JSON", `{"name": "j", "seed": 7, "weight": 1.5e-1, "alarms": [{"Threshold": 1e3, "Dimensions": []}], "traffic": null}`,
			scenario{Name: "j", Seed: 7, Weight: 0.15, Alarms: []metricAlarm{{Threshold: 1000, Dimensions: []dimension{}}}}},
		{"binary string", "name: !!binary aGVs\n  bG8=\n", scenario{Name: "hello"}},
		{"leading document marker and end marker", "---\nname: a\n...\n", scenario{Name: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got scenario
			if _, err := Decode("ok.yaml", []byte(tt.doc), &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

// TestDecodeIntoExisting checks that absent fields keep what the caller put
// there, so defaults can be set before decoding.
func TestDecodeIntoExisting(t *testing.T) {
	s := scenario{Name: "default", Seed: 1, Traffic: &traffic{Rate: 5}}
	if _, err := Decode("d.yaml", []byte("seed: 2\ntraffic: {pattern: p}\n"), &s); err != nil {
		t.Fatal(err)
	}
	want := scenario{Name: "default", Seed: 2, Traffic: &traffic{Rate: 5, Pattern: "p"}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %#v, want %#v", s, want)
	}
}

// describeAlarmsJSON is shaped like `aws cloudwatch describe-alarms` output.
const describeAlarmsJSON = `{
    "MetricAlarms": [
        {
            "AlarmName": "checkout-errors",
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Statistic": "Sum",
            "Dimensions": [
                {
                    "Name": "FunctionName",
                    "Value": "checkout"
                }
            ],
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "ActionsEnabled": true
        }
    ],
    "CompositeAlarms": []
}
`

func TestDescribeAlarmsJSON(t *testing.T) {
	var got describeAlarms
	pos, err := Decode("alarms.json", []byte(describeAlarmsJSON), &got)
	if err != nil {
		t.Fatal(err)
	}
	want := describeAlarms{
		MetricAlarms: []metricAlarm{{
			AlarmName: "checkout-errors", Namespace: "AWS/Lambda", MetricName: "Errors", Statistic: "Sum",
			Dimensions: []dimension{{Name: "FunctionName", Value: "checkout"}},
			Period:     60, EvaluationPeriods: 1, Threshold: 1,
			ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching", ActionsEnabled: true,
		}},
		CompositeAlarms: []any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%#v\nwant\n%#v", got, want)
	}
	lines := map[string]int{
		"":                                    1,
		"MetricAlarms":                        2,
		"MetricAlarms[0]":                     3,
		"MetricAlarms[0].Dimensions[0]":       9,
		"MetricAlarms[0].Dimensions[0].Value": 11,
		"MetricAlarms[0].Threshold":           16,
		"MetricAlarms[0].DatapointsToAlarm":   3, // absent: its alarm's line
		"CompositeAlarms":                     22,
	}
	for path, want := range lines {
		if got := pos.Line(path); got != want {
			t.Errorf("Line(%q) = %d, want %d", path, got, want)
		}
	}
	e := pos.Errorf("MetricAlarms[0].Threshold", "must be at least %d for %s", 2, "GreaterThanOrEqualToThreshold")
	if got, want := e.Error(), "alarms.json:16: MetricAlarms[0].Threshold: must be at least 2 for GreaterThanOrEqualToThreshold"; got != want {
		t.Errorf("Errorf:\n got %s\nwant %s", got, want)
	}
	if got, want := pos.Column("MetricAlarms[0].Threshold"), 13; got != want {
		t.Errorf("Column = %d, want %d", got, want)
	}
}

func TestPositions(t *testing.T) {
	doc := `name: p
alarms:
  - &base
    Namespace: AWS/Lambda
    Threshold: 1
  - *base
functions:
  "my fn":
    memory: 128
  checkout:
    timeout: 3s
extra:
  nested: {list: [a, b]}
traffic:
  <<: {rate: 1}
  pattern: p
`
	var s scenario
	pos, err := Decode("p.yaml", []byte(doc), &s)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		line int
		has  bool
	}{
		{"", 1, true},
		{"name", 1, true},
		{"alarms", 2, true},
		{"alarms[0]", 3, true},
		{"alarms[0].Threshold", 5, true},
		{"alarms[1]", 6, true},           // the alias
		{"alarms[1].Threshold", 5, true}, // inside the anchor it names
		{"alarms[1].Period", 6, false},   // absent: the alias's line
		{"alarms[7].Period", 2, false},   // no such item: the list's line
		{`functions["my fn"].memory`, 9, true},
		{`functions["my fn"].timeout`, 8, false},
		{"functions.checkout.timeout", 11, true},
		{"extra.nested.list[1]", 13, true},
		{"traffic.rate", 15, true}, // merged: where it is written
		{"traffic.pattern", 16, true},
		{"seed", 1, false}, // absent top-level field: the document's line
		{"nosuch.deeper[3]", 1, false},
		{`bad["unterminated`, 1, false},
	}
	for _, tt := range tests {
		if got := pos.Line(tt.path); got != tt.line {
			t.Errorf("Line(%q) = %d, want %d", tt.path, got, tt.line)
		}
		if got := pos.Has(tt.path); got != tt.has {
			t.Errorf("Has(%q) = %v, want %v", tt.path, got, tt.has)
		}
	}
	if got := strings.Join(pos.Paths(), " "); !strings.Contains(got, `functions["my fn"].memory`) {
		t.Errorf("Paths() = %s", got)
	}
	var nilPos *Positions
	if nilPos.Line("a") != 0 || nilPos.Errorf("a", "x").Error() != "a: x" {
		t.Errorf("nil Positions misbehaves")
	}
}

func TestPaths(t *testing.T) {
	keys := []struct{ parent, key, want string }{
		{"", "alarms", "alarms"},
		{"a", "b_c-d", "a.b_c-d"},
		{"a", "my fn", `a["my fn"]`},
		{"a", "200", `a["200"]`},
		{"a", "-x", `a["-x"]`},
		{"a", "", `a[""]`},
		{"a", `q"uote`, `a["q\"uote"]`},
		{"", "x.y", `["x.y"]`},
	}
	for _, tt := range keys {
		if got := Key(tt.parent, tt.key); got != tt.want {
			t.Errorf("Key(%q, %q) = %q, want %q", tt.parent, tt.key, got, tt.want)
		}
		if parent, ok := Parent(tt.want); !ok || parent != tt.parent {
			t.Errorf("Parent(%q) = %q, %v; want %q", tt.want, parent, ok, tt.parent)
		}
	}
	parents := []struct{ path, want string }{
		{"a.b[3].c", "a.b[3]"},
		{"a.b[3]", "a.b"},
		{`a["x].y["].z`, `a["x].y["]`},
		{`a["x].y["]`, "a"},
		{"a", ""},
		{"[0]", ""},
		{`a["open`, "a"},
		{"a[1", "a"},
	}
	for _, tt := range parents {
		if got, ok := Parent(tt.path); !ok || got != tt.want {
			t.Errorf("Parent(%q) = %q, %v; want %q", tt.path, got, ok, tt.want)
		}
	}
	if _, ok := Parent(""); ok {
		t.Errorf("Parent(\"\") reported a parent")
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"AlarmName", "Namespace", "MetricName", "Statistic", "Threshold", "ComparisonOperator"}
	tests := []struct{ key, want string }{
		{"ComparisonOperatr", "did you mean ComparisonOperator?"},
		{"comparisonoperator", "field names are case-sensitive: did you mean ComparisonOperator?"},
		{"alarm_name", "did you mean AlarmName?"},
		{"Treshold", "did you mean Threshold?"},
		{"Namespce", "did you mean Namespace?"},
		{"Unit", "valid fields: AlarmName, Namespace, MetricName, Statistic, Threshold, ComparisonOperator"},
	}
	for _, tt := range tests {
		if got := advise(tt.key, names); got != tt.want {
			t.Errorf("advise(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := advise("x", nil); got != "" {
		t.Errorf("suggest with no names = %q", got)
	}
}
