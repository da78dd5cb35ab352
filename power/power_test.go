package power

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

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
