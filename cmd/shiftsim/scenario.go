package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/internal/suggest"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/scenarios"
	"github.com/spf13/pflag"
)

// readScenario reads the scenario that arg names: a file when one exists at
// that path, else a built-in scenario ("bad-canary", "bad-canary.yaml" or
// "scenarios/bad-canary.yaml"), embedded in the binary so it runs from any
// directory. fsys is where the scenario's recordings are read (nil: the
// operating system's files) and name how messages call it.
func readScenario(arg string) (fsys fs.FS, name string, data []byte, err error) {
	data, err = safeio.ReadFile(arg, safeio.MaxDocument)
	if err == nil {
		return nil, arg, data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, asInput(err)
	}
	if p, ok := scenarios.Path(arg); ok {
		data, err = fs.ReadFile(scenarios.Tree, p)
		return scenarios.Tree, p, data, err
	}
	return nil, "", nil, noScenario(arg)
}

// noScenario is the error for a scenario argument that is neither a file
// nor a built-in name.
func noScenario(arg string) error {
	names := scenarios.Names()
	base := strings.TrimSuffix(strings.TrimPrefix(arg, scenarios.Dir+"/"), ".yaml")
	hint := ""
	if near := suggest.Closest(base, names, 3); len(near) > 0 {
		hint = " (did you mean " + suggest.OrList(near) + "?)"
	}
	return inputErrf("scenario %s: no such file, and no built-in scenario of that name%s; built in: %s", arg, hint, strings.Join(names, ", "))
}

// loadScenario loads the scenario that arg names (a file or a built-in
// name, see readScenario), printing its warnings to stderr; any problem
// with it is an input error.
func loadScenario(arg string, stderr io.Writer) (*scenario.Scenario, error) {
	fsys, name, data, err := readScenario(arg)
	if err != nil {
		return nil, err
	}
	s, err := scenario.ParseFS(fsys, name, data)
	if err != nil {
		return nil, asInput(err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "%s:%s (warning)\n", name, safeio.ClipMessage(w.String()))
	}
	return s, nil
}

// scenarioArgs parses a subcommand's args into flags and returns its one
// SCENARIO argument, once the --output (or --format) value is one of formats.
func scenarioArgs(flags *pflag.FlagSet, args []string, stdout io.Writer, output *string, formats ...string) (string, error) {
	if err := parseFlags(flags, args, stdout); err != nil {
		return "", err
	}
	path, err := oneArg(flags.Args(), "SCENARIO")
	if err != nil {
		return "", err
	}
	return path, checkOutput(*output, formats...)
}

// oneArg returns the single positional argument or an input error.
func oneArg(args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", inputErrf("want exactly one %s argument, got %d (see --help)", what, len(args))
	}
	return args[0], nil
}
