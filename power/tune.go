package power

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// Objectives of Tune.
const (
	// ObjectiveFailed minimises the target's expected failed requests.
	ObjectiveFailed = "failed"
	// ObjectiveDetect minimises the expected time to detection, an
	// undetected bad version counting as the rest of the horizon.
	ObjectiveDetect = "detect"
)

// Statistics a tuned alarm reads: the count of errors per period (Errors,
// Sum) or their rate in percent (metric math 100 * Errors / Invocations).
const (
	StatCount = "count"
	StatRate  = "rate"
)

// RateExpression is the metric math of a rate alarm.
const RateExpression = "100 * errors / invocations"

// Space is the bounded set of alarms Tune searches: every combination of
// a statistic, a period, EvaluationPeriods N, DatapointsToAlarm M ≤ N and
// TreatMissingData is a shape; each shape's threshold is searched on a
// lattice (counts: whole numbers; rates: RateThresholds).
type Space struct {
	Statistics        []string // StatCount, StatRate
	Periods           []int    // seconds, multiples of 60
	EvaluationPeriods []int    // N
	TreatMissing      []alarm.TreatMissing
}

// DefaultSpace is tune-alarm's search space: one-minute periods (the exact
// engine's), N from 1 to 5, every M ≤ N, every TreatMissingData and both
// statistics: 120 shapes.
func DefaultSpace() Space {
	return Space{
		Statistics:        []string{StatCount, StatRate},
		Periods:           []int{60},
		EvaluationPeriods: []int{1, 2, 3, 4, 5},
		TreatMissing:      []alarm.TreatMissing{alarm.Missing, alarm.Ignore, alarm.Breaching, alarm.NotBreaching},
	}
}

// RateThresholds is the lattice of rate thresholds, in percent: ten steps
// a decade from 0.01 % to 100 %, each rounded to two significant digits.
var RateThresholds = func() []float64 {
	var out []float64
	for i := 0; i <= 40; i++ {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(math.Pow(10, -2+float64(i)/10), 'g', 2, 64), 64)
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}()

// Shape is an alarm without its threshold.
type Shape struct {
	Statistic    string
	Period       int // seconds
	N, M         int
	TreatMissing alarm.TreatMissing
}

// Shapes lists the space's shapes that CloudWatch accepts (Period ×
// EvaluationPeriods within its bounds), in a fixed order.
func (sp Space) Shapes() ([]Shape, error) {
	var out []Shape
	for _, st := range sp.Statistics {
		if st != StatCount && st != StatRate {
			return nil, fmt.Errorf("statistic %q: want %s or %s", st, StatCount, StatRate)
		}
		for _, p := range sp.Periods {
			if p%60 != 0 {
				return nil, fmt.Errorf("period %d: want a multiple of 60 seconds (Lambda's metrics have one-minute resolution)", p)
			}
			if err := alarm.ValidatePeriod(p, false); err != nil {
				return nil, err
			}
			for _, n := range sp.EvaluationPeriods {
				if n < 1 {
					return nil, fmt.Errorf("EvaluationPeriods %d: must be at least 1", n)
				}
				if alarm.ValidateWindow(p, n) != nil {
					continue // CloudWatch refuses the window: not part of the space
				}
				for m := 1; m <= n; m++ {
					for _, tm := range sp.TreatMissing {
						out = append(out, Shape{st, p, n, m, tm})
					}
				}
			}
		}
	}
	return out, nil
}

// Alarm is base (its name, initial state and the versions its metric
// reads) with shape s and threshold t: Errors with Sum, or metric math
// 100 * errors / invocations over the same versions.
func (s Shape) Alarm(base *sim.Alarm, cmp alarm.Comparison, t float64) (sim.Alarm, error) {
	sum, err := alarm.ParseStat("Sum", "")
	if err != nil {
		return sim.Alarm{}, err
	}
	v := base.Queries[0].Versions
	a := sim.Alarm{Name: base.Name, Initial: base.Initial, Period: time.Duration(s.Period) * time.Second,
		Rule:    alarm.Rule{EvaluationPeriods: s.N, DatapointsToAlarm: s.M, Threshold: t, Comparison: cmp, TreatMissing: s.TreatMissing},
		Queries: []sim.Query{{Metric: sim.Errors, Versions: v, Stat: sum}}}
	if s.Statistic == StatRate {
		a.Queries = append(a.Queries, sim.Query{Metric: sim.Invocations, Versions: v, Stat: sum})
		mm, err := alarm.CompileMetrics([]alarm.Query{{ID: "errors"}, {ID: "invocations"}, {ID: "rate", Expression: RateExpression, ReturnData: true}})
		if err != nil {
			return sim.Alarm{}, err
		}
		a.Math = &mm
	}
	return a, a.Rule.Validate()
}

