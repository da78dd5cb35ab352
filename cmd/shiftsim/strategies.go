package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

func init() {
	register("strategies", "list the predefined CodeDeploy Lambda configurations, AppConfig strategies and ECS plans with their schedules", cmdStrategies)
}

type strategyDoc struct {
	Name      string    `json:"name"`
	ShortName string    `json:"sam_name,omitempty"`
	Type      string    `json:"type"`
	Family    string    `json:"family"`
	Percent   int       `json:"percentage,omitempty"`
	Interval  int       `json:"interval_s,omitempty"`
	Steps     []stepDoc `json:"steps"`
	End       float64   `json:"allow_traffic_end_s"`
	// AppConfig strategies only.
	GrowthType   string   `json:"growth_type,omitempty"`
	GrowthFactor float64  `json:"growth_factor,omitempty"`
	Duration     *int     `json:"deployment_duration_s,omitempty"`
	Bake         *int     `json:"final_bake_time_s,omitempty"`
	FullShift    *float64 `json:"full_shift_s,omitempty"`
	// ECS plans only: stepPercent or canaryPercent, the step or canary
	// bake, the deployment bake and a BLUE_GREEN test-traffic phase.
	StepPercent *float64 `json:"step_percent,omitempty"`
	StepBake    *int     `json:"step_bake_time_s,omitempty"`
	ECSBake     *int     `json:"bake_time_s,omitempty"`
	TestTraffic *int     `json:"test_traffic_time_s,omitempty"`
	// A scenario's own plans (--scenario): what the plan does in words, its
	// gates, and whether it waits for a user nobody plays (then steps and
	// ends are those up to the wait).
	Description  string   `json:"description,omitempty"`
	Gates        []string `json:"gates,omitempty"`
	WaitsForUser bool     `json:"waits_for_user,omitempty"`
	// DocClosedForm is a Flagger plan's minimum time to promotion by
	// Flagger's documented formula, beside the tick model's schedule.
	DocClosedForm *float64 `json:"doc_closed_form_s,omitempty"`
}

// strategiesDoc is strategies --output json.
type strategiesDoc struct {
	LinearModel         string        `json:"linear_model"`
	AppConfigStepTiming string        `json:"appconfig_step_timing"`
	Strategies          []strategyDoc `json:"strategies"`
}

type stepDoc struct {
	At      float64 `json:"at_s"`
	Percent float64 `json:"percent"`
}

