package sweep

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// Budget is how much harm a deployment may do, and how often it may roll
// back a healthy version. The blast radius — failures the target caused
// (Excess: beyond the current version's own failure rate; on the target's
// requests, or on both versions' with AllFailed) — must stay at or under
// MaxFailed in a Confidence share of runs (its empirical Confidence-quantile
// is at most MaxFailed), and the healthy twin's rollback probability must
// be at most MaxFalseRollback. A rollback stops harm but never counts as
// safety: the budget does not count the failures a rollback avoided of
// the current version's own rate (docs/advice.md).
type Budget struct {
	MaxFailed        float64
	Confidence       float64 // in (0, 1], e.g. 0.95
	AllFailed        bool
	MaxFalseRollback float64 // in [0, 1], e.g. 0.05
}

// DefaultMaxFalseRollback is recommend's default --max-false-rollback.
const DefaultMaxFalseRollback = 0.05

// Metric is the blast radius the budget counts.
func (b Budget) Metric() func(*Outcome) float64 {
	if b.AllFailed {
		return func(o *Outcome) float64 { return o.ExcessFailed }
	}
	return func(o *Outcome) float64 { return o.ExcessTargetFailed }
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
// The scenario's own strategies (extra) come first, under their names, of
// whatever family (AppConfig, ECS, …): recommend may choose any of them.
func Candidates(m *sim.Model, extra []sim.Strategy) (cands []sim.Strategy, skipped int) {
	seen := map[[4]any]bool{}
	addc := func(name string, c strategies.Config) {
		// A CodeDeploy config is its schedule; any other plan (AppConfig,
		// ECS, a peer's) carries its parameters elsewhere in Config, so it
		// is told apart by its name.
		key := [4]any{c.Type, c.Percentage, c.Interval, ""}
		if !c.CodeDeploy() {
			key[3] = c.Name
		}
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
	// FitsFailures and FitsFalseRollback are the budget's two tests;
	// Finishes says no healthy-twin run ended Paused (an Argo rollout
	// waiting for a user has not finished, so it is never the fast plan);
	// Fits is all three.
	FitsFailures, FitsFalseRollback, Finishes, Fits bool
	OnFrontier                                      bool // Pareto-optimal in planned duration and mean blast radius
	// Shortfall is how far the plan misses the budget (0 when it fits):
	// the relative excess of its blast-radius quantile over MaxFailed plus
	// that of its false-rollback probability over MaxFalseRollback.
	Shortfall float64
}

// Recommendation is the outcome of Recommend.
type Recommendation struct {
	Budget     Budget
	Runs       int
	Candidates []Candidate // fastest first (planned duration, then mean blast radius)
	Best       int         // index of the fastest plan within the budget; -1 if none
	// Nearest are the indexes of the plans that miss the budget by least
	// (Shortfall, then planned duration), up to three, when none fits.
	Nearest []int
	Skipped int // plans too long for the scenario's horizon
}

// Recommend runs every candidate plan o.Runs times on m and on its healthy
// twin (run i with the same seed for every plan) and picks the fastest
// plan, by planned duration, that keeps within b: the failures it lets the
// target cause, and its false rollbacks. When none does, Nearest lists the
// plans that come closest.
func Recommend(m *sim.Model, cands []sim.Strategy, b Budget, o Options) (*Recommendation, error) {
	if !(b.Confidence > 0 && b.Confidence <= 1) {
		return nil, fmt.Errorf("confidence %v: want a number in (0, 1]", b.Confidence)
	}
	if !(b.MaxFalseRollback >= 0 && b.MaxFalseRollback <= 1) {
		return nil, fmt.Errorf("max false rollback %v: want a probability in [0, 1]", b.MaxFalseRollback)
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("no candidate plan finishes within the horizon of %v", m.Horizon)
	}
	rep, err := Run(m, cands, o)
	if err != nil {
		return nil, err
	}
	return RecommendFrom(rep, b)
}

// RecommendFrom applies Recommend's rule to runs already made: every run
// of every plan of rep (a whole run's, merged shards', or plans run on
// models of their own, such as each with its tuned alarm).
func RecommendFrom(rep *Replicated, b Budget) (*Recommendation, error) {
	if !(b.Confidence > 0 && b.Confidence <= 1) {
		return nil, fmt.Errorf("confidence %v: want a number in (0, 1]", b.Confidence)
	}
	cands := rep.Strategies
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
		fr := st[i].FalseRollback.P
		cand := Candidate{Strategy: c, Predefined: isPre, Stats: st[i], BlastRadius: Summarize(xs), Quantile: q,
			FitsFailures: q <= b.MaxFailed, FitsFalseRollback: fr <= b.MaxFalseRollback}
		cand.Finishes = st[i].FalsePause.P == 0
		cand.Fits = cand.FitsFailures && cand.FitsFalseRollback && cand.Finishes
		cand.Shortfall = max(0, q-b.MaxFailed)/max(b.MaxFailed, 1) + max(0, fr-b.MaxFalseRollback)/max(b.MaxFalseRollback, 0.01) + st[i].FalsePause.P/0.01
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
	if rec.Best < 0 {
		idx := make([]int, len(rec.Candidates))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Compare(rec.Candidates[a].Shortfall, rec.Candidates[b].Shortfall) // then fastest: the order of Candidates
		})
		rec.Nearest = idx[:min(3, len(idx))]
	}
	return rec, nil
}
