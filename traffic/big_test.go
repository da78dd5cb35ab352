package traffic

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeBigCSV writes a per-request CSV of about mb MiB: requests ~2 ms
// apart, 1 in 50 written up to 30 records late (as log shippers do), users
// from a pool of 100,000, durations in ms. It returns the number of records.
func writeBigCSV(t testing.TB, path string, mb int) int64 {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 1))
	w.WriteString("timestamp,user_id,duration_ms\n")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	at := t0
	var held []string
	n, size := int64(0), int64(0)
	b := make([]byte, 0, 96)
	for size < int64(mb)<<20 {
		at += int64(rng.ExpFloat64() * 2e6)
		b = time.Unix(0, at).UTC().AppendFormat(b[:0], "2006-01-02T15:04:05.000000Z")
		b = append(b, ",user-"...)
		b = strconv.AppendInt(b, int64(rng.IntN(100000)), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, 1+rng.ExpFloat64()*40, 'f', 1, 64)
		b = append(b, '\n')
		if rng.IntN(50) == 0 {
			held = append(held, string(b))
		} else {
			w.Write(b)
			size += int64(len(b))
		}
		if len(held) > 0 && rng.IntN(30) == 0 {
			for _, h := range held {
				w.WriteString(h)
				size += int64(len(h))
			}
			held = held[:0]
		}
		n++
	}
	for _, h := range held {
		w.WriteString(h)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return n
}

// vmHWM is the process's peak resident set size, from /proc (Linux).
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}

// A replay's memory does not grow with the file: the live heap, measured
// after a GC at twenty points of a replay of a large per-request CSV
// (SHIFTSIM_BIG_TRACE_MB MiB, default 20), stays within 2 MiB of where it
// was after the first twentieth. Run it at 1024 to see a gigabyte replay;
// the test logs the peak RSS.
func TestBigTraceFlatMemory(t *testing.T) {
	mb := 20
	if s := os.Getenv("SHIFTSIM_BIG_TRACE_MB"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("SHIFTSIM_BIG_TRACE_MB=%q: want a number of MiB", s)
		}
		mb = v
	}
	if testing.Short() && mb > 20 {
		t.Skip("big trace in -short mode")
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	start := time.Now()
	n := writeBigCSV(t, path, mb)
	t.Logf("wrote %d MiB, %d requests in %v", mb, n, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	r := open(t, Recording{Path: path}, 1, 0)
	buf := make([]Arrival, 4096)
	var got, next int64
	step := n / 20
	var live []uint64
	var ms runtime.MemStats
	last := int64(-1)
	for {
		k := r.Fill(buf)
		if k == 0 {
			break
		}
		for _, a := range buf[:k] {
			if a.At < last {
				t.Fatalf("out of order at %d", got)
			}
			last = a.At
		}
		got += int64(k)
		if got >= next {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			live = append(live, ms.HeapAlloc)
			next += step
		}
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	elapsed := time.Since(start)
	if got != n {
		t.Fatalf("replayed %d of %d requests", got, n)
	}
	base, peak := live[1], uint64(0)
	for _, l := range live[1:] {
		peak = max(peak, l)
	}
	var mbs []string
	for _, l := range live {
		mbs = append(mbs, fmt.Sprintf("%.1f", float64(l)/(1<<20)))
	}
	t.Logf("replayed %d requests in %v (%.1f M/s); live heap MiB at each twentieth: %s; peak RSS %s",
		got, elapsed.Round(time.Millisecond), float64(got)/elapsed.Seconds()/1e6, strings.Join(mbs, " "), vmHWM())
	if peak > base+2<<20 {
		t.Errorf("live heap grew from %.1f MiB to %.1f MiB while replaying", float64(base)/(1<<20), float64(peak)/(1<<20))
	}
}

// BenchmarkReplayCSV measures parsing and replaying a per-request CSV
// (requests per second, allocations per request).
func BenchmarkReplayCSV(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.csv")
	n := writeBigCSV(b, path, 8)
	buf := make([]Arrival, 4096)
	b.ResetTimer()
	for range b.N {
		r, err := OpenRecording(Recording{Path: path}, rand.NewPCG(1, 1), 0)
		if err != nil {
			b.Fatal(err)
		}
		for r.Fill(buf) > 0 {
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n)/float64(b.N), "ns/request")
}

// BenchmarkReplayAzure2019 measures a per-minute replay: the Poisson
// generator at the busiest sample function's rate.
func BenchmarkReplayAzure2019(b *testing.B) {
	path := sharedData(b, "traces/azure-functions-2019/invocations.csv")
	buf := make([]Arrival, 4096)
	var n int64
	b.ResetTimer()
	for range b.N {
		r, err := OpenRecording(Recording{Path: path, Function: "#1"}, rand.NewPCG(1, 1), 0)
		if err != nil {
			b.Fatal(err)
		}
		for k := r.Fill(buf); k > 0; k = r.Fill(buf) {
			n += int64(k)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "requests/s")
}