func cmdStrategies(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("strategies", "", "Lists the predefined CodeDeploy Lambda deployment configurations and AppConfig deployment strategies\nwith their weight schedules (time after AllowTraffic starts, or after an AppConfig or ECS deployment starts\n-> percent of traffic on the target version). An AppConfig strategy ends after its final bake,\nduring which alarms are still watched. ECS has no predefined plans: one example of each ECS strategy\n(LINEAR, CANARY, BLUE_GREEN) is listed with ECS's defaults and a deployment bake of --ecs-bake minutes,\nunder the name shiftsim gives it (write your own as {name, deploymentConfiguration: {...}}; docs/plans.md). --scenario adds a scenario's own\nArgo Rollouts plans, their steps and gates.", stdout)
	output := outputFlag(fs, "table", "json")
	outFile := outFlag(fs)
	model := fs.String("linear-model", "end_after_last_interval", "when a linear deployment ends: end_after_last_interval or end_at_last_shift")
	timingFlag := fs.String("appconfig-step-timing", "interval_end", "where AppConfig steps fall in the duration: interval_end (step k at k·D/S) or interval_start ((k−1)·D/S)")
	ecsBake := fs.Int("ecs-bake", 10, "deployment bake (bakeTimeInMinutes, 0 to 1440) of the listed ECS examples")
	scen := fs.String("scenario", "", "also list a scenario's own plans (Argo Rollouts and custom ones), with their steps and gates; their schedule assumes every analysis passes as early as it can")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if len(fs.Args()) != 0 {
		return inputErrf("strategies takes no arguments")
	}
	if *ecsBake < 0 || *ecsBake > 1440 {
		return inputErrf("--ecs-bake %d: want 0 to 1440 minutes (ECS's bake range; docs/plans.md)", *ecsBake)
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}
	lm := strategies.EndAfterLastInterval
	switch *model {
	case "end_after_last_interval":
	case "end_at_last_shift":
		lm = strategies.EndAtLastShift
	default:
		return inputErrf("--linear-model %q: want end_after_last_interval or end_at_last_shift", *model)
	}
	timing, err := strategies.ParseStepTiming(*timingFlag)
	if err != nil {
		return inputErrf("--appconfig-step-timing %v", err)
	}
	all := strategies.Predefined()
	for _, c := range strategies.PredefinedAppConfig() {
		c.Timing = timing
		all = append(all, c)
	}
	all = append(all, strategies.ExampleECS(*ecsBake)...)
	var own []sim.Strategy
	promote := time.Duration(-1)
	if *scen != "" {
		s, err := loadScenario(*scen, stderr)
		if err != nil {
			return err
		}
		if s.Model.PromoteAfter > 0 {
			promote = s.Model.PromoteAfter
		}
		for _, st := range s.Strategies {
			if st.Config.Argo() || st.Config.Type == strategies.FlaggerType {
				own = append(own, st)
			}
		}
	}
	// plan is a scenario plan's schedule: for one that waits for a user
	// nobody plays, the steps up to the wait.
	plan := func(c strategies.Config) (strategies.Plan, bool) {
		if c.Type == strategies.FlaggerType {
			return c.Flagger.Schedule(), false
		}
		return c.Rollout.UntilWait(promote)
	}
	var docs []strategyDoc
	for _, c := range all {
		p := c.Plan(lm)
		d := strategyDoc{Name: c.Name, Type: string(c.Type), Family: c.Family(), Percent: c.Percentage, Interval: 60 * c.Interval, End: p.End.Seconds()}
		if c.Type.IsECS() {
			e := c.ECS
			full := p.Steps[len(p.Steps)-1].At.Seconds()
			bake := 60 * e.Bake
			d.FullShift, d.ECSBake = &full, &bake
			if c.Type != strategies.ECSBlueGreen {
				pct, step := e.Percent, 60*e.StepBake
				d.StepPercent, d.StepBake = &pct, &step
			} else {
				test := 60 * e.TestTraffic
				d.TestTraffic = &test
			}
		} else if c.Type == strategies.AppConfig {
			a := c.AppConfig
			full := p.Steps[len(p.Steps)-1].At.Seconds()
			dur, bake := 60*a.DeploymentDurationInMinutes, 60*a.FinalBakeTimeInMinutes
			d.GrowthType, d.GrowthFactor, d.Duration, d.Bake, d.FullShift = string(a.GrowthType), a.GrowthFactor, &dur, &bake, &full
		} else {
			d.ShortName = strategies.ShortName(c)
		}
		for _, s := range p.Steps {
			d.Steps = append(d.Steps, stepDoc{At: s.At.Seconds(), Percent: s.Percent})
		}
		docs = append(docs, d)
	}
	for _, st := range own {
		p, waits := plan(st.Config)
		d := strategyDoc{Name: st.Name, Type: string(st.Config.Type), Family: st.Config.Family(), End: p.End.Seconds(), Description: describeOwn(st.Config), WaitsForUser: waits}
		if st.Config.Type == strategies.FlaggerType {
			if cf := st.Config.Flagger.ClosedForm(); cf > 0 {
				sec := cf.Seconds()
				d.DocClosedForm = &sec
			}
		}
		if waits {
			d.End = -1
		}
		for _, g := range sim.Gates(st.Config) {
			d.Gates = append(d.Gates, g.Name+": "+g.Query.String())
		}
		for _, s := range p.Steps {
			d.Steps = append(d.Steps, stepDoc{At: s.At.Seconds(), Percent: s.Percent})
		}
		docs = append(docs, d)
	}
	out := newDataOut(*outFile, stdout)
	stdout = out.W()
	if *output == "json" {
		return out.Close(report.JSON(stdout, strategiesDoc{LinearModel: *model, AppConfigStepTiming: *timingFlag, Strategies: docs}))
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tSAM name\tschedule (t+ -> % to target)\tends")
	for _, c := range all {
		p := c.Plan(lm)
		var steps []string
		for _, s := range p.Steps {
			steps = append(steps, fmt.Sprintf("%s %v%%", sim.Clock(s.At), s.Percent))
		}
		short := strategies.ShortName(c)
		switch {
		case c.Type == strategies.AppConfig:
			short = "-"
			steps = append(steps, fmt.Sprintf("bake %d min", c.AppConfig.FinalBakeTimeInMinutes))
		case c.Type.IsECS():
			short = "-"
			steps = append(steps, fmt.Sprintf("bake %d min", c.ECS.Bake))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, short, strings.Join(steps, ", "), sim.Clock(p.End))
	}
	for _, st := range own {
		p, waits := plan(st.Config)
		var steps []string
		for _, s := range p.Steps {
			steps = append(steps, fmt.Sprintf("%s %v%%", sim.Clock(s.At), s.Percent))
		}
		end := sim.Clock(p.End)
		if waits {
			end = "waits for a user"
		}
		fmt.Fprintf(tw, "%s\t-\t%s\t%s\n", st.Name, strings.Join(steps, ", "), end)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, st := range own {
		fmt.Fprintf(stdout, "\n%s (%s): %s\n", st.Name, st.Config.Type, describeOwn(st.Config))
		for _, g := range sim.Gates(st.Config) {
			fmt.Fprintf(stdout, "  gate %s: %s\n", g.Name, g.Query)
		}
	}
	return out.Close(nil)
}

// describeOwn says a scenario's own gated plan (Argo Rollouts or Flagger)
// in words.
func describeOwn(c strategies.Config) string {
	if c.Type == strategies.FlaggerType {
		return c.Flagger.Describe()
	}
	return c.Rollout.Describe()
}
