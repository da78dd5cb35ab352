package traffic

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// functionSpec is a parsed Recording.Function.
type functionSpec struct {
	rank    int    // >0: the rank-th busiest
	app, fn string // prefixes to match; app "" = any
}

func parseFunction(file, f string) (functionSpec, error) {
	f = strings.TrimSpace(f)
	for _, p := range []string{"#", "rank:"} {
		if rest, ok := strings.CutPrefix(f, p); ok {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil || n < 1 {
				return functionSpec{}, fmt.Errorf("%s: function %q: want a rank such as #1 or rank:1 (the busiest)", file, f)
			}
			return functionSpec{rank: n}, nil
		}
	}
	if app, fn, ok := strings.Cut(f, "/"); ok {
		return functionSpec{app: app, fn: fn}, nil
	}
	return functionSpec{fn: f}, nil
}

func (f functionSpec) match(app, fn string) bool {
	return strings.HasPrefix(fn, f.fn) && strings.HasPrefix(app, f.app)
}

// ranked is a function with its total count, for rank selection.
type ranked struct {
	app, fn string
	total   float64
	row     int
}

// pickRank sorts by total (busiest first, then by name for a stable order)
// and returns the rank-th.
func pickRank(file string, all []ranked, rank int) (ranked, error) {
	slices.SortFunc(all, func(a, b ranked) int {
		if c := cmp.Compare(b.total, a.total); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.fn, b.fn), cmp.Compare(a.app, b.app))
	})
	if rank > len(all) {
		return ranked{}, fmt.Errorf("%s: function #%d: the trace has %d functions", file, rank, len(all))
	}
	return all[rank-1], nil
}

func ambiguous(file, want string, a, b ranked) error {
	return fmt.Errorf("%s: function %q matches more than one function (%s/%s and %s/%s): give more of the hash, or HashApp/HashFunction",
		file, want, a.app, a.fn, b.app, b.fn)
}

// --- Azure Functions 2019: invocations per function per minute ---

type azure2019Header struct {
	fcol, acol int // HashFunction, HashApp (-1 if absent)
	first, n   int // first minute column, number of minute columns
	label      string
	names      []string
}

func readAzure2019Header(file string, r *csvFile) (azure2019Header, error) {
	h := azure2019Header{fcol: -1, acol: -1, first: -1}
	row, err := r.Read()
	if err != nil {
		return h, r.error(err, "no header line")
	}
	h.names = append([]string(nil), row...)
	prev := 0
	for i, name := range row {
		name = strings.TrimPrefix(strings.TrimSpace(name), "\ufeff")
		switch name {
		case "HashFunction":
			h.fcol = i
			continue
		case "HashApp":
			h.acol = i
			continue
		}
		m, err := strconv.Atoi(strings.TrimPrefix(name, "minute_"))
		if err != nil {
			continue // HashOwner, Trigger, ...
		}
		if h.first < 0 {
			h.first, h.label = i, name
		} else if i != h.first+h.n || m != prev+1 {
			return h, fatal(perr(file, 1, fmt.Sprintf("column %d (%s)", i+1, name), "minute columns must be consecutive (the previous one is %d)", prev))
		}
		prev = m
		h.n++
	}
	if h.fcol < 0 {
		return h, fatal(perr(file, 1, "", "no HashFunction column: not an Azure Functions 2019 invocations file"))
	}
	if h.n == 0 {
		return h, fatal(perr(file, 1, "", "no minute columns (1..1440 or minute_1..minute_1440)"))
	}
	return h, nil
}

// azureRow parses the minute counts of a row into counts (len h.n).
func (h *azure2019Header) parseRow(file string, line int64, row []string, counts []float64) error {
	if len(row) < h.first+h.n || len(row) <= h.fcol {
		return perr(file, line, "", "%d columns, the header has %d: the line is cut short", len(row), len(h.names))
	}
	for i := range counts {
		c := h.first + i
		v, err := strconv.ParseFloat(strings.TrimSpace(row[c]), 64)
		if err != nil || !(v >= 0 && v <= maxCount) {
			return perr(file, line, fmt.Sprintf("column %d (%s)", c+1, h.names[c]), "%s is not an invocation count", quote(row[c]))
		}
		counts[i] = v
	}
	return nil
}

func (h *azure2019Header) app(row []string) string {
	if h.acol >= 0 && h.acol < len(row) {
		return row[h.acol]
	}
	return ""
}

