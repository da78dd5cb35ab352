package awsexec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// chaos makes a fifth of all requests throttled, a tenth answer 500, one in
// twenty lose their connection and one UpdateAlias in ten take effect with
// its answer lost, all drawn from the fake's seeded generator.
func chaos(f *awsfake.Server) {
	f.AddFault(&awsfake.Fault{Kind: awsfake.Throttle, Prob: 0.2})
	f.AddFault(&awsfake.Fault{Kind: awsfake.ServerError, Prob: 0.1})
	f.AddFault(&awsfake.Fault{Kind: awsfake.Drop, Prob: 0.05})
	f.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.DropAfter, Prob: 0.1})
}

// declared checks that a run ended in a declared state: refused by its
// pre-checks with nothing changed, Succeeded with the alias 100 % on the
// target, stopped/failed and rolled back with it 100 % on the current
// version, or stopped by an AWS error that --resume (faults gone) then brings
// to one of those ends; the journal's last record says where the alias is.
func declared(t *testing.T, e *env, out *awsexec.Outcome, err error) {
	t.Helper()
	alias := e.fake.Alias("orders", "live")
	var pe *awsexec.PreflightError
	if errors.As(err, &pe) { // the pre-checks could not be made: nothing may have changed
		if alias.String() != "1" || len(e.fake.MutatingCalls()) != 0 {
			t.Fatalf("pre-checks failed (%v) yet the alias is %s after %d mutating calls", err, alias, len(e.fake.MutatingCalls()))
		}
		return
	}
	if err != nil {
		var ae *awsexec.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("run stopped by %v, want an AWS error\n%s", err, e.timeline())
		}
		e.fake.ClearFaults()
		o := e.opts()
		o.Resume = true
		out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
		if errors.Is(err, awsexec.ErrNothingToResume) { // the codedeploy executor created nothing
			return
		}
		if err != nil {
			t.Fatalf("resume after %v: %v\n%s", ae, err, e.timeline())
		}
		alias = e.fake.Alias("orders", "live")
	}
	switch {
	case out.Status == deploy.Succeeded && alias.String() == "2":
	case out.Status != deploy.Succeeded && out.RolledBack && alias.String() == "1":
	default:
		t.Fatalf("undeclared end: outcome %+v, alias %s\n%s", out, alias, e.timeline())
	}
	if fin := lastJournaled(t, e.journal); fin.Type != awsexec.RecFinish || fin.Alias == nil || fin.Alias.Version != alias.Version || len(fin.Alias.Weights) != len(alias.Weights) {
		t.Fatalf("journal ends with %+v, alias is %s", fin, alias)
	}
}

// TestAliasUnderFaults runs the alias executor through injected throttling,
// 5xx and dropped connections, with and without an alarm firing.
func TestAliasUnderFaults(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			e := newEnv(t, seed)
			chaos(e.fake)
			if seed%3 == 0 {
				e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(3*time.Minute+30*time.Second), awsfake.ALARM)
			}
			e.fake.SetHook("pre", awsfake.Hook{Duration: 5 * time.Second})
			p := e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute")
			p.BeforeHook = "pre"
			out, err := e.deploy(context.Background(), p, e.opts())
			declared(t, e, out, err)
		})
	}
}

// TestCodeDeployUnderFaults does the same with the codedeploy executor.
func TestCodeDeployUnderFaults(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			e := newEnv(t, seed)
			chaos(e.fake)
			if seed%3 == 0 {
				e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(3*time.Minute+30*time.Second), awsfake.ALARM)
			}
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecCodeDeploy, "custom-linear-20-1"), e.opts())
			declared(t, e, out, err)
		})
	}
}

// TestAliasRollbackFailsThenResume: the alarm fires, and every UpdateAlias
// after the first fails with 500 for good: the executor tries the rollback
// several times, then stops with an error saying where the alias is; once
// AWS is back, --resume finishes the rollback.
func TestAliasRollbackFailsThenResume(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(90*time.Second), awsfake.ALARM)
	e.fake.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.ServerError, Skip: 2})
	out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), e.opts())
	var ae *awsexec.APIError
	if !errors.As(err, &ae) || ae.Op != "UpdateAlias" || ae.Status != 500 || !ae.Transient || out != nil {
		t.Fatalf("err %v\n%s", err, e.timeline())
	}
	for _, want := range []string{"alias orders:live was last seen at version 1 at 80%, version 2 at 20%", "--resume"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error does not say %q:\n%v", want, err)
		}
	}
	if n := strings.Count(e.timeline(), "trying again"); n != 4 {
		t.Fatalf("%d rollback retries, want 4\n%s", n, e.timeline())
	}
	e.fake.ClearFaults()
	o := e.opts()
	o.Resume = true
	out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
	if err != nil || out.Status != deploy.Stopped || out.Cause != "alarm:orders-errors" || e.fake.Alias("orders", "live").String() != "1" {
		t.Fatalf("resume: %v %+v\n%s", err, out, e.timeline())
	}
}

// TestNoSecrets: nothing shiftsim prints, journals or returns contains the
// credentials it signs with, whatever happens.
func TestNoSecrets(t *testing.T) {
	var all strings.Builder
	for _, ex := range []string{awsexec.ExecAlias, awsexec.ExecCodeDeploy} {
		for seed := uint64(1); seed <= 6; seed++ {
			e := newEnv(t, seed)
			chaos(e.fake)
			e.fake.AddFault(&awsfake.Fault{Kind: awsfake.ServerError, Prob: 0.2})
			e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(2*time.Minute), awsfake.ALARM)
			out, err := e.deploy(context.Background(), e.plan(ex, "Linear10PercentEvery1Minute"), e.opts())
			fmt.Fprintf(&all, "%+v %v\n%s\n", out, err, e.timeline())
			var dry bytes.Buffer
			awsexec.DryRun(context.Background(), e.plan(ex, "Canary10Percent5Minutes"), e.clients, e.opts(), &dry)
			all.WriteString(dry.String() + e.journalText())
		}
	}
	for _, secret := range []string{awsfake.AccessKeyID, awsfake.SecretAccessKey, awsfake.SessionToken} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("%q appears in shiftsim's output", secret)
		}
	}
	if !strings.Contains(all.String(), "failed") { // the faults did show up
		t.Fatal("no failure in the output: the test exercised nothing")
	}
}

// TestAliasSlowAnswer: an UpdateAlias answered after the client gave up
// (it timed out) still takes effect; the SDK's retry then finds the
// revision moved, and the executor, seeing the alias where it wanted it,
// goes on.
func TestAliasSlowAnswer(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.ClientTimeout = 50 * time.Millisecond
	e.clients = awsexec.NewClients(e.fake.AWSConfig(4), awsexec.Limits{}, e.fake.Clock)
	e.fake.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.Slow, Delay: 80 * time.Millisecond, Skip: 1, Count: 1})
	out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), e.opts())
	if err != nil || out.Status != deploy.Succeeded || e.fake.Alias("orders", "live").String() != "2" {
		t.Fatalf("%v %+v\n%s", err, out, e.timeline())
	}
	// Whichever of the slow request and its retry came second was refused
	// on its stale RevisionId: each weight was set exactly once.
	if want := "0s 1+2@0.1, 1m0s 1+2@0.2, 2m0s 1+2@0.3, 3m0s 1+2@0.4, 4m0s 1+2@0.5, 5m0s 1+2@0.6, 6m0s 1+2@0.7, 7m0s 1+2@0.8, 8m0s 1+2@0.9, 9m0s 2"; e.history() != want {
		t.Fatalf("alias history\n got %s\nwant %s", e.history(), want)
	}
}
