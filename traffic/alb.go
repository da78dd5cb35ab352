package traffic

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// ALB access-log fields the replay reads (0-based positions in an entry).
const (
	albType            = 0
	albClient          = 3
	albTargetTime      = 6
	albRequestCreation = 21
)

var albFieldNames = map[int]string{albType: "type", albClient: "client:port", albTargetTime: "target_processing_time", albRequestCreation: "request_creation_time"}

// albTypes are the request types of an Application Load Balancer entry.
var albTypes = []string{"http", "https", "h2", "grpcs", "ws", "wss"}

// albReader reads Application Load Balancer access logs. A request arrives
// at request_creation_time (the time field is when the response went out);
// its duration is target_processing_time (-1, when the target did not
// answer, is no duration); its user is the client's IP address.
type albReader struct {
	file   string
	l      *lines
	fields [][]byte
}

func newALBReader(s *spec, br *bufio.Reader) *albReader {
	return &albReader{file: s.Path, l: newLines(br)}
}

// splitFields splits an access-log line on spaces, keeping "quoted fields"
// whole (with the quotes). A field that runs into the next one after its
// closing quote (`"-"1`, as in an AWS documentation example) is split there.
func splitFields(line []byte, dst [][]byte) [][]byte {
	dst = dst[:0]
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			break
		}
		start := i
		if line[i] == '"' {
			j := bytes.IndexByte(line[i+1:], '"')
			if j < 0 {
				i = len(line)
			} else {
				i += j + 2
			}
		} else {
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				i++
			}
		}
		dst = append(dst, line[start:i])
	}
	return dst
}

func (a *albReader) field(i int) string {
	return fmt.Sprintf("field %d (%s)", i+1, albFieldNames[i])
}

func isALBType(b []byte) bool {
	for _, t := range albTypes {
		if string(b) == t {
			return true
		}
	}
	return false
}

func (a *albReader) next() (record, error) {
	var line []byte
	for {
		b, err := a.l.next()
		if err != nil {
			return record{}, a.l.error(a.file, err)
		}
		if len(bytes.TrimSpace(b)) > 0 {
			line = b
			break
		}
	}
	n := a.l.line
	rec := record{line: n}
	a.fields = splitFields(line, a.fields)
	f := a.fields
	if !isALBType(f[0]) {
		return rec, perr(a.file, n, a.field(albType), "%s is not an Application Load Balancer request (%s); NLB and connection logs hold no requests",
			quote(string(f[0])), "http, https, h2, grpcs, ws, wss")
	}
	if len(f) <= albRequestCreation {
		return rec, perr(a.file, n, "", "%d fields, an ALB access log entry has at least 25: the line is cut short", len(f))
	}
	t, err := time.Parse(time.RFC3339Nano, string(f[albRequestCreation]))
	if err != nil || t.Year() < 1678 || t.Year() > 2261 {
		return rec, perr(a.file, n, a.field(albRequestCreation), "%s is not a time", quote(string(f[albRequestCreation])))
	}
	rec.at = t.UnixNano()
	if d := f[albTargetTime]; string(d) != "-1" {
		v, err := strconv.ParseFloat(string(d), 64)
		if err != nil || !(v >= 0 && v <= maxRecordedSeconds) {
			return rec, perr(a.file, n, a.field(albTargetTime), "%s is not a number of seconds", quote(string(d)))
		}
		rec.dur = float32(v)
	}
	client := f[albClient]
	if i := bytes.LastIndexByte(client, ':'); i > 0 {
		client = client[:i]
	}
	rec.user = hashUserBytes(client)
	return rec, nil
}
