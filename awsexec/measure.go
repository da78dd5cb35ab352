package awsexec

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

// A metric gate's measurement (docs/gates.md) is, for the alias executor,
// one CloudWatch GetMetricData call asking the same question the simulator
// answers from its own metric buckets: the alias's Lambda metrics for the
// gate's versions (the ExecutedVersion dimension) over the gate's window
// ending now, less the monitoring delay:
//
//   - the window holds the one-minute buckets that began at or after
//     StartTime = now − window (rounded down to the minute) and were
//     published by now, i.e. that ended by EndTime = now − metric delay
//     (rounded down to the minute) — exactly the simulator's sim.runner.query
//     over [now − window, now) with its delay;
//   - counts are read per minute (Period 60, statistic Sum) and added up, so
//     the answer does not depend on how CloudWatch aligns a longer period;
//     the error rate is 100·Errors/Invocations (the Average of Errors,
//     the simulator's reading) and the success rate 100 minus it;
//   - a latency statistic cannot be added up: it is one datapoint whose
//     Period is the whole window (EndTime − StartTime);
//   - a window without invocations (no Invocations datapoint, or a sum of 0)
//     has no datapoint: the measurement reports nodata, as the simulator's
//     does; an AWS error after the SDK's retries is the measurement's error
//     (Argo's Error phase).

// gateQuery is one gate's GetMetricData request at clock time now.
type gateQuery struct {
	g          gate.Gate
	start, end time.Time
	queries    []cwtypes.MetricDataQuery
}

// metricWindow is the span a measurement at now reads: the whole minutes
// from now − window to now − delay (rounded down to the minute).
func metricWindow(now time.Time, window, delay time.Duration) (start, end time.Time) {
	return now.Add(-window).Truncate(time.Minute), now.Add(-delay).Truncate(time.Minute)
}

// lookbackWindow is the span of the k-th window back (k = 0: metricWindow):
// the whole minutes from now − (k+1)·window to the earlier of now − k·window
// and now − delay, as the simulator reads an older window (its buckets
// published by now).
func lookbackWindow(now time.Time, window, delay time.Duration, k int) (start, end time.Time) {
	back := time.Duration(k) * window
	return now.Add(-back - window).Truncate(time.Minute), now.Add(-max(back, delay)).Truncate(time.Minute)
}

// gateMetricQuery builds the request for gate g of p at clock time now.
func (p Plan) gateMetricQuery(g gate.Gate, now time.Time) gateQuery {
	return p.gateMetricQueryBack(g, now, 0)
}

// gateMetricQueryBack builds the request for the k-th window back.
func (p Plan) gateMetricQueryBack(g gate.Gate, now time.Time, k int) gateQuery {
	q := g.Query
	start, end := lookbackWindow(now, q.EffectiveWindow(), p.MetricDelay, k)
	gq := gateQuery{g: g, start: start, end: end}
	var versions []string // ExecutedVersion values; none: the alias as a whole
	switch q.Version {
	case gate.Target:
		versions = []string{p.Target}
	case gate.Current:
		versions = []string{p.Current}
	}
	dims := func(v string) []cwtypes.Dimension {
		d := []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(p.Function)},
			{Name: aws.String("Resource"), Value: aws.String(p.Function + ":" + p.Alias)}}
		if v != "" {
			d = append(d, cwtypes.Dimension{Name: aws.String("ExecutedVersion"), Value: aws.String(v)})
		}
		return d
	}
	add := func(id, metric, stat string, period int32, version string) {
		gq.queries = append(gq.queries, cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(true),
			MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric), Dimensions: dims(version)},
				Period: aws.Int32(period), Stat: aws.String(stat)}})
	}
	if len(versions) == 0 {
		versions = []string{""}
	}
	for i, v := range versions {
		sfx := strconv.Itoa(i)
		switch q.Kind {
		case gate.Latency:
			add("duration"+sfx, "Duration", q.EffectiveStat(), int32(max(end.Sub(start), time.Minute)/time.Second), v)
		default:
			add("invocations"+sfx, "Invocations", "Sum", 60, v)
			if q.Kind != gate.Requests {
				add("errors"+sfx, "Errors", "Sum", 60, v)
			}
		}
	}
	return gq
}

// call is the request in the canonical text form (the journal).
func (gq gateQuery) call() Call {
	return gq.callWith(gq.start.UTC().Format(time.RFC3339), gq.end.UTC().Format(time.RFC3339))
}

