package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/sim"
)

// alarm compiles one CloudWatch alarm object.
func (c *converter) alarm(path string, a *Alarm, s *Scenario) (out sim.Alarm) {
	out = sim.Alarm{Name: a.AlarmName, Initial: alarm.InsufficientData}
	defer func() {
		// CloudWatch bounds the evaluation window (docs/cloudwatch.md).
		if sec := int(out.Period / time.Second); sec > 0 {
			if err := alarm.ValidateWindow(sec, out.Rule.EvaluationPeriods); err != nil {
				c.fail(path+".EvaluationPeriods", "%v", err)
			}
		}
	}()
	if a.AlarmName == "" {
		c.fail(path+".AlarmName", "missing: every alarm needs a name (CodeDeploy refers to alarms by name)")
	}
	if a.StateValue != "" {
		st, err := alarm.ParseState(a.StateValue)
		if err != nil {
			c.fail(path+".StateValue", "%v", err)
		} else {
			c.exact(path+".StateValue", a.StateValue, st.String())
		}
		out.Initial = st
	}
	// The rule.
	if a.EvaluationPeriods == nil {
		c.fail(path+".EvaluationPeriods", "missing: how many periods the alarm looks at, e.g. 3")
		return out
	}
	out.Rule.EvaluationPeriods = *a.EvaluationPeriods
	out.Rule.DatapointsToAlarm = *a.EvaluationPeriods
	if a.DatapointsToAlarm != nil {
		out.Rule.DatapointsToAlarm = *a.DatapointsToAlarm
		if *a.DatapointsToAlarm < 1 {
			c.fail(path+".DatapointsToAlarm", "%d: must be at least 1 (PutMetricAlarm); leave it out to mean EvaluationPeriods", *a.DatapointsToAlarm)
		}
	}
	if a.EvaluationRange != nil {
		out.Rule.EvaluationRange = *a.EvaluationRange
		// shiftsim's bound: AWS retrieves "a higher number of data points
		// than" N, 5 for 3 in its one example; the default rule gives
		// N + max(N/3, 2) <= 2N + 2.
		if n := *a.EvaluationPeriods; n >= 1 && *a.EvaluationRange > 2*n+2 {
			c.fail(path+".evaluation_range", "%d: at most 2 × EvaluationPeriods + 2 = %d (the default for %d is %d)", *a.EvaluationRange, 2*n+2, n, alarm.DefaultRange(n))
		}
	}
	if a.Threshold == nil {
		c.fail(path+".Threshold", "missing: the value the statistic is compared with")
	} else {
		out.Rule.Threshold = *a.Threshold
	}
	var err error
	if a.ComparisonOperator == "" {
		c.fail(path+".ComparisonOperator", "missing: e.g. GreaterThanOrEqualToThreshold")
	} else if out.Rule.Comparison, err = alarm.ParseComparison(a.ComparisonOperator); err != nil {
		c.fail(path+".ComparisonOperator", "%v", err)
	} else {
		c.exact(path+".ComparisonOperator", a.ComparisonOperator, out.Rule.Comparison.String())
	}
	if out.Rule.TreatMissing, err = alarm.ParseTreatMissing(a.TreatMissingData); err != nil {
		c.fail(path+".TreatMissingData", "%v", err)
	} else if a.TreatMissingData != "" {
		c.exact(path+".TreatMissingData", a.TreatMissingData, out.Rule.TreatMissing.String())
	}
	if out.LowSample, err = alarm.ParseLowSample(a.EvaluateLowSampleCountPercentile); err != nil {
		c.fail(path+".EvaluateLowSampleCountPercentile", "%v", err)
	}
	if err := out.Rule.Validate(); err != nil {
		field := ".EvaluationPeriods"
		if a.DatapointsToAlarm != nil && *a.DatapointsToAlarm > *a.EvaluationPeriods {
			field = ".DatapointsToAlarm"
		} else if a.EvaluationRange != nil {
			field = ".evaluation_range"
		}
		c.fail(path+field, "%v", err)
	}

	// The metric: one metric, or metric math.
	if len(a.Metrics) > 0 {
		if a.MetricName != "" || a.Namespace != "" || a.Statistic != "" || a.ExtendedStatistic != "" || a.Period != nil || len(a.Dimensions) > 0 {
			c.fail(path+".Metrics", "an alarm has either Metrics (metric math) or MetricName/Namespace/Statistic/Period/Dimensions, not both (CloudWatch PutMetricAlarm)")
			return out
		}
		c.mathAlarm(path, a, s, &out)
		c.lowSampleApplies(path, a, s, &out)
		return out
	}
	if a.MetricName == "" {
		c.fail(path+".MetricName", "missing: a Lambda metric such as Errors, or a Metrics list for metric math")
		return out
	}
	if a.Period == nil {
		c.fail(path+".Period", "missing: the period in seconds, e.g. 60")
		return out
	}
	out.Period = c.period(path+".Period", *a.Period)
	q := c.query(path, a.Namespace, a.MetricName, a.Dimensions, s)
	q.Stat, err = alarm.ParseStat(a.Statistic, a.ExtendedStatistic)
	if err != nil {
		c.fail(path+".Statistic", "%v", err)
	}
	out.Queries = []sim.Query{q}
	c.lowSampleApplies(path, a, s, &out)
	return out
}

