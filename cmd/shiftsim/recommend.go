package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sweep"
)

func init() {
	register("recommend", "find the fastest deployment config whose failures stay within a budget", cmdRecommend)
}

func cmdRecommend(args []string, stdout, stderr io.Writer) error {
	return recommendMain(args, stdout, stderr, nil)
}

// mergedRuns is what merge hands a command that re-runs on merged parts:
// the scenario as the parts carry it, and every run's outcomes
// ([strategy][run]).
type mergedRuns struct {
	fsys     iofs.FS
	name     string
	data     []byte
	outcomes [][]sweep.Outcome
}

func recommendMain(args []string, stdout, stderr io.Writer, pre *mergedRuns) error {
	fs := newFlagSet("recommend", "SCENARIO --max-failed N [--confidence 0.95]", "Weighs CodeDeploy's predefined Lambda configs and a grid of custom TimeBasedCanary and\nTimeBasedLinear ones on the scenario, each over --runs seeded runs, and recommends the fastest\n(by planned duration) whose failed requests caused by the new version (beyond the current\nversion's own failure rate: a rollback never counts as safety) stay at or under --max-failed in a\n--confidence share of runs, and which rolls back the scenario's healthy twin (the new version\nbehaving exactly like the current one) in at most --max-false-rollback of runs. Exits 1, with the\nnearest plans, when none qualifies. Prints it as a CodeDeploy TrafficRoutingConfig and\nDeploymentConfig, with the frontier of speed against safety. --write OUT writes the scenario with\nthe plan added to deployment.strategies, so that export, appspec and deploy take its name.\n\nWith --with-alarms, every plan first gets its own alarm, tuned as 'shiftsim tune-alarm' tunes it\n(the fewest expected failed requests with false rollbacks at most --max-false-rollback, over the\nsearch space the tune flags give; default EvaluationPeriods 1 to 3), and is then weighed with it: the\nrecommendation is a plan and its alarm, printed as an AWS::CloudWatch::Alarm resource and\nput-metric-alarm JSON (docs/tune-alarm.md).\n\nWith --shard I/K (or auto/K), runs only task I's share of the runs and writes a partial result;\n'shiftsim merge' of the K parts prints exactly what the whole run prints (docs/scale-out.md).", stdout)
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
	shard := fs.String("shard", "", "run only this task's share of --runs: I/K or auto/K (as compare's), and write a partial result for 'shiftsim merge'")
	withAlarms := fs.Bool("with-alarms", false, "tune each plan's alarm (as tune-alarm) and recommend a plan and its alarm together")
	tune := declareTune(fs, false, []int{1, 2, 3})
	path, err := scenarioArgs(fs, args, stdout, output, "table", "json", "markdown")
	if err != nil {
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
	var sh sweep.Shard
	if *shard != "" {
		if sh, err = sweep.ParseShard(*shard, os.Getenv); err != nil {
			return inputErrf("--shard %v", err)
		}
		if *write != "" {
			return inputErrf("--write with --shard: a part has no recommendation; give --write to nothing (merge prints the plan)")
		}
	}
	for _, f := range []string{"alarm", "objective", "statistics", "periods", "evaluation-periods", "treat-missing-data", "alarm-method"} {
		if fs.Changed(f) && !*withAlarms {
			return inputErrf("--%s tunes the plans' alarms: it needs --with-alarms", f)
		}
	}
	var fsys iofs.FS
	var data []byte
	if pre != nil {
		fsys, path, data = pre.fsys, pre.name, pre.data
	} else if fsys, path, data, err = readScenario(path); err != nil {
		return err
	}
	s, err := scenario.ParseFS(fsys, path, data)
	if err != nil {
		return asInput(err)
	}
	if pre == nil {
		for _, w := range s.Warnings {
			fmt.Fprintf(stderr, "%s:%s (warning)\n", path, safeio.ClipMessage(w.String()))
		}
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
	budget := sweep.Budget{MaxFailed: *maxFailed, Confidence: *confidence, AllFailed: *all, MaxFalseRollback: *maxFalse}
	var plans *tunedPlans
	if *withAlarms {
		if plans, err = tunePlans(s, cands, tune, *maxFalse, *runs, *quiet, pre == nil, stderr); err != nil {
			return err
		}
	} else if pre == nil {
		if err := startWork(path, job{&s.Model, len(cands), *runs, true}); err != nil {
			return err
		}
	}
	var rep *sweep.Replicated
	if pre != nil {
		if len(pre.outcomes) != len(cands) {
			return inputErrf("the parts hold %d plans, the recommendation weighs %d", len(pre.outcomes), len(cands))
		}
		rep = &sweep.Replicated{Model: &s.Model, Strategies: cands, Runs: *runs, Outcomes: pre.outcomes}
	} else {
		lo, hi := 0, *runs
		if sh.Count > 0 {
			lo, hi = sh.Range(*runs)
		}
		tick, done := progress(stderr, (hi-lo)*len(cands), *quiet, "weighing plans")
		rep, err = runPlans(&s.Model, plans, cands, sweep.Options{Runs: *runs, Progress: tick, Shard: sh})
		done()
		if err != nil {
			return err
		}
	}
	if sh.Count > 0 {
		args := shardArgs(fs)
		p := sweep.NewPartial(rep, sh, "recommend", runKey("recommend", string(data), args), path, string(data), args)
		p.BuiltIn = fsys != nil
		var b bytes.Buffer
		if err := report.JSON(&b, p); err != nil {
			return err
		}
		return writeOut(*outFile, b.Bytes(), stdout)
	}
	rec, err := sweep.RecommendFrom(rep, budget)
	if err != nil {
		return err
	}
	rec.Skipped = skipped
	doc := report.FromRecommendation(s.Name, s.Model.Seed, rec)
	if plans != nil {
		if err := plans.annotate(&doc, rec, s); err != nil {
			return err
		}
	}
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
