package sweep

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Vary is one varied parameter: a path into the scenario file, as the
// scenario's own error messages name fields (traffic.rate,
// faults[0].error_rate, alarms[1].Threshold), and the values to try.
type Vary struct {
	Path   string
	Values []string
}

// ParseVary reads "PATH=V1,V2,...".
func ParseVary(s string) (Vary, error) {
	path, vals, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(path) == "" || strings.TrimSpace(vals) == "" {
		return Vary{}, fmt.Errorf("%q: want PATH=VALUE,VALUE,... (e.g. traffic.rate=10,100,1000)", s)
	}
	v := Vary{Path: strings.TrimSpace(path)}
	if _, err := parsePath(v.Path); err != nil {
		return Vary{}, err
	}
	for _, x := range strings.Split(vals, ",") {
		x = strings.TrimSpace(x)
		if x == "" {
			return Vary{}, fmt.Errorf("%q: empty value", s)
		}
		v.Values = append(v.Values, x)
	}
	return v, nil
}

// Setting is one value given to one path.
type Setting struct{ Path, Value string }

// Grid is every combination of the varied values, the first path varying
// slowest.
func Grid(vs []Vary) [][]Setting {
	out := [][]Setting{nil}
	for _, v := range vs {
		var next [][]Setting
		for _, combo := range out {
			for _, x := range v.Values {
				c := append(append([]Setting(nil), combo...), Setting{v.Path, x})
				next = append(next, c)
			}
		}
		out = next
	}
	return out
}

// Label is a combination in the form PATH=VALUE PATH=VALUE.
func Label(c []Setting) string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = s.Path + "=" + s.Value
	}
	return strings.Join(parts, " ")
}

// step is one element of a path: a mapping key, or a sequence index.
type step struct {
	key   string
	index int // -1 for a key
}

var (
	pathElem = regexp.MustCompile(`^([^.\[\]]*)((?:\[\d+\])*)$`)
	digits   = regexp.MustCompile(`\d+`)
)

func parsePath(p string) ([]step, error) {
	var out []step
	for _, part := range strings.Split(p, ".") {
		m := pathElem.FindStringSubmatch(part)
		if m == nil || (m[1] == "" && m[2] == "") {
			return nil, fmt.Errorf("path %q: %q is not a key or key[index]", p, part)
		}
		if m[1] != "" {
			out = append(out, step{key: m[1], index: -1})
		}
		for _, ix := range digits.FindAllString(m[2], -1) {
			n, _ := strconv.Atoi(ix)
			out = append(out, step{index: n})
		}
	}
	return out, nil
}

// Apply returns the scenario document data with every setting applied. A
// value that exists in the file is replaced in place, in the file's own
// text, so every other line keeps its number and the scenario's error
// messages still point at the user's file. A key the file lacks is added
// to its mapping, and the document re-encoded (its lines may then move).
func Apply(data []byte, settings []Setting) ([]byte, error) {
	for _, s := range settings {
		var err error
		if data, err = apply(data, s); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func apply(data []byte, s Setting) ([]byte, error) {
	steps, err := parsePath(s.Path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: the scenario is empty", s.Path)
	}
	n := doc.Content[0]
	for i, st := range steps {
		where := pathString(steps[:i+1])
		if st.index >= 0 {
			if n.Kind != yaml.SequenceNode {
				return nil, fmt.Errorf("%s: not a list in the scenario", pathString(steps[:i]))
			}
			if st.index >= len(n.Content) {
				return nil, fmt.Errorf("%s: the scenario's list has %d entries", where, len(n.Content))
			}
			n = n.Content[st.index]
			continue
		}
		if n.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: %s is not a mapping in the scenario", where, pathString(steps[:i]))
		}
		var found *yaml.Node
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == st.key {
				found = n.Content[k+1]
			}
		}
		if found == nil {
			// Missing: add it (with empty mappings down to the last key).
			rest := steps[i:]
			for _, r := range rest {
				if r.index >= 0 {
					return nil, fmt.Errorf("%s: not in the scenario, and a list entry cannot be made up", where)
				}
			}
			add(n, rest, s.Value)
			return yaml.Marshal(&doc)
		}
		n = found
	}
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("%s: holds a list or a mapping, not a value", s.Path)
	}
	if out, ok := replaceInPlace(data, n, s.Value); ok {
		return out, nil
	}
	n.Value, n.Tag, n.Style = s.Value, "", styleFor(s.Value)
	return yaml.Marshal(&doc)
}

func pathString(steps []step) string {
	var b strings.Builder
	for _, st := range steps {
		if st.index >= 0 {
			fmt.Fprintf(&b, "[%d]", st.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(st.key)
	}
	return b.String()
}

func add(m *yaml.Node, rest []step, value string) {
	for i, st := range rest {
		key := &yaml.Node{Kind: yaml.ScalarNode, Value: st.key}
		if i == len(rest)-1 {
			m.Content = append(m.Content, key, &yaml.Node{Kind: yaml.ScalarNode, Value: value, Style: styleFor(value)})
			return
		}
		child := &yaml.Node{Kind: yaml.MappingNode}
		m.Content = append(m.Content, key, child)
		m = child
	}
}

var plainSafe = regexp.MustCompile(`^[A-Za-z0-9_.+\-/]+$`)

func styleFor(v string) yaml.Style {
	if plainSafe.MatchString(v) {
		return 0
	}
	return yaml.DoubleQuotedStyle
}

// replaceInPlace swaps scalar n's text in data for value, keeping the
// scalar's quoting; ok is false where the text at n's position is not the
// simple one-line scalar expected.
func replaceInPlace(data []byte, n *yaml.Node, value string) ([]byte, bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n.Line < 1 || n.Line > len(lines) {
		return nil, false
	}
	off := 0
	for _, l := range lines[:n.Line-1] {
		off += len(l)
	}
	line := lines[n.Line-1]
	col := 0 // byte offset of the n.Column-th character
	for chars := 1; chars < n.Column && col < len(line); chars++ {
		_, size := utf8.DecodeRune(line[col:])
		col += size
	}
	rest := line[col:]
	var old, repl string
	switch n.Style {
	case 0:
		old, repl = n.Value, value
		if !plainSafe.MatchString(value) {
			repl = strconv.Quote(value)
		}
	case yaml.DoubleQuotedStyle:
		old, repl = strconv.Quote(n.Value), strconv.Quote(value)
	case yaml.SingleQuotedStyle:
		old, repl = "'"+strings.ReplaceAll(n.Value, "'", "''")+"'", "'"+strings.ReplaceAll(value, "'", "''")+"'"
	default:
		return nil, false
	}
	if !bytes.HasPrefix(rest, []byte(old)) || strings.ContainsAny(value, "\n\r") {
		return nil, false
	}
	out := make([]byte, 0, len(data)+len(repl))
	out = append(out, data[:off+col]...)
	out = append(out, repl...)
	out = append(out, data[off+col+len(old):]...)
	return out, true
}
