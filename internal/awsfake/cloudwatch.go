package awsfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Alarm states (CloudWatch StateValue).
const (
	OK               = "OK"
	ALARM            = "ALARM"
	InsufficientData = "INSUFFICIENT_DATA"
)

type alarmChange struct {
	at    time.Time
	state string
}

type fakeAlarm struct {
	name    string
	initial string
	changes []alarmChange // sorted by time
	def     *MetricAlarm  // nil: an Errors alarm with no more said
}

// MetricAlarm is a metric alarm's definition, as DescribeAlarms returns
// it (AddMetricAlarm).
type MetricAlarm struct {
	Name, Namespace, MetricName, Statistic       string
	Dimensions                                   map[string]string
	Period, EvaluationPeriods, DatapointsToAlarm int
	Threshold                                    float64
	ComparisonOperator, TreatMissingData         string
}

// stateAt is the alarm's state at t and when it last changed.
func (a *fakeAlarm) stateAt(t time.Time) (string, time.Time) {
	st, since := a.initial, time.Time{}
	for _, c := range a.changes {
		if c.at.After(t) {
			break
		}
		st, since = c.state, c.at
	}
	return st, since
}

type series struct {
	namespace, metric string
	dims              []dimension // sorted by name
	points            []point     // in insertion order
}

type dimension struct{ Name, Value string }

type point struct {
	at time.Time
	v  float64
}

type cloudwatchState struct {
	alarms map[string]*fakeAlarm
	series map[string]*series
	// PageSize limits the datapoints in one GetMetricData answer.
	pageSize int
}

func (c *cloudwatchState) init() {
	c.alarms = map[string]*fakeAlarm{}
	c.series = map[string]*series{}
	c.pageSize = 100800 // GetMetricData's documented maximum per call
}

// AddAlarm creates a metric alarm in state (OK, ALARM or INSUFFICIENT_DATA).
func (s *Server) AddAlarm(name, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.alarms[name] = &fakeAlarm{name: name, initial: state}
}

// AddMetricAlarm creates a metric alarm with its definition, in state.
func (s *Server) AddMetricAlarm(a MetricAlarm, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.alarms[a.Name] = &fakeAlarm{name: a.Name, initial: state, def: &a}
}

// SetAlarmAt schedules the alarm to enter state at time at (on the fake
// clock); a past time changes it from then on.
func (s *Server) SetAlarmAt(name string, at time.Time, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.cloudwatch.alarms[name]
	if a == nil {
		panic("awsfake: SetAlarmAt on unknown alarm " + name)
	}
	a.changes = append(a.changes, alarmChange{at: at, state: state})
	sort.SliceStable(a.changes, func(i, j int) bool { return a.changes[i].at.Before(a.changes[j].at) })
}

// SetMetricPageSize limits the datapoints GetMetricData returns per call,
// to exercise NextToken.
func (s *Server) SetMetricPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.pageSize = n
}

