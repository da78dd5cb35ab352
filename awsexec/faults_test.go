package awsexec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// chaos makes a fifth of all requests throttled, a tenth answer 500, one in
// twenty lose their connection, and one UpdateAlias in ten, one Invoke in
// five and one CreateDeployment in three take effect with their answer lost,
// all drawn from the fake's seeded generator.
func chaos(f *awsfake.Server) {
	f.AddFault(&awsfake.Fault{Kind: awsfake.Throttle, Prob: 0.2})
	f.AddFault(&awsfake.Fault{Kind: awsfake.ServerError, Prob: 0.1})
	f.AddFault(&awsfake.Fault{Kind: awsfake.Drop, Prob: 0.05})
	f.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.DropAfter, Prob: 0.1})
	f.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "Invoke", Kind: awsfake.DropAfter, Prob: 0.2})
	f.AddFault(&awsfake.Fault{Service: awsfake.CodeDeploy, Op: "CreateDeployment", Kind: awsfake.DropAfter, Prob: 0.3})
}

// End paths declared() tells apart.
const (
	endRefused  = "refused" // the pre-checks failed; nothing changed
	endDirect   = "direct"  // the run itself reached its end
	endResumed  = "resumed" // an AWS error stopped it; --resume finished it
	endNoResume = "nothing" // an AWS error stopped it before anything changed; --resume says so
)

// declared checks that a run ended in a declared state: refused by its
// pre-checks with nothing changed, Succeeded with the alias 100 % on the
// target, stopped/failed and rolled back with it 100 % on the current
// version, or stopped by an AWS error that --resume (faults gone) then brings
// to one of those ends, or finds nothing to resume as nothing was changed;
// the journal's last record says where the alias is. It returns which of
// those paths the run took.
func declared(t *testing.T, e *env, out *awsexec.Outcome, err error) string {
	t.Helper()
	alias := e.fake.Alias("orders", "live")
	var pe *awsexec.PreflightError
	if errors.As(err, &pe) { // the pre-checks could not be made: nothing may have changed
		if alias.String() != "1" || len(e.fake.MutatingCalls()) != 0 {
			t.Fatalf("pre-checks failed (%v) yet the alias is %s after %d mutating calls", err, alias, len(e.fake.MutatingCalls()))
		}
		return endRefused
	}
	path := endDirect
	if err != nil {
		var ae *awsexec.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("run stopped by %v, want an AWS error\n%s", err, e.timeline())
		}
		if !strings.Contains(err.Error(), "--resume") {
			t.Fatalf("the error does not say how to go on: %v", err)
		}
		e.fake.ClearFaults()
		o := e.opts()
		o.Resume = true
		out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
		alias = e.fake.Alias("orders", "live")
		if errors.Is(err, awsexec.ErrNothingToResume) { // the codedeploy executor created nothing
			for _, d := range e.fake.Deployments() {
				t.Fatalf("nothing to resume, yet CodeDeploy has deployment %+v\n%s", d, e.timeline())
			}
			fin := lastJournaled(t, e.journal)
			if alias.String() != "1" || fin.Type != awsexec.RecFinish || fin.Status != "Abandoned" {
				t.Fatalf("nothing to resume (%v), yet the alias is %s and the journal ends with %+v\n%s", err, alias, fin, e.timeline())
			}
			creates(t, e)
			return endNoResume
		}
		if err != nil {
			t.Fatalf("resume after %v: %v\n%s", ae, err, e.timeline())
		}
		path = endResumed
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
	if n := len(e.fake.Deployments()); n > 2 { // one, and CodeDeploy's own rollback deployment
		t.Fatalf("%d CodeDeploy deployments for one run: %+v\n%s", n, e.fake.Deployments(), e.timeline())
	}
	creates(t, e)
	return path
}

// creates checks that CreateDeployment reached CodeDeploy at most once: a
// request whose answer was lost is found, not asked again.
func creates(t *testing.T, e *env) {
	t.Helper()
	var reached []string
	for _, c := range e.fake.Calls() {
		if c.Op == "CreateDeployment" && (c.Fault == "" || c.Fault == awsfake.DropAfter.String()) {
			reached = append(reached, fmt.Sprintf("%v (%s)", c.At.Sub(awsfake.Epoch), c.Fault))
		}
	}
	if len(reached) > 1 {
		t.Fatalf("CreateDeployment reached CodeDeploy %d times: %v\n%s", len(reached), reached, e.timeline())
	}
}

