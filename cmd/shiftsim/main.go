// Command shiftsim simulates AWS CodeDeploy traffic shifting of a Lambda alias
// and compares deployment strategies. The command holds no logic of its own:
// each subcommand (one file each) parses its flags, calls the library and
// prints; exit codes are decided here, in one place.
package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/internal/suggest"
)

// Exit statuses: 0 success (a simulated rollback is a result, not an error),
// 1 anything unexpected, 2 usage and input errors.
const (
	exitOK    = 0
	exitError = 1
	exitInput = 2
)

// inputError marks an error caused by the user's input (flags, files): exit 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// inputErr wraps err (or formats a new one) as an input error.
func inputErrf(format string, a ...any) error { return inputError{fmt.Errorf(format, a...)} }

// asInput marks err as an input error; nil stays nil.
func asInput(err error) error {
	if err == nil {
		return nil
	}
	var ie inputError
	if errors.As(err, &ie) {
		return err
	}
	return inputError{err}
}

// command is one subcommand: it parses args and writes to stdout/stderr.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) error) {
	commands[name] = command{summary: summary, run: run}
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes one command line and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitInput
	}
	switch args[0] {
	case "-h", "--help":
		usage(stdout)
		return exitOK
	case "--version", "-version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return exitOK
		}
		// "help compare" is "compare --help"; "help import sam" is
		// "import sam --help".
		args = append(append([]string{}, args[1:]...), "--help")
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "shiftsim: unknown command %s%s\nRun 'shiftsim --help' for the list of commands.\n", safeio.Quote(args[0]), didYouMean(args[0], commandNames()))
		return exitInput
	}
	err := c.run(args[1:], stdout, stderr)
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	// Whatever an error quotes, it reaches the terminal clipped
	// (docs/limits.md): a 1 MiB value comes back as 100 characters.
	fmt.Fprintf(stderr, "shiftsim %s: %s\n", safeio.Clip(args[0]), safeio.ClipMessage(err.Error()))
	var ie inputError
	if errors.As(err, &ie) {
		return exitInput
	}
	return exitError
}

// commandNames lists the commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// didYouMean is " (did you mean X?)" for the candidates closest to word, or "".
func didYouMean(word string, candidates []string) string {
	if near := suggest.Closest(word, candidates, 3); len(near) > 0 {
		return " (did you mean " + suggest.OrList(near) + "?)"
	}
	return ""
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "shiftsim — simulate CodeDeploy traffic shifting of a Lambda alias, compare strategies")
	fmt.Fprintln(w, "\nUsage: shiftsim COMMAND [flags]\n\nCommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nA SCENARIO argument is a scenario file or the name of a built-in one (e.g. bad-canary):")
	fmt.Fprintln(w, "built-in scenarios and the recordings they replay are inside the binary.")
	fmt.Fprintln(w, "\nRun 'shiftsim help COMMAND' (or 'shiftsim COMMAND --help') for a command's flags and output,")
	fmt.Fprintln(w, "'shiftsim --version' for the version.")
}

// errHelp is returned by parseFlags when --help was given and usage printed.
var errHelp = errors.New("help requested")

// newFlagSet returns a flag set for one subcommand whose usage line is
// "shiftsim NAME ARGS" followed by summary and the flag defaults.
func newFlagSet(name, argsUsage, summary string, out io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(out)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: shiftsim %s %s\n\n%s\n\nFlags:\n%s", name, argsUsage, summary, fs.FlagUsages())
	}
	if collecting != nil {
		collecting.argsUsage[fs] = argsUsage
	}
	return fs
}

// collecting, when set, makes parseFlags record the flag set instead of
// parsing: the completion scripts learn every command's flags from the
// commands themselves, so they cannot drift.
var collecting *flagCollector

type flagCollector struct {
	argsUsage map[*pflag.FlagSet]string
	got       *pflag.FlagSet
}

// parseFlags parses args; --help prints usage to stdout and yields errHelp,
// any other parse problem is an input error (exit 2).
func parseFlags(fs *pflag.FlagSet, args []string, stdout io.Writer) error {
	if collecting != nil {
		collecting.got = fs
		return errHelp
	}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelp
	}
	if err != nil {
		return inputErrf("%v (see --help)", err)
	}
	return finiteFlags(fs)
}

// finiteFlags refuses NaN and infinities in every number flag of every
// command: no flag means anything with them (docs/limits.md).
func finiteFlags(fs *pflag.FlagSet) error {
	var bad error
	fs.Visit(func(f *pflag.Flag) {
		if bad != nil || (f.Value.Type() != "float64" && f.Value.Type() != "float32") {
			return
		}
		if v, err := strconv.ParseFloat(f.Value.String(), 64); err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			bad = inputErrf("--%s %v: want a finite number", f.Name, v)
		}
	})
	return bad
}

// checkFlag holds a flag's value to its bound (internal/limits, documented
// in docs/limits.md); NaN and infinities are refused.
func checkFlag(flag string, v float64) error {
	if err := limits.Of(flag).Check(v); err != nil {
		return inputErrf("%s %v", flag, err)
	}
	return nil
}

// checkDurationFlag is checkFlag for a duration flag, named name in the
// table under bound.
func checkDurationFlag(flag, bound string, d time.Duration) error {
	if err := limits.Of(bound).CheckDuration(d); err != nil {
		return inputErrf("%s %v", flag, err)
	}
	return nil
}
