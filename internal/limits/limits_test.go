package limits

import (
	"flag"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the table in docs/limits.md from Table")

const (
	doc   = "../../docs/limits.md"
	begin = "<!-- limits table: generated from internal/limits.Table by `go test ./internal/limits -update` -->\n"
	end   = "<!-- end of limits table -->\n"
)

// docs/limits.md holds Table verbatim: a bound changed in code and not in
// the documentation (or the reverse) fails here.
func TestDocInSync(t *testing.T) {
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated table between %q and %q", doc, begin, end)
	}
	want := Markdown()
	if got := text[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile(doc, []byte(text[:i+len(begin)]+want+text[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s is out of date with internal/limits.Table: run go test ./internal/limits -update", doc)
	}
}

func TestTable(t *testing.T) {
	for _, b := range Table {
		if !(b.Min <= b.Max) || b.Why == "" || b.Source == "" {
			t.Errorf("%s: min %v max %v why %q source %q", b.Name, b.Min, b.Max, b.Why, b.Source)
		}
		if strings.Contains(b.Source, "AWS") || strings.Contains(b.Source, "CloudWatch") || strings.Contains(b.Source, "CodeDeploy") || strings.Contains(b.Source, "Lambda") {
			if !strings.Contains(b.Source, "docs.aws.amazon.com") && !strings.Contains(b.Source, "User Guide") && !strings.Contains(b.Source, "API Reference") && !strings.Contains(b.Source, "Developer Guide") {
				t.Errorf("%s: an AWS source must name the document: %q", b.Name, b.Source)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	h := Of("hooks.*.timeout")
	for _, c := range []struct {
		v  float64
		ok bool
	}{{float64(time.Hour), true}, {float64(time.Hour + 1), false}, {0, false}, {math.NaN(), false}, {math.Inf(1), false}, {1, true}} {
		if err := h.Check(c.v); (err == nil) != c.ok {
			t.Errorf("hooks.*.timeout %v: %v", c.v, err)
		}
	}
	if err := Of("monitoring.alarm_poll_interval").Check(0); err != nil {
		t.Errorf("0 (off) refused: %v", err)
	}
	if err := Of("monitoring.alarm_poll_interval").Check(1); err == nil || !strings.Contains(err.Error(), "below the minimum 1s") {
		t.Errorf("1ns: %v", err)
	}
	if err := Of("traffic.rate").Check(1e17); err == nil || !strings.Contains(err.Error(), "above the maximum 1000000") {
		t.Errorf("1e17: %v", err)
	}
}

func TestGeneric(t *testing.T) {
	for in, want := range map[string]string{
		"faults[12].start":                         "faults[].start",
		"versions.target.latency.median":           "versions.*.latency.median",
		"versions.current.init.p99":                "versions.*.latency.p99",
		"faults[0].latency.mu":                     "versions.*.latency.mu",
		"hooks.AfterAllowTraffic.duration":         "hooks.*.duration",
		"alarms[3].Metrics[1].Expression":          "alarms[].Metrics[].Expression",
		"lambda.prices.gb_second":                  "lambda.prices.*",
		"traffic.phases[1].dwell":                  "traffic.phases[].dwell",
		"monitoring.alarm_poll_interval":           "monitoring.alarm_poll_interval",
		"versions.current.provisioned_concurrency": "versions.*.provisioned_concurrency",
	} {
		if got := Generic(in); got != want {
			t.Errorf("Generic(%s) = %s, want %s", in, got, want)
		}
		Of(want) // every generic name the loader meets is in Table
	}
}
