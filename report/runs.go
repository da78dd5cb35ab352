package report

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/shiftsim/shiftsim/sweep"
)

// ComparedRuns is the JSON document of `shiftsim compare --runs N` (N > 1):
// the single-run document's fields, with every count and time of a result
// turned into its distribution over the runs. The field names are a
// contract, like Compared's.
type ComparedRuns struct {
	Scenario string  `json:"scenario"`
	Seed     uint64  `json:"seed"`
	Horizon  float64 `json:"horizon_s"`
	Runs     int     `json:"runs"`
	Engine   string  `json:"engine,omitempty"`
	// HealthyTarget says the target is no worse than the current version
	// and no fault hits it: every rollback is then a false alarm.
	HealthyTarget bool         `json:"healthy_target"`
	Results       []RunsResult `json:"results"`
}

// Dist is a metric's distribution over the runs. A value that is undefined
// (the spread of a single value, anything of no value) is null.
type Dist struct {
	Mean     *float64 `json:"mean"`
	StdDev   *float64 `json:"stddev"`
	Min      *float64 `json:"min"`
	P5       *float64 `json:"p5"`
	P50      *float64 `json:"p50"`
	P95      *float64 `json:"p95"`
	Max      *float64 `json:"max"`
	CI95Low  *float64 `json:"ci95_low"`
	CI95High *float64 `json:"ci95_high"`
}

// TimeDist is a time's distribution over the runs where it happened, and
// the fraction of runs where it did not.
type TimeDist struct {
	Dist
	NullFraction float64 `json:"null_fraction"`
}

// Prob is an estimated probability with its 95 % Wilson interval.
type Prob struct {
	P        float64 `json:"probability"`
	CI95Low  float64 `json:"ci95_low"`
	CI95High float64 `json:"ci95_high"`
	Runs     int     `json:"runs"` // how many runs it is estimated from
}

// RunsResult is one strategy over all runs.
type RunsResult struct {
	Strategy string `json:"strategy"`
	Config   string `json:"config"`
	Runs     int    `json:"runs"`
	// Status is the most frequent status; Statuses counts them all.
	Status   string         `json:"status"`
	Statuses map[string]int `json:"statuses"`
	// RolledBack says more than half the runs rolled back; RollbackCause
	// is then the most frequent cause (null otherwise).
	RolledBack          bool           `json:"rolled_back"`
	RollbackCause       *string        `json:"rollback_cause"`
	RollbackCauses      map[string]int `json:"rollback_causes"`
	RollbackProbability float64        `json:"rollback_probability"`
	RollbackCI95        [2]float64     `json:"rollback_probability_ci95"`
	// FaultAtFull: the faulty target got 100 % of the traffic before
	// detection (null for a healthy target).
	FaultAtFull *Prob `json:"fault_at_full_before_detection"`
	// FalseRollback: the healthy twin (the target behaving exactly like the
	// current version, same seeds) was rolled back; FalseRollbackProbability
	// is its probability alone (a contract field), FalseRollbackCauses the
	// alarm or hook responsible, counted over the twin's runs.
	FalseRollback            *Prob          `json:"false_rollback"`
	FalseRollbackProbability float64        `json:"false_rollback_probability"`
	FalseRollbackCI95        [2]float64     `json:"false_rollback_probability_ci95"`
	FalseRollbackCauses      map[string]int `json:"false_rollback_causes"`
	// Verdict is the strategy in one line for people (Verdict).
	Verdict string `json:"verdict"`
	// PlannedDuration is how long the deployment takes when nothing stops it.
	PlannedDuration float64 `json:"planned_duration_s"`
	// OnFrontier: no other strategy is both faster (planned) and hurts
	// fewer target requests on average.
	OnFrontier bool `json:"on_frontier"`

	DeploymentStart TimeDist `json:"deployment_start_s"`
	FullShift       TimeDist `json:"full_shift_s"`
	End             TimeDist `json:"end_s"`
	Detected        TimeDist `json:"detected_s"`
	TimeToDetect    TimeDist `json:"time_to_detect_s"`
	Duration        TimeDist `json:"duration_s"`

	Requests             Dist `json:"requests"`
	TargetRequests       Dist `json:"target_requests"`
	FailedRequests       Dist `json:"failed_requests"`
	TargetFailedRequests Dist `json:"target_failed_requests"`
	// ExcessTargetFailedRequests and ExcessFailedRequests are the failures
	// the target caused: beyond what the current version's own failure
	// rate (the twin's, minute by minute) gives on the same requests.
	ExcessTargetFailedRequests Dist `json:"excess_target_failed_requests"`
	ExcessFailedRequests       Dist `json:"excess_failed_requests"`
	// TimeToRollback is from when the target first turned worse than the
	// current version (the start, or its fault's onset) to the rollback,
	// over the runs that rolled back.
	TimeToRollback TimeDist `json:"time_to_rollback_s"`
}