// firedAll checks that every fault kind chaos installs fired somewhere in a
// test's seeds, and that every end path it asks for was taken.
func firedAll(t *testing.T, fired map[awsfake.Fired]int, paths map[string]int, want ...awsfake.Fired) {
	t.Helper()
	sum := func(w awsfake.Fired) int {
		n := 0
		for k, c := range fired {
			if k.Kind == w.Kind && (w.Service == "" || k.Service == w.Service) && (w.Op == "" || k.Op == w.Op) {
				n += c
			}
		}
		return n
	}
	for _, w := range want {
		if sum(w) == 0 {
			t.Errorf("no %s fault fired on %s %s in any seed: the test exercised nothing there (%v)", w.Kind, w.Service, w.Op, fired)
		}
	}
	if paths[endResumed] == 0 {
		t.Errorf("no seed took the path \"AWS error, then --resume\" (%v)", paths)
	}
}

// TestAliasUnderFaults runs the alias executor through injected throttling,
// 5xx, dropped connections and lost answers, with and without an alarm
// firing. In every fourth seed UpdateAlias breaks for good after its third
// request, so that the run stops with an AWS error and --resume must finish
// it; in every third, the first hook's answer is lost.
func TestAliasUnderFaults(t *testing.T) {
	fired, paths := map[awsfake.Fired]int{}, map[string]int{}
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			e := newEnv(t, seed)
			broken := &awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.ServerError, Skip: 3}
			if seed%4 == 1 {
				e.fake.AddFault(broken)
			}
			if seed%3 == 1 { // the BeforeAllowTraffic hook runs, its answer is lost; the SDK retries it
				e.fake.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "Invoke", Kind: awsfake.DropAfter, Count: 1})
			}
			chaos(e.fake)
			if seed%3 == 0 {
				e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(3*time.Minute+30*time.Second), awsfake.ALARM)
			}
			e.fake.SetHook("pre", awsfake.Hook{Duration: 5 * time.Second})
			e.fake.SetHook("post", awsfake.Hook{Duration: 5 * time.Second})
			p := e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute")
			p.BeforeHook, p.AfterHook = "pre", "post"
			out, err := e.deploy(context.Background(), p, e.opts())
			path := declared(t, e, out, err)
			if seed%4 == 1 && path == endDirect && out.Status == deploy.Succeeded {
				t.Fatalf("UpdateAlias broken for good, yet the run succeeded by itself\n%s", e.timeline())
			}
			if e.fake.FiredCount(0, "", "") == 0 {
				t.Fatal("no fault fired")
			}
			paths[path]++
			for k, n := range e.fake.FiredCounts() {
				fired[k] += n
			}
		})
	}
	firedAll(t, fired, paths,
		awsfake.Fired{Kind: awsfake.Throttle, Service: awsfake.Lambda}, awsfake.Fired{Kind: awsfake.Throttle, Service: awsfake.CloudWatch},
		awsfake.Fired{Kind: awsfake.ServerError}, awsfake.Fired{Kind: awsfake.Drop},
		awsfake.Fired{Kind: awsfake.DropAfter, Service: awsfake.Lambda, Op: "UpdateAlias"},
		awsfake.Fired{Kind: awsfake.DropAfter, Service: awsfake.Lambda, Op: "Invoke"})
	t.Logf("end paths %v; faults fired %v", paths, fired)
}

