package sweep

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// Count is how many runs ended with one value of a field.
type Count struct {
	Value string
	N     int
}

// Stats describes one strategy over all its runs.
type Stats struct {
	Strategy string // as the user wrote it
	Config   string // the CodeDeploy config name
	Runs     int

	// Counts over the whole horizon.
	Requests, TargetRequests, FailedRequests, TargetFailedRequests Summary
	// Times in seconds of virtual time (nulls where the event did not happen).
	DeploymentStart, FullShift, End, Detected Summary
	// TimeToDetect is Detected − DeploymentStart, over the runs with a detection.
	TimeToDetect Summary
	// Duration is End − DeploymentStart: how long the deployment took,
	// to success or to rollback.
	Duration Summary
	// Planned is how long the deployment takes when nothing stops it: the
	// hooks' durations plus the traffic-shifting schedule.
	Planned time.Duration

	RolledBack Proportion
	// Paused is the probability a run ends its horizon Paused (an Argo
	// rollout waiting for a user): it has not finished. FalsePause is the
	// same on the healthy twin.
	Paused, FalsePause Proportion
	// FaultAtFull is the probability that the faulty target had 100 % of
	// the traffic before detection; nil for a healthy target.
	FaultAtFull *Proportion
	// FalseRollback is the rollback probability of the healthy twin
	// (Twin: the target behaving exactly like the current version), where
	// every rollback is a false alarm; FalseCauses counts its causes.
	FalseRollback Proportion
	FalseCauses   []Count
	// Healthy says the target itself is healthy (Healthy): its own
	// rollbacks are false alarms too.
	Healthy bool
	// ExcessTargetFailed and ExcessFailed are the failures the target
	// caused (Excess), on its own requests and on all.
	ExcessTargetFailed, ExcessFailed Summary
	// TimeToRollback is how long after the target first became worse than
	// the current version (Onset: the deployment start, or a later fault's
	// onset) the runs that rolled back did so; 0 for a rollback before it.
	TimeToRollback Summary

	Statuses []Count // most frequent first, then by name
	Causes   []Count // rollback causes of the rolled-back runs, likewise
}

// NeverFinishes is the planned duration of a plan that waits for a user
// nobody plays (an Argo pause: {} or blue-green promotion without
// deployment.argo_promote_after, an analysis that never ends by itself):
// longer than any horizon, so recommend never takes it for a fast plan.
const NeverFinishes = time.Duration(1 << 62)

// Planned is how long a deployment of c takes in m when nothing stops it:
// the lifecycle hooks' durations plus the AllowTraffic schedule; for an
// Argo Rollouts plan, its schedule with every analysis passing as early as
// it can and the model's user promoting each pause (NeverFinishes when
// nobody does).
func Planned(m *sim.Model, c strategies.Config) time.Duration {
	if c.Argo() {
		promote := m.PromoteAfter
		if promote == 0 {
			promote = -1
		}
		if p, ok := c.Rollout.Schedule(promote); ok {
			return p.End
		}
		return NeverFinishes
	}
	d := c.Plan(m.Linear).End
	if c.LifecycleHooks() {
		for _, h := range m.Hooks {
			d += h.Duration
		}
	}
	return d
}

// Stats describes every strategy, in the order of r.Strategies.
func (r *Replicated) Stats() []Stats {
	out := make([]Stats, len(r.Strategies))
	healthy := Healthy(r.Model)
	for s, st := range r.Strategies {
		out[s] = describe(st, r.Outcomes[s], healthy, Onset(r.Model).Seconds())
		out[s].Planned = Planned(r.Model, st.Config)
	}
	return out
}

func describe(st sim.Strategy, os []Outcome, healthy bool, onset float64) Stats {
	n := len(os)
	col := func(f func(o *Outcome) float64) Summary {
		xs := make([]float64, n)
		for i := range os {
			xs[i] = f(&os[i])
		}
		return Summarize(xs)
	}
	s := Stats{Strategy: st.Name, Config: st.Config.Name, Runs: n}
	s.Requests = col(func(o *Outcome) float64 { return float64(o.Requests) })
	s.TargetRequests = col(func(o *Outcome) float64 { return float64(o.TargetRequests) })
	s.FailedRequests = col(func(o *Outcome) float64 { return float64(o.FailedRequests) })
	s.TargetFailedRequests = col(func(o *Outcome) float64 { return float64(o.TargetFailedRequests) })
	s.DeploymentStart = col(func(o *Outcome) float64 { return o.DeploymentStart })
	s.FullShift = col(func(o *Outcome) float64 { return o.FullShift })
	s.End = col(func(o *Outcome) float64 { return o.End })
	s.Detected = col(func(o *Outcome) float64 { return o.Detected })
	s.TimeToDetect = col(func(o *Outcome) float64 { return o.Detected - o.DeploymentStart })
	s.Duration = col(func(o *Outcome) float64 { return o.End - o.DeploymentStart })
	s.TimeToRollback = col(func(o *Outcome) float64 {
		if !o.RolledBack {
			return math.NaN()
		}
		return max(0, o.End-max(o.DeploymentStart, onset))
	})
	s.ExcessTargetFailed = col(func(o *Outcome) float64 { return o.ExcessTargetFailed })
	s.ExcessFailed = col(func(o *Outcome) float64 { return o.ExcessFailed })
	s.Healthy = healthy

	rolled, atFull, falses, paused, falsePaused := 0, 0, 0, 0, 0
	statuses, causes, falseCauses := map[string]int{}, map[string]int{}, map[string]int{}
	for i := range os {
		o := &os[i]
		statuses[o.Status]++
		if o.Status == statusPaused {
			paused++
		}
		if o.TwinPaused {
			falsePaused++
		}
		if o.RolledBack {
			rolled++
			causes[o.Cause]++
		}
		if o.FaultAtFull {
			atFull++
		}
		if o.TwinRolledBack {
			falses++
			falseCauses[o.TwinCause]++
		}
	}
	s.RolledBack = Wilson(rolled, n)
	s.FalseRollback = Wilson(falses, n)
	s.Paused, s.FalsePause = Wilson(paused, n), Wilson(falsePaused, n)
	if !healthy {
		p := Wilson(atFull, n)
		s.FaultAtFull = &p
	}
	s.Statuses, s.Causes, s.FalseCauses = counts(statuses), counts(causes), counts(falseCauses)
	return s
}

// counts lists m's entries, most frequent first, ties by value.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for v, n := range m {
		out = append(out, Count{v, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return out
}

// Column returns one metric of every run of strategy s, in run order: a
// count as a float, a time in seconds (NaN where it did not happen).
func (r *Replicated) Column(s int, f func(o *Outcome) float64) []float64 {
	xs := make([]float64, len(r.Outcomes[s]))
	for i := range r.Outcomes[s] {
		xs[i] = f(&r.Outcomes[s][i])
	}
	return xs
}

// TargetFailed is a Column selector: the target's failed requests.
func TargetFailed(o *Outcome) float64 { return float64(o.TargetFailedRequests) }

// Failed is a Column selector: all failed requests.
func Failed(o *Outcome) float64 { return float64(o.FailedRequests) }

// statusPaused is deploy.Paused's word: an Argo rollout waiting for a user.
const statusPaused = "Paused"
