package awsfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Version is a published Lambda function version (or $LATEST).
type Version struct {
	Version       string
	MemorySize    int32
	Timeout       int32 // seconds
	Architectures []string
	Runtime       string
	State         string // Active unless set
}

// HookResult is how a hook function ends when invoked.
type HookResult uint8

// Hook function outcomes.
const (
	// HookSucceeds returns {"status":"Succeeded"} and, under CodeDeploy,
	// reports Succeeded.
	HookSucceeds HookResult = iota
	// HookFails returns {"status":"Failed"} and, under CodeDeploy, reports
	// Failed.
	HookFails
	// HookErrors raises a function error (X-Amz-Function-Error: Unhandled)
	// and, under CodeDeploy, never reports, so its lifecycle event times out.
	HookErrors
)

// Hook is a hook function's behaviour: it runs for Duration of fake time,
// then ends with Result.
type Hook struct {
	Result   HookResult
	Duration time.Duration
}

// AliasState is an alias's routing at one moment.
type AliasState struct {
	At         time.Time
	Version    string             // FunctionVersion
	Weights    map[string]float64 // AdditionalVersionWeights; nil when none
	RevisionID string
}

// Weight returns the share of traffic (0..1) that version v gets.
func (a AliasState) Weight(v string) float64 {
	extra := 0.0
	for _, w := range a.Weights {
		extra += w
	}
	if w, ok := a.Weights[v]; ok {
		return w
	}
	if a.Version == v {
		return 1 - extra
	}
	return 0
}

// String is "1" or "1+2@0.1".
func (a AliasState) String() string {
	s := a.Version
	for _, k := range slices.Sorted(maps.Keys(a.Weights)) {
		s += "+" + k + "@" + strconv.FormatFloat(a.Weights[k], 'g', -1, 64)
	}
	return s
}

type function struct {
	name     string
	versions map[string]*Version
	aliases  map[string]*alias
	hook     *Hook
	invoked  []string // payloads received by Invoke
}

type alias struct {
	name        string
	description string
	history     []AliasState // the last is the current state
}

func (a *alias) state() AliasState { return a.history[len(a.history)-1] }

type lambdaState struct {
	functions map[string]*function
	revision  int
}

func (l *lambdaState) init() { l.functions = map[string]*function{} }

// AddFunction creates a function with the given published versions (each
// 128 MB, 3 s, x86_64, Active) and $LATEST.
func (s *Server) AddFunction(name string, versions ...string) {
	vs := make([]Version, len(versions))
	for i, v := range versions {
		vs[i] = Version{Version: v}
	}
	s.PutFunction(name, vs...)
}

// PutFunction creates or replaces a function's versions; zero fields get
// the defaults of AddFunction.
func (s *Server) PutFunction(name string, versions ...Version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putFunctionLocked(name, versions...)
}

func (s *Server) putFunctionLocked(name string, versions ...Version) *function {
	f := s.lambda.functions[name]
	if f == nil {
		f = &function{name: name, versions: map[string]*Version{}, aliases: map[string]*alias{}}
		s.lambda.functions[name] = f
	}
	for _, v := range append([]Version{{Version: "$LATEST"}}, versions...) {
		if v.MemorySize == 0 {
			v.MemorySize = 128
		}
		if v.Timeout == 0 {
			v.Timeout = 3
		}
		if len(v.Architectures) == 0 {
			v.Architectures = []string{"x86_64"}
		}
		if v.Runtime == "" {
			v.Runtime = "provided.al2023"
		}
		if v.State == "" {
			v.State = "Active"
		}
		f.versions[v.Version] = &v
	}
	return f
}

// SetAlias creates or sets an alias (as a console user would, outside any
// deployment).
func (s *Server) SetAlias(fn, name, version string, weights map[string]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lambda.functions[fn]
	if f == nil {
		panic("awsfake: SetAlias on unknown function " + fn)
	}
	a := f.aliases[name]
	if a == nil {
		a = &alias{name: name}
		f.aliases[name] = a
	}
	s.setAliasLocked(a, s.Clock.Now(), version, weights)
}

func (s *Server) setAliasLocked(a *alias, at time.Time, version string, weights map[string]float64) AliasState {
	s.lambda.revision++
	st := AliasState{At: at, Version: version, RevisionID: fmt.Sprintf("rev-%04d", s.lambda.revision)}
	if len(weights) > 0 {
		st.Weights = maps.Clone(weights)
	}
	a.history = append(a.history, st)
	return st
}

