package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/sweep"
)

func init() {
	register("recommend", "find the fastest deployment config whose failures stay within a budget", cmdRecommend)
}

func cmdRecommend(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("recommend", "SCENARIO --max-failed N [--confidence 0.95]", "Weighs CodeDeploy's predefined Lambda configs and a grid of custom TimeBasedCanary and\nTimeBasedLinear ones on the scenario, each over --runs seeded runs, and recommends the fastest\n(by planned duration) whose failed requests caused by the new version (beyond the current\nversion's own failure rate: a rollback never counts as safety) stay at or under --max-failed in a\n--confidence share of runs, and which rolls back the scenario's healthy twin (the new version\nbehaving exactly like the current one) in at most --max-false-rollback of runs. Exits 1, with the\nnearest plans, when none qualifies. Prints it as a CodeDeploy TrafficRoutingConfig and\nDeploymentConfig, with the frontier of speed against safety. --write OUT writes the scenario with\nthe plan added to deployment.strategies, so that export, appspec and deploy take its name.", stdout)
	maxFailed := fs.Float64("max-failed", -1, "the budget: failed requests the new version causes, beyond the current version's own rate (required)")
	maxFalse := fs.Float64("max-false-rollback", sweep.DefaultMaxFalseRollback, "the most a plan may roll back a healthy new version (a probability, from the healthy twin)")
	confidence := fs.Float64("confidence", 0.95, "share of runs that must stay within the budget")
	all := fs.Bool("all-failed", false, "count failed requests of both versions, not only the new one's")
	runs := fs.IntP("runs", "n", 100, "seeded replications per plan")
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's seed)")
	output := outputFlag(fs, "table", "json", "markdown")
	outFile := outFlag(fs)
	wide := wideFlag(fs)
	every := fs.Bool("every-plan", false, "list every plan weighed, not only the frontier")
	engine := engineFlag(fs)
	quiet := fs.BoolP("quiet", "q", false, "no progress bar")
	write := fs.String("write", "", "write the scenario with the recommended plan added to deployment.strategies to this file (may be SCENARIO itself)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	path, err := oneArg(fs.Args(), "SCENARIO")
	if err != nil {
		return err
	}
	if err := checkOutput(*output, "table", "json", "markdown"); err != nil {
		return err
	}
	if !fs.Changed("max-failed") {
		return inputErrf("--max-failed N is required (N >= 0 failed requests)")
	}
	if !(*maxFalse >= 0 && *maxFalse <= 1) {
		return inputErrf("--max-false-rollback %v: want a probability in [0, 1] (0.05 means 5 %%)", *maxFalse)
	}
	if err := checkFlag("--max-failed", *maxFailed); err != nil {
		return err
	}
	if !(*confidence > 0 && *confidence <= 1) {
		return inputErrf("--confidence %v: want a number in (0, 1]", *confidence)
	}
	if err := checkFlag("--runs", float64(*runs)); err != nil {
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
	cands, skipped := sweep.Candidates(&s.Model, s.Strategies)
	if len(cands) == 0 {
		return inputErrf("no plan finishes within the scenario's horizon of %v", s.Model.Horizon)
	}
	if err := startWork(path, job{&s.Model, len(cands), *runs, true}); err != nil {
		return err
	}
	tick, done := progress(stderr, *runs*len(cands), *quiet, "weighing plans")
	rec, err := sweep.Recommend(&s.Model, cands, sweep.Budget{MaxFailed: *maxFailed, Confidence: *confidence, AllFailed: *all, MaxFalseRollback: *maxFalse},
		sweep.Options{Runs: *runs, Progress: tick})
	done()
	if err != nil {
		return err
	}
	rec.Skipped = skipped
	doc := report.FromRecommendation(s.Name, s.Model.Seed, rec)
	out := newDataOut(*outFile, stdout)
	switch *output {
	case "json":
		err = report.JSON(out.W(), doc)
	case "markdown":
		err = report.RecommendMarkdown(out.W(), doc)
	default:
		err = report.RecommendTable(forTerminal(out.W(), *wide), doc, *every)
	}
	err = out.Close(err)
	if err == nil && doc.Recommended == nil {
		err = errNoPlan
	}
	if err != nil || *write == "" {
		return err
	}
	return writeRecommended(path, *write, rec, stderr)
}

// writeRecommended writes the scenario at path, with the recommended plan
// added to deployment.strategies, to out (docs/strategy-names.md).
func writeRecommended(path, out string, rec *sweep.Recommendation, stderr io.Writer) error {
	if rec.Best < 0 {
		return fmt.Errorf("--write %s: no plan fits the budget, so there is nothing to add; nothing written", out)
	}
	_, _, data, err := readScenario(path)
	if err != nil {
		return inputErrf("--write: cannot read the scenario to rewrite: %v", err)
	}
	best := rec.Candidates[rec.Best].Strategy
	cfg := best.Config
	cfg.Name = best.Name
	b := rec.Budget
	from := fmt.Sprintf("recommended by shiftsim recommend: the fastest plan with at most %g failed requests caused by the new version in %g %% of %d runs and at most %g %% false rollbacks", b.MaxFailed, 100*b.Confidence, rec.Runs, 100*b.MaxFalseRollback)
	merged, err := importer.WithStrategy(path, data, cfg, from)
	if err != nil {
		return asInput(err)
	}
	if err := writeFileAtomic(out, merged); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "shiftsim recommend: wrote %s with %s in deployment.strategies; next: shiftsim export %s --strategy %s\n", out, best.Name, out, best.Name)
	return nil
}

// errNoPlan is recommend's answer when no plan qualifies: exit status 1,
// after the nearest plans are printed.
var errNoPlan = errors.New("no plan meets both the failure budget and --max-false-rollback (nearest plans above)")