// TestCodeDeployUnderFaults does the same with the codedeploy executor. In
// every fourth seed GetDeployment breaks for good after its second request,
// so that shiftsim loses track of the deployment and --resume must follow it
// to its end; in every third, CreateDeployment's first request lands and its
// answer is lost, so that the retry must find the deployment it created
// instead of creating another.
func TestCodeDeployUnderFaults(t *testing.T) {
	fired, paths := map[awsfake.Fired]int{}, map[string]int{}
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			e := newEnv(t, seed)
			if seed%4 == 1 {
				e.fake.AddFault(&awsfake.Fault{Service: awsfake.CodeDeploy, Op: "GetDeployment", Kind: awsfake.ServerError, Skip: 2})
			}
			if seed%3 == 2 {
				e.fake.AddFault(&awsfake.Fault{Service: awsfake.CodeDeploy, Op: "CreateDeployment", Kind: awsfake.DropAfter, Count: 1})
			}
			chaos(e.fake)
			if seed%3 == 0 {
				e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(3*time.Minute+30*time.Second), awsfake.ALARM)
			}
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecCodeDeploy, "custom-linear-20-1"), e.opts())
			path := declared(t, e, out, err)
			if seed%4 == 1 && path == endDirect {
				t.Fatalf("GetDeployment broken for good, yet the run followed the deployment to its end\n%s", e.timeline())
			}
			if seed%3 == 2 && path != endRefused && e.fake.FiredCount(awsfake.DropAfter, awsfake.CodeDeploy, "CreateDeployment") == 0 {
				t.Fatalf("CreateDeployment's answer was not lost (path %q)\n%s", path, e.timeline())
			}
			paths[path]++
			for k, n := range e.fake.FiredCounts() {
				fired[k] += n
			}
		})
	}
	firedAll(t, fired, paths,
		awsfake.Fired{Kind: awsfake.Throttle, Service: awsfake.CodeDeploy}, awsfake.Fired{Kind: awsfake.Throttle, Service: awsfake.Lambda},
		awsfake.Fired{Kind: awsfake.ServerError}, awsfake.Fired{Kind: awsfake.Drop},
		awsfake.Fired{Kind: awsfake.DropAfter, Service: awsfake.CodeDeploy, Op: "CreateDeployment"})
	t.Logf("end paths %v; faults fired %v", paths, fired)
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
	fired := map[awsfake.FaultKind]int{}
	for _, ex := range []string{awsexec.ExecAlias, awsexec.ExecCodeDeploy} {
		for seed := uint64(1); seed <= 6; seed++ {
			e := newEnv(t, seed)
			chaos(e.fake)
			e.fake.AddFault(&awsfake.Fault{Kind: awsfake.ServerError, Prob: 0.2})
			e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(2*time.Minute), awsfake.ALARM)
			out, err := e.deploy(context.Background(), e.plan(ex, "Linear10PercentEvery1Minute"), e.opts())
			fmt.Fprintf(&all, "%+v %v\n%s\n", out, err, e.timeline())
			var dry bytes.Buffer
			derr := awsexec.DryRun(context.Background(), e.plan(ex, "Canary10Percent5Minutes"), e.clients, e.opts(), &dry)
			fmt.Fprintf(&all, "%v\n%s%s", derr, dry.String(), e.journalText())
			for k, n := range e.fake.FiredCounts() {
				fired[k.Kind] += n
			}
		}
	}
	for _, secret := range []string{awsfake.AccessKeyID, awsfake.SecretAccessKey, awsfake.SessionToken} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("%q appears in shiftsim's output", secret)
		}
	}
	// The faults did fire, and their errors did reach the output checked.
	for _, k := range []awsfake.FaultKind{awsfake.Throttle, awsfake.ServerError, awsfake.Drop, awsfake.DropAfter} {
		if fired[k] == 0 {
			t.Errorf("no %s fault fired: the test exercised nothing there (%v)", k, fired)
		}
	}
	if n := len(regexp.MustCompile(`AWS \w+ failed: `).FindAllString(all.String(), -1)); n < 5 {
		t.Errorf("%d AWS errors in the output checked: the errors that carry request details were hardly printed", n)
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

// TestAliasLostAnswerThenFailure: the first UpdateAlias (10 %) lands but its
// answer is lost, and the SDK's retries are all refused, so the executor
// sees a failed call while the alias has moved. The rollback must still put
// the alias back (it may not assume the failed call changed nothing); and
// when the rollback cannot be made either, --resume must recognise the
// state as one of its own calls' and finish the rollback, not call it a
// foreign change.
func TestAliasLostAnswerThenFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after awsfake.Fault // what the retries and later calls meet
	}{
		{"rollback in the run", awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.Throttle, Count: 3}},
		{"rollback by --resume", awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.ServerError}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.fake.AddFault(&awsfake.Fault{Service: awsfake.Lambda, Op: "UpdateAlias", Kind: awsfake.DropAfter, Count: 1})
			after := tc.after
			e.fake.AddFault(&after)
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecAlias, "Linear10PercentEvery1Minute"), e.opts())
			if e.fake.FiredCount(awsfake.DropAfter, awsfake.Lambda, "UpdateAlias") != 1 || e.fake.FiredCount(after.Kind, awsfake.Lambda, "UpdateAlias") < 3 {
				t.Fatalf("the faults did not fire: %v", e.fake.FiredCounts())
			}
			if tc.after.Count != 0 { // the rollback got through
				if err != nil || out.Status != deploy.Stopped || !out.RolledBack || e.fake.Alias("orders", "live").String() != "1" {
					t.Fatalf("%v %+v, alias %s\n%s", err, out, e.fake.Alias("orders", "live"), e.timeline())
				}
				if e.history() != "0s 1+2@0.1, 0s 1" {
					t.Fatalf("alias history %s\n%s", e.history(), e.timeline())
				}
				return
			}
			var ae *awsexec.APIError
			if !errors.As(err, &ae) || e.fake.Alias("orders", "live").String() != "1+2@0.1" {
				t.Fatalf("%v, alias %s\n%s", err, e.fake.Alias("orders", "live"), e.timeline())
			}
			e.fake.ClearFaults()
			o := e.opts()
			o.Resume = true
			out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
			if err != nil || out.Status != deploy.Stopped || !out.RolledBack || e.fake.Alias("orders", "live").String() != "1" {
				t.Fatalf("resume: %v %+v, alias %s\n%s", err, out, e.fake.Alias("orders", "live"), e.timeline())
			}
		})
	}
}
