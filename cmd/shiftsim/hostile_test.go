package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/internal/safeio"
)

// The hostile corpus (testdata/hostile, written by its gen/gen.py): inputs
// built to crash, hang, exhaust or fool shiftsim. Every case must exit 2
// with one short message that names the file (scenario cases) and the
// field or flag, never panic, and be refused before any simulation starts
// (onWork, called when work starts, must not be reached), which is what
// bounds each case's time without a wall-clock assertion.

var repeat = regexp.MustCompile(`@@rep:(\d+):(.*?)@@`)

// expand replaces the corpus's @@rep:N:S@@ placeholders (which keep 1 MiB
// values out of the repository) with S repeated N times.
func expand(s string) string {
	return repeat.ReplaceAllStringFunc(s, func(m string) string {
		g := repeat.FindStringSubmatch(m)
		n, _ := strconv.Atoi(g[1])
		return strings.Repeat(strings.ReplaceAll(g[2], `\n`, "\n"), n)
	})
}

// hostileCase is one command line and what its error must say.
type hostileCase struct {
	name  string
	args  []string
	wants []string
	file  string // the file the message must name, "" for flag cases
}

// hostileCorpus copies the corpus, expanded, into dir and returns its cases.
func hostileCorpus(t *testing.T, dir string) []hostileCase {
	t.Helper()
	src := filepath.Join("testdata", "hostile")
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if rel == "gen" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), []byte(expand(string(data))), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	var cases []hostileCase
	files, _ := filepath.Glob(filepath.Join(src, "*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		c := hostileCase{name: base, file: base}
		for _, l := range strings.Split(string(data), "\n") {
			if a, ok := strings.CutPrefix(l, "# args: "); ok {
				c.args = append(strings.Fields(a), base)
			}
			if w, ok := strings.CutPrefix(l, "# want: "); ok {
				c.wants = append(c.wants, w)
			}
		}
		if c.args == nil || c.wants == nil {
			t.Fatalf("%s: no # args: or # want: line", f)
		}
		cases = append(cases, c)
	}
	flags, err := os.ReadFile(filepath.Join(dir, "flags.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(flags), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		want, args, ok := strings.Cut(l, " | ")
		if !ok {
			t.Fatalf("flags.txt:%d: want WANT | ARGS", i+1)
		}
		c := hostileCase{name: fmt.Sprintf("flags.txt:%d", i+1), wants: []string{want}}
		for _, a := range strings.Split(args, " ") {
			c.args = append(c.args, strings.Trim(a, "'"))
		}
		cases = append(cases, c)
	}
	return cases
}

func TestHostileCorpus(t *testing.T) {
	dir := t.TempDir()
	cases := hostileCorpus(t, dir)
	cases = append(cases, specialFiles(t, dir)...)
	if len(cases) < 150 {
		t.Fatalf("%d cases: the corpus must hold at least 150", len(cases))
	}
	t.Chdir(dir)
	started := ""
	onWork = func() { started = "work started" }
	defer func() { onWork = func() {} }()
	broken := 0
	for _, c := range cases {
		started = ""
		var out, errb bytes.Buffer
		code, panicked := runRecovered(c.args, &out, &errb)
		msg := errb.String()
		why := ""
		switch {
		case panicked != nil:
			why = fmt.Sprintf("panic: %v", panicked)
		case started != "":
			why = "a simulation started before the input was refused"
		case code != exitInput:
			why = fmt.Sprintf("exit %d, want 2", code)
		case len(msg) > 2000:
			why = fmt.Sprintf("a message of %d bytes: values must be clipped", len(msg))
		case !strings.HasPrefix(msg, "shiftsim"):
			why = "no error message"
		case out.Len() > 0:
			why = "output on stdout"
		case strings.Contains(msg, "root:x:0:0") || strings.Contains(msg, "PATH="):
			why = "the content of a file it was not meant to read is echoed"
		}
		for _, w := range append(c.wants, c.file) {
			if why == "" && w != "" && !strings.Contains(msg, w) {
				why = fmt.Sprintf("the message does not name %q", w)
			}
		}
		if why != "" {
			broken++
			var args []string
			for _, a := range c.args[:min(len(c.args), 6)] {
				args = append(args, safeio.Clip(a))
			}
			t.Errorf("%s (%s): %s\n%.300s", c.name, strings.Join(args, " "), why, msg)
		}
	}
	t.Logf("%d hostile cases, %d break the contract", len(cases), broken)
}

// runRecovered runs the CLI in-process, turning a panic into a result.
func runRecovered(args []string, stdout, stderr *bytes.Buffer) (code int, panicked any) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
		}
	}()
	return run(args, stdout, stderr), nil
}
