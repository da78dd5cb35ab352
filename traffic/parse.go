package traffic

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxLine bounds a line of a text recording, so that a file without line
// breaks cannot make memory grow with its size.
const maxLine = 4 << 20

// lineTooLong is the error of a line longer than maxLine.
type lineTooLong struct{ line int64 }

func (e *lineTooLong) Error() string {
	return fmt.Sprintf("line longer than %d MiB: not a text recording, or a broken one", maxLine>>20)
}

// lineGuard passes bytes through and fails once a line exceeds maxLine.
type lineGuard struct {
	r     io.Reader
	run   int   // bytes since the last newline
	lines int64 // newlines passed
}

func (g *lineGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		g.run = n - i - 1
		g.lines += int64(bytes.Count(p[:i+1], []byte{'\n'}))
	} else {
		g.run += n
	}
	if g.run > maxLine {
		return n, &lineTooLong{line: g.lines + 1}
	}
	return n, err
}

// lines reads a text recording line by line, counting lines.
type lines struct {
	sc   *bufio.Scanner
	line int64
}

func newLines(r io.Reader) *lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	return &lines{sc: sc}
}

// next returns the next line without its line break (and without a
// trailing '\r'); io.EOF at the end.
func (l *lines) next() ([]byte, error) {
	if !l.sc.Scan() {
		if err := l.sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return nil, &lineTooLong{line: l.line + 1}
			}
			return nil, err
		}
		return nil, io.EOF
	}
	l.line++
	b := l.sc.Bytes()
	if l.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	return bytes.TrimSuffix(b, []byte("\r")), nil
}

// hashUser maps a user, session or client id to a nonzero uint32 with
// 32-bit FNV-1a, the same on every machine; "" and "-" are no user (0).
func hashUser(s string) uint32 {
	if s == "" || s == "-" {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	if v := h.Sum32(); v != 0 {
		return v
	}
	return 1
}

func hashUserBytes(b []byte) uint32 {
	if len(b) == 0 || (len(b) == 1 && b[0] == '-') {
		return 0
	}
	// FNV-1a, inline to avoid converting to a string.
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	if h == 0 {
		return 1
	}
	return h
}

// timeUnit is the unit of numeric timestamps, in ns; 0 = decide from the
// first value's magnitude.
type timeUnit int64

// numericUnit guesses the unit of a numeric timestamp by its integer part:
// seconds up to 1e11 (year 5138), then ms, µs, ns.
func numericUnit(intPart string) timeUnit {
	digits := len(strings.TrimLeft(strings.TrimPrefix(intPart, "-"), "0"))
	switch {
	case digits <= 11:
		return timeUnit(time.Second)
	case digits <= 14:
		return timeUnit(time.Millisecond)
	case digits <= 17:
		return timeUnit(time.Microsecond)
	}
	return timeUnit(time.Nanosecond)
}

// parseDecimal parses a plain decimal number ("12", "-0.25"; no exponent)
// exactly into value × unit ns, truncating below 1 ns; ok is false if s is
// not one or overflows.
func parseDecimal(s string, unit int64) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, false
	}
	var whole int64
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if whole > (math.MaxInt64-9)/10 {
			return 0, false
		}
		whole = whole*10 + int64(c-'0')
	}
	if whole > math.MaxInt64/unit {
		return 0, false
	}
	v := whole * unit
	scale := unit
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if scale >= 10 {
			scale /= 10
			v += int64(c-'0') * scale
		}
	}
	if v < 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	seen := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seen = true
		case c == '.' || (i == 0 && (c == '-' || c == '+')):
		default:
			return false
		}
	}
	return seen
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999", // no zone: UTC
	"2006-01-02 15:04:05.999999999",
	"02/Jan/2006:15:04:05 -0700", // CLF, API Gateway's $context.requestTime
}

// parseTime parses a timestamp into ns: RFC 3339 (or with a space, or
// without a zone, read as UTC), CLF, or a number in *unit (guessed from
// the first number when *unit is 0).
func parseTime(s string, unit *timeUnit) (int64, bool) {
	s = strings.TrimSpace(s)
	if isNumeric(s) {
		if *unit == 0 {
			i, _, _ := strings.Cut(s, ".")
			*unit = numericUnit(i)
		}
		return parseDecimal(s, int64(*unit))
	}
	if len(s) < 10 {
		return 0, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			y := t.Year()
			if y < 1678 || y > 2261 { // outside int64 ns
				return 0, false
			}
			return t.UnixNano(), true
		}
	}
	return 0, false
}

// Bounds on recorded values (docs/limits.md): no request runs longer than
// a day (Lambda stops at 900 s, an ALB at its idle timeout of at most
// 4000 s), and no datapoint counts more than a day at traffic.rate's bound
// of 1e6 requests per second. A value beyond them is a broken record, and
// refusing it keeps every sum and float32 conversion finite.
const (
	maxRecordedSeconds = 86400
	maxCount           = 1e6 * 86400
)

// parseSeconds parses a non-negative duration in unit (ns per 1), or a Go
// duration string such as "120ms", into float32 seconds.
func parseSeconds(s string, unit int64) (float32, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, true
	}
	if isNumeric(s) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return 0, false
		}
		sec := v * float64(unit) / 1e9
		if sec > maxRecordedSeconds {
			return 0, false
		}
		return float32(sec), true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d.Seconds() > maxRecordedSeconds {
		return 0, false
	}
	return float32(d.Seconds()), true
}

// quote shortens a field value for an error message.
func quote(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}
