package deploy

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt with the actual output")

// TestScripts runs the data-driven scripts in testdata/*.txt, in the manner of
// etcd-io/raft's testdata: each block is a command, a line "----", and the
// expected output up to a blank line. Lines starting with # between blocks are
// comments. Commands:
//
//	new key=value...   a fresh controller; keys: plan (a strategies.Lookup name,
//	                   or canary:<pct>:<min>, linear:<pct>:<min>), model (A|B),
//	                   steps (<dur>:<pct>,...) and end (<dur>) for a raw plan,
//	                   hooks (comma list), timeout, alarms (comma list),
//	                   autorollback (true|false)
//	step <dur> <event> one Step; prints its actions, then "> status deadline"
//	run <dur>          Tick at each Deadline up to <dur>; prints "<t> <action>"
//	lifecycle          prints Lifecycle()
//
// Run "go test ./deploy -run TestScripts -update" to rewrite the expectations,
// then review the diff.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScript(t, f) })
	}
}

type block struct {
	pre      []string // comments and blank lines before the command
	cmd      string
	line     int
	expected []string
}

func parseScript(t *testing.T, path string) ([]block, []string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []block
	var pre []string
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			pre = append(pre, line)
			continue
		}
		b := block{pre: pre, cmd: line, line: n}
		pre = nil
		if !sc.Scan() || sc.Text() != "----" {
			t.Fatalf("%s:%d: want ---- after the command", path, n+1)
		}
		n++
		for sc.Scan() {
			n++
			if sc.Text() == "" {
				break
			}
			b.expected = append(b.expected, sc.Text())
		}
		blocks = append(blocks, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks, pre
}

func runScript(t *testing.T, path string) {
	blocks, tail := parseScript(t, path)
	var c *Controller
	var out strings.Builder
	for _, b := range blocks {
		got := runCommand(t, &c, b.cmd)
		if *update {
			for _, p := range b.pre {
				out.WriteString(p + "\n")
			}
			out.WriteString(b.cmd + "\n----\n" + strings.Join(got, "\n") + "\n\n")
			continue
		}
		if strings.Join(got, "\n") != strings.Join(b.expected, "\n") {
			t.Errorf("%s:%d: %s\n got:\n%s\nwant:\n%s", path, b.line, b.cmd,
				strings.Join(got, "\n"), strings.Join(b.expected, "\n"))
		}
	}
	if *update {
		s := strings.TrimRight(out.String(), "\n") + "\n"
		for _, p := range tail {
			if strings.HasPrefix(p, "#") {
				s += "\n" + p
			}
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runCommand(t *testing.T, cp **Controller, cmd string) []string {
	f := strings.Fields(cmd)
	switch f[0] {
	case "new":
		cfg, err := parseConfig(f[1:])
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		c, err := New(cfg)
		if err != nil {
			return strings.Split("error: "+err.Error(), "\n")
		}
		*cp = c
		return []string{"ok"}
	case "step":
		c := mustController(t, *cp, cmd)
		if len(f) < 3 {
			t.Fatalf("%s: want step <dur> <event>", cmd)
		}
		now := mustDuration(t, f[1])
		ev, err := ParseEvent(strings.Join(f[2:], " "))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, a := range c.Step(now, ev) {
			lines = append(lines, a.String())
		}
		if len(lines) == 0 {
			lines = append(lines, "(no actions)")
		}
		return append(lines, summary(c))
	case "run":
		c := mustController(t, *cp, cmd)
		until := mustDuration(t, f[1])
		var lines []string
		for i := 0; ; i++ {
			at, ok := c.Deadline()
			if !ok || at > until {
				break
			}
			if i == 10000 {
				t.Fatalf("%s: the deadline does not advance (stuck at %v)", cmd, at)
			}
			for _, a := range c.Step(at, Event{Kind: Tick}) {
				lines = append(lines, at.String()+" "+a.String())
			}
		}
		return append(lines, summary(c))
	case "lifecycle":
		c := mustController(t, *cp, cmd)
		var lines []string
		for _, e := range c.Lifecycle() {
			lines = append(lines, e.String())
		}
		return lines
	}
	t.Fatalf("unknown command %q", cmd)
	return nil
}

func summary(c *Controller) string {
	s := "> " + string(c.Status())
	if at, ok := c.Deadline(); ok {
		s += " deadline=" + at.String()
	} else {
		s += " no-deadline"
	}
	return s
}

func mustController(t *testing.T, c *Controller, cmd string) *Controller {
	if c == nil {
		t.Fatalf("%s: no controller (a failed or missing new)", cmd)
	}
	return c
}

func mustDuration(t *testing.T, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parseConfig(args []string) (Config, error) {
	var cfg Config
	var sc strategies.Config
	model := strategies.EndAfterLastInterval
	raw := false
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		var err error
		switch k {
		case "plan":
			if typ, rest, ok := strings.Cut(v, ":"); ok && (typ == "canary" || typ == "linear") {
				sc.Type = strategies.Canary
				if typ == "linear" {
					sc.Type = strategies.Linear
				}
				p, i, _ := strings.Cut(rest, ":")
				sc.Percentage, _ = strconv.Atoi(p)
				sc.Interval, _ = strconv.Atoi(i)
				err = sc.Validate()
			} else {
				sc, err = strategies.Lookup(v)
			}
		case "model":
			if v == "B" {
				model = strategies.EndAtLastShift
			}
		case "steps":
			raw = true
			for _, s := range strings.Split(v, ",") {
				d, p, _ := strings.Cut(s, ":")
				at, e1 := time.ParseDuration(d)
				pct, e2 := strconv.ParseFloat(p, 64)
				if e1 != nil || e2 != nil {
					return cfg, fmt.Errorf("bad step %q", s)
				}
				cfg.Plan.Steps = append(cfg.Plan.Steps, strategies.Step{At: at, Percent: pct})
			}
		case "end":
			raw = true
			cfg.Plan.End, err = time.ParseDuration(v)
		case "hooks":
			for _, h := range strings.Split(v, ",") {
				cfg.Hooks = append(cfg.Hooks, Hook(h))
			}
		case "timeout":
			cfg.HookTimeout, err = time.ParseDuration(v)
		case "alarms":
			cfg.Alarms = strings.Split(v, ",")
		case "autorollback":
			cfg.AutoRollback, err = strconv.ParseBool(v)
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return cfg, err
		}
	}
	if !raw {
		cfg.Plan = sc.Plan(model)
	}
	return cfg, nil
}
