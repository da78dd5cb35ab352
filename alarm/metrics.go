package alarm

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Query is one entry of a metric-math alarm's Metrics list (CloudWatch
// MetricDataQuery), as far as evaluation needs it: a metric, whose
// datapoints the caller supplies (MetricStat), or an Expression over other
// entries.
type Query struct {
	ID         string
	Expression string // empty for a metric
	ReturnData bool   // exactly one entry of an alarm returns data
}

// Math is a compiled Metrics list: it computes the datapoint of the entry
// with ReturnData from the datapoints of the metric entries, one period at a
// time.
type Math struct {
	exprs   []Expr // by entry; zero for a metric
	order   []int  // expression entries, each after the entries it uses
	metrics []int
	ids     []string
	ret     int
}

// PutMetricAlarm's limits on a Metrics list (CloudWatch API reference,
// MetricDataQuery): up to 10 entries with a metric and 10 with an
// expression, Ids of at most 255 characters, expressions of at most 2048.
const (
	MaxMetrics       = 10
	MaxIDLen         = 255
	MaxExpressionLen = 2048
)

// MetricsError is an invalid entry of a Metrics list.
type MetricsError struct {
	Index int    // the entry, -1 for the list as a whole
	ID    string // the entry's Id, "" when Index is -1
	Field string // "Id", "ReturnData" or "Expression"; "" for the list
	Err   error  // what is wrong; an *ExprError for a bad expression
}

// Error returns "Metrics[i] (id): message", or "Metrics: message".
func (e *MetricsError) Error() string {
	switch {
	case e.Index < 0:
		return "Metrics: " + e.Err.Error()
	case e.ID == "" || e.Field == "Id":
		return fmt.Sprintf("Metrics[%d]: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("Metrics[%d] (%s): %v", e.Index, clip(e.ID), e.Err)
}

// Unwrap returns the underlying error.
func (e *MetricsError) Unwrap() error { return e.Err }

// CompileMetrics compiles a Metrics list. Ids must be valid and unique,
// exactly one entry must have ReturnData (as PutMetricAlarm requires),
// expressions may use any other entry, metric or expression (chains such as
// ratio = errors/invocations, pct = 100*ratio), and must not form a cycle.
// Errors are *MetricsError values naming the entry:
// `Metrics[1] (rate): column 5: ...`.
func CompileMetrics(qs []Query) (Math, error) {
	fail := func(i int, field, format string, a ...any) (Math, error) {
		id := ""
		if i >= 0 {
			id = qs[i].ID
		}
		return Math{}, &MetricsError{Index: i, ID: id, Field: field, Err: fmt.Errorf(format, a...)}
	}
	ids := make([]string, len(qs))
	ret := -1
	metrics, exprs := 0, 0
	for i, q := range qs {
		if len(q.ID) > MaxIDLen {
			return fail(i, "Id", "Id of %d characters: at most %d", len(q.ID), MaxIDLen)
		}
		if len(q.Expression) > MaxExpressionLen {
			return fail(i, "Expression", "expression of %d characters: at most %d", len(q.Expression), MaxExpressionLen)
		}
		if q.Expression == "" {
			metrics++
		} else {
			exprs++
		}
		if !validID(q.ID) {
			return fail(i, "Id", "Id %q must start with a lower-case letter and contain only letters, digits and _", clip(q.ID))
		}
		if j := slices.Index(ids[:i], q.ID); j >= 0 {
			return fail(i, "Id", "Id %q already used by Metrics[%d]", clip(q.ID), j)
		}
		ids[i] = q.ID
		if q.ReturnData {
			if ret >= 0 {
				return fail(i, "ReturnData", "ReturnData is already set on Metrics[%d] (%s); an alarm returns exactly one", ret, clip(qs[ret].ID))
			}
			ret = i
		}
	}
	if metrics > MaxMetrics || exprs > MaxMetrics {
		return fail(-1, "", "%d metrics and %d expressions: an alarm's Metrics can hold as many as %d of each (PutMetricAlarm)", metrics, exprs, MaxMetrics)
	}
	if ret < 0 {
		return fail(-1, "", "no entry has ReturnData; an alarm returns exactly one")
	}
	m := Math{exprs: make([]Expr, len(qs)), ids: ids, ret: ret}
	for i, q := range qs {
		if q.Expression == "" {
			m.metrics = append(m.metrics, i)
			continue
		}
		e, err := CompileExpr(q.Expression, ids)
		if err != nil {
			return Math{}, &MetricsError{Index: i, ID: q.ID, Field: "Expression", Err: err}
		}
		if slices.Contains(e.refs, i) {
			return fail(i, "Expression", "the expression uses its own Id")
		}
		m.exprs[i] = e
	}
	// Depth-first topological order; state 1 = on the path, 2 = done.
	state := make([]uint8, len(qs))
	var visit func(i int, path []int) error
	visit = func(i int, path []int) error {
		switch state[i] {
		case 1:
			cycle := ""
			for _, j := range append(path[slices.Index(path, i):], i) {
				if cycle != "" {
					cycle += " -> "
				}
				cycle += clip(qs[j].ID)
			}
			return &MetricsError{Index: i, ID: qs[i].ID, Field: "Expression", Err: fmt.Errorf("expressions form a cycle: %s", cycle)}
		case 2:
			return nil
		}
		state[i] = 1
		for _, j := range m.exprs[i].refs {
			if qs[j].Expression != "" {
				if err := visit(j, append(path, i)); err != nil {
					return err
				}
			}
		}
		state[i] = 2
		m.order = append(m.order, i)
		return nil
	}
	for i, q := range qs {
		if q.Expression != "" {
			if err := visit(i, nil); err != nil {
				return Math{}, err
			}
		}
	}
	return m, nil
}

// Len returns the number of entries of the list, the length Eval's values
// need.
func (m Math) Len() int { return len(m.exprs) }

// Input returns the index in the list of its k-th metric entry (0-based, in
// list order), where the caller puts that metric's datapoint.
func (m Math) Input(k int) int { return m.metrics[k] }

// Returned returns the index of the entry with ReturnData.
func (m Math) Returned() int { return m.ret }

// String returns the returned entry's expression in canonical form, with
// the expressions it uses written as "id = expression; ..." before it, or the
// returned metric's Id.
func (m Math) String() string {
	if m.exprs == nil {
		return ""
	}
	var parts []string
	for _, i := range m.order {
		if i != m.ret {
			parts = append(parts, m.ids[i]+" = "+m.exprs[i].String())
		}
	}
	if m.exprs[m.ret].prog == nil {
		parts = append(parts, m.ids[m.ret])
	} else {
		parts = append(parts, m.exprs[m.ret].String())
	}
	return strings.Join(parts, "; ")
}

// Metrics returns the indices of the metric entries, whose datapoints the
// caller puts in Eval's values.
func (m Math) Metrics() []int { return slices.Clone(m.metrics) }

// Eval computes the returned datapoint of one period. values is indexed like
// the Metrics list: the caller fills the metric entries (NaN when missing)
// and Eval overwrites the expression entries with their results. NaN means
// no datapoint. Eval does not allocate.
func (m Math) Eval(values []float64) float64 {
	if m.exprs == nil || len(values) < len(m.exprs) {
		return math.NaN()
	}
	for _, i := range m.order {
		values[i] = m.exprs[i].Eval(values)
	}
	return values[m.ret]
}
