package power

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// The closed form of a Sum(Errors) alarm's class law equals the general
// sum over the period's requests.
func TestSumErrorsClosedForm(t *testing.T) {
	sum, _ := alarm.ParseStat("Sum", "")
	for _, cmp := range []alarm.Comparison{alarm.GreaterThanThreshold, alarm.GreaterThanOrEqualToThreshold} {
		for _, th := range []float64{-1, 0, 0.5, 1, 3, 7.2, 40} {
			a := sim.Alarm{Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: th, Comparison: cmp},
				Queries: []sim.Query{{Metric: sim.Errors, Versions: 3, Stat: sum}}}
			fast := newClassifier(&a)
			if !fast.sumErrors {
				t.Fatal("the closed form is not used")
			}
			slow := newClassifier(&a)
			slow.sumErrors = false
			for _, mu := range []float64{0, 0.3, 6, 60, 600, 6000} {
				for _, p := range []float64{0, 0.001, 0.05, 0.5, 1} {
					f, s := fast.probs(mu, p), slow.probs(mu, p)
					for k := range f {
						if math.Abs(f[k]-s[k]) > 1e-10 { // the general sum loses ~6e-12 of the Poisson mass at mu = 6000
							t.Errorf("%v %v mu=%v p=%v: class %d closed form %v, sum %v", cmp, th, mu, p, k, f[k], s[k])
						}
					}
				}
			}
		}
	}
}

// The rate alarm's direct class law equals the general scan.
func TestRateClassLaw(t *testing.T) {
	base := sim.Alarm{Queries: []sim.Query{{Metric: sim.Errors, Versions: 2}}}
	for _, cmp := range []alarm.Comparison{alarm.GreaterThanThreshold, alarm.GreaterThanOrEqualToThreshold} {
		for _, th := range []float64{0, 0.01, 0.5, 0.63, 1, 5, 33.3, 100} {
			a, err := Shape{Statistic: StatRate, Period: 60, N: 1, M: 1}.Alarm(&base, cmp, th)
			if err != nil {
				t.Fatal(err)
			}
			fast := newClassifier(&a)
			if !fast.rate {
				t.Fatal("the direct law is not used")
			}
			slow := newClassifier(&a)
			slow.rate = false
			// The sum over the requests, each count's law in closed form.
			byN := newClassifier(&a)
			byN.scanOnly = true
			for _, mu := range []float64{0, 0.3, 6, 60, 600, 6000, 123.456} {
				for _, p := range []float64{0, 0.001, 0.05, 0.5, 1, 0.0173} {
					f, s, n := fast.probs(mu, p), slow.probs(mu, p), byN.probs(mu, p)
					for k := range f {
						if math.Abs(f[k]-s[k]) > 1e-10 {
							t.Errorf("%v %v mu=%v p=%v: class %d direct %v, scan %v", cmp, th, mu, p, k, f[k], s[k])
						}
						// The sum over the requests loses up to 6e-12 of
						// the Poisson mass at mu = 6000 (the mode's
						// probability is that inexact); this one
						// normalises its laws.
						if tol := max(1e-14, 2e-15*mu); math.Abs(f[k]-n[k]) > tol {
							t.Errorf("%v %v mu=%v p=%v: class %d over the failures %v, over the requests %v", cmp, th, mu, p, k, f[k], n[k])
						}
					}
				}
			}
		}
	}
}

// tinyScenario is a small world whose count lattice is short enough to
// search by brute force: 0.5 requests a second, a current version failing
// 5 % of requests and a target failing 30 %, an alarm on the target's
// errors.
const tinyScenario = `
name: tiny
seed: 7
horizon: 25m
function: {name: fn, alias: live}
traffic: {rate: 0.5}
versions:
  current: {version: "1", error_rate: 0.05, latency: {median: 50ms, p99: 150ms}, timeout: 3s}
  target:  {version: "2", error_rate: 0.3}
alarms:
  - AlarmName: fn-v2-errors
    Namespace: AWS/Lambda
    MetricName: Errors
    Dimensions:
      - {Name: FunctionName, Value: fn}
      - {Name: Resource, Value: "fn:live"}
      - {Name: ExecutedVersion, Value: "2"}
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
monitoring: {metric_delay: 60s, alarm_poll_interval: 60s}
deployment:
  start: 3m
  strategies: [Canary10Percent5Minutes, Linear10PercentEvery1Minute]
`

