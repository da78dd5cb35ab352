package traffic

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// logEvent is one CloudWatch Logs event (or Lambda JSON-format line).
type logEvent struct {
	Timestamp json.RawMessage `json:"timestamp"` // ms since the epoch, or an RFC 3339 string
	Message   json.RawMessage `json:"message"`   // usually a string
	Time      string          `json:"time"`      // Lambda JSON log format / Telemetry API
	Type      string          `json:"type"`      // "platform.report", ...
	Record    json.RawMessage `json:"record"`

	line int64
}

// eventWalker streams the log events of a JSON recording, whatever wraps
// them: CloudWatch Logs subscription payloads ({"logEvents": [...]},
// decompressed, one after the other), `aws logs filter-log-events` or
// `get-log-events` output ({"events": [...]}), a bare array of events, or
// one event object per line (the Lambda JSON log format). It holds one
// event at a time.
type eventWalker struct {
	j        *jsonStream
	inArray  bool // inside an events array
	topArray bool // ... that is the top-level value
	inObj    bool // inside a top-level object
	pending  logEvent
	isEvent  bool // the top-level object has event keys
}

func newEventWalker(file string, r io.Reader) *eventWalker {
	return &eventWalker{j: newJSONStream(file, r)}
}

// next returns the next event; io.EOF at the end. A *ParseError that is
// recoverable leaves the walker ready for the next event.
func (w *eventWalker) next() (logEvent, error) {
	j := w.j
	for {
		if w.inArray {
			if j.dec.More() {
				var ev logEvent
				err := j.dec.Decode(&ev)
				ev.line = j.here()
				if err != nil {
					return ev, j.error("", err)
				}
				return ev, nil
			}
			if err := j.expectDelim("", ']'); err != nil {
				return logEvent{}, err
			}
			w.inArray = false
			if w.topArray {
				w.topArray = false
			}
			continue
		}
		if w.inObj {
			if j.dec.More() {
				k, err := j.token()
				if err != nil {
					return logEvent{}, j.error("", err)
				}
				key, _ := k.(string)
				var dst any
				switch key {
				case "logEvents", "events":
					if err := j.expectDelim(key, '['); err != nil {
						return logEvent{}, err
					}
					w.inArray = true
					continue
				case "timestamp":
					dst = &w.pending.Timestamp
				case "message":
					dst = &w.pending.Message
				case "time":
					dst = &w.pending.Time
				case "type":
					dst = &w.pending.Type
				case "record":
					dst = &w.pending.Record
				default:
					var skip json.RawMessage
					dst = &skip
				}
				if err := j.dec.Decode(dst); err != nil {
					pe := j.error(key, err)
					pe.Line = j.here()
					return logEvent{}, pe
				}
				if key != "" && dst != nil && (key == "timestamp" || key == "message" || key == "type") {
					w.isEvent = true
				}
				continue
			}
			if err := j.expectDelim("", '}'); err != nil {
				return logEvent{}, err
			}
			w.inObj = false
			if w.isEvent {
				ev := w.pending
				ev.line = j.here()
				return ev, nil
			}
			continue
		}
		t, err := j.token()
		if err == io.EOF {
			return logEvent{}, io.EOF
		}
		if err != nil {
			return logEvent{}, j.error("", err)
		}
		switch t {
		case json.Delim('{'):
			w.inObj, w.isEvent, w.pending = true, false, logEvent{}
		case json.Delim('['):
			w.inArray, w.topArray = true, true
		default:
			return logEvent{}, fatal(perr(j.file, j.here(), "", "want a JSON object or array of log events, found %s", tokenString(t)))
		}
	}
}

// eventTime is the event's time in ns: its timestamp (ms or RFC 3339), or
// its time field.
func (ev *logEvent) eventTime() (int64, bool) {
	ts := bytes.TrimSpace(ev.Timestamp)
	if len(ts) > 0 && string(ts) != "null" {
		if ts[0] == '"' {
			var s string
			if json.Unmarshal(ts, &s) != nil {
				return 0, false
			}
			u := timeUnit(time.Millisecond)
			return parseTime(s, &u)
		}
		return parseDecimal(string(ts), int64(time.Millisecond))
	}
	if ev.Time != "" {
		var u timeUnit
		return parseTime(ev.Time, &u)
	}
	return 0, false
}

