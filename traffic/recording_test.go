package traffic

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const minute = int64(time.Minute)

func open(t *testing.T, rec Recording, seed uint64, until time.Duration) *Replay {
	t.Helper()
	r, err := OpenRecording(rec, rand.NewPCG(seed, 99), until)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// --- Azure Functions 2019 ---

// azureTruth reads an Azure 2019 invocations file the slow way: all of it,
// with encoding/csv, rows as hash → counts.
type azureRow struct {
	fn     string
	counts []float64
	total  float64
}

func azureTruth(t *testing.T, path string) []azureRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fcol, first := -1, -1
	for i, h := range all[0] {
		if h == "HashFunction" {
			fcol = i
		}
		if _, err := strconv.Atoi(strings.TrimPrefix(h, "minute_")); err == nil && first < 0 {
			first = i
		}
	}
	var rows []azureRow
	for _, r := range all[1:] {
		row := azureRow{fn: r[fcol]}
		for _, v := range r[first:] {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			row.counts = append(row.counts, x)
			row.total += x
		}
		rows = append(rows, row)
	}
	// busiest first, ties by hash: the documented rank order
	slices.SortStableFunc(rows, func(a, b azureRow) int {
		if a.total != b.total {
			if a.total > b.total {
				return -1
			}
			return 1
		}
		return strings.Compare(a.fn, b.fn)
	})
	return rows
}

// Each minute of an Azure 2019 row replays as a Poisson process with the
// minute's count as its mean: every minute within 4 sigma, and the
// chi-square over all minutes near its mean.
func TestAzure2019PerMinute(t *testing.T) {
	for _, c := range []struct {
		file     string
		function string
		rank     int // truth row (1-based); 0 = sum of all rows
	}{
		{"traces/azure-functions-2019/invocations.csv", "#1", 1},
		{"traces/azure-functions-2019/invocations.csv", "rank:7", 7},
		{"traces/azure-functions-2019/invocations.csv", "", 0},
		{"traces/azure-functions-2019/fullday/100_inv.csv", "#1", 1},
		{"traces/azure-functions-2019/fullday/100_inv.csv", "#20", 20},
	} {
		t.Run(c.file+c.function, func(t *testing.T) {
			path := sharedData(t, c.file)
			rows := azureTruth(t, path)
			var want []float64
			if c.rank == 0 {
				want = make([]float64, len(rows[0].counts))
				for _, r := range rows {
					for i, v := range r.counts {
						want[i] += v
					}
				}
			} else {
				want = rows[c.rank-1].counts
			}
			r := open(t, Recording{Path: path, Function: c.function}, 1, 0)
			if c.rank > 0 && r.Function() != rows[c.rank-1].fn {
				t.Errorf("function %s, want %s", r.Function(), rows[c.rank-1].fn)
			}
			got := perBin(drain(t, r), minute, len(want))
			poissonCheck(t, "minute", got, want)
			total, wantTotal := 0, 0.0
			for i := range got {
				total += got[i]
				wantTotal += want[i]
			}
			t.Logf("%s %s: replayed %d requests, recorded %.0f over %d minutes", c.file, c.function, total, wantTotal, len(want))
		})
	}
}

// A function given by a prefix of its hash is the same as by rank.
func TestAzure2019FunctionByHash(t *testing.T) {
	path := sharedData(t, "traces/azure-functions-2019/invocations.csv")
	rows := azureTruth(t, path)
	a := open(t, Recording{Path: path, Function: "#3"}, 5, 0)
	b := open(t, Recording{Path: path, Function: rows[2].fn[:12]}, 5, 0)
	if a.Function() != rows[2].fn || b.Function() != rows[2].fn {
		t.Fatalf("functions %s, %s; want %s", a.Function(), b.Function(), rows[2].fn)
	}
	if !slices.Equal(drain(t, a), drain(t, b)) {
		t.Error("same function, same seed: different streams")
	}
	if _, err := OpenRecording(Recording{Path: path, Function: "zzzz"}, rand.NewPCG(1, 1), 0); err == nil || !strings.Contains(err.Error(), `no function "zzzz"`) {
		t.Errorf("unknown function: %v", err)
	}
	if _, err := OpenRecording(Recording{Path: path, Function: "#101"}, rand.NewPCG(1, 1), 0); err == nil || !strings.Contains(err.Error(), "the trace has 100 functions") {
		t.Errorf("rank past the end: %v", err)
	}
}

// The durations of the selected function are its row of durations.csv.
func TestAzure2019Durations(t *testing.T) {
	inv := sharedData(t, "traces/azure-functions-2019/invocations.csv")
	dur := sharedData(t, "traces/azure-functions-2019/durations.csv")
	rows := azureTruth(t, inv)
	p, err := Durations(Recording{Path: inv, Function: "#1", Durations: dur})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(dur)
	defer f.Close()
	all, _ := csv.NewReader(f).ReadAll()
	var want []string
	for _, r := range all[1:] {
		if r[2] == rows[0].fn {
			want = r
		}
	}
	if want == nil {
		t.Fatal("busiest function not in durations.csv")
	}
	ms := func(s string) time.Duration { v, _ := strconv.ParseFloat(s, 64); return time.Duration(v * 1e6) }
	if p.Mean != ms(want[3]) || p.Count != int64(ms(want[4])/time.Millisecond) {
		t.Errorf("mean %v count %d, want %s ms, %s", p.Mean, p.Count, want[3], want[4])
	}
	// columns 7.. are percentile_Average_0, 1, 25, 50, 75, 99, 100
	qs := []float64{0, 0.01, 0.25, 0.5, 0.75, 0.99, 1}
	for i, q := range qs {
		if got := p.Quantile(q); got != ms(want[7+i]) {
			t.Errorf("q%v = %v, want %s ms", q, got, want[7+i])
		}
	}
	if p.Median() != ms(want[10]) || p.P99() != ms(want[12]) {
		t.Errorf("median %v p99 %v", p.Median(), p.P99())
	}
	if _, err := Durations(Recording{Path: inv, Durations: dur}); err == nil {
		t.Error("durations of the whole trace accepted")
	}
}

// --- Azure Functions 2021 ---

