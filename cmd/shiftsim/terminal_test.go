package main

import (
	"io"
	"strings"
	"testing"
)

// fakeTerminal makes the commands see a terminal of width columns.
func fakeTerminal(t *testing.T, width int, color bool) {
	old := terminal
	terminal = func(io.Writer) (int, bool, bool) { return width, color, true }
	t.Cleanup(func() { terminal = old })
}

// On an 80-column terminal compare's tables fit (issue 10 found 226-column
// lines); --wide restores every column; without a terminal nothing changes.
func TestCompareFitsTheTerminal(t *testing.T) {
	_, piped, _ := runCLI("compare", "bad-canary", "--runs", "5", "-q")
	fakeTerminal(t, 80, false)
	for _, args := range [][]string{{"compare", "bad-canary"}, {"compare", "bad-canary", "--runs", "5", "-q"},
		{"sweep", "bad-canary", "--vary", "traffic.rate=10,20", "-n", "2", "-q"}, {"run", "bad-canary", "-s", "AllAtOnce"}} {
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errs)
		}
		for _, l := range strings.Split(out, "\n") {
			if len([]rune(l)) > 80 {
				t.Errorf("%v: a line of %d columns on an 80-column terminal: %q", args, len([]rune(l)), l)
			}
		}
	}
	_, wide, _ := runCLI("compare", "bad-canary", "--runs", "5", "-q", "--wide")
	if strings.Contains(wide, "left out") || !strings.Contains(wide, "frontier") {
		t.Errorf("--wide left columns out:\n%s", wide)
	}
	if strings.Contains(piped, "left out") || strings.Contains(piped, "\x1b[") {
		t.Errorf("piped output was fitted or coloured:\n%s", piped)
	}
}

func TestColourOnlyWhereAllowed(t *testing.T) {
	fakeTerminal(t, 200, true)
	_, out, _ := runCLI("compare", "bad-canary")
	if !strings.Contains(out, "\x1b[31mStopped\x1b[0m") {
		t.Errorf("no colour on a colour terminal:\n%q", out)
	}
	_, out, _ = runCLI("compare", "bad-canary", "-o", "json")
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour in JSON")
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, true},
		{map[string]string{"NO_COLOR": "1"}, false},
		{map[string]string{"NO_COLOR": ""}, true},
		{map[string]string{"TERM": "dumb"}, false},
		{map[string]string{"TERM": "xterm-256color"}, true},
	} {
		if got := colorAllowed(env(c.env)); got != c.want {
			t.Errorf("colorAllowed(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}
