package main

import (
	"io"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/sim"
)

func init() {
	register("run", "simulate one deployment and print its timeline", cmdRun)
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "SCENARIO --strategy NAME", "Simulates one deployment and prints its event timeline in virtual time: weight changes, alarm\nstate changes, hook results, rollback. NAME is a strategy of the scenario, any predefined one, or a recommended plan's name\n(Canary5Percent15Minutes; see docs/strategy-names.md).", stdout)
	strategy := fs.StringP("strategy", "s", "", "strategy to run (may be omitted when the scenario lists one)")
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's seed)")
	output := outputFlag(fs, "table", "json")
	outFile := outFlag(fs)
	wide := wideFlag(fs)
	engine := engineFlag(fs)
	explain := fs.Bool("explain", false, "narrate the timeline in plain words")
	path, err := scenarioArgs(fs, args, stdout, output, "table", "json")
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
	if err := setEngine(&s.Model, *engine); err != nil {
		return err
	}
	chosen, err := pickStrategy(s, *strategy)
	if err != nil {
		return err
	}
	if err := startWork(path, job{&s.Model, 1, 1, false}); err != nil {
		return err
	}
	res, err := sim.Run(&s.Model, chosen)
	if err != nil {
		return err
	}
	r := report.FromSim(res, chosen.Config.Name, true) // with AppConfig's states for an AppConfig plan
	out := newDataOut(*outFile, stdout)
	w := forTerminal(out.W(), *wide)
	switch {
	case *output == "json":
		err = report.JSON(w, report.Compared{Scenario: s.Name, Seed: s.Model.Seed, Horizon: s.Model.Horizon.Seconds(), Results: []report.Result{r}})
	case *explain:
		err = report.Explain(w, s.Name, s.Model.Seed, r)
	default:
		err = report.Timeline(w, s.Name, s.Model.Seed, r)
	}
	return out.Close(err)
}
