package awsexec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Connection says where shiftsim's AWS calls go and on whose behalf: what a
// user must see before letting it act. It never holds a credential.
type Connection struct {
	Region   string
	Profile  string // the shared config profile: --profile, AWS_PROFILE, else "default"
	Endpoint string // the base endpoint given (--endpoint-url, AWS_ENDPOINT_URL); "" for AWS's own
	AWSOwn   string // AWS's own Lambda endpoint for Region, when Endpoint is ""
	Source   string // where the credentials came from, in words
	Account  string // the account the credentials belong to (STS GetCallerIdentity); "" if not known
	Caller   string // the caller's ARN
	Note     string // why Account is not known, when it is not
}

// Lines are the connection as "name  value" lines, for the dry run's
// header and the start of a run.
func (c Connection) Lines() []string {
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	account := or(c.Account, "unknown")
	switch {
	case c.Account != "" && c.Caller != "":
		account += " (" + c.Caller + ", from STS GetCallerIdentity)"
	case c.Note != "":
		account += " (" + c.Note + ")"
	}
	endpoint := c.Endpoint + " (--endpoint-url / AWS_ENDPOINT_URL: Lambda, CodeDeploy, CloudWatch and STS alike)"
	switch {
	case c.Endpoint != "":
	case c.AWSOwn != "":
		endpoint = c.AWSOwn + " (AWS's public endpoint for the region; CodeDeploy and CloudWatch alike)"
	default:
		endpoint = "AWS's public endpoints for the region"
	}
	profile := c.Profile
	if c.Source != "" {
		profile += "; credentials from " + c.Source
	}
	return []string{
		"account   " + account,
		"region    " + or(c.Region, "none"),
		"profile   " + profile,
		"endpoint  " + endpoint,
	}
}

// CredentialError is a configuration or credential problem, said once, with
// how to fix it. It never holds the SDK's raw text about the instance
// metadata service or a credential.
type CredentialError struct {
	Problem string
	Fix     string
}

func (e *CredentialError) Error() string { return e.Problem + ": " + e.Fix }

