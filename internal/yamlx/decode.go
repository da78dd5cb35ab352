package yamlx

import (
	"encoding"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Unmarshaler is implemented by types that decode themselves from a node, such
// as unions ("a string OR an object"). n is never an alias (aliases are
// resolved first); for a pointer field an explicit null leaves the pointer nil
// without a call. Errors should come from d.Errorf or d.DecodeNode so that they
// carry the line and path; a plain error is reported at n's line.
type Unmarshaler interface {
	UnmarshalYAMLX(d *Decoder, n *yaml.Node, path string) error
}

// Decoder decodes nodes of one document; Unmarshalers receive it to decode
// their parts with the same rules, limits and position bookkeeping.
type Decoder struct {
	file   string
	pos    *Positions
	nodes  int // nodes visited, aliases counted each time they expand
	bytes  int // bytes of the paths of those nodes
	depth  int
	active map[*yaml.Node]bool // alias targets being expanded, to catch cycles
	sizes  map[*yaml.Node]int  // expanded sizes of anchored nodes; -1 while being measured
}

// DecodeNode decodes n into v (a non-nil pointer) strictly, recording path's
// position if it has none yet.
func (d *Decoder) DecodeNode(n *yaml.Node, path string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return d.Errorf(n, path, "yamlx: DecodeNode needs a non-nil pointer, got %T", v)
	}
	if n == nil {
		return d.Errorf(nil, path, "yamlx: DecodeNode got a nil node")
	}
	d.pos.add(path, n)
	return d.decode(n, path, rv.Elem())
}

// Errorf returns an *Error at n's line and column (none when n is nil).
func (d *Decoder) Errorf(n *yaml.Node, path, format string, a ...any) *Error {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

var durationType = reflect.TypeFor[time.Duration]()

// decode is the one entry for every node: it counts, guards depth, resolves
// aliases and dispatches on v's type.
func (d *Decoder) decode(n *yaml.Node, path string, v reflect.Value) error {
	if err := d.enter(n, path); err != nil {
		return err
	}
	defer d.leave()
	switch n.Kind {
	case yaml.AliasNode:
		return d.expand(n, path, func(t *yaml.Node) error { return d.decode(t, path, v) })
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return d.Errorf(n, path, "empty document")
		}
		return d.decode(n.Content[0], path, v)
	}
	if n.Anchor != "" && !d.active[n] && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
		// An alias anywhere inside this node to this node would loop forever.
		d.active[n] = true
		defer delete(d.active, n)
	}
	for v.Kind() == reflect.Pointer && v.Type().Name() == "" {
		if isNull(n) {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	addressable := v.CanAddr() && v.Addr().CanInterface()
	if addressable {
		if u, ok := v.Addr().Interface().(Unmarshaler); ok {
			return d.wrap(n, path, u.UnmarshalYAMLX(d, n, path))
		}
	}
	if err := d.checkTag(n, path); err != nil {
		return err
	}
	if isNull(n) {
		v.SetZero()
		return nil
	}
	if addressable {
		if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
			if n.Kind != yaml.ScalarNode {
				return d.Errorf(n, path, "expected a string, got %s", Describe(n))
			}
			if err := u.UnmarshalText([]byte(n.Value)); err != nil {
				e := d.Errorf(n, path, "invalid value %s: %v", quote(n.Value), err)
				e.Err = err
				return e
			}
			return nil
		}
	}
	if v.Type() == durationType {
		return d.decodeDuration(n, path, v)
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return d.Errorf(n, path, "expected a string, got %s", Describe(n))
		}
		if n.ShortTag() == "!!binary" {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
			if err != nil {
				return d.Errorf(n, path, "invalid !!binary value: %v", err)
			}
			v.SetString(string(b))
			return nil
		}
		v.SetString(n.Value)
		return nil
	case reflect.Bool:
		return d.decodeBool(n, path, v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return d.decodeInt(n, path, v)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return d.decodeUint(n, path, v)
	case reflect.Float32, reflect.Float64:
		return d.decodeFloat(n, path, v)
	case reflect.Slice:
		return d.decodeSlice(n, path, v)
	case reflect.Array:
		return d.decodeArray(n, path, v)
	case reflect.Map:
		return d.decodeMap(n, path, v)
	case reflect.Struct:
		return d.decodeStruct(n, path, v)
	case reflect.Interface:
		if v.NumMethod() == 0 {
			return d.decodeAny(n, path, v)
		}
	}
	return d.Errorf(n, path, "yamlx: cannot decode into Go type %s", v.Type())
}

