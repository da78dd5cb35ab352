package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
)

func estimateOf(t *testing.T, traffic, horizon string) sim.Work {
	t.Helper()
	base, err := os.ReadFile(filepath.Join("testdata", "hostile", "ok", "base.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.ParseWith(nil, filepath.Join("testdata", "hostile", "ok", "x.yaml"), base,
		scenario.Setting{Path: "traffic", Value: traffic}, scenario.Setting{Path: "horizon", Value: horizon})
	if err != nil {
		t.Fatal(err)
	}
	return sim.Estimate(&s.Model)
}

// The estimate's request count is the stream's mean, read from the
// traffic's spec: exact for a Poisson source (rate × horizon) and a bursty
// one (the dwell-weighted mean of its rates, from its stationary start),
// the whole stream for a short recording.
func TestEstimateRequests(t *testing.T) {
	if got := estimateOf(t, "{rate: 100}", "1h").Requests; got != 360000 {
		t.Errorf("Poisson 100/s over 1 h: %v requests, want 360000", got)
	}
	w := estimateOf(t, "{pattern: bursty, phases: [{rate: 10, dwell: 5s}, {rate: 100, dwell: 5s}]}", "4h")
	if want := 55.0 * 4 * 3600; w.Requests != want {
		t.Errorf("bursty 10/100 with equal dwells over 4 h: %v requests, want %v", w.Requests, want)
	}
	if got := estimateOf(t, "{replay: {file: ../rec/csv-ok.csv}}", "30m").Requests; got != 120 {
		t.Errorf("a 120-request recording: %v requests", got)
	}
	// The per-request engine pays per request, the batched engine per
	// count cell (a metric minute): 1000/s over an hour is 3.6 M requests
	// but 60 cells.
	per := estimateOf(t, "{rate: 1000}", "1h")
	if per.Engine != sim.Batched || per.CPU > time.Second {
		t.Errorf("batched: %+v", per)
	}
}

// SHIFTSIM_MAX_CPU and SHIFTSIM_MAX_MEMORY move the limits, parsed strictly.
func TestWorkLimits(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	cpu, mem, err := workLimits(get)
	if err != nil || cpu != float64(10*time.Minute) || mem != 4<<30 {
		t.Fatalf("defaults: %v %v %v", cpu, mem, err)
	}
	env[envMaxCPU], env[envMaxMemory] = "3h", "16GiB"
	if cpu, mem, err = workLimits(get); err != nil || cpu != float64(3*time.Hour) || mem != 16<<30 {
		t.Fatalf("raised: %v %v %v", cpu, mem, err)
	}
	for _, bad := range [][2]string{{envMaxCPU, "NaN"}, {envMaxCPU, "-1h"}, {envMaxMemory, "1e9"}, {envMaxMemory, "16GB"}, {envMaxMemory, "0"}} {
		env = map[string]string{bad[0]: bad[1]}
		if _, _, err := workLimits(get); err == nil {
			t.Errorf("%s=%s accepted", bad[0], bad[1])
		}
	}
}