// csvFile is an encoding/csv reader that knows its file and line, for
// errors.
type csvFile struct {
	*csv.Reader
	file string
	g    *lineGuard
}

func newCSV(file string, r io.Reader) *csvFile {
	g := &lineGuard{r: r}
	c := csv.NewReader(g)
	c.ReuseRecord = true
	c.FieldsPerRecord = -1
	return &csvFile{Reader: c, file: file, g: g}
}

// error turns an encoding/csv or I/O error into a ParseError; eofMsg is the
// message for an early end of the file ("" if it is not an error).
func (c *csvFile) error(err error, eofMsg string) *ParseError {
	var ce *csv.ParseError
	if errors.As(err, &ce) {
		return perr(c.file, int64(ce.Line), "", "%v (at byte %d of the line)", ce.Err, ce.Column)
	}
	var long *lineTooLong
	if errors.As(err, &long) {
		return fatal(perr(c.file, long.line, "", "%v", err))
	}
	if eofMsg != "" && errors.Is(err, io.EOF) {
		return fatal(perr(c.file, 1, "", "%s", eofMsg))
	}
	return fatal(perr(c.file, c.g.lines+1, "", "%v", err))
}

// readAzure2019 reads the minute counts of the selected function (or the
// sum of all), holding one row at a time.
func readAzure2019(s *spec, br *bufio.Reader) (*series, error) {
	fs, err := parseFunction(s.Path, s.Function)
	if err != nil {
		return nil, err
	}
	r := newCSV(s.Path, br)
	h, err := readAzure2019Header(s.Path, r)
	if err != nil {
		return nil, err
	}
	ser := &series{period: int64(time.Minute), firstLabel: h.label}
	sum := make([]float64, h.n)
	row := make([]float64, h.n)
	var all []ranked
	var found *ranked
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			pe := r.error(err, "")
			if s.Lenient && pe.recoverable {
				ser.skipped++
				continue
			}
			return nil, pe
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if err := h.parseRow(s.Path, int64(line), rec, row); err != nil {
			if s.Lenient {
				ser.skipped++
				continue
			}
			return nil, err
		}
		ser.functions++
		fn, app := rec[h.fcol], h.app(rec)
		switch {
		case s.Function == "":
			for j, v := range row {
				sum[j] += v
			}
		case fs.rank > 0:
			total := 0.0
			for _, v := range row {
				total += v
			}
			all = append(all, ranked{app: app, fn: fn, total: total, row: i})
		case fs.match(app, fn):
			this := ranked{app: app, fn: fn, row: i}
			if found != nil {
				return nil, ambiguous(s.Path, s.Function, *found, this)
			}
			found = &this
			copy(sum, row)
		}
	}
	switch {
	case s.Function == "":
	case fs.rank > 0:
		pick, err := pickRank(s.Path, all, fs.rank)
		if err != nil {
			return nil, err
		}
		found = &pick
		if err := azure2019Row(s, pick.row, sum); err != nil {
			return nil, err
		}
	case found == nil:
		return nil, fmt.Errorf("%s: no function %q in the trace (%d functions)", s.Path, s.Function, ser.functions)
	}
	if found != nil {
		ser.function, ser.app = found.fn, found.app
	}
	ser.points = make([]point, len(sum))
	for i, v := range sum {
		ser.points[i] = point{off: int64(i) * int64(time.Minute), count: v}
	}
	return ser, nil
}