// lowSampleApplies warns when EvaluateLowSampleCountPercentile is given to
// an alarm it does nothing for: AWS uses it "only for alarms based on
// percentiles" (PutMetricAlarm API reference); shiftsim applies it to an
// alarm on one percentile metric (docs/cloudwatch.md).
func (c *converter) lowSampleApplies(path string, a *Alarm, s *Scenario, out *sim.Alarm) {
	if a.EvaluateLowSampleCountPercentile == "" {
		return
	}
	if out.Math != nil || len(out.Queries) != 1 || out.Queries[0].Stat.Kind != alarm.Percentile {
		p := path + ".EvaluateLowSampleCountPercentile"
		s.warn(c.pos.Line(p), p, "has no effect: it applies only to an alarm on one metric with a percentile ExtendedStatistic such as p99")
		out.LowSample = alarm.EvaluateLowSample
	}
}

// exact insists on AWS's spelling: CloudWatch's enumerations are
// case-sensitive, so a value that only the lenient parser accepts would be
// rejected by PutMetricAlarm.
func (c *converter) exact(path, given, canonical string) {
	if given != canonical {
		c.fail(path, "%q: AWS spells it %s (values are case-sensitive)", given, canonical)
	}
}

// period checks an alarm period on one of Lambda's metrics, which have
// standard (one-minute) resolution (docs/cloudwatch.md).
func (c *converter) period(path string, p int) time.Duration {
	if err := alarm.ValidatePeriod(p, false); err != nil {
		var fe *alarm.FieldError
		if errors.As(err, &fe) {
			c.fail(path, "%s: %s", fe.Value, fe.Reason)
		} else {
			c.fail(path, "%v", err)
		}
		return time.Minute
	}
	return time.Duration(p) * time.Second
}

// query resolves a metric and its dimensions to the versions it covers.
func (c *converter) query(path, namespace, name string, dims []Dimension, s *Scenario) sim.Query {
	var q sim.Query
	if namespace != "" && namespace != "AWS/Lambda" {
		c.fail(path+".Namespace", "%q: shiftsim models Lambda's own metrics, namespace AWS/Lambda", namespace)
	}
	m, err := sim.ParseMetric(name)
	if err != nil {
		c.fail(path+".MetricName", "%v", err)
	}
	q.Metric = m
	q.Versions = c.dimensions(path+".Dimensions", dims, s)
	return q
}

// lambdaDimensionSets are the dimension sets under which Lambda publishes a
// function's metrics, smallest first; each holds the one before it. A
// CloudWatch metric is its namespace, name and exact dimension set, so an
// alarm on any other set (say {Resource, ExecutedVersion}) reads a metric
// that was never published and gets no data. See docs/cloudwatch.md.
var lambdaDimensionSets = [][]string{
	{},
	{"FunctionName"},
	{"FunctionName", "Resource"},
	{"FunctionName", "Resource", "ExecutedVersion"},
}

