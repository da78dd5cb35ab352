// Package replay turns a recorded deployment window — the per-minute
// Lambda metrics that `shiftsim record` pulls from CloudWatch, alias total
// and per executed version, with the sidecar that says which version was
// current and which the target — into a simulator model: the alias's
// recorded invocations are the traffic, each version's recorded error rate
// and latency per minute are its behaviour, and any strategy and alarm can
// then be run against what really happened (compare --replay-deployment).
// It also computes, from the recording alone, what actually happened.
//
// What is replayed and what is estimated is documented in docs/replay.md.
// The package reads files (the recording and its sidecar) and nothing
// else; it never reads the clock or global randomness.
package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/safeio"
)

// MaxFile bounds a recording file: at about 60 to 80 bytes a datapoint, a
// dense recording of both versions with every series (9 to 12 datapoints a
// period) fills it at 70,000 to 115,000 periods, about MaxPeriods;
// CloudWatch keeps one-minute datapoints for 15 days, 21,600 of them.
const MaxFile = 64 << 20

// MaxWindow is the longest window replayed: what `record` can fetch,
// CloudWatch keeping hourly datapoints for 455 days (docs/replay.md,
// "Limits"). Every period of every version is a fault of the engine's,
// looked up by index (faults.Index), so a replay's work grows with its
// requests, not with the square of its window.
const MaxWindow = 455 * 24 * time.Hour

// MaxPeriods bounds the periods of a recording: GetMetricData's 100,800
// datapoints a call, record's own bound. A period costs about 460 bytes
// held during a replay (its series, behaviour, faults and their index:
// 10 MB for 21,600 periods, measured) and each running replay about 2 KB
// more (its timeline records every change of fault), so the longest
// recording needs some 250 MB with two replays running.
const MaxPeriods = 100800

// Recording is a deployment window as `shiftsim record` wrote it, aligned
// on its period: index k of every series is the period [Start+k·Period,
// Start+(k+1)·Period).
type Recording struct {
	File         string // the metrics file
	Function     string
	Alias        string
	Start        time.Time // the first period's start
	Period       time.Duration
	Periods      int
	DeploymentID string
	// Versions are the current (0) and target (1) versions' series.
	Versions [2]Series
	// Traffic is the alias's Invocations per period (all versions): the
	// traffic replayed. Where the alias series is absent, the sum of the
	// versions' invocations.
	Traffic []float64
	// Deployment is what CodeDeploy said of the deployment, when the
	// recording was made with --deployment-id.
	Deployment *Deployment
	// Weights are the alias weights the sidecar records (the deployment's
	// traffic steps), oldest first; empty when unknown.
	Weights []Weight
}

// Series is one version's per-period metrics. A period without a
// datapoint had no invocations (Lambda publishes nothing then); its
// latencies are NaN.
type Series struct {
	Name        string
	Invocations []float64
	Errors      []float64
	P50, P99    []float64 // Duration percentiles, ms; NaN when absent
}

// Deployment is the CodeDeploy deployment a recording covers, its times as
// offsets from Recording.Start.
type Deployment struct {
	ID, Config, Status, ErrorCode string
	Create                        time.Duration // CreateTime
	AllowTraffic                  *time.Duration
	Complete                      *time.Duration
	RolledBack                    bool
}

// Weight is the alias's weight on the target from At (an offset from
// Recording.Start) on.
type Weight struct {
	At     time.Duration
	Target float64 // 0..1
}

// Window is the recording's length.
func (r *Recording) Window() time.Duration { return time.Duration(r.Periods) * r.Period }

// sidecar is the recording's .function.json, as awsexec.FunctionInfo
// writes it (the fields replay needs).
type sidecar struct {
	FunctionName   string
	Alias          string
	From, To       string
	Period         int
	AliasVersion   string
	CurrentVersion string
	TargetVersion  string
	Queries        []struct{ Id, MetricName, Stat, ExecutedVersion string }
	Deployment     *struct {
		DeploymentId         string
		DeploymentConfigName string
		Status               string
		ErrorCode            string
		CreateTime           string
		AllowTrafficStart    string
		CompleteTime         string
		RolledBack           bool
	}
	Weights []struct {
		At           string
		TargetWeight float64
	}
}

