package power

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"

	"github.com/shiftsim/shiftsim/scenario"
)

func load(t *testing.T, path string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReferenceWorkload holds the exact engine to the reference workload's
// published exact expectations (docs/power.md).
func TestReferenceWorkload(t *testing.T) {
	for _, tc := range []struct {
		rate                 float64
		req, fail, minute, p float64
	}{
		{2000, 94974.8, 4748.7, 4.689, 0.99984},
		{200, 9672.0, 483.6, 4.739, math.NaN()},
	} {
		s := load(t, "../scenarios/reference-workload.yaml")
		if tc.rate != 2000 {
			s = reRate(t, tc.rate)
		}
		e, err := NewEngine(&s.Model)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Exact(s.Strategies[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("rate %v: P %.6f req %.2f fail %.2f minute %.4f", tc.rate, r.RollbackProbability, r.TargetRequests, r.TargetFailedRequests, r.Detection.Mean()/60)
		near(t, "target requests", r.TargetRequests, tc.req, 0.1)
		near(t, "target failed", r.TargetFailedRequests, tc.fail, 0.1)
		near(t, "alarm minute", r.Detection.Mean()/60, tc.minute, 0.001)
		if !math.IsNaN(tc.p) {
			near(t, "P(rollback)", r.RollbackProbability, tc.p, 0.00001)
		}
	}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %v, want %v ± %v", what, got, want, tol)
	}
}

// reRate is the reference workload at another request rate.
func reRate(t *testing.T, rate float64) *scenario.Scenario {
	t.Helper()
	return edit(t, "../scenarios/reference-workload.yaml", "rate: 2000", "rate: "+strconv.FormatFloat(rate, 'g', -1, 64))
}

// edit loads a scenario with one piece of its text replaced.
func edit(t *testing.T, path string, pairs ...string) *scenario.Scenario {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("%s has no %q", path, pairs[i])
		}
		text = strings.Replace(text, pairs[i], pairs[i+1], 1)
	}
	s, err := scenario.Parse(path, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPowerSearch: the plan found reaches the power asked for, and one
// minute (or one percent) less does not; the false-rollback probability is
// the healthy twin's rollback probability.
func TestPowerSearch(t *testing.T) {
	s := makeVariant(t, map[string]string{"NPERIODS": "2", "MPOINTS": "2", "RATE": "5"})
	rs, err := PowerSearch(&s.Model, s.Strategies, 0.95, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d results, want the canary and the linear plan", len(rs))
	}
	bad, good := Bad(&s.Model, 0.05), Healthy(&s.Model)
	power := func(m *sim.Model, c strategies.Config) float64 {
		mm := *m
		c.Name = planName(c)
		mm.Horizon = max(mm.Horizon, c.Plan(mm.Linear).End+time.Minute)
		e, err := NewEngine(&mm)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Exact(sim.Strategy{Name: "x", Config: c})
		if err != nil {
			t.Fatal(err)
		}
		return r.RollbackProbability
	}
	for _, r := range rs {
		t.Logf("%s: power %.4f, interval %d (%.4f, false %.4f), percentage %d (%.4f, false %.4f)", r.Strategy, r.Power,
			r.Interval, r.IntervalPower, r.IntervalFalseAlarm, r.Percentage, r.PercentagePower, r.PercentageFalseAlarm)
		if r.Interval == 0 {
			t.Errorf("%s: no interval found", r.Strategy)
			continue
		}
		c := r.Config
		c.Interval = r.Interval
		near(t, r.Strategy+" power at the interval", power(bad, c), r.IntervalPower, 1e-12)
		near(t, r.Strategy+" false alarm at the interval", power(good, c), r.IntervalFalseAlarm, 1e-12)
		if r.IntervalPower < 0.95 {
			t.Errorf("%s: interval %d reaches %v", r.Strategy, r.Interval, r.IntervalPower)
		}
		if r.Interval > 1 {
			c.Interval--
			if p := power(bad, c); p >= 0.95 {
				t.Errorf("%s: interval %d already reaches %v", r.Strategy, c.Interval, p)
			}
		}
		if r.Percentage > 1 {
			c := r.Config
			c.Percentage = r.Percentage - 1
			if p := power(bad, c); p >= 0.95 {
				t.Errorf("%s: percentage %d already reaches %v", r.Strategy, c.Percentage, p)
			}
		}
	}
}

// BenchmarkExact is `shiftsim power` on a built-in scenario: every
// strategy computed exactly (the random poll phase: 60 chains each).
func BenchmarkExact(b *testing.B) {
	for _, name := range []string{"bad-canary", "gradual-degradation", "reference-workload"} {
		b.Run(name, func(b *testing.B) {
			s, err := scenario.Load(filepath.Join("..", "scenarios", name+".yaml"))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				e, err := NewEngine(&s.Model)
				if err != nil {
					b.Fatal(err)
				}
				for _, st := range s.Strategies {
					if _, err := e.Exact(st); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