// count counts n against the budgets. Paths are charged too: nesting through
// aliases makes them long, and a few thousand levels would cost gigabytes.
func (d *Decoder) count(n *yaml.Node, path string) error {
	d.nodes++
	d.bytes += len(path)
	if d.bytes > maxPathBytes {
		return d.Errorf(n, "", "document too large: its paths exceed %d MiB once aliases are expanded", maxPathBytes>>20)
	}
	if d.nodes > maxNodes {
		return d.Errorf(n, path, "document too large: more than %d nodes once aliases are expanded", maxNodes)
	}
	return nil
}

// enter counts n and goes one level deeper; every enter needs a leave.
func (d *Decoder) enter(n *yaml.Node, path string) error {
	d.depth++
	if err := d.count(n, path); err != nil {
		return err
	}
	if d.depth > maxDepth {
		return d.Errorf(n, path, "document nested too deeply: more than %d levels once aliases are expanded", maxDepth)
	}
	return nil
}

func (d *Decoder) leave() { d.depth-- }

// expand runs f on the target of alias n, refusing an alias inside its own anchor.
func (d *Decoder) expand(n *yaml.Node, path string, f func(*yaml.Node) error) error {
	t := n.Alias
	if t == nil {
		return d.Errorf(n, path, "alias *%s has no anchor", n.Value)
	}
	if d.active[t] {
		return d.Errorf(n, path, "alias *%s is inside the node it refers to (an infinite loop)", n.Value)
	}
	// Refuse a bomb at the alias that sets it off rather than after a million nodes.
	size := d.size(t, 0)
	if d.nodes+size > maxNodes {
		return d.Errorf(n, path, "document too large: more than %d nodes once aliases are expanded", maxNodes)
	}
	if d.bytes+size*len(path) > maxPathBytes {
		return d.Errorf(n, "", "document too large: its paths exceed %d MiB once aliases are expanded", maxPathBytes>>20)
	}
	d.active[t] = true
	defer delete(d.active, t)
	return f(t)
}

// size returns how many nodes n stands for once aliases are expanded, at most
// maxNodes+1. An alias back into a node being measured counts as nothing: the
// decoder reports that loop on its own.
func (d *Decoder) size(n *yaml.Node, depth int) int {
	const over = maxNodes + 1
	if depth > maxDepth {
		return over
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 1
		}
		return min(over, 1+d.size(n.Alias, depth+1))
	}
	if len(n.Content) == 0 {
		return 1
	}
	// Only anchored nodes can be reached twice, so only they are remembered.
	memo := n.Anchor != ""
	if memo {
		if s, ok := d.sizes[n]; ok {
			return max(s, 0)
		}
		if d.sizes == nil {
			d.sizes = make(map[*yaml.Node]int)
		}
		d.sizes[n] = -1
	}
	total := 1
	for _, c := range n.Content {
		total = min(over, total+d.size(c, depth+1))
	}
	if memo {
		d.sizes[n] = total
	}
	return total
}

// tooLarge returns the error for a document whose expansion exceeds maxNodes,
// at the first node in document order that takes it past the limit.
func (d *Decoder) tooLarge(n *yaml.Node, path string) *Error {
	budget := maxNodes
descend:
	for n.Kind != yaml.AliasNode {
		budget--
		for i, c := range n.Content {
			sz := d.size(c, 0)
			if sz <= budget {
				budget -= sz
				continue
			}
			switch {
			case n.Kind == yaml.SequenceNode:
				path = Index(path, i)
			case n.Kind == yaml.MappingNode && i%2 == 1 && resolved(n.Content[i-1]).Kind == yaml.ScalarNode:
				path = Key(path, resolved(n.Content[i-1]).Value)
			}
			n = c
			continue descend
		}
		break
	}
	return d.Errorf(n, path, "document too large: more than %d nodes once aliases are expanded", maxNodes)
}

