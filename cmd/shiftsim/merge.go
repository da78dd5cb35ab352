package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"strings"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/scenarios"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/sweep"
)

func init() {
	register("merge", "combine the partial results of 'compare/sweep/recommend --shard I/K' tasks into the whole run's", cmdMerge)
}

// shardArgs are the flags of fs that make a run what it is, in a fixed
// form (--name=value, by name): what merge needs to rebuild it. Flags that
// only choose how it is shown or split are left out.
func shardArgs(fs *pflag.FlagSet) []string {
	var args []string
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "shard", "output", "quiet", "plots", "out", "wide", "emit", "tasks", "image", "results", "job-queue", "job-name", "cpu", "memory":
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		args = append(args, "--"+f.Name+"="+f.Value.String())
	})
	return args
}

// runKey is the digest that ties the parts of one whole run together.
func runKey(command, text string, args []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", command, text, strings.Join(args, "\x00"))
	return hex.EncodeToString(h.Sum(nil))
}

// writePartial runs shard sh of the comparison and writes its partial
// result.
func writePartial(fs *pflag.FlagSet, s *scenario.Scenario, path string, sh sweep.Shard, runs int, quiet bool, out string, stdout, stderr io.Writer) error {
	fsys, name, text, err := readScenario(path)
	if err != nil {
		return err
	}
	lo, hi := sh.Range(runs)
	if err := startWork(path, job{&s.Model, len(s.Strategies), hi - lo, true}); err != nil {
		return err
	}
	tick, done := progress(stderr, (hi-lo)*len(s.Strategies), quiet, "simulating shard "+sh.String())
	rep, err := sweep.Run(&s.Model, s.Strategies, sweep.Options{Runs: runs, Progress: tick, Shard: sh})
	done()
	if err != nil {
		return err
	}
	args := shardArgs(fs)
	p := sweep.NewPartial(rep, sh, "compare", runKey("compare", string(text), args), name, string(text), args)
	p.BuiltIn = fsys != nil
	var b bytes.Buffer
	if err := report.JSON(&b, p); err != nil {
		return err
	}
	return writeOut(out, b.Bytes(), stdout)
}

func cmdMerge(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", "PART...", "Combines the partial results that 'shiftsim compare --runs N --shard I/K' wrote, one per task I of\nK, given in any order, into exactly the output of 'shiftsim compare --runs N' (byte for byte); the same\nfor the parts of 'sweep' and 'recommend'. Parts of different runs, a part given twice or a missing\npart are errors (exit 2).", stdout)
	output := fs.StringP("output", "o", "table", "output format: table, json, csv, markdown or html")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return inputErrf("want the part files to merge (see --help)")
	}
	if err := checkOutput(*output, report.Formats...); err != nil {
		return err
	}
	parts := make([]*sweep.Partial, fs.NArg())
	for i, name := range fs.Args() {
		data, err := safeio.ReadFile(name, safeio.MaxPartial)
		if err != nil {
			return inputErrf("%v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		// report.JSON put schema_version first; the rest is the partial.
		var p struct {
			SchemaVersion int `json:"schema_version"`
			sweep.Partial
		}
		if err := dec.Decode(&p); err != nil {
			return inputErrf("%s: not a partial result of 'shiftsim compare --shard': %v", name, err)
		}
		if p.SchemaVersion != report.SchemaVersion {
			return inputErrf("%s: schema_version %d, this shiftsim reads %d: merge with the shiftsim that wrote it", name, p.SchemaVersion, report.SchemaVersion)
		}
		parts[i] = &p.Partial
	}
	outcomes, err := sweep.Merge(parts, fs.Args())
	if err != nil {
		var me *sweep.MergeError
		if errors.As(err, &me) {
			return inputError{err}
		}
		return err
	}
	ref := parts[0]
	var fsys iofs.FS
	if ref.BuiltIn {
		fsys = scenarios.Tree
	}
	switch ref.Command {
	case "compare":
	case "sweep":
		if runKey("sweep", ref.Scenario, ref.Args) != ref.Key {
			return inputErrf("%s: its key does not match its scenario and flags (edited by hand?)", fs.Arg(0))
		}
		return sweepMain(append(append([]string(nil), ref.Args...), "--output="+*output, "--quiet", ref.ScenarioFile), stdout, stderr,
			&mergedSweep{fsys: fsys, name: ref.ScenarioFile, data: []byte(ref.Scenario), points: outcomes})
	case "recommend":
		if runKey("recommend", ref.Scenario, ref.Args) != ref.Key {
			return inputErrf("%s: its key does not match its scenario and flags (edited by hand?)", fs.Arg(0))
		}
		return recommendMain(append(append([]string(nil), ref.Args...), "--output="+*output, "--quiet", ref.ScenarioFile), stdout, stderr,
			&mergedRuns{fsys: fsys, name: ref.ScenarioFile, data: []byte(ref.Scenario), outcomes: outcomes[0]})
	default:
		return inputErrf("%s: parts of %q; merge combines compare's, sweep's and recommend's", fs.Arg(0), ref.Command)
	}
	// Rebuild the run as compare would: the same scenario text, the same
	// flags.
	s, err := scenario.ParseFS(fsys, ref.ScenarioFile, []byte(ref.Scenario))
	if err != nil {
		return asInput(err)
	}
	cfs := newFlagSet("compare", "", "", io.Discard)
	o := declareCompare(cfs)
	if err := cfs.Parse(ref.Args); err != nil {
		return inputErrf("%s: its compare flags %q: %v", fs.Arg(0), ref.Args, err)
	}
	if runKey("compare", ref.Scenario, shardArgs(cfs)) != ref.Key {
		return inputErrf("%s: its key does not match its scenario and flags (edited by hand?)", fs.Arg(0))
	}
	if err := o.apply(cfs, s); err != nil {
		return err
	}
	if len(s.Strategies) != len(ref.Strategies) {
		return inputErrf("%s: the scenario lists %d strategies, the parts %d", fs.Arg(0), len(s.Strategies), len(ref.Strategies))
	}
	rep := &sweep.Replicated{Model: &s.Model, Strategies: s.Strategies, Runs: ref.Runs, Outcomes: outcomes[0],
		Kept: make([][]*sim.Result, len(s.Strategies))}
	if *output == "html" {
		// The page shows run 0's timelines: simulate it again (same seed,
		// same result).
		for i, st := range s.Strategies {
			r, err := sim.Run(&s.Model, st)
			if err != nil {
				return err
			}
			rep.Kept[i] = []*sim.Result{r}
		}
	}
	a := analyseRuns(s, rep)
	if *output == "html" {
		if a.charts, err = a.chartData().Render(); err != nil {
			return err
		}
	}
	return a.write(stdout, *output)
}
