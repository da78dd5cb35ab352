package awsexec_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/awsexec"
)

// ops are the operation names a dry run may print.
var ops = map[string]bool{
	"GetAlias": true, "GetFunctionConfiguration": true, "DescribeAlarms": true, "UpdateAlias": true, "Invoke": true,
	"GetDeploymentGroup": true, "ListDeployments": true, "GetDeploymentConfig": true, "CreateDeploymentConfig": true,
	"CreateDeployment": true, "GetDeployment": true, "ListDeploymentTargets": true, "GetDeploymentTarget": true,
}

// checkDryRun checks the dry run's contract: every line is a call starting
// with its operation name or a "#" comment.
func checkDryRun(t *testing.T, out string) (calls []string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		op, _, _ := strings.Cut(l, " ")
		if !ops[op] {
			t.Fatalf("line %q is neither a comment nor a call\n%s", l, out)
		}
		calls = append(calls, op)
	}
	return calls
}

// TestDryRun: both executors, against the fake (pre-checks made for real)
// and offline (not made): no mutating call reaches AWS, the planned calls
// are printed in order.
func TestDryRun(t *testing.T) {
	for _, tc := range []struct {
		executor, strategy string
		offline            bool
		want               string
	}{
		{awsexec.ExecAlias, "Canary10Percent5Minutes", false, "GetAlias GetFunctionConfiguration GetFunctionConfiguration DescribeAlarms DescribeAlarms Invoke UpdateAlias UpdateAlias"},
		{awsexec.ExecAlias, "Canary10Percent5Minutes", true, "GetAlias GetFunctionConfiguration GetFunctionConfiguration DescribeAlarms DescribeAlarms Invoke UpdateAlias UpdateAlias"},
		{awsexec.ExecCodeDeploy, "custom-linear-20-3", false, "GetDeploymentGroup ListDeployments GetAlias GetFunctionConfiguration GetFunctionConfiguration GetDeploymentConfig DescribeAlarms CreateDeploymentConfig CreateDeployment GetDeployment ListDeploymentTargets GetDeploymentTarget DescribeAlarms GetAlias"},
		{awsexec.ExecCodeDeploy, "custom-linear-20-3", true, "GetDeploymentGroup ListDeployments GetAlias GetFunctionConfiguration GetFunctionConfiguration GetDeploymentConfig DescribeAlarms CreateDeploymentConfig CreateDeployment GetDeployment ListDeploymentTargets GetDeploymentTarget DescribeAlarms GetAlias"},
	} {
		t.Run(tc.executor+map[bool]string{true: " offline", false: ""}[tc.offline], func(t *testing.T) {
			e := newEnv(t, 1)
			e.fake.SetHook("CodeDeployHook_pre", awsfakeHook())
			p := e.plan(tc.executor, tc.strategy)
			p.BeforeHook = "CodeDeployHook_pre"
			c := e.clients
			if tc.offline {
				c = awsexec.OfflineClients(errors.New("no AWS credentials"))
			}
			var out bytes.Buffer
			err := awsexec.DryRun(context.Background(), p, c, e.opts(), &out)
			if tc.offline != errors.Is(err, awsexec.ErrWouldStop) {
				t.Fatalf("offline %v, error %v\n%s", tc.offline, err, out.String())
			}
			if got := strings.Join(checkDryRun(t, out.String()), " "); got != tc.want {
				t.Fatalf("calls\n got %s\nwant %s\n%s", got, tc.want, out.String())
			}
			if n := len(e.fake.MutatingCalls()); n != 0 {
				t.Fatalf("the dry run made %d mutating calls", n)
			}
			if tc.offline && (len(e.fake.Calls()) != 0 || !strings.Contains(out.String(), "NOT MADE") ||
				strings.Count(out.String(), "no AWS credentials") != 1 || !strings.Contains(err.Error(), "no AWS credentials")) {
				t.Fatalf("offline dry run reached the fake, does not say why, or says it more than once:\n%s", out.String())
			}
			if !tc.offline && strings.Contains(out.String(), "PROBLEM") {
				t.Fatalf("a healthy account shows a problem:\n%s", out.String())
			}
		})
	}
}

// TestDryRunFailedPreCheck: a pre-check that fails (the alias is not on the
// current version) is printed as a PROBLEM, and the dry run returns
// ErrWouldStop after printing everything.
func TestDryRunFailedPreCheck(t *testing.T) {
	e := newEnv(t, 1)
	e.fake.SetAlias("orders", "live", "3", nil)
	var out bytes.Buffer
	err := awsexec.DryRun(context.Background(), e.plan(awsexec.ExecAlias, "Canary10Percent5Minutes"), e.clients, e.opts(), &out)
	if !errors.Is(err, awsexec.ErrWouldStop) || !strings.Contains(out.String(), "PROBLEM") || !strings.Contains(out.String(), "UpdateAlias FunctionName=orders") {
		t.Fatalf("error %v\n%s", err, out.String())
	}
}

// TestDryRunConnection: the dry run says which account, region, profile and
// endpoint it looked at, before anything else it found.
func TestDryRunConnection(t *testing.T) {
	e := newEnv(t, 1)
	o := e.opts()
	o.Connection = &awsexec.Connection{Region: "eu-west-1", Profile: "prod", Endpoint: "http://localhost:4566", Source: "the environment (AWS_ACCESS_KEY_ID)",
		Account: "123456789012", Caller: "arn:aws:iam::123456789012:user/ci"}
	var out bytes.Buffer
	if err := awsexec.DryRun(context.Background(), e.plan(awsexec.ExecAlias, "AllAtOnce"), e.clients, o, &out); err != nil {
		t.Fatal(err)
	}
	checkDryRun(t, out.String())
	want := "# AWS: account   123456789012 (arn:aws:iam::123456789012:user/ci, from STS GetCallerIdentity)\n" +
		"#      region    eu-west-1\n" +
		"#      profile   prod; credentials from the environment (AWS_ACCESS_KEY_ID)\n" +
		"#      endpoint  http://localhost:4566 (--endpoint-url / AWS_ENDPOINT_URL: Lambda, CodeDeploy, CloudWatch and STS alike)\n"
	if !strings.Contains(out.String(), want) || strings.Index(out.String(), want) > strings.Index(out.String(), "pre-checks") {
		t.Fatalf("no connection block before the pre-checks:\n%s", out.String())
	}
}
