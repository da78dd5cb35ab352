package alarm

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// maxStack bounds the evaluation stack, so Eval needs no allocation.
const maxStack = 32

type opcode uint8

const (
	opConst opcode = iota // push val
	opRef                 // push values[ref]
	opNeg
	opAdd
	opSub
	opMul
	opDiv
	opPow
	opFill
)

var opSymbols = [...]string{opAdd: "+", opSub: "-", opMul: "*", opDiv: "/", opPow: "^"}

// instr is one instruction of the postfix program. For a binary operator,
// both says whether both operands are series (the missing-as-0 rule applies
// only then).
type instr struct {
	op   opcode
	both bool
	ref  int32
	val  float64
}

// Expr is a compiled metric-math expression, evaluated one period at a time
// on that period's datapoints. The zero Expr evaluates to NaN.
//
// The semantics follow the CloudWatch User Guide, "Using metric math"
// (awsdocs/amazon-cloudwatch-user-guide, doc_source/using-metric-math.md):
//
//   - "Missing values in a time series are treated as 0" by the arithmetic
//     operators. A period in which none of the operands has a datapoint has
//     no datapoint in the result either, because a result series only has
//     the timestamps of its inputs; so m1+m2 is m1 when m2 is missing, and
//     missing when both are. A number (5 * m1) does not make a datapoint
//     where m1 has none.
//   - "If the value of a data point causes a function to attempt to divide by
//     zero, the data point is dropped": x/0 is a missing datapoint. shiftsim
//     drops any other non-finite result too (an overflow, (-8)^0.5), since
//     CloudWatch cannot hold such a value.
//   - FILL(x, v) "fills the missing values of a time series": x where x has
//     a datapoint, else v. v is a number, or another series (AWS documents
//     a series filler only for arrays of series; shiftsim accepts it for
//     one). REPEAT and LINEAR need earlier periods and are not supported.
//   - Ids "must start with a lowercase letter" and contain letters, digits
//     and underscores; functions are written in upper case.
//
// Operators: + - * / ^, unary minus and parentheses. AWS does not give the
// precedence of ^; shiftsim makes it right-associative and binding tighter
// than unary minus, as in mathematics (-2^2 is -4, 2^3^2 is 512). Comparison and logical operators,
// IF, and the functions that look at a whole series (AVG, SUM, MAX, RATE,
// ...) are not supported; AWS itself advises against the latter in alarms.
type Expr struct {
	prog []instr
	ids  []string
	refs []int
}

// ExprError is a syntax or reference error in a metric-math expression.
type ExprError struct {
	Col int    // 1-based column of the problem in the expression
	Msg string // what is wrong, for people
}

