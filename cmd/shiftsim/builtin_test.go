package main

import (
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// Issue 10's contract: a built-in name works wherever a scenario file does,
// from any directory (a `go install` build has no source tree), and the
// built-in scenarios' recordings come from the binary.
func TestBuiltinNamesFromAnyDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	sleep = func(time.Duration) {}
	defer func() { sleep = time.Sleep }()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"compare", "bad-canary"}, "Canary10Percent5Minutes"},
		{[]string{"compare", "bad-canary.yaml", "--output", "json"}, `"scenario": "bad-canary"`},
		{[]string{"compare", "scenarios/bad-canary.yaml", "--output", "csv"}, "Linear10PercentEvery3Minutes"},
		{[]string{"run", "bad-canary", "-s", "Canary10Percent5Minutes"}, "alarm"},
		{[]string{"demo", "bad-canary", "--speed", "0"}, "bad-canary"},
		{[]string{"demo", "azure-trace", "--speed", "0"}, "azure-trace"},
		{[]string{"run", "azure-trace", "-s", "Canary10Percent10Minutes", "--output", "json"}, `"scenario": "azure-trace"`},
		{[]string{"validate", "healthy"}, "healthy"},
		{[]string{"sweep", "bad-canary", "--vary", "traffic.rate=10,20", "-n", "2", "-q"}, "traffic.rate"},
		{[]string{"recommend", "bad-canary", "-n", "2", "-q", "--max-failed", "1000"}, "TrafficRoutingConfig"},
		{[]string{"appspec", "bad-canary", "-s", "Canary10Percent5Minutes"}, "AWS::Lambda::Function"},
		{[]string{"export", "bad-canary", "-s", "Canary10Percent5Minutes"}, "Canary10Percent5Minutes"},
		{[]string{"trace", "inspect", "scenarios/data/azure2019-invocations.csv", "--function", "rank:3"}, "azure-functions-2019"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(c.args...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, want 0 and %q in stdout\nstdout: %.400s\nstderr: %s", c.args, code, c.want, out, errs)
		}
	}
}

// A name that is neither a file nor a built-in scenario: exit 2, the nearest
// built-in names, and the list.
func TestUnknownScenarioSuggests(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, errs := runCLI("compare", "bad-canry")
	if code != 2 || !strings.Contains(errs, "did you mean bad-canary?") || !strings.Contains(errs, "built in: alarm-already-firing,") {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
}

func TestVersion(t *testing.T) {
	defer func() { readBuildInfo = debug.ReadBuildInfo }()
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/shiftsim/shiftsim", Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-04T13:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := runCLI(args...)
		if code != 0 || !strings.HasPrefix(out, "shiftsim v1.2.3, revision 0123456789ab (2026-12-04T13:00:00Z) with local changes, go1.") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	if _, out, _ := runCLI("--version"); !strings.HasPrefix(out, "shiftsim (devel), go1.") {
		t.Errorf("without build info: %q", out)
	}
}

func TestHelpCommand(t *testing.T) {
	code, out, _ := runCLI("help", "compare")
	if code != 0 || !strings.HasPrefix(out, "Usage: shiftsim compare SCENARIO") || !strings.Contains(out, "--runs") {
		t.Errorf("help compare: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("help", "import", "sam")
	if code != 0 || !strings.HasPrefix(out, "Usage: shiftsim import sam") {
		t.Errorf("help import sam: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	code, _, errs := runCLI("help", "comprae")
	if code != 2 || !strings.Contains(errs, "did you mean compare?") {
		t.Errorf("help comprae: exit %d, %s", code, errs)
	}
}

func TestDidYouMean(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"compre"}, `unknown command "compre" (did you mean compare?)`},
		{[]string{"recomend"}, "did you mean recommend?"},
		{[]string{"import", "appsepc", "x"}, `unknown kind "appsepc" (did you mean appspec?)`},
		{[]string{"import", "alarm", "x"}, "did you mean alarms?"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	// Nothing close: no guess.
	if _, _, errs := runCLI("zzzzzz"); strings.Contains(errs, "did you mean") {
		t.Errorf("zzzzzz: %q", errs)
	}
}
