package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/strategies"
)

// TestDeployResumePromote: an Argo canary waiting at `pause: {}` on a real
// alias, held (Ctrl-C with --on-interrupt=hold) while paused. `deploy
// --resume --promote` is a dry run that says where the rollout paused and
// what the promotion does; with --yes it promotes and the rollout finishes
// (50 %, then 100 % after its 2-minute pause). Promoting again, or a
// --promote without --resume, is an input error (exit 2).
func TestDeployResumePromote(t *testing.T) {
	f := awsEnv(t)
	w := func(v float64) *float64 { return &v }
	cfg := strategies.Config{Name: "argo-pause", Type: strategies.ArgoCanary, Rollout: &strategies.Rollout{Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
		{SetWeight: w(20)}, {Pause: &strategies.ArgoPause{Indefinite: true}},
		{SetWeight: w(50)}, {Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
	}}}}
	p, _, err := awsexec.NewPlan(awsexec.Spec{Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: cfg.Name, Config: cfg,
		AutoRollback: true}, awsexec.Overrides{Executor: awsexec.ExecAlias})
	if err != nil {
		t.Fatal(err)
	}
	interrupt, closed := make(chan struct{}), false
	f.AfterApply = func(c awsfake.Call) {
		if c.Op == "UpdateAlias" && !closed {
			close(interrupt)
			closed = true
		}
	}
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	out, err := awsexec.Deploy(context.Background(), p, awsexec.Options{Clients: awsexec.NewClients(f.AWSConfig(2), awsexec.Limits{}, f.Clock), Clock: f.Clock,
		Journal: journal, OnInterrupt: awsexec.OnInterruptHold, Interrupt: interrupt})
	f.AfterApply = nil
	if err != nil || !out.Held || f.Alias("orders", "live").String() != "1+2@0.2" {
		t.Fatalf("hold: %v %+v alias %s", err, out, f.Alias("orders", "live"))
	}

	code, dry, errOut := runCLI("deploy", "--resume", "--promote", "--journal", journal, "--endpoint-url", f.URL)
	for _, want := range []string{"# the rollout is Paused since t+0m00s (pause)", "GetAlias FunctionName=orders Name=live",
		"# then: Promote; the controller answers: SetWeight 50; the rollout goes on from there"} {
		if code != 0 || !strings.Contains(dry, want) {
			t.Fatalf("dry run: exit %d, lacks %q\n%s\n%s", code, want, dry, errOut)
		}
	}
	if f.Alias("orders", "live").String() != "1+2@0.2" {
		t.Fatal("the dry run moved the alias")
	}
	onFakeClock(t, f)
	code, got, errOut := runCLI("deploy", "--resume", "--promote", "--yes", "--journal", journal, "--endpoint-url", f.URL)
	if code != 0 || !strings.Contains(got, "promoting the paused rollout (--resume --promote") || f.Alias("orders", "live").String() != "2" {
		t.Fatalf("promote: exit %d alias %s\n%s\n%s", code, f.Alias("orders", "live"), got, errOut)
	}
	for _, args := range [][]string{
		{"deploy", "--resume", "--promote", "--journal", journal, "--endpoint-url", f.URL},
		{"deploy", "--resume", "--promote", "--yes", "--journal", journal, "--endpoint-url", f.URL},
	} {
		if code, _, errOut := runCLI(args...); code != exitInput || !strings.Contains(errOut, "has finished (Succeeded)") {
			t.Errorf("%v on a finished journal: exit %d, %s", args[1:], code, errOut)
		}
	}
	if code, _, errOut := runCLI("deploy", "--promote", "--journal", journal); code != exitInput || !strings.Contains(errOut, "--promote goes with --resume") {
		t.Errorf("--promote alone: exit %d, %s", code, errOut)
	}
}
