package yamlx

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// twin and twinItem use only what yamlx and yaml's own strict decoder treat the
// same way, so that each checks the other: any document yamlx accepts, yaml
// must accept too, with the same value (yamlx may refuse more).
type twin struct {
	Name     string              `yaml:"name"`
	Seed     uint64              `yaml:"seed"`
	Level    int8                `yaml:"level"`
	Weight   float32             `yaml:"weight"`
	Duration time.Duration       `yaml:"duration"`
	Enabled  bool                `yaml:"enabled"`
	Items    []twinItem          `yaml:"items"`
	Ptr      *twinItem           `yaml:"ptr"`
	Map      map[string]twinItem `yaml:"map"`
	Labels   map[string]string   `yaml:"labels"`
}

type twinItem struct {
	A string    `yaml:"a"`
	B int       `yaml:"b"`
	C []float64 `yaml:"c"`
}

var fuzzSeeds = []string{
	"name: a\nseed: 1\nlevel: -3\nweight: 0.5\nduration: 1m30s\nenabled: true\n",
	"items:\n  - {a: x, b: 1, c: [1.5, 2]}\n  - a: y\n    b: -2\nptr: {a: p}\nmap:\n  k: {b: 3}\n  \"two words\": {a: z}\n",
	"labels: {team: a, tier: 1}\nptr: null\nitems: []\n",
	"items: [&b {a: 1, b: 2}]\nmap:\n  x: *b\n  y:\n    b: 5\n    <<: *b\n",
	"items: [&i {a: q}, *i, {<<: [*i, {b: 9}]}]\n",
	`{"name": "j", "items": [{"a": "x", "c": [1e3]}], "map": {}}`,
	"strategy: Canary10Percent5Minutes\n",
	"strategy: {type: linear, percent: 10, interval: 1m}\n",
	"alarms:\n  - AlarmName: a\n    Dimensions: [{Name: FunctionName, Value: f}]\n    DatapointsToAlarm: 2\n",
	"extra: {a: [1, 2.5, true, null, \"s\", 2001-12-14]}\naddr: ::1\n",
	"traffic: {rate: 1, pattern: p, warmup: 10s}\nfunctions: {f: {memory: 128, timeout: 3s, labels: [x]}}\n",
	describeAlarmsJSON,
	// invalid
	"name: a\nname: b\n",
	"alarms:\n  - ComparisonOperatr: x\n",
	"duration: 90\n",
	"enabled: yes\n",
	"level: 300\n",
	"a: 1\n  b: 2\n",
	"x: &a [*a]\n",
	"extra: &a {<<: *a}\n",
	"a: 1\n---\nb: 2\n",
	"",
	"- 1\n",
	"name: !Ref x\n",
	"? [a]\n: 1\n",
	"extra: &a [x, x]\nb: &b [*a, *a]\n",
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s scenario
		pos, err := Decode("fuzz.yaml", data, &s)
		checkResult(t, data, pos, err)

		var tw twin
		pos, err = Decode("fuzz.yaml", data, &tw)
		checkResult(t, data, pos, err)
		if err != nil {
			return
		}
		var ref twin
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if rerr := dec.Decode(&ref); rerr != nil {
			if strings.Contains(rerr.Error(), "`0` into time.Duration") {
				return // yamlx takes a bare 0 as a duration on purpose
			}
			t.Fatalf("yamlx accepted what yaml refuses (%v):\n%q", rerr, data)
		}
		if !reflect.DeepEqual(tw, ref) {
			t.Fatalf("yamlx and yaml disagree on\n%q\nyamlx: %#v\nyaml:  %#v", data, tw, ref)
		}
	})
}

// checkResult checks what must hold for any input: an error is a well-formed
// *Error naming the file, and a success knows a line for every path it saw.
func checkResult(t *testing.T, data []byte, pos *Positions, err error) {
	t.Helper()
	if pos == nil {
		t.Fatalf("nil Positions for %q", data)
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not an *Error: %v", err, err)
		}
		if e.Msg == "" || e.File != "fuzz.yaml" || e.Line < 0 || !strings.HasPrefix(err.Error(), "fuzz.yaml") {
			t.Fatalf("malformed error %#v for %q", e, data)
		}
		return
	}
	for _, p := range pos.Paths() {
		if pos.Line(p) <= 0 {
			t.Fatalf("path %q has no line in %q", p, data)
		}
	}
	if pos.Line("") <= 0 {
		t.Fatalf("root has no line in %q", data)
	}
}
