package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/power"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

func init() {
	register("tune-alarm", "search the alarm that stops a bad version soonest without rolling back good ones", cmdTuneAlarm)
}

const tuneSummary = `Searches CloudWatch alarms on the target's errors for the one that minimises the expected failed
requests of the scenario's bad version (--objective failed) or its expected time to detection
(--objective detect: an undetected version counts as the rest of the horizon), among those that roll
back the scenario's healthy twin (the new version behaving exactly like the current one) with
probability at most --max-false-rollback. One search per strategy.

The search space is bounded: every combination of
  statistic          count (Errors, Sum) or rate (metric math 100 * errors / invocations, in %)
  Period             --periods, multiples of 60 s (Lambda publishes one datapoint a minute)
  EvaluationPeriods  --evaluation-periods N, with Period × N within CloudWatch's window (1 day
                     under a one-hour period, 7 days otherwise); others are left out
  DatapointsToAlarm  every M from 1 to N
  TreatMissingData   --treat-missing-data (the four AWS words)
is a shape; each shape's threshold runs over a lattice — counts: the whole numbers up to where no
period's errors can reach; rates: 0.01 % to 100 %, ten steps a decade — and the shape's best alarm is
its smallest threshold within the ceiling (a higher threshold never fires sooner, so it can only
cost more failures and fewer false rollbacks), found by galloping and bisection. The default space
holds 120 shapes.

Each alarm is computed exactly (power's Markov chain, the constant-rate Poisson model) where the
model allows — one alarm, a period equal to the evaluation interval (60 s), Poisson traffic —
and estimated from --runs simulated runs otherwise (method monte_carlo, e.g. --periods 300), within
the cost limits (docs/limits.md). The alarm keeps the scenario's name, metric dimensions and
comparison operator.

Prints the frontier (failed requests, false rollbacks and detection time), the chosen alarm and the
scenario's own for comparison, and the chosen alarm as an AWS::CloudWatch::Alarm resource and as
'aws cloudwatch put-metric-alarm --cli-input-json' JSON. See docs/tune-alarm.md.`

// tuneOpts are tune-alarm's search flags, shared with recommend --with-alarms.
type tuneOpts struct {
	alarmName, objective, method *string
	maxFalse                     *float64
	stats, treat                 *[]string
	periods, evals               *[]int
	runs                         *int
}

func declareTune(fs *pflag.FlagSet, withRuns bool, evals []int) *tuneOpts {
	d := power.DefaultSpace()
	if evals != nil {
		d.EvaluationPeriods = evals
	}
	var o tuneOpts
	o.alarmName = fs.String("alarm", "", "the scenario's alarm to tune (default: its only alarm)")
	o.objective = fs.String("objective", power.ObjectiveFailed, "what the alarm minimises: failed (expected failed requests) or detect (expected time to detection)")
	o.stats = fs.StringSlice("statistics", d.Statistics, "statistics to search: count (Errors Sum), rate (100 * errors / invocations)")
	o.periods = fs.IntSlice("periods", d.Periods, "alarm periods to search, in seconds (multiples of 60; above 60 the search simulates)")
	o.evals = fs.IntSlice("evaluation-periods", d.EvaluationPeriods, "EvaluationPeriods N to search (every DatapointsToAlarm M <= N is tried)")
	var tm []string
	for _, t := range d.TreatMissing {
		tm = append(tm, t.String())
	}
	o.treat = fs.StringSlice("treat-missing-data", tm, "TreatMissingData values to search")
	o.method = fs.String("alarm-method", "auto", "how alarms are evaluated: auto (exact where possible), exact (fail otherwise) or monte_carlo")
	if withRuns {
		o.maxFalse = fs.Float64("max-false-rollback", sweep.DefaultMaxFalseRollback, "the most the alarm may roll back the healthy twin (a probability)")
		o.runs = fs.IntP("runs", "n", 200, "simulated runs per alarm where it is estimated by Monte Carlo")
	}
	return &o
}

