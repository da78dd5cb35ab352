package awsexec

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// Settings are the AWS CLI-like flags; the rest comes from the SDK's
// default configuration chain (environment, shared config and credentials
// files, SSO, container and instance roles).
type Settings struct {
	Region      string // --region; empty: the chain's
	Profile     string // --profile; empty: the chain's
	EndpointURL string // --endpoint-url: base endpoint of all three services
}

// DefaultMaxAttempts is how many times a call is tried (the SDK's standard
// retryer: exponential backoff with jitter, up to 20 s between attempts, on
// throttling, 5xx and network errors) unless AWS_MAX_ATTEMPTS says otherwise.
// A deployment is worth more patience than the SDK's default 3.
const DefaultMaxAttempts = 6

// LoadConfig loads the SDK configuration for s.
func LoadConfig(ctx context.Context, s Settings) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(s.EndpointURL))
	}
	// The SDK's log says things like "falling back to IMDSv1": noise next to
	// the timeline, and nothing the user acts on.
	opts = append(opts, config.WithLogger(logging.Nop{}))
	if os.Getenv("AWS_MAX_ATTEMPTS") == "" {
		opts = append(opts, config.WithRetryMaxAttempts(DefaultMaxAttempts))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// Limits are requests per second per service; 0 means no limit.
type Limits struct {
	Lambda, CodeDeploy, CloudWatch float64
}

// DefaultLimits keep shiftsim within AWS's quotas with room for other
// callers: Lambda's control plane allows 15 requests per second (Invoke
// excluded, docs/lambda.md, "Control-plane quota"); CodeDeploy and
// CloudWatch's DescribeAlarms publish lower or no figures, so they get less.
var DefaultLimits = Limits{Lambda: 15, CodeDeploy: 10, CloudWatch: 5}

// Clients are the three SDK clients the executors use.
type Clients struct {
	Lambda     *lambda.Client
	CodeDeploy *codedeploy.Client
	CloudWatch *cloudwatch.Client
}

// NewClients builds the clients from cfg, each rate-limited per attempt
// (retries count against the quota too) on clock; Lambda's Invoke is not
// limited, as the control-plane quota excludes it.
func NewClients(cfg aws.Config, lim Limits, clock Clock) Clients {
	if clock == nil {
		clock = Wall{}
	}
	limit := func(rps float64) func(*middleware.Stack) error {
		l := newLimiter(rps, clock)
		return func(st *middleware.Stack) error {
			if l == nil {
				return nil
			}
			return st.Finalize.Insert(limitMiddleware{l}, "Retry", middleware.After)
		}
	}
	ll, cl, wl := limit(lim.Lambda), limit(lim.CodeDeploy), limit(lim.CloudWatch)
	return Clients{
		Lambda:     lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.APIOptions = append(o.APIOptions, ll) }),
		CodeDeploy: codedeploy.NewFromConfig(cfg, func(o *codedeploy.Options) { o.APIOptions = append(o.APIOptions, cl) }),
		CloudWatch: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.APIOptions = append(o.APIOptions, wl) }),
	}
}

// limiter is a token bucket holding up to one second of requests.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
	clock  Clock
}

func newLimiter(rps float64, clock Clock) *limiter {
	if rps <= 0 {
		return nil
	}
	return &limiter{rate: rps, tokens: rps, last: clock.Now(), clock: clock}
}

// wait takes a token, sleeping until one is there; tokens are reserved, so
// callers queue in order.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clock.Now()
	if d := now.Sub(l.last); d > 0 {
		l.tokens = min(l.rate, l.tokens+d.Seconds()*l.rate)
		l.last = now
	}
	l.tokens--
	var d time.Duration
	if l.tokens < 0 {
		d = time.Duration(-l.tokens / l.rate * float64(time.Second))
	}
	l.mu.Unlock()
	if d == 0 {
		return nil
	}
	return l.clock.Sleep(ctx, d)
}

type limitMiddleware struct{ l *limiter }

func (limitMiddleware) ID() string { return "shiftsimRateLimit" }

func (m limitMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if awsmiddleware.GetOperationName(ctx) != "Invoke" {
		if err := m.l.wait(ctx); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
	}
	return next.HandleFinalize(ctx, in)
}

// APIError is an AWS call that failed after the SDK's retries: the operation,
// AWS's error code and message. Transient says the error was of a kind that
// retrying can cure (throttling, 5xx, network), had the attempts not run out.
type APIError struct {
	Op        string
	Code      string // e.g. ThrottlingException; empty for a network error
	Message   string
	Status    int // HTTP status; 0 if no answer came
	Transient bool
	Err       error
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("AWS " + e.Op + " failed: ")
	if e.Code != "" {
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	} else {
		b.WriteString(e.Message)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Transient {
		b.WriteString(" [retried with backoff; still failing]")
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// wrapErr turns an SDK error into an *APIError; context errors pass through.
func wrapErr(op string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &APIError{Op: op, Err: err}
	if errors.Is(err, errOffline) { // the dry run's stand-in for a call it did not make
		msg := err.Error()
		if i := strings.Index(msg, errOffline.Error()+": "); i >= 0 {
			msg = msg[i+len(errOffline.Error())+2:]
		}
		e.Message = msg
		return e
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
	} else {
		// Keep the cause, drop the SDK's "operation error X: exceeded
		// maximum number of attempts, ..." preamble.
		e.Message = err.Error()
		var oe *smithy.OperationError
		var ue *url.Error
		switch {
		case errors.As(err, &ue):
			e.Message = ue.Error()
		case errors.As(err, &oe) && oe.Err != nil:
			e.Message = oe.Err.Error()
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.Status = re.HTTPStatusCode()
	}
	e.Transient = retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
	return e
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
