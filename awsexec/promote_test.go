package awsexec_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
)

// pausingCanary is an Argo canary that waits for a user: 20 %, pause: {},
// 50 %, a 2-minute pause, then the promotion to 100 %.
func pausingCanary() strategies.Config {
	w := func(v float64) *float64 { return &v }
	r := &strategies.Rollout{Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
		{SetWeight: w(20)}, {Pause: &strategies.ArgoPause{Indefinite: true}},
		{SetWeight: w(50)}, {Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
	}}}
	return strategies.Config{Name: "argo-pause", Type: strategies.ArgoCanary, Rollout: r}
}

// heldAtPause runs the pausing canary with the alias executor, which
// nobody is set to promote, and holds it (Ctrl-C with --on-interrupt=hold)
// at its alarm poll of controller time at: the journal is then an unfinished
// deployment whose controller is Paused.
func heldAtPause(t *testing.T, at time.Duration) (*env, awsexec.Plan) {
	t.Helper()
	e := newEnv(t, 1)
	st := pausingCanary()
	p, _, err := awsexec.NewPlan(awsexec.Spec{Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: st.Name, Config: st,
		Alarms: []string{"orders-errors"}, AutoRollback: true}, awsexec.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	ch, closed := make(chan struct{}), false
	e.fake.AfterApply = func(c awsfake.Call) {
		if c.Op == "DescribeAlarms" && !closed && e.fake.Clock.Now().Sub(awsfake.Epoch) >= at {
			close(ch)
			closed = true
		}
	}
	o := e.opts()
	o.Interrupt, o.OnInterrupt = ch, awsexec.OnInterruptHold
	out, err := e.deploy(context.Background(), p, o)
	e.fake.AfterApply = nil
	if err != nil || !out.Held || e.fake.Alias("orders", "live").String() != "1+2@0.2" {
		t.Fatalf("held run: %v %+v alias %s\n%s", err, out, e.fake.Alias("orders", "live"), e.timeline())
	}
	if !strings.Contains(e.timeline(), "rollout paused") {
		t.Fatalf("the rollout did not pause:\n%s", e.timeline())
	}
	return e, p
}

// TestAliasResumePromote is the twin of the simulator's
// deployment.argo_promote_after on a real alias: the simulator's user
// promotes the paused canary 5 minutes after its pause; on the fake AWS
// account the executor's rollout waits at the same pause, is held at 5
// minutes of controller time, and `--resume --promote` gives the same
// Promote. The journal's controller steps are the simulator's, word for
// word and time for time (Promote at 5m → SetWeight 50, 100 % after the
// 2-minute pause at 7m), though the user took half an hour to decide: time
// on hold does not count, as for every resume.
func TestAliasResumePromote(t *testing.T) {
	src := strings.Replace(gateScenario, "TARGET_ERRORS", "0.005", 1)
	src = strings.Replace(src, "  start: 3m\n", "  start: 3m\n  argo_promote_after: 5m\n", 1)
	s, err := scenario.Parse("promote.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(&s.Model, sim.Strategy{Name: "argo-pause", Config: pausingCanary()})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range res.Steps {
		r.T -= res.DeploymentStart
		want = append(want, r.String())
	}
	if res.Status != deploy.Succeeded || !slices.Contains(want, "5m0s Promote -> SetWeight 50") {
		t.Fatalf("the simulator's run (%s):\n%s", res.Status, strings.Join(want, "\n"))
	}

	e, _ := heldAtPause(t, 5*time.Minute)
	pv, err := awsexec.PreviewPromote(journalRecords(t, e.journal))
	if err != nil || pv.Since != 0 || !slices.Equal(pv.Actions, []string{"SetWeight 50"}) {
		t.Fatalf("preview: %+v %v", pv, err)
	}
	e.fake.Clock.Advance(30 * time.Minute)
	o := e.opts()
	o.Resume, o.ResumePromote = true, true
	out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, e.timeline())
	}
	got := journalSteps(t, e.journal)
	if !slices.Equal(got, want) || out.Status != deploy.Succeeded || e.fake.Alias("orders", "live").String() != "2" {
		t.Fatalf("executor (%s, alias %s)\n%s\nsimulator\n%s\n%s", out.Status, e.fake.Alias("orders", "live"),
			strings.Join(got, "\n"), strings.Join(want, "\n"), e.timeline())
	}
	if h := e.history(); h != "0s 1+2@0.2, 35m0s 1+2@0.5, 37m0s 2" {
		t.Errorf("alias history %s", h)
	}
	if !strings.Contains(e.timeline(), "promoting the paused rollout (--resume --promote") {
		t.Errorf("the promotion is not said:\n%s", e.timeline())
	}
}