// SidecarPath is where the sidecar of the recording at path is:
// "rec.json" → "rec.function.json" (awsexec.SidecarPath).
func SidecarPath(path string) string {
	return strings.TrimSuffix(path, ".json") + ".function.json"
}

// ScenarioPath is where `shiftsim record --deployment-id` writes the
// scenario of the recording at path (its function, versions, the
// deployment group's alarms and strategies to compare): "rec.json" →
// "rec.scenario.yaml".
func ScenarioPath(path string) string {
	return strings.TrimSuffix(path, ".json") + ".scenario.yaml"
}

// Read reads the recording at path and its sidecar.
func Read(path string) (*Recording, error) {
	data, err := safeio.ReadFile(path, MaxFile)
	if err != nil {
		return nil, err
	}
	sidePath := SidecarPath(path)
	side, err := safeio.ReadFile(sidePath, safeio.MaxDocument)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no sidecar %s: replay needs it to know the window and which version was current and which the target (shiftsim record writes both)", path, sidePath)
		}
		return nil, err
	}
	return Parse(path, data, sidePath, side)
}

// result is one MetricDataResults entry with where it starts.
type result struct {
	Id         string
	Label      string
	Timestamps []string
	Values     []float64
	StatusCode string
	line       int64
	index      int
	raw        []byte // the result's JSON
	base       int64  // its offset in the file
}

// elemLine is the line of element i of the result's array key, or the
// result's line when it cannot be found.
func (r *result) elemLine(data []byte, key string, i int) int64 {
	at := bytes.Index(r.raw, []byte(`"`+key+`"`))
	if at < 0 {
		return r.line
	}
	at += len(key) + 2
	open := bytes.IndexByte(r.raw[at:], '[')
	if open < 0 {
		return r.line
	}
	at += open
	dec := json.NewDecoder(bytes.NewReader(r.raw[at:]))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return r.line
	}
	for n := 0; dec.More(); n++ {
		off := dec.InputOffset()
		if _, err := dec.Token(); err != nil {
			return r.line
		}
		if n == i {
			rest := r.raw[int64(at)+off:]
			skip := len(rest) - len(bytes.TrimLeft(rest, " \t\r\n,"))
			return lineAt(data, r.base+int64(at)+off+int64(skip))
		}
	}
	return r.line
}

// Error is a problem in a recording or its sidecar, with where it is:
// "rec.json:14: MetricDataResults[2].Timestamps[3]: ...".
type Error struct {
	File  string
	Line  int64 // 0 when the problem is the file as a whole
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.FormatInt(e.Line, 10))
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

func lineAt(data []byte, off int64) int64 {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return int64(bytes.Count(data[:off], []byte("\n"))) + 1
}

// jsonErr turns a decoding error into an Error with its line.
func jsonErr(file string, data []byte, base int64, field string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &Error{File: file, Line: lineAt(data, base+se.Offset), Field: field, Msg: "not JSON: " + se.Error()}
	case errors.As(err, &te):
		f := field
		if te.Field != "" {
			f = strings.TrimPrefix(field+"."+te.Field, ".")
		}
		return &Error{File: file, Line: lineAt(data, base+te.Offset), Field: f, Msg: fmt.Sprintf("a JSON %s where %s belongs", te.Value, kindOf(te.Type.String()))}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Error{File: file, Line: lineAt(data, int64(len(data))), Field: field, Msg: "the JSON ends early"}
	}
	return &Error{File: file, Field: field, Msg: err.Error()}
}

func kindOf(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "float") || strings.HasPrefix(goType, "int"):
		return "a number"
	case goType == "bool":
		return "true or false"
	}
	return "an object"
}