// Alias returns an alias's current state.
func (s *Server) Alias(fn, name string) AliasState {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	return s.lambda.functions[fn].aliases[name].state()
}

// AliasHistory returns every state the alias has had, oldest first.
func (s *Server) AliasHistory(fn, name string) []AliasState {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	return append([]AliasState(nil), s.lambda.functions[fn].aliases[name].history...)
}

// SetHook makes fn a hook function with behaviour h (creating it if needed).
func (s *Server) SetHook(fn string, h Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lambda.functions[fn]
	if f == nil {
		f = s.putFunctionLocked(fn, Version{Version: "1"})
	}
	f.hook = &h
}

// Invocations returns the payloads fn received through Invoke.
func (s *Server) Invocations(fn string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.lambda.functions[fn]; f != nil {
		return append([]string(nil), f.invoked...)
	}
	return nil
}

// routeLambda parses a REST-JSON Lambda path.
func routeLambda(r *http.Request, req *request) (*request, error) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
	if !ok {
		return nil, fmt.Errorf("unknown path %s", r.URL.Path)
	}
	for _, seg := range strings.Split(rest, "/") {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, err
		}
		req.path = append(req.path, u)
	}
	req.svc = Lambda
	switch {
	case len(req.path) == 3 && req.path[1] == "aliases" && r.Method == http.MethodGet:
		req.op = "GetAlias"
	case len(req.path) == 3 && req.path[1] == "aliases" && r.Method == http.MethodPut:
		req.op = "UpdateAlias"
	case len(req.path) == 2 && req.path[1] == "configuration" && r.Method == http.MethodGet:
		req.op = "GetFunctionConfiguration"
	case len(req.path) == 2 && req.path[1] == "invocations" && r.Method == http.MethodPost:
		req.op = "Invoke"
	case len(req.path) == 2 && req.path[1] == "versions" && r.Method == http.MethodGet:
		req.op = "ListVersionsByFunction"
	default:
		return nil, fmt.Errorf("unknown Lambda request %s %s", r.Method, r.URL.Path)
	}
	return req, nil
}

func (s *Server) handleLambda(req *request) response {
	f := s.lambda.functions[functionName(req.path[0])]
	if f == nil {
		return apiErr(http.StatusNotFound, "ResourceNotFoundException", "Function not found: arn:aws:lambda:%s:%s:function:%s", Region, Account, req.path[0])
	}
	switch req.op {
	case "GetAlias":
		a := f.aliases[req.path[2]]
		if a == nil {
			return apiErr(http.StatusNotFound, "ResourceNotFoundException", "Alias not found: arn:aws:lambda:%s:%s:function:%s:%s", Region, Account, f.name, req.path[2])
		}
		return ok(aliasConfiguration(f, a))
	case "UpdateAlias":
		return s.updateAlias(f, req)
	case "GetFunctionConfiguration":
		q := req.http.URL.Query().Get("Qualifier")
		if q == "" {
			q = "$LATEST"
		}
		if a := f.aliases[q]; a != nil {
			q = a.state().Version
		}
		v := f.versions[q]
		if v == nil {
			return apiErr(http.StatusNotFound, "ResourceNotFoundException", "Function not found: arn:aws:lambda:%s:%s:function:%s:%s", Region, Account, f.name, q)
		}
		return ok(functionConfiguration(f, v))
	case "ListVersionsByFunction":
		var list []any
		for _, k := range slices.SortedFunc(maps.Keys(f.versions), versionOrder) {
			list = append(list, functionConfiguration(f, f.versions[k]))
		}
		return ok(map[string]any{"Versions": list})
	case "Invoke":
		return s.invoke(f, req)
	}
	return apiErr(http.StatusBadRequest, "InvalidRequestContentException", "unsupported operation %s", req.op)
}