// callWith is the request with StartTime and EndTime given (the dry run's
// placeholders).
func (gq gateQuery) callWith(start, end any) Call {
	type stat struct {
		Id, MetricName, Stat string
		Period               int32
		Dimensions           map[string]string
	}
	var qs []stat
	for _, q := range gq.queries {
		d := map[string]string{}
		for _, x := range q.MetricStat.Metric.Dimensions {
			d[aws.ToString(x.Name)] = aws.ToString(x.Value)
		}
		qs = append(qs, stat{aws.ToString(q.Id), aws.ToString(q.MetricStat.Metric.MetricName), aws.ToString(q.MetricStat.Stat), aws.ToInt32(q.MetricStat.Period), d})
	}
	return call("GetMetricData", "MetricDataQueries", qs, "StartTime", start, "EndTime", end, "ScanBy", "TimestampAscending")
}

// measurement is what a GetMetricData call said about one gate.
type measurement struct {
	ev      deploy.Event
	sums    map[string]float64 // per query Id: the sum of its values (latency: its one value)
	text    string             // for the timeline: "52.58%", "no data", the error
	callErr error
}

// measureGate takes gate i's measurement of p at clock time now. A query
// with a Lookback (Flagger's built-in checks read the newest published
// datapoint among the last Lookback periods, as its CloudWatch provider
// does) asks window after window back until one has data, as the simulator
// does; the request that answered (or the last one asked) comes with it.
func measureGate(ctx context.Context, c Clients, p Plan, i int, g gate.Gate, now time.Time) (measurement, gateQuery) {
	for k := 0; ; k++ {
		gq := p.gateMetricQueryBack(g, now, k)
		m := measureWindow(ctx, c, gq, i, g)
		if !m.ev.NoData || k+1 >= g.Query.Lookback || ctx.Err() != nil {
			return m, gq
		}
	}
}

// measureWindow takes gate i's measurement over one request's window.
func measureWindow(ctx context.Context, c Clients, gq gateQuery, i int, g gate.Gate) measurement {
	m := measurement{ev: deploy.Event{Kind: deploy.Measurement, Gate: i}, sums: map[string]float64{}}
	if !gq.end.After(gq.start) { // the delay swallows the window: nothing published yet
		m.ev.NoData, m.text = true, "no data"
		return m
	}
	seen := map[string]int{}
	in := &cloudwatch.GetMetricDataInput{MetricDataQueries: gq.queries, StartTime: aws.Time(gq.start), EndTime: aws.Time(gq.end),
		ScanBy: cwtypes.ScanByTimestampAscending}
	pg := cloudwatch.NewGetMetricDataPaginator(c.CloudWatch, in)
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			m.callErr = wrapErr("GetMetricData", err)
			m.ev.Err, m.text = true, m.callErr.Error()
			return m
		}
		for _, r := range out.MetricDataResults {
			id := aws.ToString(r.Id)
			for _, v := range r.Values {
				m.sums[id] += v
				seen[id]++
			}
		}
	}
	var v float64
	ok := true
	switch k := g.Query.Kind; k {
	case gate.Latency:
		if seen["duration0"] != 1 {
			ok = false
		}
		v = m.sums["duration0"]
	default:
		inv, errs := 0.0, 0.0
		for id, s := range m.sums {
			switch id[:len(id)-1] {
			case "invocations":
				inv += s
			case "errors":
				errs += s
			}
		}
		ok = inv > 0
		switch k { // the simulator's arithmetic, to the last bit: the Average of Errors, then percent
		case gate.ErrorRate:
			v = errs / inv
			v *= 100
		case gate.SuccessRate:
			v = errs / inv
			v = 100 - 100*v
		case gate.Errors:
			v = errs
		case gate.Requests:
			v = inv
		}
	}
	if !ok || math.IsNaN(v) {
		m.ev.NoData, m.text = true, "no data"
		return m
	}
	m.ev.Value = v
	m.text = strconv.FormatFloat(v, 'g', 4, 64) + g.Query.Kind.Unit()
	return m
}

// gateText is a gate for the timeline: "error-rate (error_rate target 1m0s)".
func gateText(g gate.Gate) string { return fmt.Sprintf("%s (%s)", g.Name, g.Query) }

