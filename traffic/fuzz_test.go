package traffic

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// fuzzSeeds adds the real samples of a format (from ../shared/data, when
// present; large ones cut to their first lines), the testdata files, and
// literal seeds.
func fuzzSeeds(f *testing.F, files []string, literal ...string) {
	for _, rel := range files {
		for _, p := range []string{filepath.Join("..", "..", "shared", "data", filepath.FromSlash(rel)), rel} {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if len(b) > 8<<10 && !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
				cut := bytes.SplitAfterN(b, []byte("\n"), 6)
				b = bytes.Join(cut[:len(cut)-1], nil)
			}
			if len(b) > 64<<10 {
				b = b[:64<<10]
			}
			f.Add(b, false)
			f.Add(b, true)
		}
	}
	for _, s := range literal {
		f.Add([]byte(s), false)
	}
}

// fuzzReplay opens data as format (strict or lenient), replays at most
// 20,000 arrivals and inspects it: no panic, arrivals in order and sane,
// every error a message that names the file (and a line, for a
// ParseError), and Inspect agreeing with the replay on per-request formats.
func fuzzReplay(t *testing.T, format string, data []byte, lenient bool) {
	const name = "fuzz.in"
	// A hung parser crashes the worker, so the fuzzer keeps the input.
	wd := time.AfterFunc(20*time.Second, func() {
		panic(fmt.Sprintf("%s input of %d bytes (lenient %v) runs for more than 20 s", format, len(data), lenient))
	})
	defer wd.Stop()
	rec := Recording{Path: name, Format: format, FS: fstest.MapFS{name: {Data: data}}, Lenient: lenient}
	checkErr := func(what string, err error) {
		if err == nil {
			return
		}
		if !strings.HasPrefix(err.Error(), name+":") {
			t.Fatalf("%s: error without the file name: %v", what, err)
		}
		var pe *ParseError
		if errors.As(err, &pe) && pe.Line < 1 {
			t.Fatalf("%s: error without a line: %v", what, err)
		}
	}
	sum, ierr := Inspect(rec)
	checkErr("Inspect", ierr)
	r, err := OpenRecording(rec, rand.NewPCG(1, 2), 0)
	checkErr("OpenRecording", err)
	if err != nil {
		if ierr == nil {
			t.Fatalf("Inspect accepted what OpenRecording refused: %v", err)
		}
		return
	}
	defer r.Close()
	if rs := r.Rates(); rs != nil && ierr == nil {
		// Two ways to the window's expected count must agree.
		if got := rs.MeanCount(0, math.Inf(1)); math.Abs(got-sum.Requests) > 1e-9*math.Max(1, sum.Requests) && !math.IsInf(sum.Requests, 0) {
			t.Fatalf("MeanCount over the window %v, Inspect %v", got, sum.Requests)
		}
	}
	buf := make([]Arrival, 101)
	last, n := int64(math.MinInt64), 0
	for n < 20000 {
		k := r.Fill(buf)
		if k == 0 {
			break
		}
		for _, a := range buf[:k] {
			if a.At < last || a.At < 0 {
				t.Fatalf("arrival %d at %d after %d", n, a.At, last)
			}
			if !(a.Duration >= 0) || math.IsInf(float64(a.Duration), 0) {
				t.Fatalf("arrival %d has duration %v", n, a.Duration)
			}
			last = a.At
			n++
		}
	}
	checkErr("Replay", r.Err())
	if perPeriod(r.Format()) || n >= 20000 {
		return
	}
	if (ierr == nil) != (r.Err() == nil) {
		t.Fatalf("Inspect says %v, the replay %v", ierr, r.Err())
	}
	if ierr == nil && sum.Requests != float64(n) {
		t.Fatalf("Inspect counts %v requests, the replay %d", sum.Requests, n)
	}
}

func FuzzCSV(f *testing.F) {
	fuzzSeeds(f, []string{"testdata/requests.csv"},
		"timestamp,user,duration\n2024-01-01T00:00:00Z,a,0.5\n2024-01-01T00:00:01.5Z,b,120ms\n",
		"ts_ms,session\n1700000000000,x\n1700000000001,\n",
		"time\n1.5\n0.5\n\n2.5\n", "time,duration\n\"1\",\"2\n")
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatCSV, data, lenient) })
}

