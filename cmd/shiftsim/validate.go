package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

func init() {
	register("validate", "check a scenario file and summarise it", cmdValidate)
}

func cmdValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "SCENARIO", "Checks a scenario file; problems are reported as file:line: field: message, with exit status 2.\n"+
		"Warnings (such as an alarm on a dimension set Lambda does not publish, which gets no data) go to\n"+
		"stderr; with --strict they are errors.", stdout)
	strict := fs.Bool("strict", false, "treat warnings as errors (exit status 2)")
	output := outputFlag(fs, "table", "json")
	path, err := scenarioArgs(fs, args, stdout, output, "table", "json")
	if err != nil {
		return err
	}
	s, err := loadScenario(path, stderr)
	if err != nil {
		return err
	}
	if n := len(s.Warnings); *strict && n > 0 {
		return inputErrf("%s:%s (--strict: %d warning(s) treated as errors)", path, s.Warnings[0], n)
	}
	m := &s.Model
	if *output == "json" {
		return report.JSON(stdout, validated(s))
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	fmt.Fprintf(stdout, "  scenario   %s (seed %d, horizon %s)\n", s.Name, m.Seed, sim.Clock(m.Horizon))
	fmt.Fprintf(stdout, "  alias      %s:%s, version %s -> %s, deployment at t+%s\n", s.Function.Name, s.Function.Alias,
		m.Versions[0].Name, m.Versions[1].Name, sim.Clock(m.DeployStart))
	phase := m.PollPhase.String()
	if m.PollPhase.Random {
		phase = "random (a whole second in [0, " + sim.PhaseCycle(m.AlarmPollInterval).String() + "), drawn per run)"
	}
	polls := "CodeDeploy sees alarm changes at once"
	if m.AlarmPollInterval > 0 {
		polls = "CodeDeploy polls alarms every " + m.AlarmPollInterval.String()
	}
	fmt.Fprintf(stdout, "  monitoring metrics visible %s after their period, %s, poll phase %s\n", m.MetricDelay, polls, phase)
	for _, st := range s.Strategies {
		p := st.Config.Plan(m.Linear)
		fmt.Fprintf(stdout, "  strategy   %s: %d steps, AllowTraffic takes %s\n", st.Name, len(p.Steps), sim.Clock(p.End))
	}
	for _, a := range m.Alarms {
		fmt.Fprintf(stdout, "  alarm      %s: period %s, %d of %d datapoints, range %d; %s\n", a.Name, a.Period,
			a.Rule.Normalized().DatapointsToAlarm, a.Rule.EvaluationPeriods, a.Rule.Normalized().EvaluationRange, alarmSees(a, m))
	}
	one := estimateJobs([]job{{m, 1, 1, false}})
	all := estimateJobs([]job{{m, len(s.Strategies), 100, true}})
	fmt.Fprintf(stdout, "  estimate   one run: %s; compare --runs 100: %s of CPU, %s of memory\n", one,
		roughly(all.cpu), limits.FormatBytes(all.memory))
	for _, h := range m.Hooks {
		fn := s.HookFunctions[h.Name]
		if fn == "" {
			fn = "(no function named)"
		}
		fmt.Fprintf(stdout, "  hook       %s %s: runs %s, catches a fault with p=%g\n", h.Name, fn, h.Duration, h.CatchProbability)
	}
	if s.Application != "" || s.DeploymentGroup != "" {
		fmt.Fprintf(stdout, "  codedeploy application %s, deployment group %s\n", orNone(s.Application), orNone(s.DeploymentGroup))
	}
	if len(m.Alarms) == 0 {
		fmt.Fprintf(stderr, "%s: alarms: none: CodeDeploy would watch nothing, so a bad release shifts to 100 %% unless a hook catches it; add the alarms your deployment group watches (shiftsim import alarms) (warning)\n", path)
	}
	if data, err := safeio.ReadFile(path, safeio.MaxDocument); err == nil {
		if ds := scenario.Defaults(data); len(ds) > 0 {
			lines := make([]string, len(ds))
			for i, d := range ds {
				lines[i] = strconv.Itoa(d.Line)
			}
			fmt.Fprintf(stdout, "  defaults   %d values still marked DEFAULT (lines %s): shiftsim's guesses, not your numbers; set them and delete the marks\n",
				len(ds), strings.Join(lines, ", "))
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// alarmSees says whose requests an alarm's metrics count, the metric math it
// computes and its low-sample setting, as validate's summary shows them.
func alarmSees(a sim.Alarm, m *sim.Model) string {
	var union uint8
	blind := 0
	for _, q := range a.Queries {
		union |= q.Versions
		if q.Versions == 0 {
			blind++
		}
	}
	var sees string
	switch {
	case blind == len(a.Queries):
		sees = "sees NO DATA (dimension set or values Lambda does not publish for this alias)"
	case union == 1<<sim.Current|1<<sim.Target:
		sees = "sees both versions"
	case union == 1<<sim.Target:
		sees = "sees version " + m.Versions[sim.Target].Name + " only"
	default:
		sees = "sees version " + m.Versions[sim.Current].Name + " only"
	}
	if blind > 0 && blind < len(a.Queries) {
		sees += fmt.Sprintf(" (%d of its metrics get no data)", blind)
	}
	if a.Math != nil {
		sees += ", math " + a.Math.String()
	}
	if a.LowSample == alarm.IgnoreLowSample {
		sees += fmt.Sprintf(", EvaluateLowSampleCountPercentile ignore (%s needs %s samples a period)",
			a.Queries[0].Stat, alarm.FormatNumber(a.Queries[0].Stat.MinSamples()))
	}
	return sees
}

// validation is validate --output json: what the scenario holds, for
// scripts; the warnings went to stderr as for the table.
type validation struct {
	File            string          `json:"file"`
	OK              bool            `json:"ok"`
	Scenario        string          `json:"scenario"`
	Seed            uint64          `json:"seed"`
	Horizon         float64         `json:"horizon_s"`
	Function        string          `json:"function"`
	Alias           string          `json:"alias"`
	CurrentVersion  string          `json:"current_version"`
	TargetVersion   string          `json:"target_version"`
	DeploymentStart float64         `json:"deployment_start_s"`
	Strategies      []validStrategy `json:"strategies"`
	Alarms          []validAlarm    `json:"alarms"`
	Hooks           []validHook     `json:"hooks"`
	Application     string          `json:"application,omitempty"`
	DeploymentGroup string          `json:"deployment_group,omitempty"`
	Warnings        []validWarning  `json:"warnings"`
	Defaults        []int           `json:"default_lines"` // lines still marked DEFAULT
}

type validWarning struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type validStrategy struct {
	Name         string  `json:"name"`
	Steps        int     `json:"steps"`
	AllowTraffic float64 `json:"allow_traffic_s"`
}

type validAlarm struct {
	Name              string  `json:"name"`
	Period            float64 `json:"period_s"`
	DatapointsToAlarm int     `json:"datapoints_to_alarm"`
	EvaluationPeriods int     `json:"evaluation_periods"`
	EvaluationRange   int     `json:"evaluation_range"`
}

type validHook struct {
	Name             string  `json:"name"`
	Function         string  `json:"function,omitempty"`
	Duration         float64 `json:"duration_s"`
	CatchProbability float64 `json:"catch_probability"`
}

func validated(s *scenario.Scenario) validation {
	m := &s.Model
	v := validation{File: s.File, OK: true, Scenario: s.Name, Seed: m.Seed, Horizon: m.Horizon.Seconds(),
		Function: s.Function.Name, Alias: s.Function.Alias, CurrentVersion: m.Versions[0].Name, TargetVersion: m.Versions[1].Name,
		DeploymentStart: m.DeployStart.Seconds(), Application: s.Application, DeploymentGroup: s.DeploymentGroup,
		Strategies: []validStrategy{}, Alarms: []validAlarm{}, Hooks: []validHook{}, Warnings: []validWarning{}, Defaults: []int{}}
	for _, st := range s.Strategies {
		p := st.Config.Plan(m.Linear)
		v.Strategies = append(v.Strategies, validStrategy{Name: st.Name, Steps: len(p.Steps), AllowTraffic: p.End.Seconds()})
	}
	for _, a := range m.Alarms {
		v.Alarms = append(v.Alarms, validAlarm{Name: a.Name, Period: a.Period.Seconds(), DatapointsToAlarm: a.Rule.DatapointsToAlarm,
			EvaluationPeriods: a.Rule.EvaluationPeriods, EvaluationRange: a.Rule.EvaluationRange})
	}
	for _, h := range m.Hooks {
		v.Hooks = append(v.Hooks, validHook{Name: string(h.Name), Function: s.HookFunctions[h.Name], Duration: h.Duration.Seconds(), CatchProbability: h.CatchProbability})
	}
	for _, w := range s.Warnings {
		v.Warnings = append(v.Warnings, validWarning{Line: w.Line, Field: w.Path, Message: w.Msg})
	}
	if _, _, data, err := readScenario(s.File); err == nil {
		for _, d := range scenario.Defaults(data) {
			v.Defaults = append(v.Defaults, d.Line)
		}
	}
	return v
}
