package awsexec_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
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

// TestControllerTwinManualStop holds the alias executor's manual stop to the
// simulator's, step by step: the user interrupts the executor once the
// linear plan's 30 % step has landed (4m40s after the start: the
// BeforeAllowTraffic hook takes 40 s, then a step every 2 minutes), and the
// simulator's model has a user call StopDeployment at that instant, with
// and without rollback. Every controller step that yielded actions — its
// time and its actions — must be the same in the executor's journal and in
// the simulator's Result.Steps, and so must the end: Stopped, MANUAL_STOP,
// the alias back on version 1 or LEFT at 30 %.
func TestControllerTwinManualStop(t *testing.T) {
	s, err := scenario.Parse("twin.yaml", []byte(strings.Replace(twinScenario, "deployment:", "horizon: 1h\nmonitoring: {poll_phase: 0s}\ndeployment:", 1)))
	if err != nil {
		t.Fatal(err)
	}
	var st sim.Strategy
	for _, x := range s.Strategies {
		if x.Name == "Linear10PercentEvery2Minutes" {
			st = x
		}
	}
	for _, tc := range []struct {
		policy   string
		rollback bool
		alias    string
		last     string
	}{
		{awsexec.OnInterruptRollback, true, "1", "4m40s Rollback; Finish Stopped MANUAL_STOP manual weight=0"},
		{awsexec.OnInterruptStop, false, "1+2@0.3", "4m40s Finish Stopped MANUAL_STOP manual weight=30 alias-left-weighted"},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			m := s.Model
			m.ManualStop = &sim.ManualStop{At: 4*time.Minute + 40*time.Second, Rollback: tc.rollback}
			res, err := sim.Run(&m, st)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range res.Steps {
				if len(r.Actions) > 0 {
					want = append(want, stepLine(r.T-res.DeploymentStart, r.Actions))
				}
			}
			if res.Status != deploy.Stopped || res.RollbackCause != deploy.CauseManual || want[len(want)-1] != tc.last {
				t.Fatalf("the simulator ends %s (%s):\n%s", res.Status, res.RollbackCause, strings.Join(want, "\n"))
			}

			e := newEnv(t, 1)
			e.fake.SetHook("pre", awsfake.Hook{Duration: 40 * time.Second})
			e.fake.SetHook("post", awsfake.Hook{Duration: 15 * time.Second})
			o := e.opts()
			o.OnInterrupt, o.Interrupt = tc.policy, interruptAfter(e, 3)
			out, err := e.deploy(context.Background(), twinPlan(s, st), o)
			e.fake.AfterApply = nil
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range journalRecords(t, e.journal) {
				if r.Type == awsexec.RecStep && len(r.Actions) > 0 {
					d, _ := time.ParseDuration(r.T)
					got = append(got, fmt.Sprintf("%v %s", d, strings.Join(r.Actions, "; ")))
				}
			}
			if !slices.Equal(got, want) || out.Status != res.Status || out.ErrorCode != deploy.ErrorCodeManualStop || e.fake.Alias("orders", "live").String() != tc.alias {
				t.Fatalf("executor (%s, alias %s)\n%s\nsimulator (%s)\n%s", out.Status, e.fake.Alias("orders", "live"), strings.Join(got, "\n"), res.Status, strings.Join(want, "\n"))
			}
			if w := res.FinalWeight; (tc.rollback && w != 0) || (!tc.rollback && w != 0.3) {
				t.Errorf("the simulator's alias ends at %v", w)
			}
		})
	}
}