// wrap gives an Unmarshaler's error a file, line and path if it lacks them.
func (d *Decoder) wrap(n *yaml.Node, path string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.File == "" {
			e.File = d.file
		}
		if e.Line == 0 {
			e.Line, e.Column = n.Line, n.Column
		}
		return e
	}
	e = d.Errorf(n, path, "%v", err)
	e.Err = err
	return e
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// knownTags are the tags decoding understands; anything else (CloudFormation's
// !Ref, !Sub, …) would be silently read as its text.
var knownTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true,
	"!!timestamp": true, "!!binary": true, "!!map": true, "!!seq": true, "!!merge": true,
}

func (d *Decoder) checkTag(n *yaml.Node, path string) error {
	if t := n.ShortTag(); !knownTags[t] {
		return d.Errorf(n, path, "unsupported tag %s (tags such as CloudFormation's !Ref are not evaluated: write the plain value)", t)
	}
	return nil
}

// Describe names what a node is, for messages of the form "expected X, got Y":
// "a mapping", "a list", "null", a quoted string such as "\"abc\"", or a plain
// scalar as written (1.5, true). Long values are shortened.
func Describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str", "!!binary", "!!timestamp":
			return quote(n.Value)
		}
		return truncate(n.Value)
	case yaml.AliasNode:
		return "alias *" + truncate(n.Value)
	}
	return "nothing"
}

func quote(s string) string { return strconv.Quote(truncate(s)) }

// truncate keeps messages one line long for huge values.
func truncate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-3]) + "..."
}

// quotedHint explains why a string that looks like the expected scalar was not
// taken: in YAML, quotes make it a string.
func quotedHint(n *yaml.Node, looksRight bool) string {
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && looksRight {
		return " (a quoted string: remove the quotes)"
	}
	return ""
}

// isDigits reports whether s is an optionally signed run of decimal digits.
func isDigits(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func looksNumeric(s string) bool {
	if _, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil {
		return true
	}
	_, err := strconv.ParseInt(s, 0, 64)
	return err == nil
}

func (d *Decoder) decodeBool(n *yaml.Node, path string, v reflect.Value) error {
	const want = "expected true or false"
	if n.Kind != yaml.ScalarNode {
		return d.Errorf(n, path, "%s, got %s", want, Describe(n))
	}
	if n.ShortTag() == "!!bool" {
		switch strings.ToLower(n.Value) {
		case "true":
			v.SetBool(true)
			return nil
		case "false":
			v.SetBool(false)
			return nil
		}
	}
	lower := strings.ToLower(n.Value)
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		switch lower {
		case "yes", "y", "on":
			return d.Errorf(n, path, "%s, got %s (YAML 1.2 booleans are only true and false: write true)", want, n.Value)
		case "no", "n", "off":
			return d.Errorf(n, path, "%s, got %s (YAML 1.2 booleans are only true and false: write false)", want, n.Value)
		}
	}
	return d.Errorf(n, path, "%s, got %s%s", want, Describe(n), quotedHint(n, lower == "true" || lower == "false"))
}