func tiny(t *testing.T) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("tiny.yaml", []byte(tinyScenario))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var tinySpace = Space{Statistics: []string{StatCount, StatRate}, Periods: []int{60}, EvaluationPeriods: []int{1, 2},
	TreatMissing: []alarm.TreatMissing{alarm.Missing, alarm.Ignore, alarm.Breaching, alarm.NotBreaching}}

// Brute force: every alarm of a small space — every shape at every
// threshold of its lattice — computed by the exact engine; the alarm Tune
// chose is the one of least objective within the ceiling, for both
// objectives and two ceilings. This also holds the bisection's premise
// (false rollbacks never grow with the threshold) on every shape.
func TestTuneIsTheBruteForceOptimum(t *testing.T) {
	s := tiny(t)
	m := &s.Model
	twin := sweep.Twin(m)
	mean, err := m.MeanCount()
	if err != nil {
		t.Fatal(err)
	}
	shapes, err := tinySpace.Shapes()
	if err != nil {
		t.Fatal(err)
	}
	st := s.Strategies[0]
	type cand struct {
		shape         int
		threshold     float64
		fr, fail, det float64
	}
	var all []cand
	base := m.Alarms[0]
	c := base.Rule.Comparison
	for si, sh := range shapes {
		lat := lattice(m, sh, c, mean)
		prev := math.Inf(1)
		for _, th := range lat {
			a, err := sh.Alarm(&base, c, th)
			if err != nil {
				t.Fatal(err)
			}
			withAlarm := func(mm *sim.Model) *sim.Model {
				x := *mm
				x.Alarms = []sim.Alarm{a}
				return &x
			}
			bad, err := exact(withAlarm(m), st)
			if err != nil {
				t.Fatal(err)
			}
			good, err := exact(withAlarm(twin), st)
			if err != nil {
				t.Fatal(err)
			}
			if good.RollbackProbability > prev+1e-12 {
				t.Errorf("%+v: false rollbacks grow with the threshold: %v at %v after %v", sh, good.RollbackProbability, th, prev)
			}
			prev = good.RollbackProbability
			ev := fromResult(bad, m)
			all = append(all, cand{si, th, good.RollbackProbability, ev.TargetFailedRequests, ev.ExpectedDetection})
		}
	}
	t.Logf("%d shapes, %d alarms evaluated by brute force", len(shapes), len(all))
	for _, objective := range []string{ObjectiveFailed, ObjectiveDetect} {
		for _, ceiling := range []float64{0.01, 0.05, 0.2} {
			got, err := Tune(m, st, TuneOptions{Objective: objective, MaxFalseRollback: ceiling, Space: tinySpace})
			if err != nil {
				t.Fatal(err)
			}
			best := -1
			val := func(x cand) float64 {
				if objective == ObjectiveDetect {
					return x.det
				}
				return x.fail
			}
			for i, x := range all {
				if x.fr <= ceiling && (best < 0 || val(x) < val(all[best])-1e-9) {
					best = i
				}
			}
			if best < 0 {
				if got.Best >= 0 {
					t.Errorf("%s ≤ %v: brute force finds no alarm, Tune chose one", objective, ceiling)
				}
				continue
			}
			if got.Best < 0 {
				t.Fatalf("%s ≤ %v: Tune found nothing, brute force %+v", objective, ceiling, all[best])
			}
			b := got.Shapes[got.Best]
			if math.Abs(b.Objective(objective)-val(all[best])) > 1e-9 || b.Eval.FalseRollback > ceiling {
				t.Errorf("%s ≤ %v: Tune chose %+v %v (objective %v, false rollbacks %v); brute force %+v %v (objective %v)",
					objective, ceiling, b.Shape, b.Threshold, b.Objective(objective), b.Eval.FalseRollback, shapes[all[best].shape], all[best].threshold, val(all[best]))
			}
			// And every shape's answer is its own smallest threshold within the ceiling.
			for i, sh := range got.Shapes {
				want := math.NaN()
				for _, x := range all {
					if x.shape == i && x.fr <= ceiling {
						want = x.threshold
						break
					}
				}
				if sh.Feasible != !math.IsNaN(want) || sh.Feasible && sh.Threshold != want {
					t.Errorf("%s ≤ %v: shape %+v: Tune's threshold %v (feasible %v), brute force %v", objective, ceiling, sh.Shape, sh.Threshold, sh.Feasible, want)
				}
			}
		}
	}
}

