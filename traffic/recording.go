package traffic

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/safeio"
)

// Canonical names of the recording formats (Recording.Format, Detect).
const (
	FormatCSV          = "csv"                  // per-request CSV: a timestamp column, optional user and duration columns
	FormatAzure2019    = "azure-functions-2019" // Azure Functions 2019 trace: per-function invocation counts per minute
	FormatAzure2021    = "azure-functions-2021" // Azure Functions 2021 trace: app,func,end_timestamp,duration per invocation
	FormatALB          = "alb"                  // Application Load Balancer access log
	FormatAPIGateway   = "apigateway"           // API Gateway access log, JSON or CLF, plain or in a CloudWatch Logs export
	FormatLambdaReport = "lambda-report"        // Lambda REPORT lines (text, JSON log format, CloudWatch Logs exports)
	FormatCloudWatch   = "cloudwatch-metrics"   // get-metric-data / get-metric-statistics JSON of Invocations (Sum)
)

// Formats lists the canonical format names.
var Formats = []string{FormatCSV, FormatAzure2019, FormatAzure2021, FormatALB, FormatAPIGateway, FormatLambdaReport, FormatCloudWatch}

var formatAliases = map[string]string{
	"azure2019": FormatAzure2019, "azure-2019": FormatAzure2019,
	"azure2021": FormatAzure2021, "azure-2021": FormatAzure2021,
	"api-gateway": FormatAPIGateway, "apigw": FormatAPIGateway,
	"lambda": FormatLambdaReport, "report": FormatLambdaReport,
	"cloudwatch": FormatCloudWatch,
}

// CanonicalFormat returns the canonical name of a format name or alias
// ("azure2019" is azure-functions-2019), or an error that lists the names.
func CanonicalFormat(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, f := range Formats {
		if n == f {
			return f, nil
		}
	}
	if f, ok := formatAliases[n]; ok {
		return f, nil
	}
	return "", fmt.Errorf("unknown trace format %q: want one of %s", name, strings.Join(Formats, ", "))
}

// perPeriod reports whether a format records counts per period rather than
// one line per request.
func perPeriod(format string) bool { return format == FormatAzure2019 || format == FormatCloudWatch }

// maxSpan is the longest recording, first request to last (about 73 years).
const maxSpan = math.MaxInt64 / 4

// minLoop is the shortest looped window, in replay time.
const minLoop = time.Millisecond

// DefaultReorder is the reorder window of per-request formats, in records
// (24 bytes each): a record may appear up to this many records after a later
// one and still be replayed in time order.
const DefaultReorder = 1 << 16

// Recording describes a recorded request stream to replay: which file, which
// part of it and how fast. Its zero values are the defaults, so a Recording
// with only Path set replays the whole file once, as recorded.
//
// Time in a recording is measured from its start: the first request of a
// per-request format (after Function selects), the first minute column of
// an Azure 2019 trace, the first datapoint of a CloudWatch export. Virtual
// time 0 of the replay is the recording at From.
type Recording struct {
	// Path is the file; gzip-compressed files are read transparently.
	Path string
	// FS is where Path is opened; nil means the operating system's files.
	FS fs.FS
	// Format is a name from Formats (or an alias such as "azure2019"); ""
	// detects it from the first lines (Detect).
	Format string
	// Function selects one function of a multi-function trace (Azure 2019 and
	// 2021, CloudWatch get-metric-data with several results): its HashFunction
	// (or "HashApp/HashFunction", or a unique prefix of either; for CloudWatch
	// the result's Id or Label), or "#N" / "rank:N" for the N-th busiest. ""
	// replays every function together (CloudWatch: the only result).
	Function string
	// From and To select the window [From, To) of the recording; To = 0 is
	// the end of the recording.
	From, To time.Duration
	// Speed scales time: 2 replays the window in half the time (twice the
	// rate); recorded durations are not scaled. 0 means 1.
	Speed float64
	// Scale scales the rate: 2 gives twice the requests. Per-request formats
	// replay every record ⌊Scale⌋ times and once more with probability
	// Scale−⌊Scale⌋ (so 0.5 keeps each record with probability ½); copies
	// arrive at the same instant with the same user. Per-period formats
	// multiply the Poisson rate. 0 means 1.
	Scale float64
	// Loop repeats the window until the replay's end. The window then lasts
	// To−From, or, without To, up to the end of the recording: the end of
	// its last period, or the end of the minute (counted from the start)
	// that holds the last request.
	Loop bool
	// Durations is the Azure 2019 function_durations_percentiles file (e.g.
	// durations.csv, opened like Path) whose row for the selected function
	// the Durations function reads.
	Durations string
	// Period is the period of a cloudwatch-metrics export; 0 infers it from
	// the smallest gap between timestamps (60 s when there is one datapoint).
	Period time.Duration
	// Reorder is the reorder window of per-request formats in records; 0 is
	// DefaultReorder. A record later than that is an error (or skipped when
	// Lenient).
	Reorder int
	// Lenient skips malformed records (counted by Replay.Skipped) instead of
	// failing on the first.
	Lenient bool
}

