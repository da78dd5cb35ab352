package awsexec_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/strategies"
)

// TestRealAWS runs the executors against a real account. It is skipped
// unless SHIFTSIM_AWS_IT=1 and credentials are available, and needs:
//
//	SHIFTSIM_IT_FUNCTION, SHIFTSIM_IT_ALIAS   a function and an alias on...
//	SHIFTSIM_IT_CURRENT, SHIFTSIM_IT_TARGET   ...two published versions (the alias 100 % on CURRENT)
//	SHIFTSIM_IT_ALARM                         optional: a metric alarm, forced to ALARM with SetAlarmState
//	SHIFTSIM_IT_APPLICATION, SHIFTSIM_IT_GROUP optional: a Lambda deployment group for that alias
//
// Each deployment is undone by the next one, so the alias ends where it began.
// The account's region and credentials come from the default chain.
func TestRealAWS(t *testing.T) {
	if os.Getenv("SHIFTSIM_AWS_IT") != "1" {
		t.Skip("set SHIFTSIM_AWS_IT=1 (and credentials, SHIFTSIM_IT_*) to run against a real AWS account")
	}
	ctx := context.Background()
	cfg, err := awsexec.LoadConfig(ctx, awsexec.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if err := awsexec.CheckCredentials(ctx, cfg, 10*time.Second); err != nil {
		t.Skipf("no credentials: %v", err)
	}
	env := func(k string) string { return os.Getenv("SHIFTSIM_IT_" + k) }
	fn, alias, cur, tgt := env("FUNCTION"), env("ALIAS"), env("CURRENT"), env("TARGET")
	if fn == "" || alias == "" || cur == "" || tgt == "" {
		t.Fatal("SHIFTSIM_IT_FUNCTION, _ALIAS, _CURRENT and _TARGET are required")
	}
	clients := awsexec.NewClients(cfg, awsexec.DefaultLimits, nil)
	cfgCanary := strategies.Config{Name: "shiftsim-it-Canary50Percent1Minutes", Type: strategies.Canary, Percentage: 50, Interval: 1}
	plan := func(executor, from, to string) awsexec.Plan {
		p := awsexec.Plan{Executor: executor, Function: fn, Alias: alias, Current: from, Target: to, Strategy: "it-canary",
			Config: cfgCanary, Schedule: cfgCanary.Plan(strategies.EndAfterLastInterval), AutoRollback: true,
			Application: env("APPLICATION"), DeploymentGroup: env("GROUP")}
		if a := env("ALARM"); a != "" {
			p.Alarms = []string{a}
		}
		return p
	}
	opts := func() awsexec.Options {
		return awsexec.Options{Clients: clients, Journal: filepath.Join(t.TempDir(), "it.jsonl"), AlarmPoll: 5 * time.Second, FollowPoll: 5 * time.Second,
			Log: func(e awsexec.Entry) { t.Logf("t+%v %s", e.T.Round(time.Second), e.Line()) }}
	}

	var dry bytes.Buffer
	if err := awsexec.DryRun(ctx, plan(awsexec.ExecAlias, cur, tgt), clients, opts(), &dry); err != nil || strings.Contains(dry.String(), "PROBLEM") {
		t.Fatalf("dry run: %v\n%s", err, dry.String())
	}
	for _, step := range [][2]string{{cur, tgt}, {tgt, cur}} {
		out, err := awsexec.Deploy(ctx, plan(awsexec.ExecAlias, step[0], step[1]), opts())
		if err != nil || out.Status != deploy.Succeeded || out.Alias.Version != step[1] {
			t.Fatalf("alias executor %s→%s: %v %+v", step[0], step[1], err, out)
		}
	}
	if a := env("ALARM"); a != "" {
		o := opts()
		forced := false
		log := o.Log
		o.Log = func(e awsexec.Entry) {
			log(e)
			if e.Kind == "weight" && !forced {
				forced = true
				_, err := clients.CloudWatch.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(a),
					StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("shiftsim integration test")})
				if err != nil {
					t.Errorf("SetAlarmState: %v", err)
				}
			}
		}
		out, err := awsexec.Deploy(ctx, plan(awsexec.ExecAlias, cur, tgt), o)
		if err != nil || out.Status != deploy.Stopped || !out.RolledBack || out.Alias.Version != cur {
			t.Fatalf("alarm rollback: %v %+v", err, out)
		}
	}
	if env("APPLICATION") != "" && env("GROUP") != "" {
		for _, step := range [][2]string{{cur, tgt}, {tgt, cur}} {
			out, err := awsexec.Deploy(ctx, plan(awsexec.ExecCodeDeploy, step[0], step[1]), opts())
			if err != nil || out.Status != deploy.Succeeded {
				t.Fatalf("codedeploy executor %s→%s: %v %+v", step[0], step[1], err, out)
			}
		}
	}
}