// The chosen alarm's numbers are the simulator's: the scenario's rollback
// and detection probabilities and expectations, and the healthy twin's
// rollback probability (the false rollbacks), each within |z| < 4 of 400
// simulated runs, on the tiny scenario and on bad-canary.
func TestTunedAlarmAgainstSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates")
	}
	bc, err := scenario.Load(filepath.Join("..", "scenarios", "bad-canary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*scenario.Scenario{tiny(t), bc} {
		st := s.Strategies[1]
		sp := tinySpace
		sp.EvaluationPeriods = []int{1, 2, 3}
		got, err := Tune(&s.Model, st, TuneOptions{MaxFalseRollback: 0.05, Space: sp})
		if err != nil {
			t.Fatal(err)
		}
		if got.Best < 0 {
			t.Fatalf("%s: no alarm chosen", s.Name)
		}
		b := got.Shapes[got.Best]
		t.Logf("%s %s: chose %+v threshold %v: false rollbacks %.4f, failed %.2f (the scenario's alarm: %.2f)", s.Name, st.Name, b.Shape, b.Threshold,
			b.Eval.FalseRollback, b.Eval.TargetFailedRequests, got.Current.TargetFailedRequests)
		on := *s
		on.Model.Alarms = []sim.Alarm{b.Alarm}
		on.Strategies = []sim.Strategy{st}
		mcCheck(t, s.Name+" tuned", &on, 400, 4)
		tw := on
		tw.Model = *sweep.Twin(&on.Model)
		mcCheck(t, s.Name+" tuned twin", &tw, 400, 4)
		// The reported false rollbacks are the twin's exact rollback
		// probability, and the reported failures the scenario's.
		e, _ := NewEngine(&tw.Model)
		r, _ := e.Exact(st)
		if math.Abs(r.RollbackProbability-b.Eval.FalseRollback) > 1e-12 {
			t.Errorf("%s: reported false rollbacks %v, the twin's exact rollback probability %v", s.Name, b.Eval.FalseRollback, r.RollbackProbability)
		}
	}
}

