package replay_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// synth is a synthetic recording in record's shapes: per-minute series of
// the alias and of versions "1" (current) and "2" (target).
type synth struct {
	start      time.Time
	minutes    int
	alias      []float64
	inv, errs  [2][]float64
	p50, p99   [2][]float64
	deployment map[string]any // the sidecar's Deployment, or nil
	weights    []map[string]any
}

const cliTime = "2006-01-02T15:04:05-07:00"

func (s *synth) at(k int) string {
	return s.start.Add(time.Duration(k) * time.Minute).UTC().Format(cliTime)
}

// write writes the recording and its sidecar into dir and returns the
// recording's path. Like CloudWatch, a series has no datapoint for a
// minute without invocations.
func (s *synth) write(t testing.TB, dir string) string {
	t.Helper()
	type res struct {
		Id, Label  string
		Timestamps []string
		Values     []float64
		StatusCode string
	}
	var results []res
	var queries []map[string]string
	add := func(id, metric, stat, version string, vals []float64, ran []float64) {
		r := res{Id: id, Label: metric + " " + stat, Timestamps: []string{}, Values: []float64{}, StatusCode: "Complete"}
		for k, x := range vals {
			if ran[k] > 0 {
				r.Timestamps = append(r.Timestamps, s.at(k))
				r.Values = append(r.Values, x)
			}
		}
		results = append(results, r)
		queries = append(queries, map[string]string{"Id": id, "MetricName": metric, "Stat": stat, "ExecutedVersion": version})
	}
	add("invocations", "Invocations", "Sum", "", s.alias, s.alias)
	for v := range 2 {
		name := fmt.Sprint(v + 1)
		add("invocations_v"+name, "Invocations", "Sum", name, s.inv[v], s.inv[v])
		add("errors_v"+name, "Errors", "Sum", name, s.errs[v], s.inv[v])
		add("duration_p50_v"+name, "Duration", "p50", name, s.p50[v], s.inv[v])
		add("duration_p99_v"+name, "Duration", "p99", name, s.p99[v], s.inv[v])
	}
	path := filepath.Join(dir, "rec.json")
	writeJSON(t, path, map[string]any{"MetricDataResults": results, "Messages": []any{}})
	side := map[string]any{"FunctionName": "orders", "Alias": "live", "From": s.at(0), "To": s.at(s.minutes), "Period": 60,
		"AliasVersion": "1", "CurrentVersion": "1", "TargetVersion": "2", "Queries": queries}
	if s.deployment != nil {
		side["Deployment"] = s.deployment
	}
	if s.weights != nil {
		side["Weights"] = s.weights
	}
	writeJSON(t, filepath.Join(dir, "rec.function.json"), side)
	return path
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// timeBomb is the analytic case: 30 minutes of exactly 6,000 invocations a
// minute; a canary gave version 2 10 % (600 a minute) from minute 1 to
// minute 5, when CodeDeploy stopped it on an alarm and rolled back.
// Version 2 fails none of its requests in minutes 1 and 2 and 10 % (60 of
// 600) from minute 3; version 1 fails 6 a minute.
func timeBomb() *synth {
	s := &synth{start: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), minutes: 30}
	n := s.minutes
	s.alias = make([]float64, n)
	for v := range 2 {
		s.inv[v], s.errs[v], s.p50[v], s.p99[v] = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	}
	for k := range n {
		s.alias[k] = 6000
		tgt := 0.0
		if k >= 1 && k < 5 {
			tgt = 600
		}
		s.inv[0][k], s.inv[1][k] = 6000-tgt, tgt
		s.errs[0][k] = 6
		if k >= 3 && tgt > 0 {
			s.errs[1][k] = 60
		}
		s.p50[0][k], s.p99[0][k] = 50, 160
		s.p50[1][k], s.p99[1][k] = 55, 180+float64(k)
	}
	s.deployment = map[string]any{"DeploymentId": "d-TIMEBOMB1", "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		"Status": "Stopped", "ErrorCode": "ALARM_ACTIVE", "CreateTime": s.at(1), "AllowTrafficStart": s.at(1), "CompleteTime": s.at(5), "RolledBack": true}
	s.weights = []map[string]any{{"At": s.at(1), "TargetWeight": 0.1}, {"At": s.at(5), "TargetWeight": 0}}
	return s
}