// legacyOctal reports a decimal-looking integer with a leading zero, which YAML
// 1.1 reads as octal and YAML 1.2 as decimal: too ambiguous to guess.
func legacyOctal(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if len(s) < 2 || s[0] != '0' {
		return false
	}
	for _, c := range s[1:] {
		if (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func (d *Decoder) octalError(n *yaml.Node, path string) error {
	sign := ""
	s := n.Value
	if s[0] == '-' || s[0] == '+' {
		sign, s = s[:1], s[1:]
	}
	dec := strings.TrimLeft(s, "0_")
	if dec == "" {
		dec = "0"
	}
	return d.Errorf(n, path, "ambiguous number %s: write %s%s for decimal or %s0o%s for octal", n.Value, sign, dec, sign, dec)
}

// intText returns n's text if n is a plain integer, else an error saying what was expected.
func (d *Decoder) intText(n *yaml.Node, path, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
	}
	switch n.ShortTag() {
	case "!!int":
	case "!!float":
		if !isDigits(n.Value) { // yaml resolves integers past 64 bits as floats
			return "", d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
		}
	default:
		return "", d.Errorf(n, path, "expected %s, got %s%s", want, Describe(n), quotedHint(n, looksNumeric(n.Value)))
	}
	if legacyOctal(n.Value) {
		return "", d.octalError(n, path)
	}
	return n.Value, nil
}

func (d *Decoder) decodeInt(n *yaml.Node, path string, v reflect.Value) error {
	s, err := d.intText(n, path, "an integer")
	if err != nil {
		return err
	}
	bits := v.Type().Bits()
	i, perr := strconv.ParseInt(s, 0, bits)
	if perr != nil {
		if errors.Is(perr, strconv.ErrRange) {
			lo, hi := -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1
			return d.Errorf(n, path, "%s is out of range (must be between %d and %d)", truncate(s), lo, hi)
		}
		return d.Errorf(n, path, "expected an integer, got %s", Describe(n))
	}
	v.SetInt(i)
	return nil
}

func (d *Decoder) decodeUint(n *yaml.Node, path string, v reflect.Value) error {
	const want = "a non-negative integer"
	s, err := d.intText(n, path, want)
	if err != nil {
		return err
	}
	if strings.HasPrefix(s, "-") {
		return d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
	}
	bits := v.Type().Bits()
	u, perr := strconv.ParseUint(strings.TrimPrefix(s, "+"), 0, bits)
	if perr != nil {
		if errors.Is(perr, strconv.ErrRange) {
			return d.Errorf(n, path, "%s is out of range (must be between 0 and %d)", truncate(s), uint64(math.MaxUint64)>>(64-bits))
		}
		return d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
	}
	v.SetUint(u)
	return nil
}

func (d *Decoder) decodeFloat(n *yaml.Node, path string, v reflect.Value) error {
	const want = "a number"
	if n.Kind != yaml.ScalarNode {
		return d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
	}
	bits := v.Type().Bits()
	var f float64
	switch n.ShortTag() {
	case "!!int":
		if legacyOctal(n.Value) {
			return d.octalError(n, path)
		}
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err == nil {
			f = float64(i)
		} else if u, uerr := strconv.ParseUint(strings.TrimPrefix(n.Value, "+"), 0, 64); uerr == nil {
			f = float64(u)
		} else {
			return d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
		}
	case "!!float":
		if special := strings.ToLower(strings.TrimLeft(n.Value, "+-")); special == ".inf" || special == ".nan" {
			return d.Errorf(n, path, "expected a finite number, got %s", n.Value)
		}
		var err error
		f, err = strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return d.Errorf(n, path, "%s is out of range for a number", truncate(n.Value))
		case err != nil:
			return d.Errorf(n, path, "expected %s, got %s", want, Describe(n))
		case math.IsNaN(f) || math.IsInf(f, 0):
			return d.Errorf(n, path, "expected a finite number, got %s", truncate(n.Value))
		}
	default:
		// yaml leaves a float too large for 64 bits as a string.
		if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) && n.Style == 0 {
			return d.Errorf(n, path, "%s is out of range for a number", truncate(n.Value))
		}
		return d.Errorf(n, path, "expected %s, got %s%s", want, Describe(n), quotedHint(n, looksNumeric(n.Value)))
	}
	if bits == 32 && math.Abs(f) > math.MaxFloat32 {
		return d.Errorf(n, path, "%s is out of range (must be at most %g in magnitude)", truncate(n.Value), math.MaxFloat32)
	}
	v.SetFloat(f)
	return nil
}