// dimensions maps an alarm metric's dimensions to the versions whose
// invocations the series aggregates (docs/cloudwatch.md). All traffic flows
// through the alias, so Lambda publishes it under {}, {FunctionName},
// {FunctionName, Resource: fn:alias} (both versions) and {FunctionName,
// Resource: fn:alias, ExecutedVersion: v} (version v only). Any other set,
// or a value naming another function, alias or version, gets no data,
// exactly as in AWS — the classic reason a deployment alarm never fires
// (SAM issue 518) — so it is a warning that names the nearest published
// set, and no error: PutMetricAlarm accepts such an alarm.
func (c *converter) dimensions(path string, dims []Dimension, s *Scenario) uint8 {
	const both = 1<<sim.Current | 1<<sim.Target
	fn, alias := s.Function.Name, s.Function.Alias
	names := make([]string, 0, len(dims))
	for i, d := range dims {
		p := fmt.Sprintf("%s[%d]", path, i)
		if d.Name == "" {
			c.fail(p+".Name", "missing: a dimension needs a Name and a Value")
			return 0
		}
		if slices.Contains(names, d.Name) {
			c.fail(p+".Name", "dimension %s given twice", d.Name)
			return 0
		}
		names = append(names, d.Name)
	}
	published := false
	for _, set := range lambdaDimensionSets {
		if len(set) == len(names) && !slices.ContainsFunc(names, func(n string) bool { return !slices.Contains(set, n) }) {
			published = true
		}
	}
	if !published {
		s.warn(c.pos.Line(path), path, "dimension set %s is not one Lambda publishes, so this alarm gets no data and TreatMissingData decides its state; nearest published set: %s",
			dimensionSetText(dims), nearestDimensionSet(dims, s))
		return 0
	}
	mask := uint8(both)
	for i, d := range dims {
		p := fmt.Sprintf("%s[%d].Value", path, i)
		switch d.Name {
		case "FunctionName":
			if d.Value != fn {
				s.warn(c.pos.Line(p), p, "dimension FunctionName %q is not the scenario's function %q: this alarm will never get data", d.Value, fn)
				mask = 0
			}
		case "Resource":
			if d.Value != fn+":"+alias {
				s.warn(c.pos.Line(p), p, "dimension Resource %q: invocations through alias %s are published under Resource %s:%s only, so this alarm will never get data", d.Value, alias, fn, alias)
				mask = 0
			}
		case "ExecutedVersion":
			switch d.Value {
			case s.Model.Versions[sim.Current].Name:
				mask &= 1 << sim.Current
			case s.Model.Versions[sim.Target].Name:
				mask &= 1 << sim.Target
			default:
				s.warn(c.pos.Line(p), p, "dimension ExecutedVersion %q is neither version %s nor %s: this alarm will never get data", d.Value, s.Model.Versions[0].Name, s.Model.Versions[1].Name)
				mask = 0
			}
		}
	}
	return mask
}