// TuneOptions controls Tune.
type TuneOptions struct {
	Objective        string  // ObjectiveFailed (default) or ObjectiveDetect
	MaxFalseRollback float64 // the ceiling on the healthy twin's rollback probability
	Space            Space
	// Alarm is the index of the model's alarm that is tuned; the others
	// stay as they are.
	Alarm int
	// Runs is the number of simulated runs of a Monte Carlo evaluation;
	// below 2 means 200.
	Runs int
	// Force is "", MethodExact (refuse what is not exact) or
	// MethodMonteCarlo (simulate everything).
	Force string
	// Workers evaluates shapes in parallel; 0 means GOMAXPROCS. Results do
	// not depend on it.
	Workers  int
	Progress func(done, total int)
}

// Evaluation is one alarm's numbers for one strategy: on the scenario (the
// bad version) and on its healthy twin.
type Evaluation struct {
	Method string // MethodExact or MethodMonteCarlo
	Runs   int    // Monte Carlo runs
	// FalseRollback is the probability that the alarm stops the healthy
	// twin's deployment (every stop there is a false rollback).
	FalseRollback     float64
	FalseRollbackCI95 [2]float64 // Monte Carlo only
	// RollbackProbability, DetectionProbability, TargetRequests and
	// TargetFailedRequests are the scenario's (Result's fields).
	RollbackProbability, DetectionProbability float64
	TargetRequests, TargetFailedRequests      float64
	// DetectionMean is the mean time from the start to detection given a
	// detection (NaN: never detected); ExpectedDetection counts an
	// undetected bad version as the rest of the horizon.
	DetectionMean, ExpectedDetection float64
	Detection                        Dist
}

// Tuned is one shape's best alarm: its smallest threshold whose false
// rollbacks stay within the ceiling, and what that alarm does.
type Tuned struct {
	Shape
	Comparison alarm.Comparison
	// Feasible says some threshold of the lattice keeps within the
	// ceiling; Threshold and Eval are then that alarm's.
	Feasible  bool
	Threshold float64
	Alarm     sim.Alarm
	Eval      Evaluation
	// Evaluations counts the thresholds tried (the twin at each, the
	// scenario at the one chosen).
	Evaluations int
	OnFrontier  bool
}

// Objective is t's value under the objective (lower is better).
func (t *Tuned) Objective(objective string) float64 {
	if objective == ObjectiveDetect {
		return t.Eval.ExpectedDetection
	}
	return t.Eval.TargetFailedRequests
}

// Tuning is Tune's answer for one strategy.
type Tuning struct {
	Strategy  string
	Objective string
	Ceiling   float64
	Base      sim.Alarm // the scenario's alarm
	// Current is the scenario's own alarm, evaluated the same way.
	Current Evaluation
	Shapes  []Tuned // in Space.Shapes order
	Best    int     // index in Shapes of the chosen alarm; -1 when no shape is feasible
}

// Methods returns the methods used, exact first.
func (t *Tuning) Methods() []string {
	var out []string
	for _, m := range []string{MethodExact, MethodMonteCarlo} {
		if slices.ContainsFunc(t.Shapes, func(x Tuned) bool { return x.Eval.Method == m }) || t.Current.Method == m {
			out = append(out, m)
		}
	}
	return out
}

