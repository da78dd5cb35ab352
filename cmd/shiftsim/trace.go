package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/shiftsim/shiftsim/report"
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
	output := fs.StringP("output", "o", "table", "output format: table or json")
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
	sum, err := traffic.Inspect(traffic.Recording{Path: path, Format: *format, Function: *function, From: *from, To: *to, Durations: *durations, Lenient: *lenient})
	if err != nil {
		return asInput(err)
	}
	if *output == "json" {
		return report.JSON(stdout, sum)
	}
	fmt.Fprintln(stdout, sum.String())
	return nil
}
