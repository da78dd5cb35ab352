package yamlx

import (
	"fmt"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

type position struct{ line, col int }

// Positions maps every decoded path to where it was written: the key's line for
// mapping entries, the item's line for list items, the root's line for "".
// A nil *Positions knows no lines.
type Positions struct {
	file string
	m    map[string]position
}

// add records n as the place of path unless path already has one: the first
// place a path is written is the one to report.
func (p *Positions) add(path string, n *yaml.Node) {
	if _, ok := p.m[path]; !ok && n != nil {
		p.m[path] = position{n.Line, n.Column}
	}
}

// lookup returns the position of path or, for a path that was not written, of
// its nearest written ancestor.
func (p *Positions) lookup(path string) position {
	if p == nil {
		return position{}
	}
	for {
		if pos, ok := p.m[path]; ok {
			return pos
		}
		parent, ok := Parent(path)
		if !ok {
			return position{}
		}
		path = parent
	}
}

// Line returns the line of the key (or list item) at path, such as
// "alarms[0].Threshold"; for a path absent from the document it returns the line
// of the nearest present ancestor, and 0 when nothing is known.
func (p *Positions) Line(path string) int { return p.lookup(path).line }

// Column returns the 1-based column that goes with Line(path), or 0.
func (p *Positions) Column(path string) int { return p.lookup(path).col }

// Has reports whether path itself was written in the document.
func (p *Positions) Has(path string) bool {
	if p == nil {
		return false
	}
	_, ok := p.m[path]
	return ok
}

// Paths returns every recorded path, sorted.
func (p *Positions) Paths() []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.m))
	for k := range p.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Errorf returns an *Error at path's line (see Line), for semantic validation
// after decoding, such as "Threshold: must be positive".
func (p *Positions) Errorf(path, format string, a ...any) *Error {
	e := &Error{Path: path, Msg: fmt.Sprintf(format, a...)}
	if p != nil {
		pos := p.lookup(path)
		e.File, e.Line, e.Column = p.file, pos.line, pos.col
	}
	return e
}

// Key returns the path of key key under path: path.key when key is
// identifier-like, path["key"] (Go-quoted) otherwise.
func Key(path, key string) string {
	if isIdent(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// Index returns the path of item i of the list at path: path[i].
func Index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// isIdent reports whether key can be written after a dot in a path.
func isIdent(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Parent returns the path one level up from path ("a.b[2]" → "a.b", "a" → "")
// and false for the root "". A malformed tail is dropped whole.
func Parent(path string) (string, bool) {
	if path == "" {
		return "", false
	}
	last := 0
	for i := 0; i < len(path); {
		last = i
		switch path[i] {
		case '[':
			if i+1 < len(path) && path[i+1] == '"' {
				q, err := strconv.QuotedPrefix(path[i+1:])
				if err != nil {
					return path[:last], true
				}
				i += 1 + len(q)
			} else {
				i++
				for i < len(path) && path[i] >= '0' && path[i] <= '9' {
					i++
				}
			}
			if i >= len(path) || path[i] != ']' {
				return path[:last], true
			}
			i++
		case '.':
			i++
			fallthrough
		default:
			for i < len(path) && path[i] != '.' && path[i] != '[' {
				i++
			}
		}
	}
	return path[:last], true
}
