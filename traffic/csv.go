package traffic

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Column names the per-request CSV format recognises (case-insensitive).
// A suffix _s, _ms, _us or _ns gives the unit of a numeric column; without
// one, numeric timestamps are seconds, milliseconds, microseconds or
// nanoseconds since the epoch by their size (or relative seconds), and
// durations are seconds unless written with a unit ("120ms").
var (
	CSVTimeColumns     = []string{"timestamp", "@timestamp", "time", "ts", "datetime", "date", "start", "start_time", "arrival", "arrival_time", "request_time", "at"}
	CSVUserColumns     = []string{"user", "user_id", "userid", "session", "session_id", "client", "client_id", "customer", "customer_id", "tenant", "key"}
	CSVDurationColumns = []string{"duration", "latency", "elapsed", "response_time"}
)

var unitSuffixes = []struct {
	suffix string
	unit   timeUnit
}{
	{"_ms", timeUnit(time.Millisecond)}, {"_millis", timeUnit(time.Millisecond)},
	{"_us", timeUnit(time.Microsecond)}, {"_ns", timeUnit(time.Nanosecond)},
	{"_seconds", timeUnit(time.Second)}, {"_sec", timeUnit(time.Second)}, {"_s", timeUnit(time.Second)},
}

// matchColumn reports whether header name h is one of names, with an
// optional unit suffix.
func matchColumn(h string, names []string) (timeUnit, bool) {
	h = strings.ToLower(strings.TrimSpace(h))
	for _, n := range names {
		if h == n {
			return 0, true
		}
	}
	for _, u := range unitSuffixes {
		if base, ok := strings.CutSuffix(h, u.suffix); ok {
			for _, n := range names {
				if base == n {
					return u.unit, true
				}
			}
		}
	}
	return 0, false
}

type csvReader struct {
	file    string
	r       *csvFile
	tcol    int
	tunit   timeUnit
	ucol    int // -1: none
	dcol    int // -1: none
	dunit   int64
	header  []string
	nheader int
}

func newCSVReader(s *spec, br *bufio.Reader) (*csvReader, error) {
	c := &csvReader{file: s.Path, ucol: -1, dcol: -1, tcol: -1, dunit: int64(time.Second)}
	c.r = newCSV(s.Path, br)
	c.r.TrimLeadingSpace = true
	h, err := c.r.Read()
	if err != nil {
		return nil, c.r.error(err, "no header line")
	}
	if len(h) > 0 {
		h[0] = strings.TrimPrefix(h[0], "\ufeff")
	}
	c.header = append([]string(nil), h...)
	for i, name := range h {
		if u, ok := matchColumn(name, CSVTimeColumns); ok && c.tcol < 0 {
			c.tcol, c.tunit = i, u
		} else if _, ok := matchColumn(name, CSVUserColumns); ok && c.ucol < 0 {
			c.ucol = i
		} else if u, ok := matchColumn(name, CSVDurationColumns); ok && c.dcol < 0 {
			c.dcol = i
			if u != 0 {
				c.dunit = int64(u)
			}
		}
	}
	if c.tcol < 0 {
		return nil, fatal(perr(s.Path, 1, "", "no timestamp column in the header (%s): name one %s",
			strings.Join(c.header, ","), strings.Join(CSVTimeColumns, ", ")))
	}
	c.nheader = len(h)
	return c, nil
}

func (c *csvReader) col(i int) string {
	name := c.header[i]
	return fmt.Sprintf("column %d (%s)", i+1, name)
}

func (c *csvReader) next() (record, error) {
	row, err := c.r.Read()
	for err == nil && len(row) == 1 && strings.TrimSpace(row[0]) == "" {
		row, err = c.r.Read() // a line of blanks
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return record{}, io.EOF
		}
		return record{}, c.r.error(err, "")
	}
	line, _ := c.r.FieldPos(0)
	rec := record{line: int64(line)}
	need := max(c.tcol, c.ucol, c.dcol)
	if len(row) <= need {
		return rec, perr(c.file, rec.line, "", "%d columns, the header has %d: the line is cut short", len(row), c.nheader)
	}
	at, ok := parseTime(row[c.tcol], &c.tunit)
	if !ok {
		return rec, perr(c.file, rec.line, c.col(c.tcol), "%s is not a time (want RFC 3339, or unix seconds or milliseconds)", quote(row[c.tcol]))
	}
	rec.at = at
	if c.ucol >= 0 {
		rec.user = hashUser(strings.TrimSpace(row[c.ucol]))
	}
	if c.dcol >= 0 {
		d, ok := parseSeconds(row[c.dcol], c.dunit)
		if !ok {
			return rec, perr(c.file, rec.line, c.col(c.dcol), "%s is not a duration (want seconds, or a number with a unit such as 120ms)", quote(row[c.dcol]))
		}
		rec.dur = d
	}
	return rec, nil
}
