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

// TestCodeDeployHealthy: a predefined config is used as is; a custom one is
// created once and reused the next time. CodeDeploy (the fake) shifts the
// alias; the executor follows it to the end.
func TestCodeDeployHealthy(t *testing.T) {
	for _, tc := range []struct{ strategy, history string }{
		{"Canary10Percent5Minutes", "0s 1+2@0.1, 5m0s 2"},
		{"custom-canary-25-2", "0s 1+2@0.25, 2m0s 2"},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			e := newEnv(t, 1)
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecCodeDeploy, tc.strategy), e.opts())
			if err != nil {
				t.Fatalf("%v\n%s", err, e.timeline())
			}
			if out.Status != deploy.Succeeded || out.Alias.String() != "version 2" || !strings.HasPrefix(out.DeploymentID, "d-") {
				t.Fatalf("outcome %+v\n%s", out, e.timeline())
			}
			if got := e.history(); got != tc.history {
				t.Fatalf("alias history %s, want %s", got, tc.history)
			}
			for _, want := range []string{"UpdateAlias orders:live: version 2 weight", "(100% to 2) (CodeDeploy's, seen with GetAlias)", "Succeeded"} {
				if !strings.Contains(e.timeline(), want) {
					t.Fatalf("timeline lacks %q:\n%s", want, e.timeline())
				}
			}
			ds := e.fake.Deployments()
			if len(ds) != 1 || !strings.Contains(ds[0].Description, "orders:live 1->2") {
				t.Fatalf("deployments %+v", ds)
			}
			if custom := strings.HasPrefix(tc.strategy, "custom"); custom != (len(e.fake.CustomConfigs()) == 1) {
				t.Fatalf("custom configs %v", e.fake.CustomConfigs())
			}
			// Deploy 2 → 3 with the same strategy: the custom config is reused.
			p := e.plan(awsexec.ExecCodeDeploy, tc.strategy)
			p.Current, p.Target = "2", "3"
			if out, err = e.deploy(context.Background(), p, e.opts()); err != nil || out.Status != deploy.Succeeded {
				t.Fatalf("second deployment: %v %+v\n%s", err, out, e.timeline())
			}
			creates := 0
			for _, c := range e.fake.Calls() {
				if c.Op == "CreateDeploymentConfig" {
					creates++
				}
			}
			if want := len(e.fake.CustomConfigs()); creates != want {
				t.Fatalf("CreateDeploymentConfig called %d times, want %d", creates, want)
			}
		})
	}
}

// TestCodeDeployRollbacks: an alarm mid-shift stops the deployment and
// CodeDeploy's rollback deployment puts the alias back; so does a failing
// hook.
func TestCodeDeployRollbacks(t *testing.T) {
	for _, tc := range []struct {
		name, status, code, history string
		setup                       func(e *env, p *awsexec.Plan)
	}{
		{"alarm", "Stopped", "ALARM_ACTIVE", "0s 1+2@0.1, 1m0s 1+2@0.2, 2m0s 1+2@0.3, 2m30s 1", func(e *env, p *awsexec.Plan) {
			e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(150*time.Second), awsfake.ALARM)
		}},
		{"hook", "Failed", "HOOK_EXECUTION_FAILURE", "0s 1+2@0.1, 1m0s 1+2@0.2, 2m0s 1+2@0.3, 3m0s 1+2@0.4, 4m0s 1+2@0.5, 5m0s 1+2@0.6, 6m0s 1+2@0.7, 7m0s 1+2@0.8, 8m0s 1+2@0.9, 9m0s 2, 10m20s 1", func(e *env, p *awsexec.Plan) {
			e.fake.SetHook("CodeDeployHook_post", awsfake.Hook{Result: awsfake.HookFails, Duration: 20 * time.Second})
			p.AfterHook = "CodeDeployHook_post"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			p := e.plan(awsexec.ExecCodeDeploy, "Linear10PercentEvery1Minute")
			tc.setup(e, &p)
			out, err := e.deploy(context.Background(), p, e.opts())
			if err != nil {
				t.Fatalf("%v\n%s", err, e.timeline())
			}
			if string(out.Status) != tc.status || out.ErrorCode != tc.code || !out.RolledBack || out.Alias.String() != "version 1" {
				t.Fatalf("outcome %+v\n%s", out, e.timeline())
			}
			if e.history() != tc.history {
				t.Fatalf("alias history\n got %s\nwant %s", e.history(), tc.history)
			}
			if !strings.Contains(e.timeline(), "rollback deployment d-") {
				t.Fatalf("the rollback deployment is not in the timeline:\n%s", e.timeline())
			}
		})
	}
}

