package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bashComplete sources the bash script and asks it to complete line (the
// last word is the one being completed), returning COMPREPLY.
func bashComplete(t *testing.T, script, line string) []string {
	t.Helper()
	words := strings.Split(line, " ")
	var q []string
	for _, w := range words {
		q = append(q, "'"+w+"'")
	}
	prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(q, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) +
		"\n_shiftsim\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

func has(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, x := range list {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

// The bash script completes commands, a command's own flags (learnt from the
// command itself), the formats of its --output, sub-words, and built-in
// scenario names where the argument is a SCENARIO.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	code, script, errs := runCLI("completion", "bash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "shiftsim.bash")
	os.WriteFile(p, []byte(script), 0o644)
	t.Chdir(dir)
	cases := []struct {
		line string
		want []string
		not  []string
	}{
		{"shiftsim comp", []string{"compare", "completion"}, []string{"run"}},
		{"shiftsim compare --ru", []string{"--runs"}, nil},
		{"shiftsim run --", []string{"--strategy", "--explain", "--output"}, []string{"--runs"}},
		{"shiftsim compare bad-c", []string{"bad-canary"}, nil},
		{"shiftsim strategies bad-c", nil, []string{"bad-canary"}},
		{"shiftsim appspec x -o ", []string{"yaml", "json"}, nil},
		{"shiftsim import a", []string{"alarms", "appspec"}, []string{"sam"}},
		{"shiftsim import sam --f", []string{"--function"}, nil},
		{"shiftsim import alarms --f", nil, []string{"--function"}},
		{"shiftsim help comp", []string{"compare", "completion"}, nil},
		{"shiftsim completion ", []string{"bash", "zsh", "fish"}, nil},
		{"shiftsim trace inspect --dur", []string{"--durations"}, nil},
	}
	for _, c := range cases {
		got := bashComplete(t, p, c.line)
		if !has(got, c.want...) {
			t.Errorf("%q: got %v, want %v among them", c.line, got, c.want)
		}
		for _, n := range c.not {
			if has(got, n) {
				t.Errorf("%q: got %v, must not offer %s", c.line, got, n)
			}
		}
	}
}

// zsh and fish scripts parse in their shells (where installed) and hold
// every command.
func TestCompletionZshFish(t *testing.T) {
	for _, sh := range []string{"zsh", "fish"} {
		code, script, errs := runCLI("completion", sh)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", sh, code, errs)
		}
		for _, n := range commandNames() {
			if !strings.Contains(script, n) {
				t.Errorf("%s script lacks command %s", sh, n)
			}
		}
		if !strings.Contains(script, "bad-canary") || !strings.Contains(script, "runs") {
			t.Errorf("%s script lacks built-in names or flags", sh)
		}
		if _, err := exec.LookPath(sh); err != nil {
			t.Logf("%s not installed: syntax not checked", sh)
			continue
		}
		p := filepath.Join(t.TempDir(), "s")
		os.WriteFile(p, []byte(script), 0o644)
		if out, err := exec.Command(sh, "-n", p).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, out)
		}
	}
	if _, err := exec.LookPath("fish"); err == nil {
		_, script, _ := runCLI("completion", "fish")
		p := filepath.Join(t.TempDir(), "s.fish")
		os.WriteFile(p, []byte(script), 0o644)
		out, err := exec.Command("fish", "-c", "source "+p+"; complete -C 'shiftsim compare bad-c'; complete -C 'shiftsim appspec x -o '").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "bad-canary") || !strings.Contains(string(out), "json") {
			t.Errorf("fish completion: %v\n%s", err, out)
		}
	}
	if code, _, errs := runCLI("completion", "bsh"); code != 2 || !strings.Contains(errs, "did you mean bash?") {
		t.Errorf("completion bsh: exit %d %s", code, errs)
	}
}
