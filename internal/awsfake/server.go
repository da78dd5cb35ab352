// Package awsfake is an in-process stand-in for the parts of AWS Lambda,
// CodeDeploy, CloudWatch and STS that shiftsim's AWS executor uses. It speaks the
// wire protocols the Go SDK (aws-sdk-go-v2) speaks, so tests point real SDK
// clients at it with a base endpoint and static fake credentials:
//
//   - Lambda (service/lambda v1.115.0): REST-JSON, e.g. PUT
//     /2015-03-31/functions/{FunctionName}/aliases/{Name}; errors carry
//     X-Amzn-ErrorType and a JSON body.
//   - CodeDeploy (service/codedeploy v1.36.0): awsJson1_1, POST / with
//     X-Amz-Target: CodeDeploy_20141006.<Operation>; errors carry "__type".
//   - CloudWatch (service/cloudwatch v1.76.0): Smithy RPC v2 CBOR, POST
//     /service/GraniteServiceVersion20100801/operation/<Operation> with
//     Smithy-Protocol: rpc-v2-cbor; timestamps are CBOR tag 1 epoch seconds;
//     errors carry "__type" and, as CloudWatch is query-compatible,
//     X-Amzn-Query-Error.
//   - STS (service/sts v1.52.0): the AWS query protocol, POST / with a form
//     body Action=<Operation>, answered in XML; GetCallerIdentity only.
//
// It keeps state (functions, versions, aliases with routing, hook functions'
// behaviour, applications, deployment groups and configs, deployments that
// progress on the fake clock with lifecycle hooks and alarm-triggered
// rollback, alarms with scheduled state changes, metric data) and injects
// faults (throttling, 5xx, slow responses, dropped connections). Time is the
// shared virtual Clock: nothing here sleeps on the wall clock except a Slow
// fault.
//
// It is a test helper: it checks no signature, knows no account, and answers
// only the operations shiftsim calls.
package awsfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fake credentials: tests check that none of them ever appears in output.
const (
	AccessKeyID     = "AKIAFAKEFAKEFAKE1234"
	SecretAccessKey = "fakeSecretKey/DoNotPrint+0123456789abcdefgh"
	SessionToken    = "fakeSessionToken-DoNotPrint-zyxwvutsrq9876543210"
	Region          = "us-east-1"
	Account         = "123456789012"
)

// Service names as Call.Service and Fault.Service use them.
const (
	Lambda     = "lambda"
	CodeDeploy = "codedeploy"
	CloudWatch = "cloudwatch"
	STS        = "sts"
)

// Call is one request the server received.
type Call struct {
	Service  string
	Op       string
	At       time.Time // on the fake clock
	Mutating bool      // the operation changes state (or runs code) in AWS
	Fault    string    // the fault injected into it, if any
	Signed   bool      // the request carried a SigV4 Authorization header
	Input    string    // a short text form of the input, for test messages
}

// mutating lists the operations that change something in AWS.
var mutating = map[string]bool{
	"UpdateAlias": true, "Invoke": true,
	"CreateDeployment": true, "CreateDeploymentConfig": true, "StopDeployment": true,
	"PutLifecycleEventHookExecutionStatus": true,
	"SetAlarmState":                        true, "PutMetricData": true,
}

// IsMutating reports whether op changes state (or runs code) in AWS.
func IsMutating(op string) bool { return mutating[op] }

// FaultKind is what a fault does to a request.
type FaultKind uint8

// Fault kinds.
const (
	// Throttle answers with the service's throttling error: Lambda 429
	// TooManyRequestsException, CodeDeploy 400 ThrottlingException,
	// CloudWatch 400 Throttling.
	Throttle FaultKind = iota + 1
	// ServerError answers 500 with the service's internal error.
	ServerError
	// Unavailable answers 503.
	Unavailable
	// Slow answers normally after Delay of real time.
	Slow
	// Drop closes the connection without an answer, before doing anything.
	Drop
	// DropAfter does the request, then closes the connection without an
	// answer: the change is made but the client never hears of it.
	DropAfter
)

var faultNames = [...]string{Throttle: "throttle", ServerError: "500", Unavailable: "503", Slow: "slow", Drop: "drop", DropAfter: "drop-after"}

