package awsexec_test

import (
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

// TestAliasHealthy: the alias executor carries out each predefined kind of
// schedule to the second, ending 100 % on the target with no routing.
func TestAliasHealthy(t *testing.T) {
	for _, tc := range []struct{ strategy, history string }{
		{"Canary10Percent5Minutes", "0s 1+2@0.1, 5m0s 2"},
		{"Linear10PercentEvery1Minute", "0s 1+2@0.1, 1m0s 1+2@0.2, 2m0s 1+2@0.3, 3m0s 1+2@0.4, 4m0s 1+2@0.5, 5m0s 1+2@0.6, 6m0s 1+2@0.7, 7m0s 1+2@0.8, 8m0s 1+2@0.9, 9m0s 2"},
		{"AllAtOnce", "0s 2"},
		{"custom-canary-25-45", "0s 1+2@0.25, 45m0s 2"},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			e := newEnv(t, 1)
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, tc.strategy), e.opts())
			if err != nil {
				t.Fatalf("%v\n%s", err, e.timeline())
			}
			if out.Status != deploy.Succeeded || out.RolledBack || out.Alias.String() != "version 2" {
				t.Fatalf("outcome %+v\n%s", out, e.timeline())
			}
			if got := e.history(); got != tc.history {
				t.Fatalf("alias history\n got %s\nwant %s\n%s", got, tc.history, e.timeline())
			}
		})
	}
}

// TestAliasAlarmRollsBack: an alarm entering ALARM at 2m30s is seen at the
// 3m poll; the deployment stops and the alias goes back to version 1.
func TestAliasAlarmRollsBack(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(150*time.Second), awsfake.ALARM)
	out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), e.opts())
	if err != nil {
		t.Fatalf("%v\n%s", err, e.timeline())
	}
	if out.Status != deploy.Stopped || out.ErrorCode != deploy.ErrorCodeAlarmActive || out.Cause != "alarm:orders-errors" || !out.RolledBack {
		t.Fatalf("outcome %+v\n%s", out, e.timeline())
	}
	if want := "0s 1+2@0.1, 1m0s 1+2@0.2, 2m0s 1+2@0.3, 3m0s 1+2@0.4, 3m0s 1"; e.history() != want {
		t.Fatalf("alias history\n got %s\nwant %s\n%s", e.history(), want, e.timeline())
	}
}

// TestAliasHookFailure: a failing BeforeAllowTraffic hook fails the
// deployment before any shift (the rollback has nothing to undo: no call); a
// failing AfterAllowTraffic hook rolls the fully shifted alias back. A
// function error counts as a failure too.
func TestAliasHookFailure(t *testing.T) {
	for _, tc := range []struct {
		name           string
		before, after  awsfake.HookResult
		history, cause string
	}{
		{"before fails", awsfake.HookFails, awsfake.HookSucceeds, "", "hook:BeforeAllowTraffic"},
		{"before errors", awsfake.HookErrors, awsfake.HookSucceeds, "", "hook:BeforeAllowTraffic"},
		{"after fails", awsfake.HookSucceeds, awsfake.HookFails, "30s 1+2@0.1, 5m30s 2, 6m0s 1", "hook:AfterAllowTraffic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.fake.SetHook("CodeDeployHook_pre", awsfake.Hook{Result: tc.before, Duration: 30 * time.Second})
			e.fake.SetHook("CodeDeployHook_post", awsfake.Hook{Result: tc.after, Duration: 30 * time.Second})
			p := e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes")
			p.BeforeHook, p.AfterHook = "CodeDeployHook_pre", "CodeDeployHook_post"
			out, err := e.deploy(context.Background(), p, e.opts())
			if err != nil {
				t.Fatalf("%v\n%s", err, e.timeline())
			}
			if out.Status != deploy.Failed || out.ErrorCode != deploy.ErrorCodeHookExecutionFailure || out.Cause != tc.cause || !out.RolledBack || out.Alias.String() != "version 1" {
				t.Fatalf("outcome %+v\n%s", out, e.timeline())
			}
			if got := e.history(); got != tc.history {
				t.Fatalf("alias history\n got %s\nwant %s\n%s", got, tc.history, e.timeline())
			}
			inv := e.fake.Invocations("CodeDeployHook_pre")
			if len(inv) != 1 || !strings.Contains(inv[0], `"LifecycleEventHookExecutionId":"shiftsim-`) {
				t.Fatalf("hook payloads %q", inv)
			}
		})
	}
}