// readResults decodes the get-metric-data document, keeping the line each
// result starts on. Several documents one after the other (CLI pages) are
// read as one.
func readResults(file string, data []byte) ([]result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []result
	for doc := 0; ; doc++ {
		t, err := dec.Token()
		if err == io.EOF {
			if doc == 0 {
				return nil, &Error{File: file, Msg: "empty: want the output of aws cloudwatch get-metric-data (shiftsim record)"}
			}
			return out, nil
		}
		if err != nil {
			return nil, jsonErr(file, data, 0, "", err)
		}
		if t != json.Delim('{') {
			return nil, &Error{File: file, Line: lineAt(data, dec.InputOffset()), Msg: "want a JSON object with MetricDataResults (the output of aws cloudwatch get-metric-data)"}
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, jsonErr(file, data, 0, "", err)
			}
			key, _ := k.(string)
			if key != "MetricDataResults" {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return nil, jsonErr(file, data, 0, key, err)
				}
				continue
			}
			if t, err := dec.Token(); err != nil {
				return nil, jsonErr(file, data, 0, key, err)
			} else if t != json.Delim('[') {
				return nil, &Error{File: file, Line: lineAt(data, dec.InputOffset()), Field: key, Msg: "want an array of results"}
			}
			for dec.More() {
				field := fmt.Sprintf("MetricDataResults[%d]", len(out))
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, jsonErr(file, data, 0, field, err)
				}
				start := dec.InputOffset() - int64(len(raw))
				var r result
				if err := json.Unmarshal(raw, &r); err != nil {
					return nil, jsonErr(file, data, start, field, err)
				}
				// The line of the result's first key, not of the comma before it.
				r.line = lineAt(data, start+int64(bytes.IndexByte(raw, '"')))
				r.index = len(out)
				r.raw, r.base = raw, start
				out = append(out, r)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(file, data, 0, key, err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, jsonErr(file, data, 0, "", err)
		}
	}
}

// query is what one result holds.
type query struct{ metric, stat, version string }

// idConvention reads record's Id convention: invocations, errors,
// duration_p50, duration_p99 (and duration_avg), with "_vN" for version N.
func idConvention(id string) (query, bool) {
	stem, version, _ := strings.Cut(id, "_v")
	switch stem {
	case "invocations":
		return query{"Invocations", "Sum", version}, true
	case "errors":
		return query{"Errors", "Sum", version}, true
	case "duration_p50":
		return query{"Duration", "p50", version}, true
	case "duration_p99":
		return query{"Duration", "p99", version}, true
	case "duration_avg":
		return query{"Duration", "Average", version}, true
	}
	return query{}, false
}