// message is the event's message as text ("" if it has none).
func (ev *logEvent) message() string {
	m := bytes.TrimSpace(ev.Message)
	if len(m) == 0 || m[0] != '"' {
		return string(m)
	}
	var s string
	if json.Unmarshal(m, &s) != nil {
		return ""
	}
	return s
}

// --- Lambda REPORT lines ---

// report is what a REPORT line (or a platform.report event) says, in ms.
type report struct {
	duration, init float64
}

// parseReport reads the durations of a REPORT line, whatever separates its
// fields (tabs, spaces, or a literal `\t` left by double escaping). Init
// Duration (cold start) and Restore Duration (SnapStart) come before the
// handler's Duration.
func parseReport(msg string) (report, string, bool) {
	var r report
	found := false
	rest := msg
	for {
		i := strings.Index(rest, "Duration: ")
		if i < 0 {
			break
		}
		before := rest[:i]
		val := rest[i+len("Duration: "):]
		rest = val
		end := strings.IndexAny(val, " \t\\")
		if end < 0 {
			end = len(val)
		}
		num := val[:end]
		kind := "Duration"
		switch {
		case strings.HasSuffix(before, "Billed "):
			continue
		case strings.HasSuffix(before, "Init "):
			kind = "Init Duration"
		case strings.HasSuffix(before, "Restore "):
			kind = "Restore Duration"
		default:
			if found {
				continue
			}
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || !(v >= 0 && v <= maxRecordedSeconds*1000) {
			return r, kind, false
		}
		if kind == "Duration" {
			r.duration, found = v, true
		} else {
			r.init += v
		}
	}
	if !found {
		return r, "Duration", false
	}
	return r, "", true
}

// arrival turns a report logged at end (ns) into the request's arrival:
// the report is written when the invocation ends, after any init.
func (r report) arrival(end int64) record {
	at := end - int64(math.Round((r.duration+r.init)*float64(time.Millisecond)))
	return record{at: at, dur: float32(r.duration / 1e3)}
}

// platformRecord is the record of a platform.report event.
type platformRecord struct {
	Metrics struct {
		DurationMs        float64 `json:"durationMs"`
		InitDurationMs    float64 `json:"initDurationMs"`
		RestoreDurationMs float64 `json:"restoreDurationMs"`
	} `json:"metrics"`
}

// lambdaReader reads Lambda invocations from their REPORT lines: plain text
// (a line's leading RFC 3339 time, else the latest time on a line before
// it, is when the report was written), CloudWatch Logs exports in JSON (the
// event's timestamp), or Lambda's JSON log format (platform.report events).
// A request arrives Duration + Init Duration before its report.
type lambdaReader struct {
	file   string
	l      *lines
	w      *eventWalker
	last   int64
	haveTS bool
}

func newLambdaReader(s *spec, br *bufio.Reader) (*lambdaReader, error) {
	r := &lambdaReader{file: s.Path}
	if c := firstByte(br); c == '{' || c == '[' {
		r.w = newEventWalker(s.Path, br)
	} else {
		r.l = newLines(br)
	}
	return r, nil
}

// firstByte is the first non-blank byte ahead, or 0.
func firstByte(br *bufio.Reader) byte {
	head, _ := br.Peek(4096)
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// leadingTime parses a time at the start of a log line: RFC 3339 (as the
// Lambda runtimes and `aws logs tail` print it) or epoch milliseconds.
func leadingTime(line []byte) (int64, bool) {
	end := bytes.IndexAny(line, " \t")
	if end < 0 {
		end = len(line)
	}
	tok := line[:end]
	if len(tok) < 13 || len(tok) > 40 {
		return 0, false
	}
	if tok[0] >= '0' && tok[0] <= '9' && tok[4] == '-' {
		t, err := time.Parse(time.RFC3339Nano, string(tok))
		if err != nil || t.Year() < 1678 || t.Year() > 2261 {
			return 0, false
		}
		return t.UnixNano(), true
	}
	if len(tok) == 13 && isNumeric(string(tok)) {
		return parseDecimal(string(tok), int64(time.Millisecond))
	}
	return 0, false
}

func (r *lambdaReader) next() (record, error) {
	if r.w != nil {
		return r.nextJSON()
	}
	for {
		line, err := r.l.next()
		if err != nil {
			return record{}, r.l.error(r.file, err)
		}
		if t, ok := leadingTime(line); ok {
			r.last, r.haveTS = t, true
		}
		i := bytes.Index(line, []byte("REPORT RequestId:"))
		if i < 0 {
			continue
		}
		n := r.l.line
		rep, field, ok := parseReport(string(line[i:]))
		if !ok {
			return record{line: n}, perr(r.file, n, field, "REPORT line without a readable %s", field)
		}
		if !r.haveTS {
			return record{line: n}, perr(r.file, n, "", "REPORT line without a time, and no time on a line before it (export with timestamps, e.g. aws logs tail or filter-log-events)")
		}
		rec := rep.arrival(r.last)
		rec.line = n
		return rec, nil
	}
}

func (r *lambdaReader) nextJSON() (record, error) {
	for {
		ev, err := r.w.next()
		if err != nil {
			return record{line: ev.line}, err
		}
		if ev.Type == "platform.report" {
			return r.platform(&ev, ev.Record)
		}
		msg := ev.message()
		if strings.HasPrefix(strings.TrimSpace(msg), "{") && strings.Contains(msg, `"platform.report"`) {
			// A JSON-format log line shipped inside a CloudWatch event.
			var inner logEvent
			if json.Unmarshal([]byte(msg), &inner) == nil && inner.Type == "platform.report" {
				inner.line = ev.line
				return r.platform(&inner, inner.Record)
			}
		}
		i := strings.Index(msg, "REPORT RequestId:")
		if i < 0 {
			continue
		}
		rep, field, ok := parseReport(msg[i:])
		if !ok {
			return record{line: ev.line}, perr(r.file, ev.line, "message", "REPORT line without a readable %s", field)
		}
		end, ok := ev.eventTime()
		if !ok {
			return record{line: ev.line}, perr(r.file, ev.line, "timestamp", "%s is not a time (want milliseconds since the epoch)", quote(string(ev.Timestamp)))
		}
		rec := rep.arrival(end)
		rec.line = ev.line
		return rec, nil
	}
}

func (r *lambdaReader) platform(ev *logEvent, raw json.RawMessage) (record, error) {
	var pr platformRecord
	if err := json.Unmarshal(raw, &pr); err != nil {
		return record{line: ev.line}, perr(r.file, ev.line, "record.metrics", "%v", err)
	}
	m := pr.Metrics
	if m.DurationMs < 0 || m.InitDurationMs < 0 || m.RestoreDurationMs < 0 || m.DurationMs > 1e12 || m.InitDurationMs > 1e12 || m.RestoreDurationMs > 1e12 {
		return record{line: ev.line}, perr(r.file, ev.line, "record.metrics", "negative or impossible duration")
	}
	end, ok := ev.eventTime()
	if !ok {
		return record{line: ev.line}, perr(r.file, ev.line, "time", "%s is not a time", quote(ev.Time))
	}
	rec := report{duration: m.DurationMs, init: m.InitDurationMs + m.RestoreDurationMs}.arrival(end)
	rec.line = ev.line
	return rec, nil
}

// error passes io.EOF and turns other reading errors into ParseErrors.
func (l *lines) error(file string, err error) error {
	if err == io.EOF {
		return io.EOF
	}
	if t, ok := err.(*lineTooLong); ok {
		return fatal(perr(file, t.line, "", "%v", err))
	}
	return fatal(perr(file, l.line+1, "", "%v", err))
}

// --- API Gateway access logs ---

// apigwEntry holds the $context variables of an API Gateway access log in
// JSON; values may be strings or numbers.
type apigwEntry struct {
	RequestTime        json.RawMessage `json:"requestTime"`
	RequestTimeEpoch   json.RawMessage `json:"requestTimeEpoch"`
	IP                 json.RawMessage `json:"ip"`
	SourceIP           json.RawMessage `json:"sourceIp"`
	User               json.RawMessage `json:"user"`
	IntegrationLatency json.RawMessage `json:"integrationLatency"`
	ResponseLatency    json.RawMessage `json:"responseLatency"`
}

func rawString(m json.RawMessage) string {
	m = bytes.TrimSpace(m)
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	if m[0] == '"' {
		var s string
		if json.Unmarshal(m, &s) == nil {
			return s
		}
		return ""
	}
	return string(m)
}

// apigwReader reads API Gateway access logs: the console's JSON format (one
// object per line) or CLF, plain or inside CloudWatch Logs exports. A
// request arrives at requestTimeEpoch (ms), else requestTime (1 s
// resolution); its duration is integrationLatency, else responseLatency,
// when the log format has them; its user is $context.identity.user, else
// the source IP.
type apigwReader struct {
	file string
	l    *lines
	w    *eventWalker
}

func newAPIGatewayReader(s *spec, br *bufio.Reader) (*apigwReader, error) {
	r := &apigwReader{file: s.Path}
	head, _ := br.Peek(detectBytes)
	if c := firstByte(br); c == '[' || (c == '{' && (bytes.Contains(head, []byte(`"logEvents"`)) || bytes.Contains(head, []byte(`"events"`)))) {
		r.w = newEventWalker(s.Path, br)
	} else {
		r.l = newLines(br)
	}
	return r, nil
}

func (r *apigwReader) next() (record, error) {
	if r.w != nil {
		for {
			ev, err := r.w.next()
			if err != nil {
				return record{line: ev.line}, err
			}
			msg := strings.TrimSpace(ev.message())
			if msg == "" {
				continue
			}
			return r.entry([]byte(msg), ev.line)
		}
	}
	for {
		line, err := r.l.next()
		if err != nil {
			return record{}, r.l.error(r.file, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return r.entry(line, r.l.line)
	}
}

func (r *apigwReader) entry(b []byte, n int64) (record, error) {
	b = bytes.TrimSpace(b)
	if b[0] == '{' {
		return r.jsonEntry(b, n)
	}
	return r.clfEntry(b, n)
}

func (r *apigwReader) jsonEntry(b []byte, n int64) (record, error) {
	rec := record{line: n}
	var e apigwEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return rec, perr(r.file, n, "", "not a JSON access log entry: %v", err)
	}
	if ep := rawString(e.RequestTimeEpoch); ep != "" {
		v, ok := parseDecimal(ep, int64(time.Millisecond))
		if !ok {
			return rec, perr(r.file, n, "requestTimeEpoch", "%s is not a time in milliseconds", quote(ep))
		}
		rec.at = v
	} else {
		rt := rawString(e.RequestTime)
		if rt == "" {
			return rec, perr(r.file, n, "", "no requestTime or requestTimeEpoch: add $context.requestTime to the access log format")
		}
		t, err := time.Parse("02/Jan/2006:15:04:05 -0700", rt)
		if err != nil || t.Year() < 1678 || t.Year() > 2261 {
			return rec, perr(r.file, n, "requestTime", "%s is not a time (want 02/Jan/2006:15:04:05 -0700)", quote(rt))
		}
		rec.at = t.UnixNano()
	}
	for _, l := range []struct {
		name string
		raw  json.RawMessage
	}{{"integrationLatency", e.IntegrationLatency}, {"responseLatency", e.ResponseLatency}} {
		v := rawString(l.raw)
		if v == "" || v == "-" {
			continue
		}
		d, ok := parseSeconds(v, int64(time.Millisecond))
		if !ok {
			return rec, perr(r.file, n, l.name, "%s is not a number of milliseconds", quote(v))
		}
		rec.dur = d
		break
	}
	user := rawString(e.User)
	if user == "" || user == "-" {
		user = rawString(e.IP)
	}
	if user == "" || user == "-" {
		user = rawString(e.SourceIP)
	}
	rec.user = hashUser(user)
	return rec, nil
}

// clfEntry reads API Gateway's CLF format:
// $context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "..." ...
func (r *apigwReader) clfEntry(b []byte, n int64) (record, error) {
	rec := record{line: n}
	open := bytes.IndexByte(b, '[')
	closing := bytes.IndexByte(b, ']')
	if open < 0 || closing < open {
		return rec, perr(r.file, n, "", "not an API Gateway access log entry (JSON or CLF with a [requestTime])")
	}
	ts := string(b[open+1 : closing])
	t, err := time.Parse("02/Jan/2006:15:04:05 -0700", ts)
	if err != nil || t.Year() < 1678 || t.Year() > 2261 {
		return rec, perr(r.file, n, "field 4 (requestTime)", "%s is not a time (want 02/Jan/2006:15:04:05 -0700)", quote(ts))
	}
	rec.at = t.UnixNano()
	f := bytes.Fields(b[:open])
	var user []byte
	if len(f) >= 3 && string(f[2]) != "-" {
		user = f[2]
	} else if len(f) >= 1 {
		user = f[0]
	}
	rec.user = hashUserBytes(user)
	return rec, nil
}
