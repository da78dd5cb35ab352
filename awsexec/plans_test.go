package awsexec_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/strategies"
)

// exp125 is a custom AppConfig strategy with fractional steps: EXPONENTIAL,
// GrowthFactor 12.5 → 12.5, 25, 50, 100 %, four steps over 8 minutes (step k
// at 2k minutes), then a 3-minute bake; INSUFFICIENT_DATA rolls it back.
func exp125(e *env) awsexec.Plan {
	cfg := strategies.FromDeploymentStrategy(strategies.DeploymentStrategy{Name: "Exp12.5", GrowthType: strategies.GrowthExponential,
		GrowthFactor: 12.5, DeploymentDurationInMinutes: 8, FinalBakeTimeInMinutes: 3})
	cfg.InsufficientDataRollsBack = true
	p := e.plan(awsexec.ExecAlias, "AllAtOnce")
	p.Strategy, p.Config, p.Schedule = cfg.Name, cfg, cfg.Plan(strategies.LinearModel(0))
	return p
}

// TestAliasAppConfigFractional runs the fractional plan on the fake: each
// step is one UpdateAlias with the exact weight (0.125, not a rounding of
// it), at its time; the deployment ends after the bake.
func TestAliasAppConfigFractional(t *testing.T) {
	e := newEnv(t, 1)
	out, err := e.deploy(context.Background(), exp125(e), e.opts())
	if err != nil {
		t.Fatal(err)
	}
	if h := e.history(); out.Status != deploy.Succeeded || h != "2m0s 1+2@0.125, 4m0s 1+2@0.25, 6m0s 1+2@0.5, 8m0s 2" {
		t.Fatalf("%s: %s\n%s", out.Status, h, e.timeline())
	}
	if fin := lastJournaled(t, e.journal); fin.T != "11m0s" {
		t.Errorf("finish at %s, want 11m0s (8 min of steps and the 3-minute bake)", fin.T)
	}
}

// TestAliasAppConfigResume: killed after its second step landed (answer
// lost), the fractional plan resumes from the journal alone — which must
// therefore hold the AppConfig parameters — and finishes; the weights never
// go down and the steps after the resume keep their spacing.
func TestAliasAppConfigResume(t *testing.T) {
	e := newEnv(t, 1)
	ctx, stop := killAt(e, 2, true)
	_, err := e.deploy(ctx, exp125(e), e.opts())
	stop()
	if !errors.Is(err, awsexec.ErrKilled) {
		t.Fatal(err)
	}
	e.fake.Clock.Advance(3 * time.Minute)
	o := e.opts()
	o.Resume = true
	out, err := e.deploy(context.Background(), awsexec.Plan{}, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, e.timeline())
	}
	if h := e.history(); out.Status != deploy.Succeeded || h != "2m0s 1+2@0.125, 4m0s 1+2@0.25, 9m0s 1+2@0.5, 11m0s 2" {
		t.Fatalf("%s: %s\n%s", out.Status, h, e.timeline())
	}
	recs := journalRecords(t, e.journal)
	jp, err := awsexec.JournalPlan(recs[0])
	if err != nil || jp.Config.AppConfig.GrowthFactor != 12.5 || !jp.Config.InsufficientDataRollsBack || jp.DeploymentConfigName() != "Exp12.5" {
		t.Fatalf("journal plan %+v %v", jp.Config, err)
	}
}

// TestAliasAppConfigInsufficientData: an AppConfig plan that asks for it
// rolls back when an alarm goes to INSUFFICIENT_DATA, as the simulator's
// does (docs/plans.md); a CodeDeploy plan goes on.
func TestAliasAppConfigInsufficientData(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan func(e *env) awsexec.Plan
		want deploy.Status
	}{
		{"AppConfig", exp125, deploy.Stopped},
		{"CodeDeploy", func(e *env) awsexec.Plan { return e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes") }, deploy.Succeeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.fake.SetAlarmAt("orders-errors", awsfake.Epoch.Add(3*time.Minute), awsfake.InsufficientData)
			out, err := e.deploy(context.Background(), tc.plan(e), e.opts())
			if err != nil || out.Status != tc.want {
				t.Fatalf("%v %+v\n%s", err, out, e.timeline())
			}
			if tc.want == deploy.Stopped && (e.fake.Alias("orders", "live").String() != "1" || out.Cause != "alarm:orders-errors") {
				t.Fatalf("%+v alias %s", out, e.fake.Alias("orders", "live"))
			}
		})
	}
}
