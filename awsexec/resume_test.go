package awsexec_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// killAt makes the fake "kill" the executor at its n-th mutating call: after
// the call took effect but before its answer (landed), or before it arrives
// (lost). The executor sees its context cancelled, as a killed process would
// stop, and must write nothing more.
func killAt(e *env, n int, landed bool) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	count := 0
	hit := func(c awsfake.Call) bool {
		if !c.Mutating {
			return false
		}
		count++
		return count == n
	}
	if landed {
		e.fake.AfterApply = func(c awsfake.Call) {
			if hit(c) {
				cancel()
			}
		}
	} else {
		e.fake.Intercept = func(c awsfake.Call) bool {
			if hit(c) {
				cancel()
				return false
			}
			return true
		}
	}
	return ctx, func() { e.fake.AfterApply, e.fake.Intercept = nil, nil; cancel() }
}

// lastJournaled returns the last record of the journal.
func lastJournaled(t *testing.T, path string) awsexec.Record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var r awsexec.Record
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAliasResumeAfterKill kills the executor at each of its mutations in
// turn, the call landing or not, with a hook in the plan, then resumes from
// the journal in a new executor: the deployment finishes, the alias ends
// 100 % on the target, which is where the journal's finish record says it is,
// and no weight ever goes down on the way.
func TestAliasResumeAfterKill(t *testing.T) {
	// Mutations of a healthy run: Invoke pre, UpdateAlias 10%, UpdateAlias 100%, Invoke post.
	for n := 1; n <= 4; n++ {
		for _, landed := range []bool{true, false} {
			t.Run(fmt.Sprintf("mutation %d landed=%v", n, landed), func(t *testing.T) {
				e := newEnv(t, 1)
				e.fake.SetHook("pre", awsfake.Hook{Duration: 10 * time.Second})
				e.fake.SetHook("post", awsfake.Hook{Duration: 10 * time.Second})
				p := e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes")
				p.BeforeHook, p.AfterHook = "pre", "post"
				ctx, stop := killAt(e, n, landed)
				_, err := e.deploy(ctx, p, e.opts())
				stop()
				if !errors.Is(err, awsexec.ErrKilled) {
					t.Fatalf("killed run: err %v\n%s", err, e.timeline())
				}
				e.fake.Clock.Advance(3 * time.Minute)
				o := e.opts()
				o.Resume = true
				out, err := e.deploy(context.Background(), p, o)
				if err != nil {
					t.Fatalf("resume: %v\n%s\n%s", err, e.timeline(), e.journalText())
				}
				alias := e.fake.Alias("orders", "live")
				fin := lastJournaled(t, e.journal)
				if out.Status != deploy.Succeeded || alias.String() != "2" || fin.Type != awsexec.RecFinish || fin.Alias == nil || fin.Alias.Version != "2" || len(fin.Alias.Weights) != 0 {
					t.Fatalf("outcome %+v alias %s last record %+v\n%s", out, alias, fin, e.timeline())
				}
				last := -1.0
				for _, h := range e.fake.AliasHistory("orders", "live") {
					if w := h.Weight("2"); w < last {
						t.Fatalf("weight went down: %s\n%s", e.history(), e.timeline())
					} else {
						last = w
					}
				}
			})
		}
	}
}

// TestAliasResumeRollbackAfterKill: killed in the middle of the shift, then
// --resume --rollback puts the alias back on version 1.
func TestAliasResumeRollbackAfterKill(t *testing.T) {
	e := newEnv(t, 1)
	ctx, stop := killAt(e, 3, true) // the 30 % step lands, its answer is lost
	_, err := e.deploy(ctx, e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), e.opts())
	stop()
	if !errors.Is(err, awsexec.ErrKilled) {
		t.Fatal(err)
	}
	o := e.opts()
	o.Resume, o.ResumeRollback = true, true
	out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, e.timeline())
	}
	if out.Status != deploy.Stopped || !out.RolledBack || e.fake.Alias("orders", "live").String() != "1" || lastJournaled(t, e.journal).Alias.Version != "1" {
		t.Fatalf("outcome %+v, alias %s\n%s", out, e.fake.Alias("orders", "live"), e.timeline())
	}
	// A second --resume has nothing to do.
	if _, err := e.deploy(context.Background(), awsexec.Plan{}, o); !errors.Is(err, awsexec.ErrNothingToResume) {
		t.Fatalf("second resume: %v", err)
	}
}

// TestAliasResumeRefusesForeignChange: if someone else moved the alias
// while shiftsim was down, resume stops without touching it.
func TestAliasResumeRefusesForeignChange(t *testing.T) {
	e := newEnv(t, 1)
	ctx, stop := killAt(e, 2, true)
	_, err := e.deploy(ctx, e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), e.opts())
	stop()
	if !errors.Is(err, awsexec.ErrKilled) {
		t.Fatal(err)
	}
	e.fake.SetAlias("orders", "live", "3", nil)
	o := e.opts()
	o.Resume = true
	_, err = e.deploy(context.Background(), awsexec.Plan{}, o)
	var ce *awsexec.ConflictError
	if !errors.As(err, &ce) || e.fake.Alias("orders", "live").String() != "3" {
		t.Fatalf("err %v, alias %s", err, e.fake.Alias("orders", "live"))
	}
}

// TestAliasJournalLock: a journal in use by a run cannot be opened by another.
func TestAliasJournalLock(t *testing.T) {
	e := newEnv(t, 1)
	j, _, err := awsexec.OpenJournal(e.journal, e.fake.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	_, err = e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "AllAtOnce"), e.opts())
	if err == nil || !strings.Contains(err.Error(), "in use by another shiftsim") {
		t.Fatalf("second opener: %v", err)
	}
	if len(e.fake.MutatingCalls()) != 0 {
		t.Fatal("a locked-out run made calls")
	}
}

// TestAliasResumeBeforeStart: the alarm poll before the start fails for
// good; --resume later starts the deployment from the beginning.
func TestAliasResumeBeforeStart(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.AddFault(&awsfake.Fault{Service: awsfake.CloudWatch, Kind: awsfake.ServerError, Skip: 1}) // the pre-check passes
	_, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes"), e.opts())
	var ae *awsexec.APIError
	if !errors.As(err, &ae) || ae.Op != "DescribeAlarms" || len(e.fake.MutatingCalls()) != 0 {
		t.Fatalf("err %v, %d mutating calls", err, len(e.fake.MutatingCalls()))
	}
	e.fake.ClearFaults()
	o := e.opts()
	o.Resume = true
	out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
	if err != nil || out.Status != deploy.Succeeded || e.history() != "0s 1+2@0.1, 5m0s 2" {
		t.Fatalf("resume: %v %+v %s\n%s", err, out, e.history(), e.timeline())
	}
}
