package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/judge"
)

// TestKayentaGateAgreesWithJudge: the kayenta gate's judgement of a window
// (judge.Window: latency and per-minute error rate, direction increase,
// Kayenta's defaults) is what `shiftsim judge` prints for the same samples:
// each metric's classification with --direction increase, and the score of
// `judge --canary` with the two metrics in their own groups.
func TestKayentaGateAgreesWithJudge(t *testing.T) {
	src := rand.New(rand.NewPCG(8, 9))
	latencies := func(n int, mu float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 1000 * math.Exp(mu+0.5*src.NormFloat64()) // ms, like the simulator's Duration samples
		}
		return v
	}
	rates := func(n, requests int, p float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			e := 0
			for range requests {
				if src.Float64() < p {
					e++
				}
			}
			v[i] = float64(e) / float64(requests)
		}
		return v
	}
	dir := t.TempDir()
	write := func(name string, v []float64) string {
		p := filepath.Join(dir, name)
		b, _ := json.Marshal(v)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name               string
		canaryMu, canaryP  float64
		wantLat, wantRates judge.Class
	}{
		{"healthy", -3, 0.01, judge.Pass, judge.Pass},
		{"slow", -2.6, 0.01, judge.High, judge.Pass},
		{"failing", -3, 0.05, judge.Pass, judge.High},
	} {
		cl, bl := latencies(300, tt.canaryMu), latencies(2700, -3)
		ce, be := rates(5, 300, tt.canaryP), rates(5, 2700, 0.01)
		gate := judge.DefaultWindow().Judge(cl, bl, ce, be, rand.NewPCG(1, 2))
		if gate.Latency.Class != tt.wantLat || gate.ErrorRate.Class != tt.wantRates {
			t.Fatalf("%s: gate %s/%s, want %s/%s", tt.name, gate.Latency.Class, gate.ErrorRate.Class, tt.wantLat, tt.wantRates)
		}
		for _, m := range []struct {
			name             string
			canary, baseline []float64
			want             judge.Classification
		}{{"latency", cl, bl, gate.Latency}, {"error_rate", ce, be, gate.ErrorRate}} {
			code, out, errs := runCLI("judge", "--control", write(tt.name+m.name+"-b.json", m.baseline),
				"--experiment", write(tt.name+m.name+"-c.json", m.canary), "--direction", "increase", "--output", "json")
			var doc struct {
				Classification judge.Class `json:"classification"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Classification != m.want.Class {
				t.Errorf("%s %s: judge says %q (exit %d %s), the gate %s", tt.name, m.name, doc.Classification, code, errs, m.want.Class)
			}
		}
		canary := map[string]any{"metrics": []any{
			map[string]any{"name": "latency", "groups": []string{"latency"}, "control": bl, "experiment": cl,
				"analysisConfigurations": map[string]any{"canary": map[string]any{"direction": "increase"}}},
			map[string]any{"name": "error_rate", "groups": []string{"error_rate"}, "control": be, "experiment": ce,
				"analysisConfigurations": map[string]any{"canary": map[string]any{"direction": "increase"}}},
		}}
		b, _ := json.Marshal(canary)
		p := filepath.Join(dir, tt.name+"-canary.json")
		os.WriteFile(p, b, 0o644)
		code, out, errs := runCLI("judge", "--canary", p, "--output", "json")
		var doc struct {
			Score float64 `json:"score"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Score != gate.Score.Summary {
			t.Errorf("%s: judge --canary scores %v (exit %d %s), the gate %v", tt.name, doc.Score, code, strings.TrimSpace(errs), gate.Score.Summary)
		}
	}
}