// Per-invocation records replay exactly: arrival = end − duration, in time
// order from the earliest.
func TestAzure2021Exact(t *testing.T) {
	path := sharedData(t, "traces/azure-functions-2021/Azure2021_200.csv")
	f, _ := os.Open(path)
	all, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	type inv struct {
		key        string
		start, dur float64
	}
	var invs []inv
	perFn := map[string]int{}
	for _, r := range all[1:] {
		end, _ := strconv.ParseFloat(r[2], 64)
		d, _ := strconv.ParseFloat(r[3], 64)
		invs = append(invs, inv{r[0] + "/" + r[1], end - d, d})
		perFn[r[0]+"/"+r[1]]++
	}
	busiest, most := "", 0
	for k, n := range perFn {
		if n > most || (n == most && strings.Split(k, "/")[1] < strings.Split(busiest, "/")[1]) {
			busiest, most = k, n
		}
	}
	for _, fn := range []string{"", "#1"} {
		var want []inv
		for _, v := range invs {
			if fn == "" || v.key == busiest {
				want = append(want, v)
			}
		}
		slices.SortStableFunc(want, func(a, b inv) int { return cmpF(a.start, b.start) })
		r := open(t, Recording{Path: path, Function: fn}, 1, 0)
		got := drain(t, r)
		if len(got) != len(want) {
			t.Fatalf("function %q: %d arrivals, the file has %d", fn, len(got), len(want))
		}
		wantBins := make([]int, 30)
		for i, w := range want {
			off := w.start - want[0].start
			if d := math.Abs(float64(got[i].At)/1e9 - off); d > 1e-6 {
				t.Errorf("function %q: arrival %d at %v s, want %v s", fn, i, float64(got[i].At)/1e9, off)
			}
			if math.Abs(float64(got[i].Duration)-w.dur) > 1e-3 {
				t.Errorf("arrival %d duration %v, want %v", i, got[i].Duration, w.dur)
			}
			wantBins[int(off/60)]++
		}
		if g := perBin(got, minute, 30); !slices.Equal(g, wantBins) {
			t.Errorf("function %q: per minute %v, recorded %v", fn, g, wantBins)
		}
		t.Logf("azure 2021 %q: %d invocations replayed, %d recorded; per minute %v", fn, len(got), len(want), wantBins)
	}
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// --- AWS logs ---

var fieldRE = regexp.MustCompile(`"[^"]*"|\S+`)

// logTruth parses the arrival times of the real log samples independently
// of the parsers: a regexp per format.
func albTruth(t *testing.T, path string) []int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, line := range strings.Split(string(b), "\n") {
		f := fieldRE.FindAllString(line, -1)
		if len(f) < 22 || !slices.Contains(albTypes, f[0]) {
			continue
		}
		tm, err := time.Parse(time.RFC3339Nano, f[21])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tm.UnixNano())
	}
	slices.Sort(out)
	return out
}

var requestTimeRE = regexp.MustCompile(`"requestTime": ?"([^"]+)"`)

func apigwTruth(t *testing.T, path string) []int64 {
	b, _ := os.ReadFile(path)
	var out []int64
	for _, m := range requestTimeRE.FindAllStringSubmatch(string(b), -1) {
		tm, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tm.UnixNano())
	}
	slices.Sort(out)
	return out
}

// ms is epochMs minus some milliseconds, in ns.
func ms(epochMs int64, minus ...float64) int64 {
	sum := 0.0
	for _, m := range minus {
		sum += m
	}
	return epochMs*1e6 - int64(math.Round(sum*1e6))
}

func rfc(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

// Per-request logs replay exactly: the same requests, at the same offsets
// from the first, per minute the same counts.
func TestLogsExact(t *testing.T) {
	for _, c := range []struct {
		file    string
		lenient bool
		want    func(t *testing.T, path string) []int64
		skipped int64
		durs    []float32 // expected durations in arrival order, when checked
	}{
		{file: "logs/alb/elastic-beats_application-lb-http.log", want: albTruth},
		{file: "logs/alb/elastic-beats_example-alb-http.log", want: albTruth},
		// 3 ALB requests; 4 NLB TLS lines and 3 connection-log lines skipped
		{file: "logs/alb/elastic-integrations_test-alb.log", lenient: true, want: albTruth, skipped: 7},
		{file: "logs/apigateway/elastic-integrations_test-apigateway-rest.log", want: apigwTruth},
		{file: "logs/apigateway/elastic-integrations_test-apigateway.log", want: apigwTruth},
		// REPORT written at the last time logged before it (07:43:33.910Z);
		// the request arrived Duration + Init Duration earlier.
		{file: "logs/lambda_logs/elastic-integrations_test-awslambda-plain.log",
			want: func(*testing.T, string) []int64 {
				return []int64{rfc("2025-04-29T07:43:33.910Z") - ms(0, -2234.92-479.25)}
			},
			durs: []float32{2.23492}},
		{file: "logs/lambda_logs/elastic-integrations_test-awslambda-platform-json.log",
			want: func(*testing.T, string) []int64 {
				return []int64{rfc("2025-05-05T04:01:29.912Z") - ms(0, -26.843-772.443)}
			},
			durs: []float32{0.026843}},
		// CloudWatch Logs subscription payloads: the REPORT event's timestamp
		{file: "logs/lambda_report/datadog_cloudwatch_log_coldstart.json",
			want: func(*testing.T, string) []int64 { return []int64{ms(1591284559101, 1.76, 120.96)} }, durs: []float32{0.00176}},
		{file: "logs/lambda_report/datadog_cloudwatch_log_timeout.json",
			want: func(*testing.T, string) []int64 { return []int64{ms(1591714946151, 3003.16, 127.02)} }, durs: []float32{3.00316}},
		{file: "logs/lambda_report/datadog_cloudwatch_log_lambda_invocation.json",
			want: func(*testing.T, string) []int64 { return []int64{ms(1583425836750, 619.31)} }, durs: []float32{0.61931}},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := sharedData(t, c.file)
			want := c.want(t, path)
			r := open(t, Recording{Path: path, Lenient: c.lenient}, 1, 0)
			got := drain(t, r)
			if r.Skipped() != c.skipped {
				t.Errorf("skipped %d, want %d", r.Skipped(), c.skipped)
			}
			if len(got) != len(want) {
				t.Fatalf("%d requests, the file has %d", len(got), len(want))
			}
			for i := range got {
				if off := want[i] - want[0]; got[i].At != off {
					t.Errorf("request %d at %v, want %v", i, time.Duration(got[i].At), time.Duration(off))
				}
				if c.durs != nil && math.Abs(float64(got[i].Duration-c.durs[i])) > 1e-6 {
					t.Errorf("request %d duration %v, want %v", i, got[i].Duration, c.durs[i])
				}
			}
			sum, err := Inspect(Recording{Path: path, Lenient: c.lenient})
			if err != nil {
				t.Fatal(err)
			}
			if want0 := time.Unix(0, want[0]).UTC(); !sum.Start.Equal(want0) || sum.Requests != float64(len(want)) {
				t.Errorf("inspect: start %v requests %v, want %v %d", sum.Start, sum.Requests, want0, len(want))
			}
			n := int((want[len(want)-1]-want[0])/minute) + 1
			wantBins := make([]int, n)
			for _, w := range want {
				wantBins[(w-want[0])/minute]++
			}
			if g := perBin(got, minute, n); !slices.Equal(g, wantBins) {
				t.Errorf("per minute differs from the recording")
			}
			t.Logf("%s: %d requests replayed = %d recorded (%d skipped)", c.file, len(got), len(want), r.Skipped())
		})
	}
}

