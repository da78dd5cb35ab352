package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

func init() {
	register("strategies", "list CodeDeploy's predefined Lambda configurations and their schedules", cmdStrategies)
}

type strategyDoc struct {
	Name      string    `json:"name"`
	ShortName string    `json:"sam_name"`
	Type      string    `json:"type"`
	Percent   int       `json:"percentage,omitempty"`
	Interval  int       `json:"interval_minutes,omitempty"`
	Steps     []stepDoc `json:"steps"`
	End       float64   `json:"allow_traffic_end_s"`
}

type stepDoc struct {
	At      float64 `json:"at_s"`
	Percent float64 `json:"percent"`
}

func cmdStrategies(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("strategies", "", "Lists the predefined CodeDeploy Lambda deployment configurations with their weight schedules\n(time after AllowTraffic starts -> percent of traffic on the target version).", stdout)
	output := fs.StringP("output", "o", "table", "output format: table or json")
	model := fs.String("linear-model", "end_after_last_interval", "when a linear deployment ends: end_after_last_interval or end_at_last_shift")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if len(fs.Args()) != 0 {
		return inputErrf("strategies takes no arguments")
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
	var docs []strategyDoc
	for _, c := range strategies.Predefined() {
		p := c.Plan(lm)
		d := strategyDoc{Name: c.Name, ShortName: strategies.ShortName(c), Type: string(c.Type), Percent: c.Percentage, Interval: c.Interval, End: p.End.Seconds()}
		for _, s := range p.Steps {
			d.Steps = append(d.Steps, stepDoc{At: s.At.Seconds(), Percent: s.Percent})
		}
		docs = append(docs, d)
	}
	if *output == "json" {
		return report.JSON(stdout, docs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tSAM name\tschedule (t+ -> % to target)\tends")
	for _, c := range strategies.Predefined() {
		p := c.Plan(lm)
		var steps []string
		for _, s := range p.Steps {
			steps = append(steps, fmt.Sprintf("%s %v%%", sim.Clock(s.At), s.Percent))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, strategies.ShortName(c), strings.Join(steps, ", "), sim.Clock(p.End))
	}
	return tw.Flush()
}
