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
