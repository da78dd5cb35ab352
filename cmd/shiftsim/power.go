package main

import (
	"io"

	"github.com/shiftsim/shiftsim/power"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

func init() {
	register("power", "the probability that the alarms stop a bad deployment, how soon, at what cost", cmdPower)
}

func cmdPower(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("power", "SCENARIO [-s NAME]...", "For each strategy: the probability that the scenario's alarms (and hooks) stop the deployment, the\nlaw of the time to detection, and the expected requests and failures the target serves. Computed\nexactly (a Markov chain over the alarm's evaluation range) when the traffic is Poisson with a known\nrate and one alarm reads request counts with a period equal to its evaluation interval; otherwise\nestimated from --runs simulated runs, with 95 % intervals, and the output says why.\n\nWith --detect P --error-rate X: the shortest canary interval and the smallest canary percentage\nthat stop a target failing at rate X with probability P, and how often the same alarm rolls back\na healthy version.", stdout)
	names := fs.StringArrayP("strategy", "s", nil, "only this strategy (repeatable): any name 'shiftsim run' takes (docs/strategy-names.md)")
	output := outputFlag(fs, "table", "json")
	method := fs.String("method", "auto", "auto (exact where possible), exact (fail otherwise) or monte_carlo")
	runs := fs.IntP("runs", "n", 1000, "simulated runs per strategy when estimating by Monte Carlo")
	seed := fs.Uint64("seed", 0, "random seed of the Monte Carlo runs (default: the scenario's seed)")
	detect := fs.Float64("detect", 0, "the power wanted, e.g. 0.95: search the plan that reaches it (needs --error-rate)")
	errorRate := fs.Float64("error-rate", -1, "with --detect: the bad version's error rate, e.g. 0.02")
	quiet := fs.BoolP("quiet", "q", false, "no progress bar")
	path, err := scenarioArgs(fs, args, stdout, output, "table", "json")
	if err != nil {
		return err
	}
	force := ""
	switch *method {
	case "auto":
	case power.MethodExact, power.MethodMonteCarlo:
		force = *method
	default:
		return inputErrf("--method %q: want auto, exact or monte_carlo", *method)
	}
	if *runs < 2 {
		return inputErrf("--runs %d: want at least 2", *runs)
	}
	s, err := loadScenario(path, stderr)
	if err != nil {
		return err
	}
	if fs.Changed("seed") {
		s.Model.Seed = *seed
	}
	strats, err := pickStrategies(s, *names)
	if err != nil {
		return err
	}
	if fs.Changed("detect") || fs.Changed("error-rate") {
		return powerSearch(s, strats, *detect, *errorRate, *output, stdout)
	}
	tick, done := progress(stderr, *runs*len(strats), *quiet, "simulating")
	results, err := power.Analyse(&s.Model, strats, power.Options{Runs: *runs, Force: force, Progress: tick})
	done()
	if err != nil {
		if force == power.MethodExact {
			return inputErrf("--method exact: %v", err)
		}
		return err
	}
	doc := report.Powered{Scenario: s.Name, Horizon: s.Model.Horizon.Seconds(), Results: []report.PowerResult{}}
	for _, r := range results {
		doc.Results = append(doc.Results, report.FromPower(r))
	}
	if *output == "json" {
		return report.JSON(stdout, doc)
	}
	return report.TablePower(stdout, doc)
}

// pickStrategies returns the scenario's strategies, or those named, each
// resolved as every command resolves a strategy name (scenario.Strategy).
func pickStrategies(s *scenario.Scenario, names []string) ([]sim.Strategy, error) {
	if len(names) == 0 {
		return s.Strategies, nil
	}
	out := make([]sim.Strategy, 0, len(names))
	for _, n := range names {
		st, err := pickStrategy(s, n)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func powerSearch(s *scenario.Scenario, strats []sim.Strategy, detect, errorRate float64, output string, stdout io.Writer) error {
	if !(detect > 0 && detect < 1) {
		return inputErrf("--detect %v: want the power as a probability in (0, 1), e.g. 0.95", detect)
	}
	if !(errorRate >= 0 && errorRate <= 1) {
		return inputErrf("--error-rate %v: want the bad version's error rate in [0, 1], e.g. 0.02 (--detect needs it)", errorRate)
	}
	if ok, why := power.Exactable(&s.Model); !ok {
		return inputErrf("--detect needs the exact engine, and this scenario is beyond it: %s", why)
	}
	rs, err := power.PowerSearch(&s.Model, strats, detect, errorRate)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return inputErrf("--detect searches canary and linear plans; the scenario lists none (add one with -s, e.g. -s Canary10Percent5Minutes)")
	}
	doc := report.PowerSearched{Scenario: s.Name, Detect: detect, ErrorRate: errorRate}
	for _, r := range rs {
		doc.Results = append(doc.Results, report.FromSearch(r))
	}
	if output == "json" {
		return report.JSON(stdout, doc)
	}
	return report.TableSearch(stdout, doc)
}