// An API Gateway log inside a CloudWatch Logs export (messages are the
// access log lines) and in CLF replays the same requests.
func TestAPIGatewayShapes(t *testing.T) {
	path := sharedData(t, "logs/apigateway/elastic-integrations_test-apigateway-rest.log")
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var events []string
	var clf []string
	for i, l := range lines {
		m, _ := json.Marshal(l)
		events = append(events, fmt.Sprintf(`{"timestamp": %d, "message": %s}`, 1700000000000+i, m))
		var e struct{ IP, Caller, User, RequestTime, HttpMethod, ResourcePath, Protocol, Status, ResponseLength, RequestId string }
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		clf = append(clf, fmt.Sprintf(`%s %s %s [%s] "%s %s %s" %s %s %s`, e.IP, e.Caller, e.User, e.RequestTime, e.HttpMethod, e.ResourcePath, e.Protocol, e.Status, e.ResponseLength, e.RequestId))
	}
	fsys := fstest.MapFS{
		"wrapped.json": {Data: []byte(`{"messageType": "DATA_MESSAGE", "logGroup": "API-Gateway-Execution-Logs", "logEvents": [` + strings.Join(events, ",\n") + "]}\n")},
		"access.clf":   {Data: []byte(strings.Join(clf, "\n") + "\n")},
	}
	want := drain(t, open(t, Recording{Path: path}, 1, 0))
	for _, name := range []string{"wrapped.json", "access.clf"} {
		f, _ := fsys.Open(name)
		format, err := Detect(f)
		f.Close()
		if err != nil || format != FormatAPIGateway {
			t.Errorf("%s detected as %q, %v", name, format, err)
		}
		got := drain(t, open(t, Recording{Path: name, FS: fsys}, 1, 0))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v\nwant %v", name, got, want)
		}
	}
}

// --- CloudWatch metrics ---

type cwTruth struct {
	Datapoints []struct {
		Timestamp time.Time
		Sum       float64
	}
}

// get-metric-statistics: each period's Sum replays as a Poisson mean; a
// period without a datapoint has no requests.
func TestCloudWatchStatistics(t *testing.T) {
	raw, _ := os.ReadFile("testdata/cloudwatch-invocations.json")
	var truth cwTruth
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(truth.Datapoints, func(a, b struct {
		Timestamp time.Time
		Sum       float64
	}) int {
		return a.Timestamp.Compare(b.Timestamp)
	})
	t0 := truth.Datapoints[0].Timestamp
	n := int(truth.Datapoints[len(truth.Datapoints)-1].Timestamp.Sub(t0)/time.Minute) + 1
	want := make([]float64, n)
	for _, d := range truth.Datapoints {
		want[d.Timestamp.Sub(t0)/time.Minute] = d.Sum
	}
	if want[7] != 0 {
		t.Fatal("testdata: minute 7 should be missing")
	}
	for seed := uint64(1); seed <= 3; seed++ {
		r := open(t, Recording{Path: "testdata/cloudwatch-invocations.json"}, seed, 0)
		poissonCheck(t, "minute", perBin(drain(t, r), minute, n), want)
	}
	sum, err := Inspect(Recording{Path: "testdata/cloudwatch-invocations.json"})
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, w := range want {
		total += w
	}
	if sum.Requests != total || sum.Minutes != n || sum.MinPerMinute != 0 || !sum.Start.Equal(t0) || sum.Period != time.Minute {
		t.Errorf("inspect: %+v; want %v requests over %d minutes from %v, min 0", sum, total, n, t0)
	}
}

// get-metric-data: results are chosen by Id, Label or rank; newest-first
// order is undone.
func TestCloudWatchMetricData(t *testing.T) {
	path := "testdata/get-metric-data.json"
	if _, err := OpenRecording(Recording{Path: path}, rand.NewPCG(1, 1), 0); err == nil || !strings.Contains(err.Error(), "2 metrics in the export (invocations, errors)") {
		t.Errorf("two results without a function: %v", err)
	}
	want := make([]float64, 12)
	for m := range want {
		want[m] = float64(3000 + 100*m)
	}
	for _, fn := range []string{"invocations", "Invocations", "#1", "inv"} {
		r := open(t, Recording{Path: path, Function: fn}, 3, 0)
		if r.Function() != "invocations" {
			t.Errorf("function %q selected %q", fn, r.Function())
		}
		poissonCheck(t, fn, perBin(drain(t, r), 5*minute, 12), want)
	}
}

// outputBlock extracts the JSON of the i-th "Output::" block of an AWS CLI
// example (.rst).
func outputBlock(t *testing.T, path string, i int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(raw), "Output::")
	if len(parts) <= i+1 {
		t.Fatalf("%s: no Output block %d", path, i)
	}
	block := parts[i+1]
	end := strings.Index(block, "\n}")
	if e2 := strings.Index(block, "\n    }\n"); e2 >= 0 && (end < 0 || e2 < end) {
		end = e2 + len("\n    }")
	} else {
		end += 2
	}
	return block[:end]
}

