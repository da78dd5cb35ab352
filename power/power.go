// Package power answers "will my alarms stop a bad version, how soon, and
// at what cost?" for each strategy of a model: the probability that the
// alarms (and hooks) stop the deployment, the distribution of the time to
// that stop, and the expected requests and failures the target serves.
//
// Where the traffic is a Poisson process with a known intensity and a
// single alarm reads counts of requests with a period equal to its
// evaluation interval, the answer is computed exactly (Exact): the
// per-period counts are independent Poisson variables, the datapoint a
// function of them, and the alarm a Markov chain over the classes of the
// datapoints in its evaluation range (missing, not breaching, breaching)
// and its state, stepped by package alarm's own evaluator. Otherwise it is
// estimated by simulation with confidence intervals (MonteCarlo). See
// docs/power.md.
//
// Like the simulator, the package never reads the wall clock or global
// randomness, and iterates no map into a result.
package power

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// Methods of a Result.
const (
	MethodExact      = "exact"
	MethodMonteCarlo = "monte_carlo"
)

// Result is one strategy's answer.
type Result struct {
	Strategy string
	Method   string // MethodExact or MethodMonteCarlo
	// Why is, for a Monte Carlo result, why it could not be computed exactly.
	Why string
	// RollbackProbability is the probability that alarms or hooks stop the
	// deployment (rolled back, or stopped where automatic rollback is off).
	RollbackProbability float64
	// TargetRequests and TargetFailedRequests are expectations over the
	// horizon.
	TargetRequests, TargetFailedRequests float64
	// DetectionProbability is the probability that the problem is detected
	// before the horizon: an alarm enters ALARM at or after the start
	// (even after the deployment ended), or a hook fails.
	DetectionProbability float64
	// Detection is the law of the time from the deployment's start to the
	// detection, given one: Mass[i] at Seconds[i], ascending (exact only).
	Detection Dist
	// Runs, for Monte Carlo, is the number of runs, and the CI95 fields
	// are 95 % intervals (Wilson for the probability, normal for means).
	Runs               int
	RollbackCI95       [2]float64
	TargetRequestsCI95 [2]float64
	TargetFailedCI95   [2]float64
	DetectionMeanCI95  [2]float64
}

// Dist is a discrete law of a time in seconds.
type Dist struct {
	Seconds []float64
	Mass    []float64 // sums to 1 (or is empty: never stopped)
}

// Quantile returns the smallest time whose cumulative mass reaches q, or
// NaN for an empty law.
func (d Dist) Quantile(q float64) float64 {
	total, cum := 0.0, 0.0
	for _, m := range d.Mass {
		total += m
	}
	if total == 0 {
		return math.NaN()
	}
	for i, m := range d.Mass {
		cum += m
		if cum >= q*total*(1-1e-12) {
			return d.Seconds[i]
		}
	}
	return d.Seconds[len(d.Seconds)-1]
}

// Mean returns the law's mean, NaN for an empty one.
func (d Dist) Mean() float64 {
	var s, t float64
	for i, m := range d.Mass {
		s += m * d.Seconds[i]
		t += m
	}
	if t == 0 {
		return math.NaN()
	}
	return s / t
}

// Engine computes exact results for one model, reusing what strategies
// share (the class laws of the alarm's datapoints).
type Engine struct {
	m        *sim.Model
	wd       *world
	classify *classifier
	// memo, when set, holds what evaluations of one strategy with other
	// alarms have computed already (tune-alarm's search).
	memo *memo
}

// NewEngine returns the exact engine for m, or an error saying why m is
// beyond it (see Exactable).
func NewEngine(m *sim.Model) (*Engine, error) {
	return newEngine(m, nil, nil)
}

// newEngine is NewEngine with a memo and a classifier to reuse (either may
// be nil): cl must classify m's alarm's datapoints (same metrics, threshold
// and comparison), mm must have served only m with other alarm rules.
func newEngine(m *sim.Model, mm *memo, cl *classifier) (*Engine, error) {
	if ok, why := Exactable(m); !ok {
		return nil, fmt.Errorf("%s", why)
	}
	var wd *world
	if mm != nil && mm.wd != nil {
		wd = &world{m: m, mean: mm.wd.mean, changes: mm.wd.changes}
	} else {
		var err error
		if wd, err = newWorld(m); err != nil {
			return nil, err
		}
		if mm != nil {
			mm.wd = wd
		}
	}
	e := &Engine{m: m, wd: wd, memo: mm}
	if len(m.Alarms) == 1 {
		e.classify = cl
		if cl == nil {
			e.classify = newClassifier(&m.Alarms[0])
		}
	}
	return e, nil
}

// Exact computes strategy s's result exactly.
func (e *Engine) Exact(s sim.Strategy) (Result, error) {
	return e.exact(s, math.Inf(1))
}