func (d *Decoder) decodeDuration(n *yaml.Node, path string, v reflect.Value) error {
	const want = "expected a duration such as 90s, 5m or 1h30m"
	if n.Kind != yaml.ScalarNode {
		return d.Errorf(n, path, "%s, got %s", want, Describe(n))
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		if n.Value == "0" {
			v.SetInt(0)
			return nil
		}
		return d.Errorf(n, path, "%s, got %s (add a unit, e.g. %ss)", want, truncate(n.Value), truncate(n.Value))
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		hint := ""
		s := n.Value
		switch {
		case strings.Contains(s, " "):
			hint = " (write it without spaces, e.g. 5m or 1h30m)"
		case strings.HasSuffix(s, "d") && looksNumeric(strings.TrimSuffix(s, "d")):
			hint = " (there is no day unit: write hours, e.g. 24h)"
		case looksNumeric(s):
			hint = fmt.Sprintf(" (add a unit, e.g. %ss)", truncate(s))
		}
		e := d.Errorf(n, path, "%s, got %s%s", want, Describe(n), hint)
		e.Err = err
		return e
	}
	v.SetInt(int64(dur))
	return nil
}

func (d *Decoder) decodeSlice(n *yaml.Node, path string, v reflect.Value) error {
	if n.Kind != yaml.SequenceNode {
		return d.Errorf(n, path, "expected a list, got %s", Describe(n))
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p := Index(path, i)
		d.pos.add(p, item)
		if err := d.emptyItem(item, p, s.Index(i)); err != nil {
			return err
		}
		if err := d.decode(item, p, s.Index(i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

// emptyItem refuses a null list item where only a pointer or an interface can
// hold "nothing": a stray "-" is a mistake, and guessing (a zero value, or
// dropping the item as yaml does) would hide it.
func (d *Decoder) emptyItem(item *yaml.Node, path string, v reflect.Value) error {
	if item.Kind != yaml.ScalarNode || !isNull(item) || item.Style&yaml.TaggedStyle != 0 {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return nil
	}
	if v.CanAddr() && v.Addr().CanInterface() {
		if _, ok := v.Addr().Interface().(Unmarshaler); ok {
			return nil
		}
	}
	return d.Errorf(item, path, "empty list item (remove it or give it a value)")
}

func (d *Decoder) decodeArray(n *yaml.Node, path string, v reflect.Value) error {
	if n.Kind != yaml.SequenceNode {
		return d.Errorf(n, path, "expected a list, got %s", Describe(n))
	}
	if len(n.Content) != v.Len() {
		return d.Errorf(n, path, "expected a list of %d items, got %d", v.Len(), len(n.Content))
	}
	for i, item := range n.Content {
		p := Index(path, i)
		d.pos.add(p, item)
		if err := d.emptyItem(item, p, v.Index(i)); err != nil {
			return err
		}
		if err := d.decode(item, p, v.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

func (d *Decoder) decodeMap(n *yaml.Node, path string, v reflect.Value) error {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		return d.Errorf(n, path, "yamlx: cannot decode into Go type %s (map keys must be strings)", t)
	}
	if n.Kind != yaml.MappingNode {
		return d.Errorf(n, path, "expected a mapping, got %s", Describe(n))
	}
	es, err := d.entries(n, path)
	if err != nil {
		return err
	}
	m := reflect.MakeMapWithSize(t, len(es))
	for _, e := range es {
		if e.err != nil {
			return e.err
		}
		p := Key(path, e.name)
		d.pos.add(p, e.key)
		ev := reflect.New(t.Elem()).Elem()
		if err := d.decode(e.val, p, ev); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(e.name).Convert(t.Key()), ev)
	}
	v.Set(m)
	return nil
}

func (d *Decoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		if path == "" {
			// The whole file is not a mapping: it is likely not the kind
			// of file expected at all (/etc/passwd, a log), so its content
			// is not echoed, only its kind.
			return d.Errorf(n, path, "expected a mapping at the top level, got %s (is this the right file?)", kindOf(n))
		}
		return d.Errorf(n, path, "expected a mapping, got %s", Describe(n))
	}
	info := structInfoOf(v.Type())
	es, err := d.entries(n, path)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.err != nil {
			return e.err
		}
		p := Key(path, e.name)
		f, ok := info.byName[e.name]
		if !ok {
			msg := "unknown field"
			if s := advise(e.name, info.names); s != "" {
				msg += " (" + s + ")"
			}
			return d.Errorf(e.key, p, "%s", msg)
		}
		d.pos.add(p, e.key)
		if err := d.decode(e.val, p, fieldAlloc(v, info.fields[f].index)); err != nil {
			return err
		}
	}
	return nil
}

// decodeAny decodes the way yaml does into an interface: maps become
// map[string]any, lists []any, scalars their natural Go value.
func (d *Decoder) decodeAny(n *yaml.Node, path string, v reflect.Value) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if x, ok := naturalScalar(n); ok {
			v.Set(reflect.ValueOf(x))
			return nil
		}
		var x any
		if err := n.Decode(&x); err != nil {
			e := d.Errorf(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			e.Err = err
			return e
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			p := Index(path, i)
			d.pos.add(p, item)
			if err := d.decode(item, p, reflect.ValueOf(&s[i]).Elem()); err != nil {
				return err
			}
		}
		v.Set(reflect.ValueOf(s))
		return nil
	case yaml.MappingNode:
		es, err := d.entries(n, path)
		if err != nil {
			return err
		}
		m := make(map[string]any, len(es))
		for _, e := range es {
			if e.err != nil {
				return e.err
			}
			p := Key(path, e.name)
			d.pos.add(p, e.key)
			var x any
			if err := d.decode(e.val, p, reflect.ValueOf(&x).Elem()); err != nil {
				return err
			}
			m[e.name] = x
		}
		v.Set(reflect.ValueOf(m))
		return nil
	}
	return d.Errorf(n, path, "expected a value, got %s", Describe(n))
}

// naturalScalar decodes the common scalars as yaml does into an interface,
// without the cost of a yaml decoder per value; ok is false for the rest.
func naturalScalar(n *yaml.Node) (x any, ok bool) {
	switch n.ShortTag() {
	case "!!str":
		return n.Value, true
	case "!!bool":
		switch n.Value {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case "!!int":
		if isDigits(n.Value) && !legacyOctal(n.Value) {
			if i, err := strconv.ParseInt(n.Value, 10, 0); err == nil {
				return int(i), true
			}
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, true
		}
	}
	return nil, false
}

// entry is one key/value pair of a mapping after merge keys are applied. err is
// a problem with the key itself, reported when the entry's turn comes so that
// errors stay in document order.
type entry struct {
	key, val *yaml.Node
	name     string
	err      *Error
}

// entries lists the pairs of mapping n in document order with "<<" merge keys
// expanded in place: keys written in n win over merged ones, and earlier merged
// mappings win over later ones. A key written twice in n is an error at its
// second occurrence. The returned error is fatal (a limit was exceeded).
func (d *Decoder) entries(n *yaml.Node, path string) ([]entry, error) {
	explicit := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolved(n.Content[i]); k.Kind == yaml.ScalarNode && !isMerge(k) && !isNull(k) {
			explicit[k.Value] = true
		}
	}
	out := make([]entry, 0, len(n.Content)/2)
	first := make(map[string]*yaml.Node)
	merged := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if err := d.count(k, path); err != nil {
			return nil, err
		}
		e := entry{key: k, val: val}
		rk := resolved(k)
		switch {
		case rk.Kind != yaml.ScalarNode || isNull(rk):
			e.err = d.Errorf(k, path, "expected a string key, got %s", Describe(rk))
		case first[rk.Value] != nil:
			e.err = d.Errorf(k, Key(path, rk.Value), "duplicate key (first defined at line %d; keep only one)", first[rk.Value].Line)
		case isMerge(rk):
			first[rk.Value] = k
			var err error
			out, err = d.merge(out, k, val, path, explicit, merged)
			if err != nil {
				return nil, err
			}
			continue
		default:
			first[rk.Value] = k
			e.name = rk.Value
		}
		out = append(out, e)
	}
	return out, nil
}

// merge appends the entries of the mapping(s) named by the value of merge key k:
// a mapping, an alias to one, or a list of those.
func (d *Decoder) merge(out []entry, k, val *yaml.Node, path string, explicit, merged map[string]bool) ([]entry, error) {
	srcs := []*yaml.Node{val}
	if r := resolved(val); r.Kind == yaml.SequenceNode {
		srcs = r.Content
	}
	for _, s := range srcs {
		var err error
		if out, err = d.mergeOne(out, k, s, path, explicit, merged); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *Decoder) mergeOne(out []entry, k, src *yaml.Node, path string, explicit, merged map[string]bool) ([]entry, error) {
	if err := d.enter(src, path); err != nil {
		d.leave()
		return nil, err
	}
	defer d.leave()
	if src.Kind != yaml.AliasNode {
		return d.mergeFrom(out, k, src, path, explicit, merged)
	}
	var fatal error
	err := d.expand(src, path, func(t *yaml.Node) error {
		out, fatal = d.mergeFrom(out, k, t, path, explicit, merged)
		return nil
	})
	if err != nil {
		return append(out, entry{key: k, err: asError(err)}), nil
	}
	return out, fatal
}

func (d *Decoder) mergeFrom(out []entry, k, src *yaml.Node, path string, explicit, merged map[string]bool) ([]entry, error) {
	if src.Kind != yaml.MappingNode {
		return append(out, entry{key: k, err: d.Errorf(src, path, "merge key << needs a mapping or a list of mappings, got %s", Describe(src))}), nil
	}
	es, err := d.entries(src, path)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.err == nil {
			if explicit[e.name] || merged[e.name] {
				continue
			}
			merged[e.name] = true
		}
		out = append(out, e)
	}
	return out, nil
}

// asError returns err as an *Error; the decoder's own errors always are.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Msg: err.Error(), Err: err}
}

