package awsexec_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// interruptAfter returns an interrupt channel closed when the n-th
// UpdateAlias has landed, before its answer: the executor sees the
// interrupt right after that step, at the step's own time.
func interruptAfter(e *env, n int) chan struct{} {
	ch := make(chan struct{})
	count := 0
	e.fake.AfterApply = func(c awsfake.Call) {
		if c.Op == "UpdateAlias" {
			if count++; count == n {
				close(ch)
			}
		}
	}
	return ch
}

// TestAliasInterruptStop: --on-interrupt=stop ends the deployment as
// StopDeployment without rollback does — Stopped, MANUAL_STOP, the alias
// left at the weight it had — and says how to reset it; --resume --rollback
// then resets it with one journaled UpdateAlias, and after that there is
// nothing left to resume. A foreign change of the left alias is not
// touched.
func TestAliasInterruptStop(t *testing.T) {
	for _, foreign := range []bool{false, true} {
		e := newEnv(t, 1)
		o := e.opts()
		o.OnInterrupt, o.Interrupt = awsexec.OnInterruptStop, interruptAfter(e, 3) // at the 30 % step
		p := e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute")
		out, err := e.deploy(context.Background(), p, o)
		e.fake.AfterApply = nil
		if err != nil {
			t.Fatal(err)
		}
		fin := lastJournaled(t, e.journal)
		if out.Status != deploy.Stopped || out.ErrorCode != deploy.ErrorCodeManualStop || out.Cause != "interrupt" || out.RolledBack ||
			e.fake.Alias("orders", "live").String() != "1+2@0.3" || fin.Type != awsexec.RecFinish || fin.Alias.String() != "version 1 at 70%, version 2 at 30%" {
			t.Fatalf("outcome %+v alias %s finish %+v\n%s", out, e.fake.Alias("orders", "live"), fin, e.timeline())
		}
		if s := out.Summary(p); !strings.Contains(s, "LEFT on two versions") || !strings.Contains(s, "--resume --rollback resets it") {
			t.Errorf("summary: %s", s)
		}
		if foreign {
			e.fake.SetAlias("orders", "live", "3", nil)
		}
		o = e.opts()
		o.Resume, o.ResumeRollback = true, true
		out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
		if foreign {
			var ce *awsexec.ConflictError
			if !errors.As(err, &ce) || e.fake.Alias("orders", "live").String() != "3" {
				t.Fatalf("foreign change: err %v alias %s", err, e.fake.Alias("orders", "live"))
			}
			continue
		}
		if err != nil || !out.RolledBack || out.Status != deploy.Stopped || e.fake.Alias("orders", "live").String() != "1" {
			t.Fatalf("reset: %v %+v alias %s\n%s", err, out, e.fake.Alias("orders", "live"), e.timeline())
		}
		if _, err := e.deploy(context.Background(), awsexec.Plan{}, o); !errors.Is(err, awsexec.ErrNothingToResume) {
			t.Fatalf("second reset: %v", err)
		}
		if h := e.history(); h != "0s 1+2@0.1, 1m0s 1+2@0.2, 2m0s 1+2@0.3, 2m0s 1" {
			t.Errorf("history %s", h)
		}
	}
}
