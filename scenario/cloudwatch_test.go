package scenario

import (
	"strings"
	"testing"

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