// passingValue is a value that gate i's metric judges Successful, for the
// dry run's "if all goes well" (the first of a few candidates that passes;
// false if none does).
// passingSide says which values pass gate i, in the plan's own terms and
// the gate's unit: "≤ 500ms" (Flagger's thresholdRange max 500), "< 250ms"
// (Argo's successCondition result < 250), "≤ 2%" (failureCondition
// result > 2), or the condition itself when it is not a plain comparison
// of result with a number. The dry run prints it: the value it goes on
// with (passingValue) is only one of those.
func (p Plan) passingSide(i int, unit string) string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) + unit }
	if f := p.Config.Flagger; p.Config.Type == strategies.FlaggerType && f != nil {
		if i < 0 || i >= len(f.Metrics) {
			return ""
		}
		c := f.Metrics[i].Check
		switch {
		case c.Legacy != nil && c.Name == analysis.RequestSuccessRate:
			return "≥ " + num(*c.Legacy) + " (threshold)"
		case c.Legacy != nil:
			return "≤ " + num(*c.Legacy) + " (threshold)"
		case c.Range.Min != nil && c.Range.Max != nil:
			return "between " + num(*c.Range.Min) + " and " + num(*c.Range.Max) + " (thresholdRange)"
		case c.Range.Min != nil:
			return "≥ " + num(*c.Range.Min) + " (thresholdRange min)"
		case c.Range.Max != nil:
			return "≤ " + num(*c.Range.Max) + " (thresholdRange max)"
		}
		return ""
	}
	m, ok := p.argoMetric(i)
	if !ok {
		return ""
	}
	var parts []string
	if m.SuccessCondition != "" {
		parts = append(parts, comparison(m.SuccessCondition, false, unit, "successCondition"))
	}
	if m.FailureCondition != "" {
		parts = append(parts, comparison(m.FailureCondition, true, unit, "failureCondition"))
	}
	if len(parts) == 0 {
		return "any value (no condition: every measurement is Successful)"
	}
	return strings.Join(parts, " and ")
}

// comparison writes an Argo condition "result OP number" as the side that
// passes ("< 250ms (successCondition result < 250)"; a failureCondition's opposite,
// "≤ 2% (failureCondition result > 2)"); any other expression as written.
func comparison(cond string, failure bool, unit, key string) string {
	f := strings.Fields(cond)
	if len(f) == 3 && f[0] == "result" {
		if v, err := strconv.ParseFloat(f[2], 64); err == nil {
			op := map[string]string{"<": "<", "<=": "≤", ">": ">", ">=": "≥"}[f[1]]
			if failure {
				op = map[string]string{"<": "≥", "<=": ">", ">": "≤", ">=": "<"}[f[1]]
			}
			if op != "" {
				return op + " " + strconv.FormatFloat(v, 'g', -1, 64) + unit + " (" + key + " " + cond + ")"
			}
		}
	}
	if failure {
		return "not " + cond + " (" + key + ")"
	}
	return cond + " (" + key + ")"
}

// argoMetric is the Argo plan's i-th metric, counting its templates'
// metrics in order (the gates' order).
func (p Plan) argoMetric(i int) (strategies.AnalysisMetric, bool) {
	if !p.Config.Argo() || p.Config.Rollout == nil {
		return strategies.AnalysisMetric{}, false
	}
	n := 0
	for _, t := range p.Config.Rollout.Templates {
		for _, m := range t.Metrics {
			if n == i {
				return m, true
			}
			n++
		}
	}
	return strategies.AnalysisMetric{}, false
}

func (p Plan) passingValue(i int) (float64, bool) {
	candidates := []float64{0, 100, 1, 99, 0.1, 99.9, 10, 50, 90, 1000, 1e6}
	if f := p.Config.Flagger; p.Config.Type == strategies.FlaggerType && f != nil {
		if i < 0 || i >= len(f.Metrics) {
			return 0, false
		}
		for _, v := range candidates {
			if f.Metrics[i].Check.Passes(v) {
				return v, true
			}
		}
		return 0, false
	}
	if !p.Config.Argo() || p.Config.Rollout == nil {
		return 0, false
	}
	n := 0
	for _, t := range p.Config.Rollout.Templates {
		for _, m := range t.Metrics {
			if n++; n-1 != i {
				continue
			}
			am, err := deploy.AnalysisMetric(m)
			if err != nil {
				return 0, false
			}
			for _, v := range candidates {
				if am.Outcome(v) == analysis.Successful {
					return v, true
				}
			}
			return 0, false
		}
	}
	return 0, false
}
