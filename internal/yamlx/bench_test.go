package yamlx

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// benchScenario is a large but realistic scenario: 50 alarms, 20 functions.
func benchScenario() []byte {
	var b strings.Builder
	b.WriteString("name: bench\nseed: 1\nduration: 1h\ntraffic: {rate: 100, pattern: diurnal, warmup: 30s}\nalarms:\n")
	for i := range 50 {
		fmt.Fprintf(&b, `  - AlarmName: alarm-%d
    Namespace: AWS/Lambda
    MetricName: Errors
    Statistic: Sum
    Dimensions: [{Name: FunctionName, Value: f%d}, {Name: Resource, Value: "f%d:live"}]
    Period: 60
    EvaluationPeriods: 3
    DatapointsToAlarm: 2
    Threshold: 5
    ComparisonOperator: GreaterThanThreshold
    TreatMissingData: notBreaching
`, i, i, i)
	}
	b.WriteString("functions:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  f%d: {memory: 512, timeout: 3s, labels: [a, b]}\n", i)
	}
	return []byte(b.String())
}

func BenchmarkDecode(b *testing.B) {
	data := benchScenario()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var s scenario
		if _, err := Decode("bench.yaml", data, &s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkYAMLParse is the floor under BenchmarkDecode: yaml's parse into a
// node tree, which Decode does first.
func BenchmarkYAMLParse(b *testing.B) {
	data := benchScenario()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}
