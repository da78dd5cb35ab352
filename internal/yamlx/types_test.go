package yamlx

import (
	"net/netip"
	"time"

	"go.yaml.in/yaml/v3"
)

// The types below stand for what the scenario package decodes: AWS objects
// with PascalCase field names and no tags, our own lower-case keys, pointers,
// maps, durations, a union and a TextUnmarshaler.

type dimension struct {
	Name  string
	Value string
}

// metricAlarm is a CloudWatch PutMetricAlarm / describe-alarms object.
type metricAlarm struct {
	AlarmName          string
	Namespace          string
	MetricName         string
	Statistic          string
	Dimensions         []dimension
	Period             int
	EvaluationPeriods  int
	DatapointsToAlarm  *int
	Threshold          float64
	ComparisonOperator string
	TreatMissingData   string
	ActionsEnabled     bool
}

type traffic struct {
	Rate    float64       `yaml:"rate"`
	Pattern string        `yaml:"pattern"`
	Warmup  time.Duration `yaml:"warmup"`
}

type function struct {
	Memory  int           `yaml:"memory"`
	Timeout time.Duration `yaml:"timeout"`
	Labels  []string      `yaml:"labels,omitempty"`
}

// common is embedded to check that its fields are inlined.
type common struct {
	Description string `yaml:"description"`
	Owner       string `yaml:"owner"`
}

type scenario struct {
	common    `yaml:",inline"`
	Name      string              `yaml:"name"`
	Seed      uint64              `yaml:"seed"`
	Level     int8                `yaml:"level"`
	Weight    float32             `yaml:"weight"`
	Duration  time.Duration       `yaml:"duration"`
	Enabled   bool                `yaml:"enabled"`
	Alarms    []metricAlarm       `yaml:"alarms"`
	Traffic   *traffic            `yaml:"traffic"`
	Functions map[string]function `yaml:"functions"`
	Labels    map[string]string   `yaml:"labels"`
	Strategy  strategy            `yaml:"strategy"`
	Extra     any                 `yaml:"extra"`
	Addr      netip.Addr          `yaml:"addr"`
	Ignored   string              `yaml:"-"`
}

// strategy is a union: a predefined config name, or a custom config mapping.
type strategy struct {
	Name   string
	Custom *customStrategy
}

type customStrategy struct {
	Type     string        `yaml:"type"`
	Percent  float64       `yaml:"percent"`
	Interval time.Duration `yaml:"interval"`
}

func (s *strategy) UnmarshalYAMLX(d *Decoder, n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return d.DecodeNode(n, path, &s.Name)
	case yaml.MappingNode:
		s.Custom = new(customStrategy)
		return d.DecodeNode(n, path, s.Custom)
	}
	return d.Errorf(n, path, "expected a config name or a custom config mapping, got %s", Describe(n))
}

// describeAlarms is the output of `aws cloudwatch describe-alarms`.
type describeAlarms struct {
	MetricAlarms    []metricAlarm
	CompositeAlarms []any
}