// lattice is the thresholds searched for a shape, ascending: rates from
// RateThresholds; counts the whole numbers from the smallest that can
// breach to one that no period's errors reach with a probability above
// ~1e-20 (the mean plus ten standard deviations and 10 of the most
// requests the alarm's versions can serve in a period).
func lattice(m *sim.Model, s Shape, c alarm.Comparison, mean func(a, b float64) float64) []float64 {
	if s.Statistic == StatRate {
		return RateThresholds
	}
	lo := 0.0
	if c == alarm.GreaterThanOrEqualToThreshold {
		lo = 1
	}
	peak := 0.0
	step := time.Duration(s.Period) * time.Second
	for t := time.Duration(0); t < m.Horizon; t += time.Minute {
		peak = max(peak, mean(t.Seconds(), min(t+step, m.Horizon).Seconds()))
	}
	hi := math.Ceil(peak + 10*math.Sqrt(peak) + 10)
	out := make([]float64, 0, int(hi-lo)+1)
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

// Tune searches o.Space for the alarm (replacing the model's alarm
// o.Alarm) that minimises o.Objective for strategy s on m — the scenario,
// whose target is the bad version — among those whose false-rollback
// probability on m's healthy twin (sweep.Twin) is at most
// o.MaxFalseRollback. See docs/tune-alarm.md.
//
// Within a shape both objectives grow and the false rollbacks shrink as
// the threshold rises (a higher threshold breaches on fewer datapoints of
// the same requests, so every alarm state, and every stop, comes no
// sooner), so the shape's best alarm is its smallest threshold within the
// ceiling, found by bisection; the chosen alarm is the best shape's.
// Each alarm is evaluated exactly (Engine) where Exactable allows, by
// simulation (o.Runs runs) otherwise.
func Tune(m *sim.Model, s sim.Strategy, o TuneOptions) (*Tuning, error) {
	if o.Alarm < 0 || o.Alarm >= len(m.Alarms) {
		return nil, fmt.Errorf("the scenario has no alarm to tune (alarm %d of %d)", o.Alarm, len(m.Alarms))
	}
	base := m.Alarms[o.Alarm]
	cmpOp := base.Rule.Comparison
	if cmpOp != alarm.GreaterThanThreshold && cmpOp != alarm.GreaterThanOrEqualToThreshold {
		return nil, fmt.Errorf("alarm %s: its ComparisonOperator is %s; tune-alarm tunes an alarm that fires when errors rise (GreaterThanThreshold or GreaterThanOrEqualToThreshold)", base.Name, cmpOp)
	}
	if base.Queries[0].Versions == 0 {
		return nil, fmt.Errorf("alarm %s reads no version's invocations (its dimensions match no published metric): fix its dimensions first", base.Name)
	}
	if sweep.IsOwnTwin(m) {
		return nil, fmt.Errorf("the scenario's new version behaves exactly like the current one (no fault of its own, same error rate): there is nothing to detect; give the target a fault or a higher error_rate")
	}
	switch o.Objective {
	case "":
		o.Objective = ObjectiveFailed
	case ObjectiveFailed, ObjectiveDetect:
	default:
		return nil, fmt.Errorf("objective %q: want %s or %s", o.Objective, ObjectiveFailed, ObjectiveDetect)
	}
	if !(o.MaxFalseRollback >= 0 && o.MaxFalseRollback <= 1) {
		return nil, fmt.Errorf("max false rollback %v: want a probability in [0, 1]", o.MaxFalseRollback)
	}
	if o.Runs < 2 {
		o.Runs = 200
	}
	shapes, err := o.Space.Shapes()
	if err != nil {
		return nil, err
	}
	if len(shapes) == 0 {
		return nil, fmt.Errorf("the search space is empty (every period × EvaluationPeriods exceeds CloudWatch's window)")
	}
	mean, err := m.MeanCount()
	if err != nil {
		return nil, err
	}
	ev := newEvaluator(m, sweep.Twin(m), s, o)
	out := &Tuning{Strategy: s.Name, Objective: o.Objective, Ceiling: o.MaxFalseRollback, Base: base, Best: -1,
		Shapes: make([]Tuned, len(shapes))}
	if out.Current, err = ev.evaluate(base, true, nil); err != nil {
		return nil, err
	}

	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(shapes))
	var next, done atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(shapes)); w++ {
		wg.Add(1)
		// Each worker keeps its own memos: what it computed for one shape
		// serves its next ones, and no numbers depend on which worker
		// evaluated a shape.
		ev := newEvaluator(m, ev.twin, s, o)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(shapes) {
					return
				}
				out.Shapes[i], errs[i] = ev.shape(shapes[i], cmpOp, lattice(m, shapes[i], cmpOp, mean))
				if o.Progress != nil {
					n := int(done.Add(1))
					mu.Lock()
					o.Progress(n, len(shapes))
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
	markFrontier(out.Shapes)
	for i := range out.Shapes {
		t := &out.Shapes[i]
		if !t.Feasible {
			continue
		}
		if out.Best < 0 || better(t, &out.Shapes[out.Best], o.Objective) {
			out.Best = i
		}
	}
	return out, nil
}

// better orders feasible alarms: the objective, then fewer false
// rollbacks, then the other objective; ties keep the earlier shape.
func better(a, b *Tuned, objective string) bool {
	other := ObjectiveDetect
	if objective == ObjectiveDetect {
		other = ObjectiveFailed
	}
	// Values equal within rounding (sums of many masses) are ties.
	order := func(x, y float64) int {
		if math.Abs(x-y) <= 1e-9*max(1, math.Abs(y)) {
			return 0
		}
		return cmp.Compare(x, y)
	}
	if c := order(a.Objective(objective), b.Objective(objective)); c != 0 {
		return c < 0
	}
	if c := order(a.Eval.FalseRollback, b.Eval.FalseRollback); c != 0 {
		return c < 0
	}
	return order(a.Objective(other), b.Objective(other)) < 0
}

// markFrontier marks the feasible alarms that no other feasible one beats
// on expected failures, false rollbacks and expected detection time at
// once (Pareto-optimal; of equal points the first).
func markFrontier(ts []Tuned) {
	for i := range ts {
		a := &ts[i]
		if !a.Feasible {
			continue
		}
		a.OnFrontier = true
		for j := range ts {
			b := &ts[j]
			if j == i || !b.Feasible {
				continue
			}
			// Equal within rounding (sums of many masses) counts as equal.
			leq := func(x, y float64) bool { return x <= y+1e-9*max(1, math.Abs(y)) }
			less := func(x, y float64) bool { return x < y-1e-9*max(1, math.Abs(y)) }
			le := leq(b.Eval.TargetFailedRequests, a.Eval.TargetFailedRequests) && leq(b.Eval.FalseRollback, a.Eval.FalseRollback) &&
				leq(b.Eval.ExpectedDetection, a.Eval.ExpectedDetection)
			lt := less(b.Eval.TargetFailedRequests, a.Eval.TargetFailedRequests) || less(b.Eval.FalseRollback, a.Eval.FalseRollback) ||
				less(b.Eval.ExpectedDetection, a.Eval.ExpectedDetection)
			if le && (lt || j < i) {
				a.OnFrontier = false
				break
			}
		}
	}
}

// evaluator evaluates alarms for one strategy on the scenario and its twin.
// It is used by one goroutine at a time.
type evaluator struct {
	m, twin *sim.Model
	s       sim.Strategy
	idx     int
	o       TuneOptions
	// memos[0] serves the scenario, memos[1] the twin (exact only).
	memos [2]*memo
	// laws holds the class laws of the datapoints of searched alarms by
	// statistic and threshold: the laws of one threshold serve every M of
	// N and TreatMissingData, on the scenario and on the twin.
	laws map[lawKey]*classifier
}

// lawKey names the datapoints of a searched alarm (Shape.Alarm): they
// depend on its statistic and threshold, its comparison and versions being
// the base alarm's.
type lawKey struct {
	statistic string
	threshold float64
}

func newEvaluator(m, twin *sim.Model, s sim.Strategy, o TuneOptions) *evaluator {
	return &evaluator{m: m, twin: twin, s: s, idx: o.Alarm, o: o, memos: [2]*memo{newMemo(), newMemo()},
		laws: map[lawKey]*classifier{}}
}

// exact evaluates alarm a exactly on the scenario (twin false) or its twin,
// sharing what earlier evaluations computed; key, when not nil, names a's
// datapoints (a searched alarm). It stops once the rollback probability
// passes limit (see Engine.exact).
func (e *evaluator) exact(twin bool, a sim.Alarm, key *lawKey, limit float64) (Result, error) {
	model, mm := e.m, e.memos[0]
	if twin {
		model, mm = e.twin, e.memos[1]
	}
	if len(model.Alarms) != 1 {
		// Only a model with this one alarm is exact; its memo is of
		// no use to another model.
		mm = nil
	}
	model = e.with(model, a)
	var cl *classifier
	if key != nil && e.laws != nil {
		if cl = e.laws[*key]; cl == nil {
			cl = newClassifier(&model.Alarms[0])
			e.laws[*key] = cl
		}
	}
	eng, err := newEngine(model, mm, cl)
	if err != nil {
		return Result{}, err
	}
	return eng.exact(e.s, limit)
}

// with returns a copy of model with its alarm idx replaced by a.
func (e *evaluator) with(model *sim.Model, a sim.Alarm) *sim.Model {
	mm := *model
	mm.Alarms = slices.Clone(model.Alarms)
	mm.Alarms[e.idx] = a
	return &mm
}

// method is how alarm a is evaluated, and why not exactly.
func (e *evaluator) method(a sim.Alarm) (string, string) {
	if e.o.Force == MethodMonteCarlo {
		return MethodMonteCarlo, "asked for"
	}
	if ok, why := Exactable(e.with(e.m, a)); !ok {
		return MethodMonteCarlo, why
	}
	return MethodExact, ""
}

// falseRollback is a's false-rollback probability (twin only), or a
// value above the ceiling when it is there (exact evaluations stop when
// they pass it); key names a's datapoints.
func (e *evaluator) falseRollback(a sim.Alarm, key *lawKey) (float64, Evaluation, error) {
	if meth, why := e.method(a); meth == MethodExact {
		r, err := e.exact(true, a, key, e.o.MaxFalseRollback)
		return r.RollbackProbability, Evaluation{}, err
	} else if e.o.Force == MethodExact {
		return 0, Evaluation{}, fmt.Errorf("cannot compute exactly: %s", why)
	}
	ev, err := e.monteCarlo(a)
	return ev.FalseRollback, ev, err
}

// evaluate is everything about alarm a; twin says whether its false
// rollbacks are needed too (they are known when the search found it); key
// names a's datapoints (nil: not a searched alarm).
func (e *evaluator) evaluate(a sim.Alarm, twin bool, key *lawKey) (Evaluation, error) {
	meth, why := e.method(a)
	if meth == MethodMonteCarlo {
		if e.o.Force == MethodExact {
			return Evaluation{}, fmt.Errorf("cannot compute exactly: %s", why)
		}
		return e.monteCarlo(a)
	}
	r, err := e.exact(false, a, key, math.Inf(1))
	if err != nil {
		return Evaluation{}, err
	}
	ev := fromResult(r, e.m)
	if twin {
		t, err := e.exact(true, a, key, math.Inf(1))
		if err != nil {
			return Evaluation{}, err
		}
		ev.FalseRollback = t.RollbackProbability
	}
	return ev, nil
}

func exact(m *sim.Model, s sim.Strategy) (Result, error) {
	eng, err := NewEngine(m)
	if err != nil {
		return Result{}, err
	}
	return eng.Exact(s)
}

// fromResult reads an exact result.
func fromResult(r Result, m *sim.Model) Evaluation {
	ev := Evaluation{Method: r.Method, RollbackProbability: r.RollbackProbability, DetectionProbability: r.DetectionProbability,
		TargetRequests: r.TargetRequests, TargetFailedRequests: r.TargetFailedRequests, Detection: r.Detection,
		DetectionMean: r.Detection.Mean()}
	rest := (m.Horizon - m.DeployStart).Seconds()
	ev.ExpectedDetection = (1 - r.DetectionProbability) * rest
	if r.DetectionProbability > 0 {
		ev.ExpectedDetection += r.DetectionProbability * ev.DetectionMean
	}
	return ev
}

// monteCarlo simulates alarm a o.Runs times on the scenario, each run
// paired with the twin (sweep.Run, run i with the seed of compare's run i).
func (e *evaluator) monteCarlo(a sim.Alarm) (Evaluation, error) {
	mm := e.with(e.m, a)
	rep, err := sweep.Run(mm, []sim.Strategy{e.s}, sweep.Options{Runs: e.o.Runs, Workers: 1})
	if err != nil {
		return Evaluation{}, err
	}
	outs := rep.Outcomes[0]
	t := tallyOutcomes(outs)
	n := len(outs)
	ev := Evaluation{Method: MethodMonteCarlo, Runs: n,
		RollbackProbability: float64(t.stops) / float64(n), DetectionProbability: float64(t.dets) / float64(n)}
	falses := 0
	for _, oc := range outs {
		if oc.TwinRolledBack {
			falses++
		}
	}
	w := sweep.Wilson(falses, n)
	ev.FalseRollback, ev.FalseRollbackCI95 = w.P, [2]float64{w.Low, w.High}
	ev.TargetRequests, _ = meanCI(t.req)
	ev.TargetFailedRequests, _ = meanCI(t.fail)
	ev.DetectionMean = math.NaN()
	rest := (mm.Horizon - mm.DeployStart).Seconds()
	sum := 0.0
	for _, d := range t.det {
		sum += d
	}
	if len(t.det) > 0 {
		ev.DetectionMean = sum / float64(len(t.det))
	}
	ev.ExpectedDetection = (sum + float64(n-len(t.det))*rest) / float64(n)
	slices.Sort(t.det)
	for i, x := range t.det {
		if i > 0 && t.det[i-1] == x {
			ev.Detection.Mass[len(ev.Detection.Mass)-1]++
			continue
		}
		ev.Detection.Seconds = append(ev.Detection.Seconds, x)
		ev.Detection.Mass = append(ev.Detection.Mass, 1)
	}
	for i := range ev.Detection.Mass {
		ev.Detection.Mass[i] /= float64(len(t.det))
	}
	return ev, nil
}

// shape finds shape s's smallest threshold of lat whose false rollbacks
// stay within the ceiling (bisection: they do not grow with the
// threshold), and evaluates that alarm.
func (e *evaluator) shape(s Shape, c alarm.Comparison, lat []float64) (Tuned, error) {
	t := Tuned{Shape: s, Comparison: c}
	fr := make(map[int]float64)
	var mc = make(map[int]Evaluation)
	probe := func(i int) (float64, error) {
		if v, ok := fr[i]; ok {
			return v, nil
		}
		a, err := s.Alarm(&e.m.Alarms[e.idx], c, lat[i])
		if err != nil {
			return 0, err
		}
		v, ev, err := e.falseRollback(a, &lawKey{s.Statistic, lat[i]})
		if err != nil {
			return 0, err
		}
		t.Evaluations++
		fr[i] = v
		if ev.Method != "" {
			mc[i] = ev
		}
		return v, nil
	}
	// Gallop up from the smallest threshold (the answer is usually near
	// the bottom of a count lattice), then bisect.
	lo, hi := -1, -1 // lat[lo] is above the ceiling (or lo = -1); lat[hi] within
	for step := 1; ; step *= 2 {
		i := min(lo+step, len(lat)-1)
		v, err := probe(i)
		if err != nil {
			return t, err
		}
		if v <= e.o.MaxFalseRollback {
			hi = i
			break
		}
		if i == len(lat)-1 {
			return t, nil // not even the largest threshold keeps within the ceiling
		}
		lo = i
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		v, err := probe(mid)
		if err != nil {
			return t, err
		}
		if v <= e.o.MaxFalseRollback {
			hi = mid
		} else {
			lo = mid
		}
	}
	a, err := s.Alarm(&e.m.Alarms[e.idx], c, lat[hi])
	if err != nil {
		return t, err
	}
	t.Feasible, t.Threshold, t.Alarm = true, lat[hi], a
	if ev, ok := mc[hi]; ok {
		t.Eval = ev
		return t, nil
	}
	if t.Eval, err = e.evaluate(a, false, &lawKey{s.Statistic, lat[hi]}); err != nil {
		return t, err
	}
	t.Eval.FalseRollback = fr[hi]
	return t, nil
}

// TuneCost bounds the work of Tune for one strategy: how many alarms it
// evaluates at most, and how many of those by Monte Carlo (each o.Runs
// simulated runs, paired with the twin), so that a caller can refuse a
// search that would take hours before starting it.
func TuneCost(m *sim.Model, o TuneOptions) (evaluations, monteCarlo int, err error) {
	if o.Alarm < 0 || o.Alarm >= len(m.Alarms) {
		return 0, 0, fmt.Errorf("the scenario has no alarm to tune")
	}
	shapes, err := o.Space.Shapes()
	if err != nil {
		return 0, 0, err
	}
	mean, err := m.MeanCount()
	if err != nil {
		return 0, 0, err
	}
	ev := &evaluator{m: m, idx: o.Alarm, o: o}
	base := &m.Alarms[o.Alarm]
	c := base.Rule.Comparison
	for _, s := range shapes {
		lat := lattice(m, s, c, mean)
		// Galloping and bisection: at most 2·⌈log2 L⌉ + 1 probes, and
		// the chosen alarm's own evaluation.
		n := 2*int(math.Ceil(math.Log2(float64(len(lat))+1))) + 2
		evaluations += n
		a, err := s.Alarm(base, c, lat[0])
		if err != nil {
			return 0, 0, err
		}
		if meth, _ := ev.method(a); meth == MethodMonteCarlo {
			monteCarlo += n
		}
	}
	if meth, _ := ev.method(*base); meth == MethodMonteCarlo {
		monteCarlo++
	}
	return evaluations + 1, monteCarlo, nil
}