// Error returns "column N: message".
func (e *ExprError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

// CompileExpr compiles a metric-math expression that may use the metric ids
// in ids; the value of ids[i] is values[i] in Eval. Errors in the expression
// are *ExprError values carrying the column. Constant subexpressions are
// computed at compile time, and the expression must use at least one metric,
// as an alarm needs a time series.
func CompileExpr(expr string, ids []string) (Expr, error) {
	for i, id := range ids {
		if !validID(id) {
			return Expr{}, fmt.Errorf("metric id %q: must start with a lower-case letter and contain only letters, digits and _", clip(id))
		}
		if slices.Contains(ids[:i], id) {
			return Expr{}, fmt.Errorf("metric id %q given twice", clip(id))
		}
	}
	p := parser{src: expr, ids: ids}
	p.next()
	n, err := p.expr()
	if err != nil {
		return Expr{}, err
	}
	if p.err != nil {
		return Expr{}, p.err
	}
	if p.tok.kind != tEOF {
		return Expr{}, p.errorf("unexpected %s after the end of the expression", p.tok)
	}
	if n.scalar {
		return Expr{}, &ExprError{1, "the expression uses no metric id; an alarm needs a time series"}
	}
	e := Expr{ids: slices.Clone(ids)}
	depth, maxDepth := 0, 0
	if err := e.emit(n, &depth, &maxDepth); err != nil {
		return Expr{}, err
	}
	for _, in := range e.prog {
		if in.op == opRef && !slices.Contains(e.refs, int(in.ref)) {
			e.refs = append(e.refs, int(in.ref))
		}
	}
	slices.Sort(e.refs)
	return e, nil
}

func validID(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// Refs returns the indices into ids of the metrics the expression uses, in
// increasing order.
func (e Expr) Refs() []int { return slices.Clone(e.refs) }

// Eval evaluates the expression for one period: values[i] is the datapoint
// of ids[i], NaN when missing (as is an index beyond len(values)). A NaN
// result means the period has no datapoint. Eval does not allocate.
func (e Expr) Eval(values []float64) float64 {
	var st [maxStack]float64
	sp := 0
	for _, in := range e.prog {
		switch in.op {
		case opConst:
			st[sp] = in.val
			sp++
		case opRef:
			v := math.NaN()
			if int(in.ref) < len(values) {
				v = values[in.ref]
			}
			st[sp] = v
			sp++
		case opNeg:
			st[sp-1] = -st[sp-1]
		case opFill:
			sp--
			if math.IsNaN(st[sp-1]) {
				st[sp-1] = st[sp]
			}
		default:
			sp--
			st[sp-1] = binary(in, st[sp-1], st[sp])
		}
	}
	if sp != 1 {
		return math.NaN()
	}
	return st[0]
}

func binary(in instr, x, y float64) float64 {
	xm, ym := math.IsNaN(x), math.IsNaN(y)
	if in.both {
		if xm && ym {
			return math.NaN()
		}
		if xm {
			x = 0
		}
		if ym {
			y = 0
		}
	} else if xm || ym {
		return math.NaN() // math.Pow(NaN, 0) is 1: be explicit
	}
	var z float64
	switch in.op {
	case opAdd:
		z = x + y
	case opSub:
		z = x - y
	case opMul:
		z = x * y
	case opDiv:
		if y == 0 {
			return math.NaN()
		}
		z = x / y
	case opPow:
		z = math.Pow(x, y)
	}
	if math.IsInf(z, 0) {
		return math.NaN()
	}
	return z
}

// String returns the expression in a canonical, fully parenthesized form
// that compiles to the same program, such as "((100 * errors) / invocations)".
func (e Expr) String() string {
	var st []string
	for _, in := range e.prog {
		switch in.op {
		case opConst:
			if math.Signbit(in.val) {
				st = append(st, "("+formatValue(in.val)+")")
			} else {
				st = append(st, formatValue(in.val))
			}
		case opRef:
			st = append(st, e.ids[in.ref])
		case opNeg:
			st[len(st)-1] = "-" + st[len(st)-1]
		case opFill:
			n := len(st)
			st = append(st[:n-2], "FILL("+st[n-2]+", "+st[n-1]+")")
		default:
			n := len(st)
			st = append(st[:n-2], "("+st[n-2]+" "+opSymbols[in.op]+" "+st[n-1]+")")
		}
	}
	if len(st) != 1 {
		return ""
	}
	return st[0]
}

// node is the parse tree; scalar nodes are folded to constants as they are
// built.
type node struct {
	op     opcode
	scalar bool
	val    float64
	ref    int
	col    int
	l, r   *node
}

func (e *Expr) emit(n *node, depth, maxDepth *int) error {
	push := func() error {
		*depth++
		if *depth > *maxDepth {
			*maxDepth = *depth
		}
		if *depth > maxStack {
			return &ExprError{n.col, "expression too deeply nested"}
		}
		return nil
	}
	switch n.op {
	case opConst:
		e.prog = append(e.prog, instr{op: opConst, val: n.val})
		return push()
	case opRef:
		e.prog = append(e.prog, instr{op: opRef, ref: int32(n.ref)})
		return push()
	case opNeg:
		if err := e.emit(n.l, depth, maxDepth); err != nil {
			return err
		}
		e.prog = append(e.prog, instr{op: opNeg})
		return nil
	}
	if err := e.emit(n.l, depth, maxDepth); err != nil {
		return err
	}
	if err := e.emit(n.r, depth, maxDepth); err != nil {
		return err
	}
	e.prog = append(e.prog, instr{op: n.op, both: !n.l.scalar && !n.r.scalar})
	*depth--
	return nil
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tIdent // lower-case start: a metric id
	tFunc  // upper-case start: a function or keyword
	tOp    // + - * / ^ ( ) ,
)

type token struct {
	kind tokKind
	text string
	num  float64
	col  int
}

func (t token) String() string {
	if t.kind == tEOF {
		return "end of expression"
	}
	return strconv.Quote(clip(t.text))
}

// clip shortens text quoted in an error, so that a hostile expression is
// not echoed back whole.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:37]) + "..."
}

type parser struct {
	src  string
	pos  int
	tok  token
	err  *ExprError
	ids  []string
	deep int
}

func (p *parser) errorf(format string, a ...any) *ExprError {
	return &ExprError{p.tok.col, fmt.Sprintf(format, a...)}
}

// next advances to the next token; a lexical error is kept in p.err and
// reported by the parser when it looks at the token.
func (p *parser) next() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	start := p.pos
	p.tok = token{col: start + 1}
	if p.pos >= len(p.src) {
		p.tok.kind = tEOF
		return
	}
	c := p.src[p.pos]
	switch {
	case c >= '0' && c <= '9' || c == '.':
		for p.pos < len(p.src) && (isIdentByte(p.src[p.pos]) || p.src[p.pos] == '.' ||
			(p.src[p.pos] == '+' || p.src[p.pos] == '-') && (p.src[p.pos-1] == 'e' || p.src[p.pos-1] == 'E')) {
			p.pos++
		}
		p.tok.kind, p.tok.text = tNum, p.src[start:p.pos]
		v, err := strconv.ParseFloat(p.tok.text, 64)
		if err != nil || strings.ContainsAny(p.tok.text, "_xXpP") || math.IsInf(v, 0) {
			p.err = &ExprError{start + 1, fmt.Sprintf("bad number %q", clip(p.tok.text))}
		}
		p.tok.num = v
	case isIdentByte(c):
		for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
			p.pos++
		}
		p.tok.text = p.src[start:p.pos]
		p.tok.kind = tIdent
		if c >= 'A' && c <= 'Z' || c == '_' {
			p.tok.kind = tFunc
		}
	case strings.IndexByte("+-*/^(),", c) >= 0:
		p.pos++
		p.tok.kind, p.tok.text = tOp, string(c)
	case strings.IndexByte("<>=!&|", c) >= 0:
		p.pos++
		p.tok.kind, p.tok.text = tOp, string(c)
		p.err = &ExprError{start + 1, "comparison and logical operators are not supported by shiftsim (only + - * / ^ and FILL)"}
	case c == '[' || c == ']':
		p.pos++
		p.tok.kind, p.tok.text = tOp, string(c)
		p.err = &ExprError{start + 1, "arrays of time series are not supported by shiftsim: an alarm watches one series"}
	default:
		r := []rune(p.src[start:])[0]
		p.pos += len(string(r))
		p.tok.kind, p.tok.text = tOp, string(r)
		p.err = &ExprError{start + 1, fmt.Sprintf("unexpected character %q", r)}
	}
}