func (k FaultKind) String() string {
	if int(k) < len(faultNames) && faultNames[k] != "" {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// Fault is an injected failure. It matches requests by Service and Op (empty
// matches any), lets the first Skip matching requests through, then hits
// Count of them (0: every one after) — or, with Prob > 0, each with that
// probability from the server's seeded generator.
type Fault struct {
	Service string
	Op      string
	Kind    FaultKind
	Delay   time.Duration // Slow
	Skip    int
	Count   int
	Prob    float64

	seen, hits int
}

func (f *Fault) matches(svc, op string) bool {
	return (f.Service == "" || f.Service == svc) && (f.Op == "" || f.Op == op)
}

// Server is the fake. Its exported methods are safe for concurrent use.
type Server struct {
	Clock *Clock
	URL   string

	// ClientTimeout is the HTTP timeout of the clients AWSConfig makes; set
	// it before AWSConfig.
	ClientTimeout time.Duration

	// AfterApply, if set, is called after a request has been carried out
	// and before its answer is written (also for DropAfter). Tests use it to
	// "kill" the client at a chosen moment. It must not call the Server.
	AfterApply func(Call)
	// Intercept, if set, is called first for every request; returning false
	// drops the connection without doing anything, as if the request never
	// arrived. It must not call the Server.
	Intercept func(Call) bool

	http *httptest.Server
	mu   sync.Mutex
	rng  *rand.Rand

	faults []*Fault
	calls  []Call
	fired  map[Fired]int

	lambda     lambdaState
	codedeploy codedeployState
	cloudwatch cloudwatchState
	sts        stsState
	nextID     int
}

// New starts a fake on a local port with the given clock (a new one at Epoch
// if nil) and fault seed. Close it when done.
func New(clock *Clock, seed uint64) *Server {
	if clock == nil {
		clock = NewClock(time.Time{})
	}
	s := &Server{Clock: clock, rng: rand.New(rand.NewPCG(seed, 0x5eed)), fired: map[Fired]int{}}
	s.lambda.init()
	s.codedeploy.init()
	s.cloudwatch.init()
	s.sts.init()
	s.http = httptest.NewServer(s)
	s.URL = s.http.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.http.Close() }

// AddFault installs a fault; it stays until ClearFaults.
func (s *Server) AddFault(f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Fired names the requests of one operation that one kind of fault hit.
type Fired struct {
	Service, Op string
	Kind        FaultKind
}

// FiredCount returns how many requests a fault of kind hit (any kind if 0)
// in service svc and operation op ("" for any), since the server started:
// tests use it to prove that the faults they install did fire. ClearFaults
// does not reset it.
func (s *Server) FiredCount(kind FaultKind, svc, op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.fired {
		if (kind == 0 || k.Kind == kind) && (svc == "" || k.Service == svc) && (op == "" || k.Op == op) {
			n += c
		}
	}
	return n
}

// FiredCounts returns the counts FiredCount sums, per service, operation and
// kind.
func (s *Server) FiredCounts() map[Fired]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.fired)
}

// Calls returns every request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount returns how many requests for svc's operation op were received
// (faulted ones included).
func (s *Server) CallCount(svc, op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Service == svc && c.Op == op {
			n++
		}
	}
	return n
}

// MutatingCalls returns the requests that could change something, in order,
// including those a fault stopped.
func (s *Server) MutatingCalls() []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

// request is one decoded request, whatever its protocol.
type request struct {
	svc, op string
	http    *http.Request
	body    []byte
	path    []string // Lambda: the path segments after the API version
}

// response is what a handler answers; the protocol layer encodes it.
type response struct {
	status  int
	header  http.Header
	body    any    // JSON or CBOR value; nil for none
	raw     []byte // Lambda Invoke's payload, written as is
	errCode string
	errMsg  string
}

func ok(body any) response { return response{status: http.StatusOK, body: body} }