// ParseError is a malformed record or header of a recording, with where it
// is: "traces/x.csv:14: column 3 (timestamp): "abc" is not a time".
type ParseError struct {
	File  string // the Recording's Path
	Line  int64  // 1-based line number
	Field string // the field at fault, e.g. "column 3 (timestamp)"; "" for the whole line
	Msg   string

	recoverable bool // the parser can go on with the next record
}

// Error renders "file:line: field: message".
func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

func perr(file string, line int64, field, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...), recoverable: true}
}

func fatal(e *ParseError) *ParseError { e.recoverable = false; return e }

// spec is a validated Recording.
type spec struct {
	Recording
	format  string
	from    int64 // ns
	to      int64 // ns; 0 = end of recording
	speed   float64
	scale   float64
	reorder int
}

func (r Recording) validate() (spec, error) {
	s := spec{Recording: r, from: int64(r.From), to: int64(r.To), speed: r.Speed, scale: r.Scale, reorder: r.Reorder}
	if r.Path == "" {
		return s, errors.New("trace: no file given")
	}
	if r.Format != "" {
		f, err := CanonicalFormat(r.Format)
		if err != nil {
			return s, fmt.Errorf("%s: %w", r.Path, err)
		}
		s.format = f
	}
	switch {
	case r.From < 0:
		return s, fmt.Errorf("%s: from %v must be >= 0", r.Path, r.From)
	case r.To < 0 || (r.To > 0 && r.To <= r.From):
		return s, fmt.Errorf("%s: to %v must be after from %v", r.Path, r.To, r.From)
	case r.Speed != 0 && !(r.Speed >= 1e-6 && r.Speed <= 1e6):
		return s, fmt.Errorf("%s: speed %v must be in [1e-6, 1e6]", r.Path, r.Speed)
	case math.IsNaN(r.Scale) || math.IsInf(r.Scale, 0) || r.Scale < 0 || r.Scale > 1e6:
		return s, fmt.Errorf("%s: scale %v must be a number in (0, 1e6]", r.Path, r.Scale)
	case r.Reorder < 0:
		return s, fmt.Errorf("%s: reorder %d must be >= 0", r.Path, r.Reorder)
	case r.Period < 0:
		return s, fmt.Errorf("%s: period %v must be >= 0", r.Path, r.Period)
	}
	if s.speed == 0 {
		s.speed = 1
	}
	if r.Loop && r.To > 0 && float64(r.To-r.From)/s.speed < float64(minLoop) {
		return s, fmt.Errorf("%s: a looped window must last at least %v of replay time; [%v, %v) at speed %v lasts %v",
			r.Path, minLoop, r.From, r.To, s.speed, time.Duration(float64(r.To-r.From)/s.speed))
	}
	if s.scale == 0 {
		s.scale = 1
	}
	if s.reorder == 0 {
		s.reorder = DefaultReorder
	}
	return s, nil
}