// resolved follows an alias to its anchor.
func resolved(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isMerge(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!merge"
}

// fieldAlloc returns the field at index, allocating nil embedded pointers on the way.
func fieldAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

type fieldInfo struct {
	name  string
	index []int
	depth int
}

type structInfo struct {
	fields []fieldInfo
	byName map[string]int
	names  []string // in declaration order, for suggestions
}

var structInfos sync.Map // reflect.Type → *structInfo

func structInfoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: make(map[string]int)}
	si.walk(t, nil, 0, map[reflect.Type]bool{t: true})
	for _, f := range si.fields {
		si.names = append(si.names, f.name)
	}
	actual, _ := structInfos.LoadOrStore(t, si)
	return actual.(*structInfo)
}

// walk collects t's keys; embedded structs (and `yaml:",inline"` ones) add their
// fields, and a shallower field hides a deeper one of the same name.
func (si *structInfo) walk(t reflect.Type, index []int, depth int, seen map[reflect.Type]bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), index...), i)
		inline := name == "" && sf.Anonymous
		for _, o := range strings.Split(opts, ",") {
			inline = inline || o == "inline"
		}
		if inline {
			st, ptr := sf.Type, false
			if st.Kind() == reflect.Pointer {
				st, ptr = st.Elem(), true
			}
			// An unexported embedded pointer cannot be allocated through reflection.
			if st.Kind() == reflect.Struct && !(ptr && !sf.IsExported()) && !seen[st] {
				seen[st] = true
				si.walk(st, idx, depth+1, seen)
				delete(seen, st)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f := fieldInfo{name: name, index: idx, depth: depth}
		if j, ok := si.byName[name]; ok {
			if si.fields[j].depth > depth {
				si.fields[j] = f
			}
			continue
		}
		si.byName[name] = len(si.fields)
		si.fields = append(si.fields, f)
	}
}

// kindOf names what n is without quoting its content: "a list", "a string".
func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return Describe(n)
}