// TestCodeDeployInterrupt: Ctrl-C stops the deployment with rollback; with
// hold, without (the alias stays weighted, and --resume --rollback resets it).
func TestCodeDeployInterrupt(t *testing.T) {
	for _, policy := range []string{awsexec.OnInterruptRollback, awsexec.OnInterruptHold} {
		t.Run(policy, func(t *testing.T) {
			e := newEnv(t, 1)
			ch := make(chan struct{})
			polls := 0
			e.fake.AfterApply = func(c awsfake.Call) {
				if c.Op == "GetDeployment" {
					if polls++; polls == 5 { // at 2m00s
						close(ch)
					}
				}
			}
			o := e.opts()
			o.Interrupt, o.OnInterrupt = ch, policy
			out, err := e.deploy(context.Background(), e.plan(awsexec.ExecCodeDeploy, "Linear10PercentEvery1Minute"), o)
			if err != nil {
				t.Fatalf("%v\n%s", err, e.timeline())
			}
			var stop *awsfake.Call
			for _, c := range e.fake.Calls() {
				if c.Op == "StopDeployment" {
					stop = &c
				}
			}
			if stop == nil {
				t.Fatalf("no StopDeployment\n%s", e.timeline())
			}
			if policy == awsexec.OnInterruptRollback {
				if out.Status != deploy.Stopped || out.ErrorCode != "MANUAL_STOP" || !out.RolledBack || e.fake.Alias("orders", "live").String() != "1" ||
					!strings.Contains(stop.Input, `"autoRollbackEnabled":true`) {
					t.Fatalf("outcome %+v stop %s\n%s", out, stop.Input, e.timeline())
				}
				return
			}
			if !out.Held || e.fake.Alias("orders", "live").String() != "1+2@0.3" || !strings.Contains(stop.Input, `"autoRollbackEnabled":false`) ||
				!strings.Contains(e.timeline(), "HOLDING") {
				t.Fatalf("outcome %+v alias %s stop %s\n%s", out, e.fake.Alias("orders", "live"), stop.Input, e.timeline())
			}
			o = e.opts()
			o.Resume = true
			if _, err := e.deploy(context.Background(), awsexec.Plan{}, o); !errors.Is(err, awsexec.ErrNothingToResume) {
				t.Fatalf("plain --resume of a held CodeDeploy deployment: %v", err)
			}
			o.ResumeRollback = true
			out, err = e.deploy(context.Background(), awsexec.Plan{}, o)
			if err != nil || !out.RolledBack || e.fake.Alias("orders", "live").String() != "1" {
				t.Fatalf("--resume --rollback: %v %+v\n%s", err, out, e.timeline())
			}
		})
	}
}

// TestCodeDeployResumeAfterKill: killed at CreateDeploymentConfig or
// CreateDeployment, landed or not; --resume follows the deployment if one
// was created (found by its description when the answer was lost) and says
// there is nothing to resume otherwise.
func TestCodeDeployResumeAfterKill(t *testing.T) {
	for n := 1; n <= 2; n++ {
		for _, landed := range []bool{true, false} {
			t.Run(fmt.Sprintf("mutation %d landed=%v", n, landed), func(t *testing.T) {
				e := newEnv(t, 1)
				ctx, stop := killAt(e, n, landed)
				_, err := e.deploy(ctx, e.plan(awsexec.ExecCodeDeploy, "custom-canary-20-2"), e.opts())
				stop()
				if !errors.Is(err, awsexec.ErrKilled) {
					t.Fatalf("killed run: %v", err)
				}
				o := e.opts()
				o.Resume = true
				out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
				created := n == 2 && landed
				if !created {
					if !errors.Is(err, awsexec.ErrNothingToResume) || e.fake.Alias("orders", "live").String() != "1" {
						t.Fatalf("resume with no deployment created: %v", err)
					}
					return
				}
				if err != nil || out.Status != deploy.Succeeded || e.fake.Alias("orders", "live").String() != "2" || lastJournaled(t, e.journal).Type != awsexec.RecFinish {
					t.Fatalf("resume: %v %+v\n%s", err, out, e.timeline())
				}
			})
		}
	}
}

// TestCodeDeployPreflight: a group with a deployment in flight, an alias on
// the wrong version, a missing target version: refused, nothing changed.
func TestCodeDeployPreflight(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		setup      func(e *env, p *awsexec.Plan)
	}{
		{"weighted alias", "routes to two versions", func(e *env, p *awsexec.Plan) {
			e.fake.SetAlias("orders", "live", "1", map[string]float64{"3": 0.5})
		}},
		{"wrong current", "points at version 3", func(e *env, p *awsexec.Plan) { e.fake.SetAlias("orders", "live", "3", nil) }},
		{"no target", "version 9 of orders does not exist", func(e *env, p *awsexec.Plan) { p.Target = "9" }},
		{"no group", "deployment group nope does not exist", func(e *env, p *awsexec.Plan) { p.DeploymentGroup = "nope" }},
		{"no alarm", "alarm gone does not exist", func(e *env, p *awsexec.Plan) {
			e.fake.AddDeploymentGroup("app", awsfake.DeploymentGroup{Name: "dg", Alarms: []string{"gone"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			p := e.plan(awsexec.ExecCodeDeploy, "Canary10Percent5Minutes")
			tc.setup(e, &p)
			_, err := e.deploy(context.Background(), p, e.opts())
			var pe *awsexec.PreflightError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want a PreflightError with %q", err, tc.want)
			}
			if n := len(e.fake.MutatingCalls()); n != 0 {
				t.Fatalf("%d mutating calls after a failed pre-check", n)
			}
		})
	}
}
