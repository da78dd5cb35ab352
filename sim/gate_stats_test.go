package sim_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/analysis"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
	"gonum.org/v1/gonum/stat/distuv"
)

// statModel: 50 requests/s, both versions failing 2 % of requests (a
// healthy twin) unless targetErrors says otherwise.
func statModel(t *testing.T, targetErrors string, seed int) *sim.Model {
	t.Helper()
	s := parse(t, `
name: stat
seed: `+itoa(seed)+`
horizon: 20m
function: {name: fn, alias: live}
traffic: {rate: 50}
versions:
  current: {version: "1", error_rate: 0.02, latency: {mu: -3, sigma: 0.5}}
  target:  {version: "2", error_rate: `+targetErrors+`, latency: {mu: -3, sigma: 0.5}}
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: 0s}
deployment: {start: 0s, strategies: [AllAtOnce]}
`)
	s.Model.Engine = sim.Batched
	return &s.Model
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

// flaggerGate: a Flagger canary (1m, +10 % to 50 %, threshold 1) gated only
// by q, failing when the value leaves thresholdRange.
func flaggerGate(q gate.Query, r analysis.Range) sim.Strategy {
	p := &strategies.FlaggerPlan{Analysis: analysis.Flagger{Interval: time.Minute, StepWeight: 10, MaxWeight: 50, Threshold: 1},
		Metrics: []strategies.FlaggerMetric{{Check: analysis.FlaggerMetric{Name: q.Kind.String(), Range: r}, Query: q}}}
	return sim.Strategy{Name: "flagger-" + q.Kind.String(), Config: strategies.Config{Name: "f", Type: strategies.FlaggerType, Flagger: p}}
}

// TestSequentialGateFalseAlarms: the sequential gate on a healthy twin
// (same error rate) stops the canary — its p-value at some tick at or below
// α = 0.05 — in at most α of 300 seeds, within 3 standard errors (the
// anytime guarantee, across weight steps and checks at every tick); a
// target failing three times as often is caught in most seeds.
func TestSequentialGateFalseAlarms(t *testing.T) {
	if testing.Short() {
		t.Skip("300 simulated deployments")
	}
	st := flaggerGate(gate.Query{Kind: gate.Sequential}, analysis.Range{Min: fptr(0.05 + 1e-12)})
	const seeds = 300
	count := func(target string) int {
		stopped := 0
		for seed := 1; seed <= seeds; seed++ {
			res, err := sim.Run(statModel(t, target, seed), st)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status == deploy.Stopped {
				if res.RollbackCause != "gate:sequential" {
					t.Fatalf("seed %d: cause %q", seed, res.RollbackCause)
				}
				stopped++
			} else if res.Status != deploy.Succeeded {
				t.Fatalf("seed %d: %s", seed, res.Status)
			}
		}
		return stopped
	}
	null := count("0.02")
	rate := float64(null) / seeds
	se := math.Sqrt(0.05 * 0.95 / seeds)
	t.Logf("healthy twin: %d of %d seeds stopped (%.3f; z = %.2f against 0.05)", null, seeds, rate, (rate-0.05)/se)
	if rate > 0.05+3*se {
		t.Errorf("false-alarm rate %.3f > α + 3 s.e. = %.3f", rate, 0.05+3*se)
	}
	bad := count("0.06")
	t.Logf("3x error rate: %d of %d seeds stopped", bad, seeds)
	if bad < seeds*8/10 {
		t.Errorf("power: %d of %d", bad, seeds)
	}
}

// TestKayentaGate: the kayenta gate over a 2-minute window (the score of
// latency and per-minute error rate, target against current): a target 65 %
// slower (median e^-2.5 s against e^-3 s) scores 50 (latency High) on its
// first check with data and is rolled back; an identical twin scores 100 and
// is promoted. The score is the same for both engines' latency-free twin.
func TestKayentaGate(t *testing.T) {
	st := flaggerGate(gate.Query{Kind: gate.Kayenta, Window: 2 * time.Minute}, analysis.Range{Min: fptr(75)})
	healthy := statModel(t, "0.02", 1)
	healthy.Engine = sim.PerRequest
	res, err := sim.Run(healthy, st)
	if err != nil {
		t.Fatal(err)
	}
	steps := stepsText(res)
	if res.Status != deploy.Succeeded || !strings.Contains(steps, "Measurement 0 100") {
		t.Errorf("healthy twin: %s\n%s", res.Status, steps)
	}
	slow := statModel(t, "0.02", 1)
	slow.Engine = sim.PerRequest
	slow.Versions[sim.Target].Latency.Mu = -2.5
	res, err = sim.Run(slow, st)
	if err != nil {
		t.Fatal(err)
	}
	steps = stepsText(res)
	if res.Status != deploy.Stopped || res.RollbackCause != "gate:kayenta" || !strings.Contains(steps, "2m0s Measurement 0 50") {
		t.Errorf("slow target: %s %s\n%s", res.Status, res.RollbackCause, steps)
	}
	// Reproducible: the same seed gives the same steps (Kayenta's noise is
	// seeded from the simulation seed).
	again, _ := sim.Run(slow, st)
	if stepsText(again) != steps {
		t.Error("the same seed gave different steps")
	}
}

// TestKayentaGateNoData: a Flagger canary (+5 % a minute, threshold 2) on
// the kayenta gate over 2-minute windows, with CloudWatch's one-minute
// publication delay, on a healthy twin at 10 requests/s. Its first check
// (2 min) finds no canary data — the canary got traffic at 1 min and that
// minute is not published until 3 min — so Kayenta's rule (noData: fail)
// scores it 0 in every seed, spending one of the two failed checks the
// threshold allows; noData: pass scores it 100 in every seed. The
// false-rollback rate over 100 seeds falls accordingly (the rest are the
// judge's own false Highs); a target 65 % slower is still rolled back with
// noData: pass.
func TestKayentaGateNoData(t *testing.T) {
	if testing.Short() {
		t.Skip("200 simulated deployments on the per-request engine")
	}
	const seeds = 100
	plan := func(nd gate.NoData) sim.Strategy {
		st := flaggerGate(gate.Query{Kind: gate.Kayenta, Window: 2 * time.Minute, NoData: nd}, analysis.Range{Min: fptr(75)})
		st.Config.Flagger.Analysis.Threshold, st.Config.Flagger.Analysis.StepWeight = 2, 5
		return st
	}
	model := func(seed int) *sim.Model {
		m := statModel(t, "0.02", seed)
		m.Engine, m.MetricDelay, m.Traffic.Rate = sim.PerRequest, time.Minute, 10
		return m
	}
	rollbacks := func(nd gate.NoData, first, note string) int {
		n := 0
		for seed := 1; seed <= seeds; seed++ {
			res, err := sim.Run(model(seed), plan(nd))
			if err != nil {
				t.Fatal(err)
			}
			if steps := stepsText(res); !strings.Contains(steps, first) {
				t.Fatalf("noData %s, seed %d: no %q\n%s", nd, seed, first, steps)
			}
			if !strings.Contains(timelineText(res), note) {
				t.Fatalf("noData %s, seed %d: the timeline does not say %q", nd, seed, note)
			}
			switch res.Status {
			case deploy.Stopped:
				n++
			case deploy.Succeeded:
			default:
				t.Fatalf("noData %s, seed %d: %s", nd, seed, res.Status)
			}
		}
		return n
	}
	before := rollbacks(gate.NoDataFail, "2m0s Measurement 0 0\n", "0/100 (Kayenta scores 0: Nodata in at least half of the metrics)")
	after := rollbacks(gate.NoDataPass, "2m0s Measurement 0 100 -> SetWeight 10", "100/100 (no data in either metric, not held against the canary under noData: pass)")
	p1, p2 := float64(before)/seeds, float64(after)/seeds
	pool := float64(before+after) / (2 * seeds)
	z := (p1 - p2) / math.Sqrt(pool*(1-pool)*2/seeds)
	t.Logf("healthy twin false rollbacks: noData fail %d/%d, noData pass %d/%d (z = %.2f)", before, seeds, after, seeds, z)
	if z < 3 {
		t.Errorf("noData: pass did not lower the false-rollback rate: %d → %d of %d (z = %.2f)", before, after, seeds, z)
	}
	slow := model(1)
	slow.Versions[sim.Target].Latency.Mu = -2.5
	res, err := sim.Run(slow, plan(gate.NoDataPass))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != deploy.Stopped || res.RollbackCause != "gate:kayenta" {
		t.Errorf("slow target with noData: pass: %s %s\n%s", res.Status, res.RollbackCause, stepsText(res))
	}
}

// TestSequentialLatencyGate: the continuous sequential test (Howard–Ramdas
// DKW bands) as a Flagger check that fails once its anytime p-value drops
// to α = 0.05, on a canary stepping 10 % a minute to 50 % at 20 requests/s.
// A healthy twin (the same latency law) is stopped in at most α of 100
// seeds (held to the Binomial(100, 0.05) tail); a target 30 % slower
// (every latency × 1.3) is stopped in every seed, one-sided sooner than or
// as soon as two-sided.
func TestSequentialLatencyGate(t *testing.T) {
	if testing.Short() {
		t.Skip("300 simulated deployments on the per-request engine")
	}
	const seeds = 100
	run := func(slower float64, oneSided bool) (stopped int, meanStop float64) {
		st := flaggerGate(gate.Query{Kind: gate.SequentialLatency, OneSided: oneSided}, analysis.Range{Min: fptr(0.05 + 1e-12)})
		for seed := 1; seed <= seeds; seed++ {
			m := statModel(t, "0.02", seed)
			m.Engine, m.Traffic.Rate = sim.PerRequest, 20
			m.Versions[sim.Target].Latency.Mu += math.Log(slower)
			res, err := sim.Run(m, st)
			if err != nil {
				t.Fatal(err)
			}
			switch res.Status {
			case deploy.Stopped:
				if res.RollbackCause != "gate:sequential_latency" {
					t.Fatalf("seed %d: cause %q", seed, res.RollbackCause)
				}
				stopped++
				meanStop += res.End.Minutes()
			case deploy.Succeeded:
			default:
				t.Fatalf("seed %d: %s", seed, res.Status)
			}
		}
		return stopped, meanStop / float64(max(stopped, 1))
	}
	null, _ := run(1, false)
	tail := 1 - distuv.Binomial{N: seeds, P: 0.05}.CDF(float64(null-1))
	t.Logf("healthy twin: %d of %d seeds stopped (α = 0.05; P(X ≥ %d) = %.3g)", null, seeds, null, tail)
	if tail < 0.001 {
		t.Errorf("false alarms %d of %d exceed α", null, seeds)
	}
	two, at2 := run(1.3, false)
	one, at1 := run(1.3, true)
	t.Logf("target 30 %% slower: two-sided %d/%d stopped at %.2f min on average, one-sided %d/%d at %.2f min", two, seeds, at2, one, seeds, at1)
	if two != seeds || one != seeds || at1 > at2 {
		t.Errorf("power: two-sided %d at %.2f, one-sided %d at %.2f", two, at2, one, at1)
	}
}

// timelineText is a run's timeline, one entry per line.
func timelineText(res *sim.Result) string {
	var b strings.Builder
	for _, e := range res.Timeline {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}
