package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

func init() {
	register("compare", "run every strategy of a scenario on the same traffic and compare them", cmdCompare)
}

// engineFlag declares --engine on fs.
func engineFlag(fs *pflag.FlagSet) *string {
	return fs.String("engine", "auto", "how requests are simulated: per-request, batched (counts per time step) or auto")
}

// setEngine puts the --engine choice into the model.
func setEngine(m *sim.Model, name string) error {
	e, err := sim.ParseEngine(name)
	if err != nil {
		return inputErrf("--engine: %v", err)
	}
	m.Engine = e
	return nil
}

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", "SCENARIO | --replay-deployment FILE [SCENARIO]", "Simulates the deployment once per strategy listed in the scenario, with the same seed and so the\nsame requests and dice for each (common random numbers), and prints one row per strategy.\nWith --runs N, every strategy runs N times (run i with the same seed for every strategy) and each\nnumber becomes its distribution: mean, spread, percentiles and a 95 % confidence interval.\n"+
		"With --replay-deployment FILE, the traffic and each version's errors and latency are a recorded\n"+
		"deployment window ('shiftsim record'), and every strategy is compared with what actually happened\n"+
		"(docs/replay.md); the alarms are the scenario's, or those of FILE's .scenario.yaml.\n"+
		"On a terminal, tables fit its width (--wide: every column); piped or with --out, they are whole.\n\n"+
		report.DefineColumns("Columns of the table (one run; times count from the deployment start):", report.SingleColumns)+"\n\n"+
		report.DefineColumns("Columns of the table with --runs N:", report.RunsColumns), stdout)
	o := declareCompare(fs)
	ro := declareReplay(fs)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.Changed("replay-deployment") {
		return replayCompare(fs, o, ro, fs.Args(), stdout, stderr)
	}
	if fs.Changed("users") || fs.Changed("user-skew") {
		return inputErrf("--users and --user-skew go with --replay-deployment (a scenario's users are its traffic.users)")
	}
	path, err := oneArg(fs.Args(), "SCENARIO")
	if err != nil {
		return err
	}
	if err := checkOutput(*o.output, report.Formats...); err != nil {
		return err
	}
	if err := checkFlag("--runs", float64(*o.runs)); err != nil {
		return err
	}
	if *o.emit.kind != "" {
		return emitJob(fs, o, path, stdout)
	}
	var sh sweep.Shard
	if *o.shard != "" {
		if sh, err = sweep.ParseShard(*o.shard, os.Getenv); err != nil {
			return inputErrf("--shard %v", err)
		}
		if *o.runs < 2 {
			return inputErrf("--shard needs --runs N of at least 2 (one run is not split)")
		}
	}
	s, err := loadScenario(path, stderr)
	if err != nil {
		return err
	}
	if err := o.apply(fs, s); err != nil {
		return err
	}
	runs, plots, output, quiet := o.runs, o.plots, o.output, o.quiet
	if sh.Count > 0 {
		return writePartial(fs, s, path, sh, *runs, *quiet, *o.out, stdout, stderr)
	}
	a, err := analyse(s, *runs, *quiet, stderr)
	if err != nil {
		return err
	}
	if *plots != "" || *output == "html" {
		if a.charts, err = a.chartData().Render(); err != nil {
			return err
		}
	}
	if *plots != "" {
		if err := report.WritePlots(*plots, a.charts); err != nil {
			return fmt.Errorf("--plots: %w", err)
		}
	}
	out := newDataOut(*o.out, stdout)
	return out.Close(a.write(forTerminal(out.W(), *o.wide), *output))
}

// compareOpts are compare's flags, declared once for compare itself and
// for merge, which re-reads a part's flags to rebuild the same run.
type compareOpts struct {
	seed                              *uint64
	output, engine, plots, shard, out *string
	wide                              *bool
	runs                              *int
	quiet                             *bool
	emit                              emitOpts
}

func declareCompare(fs *pflag.FlagSet) *compareOpts {
	var o compareOpts
	o.seed = fs.Uint64("seed", 0, "random seed (default: the scenario's seed)")
	o.output = outputFlag(fs, report.Formats...)
	o.out = outFlag(fs)
	o.wide = wideFlag(fs)
	o.runs = fs.IntP("runs", "n", 1, "seeded replications per strategy (Monte Carlo), on all cores")
	o.engine = engineFlag(fs)
	o.plots = fs.String("plots", "", "write the charts as PNG and SVG into this directory")
	o.quiet = fs.BoolP("quiet", "q", false, "no progress bar")
	o.shard = fs.String("shard", "", "run only this task's share of --runs: I/K (task I of K, from 0) or auto/K (I from\nJOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX), and write a partial result for 'shiftsim merge'")
	o.emit.declare(fs)
	return &o
}

// apply sets the flags that change the model.
func (o *compareOpts) apply(fs *pflag.FlagSet, s *scenario.Scenario) error {
	if fs.Changed("seed") {
		s.Model.Seed = *o.seed
	}
	return setEngine(&s.Model, *o.engine)
}

