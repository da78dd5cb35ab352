package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/strategies"
)

// onFakeClock makes deploy act on the fake's virtual clock for one test.
func onFakeClock(t *testing.T, f *awsfake.Server) {
	t.Helper()
	deployClock = f.Clock
	t.Cleanup(func() { deployClock = nil })
}

// TestDeployAppConfigCanary runs `deploy --strategy
// AppConfig.Canary10Percent20Minutes --yes` end to end against the fake,
// on its virtual clock. CodeDeploy cannot run an AppConfig strategy, so the
// alias executor does, even though the scenario names no executor and the
// account has a CodeDeploy group. The strategy (EXPONENTIAL, GrowthFactor
// 10, 20 minutes, final bake 10 minutes; docs/plans.md) exposes 10, 20, 40,
// 80 and 100 %, five steps over 20 minutes: step k at k·20/5 minutes; the
// deployment ends after the bake, at 30 minutes. Each step is one
// UpdateAlias, and these are the alias's only states.
func TestDeployAppConfigCanary(t *testing.T) {
	f := awsEnv(t)
	onFakeClock(t, f)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	code, out, errOut := runCLI("deploy", writeScenario(t), "--strategy", "AppConfig.Canary10Percent20Minutes",
		"--application", "app", "--deployment-group", "dg", "--before-hook", "CodeDeployHook_pre", "--endpoint-url", f.URL, "--journal", journal, "--yes")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, w := range []string{"strategy AppConfig.Canary10Percent20Minutes (AppConfig.Canary10Percent20Minutes)  executor alias",
		"UpdateAlias orders:live: version 2 weight 10%", "UpdateAlias orders:live: version 2 weight 80%",
		"(100% to 2); final bake: alarms watched for 10 min", "Succeeded: alias orders:live is at version 2"} {
		if !strings.Contains(out, w) {
			t.Fatalf("output lacks %q:\n%s", w, out)
		}
	}
	if !strings.Contains(errOut, "CodeDeploy cannot run") || !strings.Contains(errOut, "hook functions CodeDeployHook_pre are not invoked") {
		t.Errorf("stderr does not say why the alias executor runs it without hooks:\n%s", errOut)
	}
	begin := journalBegin(t, journal)
	var got []string
	for _, h := range f.AliasHistory("orders", "live")[1:] {
		got = append(got, h.At.Sub(begin).String()+" "+h.String())
	}
	want := []string{"4m0s 1+2@0.1", "8m0s 1+2@0.2", "12m0s 1+2@0.4", "16m0s 1+2@0.8", "20m0s 2"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("UpdateAlias sequence\n got %q\nwant %q\n%s", got, want, out)
	}
	fin := journalFinish(t, journal)
	if fin.Status != "Succeeded" || fin.T != "30m0s" {
		t.Errorf("finish record %+v, want Succeeded at 30m0s (after the 10-minute bake)", fin)
	}
	if n := f.CallCount(awsfake.CodeDeploy, "CreateDeployment"); n != 0 {
		t.Errorf("CodeDeploy got %d CreateDeployment calls", n)
	}
	j, _ := os.ReadFile(journal)
	noSecrets(t, out, errOut, string(j))
}

// TestDeployAppConfigDryRun: the dry run of an AppConfig plan prints every
// UpdateAlias with its weight and time, the alarm polls up to the end of the
// bake, and the rollback.
func TestDeployAppConfigDryRun(t *testing.T) {
	f := awsEnv(t)
	code, out, errOut := runCLI("deploy", writeScenario(t), "--strategy", "AppConfig.Linear20PercentEvery6Minutes", "--endpoint-url", f.URL)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var calls []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "UpdateAlias ") {
			calls = append(calls, l)
		}
	}
	// LINEAR 20 % over 30 minutes: 5 steps, step k at k·6 minutes; bake 30 minutes.
	want := []string{`"AdditionalVersionWeights":{"2":0.2}}`, `# t+6m00s: version 2 at 20%`,
		`"AdditionalVersionWeights":{"2":0.4}}`, `# t+12m00s`, `"AdditionalVersionWeights":{"2":0.6}}`, `# t+18m00s`,
		`"AdditionalVersionWeights":{"2":0.8}}`, `# t+24m00s`, `FunctionVersion=2 RoutingConfig={"AdditionalVersionWeights":{}}`, `# t+30m00s: version 2 at 100%`}
	if len(calls) != 5 {
		t.Fatalf("%d UpdateAlias lines, want 5:\n%s", len(calls), out)
	}
	joined := strings.Join(calls[:5], "\n")
	at := 0
	for _, w := range want {
		i := strings.Index(joined[at:], w)
		if i < 0 {
			t.Fatalf("no %q (in order) in\n%s", w, joined)
		}
		at += i
	}
	if !strings.Contains(out, "until the end at t+1h00m00s") || !strings.Contains(out, "#   UpdateAlias FunctionName=orders Name=live FunctionVersion=1 ") {
		t.Errorf("alarm polls through the bake, or the rollback, missing:\n%s", out)
	}
}

func journalRecords(t *testing.T, path string) []awsexec.Record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []awsexec.Record
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r awsexec.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}

func journalBegin(t *testing.T, path string) time.Time {
	t.Helper()
	return journalRecords(t, path)[0].Time
}