// Parse reads a recording from its bytes and its sidecar's; the names are
// for messages.
func Parse(file string, data []byte, sideFile string, side []byte) (*Recording, error) {
	var sc sidecar
	if err := json.Unmarshal(side, &sc); err != nil {
		return nil, jsonErr(sideFile, side, 0, "", err)
	}
	bad := func(field, format string, a ...any) error {
		line := int64(0)
		if i := bytes.Index(side, []byte(`"`+strings.SplitN(field, ".", 2)[0]+`"`)); i >= 0 && field != "" {
			line = lineAt(side, int64(i))
		}
		return &Error{File: sideFile, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	rec := &Recording{File: file, Function: sc.FunctionName, Alias: sc.Alias}
	if sc.FunctionName == "" || sc.Alias == "" {
		return nil, bad("FunctionName", "want the function's name and Alias (shiftsim record writes them)")
	}
	period := time.Duration(sc.Period) * time.Second
	if sc.Period <= 0 || period%time.Minute != 0 || period > time.Hour {
		return nil, bad("Period", "%d: want a whole number of minutes in seconds, from 60 to 3600", sc.Period)
	}
	rec.Period = period
	from, err := time.Parse(time.RFC3339, sc.From)
	if err != nil {
		return nil, bad("From", "%s: want an RFC 3339 time (2026-06-01T12:00:00+00:00)", safeio.Quote(sc.From))
	}
	to, err := time.Parse(time.RFC3339, sc.To)
	if err != nil {
		return nil, bad("To", "%s: want an RFC 3339 time (2026-06-01T13:00:00+00:00)", safeio.Quote(sc.To))
	}
	if from.Year() < 1970 || to.Year() >= 2100 {
		return nil, bad("From", "%s .. %s: want times from 1970 to 2099", sc.From, sc.To)
	}
	// CloudWatch's periods fall on multiples of the period since the epoch.
	rec.Start = from.UTC().Truncate(period)
	if !to.After(rec.Start) {
		return nil, bad("To", "%s is not after From %s", sc.To, sc.From)
	}
	if to.Sub(rec.Start) > MaxWindow {
		return nil, bad("To", "the window %s .. %s lasts %v: replay takes at most %v (docs/replay.md)", sc.From, sc.To, to.Sub(rec.Start), MaxWindow)
	}
	rec.Periods = int((to.Sub(rec.Start) + period - 1) / period)
	if rec.Periods > MaxPeriods {
		return nil, bad("To", "the window %s .. %s holds %d periods of %v: replay takes at most %d (docs/replay.md)", sc.From, sc.To, rec.Periods, period, MaxPeriods)
	}

	cur, tgt := sc.CurrentVersion, sc.TargetVersion
	if sc.Deployment != nil && cur == "" {
		cur = sc.AliasVersion
	}
	if cur == "" || tgt == "" {
		return nil, bad("TargetVersion", "the sidecar does not say which version was current and which the target: record with --deployment-id, or with --versions CURRENT,TARGET")
	}
	if cur == tgt {
		return nil, bad("TargetVersion", "current and target are both version %s", cur)
	}
	rec.Versions[0].Name, rec.Versions[1].Name = cur, tgt

	byID := map[string]query{}
	for _, q := range sc.Queries {
		byID[q.Id] = query{q.MetricName, q.Stat, q.ExecutedVersion}
	}
	results, err := readResults(file, data)
	if err != nil {
		return nil, err
	}
	n := rec.Periods
	nan := func() []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = math.NaN()
		}
		return s
	}
	for v := range rec.Versions {
		s := &rec.Versions[v]
		s.Invocations, s.Errors, s.P50, s.P99 = make([]float64, n), make([]float64, n), nan(), nan()
	}
	var alias []float64
	seen := map[query]int64{}
	for _, r := range results {
		field := fmt.Sprintf("MetricDataResults[%d]", r.index)
		q, ok := byID[r.Id]
		if !ok {
			q, ok = idConvention(r.Id)
		}
		if !ok {
			continue // another metric: not replayed
		}
		var dst []float64
		v := -1
		switch q.version {
		case "":
		case cur:
			v = 0
		case tgt:
			v = 1
		default:
			continue // a third version: not part of the deployment
		}
		switch {
		case q.metric == "Invocations" && q.stat == "Sum" && v < 0:
			if alias == nil {
				alias = make([]float64, n)
			}
			dst = alias
		case v < 0:
			continue
		case q.metric == "Invocations" && q.stat == "Sum":
			dst = rec.Versions[v].Invocations
		case q.metric == "Errors" && q.stat == "Sum":
			dst = rec.Versions[v].Errors
		case q.metric == "Duration" && q.stat == "p50":
			dst = rec.Versions[v].P50
		case q.metric == "Duration" && q.stat == "p99":
			dst = rec.Versions[v].P99
		default:
			continue
		}
		if prev, dup := seen[q]; dup {
			return nil, &Error{File: file, Line: r.line, Field: field + ".Id", Msg: fmt.Sprintf("%s is a second series of %s %s (the first is at line %d)", safeio.Quote(r.Id), q.metric, q.stat, prev)}
		}
		seen[q] = r.line
		if len(r.Timestamps) != len(r.Values) {
			return nil, &Error{File: file, Line: r.line, Field: field, Msg: fmt.Sprintf("%d Timestamps but %d Values", len(r.Timestamps), len(r.Values))}
		}
		filled := make([]bool, n)
		for i, ts := range r.Timestamps {
			f := fmt.Sprintf("%s.Timestamps[%d]", field, i)
			t, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				return nil, &Error{File: file, Line: r.elemLine(data, "Timestamps", i), Field: f, Msg: fmt.Sprintf("%s is not an RFC 3339 time", safeio.Quote(ts))}
			}
			off := t.Sub(rec.Start)
			if t.Before(rec.Start) || off >= rec.Window() {
				return nil, &Error{File: file, Line: r.elemLine(data, "Timestamps", i), Field: f, Msg: fmt.Sprintf("%s is outside the window %s .. %s of the sidecar", ts, sc.From, sc.To)}
			}
			if off%period != 0 {
				return nil, &Error{File: file, Line: r.elemLine(data, "Timestamps", i), Field: f, Msg: fmt.Sprintf("%s is not on a %v period boundary", ts, period)}
			}
			k := int(off / period)
			if filled[k] {
				return nil, &Error{File: file, Line: r.elemLine(data, "Timestamps", i), Field: f, Msg: fmt.Sprintf("%s appears twice", ts)}
			}
			filled[k] = true
			x := r.Values[i]
			f = fmt.Sprintf("%s.Values[%d]", field, i)
			vl := func() int64 { return r.elemLine(data, "Values", i) } // only for a message: it rereads the array
			switch {
			case math.IsNaN(x) || math.IsInf(x, 0) || x < 0:
				return nil, &Error{File: file, Line: vl(), Field: f, Msg: fmt.Sprintf("%v: want a number >= 0", x)}
			case q.stat == "Sum" && (x != math.Trunc(x) || x > 1e15):
				return nil, &Error{File: file, Line: vl(), Field: f, Msg: fmt.Sprintf("%v: a %s Sum is a whole count", x, q.metric)}
			case q.metric == "Duration" && x > 9e5:
				return nil, &Error{File: file, Line: vl(), Field: f, Msg: fmt.Sprintf("%v ms: longer than Lambda's 15-minute timeout", x)}
			}
			dst[k] = x
		}
	}
	for v, s := range rec.Versions {
		if _, ok := seen[query{"Invocations", "Sum", s.Name}]; !ok {
			return nil, &Error{File: file, Msg: fmt.Sprintf("no Invocations Sum series of %s version %s (Id invocations_v%s)", []string{"current", "target"}[v], s.Name, s.Name)}
		}
		if _, ok := seen[query{"Errors", "Sum", s.Name}]; !ok {
			return nil, &Error{File: file, Msg: fmt.Sprintf("no Errors Sum series of version %s (Id errors_v%s)", s.Name, s.Name)}
		}
		for k := range n {
			if s.Errors[k] > s.Invocations[k] {
				return nil, &Error{File: file, Msg: fmt.Sprintf("version %s has %v errors but %v invocations in the period at %s", s.Name, s.Errors[k], s.Invocations[k], rec.Start.Add(time.Duration(k)*period).Format(time.RFC3339))}
			}
		}
	}
	if alias == nil {
		alias = make([]float64, n)
		for k := range alias {
			alias[k] = rec.Versions[0].Invocations[k] + rec.Versions[1].Invocations[k]
		}
	}
	for k := range alias {
		if sum := rec.Versions[0].Invocations[k] + rec.Versions[1].Invocations[k]; alias[k] < sum {
			return nil, &Error{File: file, Msg: fmt.Sprintf("the alias had %v invocations but its versions %v in the period at %s", alias[k], sum, rec.Start.Add(time.Duration(k)*period).Format(time.RFC3339))}
		}
	}
	rec.Traffic = alias

	offset := func(field, s string) (time.Duration, error) {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return 0, bad(field, "%s: want an RFC 3339 time", safeio.Quote(s))
		}
		return t.Sub(rec.Start), nil
	}
	if d := sc.Deployment; d != nil {
		dep := &Deployment{ID: d.DeploymentId, Config: d.DeploymentConfigName, Status: d.Status, ErrorCode: d.ErrorCode, RolledBack: d.RolledBack}
		rec.DeploymentID = d.DeploymentId
		if dep.Create, err = offset("Deployment.CreateTime", d.CreateTime); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			field, s string
			dst      **time.Duration
		}{{"Deployment.AllowTrafficStart", d.AllowTrafficStart, &dep.AllowTraffic}, {"Deployment.CompleteTime", d.CompleteTime, &dep.Complete}} {
			if p.s == "" {
				continue
			}
			o, err := offset(p.field, p.s)
			if err != nil {
				return nil, err
			}
			*p.dst = &o
		}
		rec.Deployment = dep
	}
	for i, w := range sc.Weights {
		at, err := offset(fmt.Sprintf("Weights[%d].At", i), w.At)
		if err != nil {
			return nil, err
		}
		if !(w.TargetWeight >= 0 && w.TargetWeight <= 1) {
			return nil, bad(fmt.Sprintf("Weights[%d].TargetWeight", i), "%v: want a fraction in [0, 1]", w.TargetWeight)
		}
		if i > 0 && at < rec.Weights[i-1].At {
			return nil, bad(fmt.Sprintf("Weights[%d].At", i), "%s is before the previous step", w.At)
		}
		rec.Weights = append(rec.Weights, Weight{At: at, Target: w.TargetWeight})
	}
	return rec, nil
}