// TestAliasHookTimeout: a hook that runs longer than the hook timeout fails
// at the timeout, whatever it answers later.
func TestAliasHookTimeout(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.SetHook("pre", awsfake.Hook{Result: awsfake.HookSucceeds, Duration: 10 * time.Minute})
	p := e.plan(awsexec.ExecAlias, "AllAtOnce")
	p.BeforeHook, p.HookTimeout = "pre", 5*time.Minute
	out, err := e.deploy(context.Background(), p, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != deploy.Failed || out.Cause != "hook:BeforeAllowTraffic" || e.history() != "" {
		t.Fatalf("outcome %+v, history %q\n%s", out, e.history(), e.timeline())
	}
}

// TestAliasInterrupt: Ctrl-C during the shift rolls back by default; with
// hold it leaves the weight, journals it, and --resume then finishes the
// deployment (or --resume --rollback undoes it).
func TestAliasInterrupt(t *testing.T) {
	setup := func(t *testing.T, policy string) (*env, awsexec.Options) {
		e := newEnv(t, 1)
		ch := make(chan struct{})
		n := 0
		e.fake.AfterApply = func(c awsfake.Call) {
			if c.Op == "UpdateAlias" {
				if n++; n == 2 {
					close(ch)
				}
			}
		}
		o := e.opts()
		o.Interrupt, o.OnInterrupt = ch, policy
		return e, o
	}
	t.Run("rollback", func(t *testing.T) {
		e, o := setup(t, awsexec.OnInterruptRollback)
		out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), o)
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != deploy.Stopped || out.Cause != "interrupt" || !out.RolledBack || e.history() != "0s 1+2@0.1, 1m0s 1+2@0.2, 1m0s 1" {
			t.Fatalf("outcome %+v history %s\n%s", out, e.history(), e.timeline())
		}
	})
	for _, rollback := range []bool{false, true} {
		t.Run(fmt.Sprintf("hold then resume rollback=%v", rollback), func(t *testing.T) {
			e, o := setup(t, awsexec.OnInterruptHold)
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), o)
			if err != nil {
				t.Fatal(err)
			}
			if !out.Held || out.Status != "" || e.fake.Alias("orders", "live").String() != "1+2@0.2" {
				t.Fatalf("outcome %+v\n%s", out, e.timeline())
			}
			if !strings.Contains(e.timeline(), "HOLDING") || !strings.Contains(e.journalText(), `"type":"hold"`) {
				t.Fatalf("the hold is not said loudly or not journaled\n%s", e.timeline())
			}
			// Starting afresh on this journal is refused: it is unfinished.
			if _, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "AllAtOnce"), e.opts()); !errors.Is(err, awsexec.ErrUnfinished) {
				t.Fatalf("fresh run on an unfinished journal: %v", err)
			}
			e.fake.Clock.Advance(time.Hour) // the pause does not count
			o = e.opts()
			o.Resume, o.ResumeRollback = true, rollback
			out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
			if err != nil {
				t.Fatalf("%v\n%s", err, e.timeline())
			}
			want, status, alias := "1h1m0s 1", deploy.Stopped, "1"
			if !rollback {
				// The 20 % step, taken at 1m, still bakes its full minute.
				want = "1h2m0s 1+2@0.3, 1h3m0s 1+2@0.4, 1h4m0s 1+2@0.5, 1h5m0s 1+2@0.6, 1h6m0s 1+2@0.7, 1h7m0s 1+2@0.8, 1h8m0s 1+2@0.9, 1h9m0s 2"
				status, alias = deploy.Succeeded, "2"
			}
			h := e.history()
			h = h[strings.Index(h, "1h"):]
			if out.Status != status || h != want || e.fake.Alias("orders", "live").String() != alias {
				t.Fatalf("after resume: outcome %+v\nhistory after the pause %s\nwant %s\n%s", out, h, want, e.timeline())
			}
		})
	}
}

// TestAliasNoAutoRollback: with auto-rollback off, an alarm stops the
// deployment and leaves the alias on two versions, as CodeDeploy does; the
// summary says so, and the next deployment's pre-check refuses to start.
func TestAliasNoAutoRollback(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(90*time.Second), awsfake.ALARM)
	p := e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute")
	p.AutoRollback = false
	out, err := e.deploy(context.Background(), p, e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != deploy.Stopped || out.RolledBack || e.fake.Alias("orders", "live").String() != "1+2@0.3" ||
		!strings.Contains(out.Summary(p), "LEFT on two versions") {
		t.Fatalf("outcome %+v alias %s\n%s", out, e.fake.Alias("orders", "live"), out.Summary(p))
	}
	e.fake.SetAlarmAt("orders-errors", e.fake.Clock.Now(), awsfake.OK)
	_, err = e.deploy(context.Background(), p, e.opts())
	var pe *awsexec.PreflightError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "routes to two versions") {
		t.Fatalf("next deployment: %v", err)
	}
}