// Connect loads the SDK configuration for s, retrieves the credentials and
// asks STS GetCallerIdentity (read-only, allowed to every principal) whose
// they are, each step within timeout. A problem with the configuration or
// the credentials is one *CredentialError; the account is only left unknown
// (Connection.Note) when STS cannot be reached but the credentials could.
func Connect(ctx context.Context, s Settings, timeout time.Duration) (aws.Config, Connection, error) {
	conn := Connection{Profile: profileName(s), Endpoint: s.EndpointURL, Region: firstSet(s.Region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"))}
	cfg, err := LoadConfig(ctx, s)
	if err != nil {
		return cfg, conn, credentialProblem(conn, err)
	}
	conn.Region = cfg.Region
	if cfg.BaseEndpoint != nil {
		conn.Endpoint = *cfg.BaseEndpoint
	}
	if conn.Endpoint == "" && conn.Region != "" {
		if ep, err := lambda.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, lambda.EndpointParameters{Region: aws.String(conn.Region)}); err == nil {
			conn.AWSOwn = ep.URI.String()
		}
	}
	creds, err := retrieve(ctx, cfg, timeout)
	if err != nil {
		return cfg, conn, credentialProblem(conn, err)
	}
	conn.Source = credentialSource(creds.Source)
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(sctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		switch code := errorCode(err); code {
		case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature":
			return cfg, conn, &CredentialError{Problem: fmt.Sprintf("AWS rejected the credentials from %s (%s)", conn.Source, code),
				Fix: "check the access key and secret (aws configure list" + profileFlag(conn.Profile) + "), or use another profile with --profile"}
		case "ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired":
			return cfg, conn, &CredentialError{Problem: fmt.Sprintf("the credentials from %s have expired", conn.Source),
				Fix: "refresh them (aws sso login" + profileFlag(conn.Profile) + ", or a new session token) and run again"}
		}
		conn.Note = "STS GetCallerIdentity failed: " + wrapErr("GetCallerIdentity", err).(*APIError).Message
		return cfg, conn, nil
	}
	conn.Account, conn.Caller = aws.ToString(out.Account), aws.ToString(out.Arn)
	return cfg, conn, nil
}

// CheckCredentials says whether cfg can sign requests: a region and
// credentials that can be retrieved within timeout. Its error is a
// *CredentialError naming the fix; it never contains a credential.
func CheckCredentials(ctx context.Context, cfg aws.Config, timeout time.Duration) error {
	conn := Connection{Profile: profileName(Settings{}), Region: cfg.Region}
	if _, err := retrieve(ctx, cfg, timeout); err != nil {
		return credentialProblem(conn, err)
	}
	return nil
}

// errNoRegion and errNoCredentials stand for what retrieve finds missing.
var (
	errNoRegion      = errors.New("no region")
	errNoCredentials = errors.New("no credentials provider")
)

func retrieve(ctx context.Context, cfg aws.Config, timeout time.Duration) (aws.Credentials, error) {
	if cfg.Region == "" {
		return aws.Credentials{}, errNoRegion
	}
	if cfg.Credentials == nil {
		return aws.Credentials{}, errNoCredentials
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return cfg.Credentials.Retrieve(ctx)
}

// profileName is the profile the SDK's chain reads, as it chooses it.
func profileName(s Settings) string {
	return firstSet(s.Profile, os.Getenv("AWS_PROFILE"), os.Getenv("AWS_DEFAULT_PROFILE"), "default")
}

func firstSet(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func profileFlag(p string) string {
	if p == "" || p == "default" {
		return ""
	}
	return " --profile " + p
}

// credentialSource names a credentials provider in words.
func credentialSource(src string) string {
	switch {
	case src == config.CredentialsSourceName:
		return "the environment (AWS_ACCESS_KEY_ID)"
	case strings.HasPrefix(src, "SharedConfigCredentials"):
		return "the shared credentials file"
	case src == "SSOProvider":
		return "AWS IAM Identity Center (SSO)"
	case src == "EC2RoleProvider":
		return "the instance's IAM role"
	case src == "AssumeRoleProvider":
		return "an assumed role"
	case src == "WebIdentityCredentials":
		return "a web identity token"
	case src == "ProcessProvider":
		return "a credential_process"
	case src == "StaticCredentials":
		return "static credentials"
	case src == "":
		return "an unnamed provider"
	}
	return src
}

// credentialProblem turns what the SDK says about a configuration or its
// credentials into one message with the fix.
func credentialProblem(conn Connection, err error) error {
	var pe config.SharedConfigProfileNotExistError
	msg := err.Error()
	lower := strings.ToLower(msg)
	switch {
	case errors.As(err, &pe):
		return &CredentialError{Problem: fmt.Sprintf("AWS profile %q is not in the shared config files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)", pe.Profile),
			Fix: fmt.Sprintf("create it (aws configure --profile %s) or name one that exists (aws configure list-profiles)", pe.Profile)}
	case errors.Is(err, errNoRegion):
		return &CredentialError{Problem: "no AWS region",
			Fix: "pass --region, set AWS_REGION, or give the profile a region (aws configure set region REGION" + profileFlag(conn.Profile) + ")"}
	case strings.Contains(lower, "sso"):
		return &CredentialError{Problem: fmt.Sprintf("the SSO session of profile %s has expired or was never started", conn.Profile),
			Fix: "run aws sso login" + profileFlag(conn.Profile) + " and try again"}
	case errors.Is(err, errNoCredentials), strings.Contains(lower, "imds"), strings.Contains(lower, "ec2 instance metadata"),
		strings.Contains(lower, "no valid providers"), strings.Contains(lower, "anonymous"):
		return &CredentialError{Problem: fmt.Sprintf("no AWS credentials found (profile %s: none in the environment, the shared files, SSO or an instance role)", conn.Profile),
			Fix: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run aws configure or aws sso login, or name a profile that has credentials with --profile"}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &CredentialError{Problem: fmt.Sprintf("the credentials of profile %s could not be retrieved in time", conn.Profile),
			Fix: "check the network and the profile's credential source (aws configure list" + profileFlag(conn.Profile) + ")"}
	}
	// Another provider failed (credential_process, an assumed role, a web
	// identity): keep the first line of its reason, without the SDK's
	// preamble and cut short.
	msg, _, _ = strings.Cut(msg, "\n")
	msg = strings.TrimPrefix(msg, "failed to refresh cached credentials, ")
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return &CredentialError{Problem: fmt.Sprintf("the credentials of profile %s could not be retrieved (%s)", conn.Profile, msg),
		Fix: "check the profile's credential source (aws configure list" + profileFlag(conn.Profile) + ")"}
}
