package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/internal/safeio"
)

// One flag vocabulary for every command (issue 10): -o/--output is always
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
