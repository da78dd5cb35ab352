// Package yamlx decodes one YAML (or JSON) document strictly into Go values and
// reports every input problem as "file:line: path: message", with the likely fix.
//
// It exists because scenario files and pasted AWS objects are written by people:
// a misspelt key, a duplicate key, a quoted number or a bare "90" where a
// duration was meant must stop the run and point at the line, never be dropped
// or guessed. It must never panic on any input and never accept a key that no
// field takes.
//
// Field keys are the `yaml:"name"` tag when present, else the Go field name
// verbatim, so AWS PascalCase names (ComparisonOperator, TreatMissingData) need
// no tags. Embedded structs are inlined; `yaml:"-"` skips a field.
//
// Paths name a place in the document: struct fields and map keys are joined with
// "." when the key is identifier-like (letters, digits, '_' and '-', not starting
// with a digit or '-'), and written as a Go-quoted index otherwise; list items
// are [i]. For example alarms[0].Dimensions.FunctionName and
// routes["/checkout"].weight. Key and Index build paths the same way.
//
// Messages read "file:line: path: what (fix)", for example
//
//	scenarios/bad.yaml:14: alarms[0].ComparisonOperatr: unknown field (did you mean ComparisonOperator?)
//	scenarios/bad.yaml:3: name: duplicate key (first defined at line 1; keep only one)
//	scenarios/bad.yaml:2: alarms[0].Period: expected an integer, got "60" (a quoted string: remove the quotes)
//	scenarios/bad.yaml:1: duration: expected a duration such as 90s, 5m or 1h30m, got 90 (add a unit, e.g. 90s)
//	scenarios/bad.yaml:2: invalid YAML: mapping values are not allowed here (check the indentation, ...)
//
// Null (an empty value, ~ or null) leaves a pointer nil and any other field at
// its zero value, except that a null list item is an error where the item
// cannot be nil. Booleans are only true and false (YAML 1.2); integers with a
// leading zero are refused as ambiguous; NaN and infinities are refused; any
// scalar is accepted into a string as written, so account IDs keep their zeros.
package yamlx

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits on what a document may expand to. Aliases let a small file name a huge
// tree ("billion laughs"); nesting through aliases could otherwise exhaust the stack.
const (
	maxNodes     = 1_000_000
	maxPathBytes = 32 << 20
	maxDepth     = 10_000
)

// Error is one input problem, formatted "file:line: path: msg" (path omitted
// when empty; line omitted when 0; "line N: path: msg" when File is empty).
type Error struct {
	File   string
	Line   int
	Column int
	Path   string
	Msg    string
	// Err is the underlying cause, when one came from elsewhere (a TextUnmarshaler,
	// an Unmarshaler that returned a plain error).
	Err error
}

// Error formats e as "file:line: path: msg".
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Decode parses data (YAML, and therefore JSON too) as one document and decodes
// it strictly into v, a non-nil pointer (normally to a struct). file is used in
// messages only. It returns the positions of every decoded path, so callers can
// report semantic errors at the right line later; on error the positions cover
// what was decoded before it. Every error is an *Error, and it is the first
// problem in document order.
func Decode(file string, data []byte, v any) (*Positions, error) {
	pos := &Positions{file: file, m: make(map[string]position)}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return pos, &Error{File: file, Msg: fmt.Sprintf("yamlx: Decode needs a non-nil pointer, got %T", v)}
	}
	root, perr := parse(file, data)
	if perr != nil {
		return pos, perr
	}
	d := &Decoder{file: file, pos: pos, active: make(map[*yaml.Node]bool)}
	if d.size(root, 0) > maxNodes {
		return pos, d.tooLarge(root, "")
	}
	pos.add("", root)
	if err := d.decode(root, "", rv.Elem()); err != nil {
		return pos, err
	}
	return pos, nil
}

