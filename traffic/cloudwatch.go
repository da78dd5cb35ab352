package traffic

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cwSeries is one metric's datapoints as read from a CloudWatch export.
type cwSeries struct {
	id, label string
	ts        []cwValue // Timestamps (get-metric-data) or datapoint timestamps
	vals      []cwValue
	total     float64
}

type cwValue struct {
	v    float64 // ns for timestamps
	t    int64
	line int64
}

// readCloudWatch reads get-metric-data output (MetricDataResults with
// Timestamps and Values) or get-metric-statistics output (Datapoints with a
// Sum), possibly several documents one after the other (pages). CloudWatch
// hands datapoints out in any order (get-metric-data newest first by
// default), so the export is held and sorted: its size is bounded by the
// API (1,440 datapoints per get-metric-statistics call, 100,800 per
// get-metric-data call), 32 bytes a datapoint.
func readCloudWatch(s *spec, br *bufio.Reader) (*series, error) {
	j := newJSONStream(s.Path, br)
	var all []*cwSeries
	byID := map[string]*cwSeries{}
	get := func(id, label string) *cwSeries {
		if c := byID[id]; c != nil {
			return c
		}
		c := &cwSeries{id: id, label: label}
		byID[id] = c
		all = append(all, c)
		return c
	}
	skipped := int64(0)
	for doc := 0; ; doc++ {
		t, err := j.token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, j.error("", err)
		}
		if t != json.Delim('{') {
			return nil, fatal(perr(s.Path, j.here(), "", "want a JSON object (the output of aws cloudwatch get-metric-data or get-metric-statistics), found %s", tokenString(t)))
		}
		var dps *cwSeries
		label := ""
		for j.dec.More() {
			k, err := j.token()
			if err != nil {
				return nil, j.error("", err)
			}
			key, _ := k.(string)
			switch key {
			case "Label":
				v, err := j.token()
				if err != nil {
					return nil, j.error(key, err)
				}
				label, _ = v.(string)
				if dps != nil && dps.label == "" {
					dps.label = label
				}
			case "Datapoints":
				if dps == nil {
					dps = get("Datapoints", label)
				}
				n, err := readDatapoints(j, dps, s.Lenient)
				skipped += n
				if err != nil {
					return nil, err
				}
			case "MetricDataResults":
				if err := readResults(j, get); err != nil {
					return nil, err
				}
			default:
				v, err := j.token()
				if err != nil {
					return nil, j.error(key, err)
				}
				if err := j.skip(key, v); err != nil {
					return nil, err
				}
			}
		}
		if err := j.expectDelim("", '}'); err != nil {
			return nil, err
		}
	}
	if len(all) == 0 {
		return nil, fatal(perr(s.Path, j.here(), "", "no MetricDataResults or Datapoints: not a CloudWatch get-metric-data or get-metric-statistics export"))
	}
	c, err := pickSeries(s, all)
	if err != nil {
		return nil, err
	}
	ser, err := cwToSeries(s, c)
	if err != nil {
		return nil, err
	}
	ser.functions = len(all)
	ser.skipped = skipped
	return ser, nil
}

// number reads a JSON number token as a count.
func cwNumber(j *jsonStream, path string) (float64, int64, error) {
	t, err := j.token()
	if err != nil {
		return 0, 0, j.error(path, err)
	}
	line := j.here()
	n, ok := t.(json.Number)
	if !ok {
		if err := j.skip(path, t); err != nil {
			return 0, line, err
		}
		return 0, line, perr(j.file, line, path, "%s is not a number", tokenString(t))
	}
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil || !(v >= 0 && v <= maxCount) {
		return 0, line, perr(j.file, line, path, "%s is not a count of invocations", string(n))
	}
	return v, line, nil
}

func cwTime(j *jsonStream, path string) (int64, int64, error) {
	t, err := j.token()
	if err != nil {
		return 0, 0, j.error(path, err)
	}
	line := j.here()
	str, ok := t.(string)
	if !ok {
		if err := j.skip(path, t); err != nil {
			return 0, line, err
		}
		return 0, line, perr(j.file, line, path, "%s is not a time", tokenString(t))
	}
	tm, err := time.Parse(time.RFC3339Nano, str)
	if err != nil || tm.Year() < 1970 || tm.Year() >= 2100 {
		return 0, line, perr(j.file, line, path, "%s is not a time from 1970 to 2099 (want RFC 3339, e.g. 2024-09-29T22:10:00Z)", quote(str))
	}
	return tm.UnixNano(), line, nil
}