// TestAliasResumePromoteAbort: --resume --rollback aborts a paused rollout
// (Argo's abort): all traffic back on version 1 at once, status Stopped.
func TestAliasResumePromoteAbort(t *testing.T) {
	e, _ := heldAtPause(t, 2*time.Minute)
	o := e.opts()
	o.Resume, o.ResumeRollback = true, true
	out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
	if err != nil || out.Status != deploy.Stopped || !out.RolledBack || e.fake.Alias("orders", "live").String() != "1" {
		t.Fatalf("abort: %v %+v alias %s\n%s", err, out, e.fake.Alias("orders", "live"), e.timeline())
	}
}

// TestAliasResumePromoteRefused: only a paused rollout can be promoted. A
// held linear deployment (InProgress), a finished one and a rollout held
// before its pause are refused with ErrNotPaused before any AWS call that
// changes something; --promote with --rollback is refused too.
func TestAliasResumePromoteRefused(t *testing.T) {
	t.Run("in progress", func(t *testing.T) {
		e := newEnv(t, 1)
		ch, n := make(chan struct{}), 0
		e.fake.AfterApply = func(c awsfake.Call) {
			if c.Op == "UpdateAlias" {
				if n++; n == 2 {
					close(ch)
				}
			}
		}
		o := e.opts()
		o.Interrupt, o.OnInterrupt = ch, awsexec.OnInterruptHold
		if _, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), o); err != nil {
			t.Fatal(err)
		}
		e.fake.AfterApply = nil
		updates := e.fake.CallCount(awsfake.Lambda, "UpdateAlias")
		o = e.opts()
		o.Resume, o.ResumePromote = true, true
		_, err := e.deploy(context.Background(), awsexec.Plan{}, o)
		if !errors.Is(err, awsexec.ErrNotPaused) || !strings.Contains(err.Error(), "is InProgress, not Paused") {
			t.Fatalf("promote of an InProgress deployment: %v", err)
		}
		if _, err := awsexec.PreviewPromote(journalRecords(t, e.journal)); !errors.Is(err, awsexec.ErrNotPaused) {
			t.Fatalf("preview of an InProgress deployment: %v", err)
		}
		if e.fake.CallCount(awsfake.Lambda, "UpdateAlias") != updates {
			t.Error("a refused promotion moved the alias")
		}
		o.ResumeRollback = true
		if _, err := e.deploy(context.Background(), awsexec.Plan{}, o); !errors.Is(err, awsexec.ErrNotPaused) || !strings.Contains(err.Error(), "not with --rollback") {
			t.Fatalf("--promote --rollback: %v", err)
		}
	})
	t.Run("finished", func(t *testing.T) {
		e := newEnv(t, 1)
		if _, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "AllAtOnce"), e.opts()); err != nil {
			t.Fatal(err)
		}
		o := e.opts()
		o.Resume, o.ResumePromote = true, true
		if _, err := e.deploy(context.Background(), awsexec.Plan{}, o); !errors.Is(err, awsexec.ErrNotPaused) || !strings.Contains(err.Error(), "has finished (Succeeded)") {
			t.Fatalf("promote of a finished deployment: %v", err)
		}
	})
}
