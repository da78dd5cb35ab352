package main

import (
	"fmt"
	"io"

	"github.com/shiftsim/shiftsim/power"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

// tunedPlans are recommend --with-alarms' plans, each with its tuned alarm:
// models[i] is the scenario with plan i's alarm in place of the one tuned.
type tunedPlans struct {
	alarm   int
	tunings []*power.Tuning
	models  []*sim.Model
}

// tunePlans tunes the alarm for every candidate plan (docs/tune-alarm.md),
// after checking the cost of the search and of the runs; guard is false
// when merging parts whose runs are already made.
func tunePlans(s *scenario.Scenario, cands []sim.Strategy, o *tuneOpts, maxFalse float64, runs int, quiet, guard bool, stderr io.Writer) (*tunedPlans, error) {
	to, err := o.options(maxFalse, runs)
	if err != nil {
		return nil, err
	}
	if to.Alarm, err = alarmIndex(s, *o.alarmName); err != nil {
		return nil, err
	}
	if sweep.IsOwnTwin(&s.Model) {
		return nil, inputErrf("--with-alarms: the new version behaves exactly like the current one, so there is nothing for an alarm to detect: give versions.target a higher error_rate or a fault")
	}
	if guard {
		_, mc, err := power.TuneCost(&s.Model, to)
		if err != nil {
			return nil, inputErrf("%v", err)
		}
		if err := startWork(s.File, job{&s.Model, len(cands), runs, true}, job{&s.Model, len(cands), mc * max(runs, 2), true}); err != nil {
			return nil, err
		}
	}
	shapes, _ := to.Space.Shapes()
	total := len(shapes) * len(cands)
	tick, done := progress(stderr, total, quiet, "tuning alarms")
	defer done()
	p := &tunedPlans{alarm: to.Alarm}
	for i, c := range cands {
		if tick != nil {
			base := i * len(shapes)
			to.Progress = func(n, _ int) { tick(base+n, total) }
		}
		t, err := power.Tune(&s.Model, c, to)
		if err != nil {
			if to.Force == power.MethodExact {
				return nil, inputErrf("--alarm-method exact: %v", err)
			}
			return nil, fmt.Errorf("tuning the alarm of %s: %w", c.Name, err)
		}
		m := &s.Model
		if t.Best >= 0 {
			mm := s.Model
			mm.Alarms = append([]sim.Alarm(nil), s.Model.Alarms...)
			mm.Alarms[to.Alarm] = t.Shapes[t.Best].Alarm
			m = &mm
		}
		p.tunings = append(p.tunings, t)
		p.models = append(p.models, m)
	}
	return p, nil
}

// runPlans runs every plan o.Runs times (its share with a shard): on the
// scenario, or each on its own model with its tuned alarm. The outcomes
// are those of sweep.Run: run i of every plan with seed sweep.Seed(base, i).
func runPlans(m *sim.Model, p *tunedPlans, cands []sim.Strategy, o sweep.Options) (*sweep.Replicated, error) {
	if p == nil {
		return sweep.Run(m, cands, o)
	}
	rep := &sweep.Replicated{Model: m, Strategies: cands, Runs: max(o.Runs, 1), Outcomes: make([][]sweep.Outcome, len(cands))}
	lo, hi := 0, rep.Runs
	if o.Shard.Count > 0 {
		lo, hi = o.Shard.Range(rep.Runs)
	}
	rep.From = lo
	total := (hi - lo) * len(cands)
	for i, c := range cands {
		oi := o
		if o.Progress != nil {
			base := i * (hi - lo)
			oi.Progress = func(n, _ int) { o.Progress(base+n, total) }
		}
		r, err := sweep.Run(p.models[i], []sim.Strategy{c}, oi)
		if err != nil {
			return nil, err
		}
		rep.Outcomes[i] = r.Outcomes[0]
	}
	return rep, nil
}

// annotate adds every plan's tuned alarm to the document, and the
// recommended plan's in AWS's forms.
func (p *tunedPlans) annotate(doc *report.Recommended, rec *sweep.Recommendation, s *scenario.Scenario) error {
	doc.WithAlarms = true
	byName := map[string]*power.Tuning{}
	for _, t := range p.tunings {
		byName[t.Strategy] = t
	}
	for i := range doc.Candidates {
		if t := byName[doc.Candidates[i].Strategy]; t != nil && t.Best >= 0 {
			a := report.FromTuned(&t.Shapes[t.Best])
			doc.Candidates[i].Alarm = &a
		}
	}
	for i := range doc.Nearest {
		for _, c := range doc.Candidates {
			if c.Strategy == doc.Nearest[i].Strategy {
				doc.Nearest[i].Alarm = c.Alarm
			}
		}
	}
	if doc.Recommended == nil {
		return nil
	}
	best := doc.Candidates[rec.Best]
	doc.Recommended.PlanResult.Alarm = best.Alarm
	t := byName[best.Strategy]
	if t == nil || t.Best < 0 {
		return nil
	}
	var r report.TuneResult
	if err := withForms(&r, s.Alarms[p.alarm], t); err != nil {
		return err
	}
	doc.Recommended.CloudFormation, doc.Recommended.PutMetricAlarm = r.CloudFormation, r.PutMetricAlarm
	return nil
}