// readDatapoints reads get-metric-statistics' Datapoints array; a datapoint
// counts with its Sum (the number of invocations in its period).
func readDatapoints(j *jsonStream, c *cwSeries, lenient bool) (skipped int64, err error) {
	if err := j.expectDelim("Datapoints", '['); err != nil {
		return 0, err
	}
	for i := 0; j.dec.More(); i++ {
		path := fmt.Sprintf("Datapoints[%d]", i)
		if err := j.expectDelim(path, '{'); err != nil {
			return skipped, err
		}
		start := j.here()
		var ts, sum cwValue
		hasTS, hasSum := false, false
		var bad error
		var stats []string
		for j.dec.More() {
			k, err := j.token()
			if err != nil {
				return skipped, j.error(path, err)
			}
			key, _ := k.(string)
			switch key {
			case "Timestamp":
				t, line, err := cwTime(j, path+".Timestamp")
				if pe, ok := err.(*ParseError); ok && pe.recoverable {
					bad = cmpErr(bad, err)
				} else if err != nil {
					return skipped, err
				}
				ts, hasTS = cwValue{t: t, line: line}, true
			case "Sum":
				v, line, err := cwNumber(j, path+".Sum")
				if pe, ok := err.(*ParseError); ok && pe.recoverable {
					bad = cmpErr(bad, err)
				} else if err != nil {
					return skipped, err
				}
				sum, hasSum = cwValue{v: v, line: line}, true
			default:
				stats = append(stats, key)
				v, err := j.token()
				if err != nil {
					return skipped, j.error(path+"."+key, err)
				}
				if err := j.skip(path+"."+key, v); err != nil {
					return skipped, err
				}
			}
		}
		if err := j.expectDelim(path, '}'); err != nil {
			return skipped, err
		}
		if bad == nil && !hasTS {
			bad = perr(j.file, start, path, "no Timestamp")
		}
		if bad == nil && !hasSum {
			bad = perr(j.file, start, path, "no Sum (it has %s): export Invocations with --statistics Sum", strings.Join(stats, ", "))
		}
		if bad != nil {
			if lenient {
				skipped++
				continue
			}
			return skipped, bad
		}
		c.ts = append(c.ts, ts)
		c.vals = append(c.vals, sum)
	}
	return skipped, j.expectDelim("Datapoints", ']')
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// readResults reads get-metric-data's MetricDataResults array.
func readResults(j *jsonStream, get func(id, label string) *cwSeries) error {
	if err := j.expectDelim("MetricDataResults", '['); err != nil {
		return err
	}
	for i := 0; j.dec.More(); i++ {
		path := fmt.Sprintf("MetricDataResults[%d]", i)
		if err := j.expectDelim(path, '{'); err != nil {
			return err
		}
		var id, label string
		var ts, vals []cwValue
		for j.dec.More() {
			k, err := j.token()
			if err != nil {
				return j.error(path, err)
			}
			key, _ := k.(string)
			switch key {
			case "Id", "Label":
				v, err := j.token()
				if err != nil {
					return j.error(path+"."+key, err)
				}
				str, ok := v.(string)
				if !ok {
					if err := j.skip(path+"."+key, v); err != nil {
						return err
					}
					return perr(j.file, j.here(), path+"."+key, "%s is not a string", tokenString(v))
				}
				if key == "Id" {
					id = str
				} else {
					label = str
				}
			case "Timestamps", "Values":
				if err := j.expectDelim(path+"."+key, '['); err != nil {
					return err
				}
				for n := 0; j.dec.More(); n++ {
					p := fmt.Sprintf("%s.%s[%d]", path, key, n)
					if key == "Timestamps" {
						t, line, err := cwTime(j, p)
						if err != nil {
							return err
						}
						ts = append(ts, cwValue{t: t, line: line})
					} else {
						v, line, err := cwNumber(j, p)
						if err != nil {
							return err
						}
						vals = append(vals, cwValue{v: v, line: line})
					}
				}
				if err := j.expectDelim(path+"."+key, ']'); err != nil {
					return err
				}
			default:
				v, err := j.token()
				if err != nil {
					return j.error(path+"."+key, err)
				}
				if err := j.skip(path+"."+key, v); err != nil {
					return err
				}
			}
		}
		if err := j.expectDelim(path, '}'); err != nil {
			return err
		}
		if len(ts) != len(vals) {
			return fatal(perr(j.file, j.here(), path, "%d Timestamps but %d Values", len(ts), len(vals)))
		}
		if id == "" {
			id = label
		}
		c := get(id, label)
		c.ts = append(c.ts, ts...)
		c.vals = append(c.vals, vals...)
	}
	return j.expectDelim("MetricDataResults", ']')
}

// pickSeries applies Function: an Id or Label (or a unique prefix), or a
// rank by total.
func pickSeries(s *spec, all []*cwSeries) (*cwSeries, error) {
	for _, c := range all {
		c.total = 0
		for _, v := range c.vals {
			c.total += v.v
		}
	}
	ids := func() string {
		var n []string
		for _, c := range all {
			n = append(n, c.id)
		}
		return strings.Join(n, ", ")
	}
	if s.Function == "" {
		if len(all) > 1 {
			return nil, fmt.Errorf("%s: %d metrics in the export (%s): set function to the Id of the Invocations one", s.Path, len(all), ids())
		}
		return all[0], nil
	}
	fs, err := parseFunction(s.Path, s.Function)
	if err != nil {
		return nil, err
	}
	if fs.rank > 0 {
		var r []ranked
		for i, c := range all {
			r = append(r, ranked{fn: c.id, total: c.total, row: i})
		}
		pick, err := pickRank(s.Path, r, fs.rank)
		if err != nil {
			return nil, err
		}
		return all[pick.row], nil
	}
	for _, c := range all {
		if c.id == s.Function || c.label == s.Function {
			return c, nil
		}
	}
	var found *cwSeries
	for _, c := range all {
		if strings.HasPrefix(c.id, s.Function) {
			if found != nil {
				return nil, fmt.Errorf("%s: function %q matches more than one metric (%s and %s)", s.Path, s.Function, found.id, c.id)
			}
			found = c
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%s: no metric with Id or Label %q in the export (%s)", s.Path, s.Function, ids())
	}
	return found, nil
}

// cwToSeries sorts the datapoints and checks they fall on whole periods.
func cwToSeries(s *spec, c *cwSeries) (*series, error) {
	type dp struct {
		t, line int64
		v       float64
	}
	d := make([]dp, len(c.ts))
	for i := range c.ts {
		d[i] = dp{t: c.ts[i].t, line: c.ts[i].line, v: c.vals[i].v}
	}
	slices.SortStableFunc(d, func(a, b dp) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	ser := &series{function: c.id, absolute: true}
	if len(d) == 0 {
		ser.period = int64(time.Minute)
		if s.Period > 0 {
			ser.period = int64(s.Period)
		}
		return ser, nil
	}
	ser.start = d[0].t
	period := int64(s.Period)
	if period == 0 {
		period = int64(time.Minute)
		gap := int64(0)
		for i := 1; i < len(d); i++ {
			if g := d[i].t - d[i-1].t; g > 0 && (gap == 0 || g < gap) {
				gap = g
			}
		}
		if gap > 0 {
			period = gap
		}
	}
	ser.period = period
	how := "the smallest gap between timestamps"
	if s.Period > 0 {
		how = "as set"
	}
	for i, x := range d {
		if i > 0 && x.t == d[i-1].t {
			return nil, perr(s.Path, x.line, "", "timestamp %s appears twice (also line %d)", fmtClock(x.t), d[i-1].line)
		}
		off := x.t - ser.start
		if off%period != 0 {
			return nil, perr(s.Path, x.line, "", "timestamp %s is not a whole number of periods (%v, %s) after the first, %s: set the period",
				fmtClock(x.t), time.Duration(period), how, fmtClock(ser.start))
		}
		ser.points = append(ser.points, point{off: off, count: x.v})
	}
	return ser, nil
}
