package awsexec_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/awsfake"
)

// chainEnv points the SDK's default chain at nothing but what the test
// gives it: fake credentials in the environment (unless keys is false), no
// shared files but the ones written here, no instance metadata service.
func chainEnv(t *testing.T, keys bool) (config, credentials string) {
	t.Helper()
	dir := t.TempDir()
	config, credentials = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for k, v := range map[string]string{"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials,
		"AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "", "AWS_REGION": awsfake.Region, "AWS_DEFAULT_REGION": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""} {
		t.Setenv(k, v)
	}
	if keys {
		t.Setenv("AWS_ACCESS_KEY_ID", awsfake.AccessKeyID)
		t.Setenv("AWS_SECRET_ACCESS_KEY", awsfake.SecretAccessKey)
		t.Setenv("AWS_SESSION_TOKEN", awsfake.SessionToken)
	}
	return config, credentials
}

// TestConnect: with working credentials, Connect says which account (from
// STS GetCallerIdentity), region, profile and endpoint the calls go to.
func TestConnect(t *testing.T) {
	f := awsfake.New(nil, 1)
	defer f.Close()
	chainEnv(t, true)
	_, conn, err := awsexec.Connect(context.Background(), awsexec.Settings{EndpointURL: f.URL}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := awsexec.Connection{Region: awsfake.Region, Profile: "default", Endpoint: f.URL, Source: "the environment (AWS_ACCESS_KEY_ID)",
		Account: awsfake.Account, Caller: "arn:aws:iam::" + awsfake.Account + ":user/shiftsim-test"}
	if conn != want {
		t.Fatalf("connection\n got %+v\nwant %+v", conn, want)
	}
	if n := len(f.Calls()); n != 1 || f.Calls()[0].Op != "GetCallerIdentity" || f.Calls()[0].Mutating || !f.Calls()[0].Signed {
		t.Fatalf("calls: %+v", f.Calls())
	}

	// A profile from the shared files, AWS's own endpoints.
	config, creds := chainEnv(t, false)
	os.WriteFile(config, []byte("[profile prod]\nregion = eu-west-1\n"), 0o600)
	os.WriteFile(creds, []byte("[prod]\naws_access_key_id = "+awsfake.AccessKeyID+"\naws_secret_access_key = "+awsfake.SecretAccessKey+"\n"), 0o600)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_ENDPOINT_URL_STS", f.URL) // STS only: the other endpoints stay AWS's
	_, conn, err = awsexec.Connect(context.Background(), awsexec.Settings{Profile: "prod"}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(conn.Lines(), "\n")
	for _, w := range []string{"account   " + awsfake.Account, "region    eu-west-1", "profile   prod; credentials from the shared credentials file",
		"endpoint  https://lambda.eu-west-1.amazonaws.com (AWS's public endpoint for the region"} {
		if !strings.Contains(lines, w) {
			t.Fatalf("no %q in\n%s", w, lines)
		}
	}
}

// TestConnectProblems: every configuration or credential problem is one
// *CredentialError that names the fix, with neither the SDK's raw text
// about the instance metadata service nor a credential in it.
func TestConnectProblems(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden) // an instance metadata service refusing
	}))
	defer imds.Close()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, f *awsfake.Server) awsexec.Settings
		want  []string
	}{
		{"profile not found", func(t *testing.T, f *awsfake.Server) awsexec.Settings {
			chainEnv(t, true)
			return awsexec.Settings{Profile: "nosuch"}
		}, []string{`AWS profile "nosuch" is not in the shared config files`, "aws configure --profile nosuch", "aws configure list-profiles"}},
		{"no credentials", func(t *testing.T, f *awsfake.Server) awsexec.Settings {
			chainEnv(t, false)
			return awsexec.Settings{EndpointURL: f.URL}
		}, []string{"no AWS credentials found", "AWS_ACCESS_KEY_ID", "aws sso login", "--profile"}},
		{"instance metadata 403", func(t *testing.T, f *awsfake.Server) awsexec.Settings {
			chainEnv(t, false)
			t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
			t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
			return awsexec.Settings{EndpointURL: f.URL}
		}, []string{"no AWS credentials found", "AWS_ACCESS_KEY_ID"}},
		{"no region", func(t *testing.T, f *awsfake.Server) awsexec.Settings {
			chainEnv(t, true)
			t.Setenv("AWS_REGION", "")
			return awsexec.Settings{EndpointURL: f.URL}
		}, []string{"no AWS region", "--region", "AWS_REGION"}},
		{"unknown access key", func(t *testing.T, f *awsfake.Server) awsexec.Settings {
			chainEnv(t, true)
			f.RejectCredentials("InvalidClientTokenId")
			return awsexec.Settings{EndpointURL: f.URL}
		}, []string{"AWS rejected the credentials from the environment (AWS_ACCESS_KEY_ID) (InvalidClientTokenId)", "aws configure list"}},
		{"expired session", func(t *testing.T, f *awsfake.Server) awsexec.Settings {
			chainEnv(t, true)
			f.RejectCredentials("ExpiredToken")
			return awsexec.Settings{EndpointURL: f.URL, Profile: ""}
		}, []string{"have expired", "aws sso login"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := awsfake.New(nil, 1)
			defer f.Close()
			s := tc.setup(t, f)
			_, _, err := awsexec.Connect(context.Background(), s, 3*time.Second)
			var ce *awsexec.CredentialError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want a *CredentialError", err, err)
			}
			msg := err.Error()
			t.Log(msg)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			for _, bad := range []string{"IMDS", "imds", "403", "StatusCode", "operation error", "\n", awsfake.AccessKeyID, awsfake.SecretAccessKey, awsfake.SessionToken} {
				if strings.Contains(msg, bad) {
					t.Errorf("%q contains %q", msg, bad)
				}
			}
		})
	}
}

// TestConnectSTSUnreachable: credentials that can be retrieved but an STS
// that does not answer leave the account unknown, with the reason, and are
// no error: the pre-checks will tell whether AWS can be reached.
func TestConnectSTSUnreachable(t *testing.T) {
	f := awsfake.New(nil, 1)
	defer f.Close()
	chainEnv(t, true)
	f.AddFault(&awsfake.Fault{Service: awsfake.STS, Kind: awsfake.Unavailable})
	_, conn, err := awsexec.Connect(context.Background(), awsexec.Settings{EndpointURL: f.URL}, 5*time.Second)
	if err != nil || conn.Account != "" || !strings.Contains(conn.Note, "GetCallerIdentity failed") || f.FiredCount(awsfake.Unavailable, awsfake.STS, "GetCallerIdentity") == 0 {
		t.Fatalf("%v %+v", err, conn)
	}
	if l := conn.Lines()[0]; !strings.HasPrefix(l, "account   unknown (STS GetCallerIdentity failed: ") {
		t.Fatalf("account line %q", l)
	}
}