// memo is what exact evaluations of one strategy on one model share when
// only their alarm's rule differs (threshold, M of N, TreatMissingData —
// not its metrics or period): the paths, the target's expectations by stop
// time, and every bucket's expected requests and failure fraction. It
// changes no number, only how often each is computed.
type memo struct {
	wd      *world
	paths   []path
	pathErr error
	done    bool
	targets []map[time.Duration]expectation // by path
	buckets map[bucketKey][]bucketLaw
}

func newMemo() *memo { return &memo{buckets: map[bucketKey][]bucketLaw{}} }

// bucketKey names the buckets of one path at one poll phase for an alarm
// of one period reading one set of versions.
type bucketKey struct {
	path          int
	phase, period time.Duration
	versions      uint8
}

// bucketLaw is a bucket's expected requests and their failure fraction;
// known says it has been computed.
type bucketLaw struct {
	mu, pf float64
	known  bool
}

// expectation is the target's expected requests and failures over the
// horizon.
type expectation struct{ req, fail float64 }

// exact is Exact, cut short once the rollback probability exceeds limit:
// masses only add, so the rest can only raise it (tune-alarm needs to know
// no more of an alarm above its ceiling). Its other fields are then partial.
func (e *Engine) exact(s sim.Strategy, limit float64) (Result, error) {
	m := e.m
	var ps []path
	var err error
	if mm := e.memo; mm != nil {
		if !mm.done {
			mm.paths, mm.pathErr = paths(m, s)
			mm.done = true
			mm.targets = make([]map[time.Duration]expectation, len(mm.paths))
		}
		ps, err = mm.paths, mm.pathErr
	} else {
		ps, err = paths(m, s)
	}
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", s.Name, err)
	}
	res := Result{Strategy: s.Name, Method: MethodExact}
	type point struct {
		at   time.Duration
		mass float64
	}
	var det []point
	phases, weight := []time.Duration{m.PollPhase.Fixed}, 1.0
	if m.PollPhase.Random {
		// A random phase is a whole second, uniform over the cycle
		// (docs/monitoring.md): the answer is the average over them.
		n := int(sim.PhaseCycle(m.AlarmPollInterval) / time.Second)
		phases, weight = phases[:0], 1/float64(n)
		for i := 0; i < n; i++ {
			phases = append(phases, time.Duration(i)*time.Second)
		}
	}
	at := make([]map[time.Duration]expectation, len(ps)) // the target's expectations by stop time, per path
	if e.memo != nil {
		at = e.memo.targets
	}
	var c *chain
	if e.classify != nil {
		c = newChain(m, &m.Alarms[0], e.classify)
	}
	for _, phase := range phases {
		for i := range ps {
			p := &ps[i]
			if at[i] == nil {
				at[i] = map[time.Duration]expectation{}
			}
			expect := func(t time.Duration) expectation {
				x, ok := at[i][t]
				if !ok {
					x.req, x.fail = e.wd.target(p, t)
					at[i][t] = x
				}
				return x
			}
			var laws []bucketLaw
			var key bucketKey
			if c != nil && e.memo != nil {
				key = bucketKey{i, phase, c.period, c.a.Queries[0].Versions}
				laws = e.memo.buckets[key]
			}
			o := e.wd.run(p, c, phase, &laws)
			if c != nil && e.memo != nil {
				e.memo.buckets[key] = laws
			}
			left := 1.0
			pw := p.Prob * weight
			for _, st := range o.stops {
				w := pw * st.Mass
				x := expect(st.At)
				res.RollbackProbability += w
				res.TargetRequests += w * x.req
				res.TargetFailedRequests += w * x.fail
				left -= st.Mass
			}
			for _, d := range o.detections {
				det = append(det, point{d.At, pw * d.Mass})
				res.DetectionProbability += pw * d.Mass
			}
			x := expect(never)
			w := pw * max(left, 0)
			res.TargetRequests += w * x.req
			res.TargetFailedRequests += w * x.fail
			if res.RollbackProbability > limit {
				return res, nil
			}
		}
	}
	// Sums of many masses can pass 1 by a rounding error.
	res.RollbackProbability = min(res.RollbackProbability, 1)
	res.DetectionProbability = min(res.DetectionProbability, 1)
	slices.SortStableFunc(det, func(a, b point) int { return cmp.Compare(a.at, b.at) })
	for _, d := range det {
		sec := (d.at - m.DeployStart).Seconds()
		if n := len(res.Detection.Seconds); n > 0 && res.Detection.Seconds[n-1] == sec {
			res.Detection.Mass[n-1] += d.mass
			continue
		}
		res.Detection.Seconds = append(res.Detection.Seconds, sec)
		res.Detection.Mass = append(res.Detection.Mass, d.mass)
	}
	if res.DetectionProbability > 0 {
		for i := range res.Detection.Mass {
			res.Detection.Mass[i] /= res.DetectionProbability
		}
	}
	return res, nil
}