// The AWS CLI's own example outputs parse; get-metric-statistics' example is
// of CPUUtilization Maximum, so it is replayed as if it were a Sum, to check
// hourly periods, unsorted datapoints and the +00:00 zone.
func TestCloudWatchCLIExamples(t *testing.T) {
	stats := outputBlock(t, sharedData(t, "awsapi/cloudwatch_get-metric-statistics.rst"), 0)
	data := outputBlock(t, sharedData(t, "awsapi/cloudwatch_get-metric-data.rst"), 0)
	fsys := fstest.MapFS{
		"stats.json":     {Data: []byte(stats)},
		"stats-sum.json": {Data: []byte(strings.ReplaceAll(stats, `"Maximum"`, `"Sum"`))},
		"data.json":      {Data: []byte(data)},
	}
	_, err := OpenRecording(Recording{Path: "stats.json", FS: fsys}, rand.NewPCG(1, 1), 0)
	if err == nil || !strings.Contains(err.Error(), "stats.json:5: Datapoints[0]: no Sum (it has Maximum, Unit): export Invocations with --statistics Sum") {
		t.Errorf("Maximum instead of Sum: %v", err)
	}
	var truth cwTruth
	if err := json.Unmarshal([]byte(strings.ReplaceAll(stats, `"Maximum"`, `"Sum"`)), &truth); err != nil {
		t.Fatal(err)
	}
	t0 := truth.Datapoints[0].Timestamp
	for _, d := range truth.Datapoints {
		if d.Timestamp.Before(t0) {
			t0 = d.Timestamp
		}
	}
	want := make([]float64, 23)
	for _, d := range truth.Datapoints {
		want[d.Timestamp.Sub(t0)/time.Hour] = d.Sum
	}
	r := open(t, Recording{Path: "stats-sum.json", FS: fsys}, 4, 0)
	poissonCheck(t, "hour", perBin(drain(t, r), int64(time.Hour), 23), want)

	// One datapoint: the period cannot be inferred; the query's 300 s is given.
	sum, err := Inspect(Recording{Path: "data.json", FS: fsys, Period: 300 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != 96.85 || sum.Span != 5*time.Minute || sum.Start != time.Date(2024, 9, 29, 22, 10, 0, 0, time.UTC) {
		t.Errorf("get-metric-data example: %+v", sum)
	}
}

// --- per-request CSV ---

func csvTruth(t *testing.T, path string) (at []int64, users []string, durs []float64) {
	f, _ := os.Open(path)
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		at   int64
		user string
		dur  float64
	}
	var rows []row
	for _, r := range all[1:] {
		d, _ := strconv.ParseFloat(r[2], 64)
		rows = append(rows, row{rfc(r[0]), r[1], d / 1000})
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmpF(float64(a.at), float64(b.at)) })
	for _, r := range rows {
		at, users, durs = append(at, r.at), append(users, r.user), append(durs, r.dur)
	}
	return
}

// A per-request CSV replays exactly: every request at its offset, with its
// user (hashed) and its duration, in time order although the file is not.
func TestCSVExact(t *testing.T) {
	at, users, durs := csvTruth(t, "testdata/requests.csv")
	got := drain(t, open(t, Recording{Path: "testdata/requests.csv"}, 1, 0))
	if len(got) != len(at) {
		t.Fatalf("%d requests, the file has %d", len(got), len(at))
	}
	distinct := map[string]bool{}
	for i, a := range got {
		if a.At != at[i]-at[0] || a.User != hashUser(users[i]) || math.Abs(float64(a.Duration)-durs[i]) > 1e-6 {
			t.Errorf("request %d: %+v, want at %d user %s duration %v", i, a, at[i]-at[0], users[i], durs[i])
		}
		distinct[users[i]] = true
	}
	sum, err := Inspect(Recording{Path: "testdata/requests.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != 60 || sum.Users != int64(len(distinct)) || !sum.HasDurations || sum.Minutes != 3 || sum.Span != 3*time.Minute {
		t.Errorf("inspect:\n%s", sum)
	}
}

// everyCSV builds a CSV of n requests, one every step from t0, with users
// 1..5 in turn.
func everyCSV(n int, step time.Duration) []byte {
	var b bytes.Buffer
	b.WriteString("timestamp,user,duration\n")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s,u%d,0.5\n", t0.Add(time.Duration(i)*step).Format(time.RFC3339Nano), i%5)
	}
	return b.Bytes()
}

