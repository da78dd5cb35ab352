package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenarios"
	"github.com/shiftsim/shiftsim/traffic"
)

func init() {
	register("trace", "inspect a recorded request stream (trace inspect FILE)", cmdTrace)
}

func cmdTrace(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "inspect" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(stdout, "Usage: shiftsim trace inspect FILE [flags]\n\nReads a recording the way a scenario's traffic.replay would, and summarises it.")
			return nil
		}
		return inputErrf("usage: shiftsim trace inspect FILE [flags] (see --help)")
	}
	fs := newFlagSet("trace inspect", "FILE", "Reads a recording the way a scenario's traffic.replay would and summarises it: format, requests,\nspan, requests per minute, users, durations. Formats: "+strings.Join(traffic.Formats, ", ")+".", stdout)
	format := fs.String("format", "", "format (default: detected from the content)")
	function := fs.String("function", "", "multi-function traces: rank:1 (busiest), #1, a hash or app/func")
	from := fs.Duration("from", 0, "start of the window, from the recording's start")
	to := fs.Duration("to", 0, "end of the window (default: the end)")
	durations := fs.String("durations", "", "Azure 2019 durations file for the chosen function")
	lenient := fs.Bool("lenient", false, "skip and count malformed records instead of stopping")
	output := outputFlag(fs, "table", "json")
	outFile := outFlag(fs)
	if err := parseFlags(fs, args[1:], stdout); err != nil {
		return err
	}
	path, err := oneArg(fs.Args(), "FILE")
	if err != nil {
		return err
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"--from", *from}, {"--to", *to}} {
		if err := checkDurationFlag(f.name, "--from, --to", f.d); err != nil {
			return err
		}
	}
	rec := traffic.Recording{Path: path, Format: *format, Function: *function, From: *from, To: *to, Durations: *durations, Lenient: *lenient}
	rec.FS = builtinData(path, *durations)
	sum, err := traffic.Inspect(rec)
	if err != nil {
		return asInput(err)
	}
	out := newDataOut(*outFile, stdout)
	if *output == "json" {
		return out.Close(report.JSON(out.W(), report.FromSummary(sum)))
	}
	_, err = fmt.Fprintln(out.W(), sum.String())
	return out.Close(err)
}

// builtinData is the embedded scenario tree when the recordings named are
// not files here but are the built-in scenarios' ones
// ("scenarios/data/azure2019-invocations.csv"), so the commands their
// comments suggest work from any directory; else nil (the files here).
func builtinData(paths ...string) fs.FS {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if _, err := fs.Stat(scenarios.Tree, p); err != nil {
			return nil
		}
	}
	return scenarios.Tree
}