// check reports a lexical error in the current token.
func (p *parser) check() error {
	if p.err != nil {
		return p.err
	}
	return nil
}

func (p *parser) isOp(s string) bool { return p.err == nil && p.tok.kind == tOp && p.tok.text == s }

func (p *parser) expr() (*node, error) {
	l, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op, col := opAdd, p.tok.col
		if p.tok.text == "-" {
			op = opSub
		}
		p.next()
		r, err := p.term()
		if err != nil {
			return nil, err
		}
		if l, err = combine(op, col, l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (p *parser) term() (*node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") {
		op, col := opMul, p.tok.col
		if p.tok.text == "/" {
			op = opDiv
		}
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if l, err = combine(op, col, l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// unary is on every path of nesting (parentheses, FILL, ^, unary minus), so
// it bounds the recursion.
func (p *parser) unary() (*node, error) {
	p.deep++
	defer func() { p.deep-- }()
	if p.deep > 4*maxStack {
		return nil, p.errorf("expression too deeply nested")
	}
	if p.isOp("-") {
		col := p.tok.col
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if x.scalar {
			return &node{op: opConst, scalar: true, val: -x.val, col: col}, nil
		}
		return &node{op: opNeg, col: col, l: x}, nil
	}
	if p.isOp("+") {
		return nil, p.errorf("unary + is not supported by CloudWatch metric math")
	}
	return p.power()
}

func (p *parser) power() (*node, error) {
	base, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.isOp("^") {
		col := p.tok.col
		p.next()
		exp, err := p.unary()
		if err != nil {
			return nil, err
		}
		return combine(opPow, col, base, exp)
	}
	return base, nil
}

// combine builds a binary node, folding it when both sides are numbers.
func combine(op opcode, col int, l, r *node) (*node, error) {
	if op == opDiv && r.scalar && r.val == 0 {
		return nil, &ExprError{col, "division by zero"}
	}
	if !l.scalar || !r.scalar {
		return &node{op: op, col: col, l: l, r: r}, nil
	}
	v := binary(instr{op: op}, l.val, r.val)
	if math.IsNaN(v) {
		return nil, &ExprError{col, fmt.Sprintf("%s %s %s is not a finite number", formatValue(l.val), opSymbols[op], formatValue(r.val))}
	}
	return &node{op: opConst, scalar: true, val: v, col: l.col}, nil
}

// notPerPeriod lists CloudWatch functions that exist but cannot be evaluated
// one period at a time, or that shiftsim does not implement.
var notPerPeriod = []string{
	"ABS", "ANOMALY_DETECTION_BAND", "AVG", "CEIL", "DATAPOINT_COUNT", "DIFF", "DIFF_TIME", "FIRST", "FLOOR", "IF",
	"INSIGHT_RULE_METRIC", "LAST", "LOG", "LOG10", "MAX", "METRIC_COUNT", "METRICS", "MIN", "MINUTE", "HOUR", "DAY",
	"DATE", "MONTH", "YEAR", "EPOCH", "PERIOD", "RATE", "REMOVE_EMPTY", "RUNNING_SUM", "SEARCH", "SERVICE_QUOTA",
	"SLICE", "SORT", "STDDEV", "SUM", "TIME_SERIES", "AND", "OR", "LAMBDA", "SQRT",
}

func (p *parser) primary() (*node, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	t := p.tok
	switch {
	case t.kind == tNum:
		p.next()
		return &node{op: opConst, scalar: true, val: t.num, col: t.col}, nil
	case t.kind == tIdent:
		p.next()
		if p.isOp("(") {
			return nil, &ExprError{t.col, fmt.Sprintf("%q: functions are written in upper case (FILL)", clip(t.text))}
		}
		i := slices.Index(p.ids, t.text)
		if i < 0 {
			known := "none"
			if len(p.ids) > 0 {
				known = strings.Join(p.ids, ", ")
			}
			return nil, &ExprError{t.col, fmt.Sprintf("unknown metric id %q (known: %s)", clip(t.text), clip(known))}
		}
		return &node{op: opRef, ref: i, col: t.col}, nil
	case t.kind == tFunc:
		if t.text == "FILL" {
			return p.fill()
		}
		if slices.Contains(notPerPeriod, t.text) {
			return nil, p.errorf("function %s is not supported by shiftsim (supported: FILL and + - * / ^)", t.text)
		}
		if t.text == "REPEAT" || t.text == "LINEAR" {
			return nil, p.errorf("%s is only valid as the second argument of FILL, and is not supported by shiftsim", t.text)
		}
		if validID(strings.ToLower(t.text[:1]) + t.text[1:]) {
			return nil, p.errorf("unknown function %q (metric ids start with a lower-case letter)", clip(t.text))
		}
		return nil, p.errorf("unknown function %q", clip(t.text))
	case p.isOp("("):
		p.next()
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.check(); err != nil {
			return nil, err
		}
		if !p.isOp(")") {
			return nil, p.errorf("expected ) to close the ( at column %d, found %s", t.col, p.tok)
		}
		p.next()
		return n, nil
	case t.kind == tEOF:
		return nil, p.errorf("expression ends too early: expected a number, a metric id or (")
	}
	return nil, p.errorf("unexpected %s: expected a number, a metric id or (", t)
}

func (p *parser) fill() (*node, error) {
	col := p.tok.col
	p.next()
	if err := p.check(); err != nil {
		return nil, err
	}
	if !p.isOp("(") {
		return nil, p.errorf("expected ( after FILL, found %s", p.tok)
	}
	p.next()
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if x.scalar {
		return nil, &ExprError{x.col, "FILL: the first argument must use a metric id"}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return nil, p.errorf("FILL takes two arguments, FILL(series, value): expected , found %s", p.tok)
	}
	p.next()
	if p.err == nil && p.tok.kind == tFunc && (p.tok.text == "REPEAT" || p.tok.text == "LINEAR") {
		return nil, p.errorf("FILL(..., %s) needs earlier periods and is not supported by shiftsim; use a number", p.tok.text)
	}
	v, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	if !p.isOp(")") {
		return nil, p.errorf("expected ) to close FILL at column %d, found %s", col, p.tok)
	}
	p.next()
	return &node{op: opFill, col: col, l: x, r: v}, nil
}