// From, To, Speed, Scale and Loop, exactly, on a recording of one request a
// second for 10 minutes.
func TestWindowSpeedScaleLoop(t *testing.T) {
	fsys := fstest.MapFS{"s.csv": {Data: everyCSV(600, time.Second)}}
	sec := int64(time.Second)
	ats := func(arr []Arrival) []int64 {
		var out []int64
		for _, a := range arr {
			out = append(out, a.At)
		}
		return out
	}
	seq := func(n int, step int64, reps int) []int64 {
		var out []int64
		for i := 0; i < n; i++ {
			for range reps {
				out = append(out, int64(i)*step)
			}
		}
		return out
	}
	for _, c := range []struct {
		name  string
		rec   Recording
		until time.Duration
		want  []int64
	}{
		{"whole", Recording{}, 0, seq(600, sec, 1)},
		{"window", Recording{From: time.Minute, To: 3 * time.Minute}, 0, seq(120, sec, 1)},
		{"until", Recording{}, 100 * time.Second, seq(100, sec, 1)},
		{"speed 2", Recording{Speed: 2}, 0, seq(600, sec/2, 1)},
		{"speed 0.5", Recording{Speed: 0.5, To: time.Minute}, 0, seq(60, 2*sec, 1)},
		{"scale 3", Recording{Scale: 3, To: time.Minute}, 0, seq(60, sec, 3)},
		// the window ends with the minute of the last request: 10 minutes
		{"loop whole", Recording{Loop: true}, 25 * time.Minute, seq(1500, sec, 1)},
		// [30 s, 90 s) repeated: one request a second from 0
		{"loop window", Recording{Loop: true, From: 30 * time.Second, To: 90 * time.Second}, 200 * time.Second, seq(200, sec, 1)},
		{"loop speed", Recording{Loop: true, To: time.Minute, Speed: 2}, time.Minute, seq(120, sec/2, 1)},
		// a window past the last request repeats its silence too: [9m, 11m)
		// has requests in its first minute only
		{"loop gap", Recording{Loop: true, From: 9 * time.Minute, To: 11 * time.Minute}, 4 * time.Minute,
			append(seq(60, sec, 1), shift(seq(60, sec, 1), 2*minute)...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.rec.Path, c.rec.FS = "s.csv", fsys
			got := ats(drain(t, open(t, c.rec, 1, c.until)))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %d arrivals %v...\nwant %d %v...", len(got), head(got), len(c.want), head(c.want))
			}
		})
	}
	// Fractional scales keep each record with the fractional probability:
	// Binomial counts.
	for _, scale := range []float64{0.5, 2.25} {
		got := drain(t, open(t, Recording{Path: "s.csv", FS: fsys, Scale: scale}, 7, 0))
		_, frac := math.Modf(scale)
		mean := 600 * scale
		sd := math.Sqrt(600 * frac * (1 - frac))
		if z := (float64(len(got)) - mean) / sd; math.Abs(z) > 4 {
			t.Errorf("scale %v: %d arrivals, want %v ± %.1f", scale, len(got), mean, sd)
		}
	}
}

func head(x []int64) []int64 { return x[:min(len(x), 8)] }

func shift(x []int64, by int64) []int64 {
	for i := range x {
		x[i] += by
	}
	return x
}

// The same windows on a per-minute trace: counts follow the window, speed,
// scale and loop as Poisson means.
func TestPerMinuteWindowSpeedScaleLoop(t *testing.T) {
	path := sharedData(t, "traces/azure-functions-2019/invocations.csv")
	counts := azureTruth(t, path)[0].counts
	// minutes 60..119, twice as fast, three times the rate: 30 s bins
	r := open(t, Recording{Path: path, Function: "#1", From: time.Hour, To: 2 * time.Hour, Speed: 2, Scale: 3}, 2, 0)
	want := make([]float64, 60)
	for i := range want {
		want[i] = 3 * counts[60+i]
	}
	arr := drain(t, r)
	poissonCheck(t, "window", perBin(arr, minute/2, 60), want)
	if last := arr[len(arr)-1].At; last >= 30*minute {
		t.Errorf("arrival at %v after the window's end (30m)", time.Duration(last))
	}
	// minutes 0..9 looped for 35 minutes
	r = open(t, Recording{Path: path, Function: "#1", To: 10 * time.Minute, Loop: true}, 3, 35*time.Minute)
	want = make([]float64, 35)
	for i := range want {
		want[i] = counts[i%10]
	}
	arr = drain(t, r)
	poissonCheck(t, "loop", perBin(arr, minute, 35), want)
	if last := arr[len(arr)-1].At; last >= 35*minute {
		t.Errorf("arrival at %v after until", time.Duration(last))
	}
	// A half minute window at the edge of two minutes.
	r = open(t, Recording{Path: path, Function: "#1", From: 90 * time.Second, To: 150 * time.Second}, 4, 0)
	poissonCheck(t, "half minutes", perBin(drain(t, r), minute/2, 2), []float64{counts[1] / 2, counts[2] / 2})
}

// Same seed, same stream; another seed, another stream.
func TestReplaySameSeed(t *testing.T) {
	path := sharedData(t, "traces/azure-functions-2019/invocations.csv")
	for _, rec := range []Recording{
		{Path: path, Function: "#2", To: 30 * time.Minute},
		{Path: "testdata/requests.csv", Scale: 1.5},
	} {
		a := drain(t, open(t, rec, 42, 0))
		b := drain(t, open(t, rec, 42, 0))
		c := drain(t, open(t, rec, 43, 0))
		if !slices.Equal(a, b) {
			t.Errorf("%s: same seed, different streams", rec.Path)
		}
		if slices.Equal(a, c) {
			t.Errorf("%s: different seeds, same stream", rec.Path)
		}
	}
}

// The reorder window: disorder within it is undone, beyond it is an error
// that says so (or a skipped record when lenient).
func TestReorder(t *testing.T) {
	var b strings.Builder
	b.WriteString("ts\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "%d\n", 1700000000+i)
	}
	b.WriteString("1700000003\n") // 98 records late (line 102)
	fsys := fstest.MapFS{"late.csv": {Data: []byte(b.String())}}
	got := drain(t, open(t, Recording{Path: "late.csv", FS: fsys}, 1, 0))
	if len(got) != 101 || got[4].At != 3e9 || got[3].At != 3e9 {
		t.Errorf("default window: %d arrivals %v", len(got), got[:6])
	}
	_, err := OpenRecording(Recording{Path: "late.csv", FS: fsys, Reorder: 10}, rand.NewPCG(1, 1), 0)
	if err == nil {
		r := open(t, Recording{Path: "late.csv", FS: fsys, Reorder: 10}, 1, 0)
		for buf := make([]Arrival, 10); r.Fill(buf) > 0; {
		}
		err = r.Err()
	}
	want := "late.csv:102: request at 2023-11-14T22:13:23Z is 1m26s before one already replayed: the file is out of order by more than the reorder window of 10 records (sort it by time, or raise reorder)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	r := open(t, Recording{Path: "late.csv", FS: fsys, Reorder: 10, Lenient: true}, 1, 0)
	if got := drain(t, r); len(got) != 100 || r.Skipped() != 1 {
		t.Errorf("lenient: %d arrivals, %d skipped", len(got), r.Skipped())
	}
}

