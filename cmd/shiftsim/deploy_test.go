package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// deployScenario is a small scenario for orders:live, 1 → 2, one alarm and
// a BeforeAllowTraffic hook.
const deployScenario = `name: deploy-test
function: {name: orders, alias: live}
traffic: {rate: 10}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
alarms:
  - AlarmName: orders-errors
    MetricName: Errors
    Namespace: AWS/Lambda
    Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 2
    Threshold: 5
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
hooks:
  BeforeAllowTraffic: {duration: 10s, catch_probability: 0.5}
deployment:
  strategies: [AllAtOnce, Canary10Percent5Minutes]
`

// fakeAccount points the SDK's default chain at an empty fake: fake static
// credentials in the environment, no shared files, no instance metadata.
func fakeAccount(t *testing.T) *awsfake.Server {
	t.Helper()
	f := awsfake.New(nil, 1)
	t.Cleanup(f.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", awsfake.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsfake.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", awsfake.SessionToken)
	t.Setenv("AWS_REGION", awsfake.Region)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	return f
}

// awsEnv is the fake account most deploy tests read: orders:live at
// version 1, an alarm, a hook and a deployment group.
func awsEnv(t *testing.T) *awsfake.Server {
	t.Helper()
	f := fakeAccount(t)
	f.PutFunction("orders", awsfake.Version{Version: "1"}, awsfake.Version{Version: "2"})
	f.SetAlias("orders", "live", "1", nil)
	f.AddAlarm("orders-errors", awsfake.OK)
	f.SetHook("CodeDeployHook_pre", awsfake.Hook{})
	f.AddDeploymentGroup("app", awsfake.DeploymentGroup{Name: "dg", Alarms: []string{"orders-errors"}, AutoRollback: true})
	return f
}

func writeScenario(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "deploy.yaml")
	if err := os.WriteFile(p, []byte(deployScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{awsfake.AccessKeyID, awsfake.SecretAccessKey, awsfake.SessionToken} {
			if strings.Contains(s, secret) {
				t.Fatalf("a credential appears in the output:\n%s", s)
			}
		}
	}
}

func TestDeployCLI(t *testing.T) {
	scen := writeScenario(t)
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		alias string
		want  []string
	}{
		{"alias", []string{"--executor", "alias"}, 0, "2",
			[]string{"invoke BeforeAllowTraffic hook: Invoke CodeDeployHook_pre", "UpdateAlias orders:live: FunctionVersion 2, no additional version (100% to 2)", "Succeeded: alias orders:live is at version 2"}},
		{"codedeploy", []string{"--application", "app", "--deployment-group", "dg", "--poll-interval", "1ms"}, 0, "2",
			[]string{"CreateDeployment: deployment d-", "UpdateAlias orders:live: FunctionVersion 2", "Succeeded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := awsEnv(t)
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			args := append([]string{"deploy", scen, "--strategy", "AllAtOnce", "--backend", "aws", "--before-hook", "CodeDeployHook_pre",
				"--endpoint-url", f.URL, "--journal", journal, "--yes"}, tc.args...)
			code, out, errOut := runCLI(args...)
			if code != tc.code || f.Alias("orders", "live").String() != tc.alias {
				t.Fatalf("exit %d alias %s\n%s\n%s", code, f.Alias("orders", "live"), out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output lacks %q:\n%s", w, out)
				}
			}
			j, _ := os.ReadFile(journal)
			noSecrets(t, out, errOut, string(j))
		})
	}
}

// TestDeployCLIStopped: an alarm already in ALARM stops the deployment at
// its start (exit 1), and the next run on the journal starts afresh.
func TestDeployCLIStopped(t *testing.T) {
	f := awsEnv(t)
	f.AddAlarm("orders-errors", awsfake.ALARM)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	args := []string{"deploy", writeScenario(t), "--strategy", "AllAtOnce", "--backend", "aws", "--before-hook", "CodeDeployHook_pre",
		"--endpoint-url", f.URL, "--journal", journal, "--yes"}
	code, out, errOut := runCLI(args...)
	if code != exitError || f.Alias("orders", "live").String() != "1" || !strings.Contains(errOut, "Stopped ALARM_ACTIVE") {
		t.Fatalf("exit %d alias %s\n%s\n%s", code, f.Alias("orders", "live"), out, errOut)
	}
	if n := len(f.MutatingCalls()); n != 0 {
		t.Fatalf("%d mutating calls for a deployment stopped before any shift", n)
	}
}