// dimensionSetText renders dimensions as {Name: value, ...} in the order given.
func dimensionSetText(dims []Dimension) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.Name + ": " + strconv.Quote(d.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// nearestDimensionSet is the smallest published set that holds every
// dimension given (a set that drops one of them would widen what the user
// meant to watch), filled with this scenario's values and keeping the
// values given where they are the right ones.
func nearestDimensionSet(dims []Dimension, s *Scenario) string {
	want := lambdaDimensionSets[len(lambdaDimensionSets)-1]
	for _, set := range lambdaDimensionSets {
		if !slices.ContainsFunc(dims, func(d Dimension) bool { return !slices.Contains(set, canonicalDimension(d.Name)) }) {
			want = set
			break
		}
	}
	version := s.Model.Versions[sim.Target].Name
	for _, d := range dims {
		if canonicalDimension(d.Name) == "ExecutedVersion" && d.Value == s.Model.Versions[sim.Current].Name {
			version = d.Value
		}
	}
	values := map[string]string{
		"FunctionName":    s.Function.Name,
		"Resource":        s.Function.Name + ":" + s.Function.Alias,
		"ExecutedVersion": version,
	}
	out := make([]Dimension, len(want))
	for i, n := range want {
		out[i] = Dimension{Name: n, Value: values[n]}
	}
	return dimensionSetText(out)
}

// canonicalDimension maps a dimension name written in the wrong case to
// Lambda's spelling, so that "functionName" suggests FunctionName.
func canonicalDimension(name string) string {
	for _, n := range lambdaDimensionSets[len(lambdaDimensionSets)-1] {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return name
}

// mathAlarm compiles an alarm on a metric-math Metrics list with alarm's
// compiler, the one the engine evaluates with: expressions may use metrics
// and other expressions (ratio = errors/invocations, pct = 100*ratio).
func (c *converter) mathAlarm(path string, a *Alarm, s *Scenario, out *sim.Alarm) {
	var period time.Duration
	explicit := false
	for _, m := range a.Metrics {
		if m.ReturnData != nil {
			explicit = true
		}
	}
	qs := make([]alarm.Query, len(a.Metrics))
	for i := range a.Metrics {
		m := &a.Metrics[i]
		p := fmt.Sprintf("%s.Metrics[%d]", path, i)
		if m.Id == "" {
			c.fail(p+".Id", "missing: each entry needs an Id (lower-case first letter)")
			return
		}
		qs[i] = alarm.Query{ID: m.Id, Expression: m.Expression, ReturnData: m.ReturnData != nil && *m.ReturnData}
		switch {
		case m.MetricStat != nil && m.Expression != "":
			c.fail(p, "an entry has MetricStat or Expression, not both")
			return
		case m.MetricStat != nil:
			ms := m.MetricStat
			q := c.query(p+".MetricStat.Metric", ms.Metric.Namespace, ms.Metric.MetricName, ms.Metric.Dimensions, s)
			var err error
			if q.Stat, err = alarm.ParseStat(ms.Stat, ""); err != nil {
				if q.Stat, err = alarm.ParseStat("", ms.Stat); err != nil {
					c.fail(p+".MetricStat.Stat", "%v", err)
				}
			}
			if ms.Period == nil {
				c.fail(p+".MetricStat.Period", "missing: the period in seconds, e.g. 60")
				return
			}
			pd := c.period(p+".MetricStat.Period", *ms.Period)
			if period != 0 && pd != period {
				c.fail(p+".MetricStat.Period", "%v differs from %v: every metric of a math alarm must use the same period", pd, period)
			}
			period = pd
			out.Queries = append(out.Queries, q)
		case m.Expression != "":
		default:
			c.fail(p, "needs MetricStat or Expression")
			return
		}
	}
	if !explicit {
		// Without any ReturnData, the one expression no other expression
		// uses is the alarm's: a lenient reading of a list PutMetricAlarm
		// would want marked.
		if r := c.implicitReturn(path, a); r >= 0 {
			qs[r].ReturnData = true
		} else {
			return
		}
	}
	mm, err := alarm.CompileMetrics(qs)
	if err != nil {
		var me *alarm.MetricsError
		if errors.As(err, &me) && me.Index >= 0 {
			c.fail(fmt.Sprintf("%s.Metrics[%d].%s", path, me.Index, me.Field), "%v", me.Err)
		} else {
			c.fail(path+".Metrics", "%v", err)
		}
		return
	}
	ret := mm.Returned()
	if qs[ret].Expression == "" {
		// The alarm watches a plain metric of the list.
		k := 0
		for i := 0; i < ret; i++ {
			if qs[i].Expression == "" {
				k++
			}
		}
		out.Queries = []sim.Query{out.Queries[k]}
		out.Period = period
		return
	}
	out.Period = period
	p := fmt.Sprintf("%s.Metrics[%d]", path, ret)
	if m := &a.Metrics[ret]; m.Period != nil {
		out.Period = c.period(p+".Period", *m.Period)
	}
	if out.Period == 0 {
		c.fail(p+".Period", "missing: a math alarm needs the period of its metrics")
		return
	}
	out.Math = &mm
}

// implicitReturn picks the entry an alarm without any ReturnData watches:
// the one expression that no other expression uses. It returns -1 after
// failing when there is none or more than one.
func (c *converter) implicitReturn(path string, a *Alarm) int {
	ids := make([]string, len(a.Metrics))
	for i, m := range a.Metrics {
		ids[i] = m.Id
	}
	used := make([]bool, len(a.Metrics))
	for _, m := range a.Metrics {
		if m.Expression == "" {
			continue
		}
		// A bad expression is reported by CompileMetrics; here it uses nothing.
		if e, err := alarm.CompileExpr(m.Expression, ids); err == nil {
			for _, r := range e.Refs() {
				used[r] = true
			}
		}
	}
	var sinks []int
	for i, m := range a.Metrics {
		if m.Expression != "" && !used[i] {
			sinks = append(sinks, i)
		}
	}
	switch len(sinks) {
	case 1:
		return sinks[0]
	case 0:
		c.fail(path+".Metrics", "no entry returns data: mark the expression the alarm watches with ReturnData: true")
	default:
		c.fail(fmt.Sprintf("%s.Metrics[%d].ReturnData", path, sinks[1]), "more than one expression could return data: mark the one the alarm watches with ReturnData: true and the others with ReturnData: false")
	}
	return -1
}
