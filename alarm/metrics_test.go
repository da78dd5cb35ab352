package alarm

import (
	"fmt"
	"strings"
	"testing"
)

func TestCompileMetrics(t *testing.T) {
	// SAM-style Lambda error rate alarm, written as a Metrics list.
	qs := []Query{
		{ID: "errors"},
		{ID: "invocations"},
		{ID: "rate", Expression: "100*errors/invocations", ReturnData: true},
	}
	m, err := CompileMetrics(qs)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Metrics(); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("Metrics() = %v", got)
	}
	for _, tc := range []struct{ errs, inv, want float64 }{{5, 100, 5}, {nan, 100, 0}, {nan, nan, nan}, {1, 0, nan}} {
		if got := m.Eval([]float64{tc.errs, tc.inv, 0}); !same(got, tc.want) {
			t.Errorf("rate(%g, %g) = %g, want %g", tc.errs, tc.inv, got, tc.want)
		}
	}

	// Expressions may use expressions, in any order of the list.
	qs = []Query{
		{ID: "pct", Expression: "FILL(ratio, 0) * 100", ReturnData: true},
		{ID: "ratio", Expression: "m1 / m2"},
		{ID: "m1"},
		{ID: "m2"},
	}
	if m, err = CompileMetrics(qs); err != nil {
		t.Fatal(err)
	}
	if got := m.Eval([]float64{0, 0, 1, 4}); got != 25 {
		t.Errorf("chained = %g, want 25", got)
	}
	if got := m.Eval([]float64{0, 0, 1, 0}); got != 0 {
		t.Errorf("chained with m2=0 = %g, want 0 (dropped, then filled)", got)
	}
	vs := []float64{0, 0, 1, 4}
	if a := testing.AllocsPerRun(100, func() { m.Eval(vs) }); a != 0 {
		t.Errorf("Math.Eval allocates %v times", a)
	}

	// A list may return a plain metric.
	if m, err = CompileMetrics([]Query{{ID: "m1", ReturnData: true}}); err != nil || m.Eval([]float64{3}) != 3 {
		t.Errorf("single metric: %v", err)
	}
	if got := (Math{}).Eval([]float64{3}); !same(got, nan) {
		t.Errorf("zero Math = %g", got)
	}
}

func TestCompileMetricsErrors(t *testing.T) {
	for _, tc := range []struct {
		qs  []Query
		msg string
	}{
		{[]Query{{ID: "m1"}}, "no entry has ReturnData"},
		{[]Query{{ID: "m1", ReturnData: true}, {ID: "m2", ReturnData: true}}, "Metrics[1] (m2): ReturnData is already set on Metrics[0] (m1)"},
		{[]Query{{ID: "m1", ReturnData: true}, {ID: "m1"}}, `Metrics[1]: Id "m1" already used by Metrics[0]`},
		{[]Query{{ID: "Errors", ReturnData: true}}, `Metrics[0]: Id "Errors" must start with a lower-case letter`},
		{[]Query{{ID: "m1"}, {ID: "e1", Expression: "m1 + m3", ReturnData: true}}, `Metrics[1] (e1): column 6: unknown metric id "m3"`},
		{[]Query{{ID: "e1", Expression: "e1 + 1", ReturnData: true}}, "uses its own Id"},
		{[]Query{{ID: "e1", Expression: "e2 * 2", ReturnData: true}, {ID: "e2", Expression: "e3 + 1"}, {ID: "e3", Expression: "e1 - 1"}},
			"cycle: e1 -> e2 -> e3 -> e1"},
	} {
		_, err := CompileMetrics(tc.qs)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v, want %q", tc.qs, err, tc.msg)
		}
	}
}

// PutMetricAlarm's limits on a Metrics list, and no error echoes a long
// input back whole.
func TestCompileMetricsLimits(t *testing.T) {
	long := "m" + strings.Repeat("x", 300)
	many := func(n int, expr bool) []Query {
		var qs []Query
		for i := range n {
			q := Query{ID: fmt.Sprintf("m%d", i)}
			if expr {
				q = Query{ID: fmt.Sprintf("e%d", i), Expression: "m0 + 1"}
			}
			qs = append(qs, q)
		}
		return qs
	}
	for _, tc := range []struct {
		qs  []Query
		msg string
	}{
		{[]Query{{ID: long, ReturnData: true}}, "Metrics[0]: Id of 301 characters: at most 255"},
		{[]Query{{ID: "m1"}, {ID: "e", Expression: "m1" + strings.Repeat("+m1", 700), ReturnData: true}}, "Metrics[1] (e): expression of 2102 characters: at most 2048"},
		{append(many(11, false), Query{ID: "e", Expression: "m0", ReturnData: true}), "Metrics: 11 metrics and 1 expressions: an alarm's Metrics can hold as many as 10 of each"},
		{append(append(many(1, false), many(11, true)...), Query{ID: "r", Expression: "m0", ReturnData: true}), "Metrics: 1 metrics and 12 expressions"},
		{[]Query{{ID: "m1"}, {ID: "e", Expression: "m1 + " + long, ReturnData: true}}, `unknown metric id "mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."`},
	} {
		_, err := CompileMetrics(tc.qs)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || len(err.Error()) > 200 {
			t.Errorf("%v, want %q (and under 200 characters)", err, tc.msg)
		}
	}
	if _, err := CompileMetrics(append(many(10, false), many(9, true)...)); err == nil || !strings.Contains(err.Error(), "no entry has ReturnData") {
		t.Errorf("10 metrics and 9 expressions: %v", err)
	}
}
