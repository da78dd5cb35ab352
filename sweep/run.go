// Package sweep turns single simulated deployments into answers: many seeded
// replications per strategy with confidence intervals (Run, Stats), the
// safety/speed frontier (Frontier), the fastest plan within a failure budget
// (Recommend), and scenarios re-parsed with varied values (Vary).
//
// It never reads the wall clock or global randomness: a model, its seed and
// the number of runs determine every number, whatever GOMAXPROCS is. Run i
// of every strategy uses the same seed (common random numbers), so the
// strategies are compared on the same traffic and the same dice.
package sweep

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// golden is 2^64/φ, SplitMix64's increment.
const golden = 0x9e3779b97f4a7c15

// mix is SplitMix64's finaliser (Steele, Lea and Flood).
func mix(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Every run of a strategy is paired with the same strategy and seed on the
// model's healthy twin (Twin): its rollbacks are the false ones, and its
// failure rate is the baseline the target's harm is measured against
// (Excess). When the model is its own twin, one run serves as both.

// Seed is the seed of run i of a scenario whose seed is base. Run 0 uses
// base itself, so one run reproduces `shiftsim compare` byte for byte; run i
// uses the i-th output of a SplitMix64 sequence started at base, a fixed
// function of (base, i).
func Seed(base uint64, i int) uint64 {
	if i == 0 {
		return base
	}
	return mix(base + uint64(i)*golden)
}

// Options controls Run.
type Options struct {
	// Runs is how many replications per strategy; below 1 means 1.
	Runs int
	// Workers is how many runs go at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called after each finished run with the number
	// done and the total (runs × strategies), from one goroutine at a time.
	Progress func(done, total int)
	// Keep is how many leading runs per strategy keep their full sim.Result
	// (timeline, phases) in Replicated.Kept; the others keep only Outcomes.
	Keep int
	// Shard, when Count > 0, runs only its share of the Runs (Shard.Range),
	// each with the seed it has in the whole run.
	Shard Shard
}

// Outcome is what one run of one strategy produced, reduced to the numbers
// the statistics need. Times are seconds of virtual time, NaN for an event
// that did not happen.
type Outcome struct {
	Seed       uint64
	Status     string
	RolledBack bool
	Cause      string // "alarm:<name>", "hook:<name>" or ""

	DeploymentStart, FullShift, End, Detected float64

	Requests, TargetRequests, FailedRequests, TargetFailedRequests int64

	// FaultAtFull says the target had all the traffic while it was faulty
	// and before anything detected it.
	FaultAtFull bool

	// The same strategy and seed on the model's healthy twin (Twin): did it
	// roll back (a false rollback), and why.
	TwinRolledBack bool
	TwinCause      string
	// TwinPaused says the healthy twin ended its horizon Paused: a plan
	// that does not finish even when nothing is wrong.
	TwinPaused bool
	// ExcessTargetFailed and ExcessFailed are the failures the target
	// caused, on its own requests and on all (Excess): never below 0.
	ExcessTargetFailed, ExcessFailed float64
}

// Replicated holds every run of every strategy, in order.
type Replicated struct {
	Model      *sim.Model // the model as given (its Seed is the base seed)
	Strategies []sim.Strategy
	Runs       int
	// Outcomes[s][i] is run From+i of strategy s.
	Outcomes [][]Outcome
	// From is the first run held: 0, or a shard's first run.
	From int
	// Kept[s][i] is the full result of run i < Options.Keep of strategy s.
	Kept [][]*sim.Result
}

// Run simulates every strategy Options.Runs times on m, run i with seed
// Seed(m.Seed, i), in parallel. The results are the same whatever the
// number of workers: each run depends only on its seed and strategy and is
// stored at its index. The first error (in run order) stops the work.
func Run(m *sim.Model, strats []sim.Strategy, o Options) (*Replicated, error) {
	runs := max(o.Runs, 1)
	lo, hi := 0, runs
	if o.Shard.Count > 0 {
		lo, hi = o.Shard.Range(runs)
	}
	out := &Replicated{Model: m, Strategies: strats, Runs: runs, From: lo,
		Outcomes: make([][]Outcome, len(strats)), Kept: make([][]*sim.Result, len(strats))}
	keep := min(max(o.Keep, 0), hi-lo)
	for s := range strats {
		out.Outcomes[s] = make([]Outcome, hi-lo)
		out.Kept[s] = make([]*sim.Result, keep)
	}
	total := (hi - lo) * len(strats)
	if total == 0 {
		return out, nil
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, total)
	healthy := Healthy(m)
	twin, own := Twin(m), IsOwnTwin(m)

	// Job j is run j/len(strats) of strategy j%len(strats): run 0 of every
	// strategy first, so a cancelled or slow sweep has whole runs done.
	errs := make([]error, total)
	var next, done atomic.Int64
	var failed atomic.Bool
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mm, tm := *m, *twin
			for !failed.Load() {
				j := int(next.Add(1) - 1)
				if j >= total {
					return
				}
				i, s := lo+j/len(strats), j%len(strats)
				mm.Seed = Seed(m.Seed, i)
				run := sim.RunCounts // the outcome needs no timeline
				if i-lo < keep {
					run = sim.Run
				}
				r, err := run(&mm, strats[s])
				tr := r
				if err == nil && !own {
					tm.Seed = mm.Seed
					tr, err = sim.RunCounts(&tm, strats[s])
				}
				if err != nil {
					errs[j] = fmt.Errorf("%s, run %d (seed %d): %w", strats[s].Name, i, mm.Seed, err)
					failed.Store(true)
					return
				}
				out.Outcomes[s][i-lo] = outcome(m, r, tr, mm.Seed, healthy)
				if i-lo < keep {
					out.Kept[s][i-lo] = r
				}
				if o.Progress != nil {
					n := int(done.Add(1))
					mu.Lock()
					o.Progress(n, total)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func secs(d *time.Duration) float64 {
	if d == nil {
		return math.NaN()
	}
	return d.Seconds()
}

func outcome(m *sim.Model, r, twin *sim.Result, seed uint64, healthy bool) Outcome {
	o := Outcome{
		Seed: seed, Status: string(r.Status), RolledBack: r.RolledBack, Cause: r.RollbackCause,
		DeploymentStart: r.DeploymentStart.Seconds(),
		FullShift:       secs(r.FullShift), End: secs(r.End), Detected: secs(r.Detected),
		Requests: r.Requests, TargetRequests: r.TargetRequests,
		FailedRequests: r.FailedRequests, TargetFailedRequests: r.TargetFailedRequests,
	}
	if !r.RolledBack {
		o.Cause = ""
	}
	o.TwinRolledBack = twin.RolledBack
	o.TwinPaused = string(twin.Status) == statusPaused
	if twin.RolledBack {
		o.TwinCause = twin.RollbackCause
	}
	o.ExcessTargetFailed, o.ExcessFailed = Excess(r, twin)
	if !healthy && r.FullShift != nil {
		until := m.Horizon
		if r.Detected != nil {
			until = *r.Detected
		}
		if r.RolledBack && r.End != nil && *r.End < until {
			until = *r.End
		}
		o.FaultAtFull = FaultyDuring(m, *r.FullShift, until)
	}
	return o
}
