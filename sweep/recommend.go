package sweep

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// Budget is how much harm a deployment may do: the blast radius (failed
// requests on the target, or on both versions with AllFailed) must stay at
// or under MaxFailed in a Confidence share of runs — its empirical
// Confidence-quantile over the runs is at most MaxFailed.
type Budget struct {
	MaxFailed  float64
	Confidence float64 // in (0, 1], e.g. 0.95
	AllFailed  bool
}

// Metric is the blast radius the budget counts.
func (b Budget) Metric() func(*Outcome) float64 {
	if b.AllFailed {
		return Failed
	}
	return TargetFailed
}

// Search grid of custom configs: canary percentages and intervals, linear
// steps and intervals (minutes). Small enough to run each many times.
var (
	canaryPercents  = []int{5, 10, 25, 50}
	canaryIntervals = []int{2, 5, 10, 15, 30}
	linearPercents  = []int{10, 20, 25, 50}
	linearIntervals = []int{1, 2, 3, 5}
)

// Candidates lists the plans Recommend weighs: CodeDeploy's predefined
// Lambda configs and a grid of custom TimeBasedCanary and TimeBasedLinear
// ones, without duplicates (a custom config equal to a predefined one is
// the predefined one), keeping only those that finish within m's horizon;
// skipped counts the others.
//
// The scenario's own strategies (extra) come first, under their names.
func Candidates(m *sim.Model, extra []sim.Strategy) (cands []sim.Strategy, skipped int) {
	seen := map[[3]any]bool{}
	addc := func(name string, c strategies.Config) {
		key := [3]any{c.Type, c.Percentage, c.Interval}
		if seen[key] {
			return
		}
		seen[key] = true
		if m.DeployStart+Planned(m, c) > m.Horizon {
			skipped++
			return
		}
		cands = append(cands, sim.Strategy{Name: name, Config: c})
	}
	for _, st := range extra {
		addc(st.Name, st.Config)
	}
	for _, c := range strategies.Predefined() {
		addc(strategies.ShortName(c), c)
	}
	for _, p := range canaryPercents {
		for _, iv := range canaryIntervals {
			c := strategies.Config{Type: strategies.Canary, Percentage: p, Interval: iv}
			c.Name = strategies.GeneratedName(c)
			addc(c.Name, c)
		}
	}
	for _, p := range linearPercents {
		for _, iv := range linearIntervals {
			c := strategies.Config{Type: strategies.Linear, Percentage: p, Interval: iv}
			c.Name = strategies.GeneratedName(c) // as CodeDeploy spells it: Every1Minute
			addc(c.Name, c)
		}
	}
	return cands, skipped
}

// Candidate is one plan's record against the budget.
type Candidate struct {
	Strategy   sim.Strategy
	Predefined bool
	Stats      Stats
	// BlastRadius describes the budget's metric over the runs; Quantile is
	// its value at the budget's confidence.
	BlastRadius Summary
	Quantile    float64
	Fits        bool
	OnFrontier  bool // Pareto-optimal in planned duration and mean blast radius
}

// Recommendation is the outcome of Recommend.
type Recommendation struct {
	Budget     Budget
	Runs       int
	Candidates []Candidate // fastest first (planned duration, then mean blast radius)
	Best       int         // index of the fastest plan within the budget; -1 if none
	Skipped    int         // plans too long for the scenario's horizon
}

// Recommend runs every candidate plan o.Runs times on m (run i with the
// same seed for every plan) and picks the fastest plan, by planned
// duration, whose blast radius stays within b.
func Recommend(m *sim.Model, cands []sim.Strategy, b Budget, o Options) (*Recommendation, error) {
	if !(b.Confidence > 0 && b.Confidence <= 1) {
		return nil, fmt.Errorf("confidence %v: want a number in (0, 1]", b.Confidence)
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("no candidate plan finishes within the horizon of %v", m.Horizon)
	}
	rep, err := Run(m, cands, o)
	if err != nil {
		return nil, err
	}
	st := rep.Stats()
	rec := &Recommendation{Budget: b, Runs: rep.Runs, Best: -1}
	metric := b.Metric()
	pts := make([]Point, len(cands))
	for i, c := range cands {
		xs := rep.Column(i, metric)
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		q := Quantile(sorted, b.Confidence)
		_, isPre := strategies.PredefinedName(c.Config)
		cand := Candidate{Strategy: c, Predefined: isPre, Stats: st[i], BlastRadius: Summarize(xs), Quantile: q, Fits: q <= b.MaxFailed}
		rec.Candidates = append(rec.Candidates, cand)
		pts[i] = Point{Duration: st[i].Planned.Seconds(), BlastRadius: cand.BlastRadius.Mean}
	}
	for i, on := range Frontier(pts) {
		rec.Candidates[i].OnFrontier = on
	}
	slices.SortStableFunc(rec.Candidates, func(a, b Candidate) int {
		if c := cmp.Compare(a.Stats.Planned, b.Stats.Planned); c != 0 {
			return c
		}
		if c := cmp.Compare(a.BlastRadius.Mean, b.BlastRadius.Mean); c != 0 {
			return c
		}
		return cmp.Compare(a.Strategy.Name, b.Strategy.Name)
	})
	for i, c := range rec.Candidates {
		if c.Fits {
			rec.Best = i
			break
		}
	}
	return rec, nil
}