// TestDeployCLIDryRun: without --yes no mutating call is made, every line
// is a call or a comment, and the exit status is 0 — also when AWS cannot be
// reached.
func TestDeployCLIDryRun(t *testing.T) {
	f := awsEnv(t)
	scen := writeScenario(t)
	for _, executor := range []string{"alias", "codedeploy"} {
		args := []string{"deploy", scen, "--strategy", "Canary10Percent5Minutes", "--backend", "aws", "--executor", executor,
			"--before-hook", "CodeDeployHook_pre", "--endpoint-url", f.URL}
		if executor == "codedeploy" {
			args = append(args, "--application", "app", "--deployment-group", "dg")
		}
		code, out, errOut := runCLI(args...)
		if code != 0 || !strings.Contains(out, "UpdateAlias") && !strings.Contains(out, "CreateDeployment") {
			t.Fatalf("%s: exit %d\n%s\n%s", executor, code, out, errOut)
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "Get") && !strings.HasPrefix(l, "List") &&
				!strings.HasPrefix(l, "Describe") && !strings.HasPrefix(l, "UpdateAlias ") && !strings.HasPrefix(l, "Invoke ") &&
				!strings.HasPrefix(l, "Create") {
				t.Fatalf("line %q does not start with an operation name", l)
			}
		}
		noSecrets(t, out, errOut)
	}
	if n := len(f.MutatingCalls()); n != 0 {
		t.Fatalf("dry runs made %d mutating calls", n)
	}
	// No credentials at all: the plan still prints, the pre-checks say once
	// why they were not made, and the exit status says a run would stop.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	code, out, errOut := runCLI("deploy", scen, "--strategy", "Canary10Percent5Minutes", "--backend", "aws", "--before-hook", "CodeDeployHook_pre", "--endpoint-url", f.URL)
	if code != exitError || !strings.Contains(out, "NOT MADE") || !strings.Contains(out, "UpdateAlias FunctionName=orders") ||
		strings.Count(out, "no AWS credentials found") != 1 || !strings.Contains(errOut, "would stop here") {
		t.Fatalf("offline dry run: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestDeployCLIInputErrors: exit 2 with a message that says what to fix.
func TestDeployCLIInputErrors(t *testing.T) {
	f := awsEnv(t)
	scen := writeScenario(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{scen, "--backend", "sim", "-s", "AllAtOnce", "--before-hook", "h"}, "the only backend is aws"},
		{[]string{scen, "-s", "AllAtOnce", "--before-hook", "h", "--on-interrupt", "pause"}, "want rollback, hold or stop"},
		{[]string{scen, "-s", "AllAtOnce"}, "--before-hook"},
		{[]string{scen, "-s", "AllAtOnce", "--before-hook", "h", "--target-version", "$LATEST"}, "$LATEST"},
		{[]string{scen, "-s", "Nope", "--before-hook", "h"}, "unknown Lambda deployment configuration"},
		{[]string{"--resume"}, "needs --journal: no journal named shiftsim-deploy-*.jsonl"},
		{[]string{"--resume", "--journal", filepath.Join(t.TempDir(), "none.jsonl"), "--yes", "--endpoint-url", f.URL}, "no deployment"},
		{[]string{scen, "-s", "AllAtOnce", "--before-hook", "h", "--rollback"}, "--rollback goes with --resume"},
		{[]string{scen, "-s", "AllAtOnce", "--before-hook", "h", "--executor", "codedeploy", "--yes", "--endpoint-url", f.URL}, "--application and --deployment-group"},
	} {
		code, out, errOut := runCLI(append([]string{"deploy"}, tc.args...)...)
		if code != exitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("deploy %v: exit %d, stderr %q (want 2 and %q)\n%s", tc.args, code, errOut, tc.want, out)
		}
	}
}
