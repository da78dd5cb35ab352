package sweep

import (
	"strings"
	"testing"
)

const doc = `# a comment that stays
name: x
traffic:
  rate: 100            # requests per second
versions:
  current: {version: "1", error_rate: 0.001}
  target:  {version: '2', error_rate: 0.05}
faults:
  - {version: target, start: 2m, error_rate: 0.2}
alarms:
  - AlarmName: errs
    Threshold: 5
`

func TestApplyInPlace(t *testing.T) {
	cases := []struct {
		path, value string
		line        string // the changed line, which keeps its number
		n           int    // 1-based line number
	}{
		{"traffic.rate", "1000", "  rate: 1000            # requests per second", 4},
		{"faults[0].error_rate", "0.05", "  - {version: target, start: 2m, error_rate: 0.05}", 9},
		{"versions.current.version", "7", `  current: {version: "7", error_rate: 0.001}`, 6},
		{"versions.target.version", "it's", `  target:  {version: 'it''s', error_rate: 0.05}`, 7},
		{"alarms[0].Threshold", "2.5", "    Threshold: 2.5", 12},
		{"faults[0].start", "1m 30s", `  - {version: target, start: "1m 30s", error_rate: 0.2}`, 9},
	}
	for _, c := range cases {
		out, err := Apply([]byte(doc), []Setting{{c.path, c.value}})
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		lines := strings.Split(string(out), "\n")
		if len(lines) != strings.Count(doc, "\n")+1 || lines[c.n-1] != c.line || lines[0] != "# a comment that stays" {
			t.Errorf("%s=%s: line %d is %q, want %q", c.path, c.value, c.n, lines[c.n-1], c.line)
		}
	}
}

func TestApplyAddsMissingKeys(t *testing.T) {
	out, err := Apply([]byte(doc), []Setting{{"monitoring.metric_delay", "0s"}, {"traffic.rate", "7"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "monitoring:\n    metric_delay: 0s") && !strings.Contains(string(out), "metric_delay: 0s") {
		t.Errorf("no monitoring.metric_delay:\n%s", out)
	}
	if !strings.Contains(string(out), "rate: 7") {
		t.Errorf("second setting lost:\n%s", out)
	}
}

func TestApplyErrors(t *testing.T) {
	for path, want := range map[string]string{
		"faults[3].error_rate": "faults[3]: the scenario's list has 1 entries",
		"traffic":              "holds a list or a mapping",
		"name.first":           "not a mapping",
		"hooks[0].duration":    "a list entry cannot be made up",
		"traffic..rate":        "not a key",
	} {
		_, err := Apply([]byte(doc), []Setting{{path, "1"}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", path, err, want)
		}
	}
}

func TestParseVaryAndGrid(t *testing.T) {
	a, err := ParseVary("traffic.rate=10, 100,1000")
	if err != nil || a.Path != "traffic.rate" || len(a.Values) != 3 || a.Values[1] != "100" {
		t.Fatalf("%+v %v", a, err)
	}
	b, _ := ParseVary("faults[0].error_rate=0.01,0.05")
	g := Grid([]Vary{a, b})
	if len(g) != 6 || Label(g[0]) != "traffic.rate=10 faults[0].error_rate=0.01" || Label(g[5]) != "traffic.rate=1000 faults[0].error_rate=0.05" {
		t.Errorf("grid %v", g)
	}
	for _, bad := range []string{"traffic.rate", "=1", "x=", "a=1,,2"} {
		if _, err := ParseVary(bad); err == nil {
			t.Errorf("ParseVary(%q) accepted", bad)
		}
	}
}