func apiErr(status int, code, format string, a ...any) response {
	return response{status: status, errCode: code, errMsg: fmt.Sprintf(format, a...)}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, perr := route(r, body)
	if perr != nil {
		http.Error(w, perr.Error(), http.StatusNotFound)
		return
	}
	call := Call{Service: req.svc, Op: req.op, Mutating: IsMutating(req.op),
		Signed: strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")}

	s.mu.Lock()
	call.At = s.Clock.Now()
	call.Input = summarize(req)
	f := s.pickFault(req.svc, req.op)
	if f != nil {
		call.Fault = f.Kind.String()
		s.fired[Fired{Service: req.svc, Op: req.op, Kind: f.Kind}]++
	}
	s.calls = append(s.calls, call)
	s.mu.Unlock()

	if s.Intercept != nil && !s.Intercept(call) {
		drop(w)
		return
	}
	if f != nil {
		switch f.Kind {
		case Slow:
			time.Sleep(f.Delay)
		case Drop:
			drop(w)
			return
		case Throttle:
			s.write(w, req, throttle(req.svc))
			return
		case ServerError:
			s.write(w, req, internal(req.svc, http.StatusInternalServerError))
			return
		case Unavailable:
			s.write(w, req, internal(req.svc, http.StatusServiceUnavailable))
			return
		}
	}

	resp := s.handle(req)
	if s.AfterApply != nil {
		s.AfterApply(call)
	}
	if f != nil && f.Kind == DropAfter {
		drop(w)
		return
	}
	s.write(w, req, resp)
}

func (s *Server) pickFault(svc, op string) *Fault {
	for _, f := range s.faults {
		if !f.matches(svc, op) {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			continue
		}
		if f.Prob > 0 {
			if s.rng.Float64() < f.Prob {
				f.hits++
				return f
			}
			continue
		}
		if f.Count == 0 || f.hits < f.Count {
			f.hits++
			return f
		}
	}
	return nil
}

func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("awsfake: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func throttle(svc string) response {
	switch svc {
	case Lambda:
		return apiErr(http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
	case CloudWatch, STS:
		return apiErr(http.StatusBadRequest, "Throttling", "Rate exceeded")
	}
	return apiErr(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
}

func internal(svc string, status int) response {
	switch svc {
	case Lambda:
		return apiErr(status, "ServiceException", "injected server error")
	case CloudWatch:
		return apiErr(status, "InternalServiceFault", "injected server error")
	case STS:
		return apiErr(status, "InternalFailure", "injected server error")
	}
	return apiErr(status, "InternalFailure", "injected server error")
}

// handle runs one request against the state, under the lock, after bringing
// every deployment up to the clock's time.
func (s *Server) handle(req *request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	switch req.svc {
	case Lambda:
		return s.handleLambda(req)
	case CodeDeploy:
		return s.handleCodeDeploy(req)
	case STS:
		return s.handleSTS(req)
	default:
		return s.handleCloudWatch(req)
	}
}

// route finds the service and operation of an HTTP request.
func route(r *http.Request, body []byte) (*request, error) {
	req := &request{http: r, body: body}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		svc, op, ok := strings.Cut(t, ".")
		if !ok || svc != "CodeDeploy_20141006" {
			return nil, fmt.Errorf("unknown X-Amz-Target %q", t)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			return nil, fmt.Errorf("CodeDeploy: Content-Type %q, want application/x-amz-json-1.1", ct)
		}
		req.svc, req.op = CodeDeploy, op
		return req, nil
	}
	if op, ok := strings.CutPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/operation/"); ok {
		if p := r.Header.Get("Smithy-Protocol"); p != "rpc-v2-cbor" {
			return nil, fmt.Errorf("CloudWatch: Smithy-Protocol %q, want rpc-v2-cbor", p)
		}
		req.svc, req.op = CloudWatch, op
		return req, nil
	}
	if req, ok := routeSTS(r, req); ok {
		return req, nil
	}
	return routeLambda(r, req)
}

// write encodes resp in the request's protocol.
func (s *Server) write(w http.ResponseWriter, req *request, resp response) {
	for k, vs := range resp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	id := s.requestID()
	w.Header().Set("X-Amzn-Requestid", id)
	if resp.status == 0 {
		resp.status = http.StatusOK
	}
	switch req.svc {
	case STS:
		writeSTS(w, resp, id)
	case CloudWatch:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		body := resp.body
		if resp.errCode != "" {
			w.Header().Set("X-Amzn-Query-Error", resp.errCode+";Sender")
			body = map[string]any{"__type": "com.amazonaws.cloudwatch#" + resp.errCode, "message": resp.errMsg}
		}
		if body == nil {
			body = map[string]any{}
		}
		w.WriteHeader(resp.status)
		w.Write(encodeCBOR(body))
	case CodeDeploy:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		body := resp.body
		if resp.errCode != "" {
			body = map[string]any{"__type": resp.errCode, "message": resp.errMsg}
		}
		if body == nil {
			body = map[string]any{}
		}
		w.WriteHeader(resp.status)
		writeJSON(w, body)
	default:
		if resp.errCode != "" {
			w.Header().Set("X-Amzn-ErrorType", resp.errCode)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(resp.status)
			writeJSON(w, map[string]any{"Type": "User", "Message": resp.errMsg})
			return
		}
		if resp.raw != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(resp.status)
			w.Write(resp.raw)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.status)
		if resp.body != nil {
			writeJSON(w, resp.body)
		}
	}
}

func writeJSON(w io.Writer, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("awsfake: " + err.Error())
	}
	w.Write(b.Bytes())
}

func (s *Server) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return fmt.Sprintf("fake-%08d", s.nextID)
}

// newID returns a fresh identifier with prefix; the caller holds the lock.
func (s *Server) newIDLocked(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s%09d", prefix, s.nextID)
}

func summarize(req *request) string {
	switch req.svc {
	case Lambda:
		s := req.http.Method + " " + req.http.URL.Path
		if q := req.http.URL.RawQuery; q != "" {
			s += "?" + q
		}
		if len(req.body) > 0 && req.op != "Invoke" {
			s += " " + string(req.body)
		}
		return s
	case CodeDeploy, STS:
		return strings.TrimSpace(string(req.body))
	}
	v, err := decodeCBOR(req.body)
	if err != nil {
		return fmt.Sprintf("<%d bytes of CBOR: %v>", len(req.body), err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// advanceLocked brings every deployment up to the clock's time.
func (s *Server) advanceLocked() {
	now := s.Clock.Now()
	for _, id := range s.codedeploy.order {
		s.advanceDeploymentLocked(s.codedeploy.deployments[id], now)
	}
}
