package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

// Note is something an import assumed, or could not determine, at a place in
// the source. Its text reads "file:line: path: message".
type Note struct {
	File string
	Line int
	Path string
	Msg  string
	// Unresolved marks a value the source does not determine offline: the
	// scenario holds a marked default instead, or leaves the part out.
	// Otherwise the note records an assumption the user may want to check.
	Unresolved bool
	// Warning marks what the scenario loader warns of: the scenario runs,
	// but probably not as meant (an alarm that never gets data).
	Warning bool
}

func (n Note) String() string {
	return (&yamlx.Error{File: n.File, Line: n.Line, Path: n.Path, Msg: n.Msg}).Error()
}

// maxNodes bounds how many nodes one import may visit, aliases counted each
// time they expand, so that a small file cannot name a huge tree. A real
// template is at most 1 MB (CloudFormation's limit) and an import reads a
// small part of it.
const maxNodes = 100_000

// parse reads one YAML or JSON document and returns its root node. YAML is
// tried first (JSON is YAML); a JSON document YAML refuses is read by
// encoding/json with its lines kept.
func parse(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil { // the YAML parser has panicked on fuzzed input before
			root, err = nil, &yamlx.Error{File: file, Msg: fmt.Sprintf("invalid YAML: the parser failed (%v)", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	yerr := dec.Decode(&doc)
	if yerr == nil {
		var next yaml.Node
		if e := dec.Decode(&next); e == nil {
			return nil, &yamlx.Error{File: file, Line: next.Line, Msg: `expected one document, found a second one (remove the "---" separator or split the file)`}
		} else if e != io.EOF {
			yerr = e
		}
	}
	if yerr != nil {
		if yerr == io.EOF {
			return nil, &yamlx.Error{File: file, Msg: "empty document"}
		}
		if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(data) {
			return parseJSON(file, data)
		}
		return nil, syntaxError(file, yerr)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &yamlx.Error{File: file, Msg: "empty document"}
	}
	return doc.Content[0], nil
}

// syntaxError turns "yaml: line N: problem" into file:line: invalid YAML: problem.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, e := strconv.Atoi(num); e == nil {
				line, msg = n, tail
			}
		}
	}
	return &yamlx.Error{File: file, Line: line, Msg: "invalid YAML: " + msg, Err: err}
}

// checkText refuses input that is not UTF-8 text, at the line of the first
// bad byte: the command-line and Terraform readers take bytes as they come.
func checkText(file string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	i := 0
	for i < len(data) {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	return &yamlx.Error{File: file, Line: 1 + bytes.Count(data[:i], []byte("\n")), Msg: "not UTF-8 text"}
}

// parseJSON builds a node tree from JSON, with the line of every value.
func parseJSON(file string, data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	var value func(depth int) (*yaml.Node, error)
	value = func(depth int) (*yaml.Node, error) {
		if depth > 10_000 {
			return nil, errors.New("nested too deeply")
		}
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		// InputOffset is the end of the previous token; skip the separators.
		for int(off) < len(data) && strings.ContainsRune(" \t\r\n,:", rune(data[off])) {
			off++
		}
		n := &yaml.Node{Line: lineAt(off)}
		switch t := tok.(type) {
		case json.Delim:
			end := json.Delim('}')
			n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
			if t == '[' {
				n.Kind, n.Tag, end = yaml.SequenceNode, "!!seq", ']'
			}
			for dec.More() {
				if n.Kind == yaml.MappingNode {
					koff := dec.InputOffset()
					k, err := dec.Token()
					if err != nil {
						return nil, err
					}
					for int(koff) < len(data) && strings.ContainsRune(" \t\r\n,", rune(data[koff])) {
						koff++
					}
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(k), Line: lineAt(koff)})
				}
				v, err := value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
			if tok, err := dec.Token(); err != nil || tok != end {
				return nil, fmt.Errorf("unclosed %v", t)
			}
		case string:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", t
		case json.Number:
			n.Kind, n.Value = yaml.ScalarNode, t.String()
			n.Tag = "!!int"
			if strings.ContainsAny(n.Value, ".eE") {
				n.Tag = "!!float"
			}
		case bool:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(t)
		case nil:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
		}
		return n, nil
	}
	root, err := value(0)
	if err != nil {
		return nil, &yamlx.Error{File: file, Msg: "invalid JSON: " + err.Error()}
	}
	return root, nil
}

// walker follows aliases within a node budget shared by one import.
type walker struct {
	budget int
}

func newWalker() *walker { return &walker{budget: maxNodes} }

var errTooLarge = errors.New("the document expands to too many nodes (aliases?)")

// deref follows alias nodes to their target and counts the visit.
func (w *walker) deref(n *yaml.Node) (*yaml.Node, error) {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil, errTooLarge
		}
		n = n.Alias
	}
	w.budget--
	if w.budget < 0 {
		return nil, errTooLarge
	}
	return n, nil
}

// get returns the value of key in mapping m (nil when absent or m is not a
// mapping). Aliased mappings are followed.
func get(m *yaml.Node, key string) *yaml.Node {
	_, v := getKV(m, key)
	return v
}

func getKV(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; m != nil && m.Kind == yaml.AliasNode && i < 100; i++ {
		m = m.Alias
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// pairs returns the key/value pairs of mapping m in document order.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	for i := 0; m != nil && m.Kind == yaml.AliasNode && i < 100; i++ {
		m = m.Alias
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], m.Content[i+1]})
	}
	return out
}

// isNull reports whether n is an explicit or implicit null.
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Tag == "" && (n.Value == "" || n.Value == "~" || n.Value == "null") && n.Style == 0)
}

// str makes a string scalar node.
func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// kind describes a node's kind for messages.
func kind(n *yaml.Node) string {
	switch {
	case n == nil || isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return "a scalar"
}
