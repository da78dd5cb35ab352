package alarm

import (
	"fmt"
	"math"
	"slices"
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
	ret     int
}

// CompileMetrics compiles a Metrics list. Ids must be valid and unique,
// exactly one entry must have ReturnData (as PutMetricAlarm requires),
// expressions may use any other entry, metric or expression, and must not
// form a cycle. Errors name the entry: `Metrics[1] (rate): column 5: ...`.
func CompileMetrics(qs []Query) (Math, error) {
	ids := make([]string, len(qs))
	ret := -1
	for i, q := range qs {
		if !validID(q.ID) {
			return Math{}, fmt.Errorf("Metrics[%d]: Id %q must start with a lower-case letter and contain only letters, digits and _", i, q.ID)
		}
		if j := slices.Index(ids[:i], q.ID); j >= 0 {
			return Math{}, fmt.Errorf("Metrics[%d]: Id %q already used by Metrics[%d]", i, q.ID, j)
		}
		ids[i] = q.ID
		if q.ReturnData {
			if ret >= 0 {
				return Math{}, fmt.Errorf("Metrics[%d] (%s): ReturnData is already set on Metrics[%d] (%s); an alarm returns exactly one", i, q.ID, ret, qs[ret].ID)
			}
			ret = i
		}
	}
	if ret < 0 {
		return Math{}, fmt.Errorf("Metrics: no entry has ReturnData; an alarm returns exactly one")
	}
	m := Math{exprs: make([]Expr, len(qs)), ret: ret}
	for i, q := range qs {
		if q.Expression == "" {
			m.metrics = append(m.metrics, i)
			continue
		}
		e, err := CompileExpr(q.Expression, ids)
		if err != nil {
			return Math{}, fmt.Errorf("Metrics[%d] (%s): %w", i, q.ID, err)
		}
		if slices.Contains(e.refs, i) {
			return Math{}, fmt.Errorf("Metrics[%d] (%s): the expression uses its own Id", i, q.ID)
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
				cycle += qs[j].ID
			}
			return fmt.Errorf("Metrics: expressions form a cycle: %s", cycle)
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