func num(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func dist(s sweep.Summary) Dist {
	return Dist{Mean: num(s.Mean), StdDev: num(s.StdDev), Min: num(s.Min), P5: num(s.P5), P50: num(s.P50),
		P95: num(s.P95), Max: num(s.Max), CI95Low: num(s.CILow), CI95High: num(s.CIHigh)}
}

func timeDist(s sweep.Summary) TimeDist {
	return TimeDist{Dist: dist(s), NullFraction: s.NullFraction()}
}

func prob(p *sweep.Proportion) *Prob {
	if p == nil {
		return nil
	}
	return &Prob{P: p.P, CI95Low: p.Low, CI95High: p.High, Runs: p.N}
}

func countMap(cs []sweep.Count) map[string]int {
	m := make(map[string]int, len(cs))
	for _, c := range cs {
		m[c.Value] = c.N
	}
	return m
}

// FromStats converts the statistics of replicated runs; frontier marks the
// strategies on the safety/speed frontier (may be nil).
func FromStats(st []sweep.Stats, frontier []bool) []RunsResult {
	out := make([]RunsResult, 0, len(st))
	for i, s := range st {
		r := RunsResult{
			Strategy: s.Strategy, Config: s.Config, Runs: s.Runs,
			Statuses: countMap(s.Statuses), RollbackCauses: countMap(s.Causes),
			RollbackProbability: s.RolledBack.P, RollbackCI95: [2]float64{s.RolledBack.Low, s.RolledBack.High},
			FaultAtFull: prob(s.FaultAtFull), FalseRollback: prob(&s.FalseRollback),
			FalseRollbackProbability: s.FalseRollback.P, FalseRollbackCI95: [2]float64{s.FalseRollback.Low, s.FalseRollback.High},
			FalseRollbackCauses:        countMap(s.FalseCauses),
			ExcessTargetFailedRequests: dist(s.ExcessTargetFailed), ExcessFailedRequests: dist(s.ExcessFailed),
			TimeToRollback:  timeDist(s.TimeToRollback),
			PlannedDuration: s.Planned.Seconds(),
			DeploymentStart: timeDist(s.DeploymentStart), FullShift: timeDist(s.FullShift),
			End: timeDist(s.End), Detected: timeDist(s.Detected),
			TimeToDetect: timeDist(s.TimeToDetect), Duration: timeDist(s.Duration),
			Requests: dist(s.Requests), TargetRequests: dist(s.TargetRequests),
			FailedRequests: dist(s.FailedRequests), TargetFailedRequests: dist(s.TargetFailedRequests),
		}
		if len(s.Statuses) > 0 {
			r.Status = s.Statuses[0].Value
		}
		if 2*s.RolledBack.K > s.RolledBack.N && len(s.Causes) > 0 {
			r.RolledBack = true
			c := s.Causes[0].Value
			r.RollbackCause = &c
		}
		if frontier != nil {
			r.OnFrontier = frontier[i]
		}
		r.Verdict = Verdict(r, s.Healthy)
		out = append(out, r)
	}
	return out
}

// Verdict says in one line what a strategy does, from its numbers: how
// often and how fast it rolls back a bad version (or ships a healthy one),
// and how often it rolls back a healthy one (docs/advice.md).
func Verdict(r RunsResult, healthy bool) string {
	falses := "false rollbacks " + pc(r.FalseRollbackProbability)
	if c := topCause(r.FalseRollbackCauses); c != "" {
		falses += " (" + c + ")"
	}
	if healthy {
		return fmt.Sprintf("ships the healthy version in %s of runs; %s", pc(1-r.RollbackProbability), falses)
	}
	if r.RollbackProbability == 0 {
		return fmt.Sprintf("never rolls back the bad version (%d runs); %s", r.Runs, falses)
	}
	within := ""
	if t := r.TimeToRollback.P95; t != nil {
		within = " within " + shortDur(*t) + " (p95)"
	}
	return fmt.Sprintf("rolls back a bad version in %s of runs%s; %s", pc(r.RollbackProbability), within, falses)
}

// pc is a probability as a whole percent, "97 %"; a rare event is never
// rounded to 0 % or a near-certain one to 100 %.
func pc(p float64) string {
	switch {
	case math.IsNaN(p):
		return "- %"
	case p > 0 && p < 0.005:
		return "<1 %"
	case p < 1 && p > 0.995:
		return ">99 %"
	}
	return strconv.FormatFloat(100*p, 'f', 0, 64) + " %"
}

// shortDur is a duration in seconds as 3m10s, 45s or 1h02m.
func shortDur(s float64) string {
	d := time.Duration(math.Round(s)) * time.Second
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", d/time.Minute, d%time.Minute/time.Second)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// topCause is the most frequent key of causes, ties by name; "" for none.
func topCause(causes map[string]int) string {
	best, n := "", 0
	for c, k := range causes {
		if k > n || k == n && c < best {
			best, n = c, k
		}
	}
	return best
}
