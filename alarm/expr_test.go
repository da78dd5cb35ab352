package alarm

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var nan = math.NaN()

// same compares two datapoints, NaN (missing) equal to NaN.
func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func TestExprEval(t *testing.T) {
	ids := []string{"errors", "invocations", "m1", "m2"}
	for _, tc := range []struct {
		expr   string
		values []float64 // errors, invocations, m1, m2
		want   float64
	}{
		{"100*errors/invocations", []float64{5, 100}, 5},
		{"100 * errors / invocations", []float64{0, 100}, 0},
		{"errors/invocations*100", []float64{5, 100}, 5},
		// "Missing values in a time series are treated as 0" ...
		{"100*errors/invocations", []float64{nan, 100}, 0},
		{"m1 + m2", []float64{0, 0, 3, nan}, 3},
		{"m1 - m2", []float64{0, 0, nan, 3}, -3},
		{"m1 / m2", []float64{0, 0, nan, 4}, 0},
		// ... but a period with no datapoint in any input has none in the result,
		{"100*errors/invocations", []float64{nan, nan}, nan},
		{"m1 + m2", []float64{0, 0, nan, nan}, nan},
		// and a number does not make a datapoint.
		{"m1 * 5", []float64{0, 0, nan}, nan},
		{"5 + m1", []float64{0, 0, nan}, nan},
		{"-m1", []float64{0, 0, nan}, nan},
		{"m1 ^ 0", []float64{0, 0, nan}, nan}, // not math.Pow(NaN, 0) = 1
		// "If the value of a data point causes a function to attempt to divide by zero, the data point is dropped."
		{"100*errors/invocations", []float64{5, 0}, nan},
		{"100*errors/invocations", []float64{0, 0}, nan},
		{"100*errors/invocations", []float64{5, nan}, nan}, // missing invocations is 0
		{"m1 / (m2 - m2)", []float64{0, 0, 1, 2}, nan},
		{"(m1 / m2) + errors", []float64{7, 0, 1, 0}, 7}, // the dropped point is missing, then 0
		// FILL
		{"FILL(m1, 0)", []float64{0, 0, nan}, 0},
		{"FILL(m1, 0)", []float64{0, 0, 4}, 4},
		{"FILL(m1, -1)", []float64{0, 0, nan}, -1},
		{"FILL(m1/m2, 0)", []float64{0, 0, 1, 0}, 0},
		{"FILL(m1, m2)", []float64{0, 0, nan, 9}, 9},
		{"FILL(m1, m2)", []float64{0, 0, nan, nan}, nan},
		{"100 * FILL(errors, 0) / FILL(invocations, 1)", []float64{nan, nan}, 0},
		{"FILL(m1, 0) + m2", []float64{0, 0, nan, nan}, 0},
		// precedence and constants
		{"-2^2 * m1", []float64{0, 0, 1}, -4},
		{"2^-1 * m1", []float64{0, 0, 1}, 0.5},
		{"2^3^2 * m1", []float64{0, 0, 1}, 512},
		{"(1 + 2) * 3 - m1 / 2", []float64{0, 0, 4}, 7},
		{"m1 - -m2", []float64{0, 0, 1, 2}, 3},
		{"1.5e2 * m1", []float64{0, 0, 2}, 300},
		{".5 * m1", []float64{0, 0, 2}, 1},
		{"m1 ^ 0.5", []float64{0, 0, -8}, nan},          // not a real number: dropped
		{"m1 * m2", []float64{0, 0, 1e200, 1e200}, nan}, // overflow: dropped
		// values shorter than ids: missing
		{"m1 + m2", []float64{0, 0, 1}, 1},
	} {
		e, err := CompileExpr(tc.expr, ids)
		if err != nil {
			t.Errorf("CompileExpr(%q): %v", tc.expr, err)
			continue
		}
		if got := e.Eval(tc.values); !same(got, tc.want) {
			t.Errorf("%q on %v = %g, want %g", tc.expr, tc.values, got, tc.want)
		}
	}
}

func TestExprErrors(t *testing.T) {
	ids := []string{"errors", "invocations", "m1"}
	for _, tc := range []struct {
		expr string
		col  int
		msg  string
	}{
		{"100*erors/invocations", 5, `unknown metric id "erors" (known: errors, invocations, m1)`},
		{"m1 +", 5, "ends too early"},
		{"", 1, "ends too early"},
		{"(m1 + 2", 8, "expected ) to close the ( at column 1"},
		{"m1 > 5", 4, "comparison and logical operators are not supported"},
		{"m1 && m1", 4, "not supported"},
		{"AVG(m1)", 1, "function AVG is not supported"},
		{"IF(m1, 1, 0)", 1, "function IF is not supported"},
		{"fill(m1, 0)", 1, "upper case"},
		{"FILL(m1, REPEAT)", 10, "needs earlier periods"},
		{"FILL(m1, LINEAR)", 10, "needs earlier periods"},
		{"FILL(m1)", 8, "two arguments"},
		{"FILL(2, m1)", 6, "first argument must use a metric"},
		{"FILL m1", 6, "expected ( after FILL"},
		{"FOO(m1)", 1, `unknown function "FOO"`},
		{"M1 + m1", 1, "metric ids start with a lower-case letter"},
		{"2*3", 1, "uses no metric id"},
		{"m1/0", 3, "division by zero"},
		{"m1*(1/(2-2))", 6, "division by zero"},
		{"m1*(-8)^0.5", 8, "not a finite number"},
		{"1.2.3*m1", 1, "bad number"},
		{"1e999*m1", 1, "bad number"},
		{"0x10*m1", 1, "bad number"},
		{"m1 $ 2", 4, "unexpected character"},
		{"m1 é", 4, "unexpected character"},
		{"m1 m1", 4, `unexpected "m1" after the end`},
		{"+m1", 1, "unary +"},
		{"[m1]", 1, "arrays"},
		{"m1 * ()", 7, `unexpected ")"`},
		{strings.Repeat("(", 200) + "m1" + strings.Repeat(")", 200), 0, "too deeply nested"},
		{strings.Repeat("m1*(", 40) + "m1" + strings.Repeat(")", 40), 0, "too deeply nested"},
	} {
		_, err := CompileExpr(tc.expr, ids)
		var ee *ExprError
		if !errors.As(err, &ee) || !strings.Contains(ee.Msg, tc.msg) || (tc.col != 0 && ee.Col != tc.col) {
			t.Errorf("CompileExpr(%.40q): %v; want column %d: ...%s...", tc.expr, err, tc.col, tc.msg)
		}
	}
	for _, bad := range [][]string{{"M1"}, {"1m"}, {"m-1"}, {""}, {"m1", "m1"}} {
		if _, err := CompileExpr("1", bad); err == nil || !strings.Contains(err.Error(), "metric id") {
			t.Errorf("ids %q: %v", bad, err)
		}
	}
}

