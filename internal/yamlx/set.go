package yamlx

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Set decodes text, one YAML value, into the place at path inside v (a
// non-nil pointer, normally to the struct a document was decoded into),
// strictly and exactly as Decode would have decoded it there: the same
// types, the same refusals, the same messages. It edits a decoded document
// rather than its text, so a tool that varies one key (a sweep over
// traffic.rate) needs no knowledge of the file's layout.
//
// path is written as Decode's paths are: keys joined with ".", list items
// [i], other map keys Go-quoted in brackets (routes["/checkout"].weight).
// Structs, pointers and maps missing on the way are made; a list item must
// exist. An error is an *Error whose Path is the deepest part of path that
// went wrong; it has no file or line, since text is not the document:
// callers add where the key is written.
func Set(v any, path, text string) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Path: path, Msg: fmt.Sprintf("yamlx: Set needs a non-nil pointer, got %T", v)}
	}
	steps, err := parsePath(path)
	if err != nil {
		return err
	}
	root, perr := parse("", []byte(text))
	if perr != nil {
		perr.Line, perr.Column, perr.Path = 0, 0, path
		return perr
	}
	d := &Decoder{pos: &Positions{m: make(map[string]position)}, active: make(map[*yaml.Node]bool)}
	if d.size(root, 0) > maxNodes {
		return d.tooLarge(root, path)
	}
	if err := set(d, rv.Elem(), steps, "", root); err != nil {
		if e := asError(err); e != nil {
			e.Line, e.Column = 0, 0
			return e
		}
		return err
	}
	return nil
}

// ErrBadPath is the cause of Set's error for a path that is not written
// as a path: no document has a line for it.
var ErrBadPath = errors.New("not a path")

// pathStep is one part of a path: a key, or a list index (key == "" and
// index >= 0).
type pathStep struct {
	key   string
	index int
}

// parsePath splits a path written as Key and Index write them.
func parsePath(path string) ([]pathStep, error) {
	bad := func(why string) error {
		return &Error{Path: path, Msg: "not a path: " + why + ` (write keys as traffic.rate, list items as alarms[0], other keys as routes["/x"])`, Err: ErrBadPath}
	}
	if path == "" {
		return nil, bad("empty")
	}
	var out []pathStep
	s := path
	for first := true; s != ""; first = false {
		switch {
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, bad("a [ without ]")
			}
			in := s[1:end]
			if strings.HasPrefix(in, `"`) {
				// A Go-quoted key may hold ']': find the closing quote.
				q, err := strconv.QuotedPrefix(s[1:])
				if err != nil || len(s) < 2+len(q) || s[1+len(q)] != ']' {
					return nil, bad("a quoted key must be [\"...\"]")
				}
				key, _ := strconv.Unquote(q)
				out = append(out, pathStep{key: key, index: -1})
				s = s[2+len(q):]
				continue
			}
			i, err := strconv.Atoi(in)
			if err != nil || i < 0 || in != strconv.Itoa(i) {
				return nil, bad(fmt.Sprintf("[%s] is not a list index", in))
			}
			out = append(out, pathStep{index: i})
			s = s[end+1:]
		default:
			if !first {
				if s[0] != '.' {
					return nil, bad(fmt.Sprintf("%q follows an index without a dot", s))
				}
				s = s[1:]
			}
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			if end == 0 {
				return nil, bad("an empty key")
			}
			out = append(out, pathStep{key: s[:end], index: -1})
			s = s[end:]
		}
	}
	return out, nil
}

// set walks v along steps (at is the path walked so far) and decodes n
// into the place they lead to.
func set(d *Decoder, v reflect.Value, steps []pathStep, at string, n *yaml.Node) error {
	for v.Kind() == reflect.Pointer && len(steps) > 0 {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if len(steps) == 0 {
		// The value replaces what was there, as if the document said so:
		// a mapping set whole keeps none of the old mapping's keys.
		v.SetZero()
		return d.decode(n, at, v)
	}
	st := steps[0]
	if v.CanAddr() && v.Addr().CanInterface() {
		if _, ok := v.Addr().Interface().(Unmarshaler); ok {
			return &Error{Path: at, Msg: "holds a value of its own form: set it whole, not a part of it"}
		}
	}
	if st.index >= 0 {
		p := Index(at, st.index)
		switch v.Kind() {
		case reflect.Slice, reflect.Array:
			if st.index >= v.Len() {
				return &Error{Path: p, Msg: fmt.Sprintf("no such item: the list has %d", v.Len())}
			}
			return set(d, v.Index(st.index), steps[1:], p, n)
		}
		return &Error{Path: p, Msg: fmt.Sprintf("%s is not a list", orRoot(at))}
	}
	p := Key(at, st.key)
	switch v.Kind() {
	case reflect.Struct:
		info := structInfoOf(v.Type())
		f, ok := info.byName[st.key]
		if !ok {
			msg := "unknown field"
			if s := advise(st.key, info.names); s != "" {
				msg += " (" + s + ")"
			}
			return &Error{Path: p, Msg: msg}
		}
		return set(d, fieldAlloc(v, info.fields[f].index), steps[1:], p, n)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			break
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		k := reflect.ValueOf(st.key).Convert(v.Type().Key())
		elem := reflect.New(v.Type().Elem()).Elem()
		if old := v.MapIndex(k); old.IsValid() {
			elem.Set(old)
		}
		if err := set(d, elem, steps[1:], p, n); err != nil {
			return err
		}
		v.SetMapIndex(k, elem)
		return nil
	}
	return &Error{Path: p, Msg: fmt.Sprintf("%s holds %s, which has no keys", orRoot(at), describeType(v.Type()))}
}

func orRoot(path string) string {
	if path == "" {
		return "the document"
	}
	return path
}

// describeType names what a Go type holds in a document's words.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	if t == durationType {
		return "a duration"
	}
	if t.Kind() >= reflect.Int && t.Kind() <= reflect.Uintptr {
		return "an integer"
	}
	return "a value"
}
