package awsexec_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/awsexec"
)

// JournalFor names a deployment's journal after its function and alias; a
// resume given no scenario (no function) takes the one journal of that
// form it finds, and says it found it.
func TestJournalFor(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, 1)
	p := e.plan(awsexec.ExecAlias, "AllAtOnce")
	got, found, err := awsexec.JournalFor(dir, p)
	if want := filepath.Join(dir, "shiftsim-deploy-orders-live.jsonl"); err != nil || found || got != want {
		t.Errorf("named: %q %v %v, want %q", got, found, err, want)
	}
	if _, _, err := awsexec.JournalFor(dir, awsexec.Plan{}); err == nil || !strings.Contains(err.Error(), "no journal named") {
		t.Errorf("none to find: %v", err)
	}
	j := filepath.Join(dir, awsexec.DefaultJournal("f", "a"))
	if err := os.WriteFile(j, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, found, err := awsexec.JournalFor(dir, awsexec.Plan{}); err != nil || !found || got != j {
		t.Errorf("found: %q %v %v, want %q", got, found, err, j)
	}
}

// JournalPlanAt reads back the plan a deployment journaled, as a resume
// given no scenario needs it for its summary.
func TestJournalPlanAt(t *testing.T) {
	e := newEnv(t, 1)
	p := e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes")
	if _, err := e.deploy(context.Background(), p, e.opts()); err != nil {
		t.Fatal(err)
	}
	got, err := awsexec.JournalPlanAt(e.journal)
	if err != nil {
		t.Fatal(err)
	}
	if got.Function != "orders" || got.Alias != "live" || got.Current != "1" || got.Target != "2" ||
		got.Strategy != p.Strategy || got.Executor != awsexec.ExecAlias || got.DeploymentConfigName() != p.DeploymentConfigName() {
		t.Errorf("got %+v\nwant %+v", got, p)
	}
	if _, err := awsexec.JournalPlanAt(filepath.Join(t.TempDir(), "none.jsonl")); err == nil {
		t.Error("a missing journal gave a plan")
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := awsexec.JournalPlanAt(empty); err == nil || !strings.Contains(err.Error(), "holds no deployment") {
		t.Errorf("empty journal: %v", err)
	}
}

// DryResume says what a resume would do and changes nothing: a finished
// deployment has nothing to resume; an unfinished one is looked at
// (GetAlias), then continued or rolled back; a missing or empty journal is
// the user's error.
func TestDryResume(t *testing.T) {
	e := newEnv(t, 1)
	if _, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes"), e.opts()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := awsexec.DryResume(&b, e.journal, false, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# shiftsim deploy --resume: DRY RUN", "alias executor, orders:live from version 1 to 2 with Canary10Percent5Minutes",
		"# the deployment has finished (Succeeded): there is nothing to resume"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("finished: no %q in\n%s", want, b.String())
		}
	}

	// The begin record alone: a deployment that stopped before its first step.
	data, err := os.ReadFile(e.journal)
	if err != nil {
		t.Fatal(err)
	}
	begun := filepath.Join(t.TempDir(), "begun.jsonl")
	if err := os.WriteFile(begun, append([]byte(strings.SplitN(string(data), "\n", 2)[0]), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rollback bool
		want     string
	}{{false, "and continue the deployment from the controller time last journaled"}, {true, "and roll the alias back to version 1"}} {
		b.Reset()
		if err := awsexec.DryResume(&b, begun, tc.rollback, false); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "GetAlias FunctionName=orders Name=live    # to see where the alias is") || !strings.Contains(b.String(), tc.want) {
			t.Errorf("rollback %v: no %q in\n%s", tc.rollback, tc.want, b.String())
		}
	}

	missing := filepath.Join(t.TempDir(), "none.jsonl")
	if err := awsexec.DryResume(&b, missing, false, false); err == nil || err.Error() != "--resume: no journal "+missing {
		t.Errorf("missing journal: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := awsexec.DryResume(&b, empty, false, false); err == nil || !strings.Contains(err.Error(), "holds no deployment") {
		t.Errorf("empty journal: %v", err)
	}
}