// options turns the flags into power's options (the alarm index aside).
func (o *tuneOpts) options(maxFalse float64, runs int) (power.TuneOptions, error) {
	to := power.TuneOptions{Objective: *o.objective, MaxFalseRollback: maxFalse, Runs: runs}
	switch *o.objective {
	case power.ObjectiveFailed, power.ObjectiveDetect:
	default:
		return to, inputErrf("--objective %q: want failed or detect", *o.objective)
	}
	switch *o.method {
	case "auto":
	case power.MethodExact, power.MethodMonteCarlo:
		to.Force = *o.method
	default:
		return to, inputErrf("--alarm-method %q: want auto, exact or monte_carlo", *o.method)
	}
	if !(maxFalse >= 0 && maxFalse <= 1) {
		return to, inputErrf("--max-false-rollback %v: want a probability in [0, 1] (0.05 means 5 %%)", maxFalse)
	}
	sp := power.Space{Statistics: *o.stats, Periods: *o.periods, EvaluationPeriods: *o.evals}
	for _, s := range sp.Statistics {
		if s != power.StatCount && s != power.StatRate {
			return to, inputErrf("--statistics %q: want count or rate", s)
		}
	}
	for _, p := range sp.Periods {
		if err := alarm.ValidatePeriod(p, false); err != nil {
			return to, inputErrf("--periods: %v", err)
		}
	}
	for _, n := range sp.EvaluationPeriods {
		if err := limits.Of("--evaluation-periods").Check(float64(n)); err != nil {
			return to, inputErrf("--evaluation-periods %d: %v", n, err)
		}
	}
	for _, t := range *o.treat {
		v, err := alarm.ParseTreatMissing(t)
		if err != nil || v.String() != t {
			return to, inputErrf("--treat-missing-data %q: want missing, ignore, breaching or notBreaching (case-sensitive, as AWS spells them)", t)
		}
		sp.TreatMissing = append(sp.TreatMissing, v)
	}
	shapes, err := sp.Shapes()
	if err != nil {
		return to, inputErrf("%v", err)
	}
	if len(shapes) == 0 {
		return to, inputErrf("the search space is empty: every --periods × --evaluation-periods exceeds CloudWatch's window (1 day under a one-hour period)")
	}
	if err := limits.Of("tune-alarm shapes").Check(float64(len(shapes))); err != nil {
		return to, inputErrf("the search space: %v (fewer --evaluation-periods, --periods, --treat-missing-data or --statistics)", err)
	}
	to.Space = sp
	return to, nil
}

// alarmIndex finds the alarm to tune.
func alarmIndex(s *scenario.Scenario, name string) (int, error) {
	if name == "" {
		switch len(s.Model.Alarms) {
		case 0:
			return 0, inputErrf("the scenario has no alarm to tune: add one (e.g. Errors, Sum, on the target version) to alarms")
		case 1:
			return 0, nil
		}
		var names []string
		for _, a := range s.Model.Alarms {
			names = append(names, a.Name)
		}
		return 0, inputErrf("the scenario has %d alarms: name the one to tune with --alarm (%s)", len(names), strings.Join(names, ", "))
	}
	for i, a := range s.Model.Alarms {
		if a.Name == name {
			return i, nil
		}
	}
	return 0, inputErrf("--alarm %q: the scenario has no alarm of that name", name)
}

// spaceDoc describes the search space.
func spaceDoc(m *sim.Model, o power.TuneOptions) report.TuneSpace {
	shapes, _ := o.Space.Shapes()
	sp := report.TuneSpace{Statistics: o.Space.Statistics, Periods: o.Space.Periods, EvaluationPeriods: o.Space.EvaluationPeriods,
		DatapointsToAlarm: "1..EvaluationPeriods", RateThresholds: power.RateThresholds, Shapes: len(shapes),
		CountThresholds: "whole numbers from the smallest that can breach to the most errors a period can hold (mean + 10 sd + 10 of the busiest period's requests)"}
	for _, t := range o.Space.TreatMissing {
		sp.TreatMissingData = append(sp.TreatMissingData, t.String())
	}
	return sp
}

// tuneGuard refuses a search whose Monte Carlo part would exceed the cost
// limits (docs/limits.md), before it starts.
func tuneGuard(path string, m *sim.Model, o power.TuneOptions, strategies int) error {
	_, mc, err := power.TuneCost(m, o)
	if err != nil {
		return inputErrf("%v", err)
	}
	runs := 0
	if mc > 0 {
		runs = mc * max(o.Runs, 2)
	}
	return startWork(path, job{m, strategies, runs, true})
}