func FuzzAzure2019(f *testing.F) {
	fuzzSeeds(f, []string{"traces/azure-functions-2019/invocations.csv", "traces/azure-functions-2019/fullday/100_inv.csv"},
		"HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,2,3\no,a,g,timer,0,0,1e9\n",
		"HashFunction,minute_1,minute_2\nf,1,2\n")
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatAzure2019, data, lenient) })
}

func FuzzAzure2021(f *testing.F) {
	fuzzSeeds(f, []string{"traces/azure-functions-2021/Azure2021_200.csv"},
		"app,func,end_timestamp,duration\na,f,1.5,0.25\na,g,0.5,0.5\n")
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatAzure2021, data, lenient) })
}

func FuzzALB(f *testing.F) {
	fuzzSeeds(f, []string{"logs/alb/elastic-beats_application-lb-http.log", "logs/alb/elastic-beats_example-alb-http.log", "logs/alb/elastic-integrations_test-alb.log"})
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatALB, data, lenient) })
}

func FuzzAPIGateway(f *testing.F) {
	fuzzSeeds(f, []string{"logs/apigateway/elastic-integrations_test-apigateway-rest.log", "logs/apigateway/elastic-integrations_test-apigateway.log"},
		`1.2.3.4 - - [10/Jun/2023:15:36:28 +0000] "GET /pets HTTP/1.1" 200 184 48752d0f`+"\n",
		`{"logEvents":[{"timestamp":1,"message":"{\"requestTime\":\"10/Jun/2023:15:36:28 +0000\",\"integrationLatency\":\"12\"}"}]}`,
		`{"requestTimeEpoch":1686411388000,"ip":"1.2.3.4","responseLatency":35}`+"\n")
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatAPIGateway, data, lenient) })
}

func FuzzLambdaReport(f *testing.F) {
	fuzzSeeds(f, []string{"logs/lambda_logs/elastic-integrations_test-awslambda-plain.log", "logs/lambda_logs/elastic-integrations_test-awslambda-platform-json.log",
		"logs/lambda_report/datadog_cloudwatch_log_coldstart.json", "logs/lambda_report/datadog_cloudwatch_log_timeout.json"},
		"2025-01-01T00:00:00.000Z REPORT RequestId: 1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tInit Duration: 100.2 ms\n",
		`{"events":[{"timestamp":1591284559101,"message":"REPORT RequestId: x\\tDuration: 1.76 ms\\tRestore Duration: 5 ms"}]}`,
		`[{"timestamp":"2025-01-01T00:00:00Z","message":"REPORT RequestId: x Duration: 1 ms"}]`)
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatLambdaReport, data, lenient) })
}

func FuzzCloudWatch(f *testing.F) {
	fuzzSeeds(f, []string{"testdata/cloudwatch-invocations.json", "testdata/get-metric-data.json"},
		`{"Datapoints":[{"Timestamp":"2024-01-01T00:00:00Z","Sum":5},{"Timestamp":"2024-01-01T00:02:00Z","Sum":1}]}`,
		`{"MetricDataResults":[{"Id":"m","Timestamps":["2024-01-01T00:00:00+00:00"],"Values":[3]}]}{"MetricDataResults":[]}`)
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) { fuzzReplay(t, FormatCloudWatch, data, lenient) })
}

// Detect never panics, and what it names, OpenRecording opens or refuses
// with a located error.
func FuzzDetect(f *testing.F) {
	fuzzSeeds(f, []string{"testdata/requests.csv", "testdata/get-metric-data.json", "traces/azure-functions-2021/Azure2021_200.csv",
		"logs/alb/elastic-beats_example-alb-http.log", "logs/lambda_report/datadog_cloudwatch_log_timeout.json"})
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) {
		format, err := Detect(bytes.NewReader(data))
		if err != nil {
			return
		}
		fuzzReplay(t, format, data, lenient)
	})
}