// PutMetric stores datapoints (raw samples) of a metric at time at.
func (s *Server) PutMetric(namespace, metric string, dims map[string]string, at time.Time, values ...float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ds []dimension
	for k, v := range dims {
		ds = append(ds, dimension{k, v})
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	key := seriesKey(namespace, metric, ds)
	sr := s.cloudwatch.series[key]
	if sr == nil {
		sr = &series{namespace: namespace, metric: metric, dims: ds}
		s.cloudwatch.series[key] = sr
	}
	for _, v := range values {
		sr.points = append(sr.points, point{at, v})
	}
}

func seriesKey(namespace, metric string, dims []dimension) string {
	var b strings.Builder
	b.WriteString(namespace + "|" + metric)
	for _, d := range dims {
		b.WriteString("|" + d.Name + "=" + d.Value)
	}
	return b.String()
}

// cwInput decodes a CBOR request body into v through JSON, so that input
// structs are plain JSON-tagged Go.
func cwInput(req *request, v any) error {
	g, err := decodeCBOR(req.body)
	if err != nil {
		return err
	}
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (s *Server) handleCloudWatch(req *request) response {
	switch req.op {
	case "DescribeAlarms":
		return s.describeAlarms(req)
	case "GetMetricData":
		return s.getMetricData(req)
	case "ListMetrics":
		return s.listMetrics(req)
	}
	return apiErr(http.StatusBadRequest, "InvalidAction", "unsupported operation %s", req.op)
}

func (s *Server) describeAlarms(req *request) response {
	var in struct {
		AlarmNames      []string
		AlarmNamePrefix string
		AlarmTypes      []string
		MaxRecords      int
		NextToken       string
	}
	if err := cwInput(req, &in); err != nil {
		return apiErr(http.StatusBadRequest, "InvalidParameterValue", "%v", err)
	}
	if len(in.AlarmNames) > 100 {
		return apiErr(http.StatusBadRequest, "InvalidParameterValue", "AlarmNames: at most 100")
	}
	now := s.Clock.Now()
	var names []string
	if len(in.AlarmNames) > 0 {
		names = in.AlarmNames
	} else {
		for n := range s.cloudwatch.alarms {
			if strings.HasPrefix(n, in.AlarmNamePrefix) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	list := []any{}
	for _, n := range names {
		a := s.cloudwatch.alarms[n]
		if a == nil {
			continue // DescribeAlarms leaves out names it does not know
		}
		st, since := a.stateAt(now)
		if since.IsZero() {
			since = Epoch
		}
		m := map[string]any{
			"AlarmName":             a.name,
			"AlarmArn":              fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", Region, Account, a.name),
			"StateValue":            st,
			"StateReason":           "set by the test",
			"StateUpdatedTimestamp": since,
			"ActionsEnabled":        true,
			"Namespace":             "AWS/Lambda",
			"MetricName":            "Errors",
		}
		if d := a.def; d != nil {
			dims := []any{}
			keys := make([]string, 0, len(d.Dimensions))
			for k := range d.Dimensions {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				dims = append(dims, map[string]string{"Name": k, "Value": d.Dimensions[k]})
			}
			m["Namespace"], m["MetricName"], m["Statistic"], m["Dimensions"] = d.Namespace, d.MetricName, d.Statistic, dims
			m["Period"], m["EvaluationPeriods"], m["Threshold"], m["ComparisonOperator"] = d.Period, d.EvaluationPeriods, d.Threshold, d.ComparisonOperator
			if d.DatapointsToAlarm > 0 {
				m["DatapointsToAlarm"] = d.DatapointsToAlarm
			}
			if d.TreatMissingData != "" {
				m["TreatMissingData"] = d.TreatMissingData
			}
		}
		list = append(list, m)
	}
	return ok(map[string]any{"MetricAlarms": list, "CompositeAlarms": []any{}})
}

type metricDataQuery struct {
	Id         string
	Label      string
	Expression string
	ReturnData *bool
	MetricStat *struct {
		Metric struct {
			Namespace  string
			MetricName string
			Dimensions []dimension
		}
		Period int
		Stat   string
	}
}

func (s *Server) getMetricData(req *request) response {
	var in struct {
		MetricDataQueries []metricDataQuery
		StartTime         float64
		EndTime           float64
		ScanBy            string
		NextToken         string
		MaxDatapoints     int
	}
	if err := cwInput(req, &in); err != nil {
		return apiErr(http.StatusBadRequest, "InvalidParameterValue", "%v", err)
	}
	if len(in.MetricDataQueries) == 0 || len(in.MetricDataQueries) > 500 {
		return apiErr(http.StatusBadRequest, "InvalidParameterValue", "MetricDataQueries: 1 to 500 queries")
	}
	start, end := epoch(in.StartTime), epoch(in.EndTime)
	if !end.After(start) {
		return apiErr(http.StatusBadRequest, "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.")
	}
	type result struct {
		id, label string
		ts        []time.Time
		vs        []float64
	}
	var results []result
	for _, q := range in.MetricDataQueries {
		if q.MetricStat == nil {
			return apiErr(http.StatusBadRequest, "InvalidParameterValue", "query %s: only MetricStat queries are supported by the fake", q.Id)
		}
		ms := q.MetricStat
		if ms.Period <= 0 || (ms.Period%60 != 0 && ms.Period != 1 && ms.Period != 5 && ms.Period != 10 && ms.Period != 30) {
			return apiErr(http.StatusBadRequest, "InvalidParameterValue", "query %s: Period %d is not valid", q.Id, ms.Period)
		}
		dims := append([]dimension(nil), ms.Metric.Dimensions...)
		sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
		sr := s.cloudwatch.series[seriesKey(ms.Metric.Namespace, ms.Metric.MetricName, dims)]
		label := q.Label
		if label == "" {
			label = ms.Metric.MetricName
		}
		r := result{id: q.Id, label: label}
		if sr != nil {
			r.ts, r.vs = aggregate(sr.points, start, end, time.Duration(ms.Period)*time.Second, ms.Stat)
		}
		if in.ScanBy != "TimestampAscending" { // the API's default is TimestampDescending
			slices.Reverse(r.ts)
			slices.Reverse(r.vs)
		}
		results = append(results, r)
	}
	offset := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil {
			return apiErr(http.StatusBadRequest, "InvalidNextToken", "bad NextToken")
		}
		offset = n
	}
	size := s.cloudwatch.pageSize
	if in.MaxDatapoints > 0 && in.MaxDatapoints < size {
		size = in.MaxDatapoints
	}
	out := []any{}
	pos, more := 0, false
	for _, r := range results {
		lo := min(max(offset-pos, 0), len(r.ts))
		hi := min(max(offset+size-pos, 0), len(r.ts))
		status := "Complete"
		if hi < len(r.ts) {
			status, more = "PartialData", true
		}
		out = append(out, map[string]any{
			"Id": r.id, "Label": r.label, "Timestamps": r.ts[lo:hi], "Values": r.vs[lo:hi], "StatusCode": status,
		})
		pos += len(r.ts)
	}
	resp := map[string]any{"MetricDataResults": out, "Messages": []any{}}
	if more {
		resp["NextToken"] = strconv.Itoa(offset + size)
	}
	return ok(resp)
}

func epoch(sec float64) time.Time {
	return time.UnixMilli(int64(math.Round(sec * 1000))).UTC()
}

// aggregate buckets points in [start, end) into periods aligned to the
// epoch and computes stat for each non-empty bucket, oldest first.
func aggregate(points []point, start, end time.Time, period time.Duration, stat string) ([]time.Time, []float64) {
	buckets := map[time.Time][]float64{}
	for _, p := range points {
		if p.at.Before(start) || !p.at.Before(end) {
			continue
		}
		b := p.at.Truncate(period)
		buckets[b] = append(buckets[b], p.v)
	}
	var ts []time.Time
	for t := range buckets {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	vs := make([]float64, len(ts))
	for i, t := range ts {
		vs[i] = statOf(buckets[t], stat)
	}
	return ts, vs
}

func statOf(xs []float64, stat string) float64 {
	switch stat {
	case "Sum":
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s
	case "Average":
		return statOf(xs, "Sum") / float64(len(xs))
	case "Minimum":
		return slices.Min(xs)
	case "Maximum":
		return slices.Max(xs)
	case "SampleCount":
		return float64(len(xs))
	}
	if p, ok := strings.CutPrefix(stat, "p"); ok {
		q, err := strconv.ParseFloat(p, 64)
		if err == nil {
			s := slices.Clone(xs)
			slices.Sort(s)
			k := int(math.Ceil(q/100*float64(len(s)))) - 1 // nearest rank
			return s[min(max(k, 0), len(s)-1)]
		}
	}
	return math.NaN()
}

func (s *Server) listMetrics(req *request) response {
	var in struct {
		Namespace  string
		MetricName string
		Dimensions []struct {
			Name  string
			Value *string
		}
	}
	if err := cwInput(req, &in); err != nil {
		return apiErr(http.StatusBadRequest, "InvalidParameterValue", "%v", err)
	}
	keys := make([]string, 0, len(s.cloudwatch.series))
	for k := range s.cloudwatch.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	list := []any{}
next:
	for _, k := range keys {
		sr := s.cloudwatch.series[k]
		if (in.Namespace != "" && sr.namespace != in.Namespace) || (in.MetricName != "" && sr.metric != in.MetricName) {
			continue
		}
		for _, f := range in.Dimensions {
			found := false
			for _, d := range sr.dims {
				if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		dims := []any{}
		for _, d := range sr.dims {
			dims = append(dims, map[string]any{"Name": d.Name, "Value": d.Value})
		}
		list = append(list, map[string]any{"Namespace": sr.namespace, "MetricName": sr.metric, "Dimensions": dims})
	}
	return ok(map[string]any{"Metrics": list})
}

// firstAlarmLocked returns the earliest instant in [from, to] at which one
// of names is in ALARM, and that alarm's name.
func (s *Server) firstAlarmLocked(names []string, from, to time.Time) (time.Time, string, bool) {
	var best time.Time
	bestName, found := "", false
	for _, n := range names {
		a := s.cloudwatch.alarms[n]
		if a == nil {
			continue
		}
		var at time.Time
		hit := false
		if st, _ := a.stateAt(from); st == ALARM {
			at, hit = from, true
		} else {
			for _, c := range a.changes {
				if c.at.After(from) && !c.at.After(to) && c.state == ALARM {
					at, hit = c.at, true
					break
				}
			}
		}
		if hit && (!found || at.Before(best)) {
			best, bestName, found = at, n, true
		}
	}
	return best, bestName, found
}