// alarmSpec is the tuned alarm t in AWS's forms, keeping raw's name,
// namespace and dimensions.
func alarmSpec(raw scenario.Alarm, t *power.Tuned) importer.AlarmSpec {
	ns, dims := raw.Namespace, raw.Dimensions
	if len(raw.Metrics) > 0 {
		for _, q := range raw.Metrics {
			if q.MetricStat != nil {
				ns, dims = q.MetricStat.Metric.Namespace, q.MetricStat.Metric.Dimensions
				break
			}
		}
	}
	return importer.AlarmSpec{Name: raw.AlarmName, Namespace: ns, Dimensions: dims, Rate: t.Statistic == power.StatRate,
		RateExpression: power.RateExpression, Period: t.Period, EvaluationPeriods: t.N, DatapointsToAlarm: t.M,
		Threshold: t.Threshold, ComparisonOperator: t.Comparison.String(), TreatMissingData: t.TreatMissing.String(),
		Description: raw.AlarmDescription}
}

// withForms adds the chosen alarm's AWS forms to r.
func withForms(r *report.TuneResult, raw scenario.Alarm, t *power.Tuning) error {
	if t.Best < 0 {
		return nil
	}
	spec := alarmSpec(raw, &t.Shapes[t.Best])
	cfn, err := importer.AlarmResource(spec)
	if err != nil {
		return err
	}
	js, err := json.Marshal(spec.PutMetricAlarmInput())
	if err != nil {
		return err
	}
	r.CloudFormation, r.PutMetricAlarm = string(cfn), js
	return nil
}

func cmdTuneAlarm(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tune-alarm", "SCENARIO [-s NAME]...", tuneSummary, stdout)
	names := fs.StringArrayP("strategy", "s", nil, "only this strategy (repeatable): one the scenario lists or any CodeDeploy config name")
	o := declareTune(fs, true, nil)
	output := outputFlag(fs, "table", "json")
	outFile := outFlag(fs)
	seed := fs.Uint64("seed", 0, "random seed of Monte Carlo runs (default: the scenario's seed)")
	quiet := fs.BoolP("quiet", "q", false, "no progress bar")
	path, err := scenarioArgs(fs, args, stdout, output, "table", "json")
	if err != nil {
		return err
	}
	if err := checkFlag("--runs", float64(*o.runs)); err != nil {
		return err
	}
	if *o.runs < 2 {
		return inputErrf("--runs %d: want at least 2", *o.runs)
	}
	to, err := o.options(*o.maxFalse, *o.runs)
	if err != nil {
		return err
	}
	s, err := loadScenario(path, stderr)
	if err != nil {
		return err
	}
	if fs.Changed("seed") {
		s.Model.Seed = *seed
	}
	if to.Alarm, err = alarmIndex(s, *o.alarmName); err != nil {
		return err
	}
	strats, err := pickStrategies(s, *names)
	if err != nil {
		return err
	}
	if sweep.IsOwnTwin(&s.Model) {
		return inputErrf("%s: the new version behaves exactly like the current one (no fault of its own, the same error rate), so there is nothing for an alarm to detect: give versions.target a higher error_rate or a fault", path)
	}
	if err := tuneGuard(path, &s.Model, to, len(strats)); err != nil {
		return err
	}
	doc := report.Tuned{Scenario: s.Name, Alarm: s.Model.Alarms[to.Alarm].Name, Objective: to.Objective,
		MaxFalseRollback: to.MaxFalseRollback, Space: spaceDoc(&s.Model, to), Results: []report.TuneResult{}}
	for _, st := range strats {
		tick, done := progress(stderr, doc.Space.Shapes, *quiet, "tuning "+st.Name)
		to.Progress = tick
		t, err := power.Tune(&s.Model, st, to)
		done()
		if err != nil {
			if to.Force == power.MethodExact {
				return inputErrf("--alarm-method exact: %v", err)
			}
			return fmt.Errorf("%s: %w", st.Name, err)
		}
		r := report.FromTuning(t)
		if err := withForms(&r, s.Alarms[to.Alarm], t); err != nil {
			return err
		}
		doc.Results = append(doc.Results, r)
	}
	out := newDataOut(*outFile, stdout)
	if *output == "json" {
		err = report.JSON(out.W(), doc)
	} else {
		err = report.TableTuned(out.W(), doc)
	}
	return out.Close(err)
}
