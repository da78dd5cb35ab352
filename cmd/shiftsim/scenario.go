package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/shiftsim/shiftsim/scenario"
)

// loadScenario loads a scenario file, printing its warnings to stderr; any
// problem with the file is an input error.
func loadScenario(path string, stderr io.Writer) (*scenario.Scenario, error) {
	s, err := scenario.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, inputErrf("scenario %s: no such file", path)
		}
		return nil, asInput(err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "%s:%s (warning)\n", path, w)
	}
	return s, nil
}

// oneArg returns the single positional argument or an input error.
func oneArg(args []string, what string) (string, error) {
	if len(args) != 1 {
		return "", inputErrf("want exactly one %s argument, got %d (see --help)", what, len(args))
	}
	return args[0], nil
}

// checkOutput validates an --output value.
func checkOutput(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return inputErrf("--output %q: want one of %v", v, allowed)
}
