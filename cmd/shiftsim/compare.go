package main

import (
	"io"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

func init() {
	register("compare", "run every strategy of a scenario on the same traffic and compare them", cmdCompare)
}

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "SCENARIO", "Simulates the deployment once per strategy listed in the scenario, with the same seed and so the\nsame requests and dice for each (common random numbers), and prints one row per strategy.", stdout)
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's seed)")
	output := fs.StringP("output", "o", "table", "output format: table or json")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	path, err := oneArg(fs.Args(), "SCENARIO")
	if err != nil {
		return err
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}
	s, err := loadScenario(path, stderr)
	if err != nil {
		return err
	}
	if fs.Changed("seed") {
		s.Model.Seed = *seed
	}
	results, err := sim.Compare(&s.Model, s.Strategies)
	if err != nil {
		return err
	}
	doc := compared(s, results, false)
	if *output == "json" {
		return report.JSON(stdout, doc)
	}
	return report.Table(stdout, doc)
}

func compared(s *scenario.Scenario, results []*sim.Result, timeline bool) report.Compared {
	doc := report.Compared{Scenario: s.Name, Seed: s.Model.Seed, Horizon: s.Model.Horizon.Seconds(), Results: []report.Result{}}
	for i, r := range results {
		doc.Results = append(doc.Results, report.FromSim(r, s.Strategies[i].Config.Name, timeline))
	}
	return doc
}
