package analysis

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Condition is a parsed successCondition or failureCondition: a small
// expression language over one number, result (result[0] is the same
// number), documented in docs/plans.md:
//
//	expr   = and { "||" and }
//	and    = unary { "&&" unary }
//	unary  = "!" unary | "(" expr ")" | cmp
//	cmp    = operand op operand      op: < <= > >= == !=
//	operand = result | result[0] | number
//
// It covers the conditions Argo's documentation shows for one-value
// providers (result[0] >= 0.95, result < 0.01 || result > 100); anything
// else is a parse error naming the position.
type Condition struct {
	src  string
	root node
}

type node struct {
	op          string // "||", "&&", "!", or a comparison
	left, right *node
	// comparison operands: isResult or num
	lres, rres bool
	lnum, rnum float64
}

// ParseCondition parses s; the empty string is an unset condition (nil).
func ParseCondition(s string) (*Condition, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	p := &parser{s: s}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, p.errf("unexpected %q", p.s[p.i:])
	}
	return &Condition{src: s, root: *n}, nil
}

func (c *Condition) String() string { return c.src }

// Eval evaluates the condition on result.
func (c *Condition) Eval(result float64) bool { return c.root.eval(result) }

func (n *node) eval(r float64) bool {
	switch n.op {
	case "||":
		return n.left.eval(r) || n.right.eval(r)
	case "&&":
		return n.left.eval(r) && n.right.eval(r)
	case "!":
		return !n.left.eval(r)
	}
	a, b := n.lnum, n.rnum
	if n.lres {
		a = r
	}
	if n.rres {
		b = r
	}
	switch n.op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "==":
		return a == b
	}
	return a != b // "!="
}

type parser struct {
	s string
	i int
}

func (p *parser) errf(format string, a ...any) error {
	return fmt.Errorf("condition %q at column %d: %s", p.s, p.i+1, fmt.Sprintf(format, a...))
}

func (p *parser) space() {
	for p.i < len(p.s) && unicode.IsSpace(rune(p.s[p.i])) {
		p.i++
	}
}

func (p *parser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *parser) expr() (*node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &node{op: "||", left: l, right: r}
	}
	return l, nil
}

func (p *parser) and() (*node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &node{op: "&&", left: l, right: r}
	}
	return l, nil
}

func (p *parser) unary() (*node, error) {
	p.space()
	if strings.HasPrefix(p.s[p.i:], "!=") {
		return nil, p.errf("unexpected !=")
	}
	if p.eat("!") {
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: "!", left: n}, nil
	}
	if p.eat("(") {
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, p.errf("missing )")
		}
		return n, nil
	}
	n := &node{}
	var err error
	if n.lres, n.lnum, err = p.operand(); err != nil {
		return nil, err
	}
	p.space()
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if strings.HasPrefix(p.s[p.i:], op) {
			n.op = op
			p.i += len(op)
			break
		}
	}
	if n.op == "" {
		return nil, p.errf("want a comparison (<, <=, >, >=, ==, !=)")
	}
	if n.rres, n.rnum, err = p.operand(); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) operand() (bool, float64, error) {
	p.space()
	if p.eat("result[0]") || p.eat("result") {
		return true, 0, nil
	}
	j := p.i
	for j < len(p.s) && (unicode.IsDigit(rune(p.s[j])) || strings.ContainsRune(".eE+-", rune(p.s[j]))) {
		j++
	}
	v, err := strconv.ParseFloat(p.s[p.i:j], 64)
	if err != nil || j == p.i {
		return false, 0, p.errf("want result, result[0] or a number")
	}
	p.i = j
	return false, v, nil
}