func journalFinish(t *testing.T, path string) awsexec.Record {
	t.Helper()
	recs := journalRecords(t, path)
	return recs[len(recs)-1]
}

// TestDeployResetLeftWeighted: a deployment stopped without rollback
// (--on-interrupt=stop) leaves the alias weighted and its journal finished;
// `deploy --resume --rollback` shows the reset as a dry run, and with --yes
// makes it.
func TestDeployResetLeftWeighted(t *testing.T) {
	f := awsEnv(t)
	cfg, _ := strategies.Lookup("Linear10PercentEvery1Minute")
	p := awsexec.Plan{Executor: awsexec.ExecAlias, Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: cfg.Name,
		Config: cfg, Schedule: cfg.Plan(strategies.EndAfterLastInterval), AutoRollback: true}
	interrupt, n := make(chan struct{}), 0
	f.AfterApply = func(c awsfake.Call) {
		if c.Op == "UpdateAlias" {
			if n++; n == 2 {
				close(interrupt)
			}
		}
	}
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	out, err := awsexec.Deploy(context.Background(), p, awsexec.Options{Clients: awsexec.NewClients(f.AWSConfig(2), awsexec.Limits{}, f.Clock), Clock: f.Clock,
		Journal: journal, OnInterrupt: awsexec.OnInterruptStop, Interrupt: interrupt})
	f.AfterApply = nil
	if err != nil || out.Status != "Stopped" || f.Alias("orders", "live").String() != "1+2@0.2" {
		t.Fatalf("stop: %v %+v alias %s", err, out, f.Alias("orders", "live"))
	}
	code, dry, errOut := runCLI("deploy", "--resume", "--rollback", "--journal", journal, "--endpoint-url", f.URL)
	if code != 0 || !strings.Contains(dry, "LEFT at version 1 at 80%, version 2 at 20%") || !strings.Contains(dry, "UpdateAlias FunctionName=orders Name=live FunctionVersion=1") ||
		f.Alias("orders", "live").String() != "1+2@0.2" {
		t.Fatalf("dry run: exit %d alias %s\n%s\n%s", code, f.Alias("orders", "live"), dry, errOut)
	}
	onFakeClock(t, f)
	code, got, errOut := runCLI("deploy", "--resume", "--rollback", "--yes", "--journal", journal, "--endpoint-url", f.URL)
	if code != exitError || !strings.Contains(got, "rolled back") || f.Alias("orders", "live").String() != "1" {
		t.Fatalf("reset: exit %d alias %s\n%s\n%s", code, f.Alias("orders", "live"), got, errOut)
	}
}

// TestDeployArgoCanary runs `deploy examples/argo.yaml --strategy
// argo-canary --yes` end to end against the fake, on its virtual clock:
// CodeDeploy cannot run an Argo plan, so the alias executor does, reading
// its gates with GetMetricData. The fake's CloudWatch holds, for every
// minute, 100 invocations per version and errors% of them failed; the
// latency gate (a dryRun metric in the example) finds no Duration data and
// cannot stop anything. With 1 % errors the error-rate analysis (initial
// delay 1m, 5 measurements a minute apart, failureCondition result > 2)
// passes at 7m: 10 % at 0, 50 % at 7m, 100 % after the 5-minute pause at
// 12m. With 5 % it fails its second measurement (failureLimit 1) at 4m and
// the abort puts all traffic back on version 1 at once.
func TestDeployArgoCanary(t *testing.T) {
	for _, tc := range []struct {
		errors  float64
		code    int
		history string
	}{
		{1, 0, "0s 1+2@0.1, 7m0s 1+2@0.5, 12m0s 2"},
		{5, exitError, "0s 1+2@0.1, 4m0s 1"},
	} {
		t.Run(fmt.Sprint(tc.errors, "% errors"), func(t *testing.T) {
			f := awsEnv(t)
			onFakeClock(t, f)
			for m := -5; m < 40; m++ {
				at := awsfake.Epoch.Add(time.Duration(m) * time.Minute)
				for _, v := range []string{"1", "2"} {
					dims := map[string]string{"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": v}
					f.PutMetric("AWS/Lambda", "Invocations", dims, at, 100)
					f.PutMetric("AWS/Lambda", "Errors", dims, at, tc.errors)
				}
			}
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			code, out, errOut := runCLI("deploy", "../../examples/argo.yaml", "--strategy", "argo-canary", "--endpoint-url", f.URL, "--journal", journal, "--yes")
			begin := journalBegin(t, journal)
			var got []string
			for _, h := range f.AliasHistory("orders", "live")[1:] {
				got = append(got, h.At.Sub(begin).String()+" "+h.String())
			}
			if code != tc.code || strings.Join(got, ", ") != tc.history {
				t.Fatalf("exit %d, alias history %q, want %d and %q\n%s\n%s", code, got, tc.code, tc.history, out, errOut)
			}
			if !strings.Contains(out, "executor alias") || !strings.Contains(out, "measure error-rate (error_rate target 1m0s): "+fmt.Sprint(tc.errors)+"%") {
				t.Errorf("output:\n%s", out)
			}
			if n := f.CallCount(awsfake.CloudWatch, "GetMetricData"); n == 0 {
				t.Error("no GetMetricData call")
			}
		})
	}
}
