package main

import (
	"bytes"
	"errors"
	"io"
	iofs "io/fs"
	"os"

	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sweep"
)

func init() {
	register("sweep", "vary scenario values (traffic, fault size, ...) and see how the comparison changes", cmdSweep)
}

func cmdSweep(args []string, stdout, stderr io.Writer) error {
	return sweepMain(args, stdout, stderr, nil)
}

// mergedSweep is what merge hands sweepMain: the scenario as the parts
// carry it, and every combination's outcomes ([combination][strategy][run]).
type mergedSweep struct {
	fsys   iofs.FS
	name   string
	data   []byte
	points [][][]sweep.Outcome
}

func sweepMain(args []string, stdout, stderr io.Writer, pre *mergedSweep) error {
	fs := newFlagSet("sweep", "SCENARIO --vary PATH=V1,V2,... [--vary ...]", "Gives the scenario each combination of the --vary values and runs the multi-run comparison at each.\nA PATH is any key of the scenario by its YAML path, as the scenario's error messages name keys\n(traffic.rate, versions.target.error_rate, faults[0].error_rate, alarms[0].Threshold,\nmonitoring.poll_phase); each VALUE is YAML, decoded into that key as strictly as the file itself\n(a key the file lacks is added). The comparisons show how rollback probability and failures change\nwith traffic and fault size, e.g. the rate below which a canary's alarm is blind.\n\n"+report.DefineColumns("Columns of the table:", report.SweptColumns), stdout)
	varies := fs.StringArray("vary", nil, "PATH=V1,V2,...: a scenario key and the values to try (repeatable)")
	runs := fs.IntP("runs", "n", 100, "seeded replications per strategy and combination")
	seed := fs.Uint64("seed", 0, "random seed (default: the scenario's seed)")
	output := outputFlag(fs, "table", "json", "csv", "markdown")
	outFile := outFlag(fs)
	wide := wideFlag(fs)
	engine := engineFlag(fs)
	quiet := fs.BoolP("quiet", "q", false, "no progress bar")
	shard := fs.String("shard", "", "run only this task's share of --runs at every combination: I/K or auto/K (as compare's),\nand write a partial result for 'shiftsim merge'")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	var sh sweep.Shard
	if *shard != "" {
		var err error
		if sh, err = sweep.ParseShard(*shard, os.Getenv); err != nil {
			return inputErrf("--shard %v", err)
		}
	}
	path, err := oneArg(fs.Args(), "SCENARIO")
	if err != nil {
		return err
	}
	if err := checkOutput(*output, "table", "json", "csv", "markdown"); err != nil {
		return err
	}
	if len(*varies) == 0 {
		return inputErrf("--vary is required, e.g. --vary traffic.rate=10,100,1000")
	}
	if err := checkFlag("--runs", float64(*runs)); err != nil {
		return err
	}
	var vs []sweep.Vary
	ncombos := 1.0
	for _, v := range *varies {
		x, err := sweep.ParseVary(v)
		if err != nil {
			return inputErrf("--vary %v", err)
		}
		if err := limits.Of("--vary").Check(float64(len(x.Values))); err != nil {
			return inputErrf("--vary %s: %v", x.Path, err)
		}
		ncombos *= float64(len(x.Values))
		vs = append(vs, x)
	}
	if err := limits.Of("--vary combinations").Check(ncombos); err != nil {
		return inputErrf("--vary: %v", err)
	}
	var fsys iofs.FS
	var data []byte
	if pre != nil {
		fsys, path, data = pre.fsys, pre.name, pre.data
	} else if fsys, path, data, err = readScenario(path); err != nil {
		return err
	}
	// Every combination is read and checked before anything runs. Each
	// value is decoded into the decoded scenario by its strict decoder,
	// so a bad key or value names the --vary flag, the key, what the key
	// takes and where the file has it.
	combos := sweep.Grid(vs)
	scens := make([]*scenario.Scenario, len(combos))
	total := 0
	for i, c := range combos {
		settings := make([]scenario.Setting, len(c))
		for j, x := range c {
			settings[j] = scenario.Setting(x)
		}
		s, err := scenario.ParseWith(fsys, path, data, settings...)
		if err != nil {
			var bad *scenario.SettingError
			if errors.As(err, &bad) {
				return inputErrf("--vary %v", err)
			}
			return inputErrf("with %s: %v", sweep.Label(c), err)
		}
		if fs.Changed("seed") {
			s.Model.Seed = *seed
		}
		if err := setEngine(&s.Model, *engine); err != nil {
			return err
		}
		scens[i] = s
		total += *runs * len(s.Strategies)
	}
	jobs := make([]job, len(scens))
	for i, s := range scens {
		jobs[i] = job{&s.Model, len(s.Strategies), *runs, true}
	}
	if pre == nil {
		if err := startWork(path, jobs...); err != nil {
			return err
		}
	}
	var parts [][][]sweep.Outcome
	out := report.Swept{Scenario: scens[0].Name, Seed: scens[0].Model.Seed, Runs: *runs}
	for _, v := range vs {
		out.Vary = append(out.Vary, report.VaryValues{Path: v.Path, Values: v.Values})
	}
	reps := make([]*sweep.Replicated, len(scens))
	tick, done := progress(stderr, total, *quiet, "sweeping")
	if pre != nil {
		if len(pre.points) != len(scens) {
			done()
			return inputErrf("the parts hold %d combinations, the sweep has %d", len(pre.points), len(scens))
		}
		for i, s := range scens {
			if len(pre.points[i]) != len(s.Strategies) {
				done()
				return inputErrf("the parts hold %d strategies at combination %d, the sweep has %d", len(pre.points[i]), i, len(s.Strategies))
			}
			reps[i] = &sweep.Replicated{Model: &s.Model, Strategies: s.Strategies, Runs: *runs, Outcomes: pre.points[i]}
		}
	} else {
		grid := make([]sweep.GridPoint, len(scens))
		for i, s := range scens {
			grid[i] = sweep.GridPoint{Settings: combos[i], Model: &s.Model, Strategies: s.Strategies}
		}
		if reps, err = sweep.RunGrid(grid, sweep.Options{Runs: *runs, Progress: tick, Shard: sh}); err != nil {
			done()
			return err
		}
	}
	for i, s := range scens {
		rep := reps[i]
		if sh.Count > 0 {
			parts = append(parts, rep.Outcomes)
			continue
		}
		st := rep.Stats()
		p := report.SweptPoint{Values: map[string]string{}, HealthyTarget: sweep.Healthy(&s.Model),
			Horizon: s.Model.Horizon.Seconds(), Results: report.FromStats(st, sweep.OnFrontier(sweep.Place(st)))}
		for _, set := range combos[i] {
			p.Values[set.Path] = set.Value
		}
		out.Points = append(out.Points, p)
	}
	done()
	if sh.Count > 0 {
		args := shardArgs(fs)
		p := sweep.NewPartial(&sweep.Replicated{Model: &scens[0].Model, Strategies: scens[0].Strategies, Runs: *runs}, sh,
			"sweep", runKey("sweep", string(data), args), path, string(data), args)
		p.Outcomes, p.Points, p.BuiltIn = nil, parts, fsys != nil
		var b bytes.Buffer
		if err := report.JSON(&b, p); err != nil {
			return err
		}
		return writeOut(*outFile, b.Bytes(), stdout)
	}
	dst := newDataOut(*outFile, stdout)
	switch *output {
	case "json":
		err = report.JSON(dst.W(), out)
	case "csv":
		err = report.SweptCSV(dst.W(), out)
	case "markdown":
		err = report.SweptMarkdown(dst.W(), out)
	default:
		err = report.SweptTable(forTerminal(dst.W(), *wide), out)
	}
	return dst.Close(err)
}