// Monte Carlo evaluation (used beyond the exact engine) agrees with the
// exact one on the same alarms: the scenario's rollback probability and
// the twin's (the false rollbacks), |z| < 4 over 400 runs each, and it
// says it is monte_carlo. Forced on a space the exact engine handles, the
// search labels every shape monte_carlo and lands within the ceiling's
// noise.
func TestTuneMonteCarloAgreesWithExact(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates")
	}
	s := tiny(t)
	m := &s.Model
	st := s.Strategies[0]
	sp := Space{Statistics: []string{StatCount, StatRate}, Periods: []int{60}, EvaluationPeriods: []int{1}, TreatMissing: []alarm.TreatMissing{alarm.NotBreaching}}
	ex, err := Tune(m, st, TuneOptions{MaxFalseRollback: 0.05, Space: sp})
	if err != nil {
		t.Fatal(err)
	}
	const runs = 400
	mc, err := Tune(m, st, TuneOptions{MaxFalseRollback: 0.05, Space: sp, Force: MethodMonteCarlo, Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	if got := mc.Methods(); len(got) != 1 || got[0] != MethodMonteCarlo {
		t.Errorf("forced Monte Carlo used %v", got)
	}
	ev := &evaluator{m: m, twin: sweep.Twin(m), s: st, idx: 0, o: TuneOptions{Runs: runs}}
	for i, x := range ex.Shapes {
		if x.Eval.Method != MethodExact || mc.Shapes[i].Eval.Method != MethodMonteCarlo || mc.Shapes[i].Eval.Runs != runs {
			t.Errorf("%+v: methods %s and %s", x.Shape, x.Eval.Method, mc.Shapes[i].Eval.Method)
		}
		if !x.Feasible {
			continue
		}
		sim, err := ev.monteCarlo(x.Alarm)
		if err != nil {
			t.Fatal(err)
		}
		label := "tiny " + x.Statistic
		zProb(t, label+" false rollbacks", x.Eval.FalseRollback, int(math.Round(sim.FalseRollback*runs)), runs, 4)
		zProb(t, label+" rollback probability", x.Eval.RollbackProbability, int(math.Round(sim.RollbackProbability*runs)), runs, 4)
		zProb(t, label+" detection probability", x.Eval.DetectionProbability, int(math.Round(sim.DetectionProbability*runs)), runs, 4)
		if lo, hi := sim.FalseRollbackCI95[0], sim.FalseRollbackCI95[1]; !(lo <= sim.FalseRollback && sim.FalseRollback <= hi) {
			t.Errorf("%s: Wilson interval [%v, %v] misses %v", label, lo, hi, sim.FalseRollback)
		}
		// The threshold the simulated search chose is within the noise of
		// the ceiling: its exact false rollbacks are below the ceiling plus
		// four standard errors.
		c := mc.Shapes[i]
		if !c.Feasible {
			t.Errorf("%s: the simulated search found no threshold, the exact one %v", label, x.Threshold)
			continue
		}
		r, err := exact(ev.with(ev.twin, c.Alarm), st)
		if err != nil {
			t.Fatal(err)
		}
		if se := math.Sqrt(0.05 * 0.95 / runs); r.RollbackProbability > 0.05+4*se {
			t.Errorf("%s: the simulated search chose %v, whose exact false rollbacks are %v", label, c.Threshold, r.RollbackProbability)
		}
	}
}

// BenchmarkTune is tune-alarm's default search for one strategy of
// bad-canary: 120 shapes, ~760 exact evaluations.
func BenchmarkTune(b *testing.B) {
	s, err := scenario.Load(filepath.Join("..", "scenarios", "bad-canary.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Tune(&s.Model, s.Strategies[1], TuneOptions{MaxFalseRollback: 0.05, Space: DefaultSpace()}); err != nil {
			b.Fatal(err)
		}
	}
}

// A tabled class function (every failure count evaluated once) gives the
// general scan's laws bit for bit, for alarms beyond the closed forms:
// metric math under other ids, Average, Minimum and Maximum of Errors, a
// falling alarm on successes.
func TestStepsTableIsTheScan(t *testing.T) {
	sum, _ := alarm.ParseStat("Sum", "")
	avg, _ := alarm.ParseStat("Average", "")
	mini, _ := alarm.ParseStat("Minimum", "")
	maxi, _ := alarm.ParseStat("Maximum", "")
	compile := func(expr string) *alarm.Math {
		mm, err := alarm.CompileMetrics([]alarm.Query{{ID: "e"}, {ID: "i"}, {ID: "x", Expression: expr, ReturnData: true}})
		if err != nil {
			t.Fatal(err)
		}
		return &mm
	}
	two := []sim.Query{{Metric: sim.Errors, Versions: 2, Stat: sum}, {Metric: sim.Invocations, Versions: 2, Stat: sum}}
	alarms := []sim.Alarm{
		{Queries: two, Math: compile("100 * e / i"), Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: 2, Comparison: alarm.GreaterThanOrEqualToThreshold}},
		{Queries: two, Math: compile("i - e"), Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: 50, Comparison: alarm.LessThanThreshold}},
		{Queries: []sim.Query{{Metric: sim.Errors, Versions: 2, Stat: avg}}, Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: 0.05, Comparison: alarm.GreaterThanThreshold}},
		{Queries: []sim.Query{{Metric: sim.Errors, Versions: 2, Stat: mini}}, Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: 1, Comparison: alarm.GreaterThanOrEqualToThreshold}},
		{Queries: []sim.Query{{Metric: sim.Errors, Versions: 2, Stat: maxi}}, Rule: alarm.Rule{EvaluationPeriods: 1, Threshold: 0, Comparison: alarm.GreaterThanThreshold}},
	}
	for ai := range alarms {
		a := &alarms[ai]
		table, scan := newClassifier(a), newClassifier(a)
		scan.scanOnly = true
		if table.sumErrors || table.rate {
			t.Fatalf("alarm %d takes a closed form", ai)
		}
		for _, n := range []int64{1, 2, 7, 40, 99, 100, 101, 600, 3000} {
			table.tabulate(n)
			for _, p := range []float64{1e-4, 0.003, 0.02, 0.05, 0.3, 0.97} {
				if got, want := table.givenN(n, p), scan.givenN(n, p); got != want {
					t.Errorf("alarm %d n=%d p=%v: table %v, scan %v", ai, n, p, got, want)
				}
			}
		}
	}
}

// BenchmarkTuneRamp is tune-alarm's default search for one strategy of
// gradual-degradation: a ramping fault, so every period has its own
// failure probability.
func BenchmarkTuneRamp(b *testing.B) {
	s, err := scenario.Load(filepath.Join("..", "scenarios", "gradual-degradation.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Tune(&s.Model, s.Strategies[0], TuneOptions{MaxFalseRollback: 0.05, Space: DefaultSpace()}); err != nil {
			b.Fatal(err)
		}
	}
}
