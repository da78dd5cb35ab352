package judge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSample reads a sample: a JSON array of numbers (null for a missing
// value, read as NaN) or one number per line (blank lines and lines starting
// with # are skipped; NaN, Inf and -Inf are accepted). Errors name the file
// and line.
func ParseSample(name string, data []byte) ([]float64, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var raw []*float64
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			line := 1
			off := int64(-1)
			switch e := err.(type) {
			case *json.SyntaxError:
				off = e.Offset
			case *json.UnmarshalTypeError:
				off = e.Offset
			}
			start := bytes.Index(data, trimmed)
			if off >= 0 && start+int(off) <= len(data) {
				line += bytes.Count(data[:start+int(off)], []byte("\n"))
			}
			return nil, fmt.Errorf("%s:%d: want a JSON array of numbers (null for a missing value): %v", name, line, err)
		}
		out := make([]float64, len(raw))
		for i, p := range raw {
			if p == nil {
				out[i] = math.NaN()
			} else {
				out[i] = *p
			}
		}
		return out, nil
	}
	var out []float64
	for i, line := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(line)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		s = strings.TrimSuffix(s, ",")
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q is not a number (want one number per line, or a JSON array)", name, i+1, s)
		}
		out = append(out, v)
	}
	return out, nil
}
