package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// The README's promise: every code block runs as written from a fresh clone.
// This test reads README.md, takes every ```sh block, joins continued lines,
// drops comments, and runs each shiftsim command in-process (go, make: the
// toolchain's, not ours) from a temporary directory holding a copy of
// examples/ and nothing else, so built-in scenarios must come from the
// binary. Every command must exit 0. A ```text block after the comment
// "<!-- output of: CMD -->" must be what CMD prints. The dry-run deploy
// talks to the in-process AWS fake, set up with what examples/ describe.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(readme), "../shared") {
		t.Errorf("README.md mentions ../shared, which users do not have")
	}
	if !strings.Contains(string(readme), "go install github.com/shiftsim/shiftsim/cmd/shiftsim@latest") {
		t.Errorf("README.md lacks the go install line")
	}
	blocks, outputs := readmeBlocks(string(readme))
	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples"), filepath.Join(dir, "examples"))
	t.Chdir(dir)
	f := readmeAWS(t)
	ran := 0
	for _, b := range blocks {
		for _, line := range shellCommands(b) {
			args, err := splitShell(line)
			if err != nil {
				t.Fatalf("README line %q: %v", line, err)
			}
			if len(args) == 0 || args[0] == "go" || args[0] == "make" {
				continue
			}
			if args[0] != "shiftsim" {
				t.Errorf("README line %q: not a shiftsim, go or make command", line)
				continue
			}
			if len(args) > 1 && args[1] == "deploy" {
				args = append(args, "--endpoint-url", f.URL)
			}
			code, out, errs := runCLI(args[1:]...)
			if code != 0 {
				t.Errorf("README: %s\nexit %d\nstdout: %.2000s\nstderr: %s", line, code, out, errs)
			}
			ran++
		}
	}
	if ran < 10 {
		t.Errorf("only %d commands found in the README's sh blocks", ran)
	}
	for cmd, want := range outputs {
		args, _ := splitShell(cmd)
		code, out, errs := runCLI(args[1:]...)
		if code != 0 || trimLines(out) != trimLines(want) {
			t.Errorf("README: the output shown for %q is not what it prints (exit %d, %s):\n--- README\n%s\n--- now\n%s", cmd, code, errs, want, out)
		}
	}
}

// readmeBlocks returns the ```sh blocks, and the ```text blocks announced by
// "<!-- output of: CMD -->" by CMD.
func readmeBlocks(md string) (sh []string, outputs map[string]string) {
	outputs = map[string]string{}
	var cur *strings.Builder
	kind, outputOf := "", ""
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			kind, cur = strings.TrimPrefix(l, "```"), &strings.Builder{}
		case cur != nil && l == "```":
			switch {
			case kind == "sh":
				sh = append(sh, cur.String())
			case outputOf != "":
				outputs[outputOf] = cur.String()
			}
			cur, outputOf = nil, ""
		case cur != nil:
			cur.WriteString(l + "\n")
		default:
			if c, ok := strings.CutPrefix(l, "<!-- output of: "); ok {
				outputOf = strings.TrimSuffix(c, " -->")
			}
		}
	}
	return sh, outputs
}

// shellCommands joins backslash-continued lines and drops comments.
func shellCommands(block string) []string {
	var cmds []string
	var cur strings.Builder
	for _, l := range strings.Split(block, "\n") {
		l = stripComment(l)
		if c, ok := strings.CutSuffix(strings.TrimRight(l, " "), `\`); ok {
			cur.WriteString(c + " ")
			continue
		}
		cur.WriteString(l)
		if s := strings.TrimSpace(cur.String()); s != "" {
			cmds = append(cmds, s)
		}
		cur.Reset()
	}
	return cmds
}

// stripComment drops a # comment that starts a word outside quotes.
func stripComment(l string) string {
	var q rune
	for i, r := range l {
		switch {
		case q != 0:
			if r == q {
				q = 0
			}
		case r == '\'' || r == '"':
			q = r
		case r == '#' && (i == 0 || l[i-1] == ' '):
			return l[:i]
		}
	}
	return l
}

// splitShell splits a command line into words the way sh would for the
// simple lines a README holds: whitespace, single and double quotes.
func splitShell(l string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var q rune
	for _, r := range l {
		switch {
		case q != 0 && r == q:
			q = 0
		case q != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			q, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>$`", r):
			return nil, errUnsupportedShell(string(r))
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if q != 0 {
		return nil, errUnsupportedShell("unclosed quote")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

type errUnsupportedShell string

func (e errUnsupportedShell) Error() string {
	return "shell syntax the README test does not run: " + string(e)
}

func trimLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readmeAWS is the account the README's dry run reads: orders:live at
// version 1, version 2 published, the alarms of describe-alarms.json and the
// hook functions of appspec.yaml.
func readmeAWS(t *testing.T) *awsfake.Server {
	f := fakeAccount(t)
	f.PutFunction("orders", awsfake.Version{Version: "1"}, awsfake.Version{Version: "2"})
	f.SetAlias("orders", "live", "1", nil)
	f.AddAlarm("orders-live-new-version-errors", awsfake.OK)
	f.AddAlarm("orders-live-p99-duration", awsfake.OK)
	f.SetHook("orders-pre-traffic-check", awsfake.Hook{})
	f.SetHook("orders-post-traffic-check", awsfake.Hook{})
	// examples/sam-orders.yaml's hooks, alarms and a deployment group
	f.AddAlarm("orders-live-errors", awsfake.OK)
	f.AddAlarm("orders-new-version-errors", awsfake.OK)
	f.SetHook("CodeDeployHook_orders_pre", awsfake.Hook{})
	f.SetHook("CodeDeployHook_orders_post", awsfake.Hook{})
	f.AddDeploymentGroup("orders-app", awsfake.DeploymentGroup{Name: "orders-dg", Alarms: []string{"orders-live-errors", "orders-new-version-errors"}, AutoRollback: true})
	return f
}
