package awsfake

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AWSConfig returns an SDK configuration aimed at the fake: its URL as the
// base endpoint of every service, static fake credentials (with a session
// token, so that tests can check none of the three leaks), and the standard
// retryer with maxAttempts attempts and a backoff of a millisecond or two, so
// that retries cost no real time. HTTP requests time out after ClientTimeout
// (a second if zero): a Slow fault longer than that looks like a network
// timeout, and the request still takes effect when its delay is over.
func (s *Server) AWSConfig(maxAttempts int) aws.Config {
	timeout := s.ClientTimeout
	if timeout == 0 {
		timeout = time.Second
	}
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, SessionToken),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   &http.Client{Timeout: timeout},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
					return time.Duration(attempt) * time.Millisecond, nil
				})
			})
		},
	}
}