// open opens the file, undoes gzip and detects the format when none is set.
func (s *spec) open() (*bufio.Reader, io.Closer, error) {
	var f io.ReadCloser
	var err error
	if s.FS != nil {
		f, err = s.FS.Open(s.Path)
	} else {
		f, err = safeio.Open(s.Path)
	}
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var cl io.Closer = f
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
		cl = multiCloser{zr, f}
	}
	if s.format == "" {
		head, _ := br.Peek(detectBytes)
		format, err := detect(head)
		if err != nil {
			cl.Close()
			return nil, nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		s.format = format
	}
	return br, cl, nil
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var first error
	for _, c := range m {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Replay is a recorded request stream being replayed: a Source. It reads
// the file as it goes, with memory that does not grow with the file, and
// closes it at the end of the stream. A malformed record met on the way ends
// the stream early: check Err after the last Fill.
type Replay struct {
	format   string
	function string
	req      *requestReplay
	per      *periodReplay
}

// Fill implements Source.
func (r *Replay) Fill(buf []Arrival) int {
	if r.req != nil {
		return r.req.fill(buf)
	}
	return r.per.fill(buf)
}

// Err is the error that ended the stream early, or nil.
func (r *Replay) Err() error {
	if r.req != nil {
		return r.req.err
	}
	return nil
}

// Skipped is the number of malformed records skipped (Lenient).
func (r *Replay) Skipped() int64 {
	if r.req != nil {
		return r.req.skipped
	}
	return r.per.skipped
}

// Format is the recording's format (detected or given).
func (r *Replay) Format() string { return r.format }

// Function is the function replayed: the full HashFunction (Azure 2019),
// "app/func" (Azure 2021) or result Id (CloudWatch) that Recording.Function
// selected; "" for the whole recording.
func (r *Replay) Function() string { return r.function }

// Close releases the file early; the stream then ends.
func (r *Replay) Close() error {
	if r.req != nil {
		return r.req.close()
	}
	return nil
}

// OpenRecording opens a recorded stream for replay until virtual time until
// (exclusive; <= 0 means the end of the window, which Loop needs). src
// drives everything random: the Poisson arrivals of per-period formats and
// the fractional part of Scale. Header, format and selection errors are
// reported here; errors in later records end the stream (Replay.Err).
//
// Per-period formats (Azure 2019, CloudWatch) replay each period as a
// Poisson process at that period's rate (count/period), not as exactly
// count arrivals: the count a period yields is Poisson with the recorded
// count as its mean.
func OpenRecording(rec Recording, src rand.Source, until time.Duration) (*Replay, error) {
	s, err := rec.validate()
	if err != nil {
		return nil, err
	}
	if s.Loop && until <= 0 {
		return nil, fmt.Errorf("%s: loop needs an end of replay (until)", s.Path)
	}
	// Open once to learn the format.
	br, cl, err := s.open()
	if err != nil {
		return nil, err
	}
	if perPeriod(s.format) {
		ser, err := readSeries(&s, br)
		cl.Close()
		if err != nil {
			return nil, err
		}
		p, err := newPeriodReplay(&s, ser, rand.New(src), int64(until))
		if err != nil {
			return nil, err
		}
		return &Replay{format: s.format, function: ser.function, per: p}, nil
	}
	cl.Close()
	sel, err := resolveFunction(&s)
	if err != nil {
		return nil, err
	}
	q, err := newRequestReplay(&s, sel, rand.New(src), int64(until))
	if err != nil {
		return nil, err
	}
	return &Replay{format: s.format, function: sel.name, req: q}, nil
}

// record is one parsed request, on the recording's own clock.
type record struct {
	at   int64 // ns (epoch or relative, as the file has it)
	dur  float32
	user uint32
	line int64
}

// recordReader parses one per-request format. next returns io.EOF at the
// end, a *ParseError for a bad record (recoverable ones may be skipped).
type recordReader interface {
	next() (record, error)
}

// selection is a resolved Function of a per-request trace.
type selection struct {
	name      string // canonical, for Replay.Function
	app, fn   string // azure 2021: exact match; "" = all
	functions int    // distinct functions seen by the resolution pass
}

func newReader(s *spec, br *bufio.Reader, sel selection) (recordReader, error) {
	switch s.format {
	case FormatCSV:
		return newCSVReader(s, br)
	case FormatAzure2021:
		return newAzure2021Reader(s, br, sel)
	case FormatALB:
		return newALBReader(s, br), nil
	case FormatAPIGateway:
		return newAPIGatewayReader(s, br)
	case FormatLambdaReport:
		return newLambdaReader(s, br)
	}
	return nil, fmt.Errorf("%s: format %s is not a per-request format", s.Path, s.format)
}

// resolveFunction checks Function against a per-request format, with a
// counting pass over the file for Azure 2021.
func resolveFunction(s *spec) (selection, error) {
	if s.format != FormatAzure2021 {
		if s.Function != "" {
			return selection{}, fmt.Errorf("%s: format %s holds one stream: function %q does not apply", s.Path, s.format, s.Function)
		}
		return selection{}, nil
	}
	if s.Function == "" {
		return selection{}, nil
	}
	return resolveAzure2021(s)
}

// requestReplay replays a per-request format: parse → reorder → window →
// speed, scale, loop.
type requestReplay struct {
	s     *spec
	sel   selection
	rng   *rand.Rand
	until int64

	rd     recordReader
	cl     io.Closer
	h      recHeap
	eof    bool
	popped bool  // something was popped in this pass
	last   int64 // last popped time in this pass

	started bool
	origin  int64 // recording time of the start
	lastOff int64 // largest window offset replayed in the first pass
	iter    int64
	period  int64 // loop period (recording ns), known after the first pass
	nIter   int64 // records replayed in this pass

	pend  Arrival
	npend int64

	done    bool
	err     error
	skipped int64
}

func newRequestReplay(s *spec, sel selection, rng *rand.Rand, until int64) (*requestReplay, error) {
	q := &requestReplay{s: s, sel: sel, rng: rng, until: until}
	if err := q.openPass(); err != nil {
		return nil, err
	}
	// Surface the first record's errors now (header, first lines).
	if err := q.prime(); err != nil {
		q.close()
		return nil, err
	}
	return q, nil
}

func (q *requestReplay) openPass() error {
	br, cl, err := q.s.open()
	if err != nil {
		return err
	}
	rd, err := newReader(q.s, br, q.sel)
	if err != nil {
		cl.Close()
		return err
	}
	q.rd, q.cl = rd, cl
	q.h = q.h[:0]
	q.eof, q.popped, q.nIter = false, false, 0
	return nil
}

func (q *requestReplay) close() error {
	q.done = true
	q.h = nil
	if q.cl != nil {
		err := q.cl.Close()
		q.cl = nil
		return err
	}
	return nil
}

// prime fills the reorder buffer so the start is known.
func (q *requestReplay) prime() error {
	for !q.eof && len(q.h) <= q.s.reorder {
		if err := q.read(); err != nil {
			return err
		}
	}
	return nil
}

// read parses one record into the reorder buffer.
func (q *requestReplay) read() error {
	rec, err := q.rd.next()
	if err == io.EOF {
		q.eof = true
		return nil
	}
	if err != nil {
		var pe *ParseError
		if q.s.Lenient && errors.As(err, &pe) && pe.recoverable {
			q.skipped++
			return nil
		}
		return err
	}
	if q.popped && rec.at < q.last {
		e := perr(q.s.Path, rec.line, "", "request at %s is %v before one already replayed: the file is out of order by more than the reorder window of %d records (sort it by time, or raise reorder)",
			fmtClock(rec.at), time.Duration(q.last-rec.at), q.s.reorder)
		if q.s.Lenient {
			q.skipped++
			return nil
		}
		return e
	}
	q.h.push(rec)
	return nil
}

// pop returns the next record of the pass in time order.
func (q *requestReplay) pop() (record, bool) {
	for !q.eof && len(q.h) <= q.s.reorder {
		if err := q.read(); err != nil {
			q.err = err
			return record{}, false
		}
	}
	if len(q.h) == 0 {
		return record{}, false
	}
	rec := q.h.pop()
	q.popped, q.last = true, rec.at
	return rec, true
}

// next returns the next record inside the window, with its offset from the
// start, handling passes and loops; false at the end of the stream.
func (q *requestReplay) next() (record, int64, bool) {
	for !q.done {
		rec, ok := q.pop()
		if q.err != nil {
			q.close()
			return record{}, 0, false
		}
		if ok {
			if !q.started {
				q.started, q.origin = true, rec.at
			}
			off := rec.at - q.origin
			if off < 0 || off > maxSpan { // wrapped around: centuries apart
				q.err = perr(q.s.Path, rec.line, "", "request at %s is more than %v after the first, at %s",
					fmtClock(rec.at), time.Duration(maxSpan), fmtClock(q.origin))
				q.close()
				return record{}, 0, false
			}
			if off < q.s.from {
				continue
			}
			if q.s.to > 0 && off >= q.s.to {
				ok = false // end of window: no need to read on
			} else {
				if q.iter == 0 {
					q.lastOff = off
				}
				q.nIter++
				return rec, off, true
			}
		}
		// End of a pass.
		if !q.s.Loop || q.nIter == 0 {
			q.close()
			return record{}, 0, false
		}
		if q.iter == 0 {
			if q.s.to > 0 {
				q.period = q.s.to - q.s.from
			} else {
				q.period = (q.lastOff/int64(time.Minute)+1)*int64(time.Minute) - q.s.from
			}
			if float64(q.period)/q.s.speed < float64(minLoop) {
				q.err = fmt.Errorf("%s: a looped window must last at least %v of replay time", q.s.Path, minLoop)
				q.close()
				return record{}, 0, false
			}
		}
		q.iter++
		if q.until > 0 && q.virtual(q.iter, q.s.from) >= q.until {
			q.close()
			return record{}, 0, false
		}
		q.cl.Close()
		if err := q.openPass(); err != nil {
			q.err = err
			q.close()
			return record{}, 0, false
		}
	}
	return record{}, 0, false
}

// virtual maps a window offset of pass iter to virtual time (ns): exact
// integers at speed 1 (until 2^62 ns), floating point otherwise.
func (q *requestReplay) virtual(iter, off int64) int64 {
	if q.s.speed == 1 && (iter == 0 || iter <= (math.MaxInt64/4)/q.period) {
		return iter*q.period + off - q.s.from
	}
	return toNs((float64(iter)*float64(q.period) + float64(off-q.s.from)) / q.s.speed)
}

// toNs converts float ns to int64, saturating.
func toNs(x float64) int64 {
	if x >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(x)
}

func (q *requestReplay) fill(buf []Arrival) int {
	n := 0
	for n < len(buf) {
		if q.npend > 0 {
			buf[n] = q.pend
			n++
			q.npend--
			continue
		}
		if q.done {
			break
		}
		rec, off, ok := q.next()
		if !ok {
			break
		}
		at := q.virtual(q.iter, off)
		if q.until > 0 && at >= q.until {
			q.close()
			break
		}
		copies := int64(1)
		if q.s.scale != 1 {
			whole, frac := math.Modf(q.s.scale)
			copies = int64(whole)
			if frac > 0 && q.rng.Float64() < frac {
				copies++
			}
		}
		q.pend = Arrival{At: at, Duration: rec.dur, User: rec.user}
		q.npend = copies
	}
	return n
}

// recHeap is a min-heap of records by time, then line (so equal times keep
// file order), written on the concrete slice (see style.md's trap).
type recHeap []record

func (h recHeap) less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].line < h[j].line)
}

func (h *recHeap) push(r record) {
	*h = append(*h, r)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *recHeap) pop() record {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		m := l
		if r := l + 1; r < len(a) && a.less(r, l) {
			m = r
		}
		if !a.less(m, i) {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// fmtClock renders a recording time: a date for epoch times, seconds for
// relative clocks.
func fmtClock(ns int64) string {
	if ns > int64(1e9)*int64(1e9) { // after 2001: an epoch time
		return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
	}
	return strconv.FormatFloat(float64(ns)/1e9, 'f', -1, 64) + "s"
}