// Gzip-compressed files (ALB logs come as .log.gz) read the same.
func TestGzip(t *testing.T) {
	raw, _ := os.ReadFile("testdata/requests.csv")
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(raw)
	w.Close()
	fsys := fstest.MapFS{"r.csv.gz": {Data: z.Bytes()}}
	a := drain(t, open(t, Recording{Path: "r.csv.gz", FS: fsys}, 1, 0))
	b := drain(t, open(t, Recording{Path: "testdata/requests.csv"}, 1, 0))
	if !slices.Equal(a, b) {
		t.Error("gzip replay differs")
	}
	if f, err := Detect(bytes.NewReader(z.Bytes())); f != FormatCSV || err != nil {
		t.Errorf("Detect(gzip) = %q, %v", f, err)
	}
}

func TestDetect(t *testing.T) {
	for file, want := range map[string]string{
		"traces/azure-functions-2019/invocations.csv":                            FormatAzure2019,
		"traces/azure-functions-2019/fullday/100_inv.csv":                        FormatAzure2019,
		"traces/azure-functions-2021/Azure2021_200.csv":                          FormatAzure2021,
		"logs/alb/elastic-beats_application-lb-http.log":                         FormatALB,
		"logs/alb/elastic-beats_example-alb-http.log":                            FormatALB,
		"logs/alb/elastic-integrations_test-alb.log":                             FormatALB,
		"logs/apigateway/elastic-integrations_test-apigateway-rest.log":          FormatAPIGateway,
		"logs/apigateway/elastic-integrations_test-apigateway.log":               FormatAPIGateway,
		"logs/lambda_logs/elastic-integrations_test-awslambda-plain.log":         FormatLambdaReport,
		"logs/lambda_logs/elastic-integrations_test-awslambda-platform-json.log": FormatLambdaReport,
		"logs/lambda_report/datadog_cloudwatch_log_coldstart.json":               FormatLambdaReport,
		"logs/lambda_report/datadog_cloudwatch_log_lambda_invocation.json":       FormatLambdaReport,
	} {
		f, err := os.Open(sharedData(t, file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Detect(f)
		f.Close()
		if got != want || err != nil {
			t.Errorf("%s: %q, %v; want %s", file, got, err, want)
		}
	}
	for file, want := range map[string]string{
		"testdata/requests.csv":                FormatCSV,
		"testdata/cloudwatch-invocations.json": FormatCloudWatch,
		"testdata/get-metric-data.json":        FormatCloudWatch,
	} {
		f, _ := os.Open(file)
		got, err := Detect(f)
		f.Close()
		if got != want || err != nil {
			t.Errorf("%s: %q, %v; want %s", file, got, err, want)
		}
	}
	for _, bad := range []string{"", "hello world\n", `{"foo": 1}`, "HashOwner,HashApp,HashFunction,Average\n"} {
		if f, err := Detect(strings.NewReader(bad)); err == nil {
			t.Errorf("%q detected as %s", bad, f)
		}
	}
}

// replayErr opens and drains a recording, returning the first error.
func replayErr(rec Recording) error {
	r, err := OpenRecording(rec, rand.NewPCG(1, 1), time.Hour)
	if err != nil {
		return err
	}
	buf := make([]Arrival, 64)
	for r.Fill(buf) > 0 {
	}
	return r.Err()
}

// Malformed recordings: a message naming file, line and field.
func TestMalformed(t *testing.T) {
	for _, c := range []struct {
		name, format, data string
		want               string
	}{
		{"bad.csv", "", "timestamp,user\n2024-01-01T00:00:00Z,a\nabc,b\n",
			`bad.csv:3: column 1 (timestamp): "abc" is not a time (want RFC 3339, or unix seconds or milliseconds)`},
		{"cut.csv", "", "time,user,duration_ms\n1700000000,a,5\n1700000001,b\n",
			`cut.csv:3: 2 columns, the header has 3: the line is cut short`},
		{"dur.csv", "", "time,duration_ms\n1700000000,-5\n",
			`dur.csv:2: column 2 (duration_ms): "-5" is not a duration (want seconds, or a number with a unit such as 120ms)`},
		{"nots.csv", "csv", "user,duration\na,1\n",
			`nots.csv:1: no timestamp column in the header (user,duration): name one timestamp, @timestamp, time, ts, datetime, date, start, start_time, arrival, arrival_time, request_time, at`},
		{"empty.csv", "csv", "", `empty.csv:1: no header line`},
		{"quote.csv", "", "time,user\n1700000000,\"a\n", `quote.csv:2: extraneous or missing " in quoted-field (at byte 15 of the line)`},
		{"inv.csv", "", "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,x,3\n",
			`inv.csv:2: column 6 (2): "x" is not an invocation count`},
		{"gap.csv", "", "HashOwner,HashApp,HashFunction,Trigger,1,2,4\no,a,f,http,1,2,3\n",
			`gap.csv:1: column 7 (4): minute columns must be consecutive (the previous one is 2)`},
		{"short.csv", "", "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,2\n",
			`short.csv:2: 6 columns, the header has 7: the line is cut short`},
		{"a21.csv", "azure2021", "app,func,end\na,f,1\n",
			`a21.csv:1: no end_timestamp column: an Azure Functions 2021 trace has app,func,end_timestamp,duration`},
		{"a21b.csv", "", "app,func,end_timestamp,duration\na,f,1.5,0.1\na,f,2.x,0.1\n",
			`a21b.csv:3: column 3 (end_timestamp): "2.x" is not a time in seconds`},
		{"nlb.log", "alb", "tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd\n",
			`nlb.log:1: field 1 (type): "tls" is not an Application Load Balancer request (http, https, h2, grpcs, ws, wss); NLB and connection logs hold no requests`},
		{"alb.log", "", `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T25:22:48.364000Z "forward" "-" "-"` + "\n",
			`alb.log:1: field 22 (request_creation_time): "2018-07-02T25:22:48.364000Z" is not a time`},
		{"albcut.log", "alb", "http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:5 - 0.1\n",
			`albcut.log:1: 6 fields, an ALB access log entry has at least 25: the line is cut short`},
		{"gw.log", "", `{"requestId":"x","ip":"1.2.3.4","requestTime":"10/Jun/2023:15:36:28 +0000"}` + "\n" + `{"requestId":"y","ip":"1.2.3.4","requestTime":"yesterday"}` + "\n",
			`gw.log:2: requestTime: "yesterday" is not a time (want 02/Jan/2006:15:04:05 -0700)`},
		{"gw2.log", "apigateway", `{"requestId":"x","ip":"1.2.3.4"}` + "\n",
			`gw2.log:1: no requestTime or requestTimeEpoch: add $context.requestTime to the access log format`},
		{"report.log", "", "START RequestId: 1 Version: $LATEST\nREPORT RequestId: 1\tDuration: 2.5 ms\tBilled Duration: 3 ms\n",
			`report.log:2: REPORT line without a time, and no time on a line before it (export with timestamps, e.g. aws logs tail or filter-log-events)`},
		{"report2.log", "", "2025-01-01T00:00:00Z START RequestId: 1\n2025-01-01T00:00:01Z REPORT RequestId: 1\tDuration: fast ms\n",
			`report2.log:2: Duration: REPORT line without a readable Duration`},
		{"trunc.json", "lambda-report", "{\"logEvents\": [\n {\"timestamp\": 1591284559101, \"message\": \"REPORT RequestId: 1\\tDuration: 1 ms\"},\n {\"timestamp\": 15912",
			`trunc.json:3: the file ends in the middle of a JSON value (truncated?)`},
		{"ts.json", "lambda-report", "{\"logEvents\": [\n {\"timestamp\": \"soon\", \"message\": \"REPORT RequestId: 1\\tDuration: 1 ms\"}\n]}\n",
			`ts.json:2: timestamp: "\"soon\"" is not a time (want milliseconds since the epoch)`},
		{"cw.json", "", "{\"Datapoints\": [\n {\"Timestamp\": \"2024-01-01T00:00:00Z\", \"Sum\": 1},\n {\"Timestamp\": \"2024-01-01T00:01:00Z\", \"Sum\": -1}\n]}\n",
			`cw.json:3: Datapoints[1].Sum: -1 is not a count of invocations`},
		{"cw2.json", "", "{\"Datapoints\": [\n {\"Timestamp\": \"2024-01-01T00:00:00Z\", \"Sum\": 1},\n {\"Timestamp\": \"2024-01-01T00:01:00Z\", \"Sum\": 1},\n {\"Timestamp\": \"2024-01-01T00:01:45Z\", \"Sum\": 1}\n]}\n",
			`cw2.json:3: timestamp 2024-01-01T00:01:00Z is not a whole number of periods (45s, the smallest gap between timestamps) after the first, 2024-01-01T00:00:00Z: set the period`},
		{"cw3.json", "cloudwatch", "{\"MetricDataResults\": [{\"Id\": \"m1\", \"Timestamps\": [\"2024-01-01T00:00:00Z\"], \"Values\": []}]}",
			`cw3.json:1: MetricDataResults[0]: 1 Timestamps but 0 Values`},
		{"x.csv", "parquet", "", `x.csv: unknown trace format "parquet": want one of csv, azure-functions-2019, azure-functions-2021, alb, apigateway, lambda-report, cloudwatch-metrics`},
		{"fn.csv", "", "time\n1\n", `fn.csv: format csv holds one stream: function "#1" does not apply`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := Recording{Path: c.name, Format: c.format, FS: fstest.MapFS{c.name: {Data: []byte(c.data)}}}
			if c.name == "fn.csv" {
				rec.Function = "#1"
			}
			err := replayErr(rec)
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
			if _, ierr := Inspect(rec); ierr == nil || ierr.Error() != c.want {
				t.Errorf("Inspect: got %v", ierr)
			}
		})
	}
}

// Lenient parsing skips and counts malformed records.
func TestLenient(t *testing.T) {
	data := "timestamp,user\n1700000000,a\nabc,b\n1700000002,c\n1700000003\n"
	fsys := fstest.MapFS{"x.csv": {Data: []byte(data)}}
	r := open(t, Recording{Path: "x.csv", FS: fsys, Lenient: true}, 1, 0)
	got := drain(t, r)
	if len(got) != 2 || r.Skipped() != 2 || got[1].At != 2e9 {
		t.Errorf("%d arrivals %v, %d skipped", len(got), got, r.Skipped())
	}
	sum, err := Inspect(Recording{Path: "x.csv", FS: fsys, Lenient: true})
	if err != nil || sum.Skipped != 2 || sum.Requests != 2 {
		t.Errorf("inspect %+v %v", sum, err)
	}
}

// Per-minute numbers count empty minutes, even across a long gap.
func TestInspectPerMinute(t *testing.T) {
	data := "time\n0\n1\n130\n150\n170\n" + "86400\n"
	sum, err := Inspect(Recording{Path: "x.csv", FS: fstest.MapFS{"x.csv": {Data: []byte(data)}}})
	if err != nil {
		t.Fatal(err)
	}
	// minutes: 0 → 2, 1 → 0, 2 → 3, 3..1439 → 0, 1440 → 1
	if sum.Minutes != 1441 || sum.MinPerMinute != 0 || sum.MaxPerMinute != 3 || sum.MeanPerMinute != 6.0/1441 || sum.Span != 1441*time.Minute {
		t.Errorf("inspect:\n%s", sum)
	}
	sum, _ = Inspect(Recording{Path: "x.csv", FS: fstest.MapFS{"x.csv": {Data: []byte(data)}}, From: 2 * time.Minute, To: 3 * time.Minute})
	if sum.Minutes != 1 || sum.MinPerMinute != 3 || sum.MaxPerMinute != 3 || sum.Requests != 3 {
		t.Errorf("inspect window:\n%s", sum)
	}
}

// Inspect reports the recording's own numbers: the busiest Azure 2019
// function's total, per-minute extremes and mean.
func TestInspectAzure2019(t *testing.T) {
	path := sharedData(t, "traces/azure-functions-2019/invocations.csv")
	row := azureTruth(t, path)[0]
	lo, hi := math.Inf(1), 0.0
	for _, c := range row.counts {
		lo, hi = math.Min(lo, c), math.Max(hi, c)
	}
	sum, err := Inspect(Recording{Path: path, Function: "#1", Durations: sharedData(t, "traces/azure-functions-2019/durations.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Function != row.fn || sum.Functions != 100 || sum.Requests != row.total || sum.Minutes != 480 ||
		sum.MinPerMinute != lo || sum.MaxPerMinute != hi || sum.MeanPerMinute != row.total/480 || sum.FirstColumn != "480" ||
		sum.Span != 8*time.Hour || sum.Durations == nil {
		t.Errorf("inspect:\n%s", sum)
	}
	t.Logf("\n%s", sum)
}

func TestCanonicalFormat(t *testing.T) {
	for in, want := range map[string]string{"azure2019": FormatAzure2019, "azure-functions-2021": FormatAzure2021, "ALB": FormatALB, "cloudwatch": FormatCloudWatch} {
		if got, err := CanonicalFormat(in); got != want || err != nil {
			t.Errorf("%s: %q %v", in, got, err)
		}
	}
}

func TestBadRecording(t *testing.T) {
	for _, rec := range []Recording{
		{},
		{Path: "x", From: -time.Second},
		{Path: "x", From: time.Minute, To: time.Second},
		{Path: "x", Speed: -1},
		{Path: "x", Scale: math.NaN()},
		{Path: "x", Reorder: -1},
	} {
		if _, err := OpenRecording(rec, rand.NewPCG(1, 1), time.Hour); err == nil {
			t.Errorf("%+v accepted", rec)
		}
	}
	if _, err := OpenRecording(Recording{Path: "testdata/requests.csv", Loop: true}, rand.NewPCG(1, 1), 0); err == nil {
		t.Error("loop without an end accepted")
	}
}

// Rates.MeanCount is the recording's counts, windowed, sped up, scaled and
// looped, exactly; per-request formats have no Rates.
func TestRatesMeanCount(t *testing.T) {
	path := sharedData(t, "traces/azure-functions-2019/invocations.csv")
	counts := azureTruth(t, path)[0].counts
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%s: MeanCount %v, recorded %v", what, got, want)
		}
	}
	rs := open(t, Recording{Path: path, Function: "#1", From: time.Hour, To: 2 * time.Hour, Speed: 2, Scale: 3}, 1, 0).Rates()
	for i := 0; i < 60; i++ {
		near(fmt.Sprintf("window minute %d", i), rs.MeanCount(30*float64(i), 30*float64(i+1)), 3*counts[60+i])
		if got := rs.RateAt(30*float64(i) + 1); math.Abs(got-3*counts[60+i]/30) > 1e-9 {
			t.Errorf("RateAt minute %d: %v, want %v", i, got, 3*counts[60+i]/30)
		}
	}
	near("after the window", rs.MeanCount(1800, 5000), 0)
	rs = open(t, Recording{Path: path, Function: "#1", To: 10 * time.Minute, Loop: true}, 1, 35*time.Minute).Rates()
	for i := 0; i < 35; i++ {
		near(fmt.Sprintf("loop minute %d", i), rs.MeanCount(60*float64(i), 60*float64(i+1)), counts[i%10])
	}
	near("past until", rs.MeanCount(35*60, 40*60), 0)
	rs = open(t, Recording{Path: path, Function: "#1", From: 90 * time.Second, To: 150 * time.Second}, 1, 0).Rates()
	near("half minutes", rs.MeanCount(0, 30), counts[1]/2)
	near("half minutes", rs.MeanCount(15, 45), counts[1]/4+counts[2]/4)
	// The stream drawn through Rates is the Replay's.
	a := drain(t, open(t, Recording{Path: path, Function: "#4"}, 8, 0).Rates())
	b := drain(t, open(t, Recording{Path: path, Function: "#4"}, 8, 0))
	if !slices.Equal(a, b) {
		t.Error("Rates and Replay streams differ")
	}
	if open(t, Recording{Path: "testdata/requests.csv"}, 1, 0).Rates() != nil {
		t.Error("a per-request replay has Rates")
	}
}

// The shapes Lambda logs leave CloudWatch Logs in: filter-log-events JSON,
// `aws logs tail` text, a bare array, JSON-format platform.report lines and
// a JSON-format line shipped inside an event; each request arrives Duration
// + Init/Restore Duration before its report.
func TestLambdaShapes(t *testing.T) {
	const report = `REPORT RequestId: 1\tDuration: 100.5 ms\tBilled Duration: 101 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 200.25 ms\t`
	t0 := int64(1700000000000) // ms
	files := map[string]string{
		"filter.json": `{"events": [{"logStreamName": "2023/11/14/[$LATEST]abc", "timestamp": 1700000000000, "message": "START RequestId: 1 Version: $LATEST\n", "ingestionTime": 1700000000100, "eventId": "1"},
			{"logStreamName": "2023/11/14/[$LATEST]abc", "timestamp": 1700000000000, "message": "` + report + `\n", "ingestionTime": 1700000000100, "eventId": "2"}],
			"searchedLogStreams": [{"logStreamName": "2023/11/14/[$LATEST]abc", "searchedCompletely": true}]}`,
		"tail.log":      "2023-11-14T22:13:20.000000+00:00 2023/11/14/[$LATEST]abc " + strings.ReplaceAll(report, `\t`, "\t") + "\n",
		"array.json":    `[{"timestamp": 1700000000000, "message": "` + report + `"}]`,
		"platform.json": `{"time":"2023-11-14T22:13:20.000Z","type":"platform.report","record":{"requestId":"1","metrics":{"durationMs":100.5,"billedDurationMs":101,"memorySizeMB":128,"maxMemoryUsedMB":60,"initDurationMs":200.25},"status":"success"}}` + "\n",
		"shipped.json":  `{"logEvents":[{"id":"1","timestamp":1700000000000,"message":"{\"time\":\"2023-11-14T22:13:20.000Z\",\"type\":\"platform.report\",\"record\":{\"metrics\":{\"durationMs\":100.5,\"restoreDurationMs\":200.25}}}"}]}`,
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	for name := range files {
		sum, err := Inspect(Recording{Path: name, FS: fsys})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := time.Unix(0, ms(t0, 100.5, 200.25)).UTC()
		if sum.Format != FormatLambdaReport || sum.Requests != 1 || !sum.Start.Equal(want) || sum.Durations == nil || (sum.Durations.Quantile(1)-100500*time.Microsecond).Abs() > time.Microsecond {
			t.Errorf("%s:\n%s\nwant one request at %v lasting 100.5ms", name, sum, want)
		}
	}
}
