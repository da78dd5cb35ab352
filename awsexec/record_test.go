package awsexec_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/awsexec"
	"github.com/shiftsim/shiftsim/internal/awsfake"
	"github.com/shiftsim/shiftsim/traffic"
)

// putTraffic stores 30 minutes of per-request samples: version 1 serves
// 10 requests a minute, version 2 from minute 10 on 2 a minute, one error a
// minute on version 2; each request lasts 100 ms (version 1) or 300 ms.
func putTraffic(f *awsfake.Server) (total int) {
	dims := func(v string) map[string]string {
		m := map[string]string{"FunctionName": "orders", "Resource": "orders:live"}
		if v != "" {
			m["ExecutedVersion"] = v
		}
		return m
	}
	for m := range 30 {
		at := awsfake.Epoch.Add(time.Duration(m)*time.Minute + 20*time.Second)
		per := map[string]int{"1": 10}
		if m >= 10 {
			per["2"] = 2
		}
		for v, n := range per {
			ones, ms := make([]float64, n), make([]float64, n)
			for i := range ones {
				ones[i], ms[i] = 1, 100
				if v == "2" {
					ms[i] = 300
				}
			}
			for _, d := range []string{"", v} {
				f.PutMetric("AWS/Lambda", "Invocations", dims(d), at, ones...)
				f.PutMetric("AWS/Lambda", "Duration", dims(d), at, ms...)
			}
			total += n
		}
		if m >= 10 {
			f.PutMetric("AWS/Lambda", "Errors", dims("2"), at, 1)
			f.PutMetric("AWS/Lambda", "Errors", dims(""), at, 1)
		}
	}
	return total
}

// TestRecordMetrics: the recording has the CLI's get-metric-data shape,
// merges GetMetricData's pages, finds the executed versions, carries the
// configurations in the sidecar, and replays with the traffic package's
// cloudwatch-metrics reader as the requests that were recorded.
func TestRecordMetrics(t *testing.T) {
	e := newEnv(t, 1)
	total := putTraffic(e.fake)
	e.fake.SetMetricPageSize(25) // several pages
	rec, info, err := awsexec.RecordMetrics(context.Background(), e.clients, awsexec.RecordRequest{
		Function: "orders", Alias: "live", From: awsfake.Epoch, To: awsfake.Epoch.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]awsexec.MetricDataResult{}
	for _, r := range rec.MetricDataResults {
		byID[r.Id] = r
	}
	inv, inv2 := byID["invocations"], byID["invocations_v2"]
	if len(inv.Values) != 30 || inv.Values[0] != 10 || inv.Values[29] != 12 || len(inv2.Values) != 20 || inv2.Timestamps[0] != "2026-06-01T12:10:00+00:00" {
		t.Fatalf("invocations %v\ninvocations_v2 %v %v", inv.Values, inv2.Values, inv2.Timestamps)
	}
	if d := byID["duration_avg_v2"].Values[0]; d != 300 || byID["errors_v2"].Values[3] != 1 {
		t.Fatalf("duration_avg_v2 %v errors_v2 %v", byID["duration_avg_v2"].Values, byID["errors_v2"].Values)
	}
	if _, ok := byID["invocations_v3"]; ok {
		t.Fatal("version 3 never ran but was recorded")
	}
	if info.AliasVersion != "1" || info.Versions["2"].MemorySize != 512 || info.Versions["2"].Architectures[0] != "arm64" || info.Period != 60 {
		t.Fatalf("sidecar %+v", info)
	}

	path := filepath.Join(t.TempDir(), "orders.json")
	if err := awsexec.WriteRecording(path, rec, info); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &doc); err != nil || len(doc) != 2 || doc["MetricDataResults"] == nil || doc["Messages"] == nil {
		t.Fatalf("not the CLI's shape: %v %s", err, b[:200])
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "orders.function.json")); err != nil {
		t.Fatal(err)
	}
	sum, err := traffic.Inspect(traffic.Recording{Path: path, Format: traffic.FormatCloudWatch, Function: "invocations"})
	if err != nil {
		t.Fatal(err)
	}
	if int(sum.Requests) != total || sum.Period != time.Minute || sum.Minutes != 30 {
		t.Fatalf("replayed %+v, want %d requests over 30 minutes", sum, total)
	}
	if !strings.Contains(string(b), `"Label": "Invocations Sum orders:live version 2"`) {
		t.Fatalf("labels: %s", b[:400])
	}
}
