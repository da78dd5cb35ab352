package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

// scenarioSummary is what the HTML report says about the scenario before
// its results: the alias and versions, the faults, the alarms CodeDeploy
// watches and the hooks, in the words validate uses.
func scenarioSummary(s *scenario.Scenario) []report.SummaryItem {
	m := &s.Model
	out := []report.SummaryItem{{Label: "alias", Text: fmt.Sprintf("%s:%s, version %s -> %s; the deployment starts %s into the simulation (t+0 of the times below)",
		s.Function.Name, s.Function.Alias, m.Versions[0].Name, m.Versions[1].Name, sim.Clock(m.DeployStart))}}
	for i, v := range m.Versions {
		role := "current"
		if i == sim.Target {
			role = "target"
		}
		text := fmt.Sprintf("%s (%s): error rate %s, median latency %s", v.Name, role, percent(v.ErrorRate),
			seconds(math.Exp(v.Latency.Mu)))
		if v.Timeout > 0 {
			text += ", timeout " + v.Timeout.String()
		}
		out = append(out, report.SummaryItem{Label: "version", Text: text})
	}
	if len(m.Faults) == 0 {
		out = append(out, report.SummaryItem{Label: "faults", Text: "none"})
	}
	for _, f := range m.Faults {
		out = append(out, report.SummaryItem{Label: "fault", Text: describeFault(f, m)})
	}
	if len(m.Alarms) == 0 {
		out = append(out, report.SummaryItem{Label: "alarms", Text: "none: CodeDeploy watches nothing"})
	}
	for _, a := range m.Alarms {
		out = append(out, report.SummaryItem{Label: "alarm", Text: fmt.Sprintf("%s: period %s, %d of %d datapoints; %s",
			a.Name, a.Period, a.Rule.Normalized().DatapointsToAlarm, a.Rule.EvaluationPeriods, alarmSees(a, m))})
	}
	if len(m.Hooks) == 0 {
		out = append(out, report.SummaryItem{Label: "hooks", Text: "none"})
	}
	for _, h := range m.Hooks {
		fn := s.HookFunctions[h.Name]
		if fn == "" {
			fn = "(no function named)"
		}
		out = append(out, report.SummaryItem{Label: "hook", Text: fmt.Sprintf("%s %s: runs %s, catches a fault with p=%g",
			h.Name, fn, h.Duration, h.CatchProbability)})
	}
	return out
}

// describeFault says which version a fault hits, when, and what it does.
func describeFault(f faults.Fault, m *sim.Model) string {
	who := "both versions"
	if f.Version != faults.Both {
		who = "version " + m.Versions[f.Version].Name
	}
	when := "from t+" + sim.Clock(f.Start)
	if f.End != 0 {
		when += " to t+" + sim.Clock(f.End)
	}
	var what []string
	if f.ErrorRate != nil {
		what = append(what, "error rate "+percent(*f.ErrorRate))
	}
	if f.HangRate > 0 {
		what = append(what, percent(f.HangRate)+" of requests hang until the timeout")
	}
	if f.Latency != nil {
		what = append(what, "median latency "+seconds(math.Exp(f.Latency.Mu)))
	}
	if f.LatencyScale > 0 {
		what = append(what, fmt.Sprintf("latency ×%g", f.LatencyScale))
	}
	if f.Init != nil {
		what = append(what, "cold start median "+seconds(math.Exp(f.Init.Mu)))
	}
	if f.Segment > 0 {
		what = append(what, "for "+percent(f.Segment)+" of users")
	}
	if f.Ramp > 0 {
		what = append(what, "ramping in over "+f.Ramp.String())
	}
	if f.Flaky != nil {
		what = append(what, fmt.Sprintf("on %s, off %s, repeatedly", f.Flaky.On, f.Flaky.Off))
	}
	return who + " " + when + ": " + strings.Join(what, ", ")
}

func percent(p float64) string { return fmt.Sprintf("%.4g %%", 100*p) }

func seconds(s float64) string {
	return time.Duration(math.Round(s * 1e9)).Round(time.Microsecond).String()
}
