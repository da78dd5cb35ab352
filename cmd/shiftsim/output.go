package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/report"
)

// One flag vocabulary for every command (docs/cli.md): -o/--output is always
// the format, --out/-O always the file. A command that writes a file writes
// it atomically and prints nothing else on stdout.

// outputFlag declares -o/--output FORMAT with the allowed formats, the
// first being the default.
func outputFlag(fs *pflag.FlagSet, formats ...string) *string {
	v := fs.StringP("output", "o", formats[0], "output format: "+orList(formats))
	fs.SetAnnotation("output", valuesAnnotation, formats)
	return v
}

// outFlag declares --out/-O FILE.
func outFlag(fs *pflag.FlagSet) *string {
	return fs.StringP("out", "O", "", "write to this file (atomically) instead of stdout")
}

// checkOutput validates an --output value. A value that looks like a file
// name gets the hint that files are --out now.
func checkOutput(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	if strings.ContainsAny(v, `./\`) {
		return inputErrf("--output %s: -o/--output is the format (%s); to write a file, use --out %s (-O)", safeio.Quote(v), orList(allowed), safeio.Clip(v))
	}
	return inputErrf("--output %s: want %s", safeio.Quote(v), orList(allowed))
}

// orList renders a, b or c.
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// legacyFormat keeps the -f/--format spelling of the format working, hidden,
// for scripts written before -o/--output became the format everywhere.
func legacyFormat(fs *pflag.FlagSet, format *string) {
	fs.StringVarP(format, "format", "f", *format, "the format; now -o/--output")
	fs.MarkHidden("format")
}

// dataOut is where a command's data goes: stdout, or the --out file,
// written whole (atomically) only when the command succeeds, so a failed
// run never leaves half a report behind.
type dataOut struct {
	path   string
	stdout io.Writer
	buf    bytes.Buffer
}

func newDataOut(path string, stdout io.Writer) *dataOut {
	return &dataOut{path: path, stdout: stdout}
}

// W is the writer to print the data to.
func (d *dataOut) W() io.Writer {
	if d.path == "" {
		return d.stdout
	}
	return &d.buf
}

// Close writes the file when err is nil, and returns err.
func (d *dataOut) Close(err error) error {
	if err != nil || d.path == "" {
		return err
	}
	return writeFileAtomic(d.path, d.buf.Bytes())
}

// terminal says whether w is a terminal, how many columns wide (the
// terminal's size, else COLUMNS), and whether colour may be used (NO_COLOR
// unset or empty, TERM not dumb: no-color.org). Tests replace it.
var terminal = func(w io.Writer) (width int, color, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return 0, false, false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		width, _ = strconv.Atoi(os.Getenv("COLUMNS"))
	}
	return width, colorAllowed(os.Getenv), true
}

// colorAllowed follows no-color.org: NO_COLOR set to anything but "" turns
// colour off, as does TERM=dumb.
func colorAllowed(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// forTerminal is where a command prints its tables: on a terminal, a
// report.Terminal that fits them to its width (all columns with wide) and
// may colour them; anything else (a pipe, a file, --out) gets them whole and
// plain, byte for byte the same on every machine.
func forTerminal(w io.Writer, wide bool) io.Writer {
	width, color, ok := terminal(w)
	if !ok {
		return w
	}
	return &report.Terminal{Writer: w, Width: width, Wide: wide, Color: color}
}

// wideFlag declares --wide.
func wideFlag(fs *pflag.FlagSet) *bool {
	return fs.Bool("wide", false, "every column of a table, however wide (on a terminal, tables fit its width)")
}