// parse reads exactly one document and returns its root node.
func parse(file string, data []byte) (root *yaml.Node, err *Error) {
	defer func() {
		// The parser is a port of libyaml and has panicked on fuzzed input before;
		// a user's file must get an error, not a crash.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: file, Msg: fmt.Sprintf("invalid YAML: the parser failed (%v)", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if e := dec.Decode(&doc); e != nil {
		if e == io.EOF {
			return nil, &Error{File: file, Msg: "empty document"}
		}
		return nil, syntaxError(file, data, e)
	}
	var next yaml.Node
	switch e := dec.Decode(&next); {
	case e == io.EOF:
	case e != nil:
		return nil, syntaxError(file, data, e)
	default:
		return nil, &Error{File: file, Line: next.Line, Column: next.Column,
			Msg: `expected one document, found a second one (remove the "---" separator or split the file)`}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, &Error{File: file, Msg: "empty document"}
	}
	return doc.Content[0], nil
}

// parserProblems are the messages of libyaml's parser (as opposed to its scanner):
// yaml reports their lines 0-based, the scanner's 1-based.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// syntaxHints turn the parser's terse problems into advice.
var syntaxHints = map[string]string{
	"mapping values are not allowed in this context":               `mapping values are not allowed here (check the indentation, or quote a value that contains ": ")`,
	"found a tab character that violates indentation":              "found a tab character that violates indentation (indent with spaces)",
	"found character that cannot start any token":                  "found a character that cannot start a value (a tab, or an unquoted value starting with @ or `?)",
	"did not find expected key":                                    "did not find the expected key (check the indentation of this block)",
	"found unexpected end of stream":                               "unexpected end of file (an unclosed quote or bracket?)",
	"did not find expected ',' or ']'":                             "unclosed [ list: expected ',' or ']'",
	"did not find expected ',' or '}'":                             "unclosed { mapping: expected ',' or '}'",
	"could not find expected ':'":                                  `could not find the expected ':' after a key`,
	"block sequence entries are not allowed in this context":       `a "- " list item is not allowed here (check the indentation)`,
	"did not find expected node content":                           "expected a value",
	"did not find expected '-' indicator":                          `expected a "- " list item (check the indentation)`,
	"found a tab character where an indentation space is expected": "found a tab character where indentation was expected (indent with spaces)",
}

// syntaxError turns a yaml parse error ("yaml: line N: problem") into an *Error
// with the line the problem is on.
func syntaxError(file string, data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, e := strconv.Atoi(num); e == nil {
				line, msg = n, tail
			}
		}
	}
	switch {
	case parserProblems[msg]:
		line++ // 0-based in yaml's message, and absent when 0
	case line == 0 && strings.HasPrefix(msg, "unknown anchor '"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		line = lineOfAlias(data, name)
		msg = fmt.Sprintf("unknown anchor %q in alias *%s (define it with &%s before using it)", name, name, name)
	case line == 0 && isReaderProblem(msg):
		line = lineOfBadChar(data)
	case line == 0:
		line = 1 // the scanner omits "line 1"
	}
	if h, ok := syntaxHints[msg]; ok {
		msg = h
	}
	return &Error{File: file, Line: line, Msg: "invalid YAML: " + msg, Err: err}
}

func isReaderProblem(msg string) bool {
	return strings.Contains(msg, "UTF-8") || strings.Contains(msg, "UTF-16") ||
		strings.Contains(msg, "control characters") || strings.Contains(msg, "Unicode character") ||
		strings.Contains(msg, "surrogate")
}

// lineOfAlias returns the line of the first "*name" in data, or 0.
func lineOfAlias(data []byte, name string) int {
	i := bytes.Index(data, []byte("*"+name))
	if i < 0 {
		return 0
	}
	return 1 + bytes.Count(data[:i], []byte("\n"))
}

// lineOfBadChar returns the line of the first byte YAML does not allow (invalid
// UTF-8 or a control character), or 0.
func lineOfBadChar(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || !printable(r) {
			return 1 + bytes.Count(data[:i], []byte("\n"))
		}
		i += size
	}
	return 0
}

// printable reports whether YAML 1.2 allows r in a stream.
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
