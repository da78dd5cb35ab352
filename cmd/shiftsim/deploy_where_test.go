package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/strategies"
)

// TestDeployCLIDryRunSaysWhere: the dry run names the account (from STS
// GetCallerIdentity), region, profile and endpoint before its pre-checks,
// and exits 0 when they all pass.
func TestDeployCLIDryRunSaysWhere(t *testing.T) {
	f := awsEnv(t)
	code, out, errOut := runCLI("deploy", writeScenario(t), "--strategy", "AllAtOnce", "--before-hook", "CodeDeployHook_pre", "--endpoint-url", f.URL)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, w := range []string{"# AWS: account   " + awsfake.Account + " (arn:aws:iam::" + awsfake.Account + ":user/shiftsim-test, from STS GetCallerIdentity)",
		"#      region    " + awsfake.Region, "#      profile   default; credentials from the environment", "#      endpoint  " + f.URL} {
		if !strings.Contains(out, w) || strings.Index(out, w) > strings.Index(out, "# pre-checks") {
			t.Fatalf("no %q before the pre-checks:\n%s", w, out)
		}
	}
	noSecrets(t, out, errOut)
}

// TestDeployCLIDryRunStops: a dry run whose pre-checks fail, or cannot be
// made for want of usable credentials, prints everything, says the problem
// once, and exits 1.
func TestDeployCLIDryRunStops(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, f *awsfake.Server) []string
		want  string // once in stdout, and in stderr
	}{
		{"alias not on the current version", func(t *testing.T, f *awsfake.Server) []string {
			f.SetAlias("orders", "live", "2", nil)
			return nil
		}, "PROBLEM"},
		{"no such profile", func(t *testing.T, f *awsfake.Server) []string {
			return []string{"--profile", "nosuch"}
		}, `AWS profile "nosuch" is not in the shared config files`},
		{"rejected credentials", func(t *testing.T, f *awsfake.Server) []string {
			f.RejectCredentials("InvalidClientTokenId")
			return nil
		}, "AWS rejected the credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := awsEnv(t)
			args := append([]string{"deploy", writeScenario(t), "--strategy", "AllAtOnce", "--before-hook", "CodeDeployHook_pre", "--endpoint-url", f.URL}, tc.setup(t, f)...)
			code, out, errOut := runCLI(args...)
			if code != exitError || !strings.Contains(errOut, "a run with --yes would stop here") || !strings.Contains(out, "UpdateAlias FunctionName=orders") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if tc.want != "PROBLEM" && (strings.Count(out, tc.want) != 1 || strings.Count(errOut, tc.want) != 1) {
				t.Fatalf("%q not said exactly once in each stream:\n%s\n%s", tc.want, out, errOut)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("no %q:\n%s", tc.want, out)
			}
			if len(f.MutatingCalls()) != 0 {
				t.Fatal("a dry run made a mutating call")
			}
			noSecrets(t, out, errOut)
		})
	}
}

// TestDeployCLIResumeFindsJournal: --resume with neither a scenario nor
// --journal takes the journal of the default name in the working directory.
func TestDeployCLIResumeFindsJournal(t *testing.T) {
	f := awsEnv(t)
	t.Chdir(t.TempDir())
	// A run killed after its first UpdateAlias landed leaves an unfinished
	// journal of the default name.
	cfg, _ := strategies.Lookup("Canary10Percent5Minutes")
	p := awsexec.Plan{Executor: awsexec.ExecAlias, Function: "orders", Alias: "live", Current: "1", Target: "2", Strategy: cfg.Name,
		Config: cfg, Schedule: cfg.Plan(strategies.EndAfterLastInterval), Alarms: []string{"orders-errors"}, AutoRollback: true}
	ctx, cancel := context.WithCancel(context.Background())
	f.AfterApply = func(c awsfake.Call) {
		if c.Op == "UpdateAlias" {
			cancel()
		}
	}
	_, err := awsexec.Deploy(ctx, p, awsexec.Options{Clients: awsexec.NewClients(f.AWSConfig(2), awsexec.Limits{}, f.Clock), Clock: f.Clock,
		Journal: awsexec.DefaultJournal("orders", "live")})
	f.AfterApply = nil
	if !errors.Is(err, awsexec.ErrKilled) || f.Alias("orders", "live").String() != "1+2@0.1" {
		t.Fatalf("killed run: %v, alias %s", err, f.Alias("orders", "live"))
	}
	code, out, errOut := runCLI("deploy", "--resume", "--rollback", "--yes", "--endpoint-url", f.URL)
	if code != exitError || !strings.Contains(errOut, "--resume: journal shiftsim-deploy-orders-live.jsonl") ||
		f.Alias("orders", "live").String() != "1" || !strings.Contains(out, "rolled back") {
		t.Fatalf("exit %d alias %s\n%s\n%s", code, f.Alias("orders", "live"), out, errOut)
	}
	// With a second journal beside it, both finished, --resume cannot choose.
	b, err := os.ReadFile(awsexec.DefaultJournal("orders", "live"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(awsexec.DefaultJournal("orders", "canary"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI("deploy", "--resume", "--yes", "--endpoint-url", f.URL)
	if code != exitInput || !strings.Contains(errOut, "2 journals named shiftsim-deploy-*.jsonl") || !strings.Contains(errOut, "name one with --journal") {
		t.Fatalf("two journals: exit %d\n%s", code, errOut)
	}
}