// azure2019Row reads the counts of data row index (0-based) in a second pass.
func azure2019Row(s *spec, index int, counts []float64) error {
	br, cl, err := s.open()
	if err != nil {
		return err
	}
	defer cl.Close()
	r := newCSV(s.Path, br)
	h, err := readAzure2019Header(s.Path, r)
	if err != nil {
		return err
	}
	for i := 0; ; {
		rec, err := r.Read()
		if err != nil {
			if !s.Lenient || errors.Is(err, io.EOF) {
				return fmt.Errorf("%s: the file changed while it was read: %v", s.Path, err)
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := r.FieldPos(0)
		if err := h.parseRow(s.Path, int64(line), rec, counts); err != nil {
			if s.Lenient {
				continue
			}
			return err
		}
		if i == index {
			return nil
		}
		i++
	}
}

// Percentiles is a recorded distribution of request durations, to drive a
// latency model ("the current version behaves as recorded").
type Percentiles struct {
	Count  int64         // invocations summarised
	Mean   time.Duration // mean duration
	Points []Quantile    // in increasing Q, from Q = 0 to Q = 1
}

// Quantile is one point of a Percentiles: a fraction Q of requests took at
// most D.
type Quantile struct {
	Q float64
	D time.Duration
}

// Quantile returns the duration below which a fraction q of requests fall,
// interpolating linearly between the recorded points.
func (p Percentiles) Quantile(q float64) time.Duration {
	pts := p.Points
	if len(pts) == 0 {
		return 0
	}
	if q <= pts[0].Q {
		return pts[0].D
	}
	for i := 1; i < len(pts); i++ {
		if q <= pts[i].Q {
			a, b := pts[i-1], pts[i]
			if b.Q == a.Q {
				return b.D
			}
			f := (q - a.Q) / (b.Q - a.Q)
			return a.D + time.Duration(f*float64(b.D-a.D))
		}
	}
	return pts[len(pts)-1].D
}

// Median is Quantile(0.5).
func (p Percentiles) Median() time.Duration { return p.Quantile(0.5) }

// P99 is Quantile(0.99).
func (p Percentiles) P99() time.Duration { return p.Quantile(0.99) }

var azureDurationColumns = []struct {
	name string
	q    float64
}{
	{"percentile_Average_0", 0}, {"percentile_Average_1", 0.01}, {"percentile_Average_25", 0.25},
	{"percentile_Average_50", 0.5}, {"percentile_Average_75", 0.75}, {"percentile_Average_99", 0.99},
	{"percentile_Average_100", 1},
}

// readAzureDurations reads the row of function fn (and app, when known) from
// an Azure 2019 function_durations_percentiles file (milliseconds). The
// trace's percentiles are of 30-second averages, so the upper ones
// understate the true tail (see the dataset's README, note 7).
func readAzureDurations(file string, r io.Reader, app, fn string) (Percentiles, error) {
	c := newCSV(file, r)
	head, err := c.Read()
	if err != nil {
		return Percentiles{}, c.error(err, "no header line")
	}
	col := map[string]int{}
	for i, n := range head {
		col[strings.TrimPrefix(strings.TrimSpace(n), "\ufeff")] = i
	}
	for _, need := range []string{"HashFunction", "Average", "Count"} {
		if _, ok := col[need]; !ok {
			return Percentiles{}, fatal(perr(file, 1, "", "no %s column: not an Azure Functions 2019 durations file", need))
		}
	}
	acol, hasApp := col["HashApp"]
	for {
		row, err := c.Read()
		if errors.Is(err, io.EOF) {
			return Percentiles{}, fmt.Errorf("%s: no durations for function %s", file, fn)
		}
		if err != nil {
			return Percentiles{}, c.error(err, "")
		}
		if row[col["HashFunction"]] != fn || (app != "" && hasApp && acol < len(row) && row[acol] != app) {
			continue
		}
		line, _ := c.FieldPos(0)
		num := func(name string) (float64, error) {
			i := col[name]
			if i >= len(row) {
				return 0, perr(file, int64(line), "", "the line is cut short before %s", name)
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(row[i]), 64)
			if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				return 0, perr(file, int64(line), fmt.Sprintf("column %d (%s)", i+1, name), "%s is not a number of milliseconds", quote(row[i]))
			}
			return v, nil
		}
		ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
		var p Percentiles
		avg, err := num("Average")
		if err != nil {
			return p, err
		}
		cnt, err := num("Count")
		if err != nil {
			return p, err
		}
		p.Mean, p.Count = ms(avg), int64(cnt)
		for _, dc := range azureDurationColumns {
			if _, ok := col[dc.name]; !ok {
				continue
			}
			v, err := num(dc.name)
			if err != nil {
				return p, err
			}
			p.Points = append(p.Points, Quantile{Q: dc.q, D: ms(v)})
		}
		return p, nil
	}
}

// --- Azure Functions 2021: one line per invocation ---

type azure2021Reader struct {
	file            string
	r               *csvFile
	app, fn, end, d int
	ncol            int
	selApp, selFn   string
}

var azure2021Columns = []string{"app", "func", "end_timestamp", "duration"}

func newAzure2021Reader(s *spec, br *bufio.Reader, sel selection) (*azure2021Reader, error) {
	a := &azure2021Reader{file: s.Path, r: newCSV(s.Path, br), selApp: sel.app, selFn: sel.fn}
	h, err := a.r.Read()
	if err != nil {
		return nil, a.r.error(err, "no header line")
	}
	idx := map[string]int{}
	for i, n := range h {
		idx[strings.TrimPrefix(strings.TrimSpace(n), "\ufeff")] = i
	}
	cols := make([]int, 4)
	for i, need := range azure2021Columns {
		c, ok := idx[need]
		if !ok {
			return nil, fatal(perr(s.Path, 1, "", "no %s column: an Azure Functions 2021 trace has app,func,end_timestamp,duration", need))
		}
		cols[i] = c
	}
	a.app, a.fn, a.end, a.d = cols[0], cols[1], cols[2], cols[3]
	a.ncol = len(h)
	return a, nil
}

// row reads the next data row; io.EOF at the end.
func (a *azure2021Reader) row() ([]string, int64, error) {
	for {
		row, err := a.r.Read()
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, a.r.error(err, "")
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		line, _ := a.r.FieldPos(0)
		if len(row) < a.ncol {
			return nil, int64(line), perr(a.file, int64(line), "", "%d columns, the header has %d: the line is cut short", len(row), a.ncol)
		}
		return row, int64(line), nil
	}
}

// next returns the next invocation of the selected function; it starts at
// end_timestamp − duration.
func (a *azure2021Reader) next() (record, error) {
	for {
		row, line, err := a.row()
		if err != nil {
			return record{}, err
		}
		if a.selFn != "" && (row[a.fn] != a.selFn || row[a.app] != a.selApp) {
			continue
		}
		end, ok := parseDecimal(strings.TrimSpace(row[a.end]), int64(time.Second))
		if !ok {
			return record{line: line}, perr(a.file, line, fmt.Sprintf("column %d (end_timestamp)", a.end+1), "%s is not a time in seconds", quote(row[a.end]))
		}
		d, ok := parseDecimal(strings.TrimSpace(row[a.d]), int64(time.Second))
		if !ok || d < 0 || d > math.MaxInt64/2 || end < math.MinInt64/2 {
			return record{line: line}, perr(a.file, line, fmt.Sprintf("column %d (duration)", a.d+1), "%s is not a duration in seconds", quote(row[a.d]))
		}
		return record{at: end - d, dur: float32(float64(d) / 1e9), line: line}, nil
	}
}

// resolveAzure2021 counts invocations per app/func in one pass and resolves
// Function to one of them. Its memory grows with the number of functions,
// not with the file.
func resolveAzure2021(s *spec) (selection, error) {
	fs, err := parseFunction(s.Path, s.Function)
	if err != nil {
		return selection{}, err
	}
	br, cl, err := s.open()
	if err != nil {
		return selection{}, err
	}
	defer cl.Close()
	a, err := newAzure2021Reader(s, br, selection{})
	if err != nil {
		return selection{}, err
	}
	counts := map[string]*ranked{}
	for {
		row, _, err := a.row()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *ParseError
			if s.Lenient && errors.As(err, &pe) && pe.recoverable {
				continue
			}
			return selection{}, err
		}
		key := row[a.app] + "/" + row[a.fn]
		r := counts[key]
		if r == nil {
			r = &ranked{app: row[a.app], fn: row[a.fn]}
			counts[key] = r
		}
		r.total++
	}
	all := make([]ranked, 0, len(counts))
	for _, r := range counts {
		all = append(all, *r)
	}
	var pick ranked
	if fs.rank > 0 {
		if pick, err = pickRank(s.Path, all, fs.rank); err != nil {
			return selection{}, err
		}
	} else {
		slices.SortFunc(all, func(x, y ranked) int { return cmp.Or(cmp.Compare(x.fn, y.fn), cmp.Compare(x.app, y.app)) })
		n := 0
		for _, r := range all {
			if fs.match(r.app, r.fn) {
				if n > 0 {
					return selection{}, ambiguous(s.Path, s.Function, pick, r)
				}
				pick, n = r, 1
			}
		}
		if n == 0 {
			return selection{}, fmt.Errorf("%s: no function %q in the trace (%d functions)", s.Path, s.Function, len(all))
		}
	}
	return selection{name: pick.app + "/" + pick.fn, app: pick.app, fn: pick.fn, functions: len(all)}, nil
}