// functionName accepts a name, a partial ARN or a full ARN.
func functionName(s string) string {
	if i := strings.LastIndex(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

func versionOrder(a, b string) int {
	if a == "$LATEST" || b == "$LATEST" {
		return strings.Compare(b, a) // $LATEST first
	}
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x - y
}

func aliasConfiguration(f *function, a *alias) map[string]any {
	st := a.state()
	out := map[string]any{
		"AliasArn":        fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s:%s", Region, Account, f.name, a.name),
		"Name":            a.name,
		"FunctionVersion": st.Version,
		"Description":     a.description,
		"RevisionId":      st.RevisionID,
	}
	if len(st.Weights) > 0 {
		out["RoutingConfig"] = map[string]any{"AdditionalVersionWeights": st.Weights}
	}
	return out
}

func functionConfiguration(f *function, v *Version) map[string]any {
	return map[string]any{
		"FunctionName":     f.name,
		"FunctionArn":      fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s:%s", Region, Account, f.name, v.Version),
		"Version":          v.Version,
		"MemorySize":       v.MemorySize,
		"Timeout":          v.Timeout,
		"Architectures":    v.Architectures,
		"Runtime":          v.Runtime,
		"State":            v.State,
		"LastUpdateStatus": "Successful",
		"Role":             fmt.Sprintf("arn:aws:iam::%s:role/%s-role", Account, f.name),
	}
}

var versionPattern = regexp.MustCompile(`^[0-9]+$`)

// updateAlias follows L-DG:API_UpdateAlias: RevisionId is an optimistic
// lock (412 PreconditionFailedException), at most one additional version,
// weights in 0..1, both versions published (never $LATEST with routing).
func (s *Server) updateAlias(f *function, req *request) response {
	a := f.aliases[req.path[2]]
	if a == nil {
		return apiErr(http.StatusNotFound, "ResourceNotFoundException", "Alias not found: %s:%s", f.name, req.path[2])
	}
	var in struct {
		FunctionVersion *string
		Description     *string
		RevisionId      *string
		RoutingConfig   *struct {
			AdditionalVersionWeights map[string]float64
		}
	}
	if err := json.Unmarshal(req.body, &in); err != nil {
		return apiErr(http.StatusBadRequest, "InvalidRequestContentException", "could not parse request body: %v", err)
	}
	cur := a.state()
	if in.RevisionId != nil && *in.RevisionId != cur.RevisionID {
		return apiErr(http.StatusPreconditionFailed, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id")
	}
	version, weights := cur.Version, cur.Weights
	if in.FunctionVersion != nil {
		version = *in.FunctionVersion
	}
	if in.RoutingConfig != nil {
		weights = in.RoutingConfig.AdditionalVersionWeights
	}
	if f.versions[version] == nil {
		return apiErr(http.StatusNotFound, "ResourceNotFoundException", "Function not found: %s:%s", f.name, version)
	}
	if len(weights) > 1 {
		return apiErr(http.StatusBadRequest, "InvalidParameterValueException", "Number of additional versions cannot exceed 1")
	}
	for k, w := range weights {
		switch {
		case !versionPattern.MatchString(k) || f.versions[k] == nil:
			return apiErr(http.StatusBadRequest, "InvalidParameterValueException", "Version %q in AdditionalVersionWeights does not exist", k)
		case k == version:
			return apiErr(http.StatusBadRequest, "InvalidParameterValueException", "Version %s cannot be both the primary and an additional version", k)
		case w < 0 || w > 1:
			return apiErr(http.StatusBadRequest, "InvalidParameterValueException", "Weight %v of version %s is outside 0.0..1.0", w, k)
		case version == "$LATEST":
			return apiErr(http.StatusBadRequest, "InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version")
		}
	}
	if in.Description != nil {
		a.description = *in.Description
	}
	s.setAliasLocked(a, s.Clock.Now(), version, weights)
	return ok(aliasConfiguration(f, a))
}

// invoke runs a hook function: the fake clock advances by its duration and
// the result is its payload (or a function error). Other functions return
// null at once.
func (s *Server) invoke(f *function, req *request) response {
	f.invoked = append(f.invoked, string(req.body))
	h := http.Header{}
	q := req.http.URL.Query().Get("Qualifier")
	if q == "" {
		q = "$LATEST"
	}
	if a := f.aliases[q]; a != nil {
		q = a.state().Version
	}
	h.Set("X-Amz-Executed-Version", q)
	if t := req.http.Header.Get("X-Amz-Invocation-Type"); t == "Event" {
		return response{status: http.StatusAccepted, header: h, raw: []byte{}}
	}
	if f.hook == nil {
		return response{status: http.StatusOK, header: h, raw: []byte("null")}
	}
	s.Clock.Advance(f.hook.Duration)
	switch f.hook.Result {
	case HookFails:
		return response{status: http.StatusOK, header: h, raw: []byte(`{"status":"Failed"}`)}
	case HookErrors:
		h.Set("X-Amz-Function-Error", "Unhandled")
		return response{status: http.StatusOK, header: h, raw: []byte(`{"errorType":"Error","errorMessage":"hook crashed"}`)}
	}
	return response{status: http.StatusOK, header: h, raw: []byte(`{"status":"Succeeded"}`)}
}