// analysis is a comparison of one run (single) or many (runs) per strategy.
type analysis struct {
	s         *scenario.Scenario
	single    *report.Compared
	runs      *report.ComparedRuns
	rep       *sweep.Replicated
	timelines []report.Result // run 0 of each strategy, with its timeline
	placed    []sweep.Placed  // many runs: the strategies on the speed/safety plane
	charts    []report.Chart
}

// analyse runs the comparison: sim.Compare for one run (issue 2's shape),
// sweep.Run for many.
func analyse(s *scenario.Scenario, runs int, quiet bool, stderr io.Writer) (*analysis, error) {
	a := &analysis{s: s}
	if err := startWork(s.File, job{&s.Model, len(s.Strategies), runs, runs > 1}); err != nil {
		return nil, err
	}
	if runs == 1 {
		results, err := sim.Compare(&s.Model, s.Strategies)
		if err != nil {
			return nil, err
		}
		doc := compared(s, results, false)
		twins := results
		if !sweep.IsOwnTwin(&s.Model) {
			if twins, err = sim.Compare(sweep.Twin(&s.Model), s.Strategies); err != nil {
				return nil, err
			}
		}
		for i := range doc.Results {
			doc.Results[i].SetTwin(twins[i])
		}
		a.single = &doc
		for i, r := range results {
			a.timelines = append(a.timelines, report.FromSim(r, s.Strategies[i].Config.Name, true))
		}
		return a, nil
	}
	tick, done := progress(stderr, runs*len(s.Strategies), quiet, "simulating")
	rep, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: runs, Progress: tick, Keep: 1})
	done()
	if err != nil {
		return nil, err
	}
	return analyseRuns(s, rep), nil
}

// analyseRuns describes the runs of rep (a whole run's, or merged parts').
func analyseRuns(s *scenario.Scenario, rep *sweep.Replicated) *analysis {
	a := &analysis{s: s}
	runs := rep.Runs
	a.rep = rep
	st := rep.Stats()
	a.placed = sweep.Place(st)
	a.runs = &report.ComparedRuns{Scenario: s.Name, Seed: s.Model.Seed, Horizon: s.Model.Horizon.Seconds(), Runs: runs,
		Engine: s.Model.Engine.String(), HealthyTarget: sweep.Healthy(&s.Model), Results: report.FromStats(st, sweep.OnFrontier(a.placed))}
	for i := range s.Strategies {
		if len(rep.Kept[i]) > 0 && rep.Kept[i][0] != nil {
			a.timelines = append(a.timelines, report.FromSim(rep.Kept[i][0], s.Strategies[i].Config.Name, true))
		}
	}
	return a
}

// chartData gathers what the charts draw.
func (a *analysis) chartData() report.Charts {
	c := report.Charts{Scenario: a.s.Name, Seed: a.s.Model.Seed, Horizon: a.s.Model.Horizon.Seconds(), Runs: a.timelines, RunCount: 1}
	if a.runs != nil {
		c.RunCount = a.runs.Runs
	}
	placed, names := a.placed, make([]string, len(a.s.Strategies))
	if a.runs != nil {
		for i, r := range a.runs.Results {
			names[i] = r.Strategy
			c.Failed = append(c.Failed, a.rep.Column(i, sweep.TargetFailed))
		}
	} else {
		failed := make([]float64, len(a.single.Results))
		for i, r := range a.single.Results {
			names[i], failed[i] = r.Strategy, float64(r.TargetFailedRequests)
		}
		placed = sweep.PlaceSingle(&a.s.Model, a.s.Strategies, failed)
	}
	for i, p := range placed {
		c.Points = append(c.Points, report.FrontierPoint{Strategy: names[i], Planned: p.Duration, Mean: p.BlastRadius, Low: p.Low, High: p.High, OnFrontier: p.OnFrontier})
	}
	return c
}

func (a *analysis) write(w io.Writer, format string) error {
	switch format {
	case "json":
		if a.runs != nil {
			return report.JSON(w, a.runs)
		}
		return report.JSON(w, a.single)
	case "html":
		page := report.Page{Runs: a.runs, Charts: a.charts, Timelines: a.timelines, Scenario: scenarioSummary(a.s)}
		if a.runs == nil {
			page.Single = a.single
		}
		return report.HTML(w, page)
	}
	if a.runs != nil {
		return byFormat(format, report.CSVRuns, report.MarkdownRuns, report.TableRuns)(w, *a.runs)
	}
	return byFormat(format, report.CSV, report.Markdown, report.Table)(w, *a.single)
}

// byFormat picks a document's writer for format: csv, markdown, or the
// table for any other.
func byFormat[T any](format string, csv, markdown, table func(io.Writer, T) error) func(io.Writer, T) error {
	switch format {
	case "csv":
		return csv
	case "markdown":
		return markdown
	}
	return table
}

func compared(s *scenario.Scenario, results []*sim.Result, timeline bool) report.Compared {
	doc := report.Compared{Scenario: s.Name, Seed: s.Model.Seed, Horizon: s.Model.Horizon.Seconds(), Results: []report.Result{}}
	for i, r := range results {
		doc.Results = append(doc.Results, report.FromSim(r, s.Strategies[i].Config.Name, timeline))
	}
	return doc
}
