package sweep_test

import (
	"fmt"
	"testing"

	"github.com/shiftsim/shiftsim/sweep"
)

func TestCandidates(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	cands, skipped := sweep.Candidates(&s.Model, s.Strategies)
	seen := map[string]bool{}
	for _, c := range cands {
		key := fmt.Sprint(c.Config.Type, c.Config.Percentage, c.Config.Interval)
		if seen[key] {
			t.Errorf("%s duplicates another plan", c.Name)
		}
		seen[key] = true
		if err := c.Config.Validate(); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
		if s.Model.DeployStart+sweep.Planned(&s.Model, c.Config) > s.Model.Horizon {
			t.Errorf("%s does not finish within the horizon", c.Name)
		}
	}
	// The scenario's own strategies come first; plans too long are counted.
	if cands[0].Name != s.Strategies[0].Name || skipped == 0 {
		t.Errorf("first %s, skipped %d", cands[0].Name, skipped)
	}
}

// With a budget every plan meets, the fastest plan (AllAtOnce, 0 s) wins;
// the recommendation is the same at any number of workers.
func TestRecommendFastestWithinBudget(t *testing.T) {
	s := load(t, "healthy.yaml")
	all, _ := sweep.Candidates(&s.Model, nil)
	cands := all[:3]
	for _, c := range all {
		if c.Name == "AllAtOnce" {
			cands = append(cands, c)
		}
	}
	a, err := sweep.Recommend(&s.Model, cands, sweep.Budget{MaxFailed: 1e9, Confidence: 0.95}, sweep.Options{Runs: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sweep.Recommend(&s.Model, cands, sweep.Budget{MaxFailed: 1e9, Confidence: 0.95}, sweep.Options{Runs: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a.Best != 0 || a.Candidates[0].Strategy.Name != "AllAtOnce" {
		t.Errorf("best %d: %+v", a.Best, a.Candidates[0].Strategy)
	}
	for i := range a.Candidates {
		if a.Candidates[i].Quantile != b.Candidates[i].Quantile || a.Candidates[i].Strategy.Name != b.Candidates[i].Strategy.Name {
			t.Errorf("candidate %d differs between 1 and 2 workers", i)
		}
	}
	if _, err := sweep.Recommend(&s.Model, cands, sweep.Budget{MaxFailed: 1, Confidence: 1.5}, sweep.Options{Runs: 1}); err == nil {
		t.Error("confidence 1.5 accepted")
	}
}