func TestExprRefsAndString(t *testing.T) {
	e, err := CompileExpr(" 100 * errors/invocations + FILL(m1, 2*3) - errors", []string{"m0", "errors", "invocations", "m1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Refs(); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("Refs = %v, want [1 2 3]", got)
	}
	if got, want := e.String(), "((((100 * errors) / invocations) + FILL(m1, 6)) - errors)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := (Expr{}).Eval([]float64{1}); !math.IsNaN(got) {
		t.Errorf("zero Expr = %g", got)
	}
}

// evalTree is the slow twin of Expr.Eval: it walks the parse tree.
func evalTree(n *node, values []float64) float64 {
	switch n.op {
	case opConst:
		return n.val
	case opRef:
		if n.ref < len(values) {
			return values[n.ref]
		}
		return math.NaN()
	case opNeg:
		return -evalTree(n.l, values)
	case opFill:
		if x := evalTree(n.l, values); !math.IsNaN(x) {
			return x
		}
		return evalTree(n.r, values)
	}
	x, y := evalTree(n.l, values), evalTree(n.r, values)
	if !n.l.scalar && !n.r.scalar {
		if math.IsNaN(x) && math.IsNaN(y) {
			return math.NaN()
		}
		if math.IsNaN(x) {
			x = 0
		}
		if math.IsNaN(y) {
			y = 0
		}
	}
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.NaN()
	}
	var z float64
	switch n.op {
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
	if math.IsInf(z, 0) || math.IsNaN(z) {
		return math.NaN()
	}
	return z
}

func parseTree(t testing.TB, expr string, ids []string) *node {
	p := parser{src: expr, ids: ids}
	p.next()
	n, err := p.expr()
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	return n
}

var fuzzIDs = []string{"m1", "m2", "errors", "invocations"}

var fuzzValues = [][]float64{
	{1, 2, 3, 4}, {nan, 2, nan, 4}, {nan, nan, nan, nan}, {0, 0, 0, 0}, {-1.5, 1e-3, 7, nan}, {5, 100, 0, 100},
}

func FuzzCompileExpr(f *testing.F) {
	for _, s := range []string{
		"100*errors/invocations", "FILL(m1, 0)", "m1 + m2", "-2^2*m1", "(m1 - m2) / FILL(errors, -1)",
		"m1 > 5", "AVG(m1)", "((m1)", "1e5*m1", "m1^m2^errors", "FILL(m1/m2, m1*2)", "--m1", "m1 / 0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := CompileExpr(s, fuzzIDs)
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) || ee.Col < 1 || ee.Col > len(s)+1 {
				t.Fatalf("%q: error %v has no valid column", s, err)
			}
			return
		}
		refs := e.Refs()
		for i, r := range refs {
			if r < 0 || r >= len(fuzzIDs) || i > 0 && refs[i-1] >= r {
				t.Fatalf("%q: bad Refs %v", s, refs)
			}
		}
		if len(refs) == 0 {
			t.Fatalf("%q compiled without a metric", s)
		}
		canon := e.String()
		e2, err := CompileExpr(canon, fuzzIDs)
		if err != nil {
			t.Fatalf("%q: canonical form %q does not compile: %v", s, canon, err)
		}
		if e2.String() != canon {
			t.Fatalf("%q: String not a fixed point: %q then %q", s, canon, e2.String())
		}
		tree := parseTree(t, s, fuzzIDs)
		for _, vs := range fuzzValues {
			got := e.Eval(vs)
			if !same(got, e2.Eval(vs)) {
				t.Fatalf("%q and its canonical form %q differ on %v", s, canon, vs)
			}
			if want := evalTree(tree, vs); !same(got, want) {
				t.Fatalf("%q on %v: Eval %g, tree %g", s, vs, got, want)
			}
		}
	})
}

func TestExprEvalAllocs(t *testing.T) {
	e, err := CompileExpr("100*FILL(errors, 0)/invocations", []string{"errors", "invocations"})
	if err != nil {
		t.Fatal(err)
	}
	vs := []float64{5, 100}
	if a := testing.AllocsPerRun(100, func() { e.Eval(vs) }); a != 0 {
		t.Errorf("Eval allocates %v times", a)
	}
}

func BenchmarkExprEval(b *testing.B) {
	e, err := CompileExpr("100*FILL(errors, 0)/invocations", []string{"errors", "invocations"})
	if err != nil {
		b.Fatal(err)
	}
	vs := []float64{5, 100}
	b.ReportAllocs()
	for b.Loop() {
		e.Eval(vs)
	}
}
