package sim_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/shiftsim/shiftsim/report"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/traffic"
)

// load and parse pin the per-request engine: these tests hold it to
// theory; batched_test.go holds the batched engine to it.
func load(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(filepath.Join("..", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Engine = sim.PerRequest
	return s
}

func parse(t testing.TB, doc string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("test.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Engine = sim.PerRequest
	return s
}

// parseWith parses doc with settings ("PATH=VALUE", as sweep --vary gives
// them): the test varies the model through the scenario's own keys.
func parseWith(t testing.TB, doc string, settings ...string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.ParseWith(nil, "test.yaml", []byte(doc), toSettings(t, settings)...)
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Engine = sim.PerRequest
	return s
}

// loadWith is load with settings.
func loadWith(t testing.TB, name string, settings ...string) *scenario.Scenario {
	t.Helper()
	file := filepath.Join("..", "scenarios", name)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.ParseWith(nil, file, data, toSettings(t, settings)...)
	if err != nil {
		t.Fatal(err)
	}
	s.Model.Engine = sim.PerRequest
	return s
}

func toSettings(t testing.TB, settings []string) []scenario.Setting {
	out := make([]scenario.Setting, len(settings))
	for i, x := range settings {
		p, v, ok := strings.Cut(x, "=")
		if !ok {
			t.Fatalf("setting %q: want PATH=VALUE", x)
		}
		out[i] = scenario.Setting{Path: p, Value: v}
	}
	return out
}

func run(t testing.TB, s *scenario.Scenario, i int) *sim.Result {
	t.Helper()
	r, err := sim.Run(&s.Model, s.Strategies[i])
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func zscore(xs []float64, want float64) (mean, z float64) {
	mean, sd := stat.MeanStdDev(xs, nil)
	return mean, (mean - want) / (sd / math.Sqrt(float64(len(xs))))
}

// The reference workload (shared/bench/reference-workload.md) has exact
// expectations from Poisson splitting and a Markov chain over the breach
// flags. Over many seeds the simulated means must agree with |z| < 3; a
// bias in routing, error draws, alarm evaluation or event order shows here.
func TestReferenceWorkloadExpectations(t *testing.T) {
	if testing.Short() {
		t.Skip("many seeds")
	}
	cases := []struct {
		rate              float64
		seeds             int
		v2, failed, alarm float64 // expected values; alarm in minutes
		pRollback         float64
	}{
		{200, 400, 9672.0, 483.6, 4.739, -1},
		{2000, 60, 94974.8, 4748.7, 4.689, 0.99984},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.rate), func(t *testing.T) {
			s := loadWith(t, "reference-workload.yaml", fmt.Sprint("traffic.rate=", c.rate))
			var v2, failed, minute []float64
			rolled := 0
			for seed := 1; seed <= c.seeds; seed++ {
				s.Model.Seed = uint64(seed)
				r := run(t, s, 0)
				v2 = append(v2, float64(r.TargetRequests))
				failed = append(failed, float64(r.TargetFailedRequests))
				if r.RolledBack {
					rolled++
					if r.End == nil || r.Detected == nil || *r.End != *r.Detected {
						t.Fatalf("seed %d: rollback at %v but alarm at %v: with zero delays they coincide", seed, r.End, r.Detected)
					}
					if *r.End%time.Minute != 0 {
						t.Fatalf("seed %d: rollback at %v, not at a period end", seed, *r.End)
					}
					minute = append(minute, r.End.Minutes())
				}
			}
			for _, chk := range []struct {
				name string
				xs   []float64
				want float64
			}{{"requests to version 2", v2, c.v2}, {"failed requests of version 2", failed, c.failed}, {"alarm minute", minute, c.alarm}} {
				mean, z := zscore(chk.xs, chk.want)
				t.Logf("%s: mean %.2f over %d runs, expected %.2f, z = %.2f", chk.name, mean, len(chk.xs), chk.want, z)
				if math.Abs(z) >= 3 {
					t.Errorf("%s: mean %.2f, expected %.2f (z = %.2f)", chk.name, mean, chk.want, z)
				}
			}
			// Sharper than the means: the target's failures are binomial in
			// its requests, p = 0.05 exactly.
			var n, k float64
			for i := range v2 {
				n += v2[i]
				k += failed[i]
			}
			if z := (k/n - 0.05) / math.Sqrt(0.05*0.95/n); math.Abs(z) >= 4 {
				t.Errorf("target error fraction %.5f over %.0f requests, want 0.05 (z = %.2f)", k/n, n, z)
			}
			if c.pRollback > 0 {
				// P(no rollback) = 1.6e-4: over 60 runs all roll back with probability 0.99.
				if rolled < c.seeds-1 {
					t.Errorf("%d of %d runs rolled back, expected P = %v", rolled, c.seeds, c.pRollback)
				}
			}
		})
	}
}

const healthyLinear = `
name: phases
seed: 9
horizon: 12m
traffic: {rate: 500}
versions:
  current: {error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {error_rate: 0}
deployment:
  strategies: [Linear10PercentEvery1Minute, Canary10Percent5Minutes, AllAtOnce]
`

// Under constant Poisson traffic the target's requests in a phase of
// weight w and length T are Poisson(rate·w·T): every phase within 4 sigma.
func TestPhaseCountsArePoisson(t *testing.T) {
	s := parse(t, healthyLinear)
	for i := range s.Strategies {
		r := run(t, s, i)
		if len(r.Phases) == 0 {
			t.Fatalf("%s: no phases", r.Strategy)
		}
		for _, p := range r.Phases {
			T := (p.To - p.From).Seconds()
			all := 500 * T
			if z := (float64(p.Requests) - all) / math.Sqrt(all); math.Abs(z) > 4 {
				t.Errorf("%s phase %v-%v: %d requests, expected %.0f (z=%.1f)", r.Strategy, p.From, p.To, p.Requests, all, z)
			}
			mean := 500 * p.Weight * T
			if mean == 0 {
				if p.TargetRequests != 0 {
					t.Errorf("%s phase %v-%v: weight 0 but %d target requests", r.Strategy, p.From, p.To, p.TargetRequests)
				}
				continue
			}
			if z := (float64(p.TargetRequests) - mean) / math.Sqrt(mean); math.Abs(z) > 4 {
				t.Errorf("%s phase %v-%v weight %v: %d target requests, expected %.0f (z=%.1f)", r.Strategy, p.From, p.To, p.Weight, p.TargetRequests, mean, z)
			}
		}
	}
}

// A healthy deployment ends exactly when its schedule says: canary at 5 min,
// Linear10PercentEvery1Minute at 10 min (full shift at 9), AllAtOnce at once.
func TestHealthyDeploymentsEndOnSchedule(t *testing.T) {
	s := parse(t, healthyLinear)
	want := []struct{ full, end time.Duration }{
		{9 * time.Minute, 10 * time.Minute},
		{5 * time.Minute, 5 * time.Minute},
		{0, 0},
	}
	for i, w := range want {
		r := run(t, s, i)
		if r.Status != "Succeeded" || r.RolledBack {
			t.Fatalf("%s: status %s rolled back %v", r.Strategy, r.Status, r.RolledBack)
		}
		if r.FullShift == nil || *r.FullShift != w.full || r.End == nil || *r.End != w.end {
			t.Errorf("%s: full shift %v end %v, want %v and %v", r.Strategy, r.FullShift, r.End, w.full, w.end)
		}
		if r.FinalWeight != 1 {
			t.Errorf("%s: final weight %v", r.Strategy, r.FinalWeight)
		}
	}
}

const oneOfOne = `
name: one-of-one
seed: 4
horizon: 10m
traffic: {rate: 50}
versions:
  current: {error_rate: 0, latency: {median: 50ms, p99: 150ms}}
  target:  {error_rate: 0.5}
alarms:
  - AlarmName: any-error
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: my-function}, {Name: Resource, Value: "my-function:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
monitoring: {metric_delay: 0s, alarm_poll_interval: 0s, poll_phase: 0s}
deployment:
  strategies: [AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute]
`

// A bad version under a 1-of-1 alarm with zero delays is rolled back at the
// end of the first period by every strategy that is still shifting then.
// AllAtOnce is not: its AllowTraffic ends at t=0 and, with no
// AfterAllowTraffic hook, the deployment has succeeded before the alarm can
// see a single period - the price of no bake time.
func TestOneOfOneAlarmRollsBackAtFirstPeriodEnd(t *testing.T) {
	s := parse(t, oneOfOne)
	if r := run(t, s, 0); r.Status != "Succeeded" || r.RolledBack || *r.End != 0 || r.Detected == nil || *r.Detected != time.Minute {
		t.Errorf("AllAtOnce: status %s rolled back %v end %v detected %v; want Succeeded at 0, alarm at 1m", r.Status, r.RolledBack, r.End, r.Detected)
	}
	for i := 1; i < len(s.Strategies); i++ {
		r := run(t, s, i)
		if !r.RolledBack || r.Status != "Stopped" || r.RollbackCause != "alarm:any-error" {
			t.Fatalf("%s: rolled back %v status %s cause %q", r.Strategy, r.RolledBack, r.Status, r.RollbackCause)
		}
		if r.End == nil || *r.End != time.Minute || r.Detected == nil || *r.Detected != time.Minute {
			t.Errorf("%s: detected %v ended %v, want both at 1m", r.Strategy, r.Detected, r.End)
		}
		if r.FinalWeight != 0 {
			t.Errorf("%s: final weight %v after rollback", r.Strategy, r.FinalWeight)
		}
		// After the rollback at 60 s the target serves nothing.
		last := r.Phases[len(r.Phases)-1]
		if last.From != time.Minute || last.TargetRequests != 0 {
			t.Errorf("%s: last phase %+v", r.Strategy, last)
		}
	}
}

// The same seed gives byte-identical JSON, whatever GOMAXPROCS is.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	render := func(procs int) []byte {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		rs, err := sim.Compare(&s.Model, s.Strategies)
		if err != nil {
			t.Fatal(err)
		}
		doc := report.Compared{Scenario: s.Name, Seed: s.Model.Seed}
		for i, r := range rs {
			doc.Results = append(doc.Results, report.FromSim(r, s.Strategies[i].Config.Name, true))
		}
		var b bytes.Buffer
		if err := report.JSON(&b, doc); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b, c := render(1), render(2), render(1)
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatal("JSON differs between GOMAXPROCS 1 and 2 (or between two runs)")
	}
	s.Model.Seed++
	if bytes.Equal(a, render(2)) {
		t.Fatal("a different seed gave the same JSON")
	}
}

// Common random numbers: every strategy sees the same arrivals.
func TestStrategiesShareTraffic(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	rs, err := sim.Compare(&s.Model, s.Strategies)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs[1:] {
		if r.Requests != rs[0].Requests {
			t.Errorf("%s saw %d requests, %s %d", r.Strategy, r.Requests, rs[0].Strategy, rs[0].Requests)
		}
	}
}

// benchRequests runs s's first strategy once per iteration, a new seed
// each time, and reports simulated requests per second of wall time
// (req/s) and of CPU time (req/CPU-s, steadier on a shared machine).
func benchRequests(b *testing.B, s *scenario.Scenario) {
	var reqs int64
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; b.Loop(); i++ {
		s.Model.Seed = uint64(i + 1)
		reqs += run(b, s, 0).Requests
	}
	b.ReportMetric(float64(reqs)/b.Elapsed().Seconds(), "req/s")
	cpu.report(b, reqs)
}

// eachSeed runs every strategy of a built-in scenario for seeds 1..n and
// hands the results of each seed to f.
func eachSeed(t *testing.T, name string, n int, f func(seed int, rs []*sim.Result)) {
	t.Helper()
	s := load(t, name)
	for seed := 1; seed <= n; seed++ {
		s.Model.Seed = uint64(seed)
		rs, err := sim.Compare(&s.Model, s.Strategies)
		if err != nil {
			t.Fatal(err)
		}
		f(seed, rs)
	}
}

// BenchmarkReferenceWorkload is one whole 40-minute run of the reference
// workload at 2000 requests/s (about 4.8 M requests), full model on:
// arrivals, routing, lognormal latency, error draws, per-minute metrics,
// metric-math alarm, controller. The figure that matters is req/s.
func BenchmarkReferenceWorkload(b *testing.B) {
	s := load(b, "reference-workload.yaml")
	benchRequests(b, s)
}

// BenchmarkReferenceWorkloadDuration adds what the reference workload does
// not need: a function timeout and a p99 Duration alarm on version 2, so
// every request pays for its exponential and its sample.
func BenchmarkReferenceWorkloadDuration(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "scenarios", "reference-workload.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	// A second alarm is structure, not a value: it is written in.
	doc := strings.Replace(string(data), "monitoring:", `  - AlarmName: v2-p99
    MetricName: Duration
    Dimensions: [{Name: FunctionName, Value: fn}, {Name: Resource, Value: "fn:live"}, {Name: ExecutedVersion, Value: "2"}]
    ExtendedStatistic: p99
    Period: 60
    EvaluationPeriods: 3
    Threshold: 1000
    ComparisonOperator: GreaterThanThreshold
    TreatMissingData: notBreaching
monitoring:`, 1)
	s := parseWith(b, doc, "versions.current.timeout=1s")
	if len(s.Model.Alarms) != 2 || s.Model.Versions[0].Timeout == 0 {
		b.Fatal("benchmark scenario not as intended")
	}
	benchRequests(b, s)
}

// Each built-in scenario claims, in its comment, what it teaches; these
// tests hold the simulator to those claims over several seeds.
func TestBuiltinScenariosTeach(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	t.Run("bad-canary", func(t *testing.T) {
		eachSeed(t, "bad-canary.yaml", seeds, func(seed int, rs []*sim.Result) {
			all := rs[0]
			if all.Status != "Succeeded" || all.RolledBack || all.TargetFailedRequests < 5000 {
				t.Errorf("seed %d AllAtOnce: %s rolled back %v target failed %d", seed, all.Status, all.RolledBack, all.TargetFailedRequests)
			}
			for _, r := range rs[1:] {
				if !r.RolledBack || r.RollbackCause != "alarm:orders-live-v2-errors" || r.TargetFailedRequests*10 > all.TargetFailedRequests {
					t.Errorf("seed %d %s: rolled back %v (%s), target failed %d vs AllAtOnce %d", seed, r.Strategy, r.RolledBack, r.RollbackCause, r.TargetFailedRequests, all.TargetFailedRequests)
				}
			}
		})
	})
	t.Run("healthy", func(t *testing.T) {
		eachSeed(t, "healthy.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs {
				if r.Status != "Succeeded" || r.RolledBack || r.Detected != nil {
					t.Errorf("seed %d %s: %s rolled back %v detected %v: a healthy version must pass quietly", seed, r.Strategy, r.Status, r.RolledBack, r.Detected)
				}
			}
			// Canary10Percent5Minutes: start 2m, pre-hook 40s, 5m of canary, post-hook 40s.
			if r := rs[1]; r.End == nil || *r.End != 2*time.Minute+40*time.Second+5*time.Minute+40*time.Second {
				t.Errorf("seed %d canary ended at %v", seed, r.End)
			}
		})
	})
	t.Run("low-traffic-blind", func(t *testing.T) {
		passed, linearCaught := 0, 0
		eachSeed(t, "low-traffic-blind.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs[:2] {
				if r.Status == "Succeeded" && r.Detected != nil && *r.Detected > *r.End {
					passed++
				}
			}
			if rs[2].RolledBack {
				linearCaught++
			}
		})
		if passed < 2*seeds*8/10 {
			t.Errorf("canaries passed a bad version (then alarmed) in %d of %d runs; the scenario claims almost always", passed, 2*seeds)
		}
		if linearCaught == 0 && seeds >= 10 {
			t.Errorf("the linear shift never caught the bad version in %d runs", seeds)
		}
	})
	t.Run("latency-p99", func(t *testing.T) {
		eachSeed(t, "latency-p99.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs[:2] {
				if r.RollbackCause != "alarm:search-v8-p99" {
					t.Errorf("seed %d %s: cause %q, want the p99 alarm", seed, r.Strategy, r.RollbackCause)
				}
				if r.Alarms[0].State == "ALARM" {
					t.Errorf("seed %d %s: the error alarm fired on a latency regression", seed, r.Strategy)
				}
			}
		})
	})
	t.Run("hook-catches", func(t *testing.T) {
		caught := 0
		n := 0
		eachSeed(t, "hook-catches.yaml", seeds, func(seed int, rs []*sim.Result) {
			n++
			r := rs[0]
			if r.RollbackCause == "hook:BeforeAllowTraffic" {
				caught++
				if r.Status != "Failed" || r.TargetRequests != 0 {
					t.Errorf("seed %d: caught by the pre-traffic hook but status %s, %d target requests", seed, r.Status, r.TargetRequests)
				}
			}
		})
		// Binomial(n, 0.8): within 4 sigma.
		if z := (float64(caught) - 0.8*float64(n)) / math.Sqrt(0.16*float64(n)); math.Abs(z) > 4 {
			t.Errorf("hook caught the fault in %d of %d runs, expected 80%% (z=%.1f)", caught, n, z)
		}
	})
}

// An alarm already in ALARM when the deployment starts stops it before any
// traffic moves (SAM docs: "Production errors preventing deployments").
func TestAlarmBeforeStartBlocksDeployment(t *testing.T) {
	s := load(t, "alarm-already-firing.yaml")
	rs, err := sim.Compare(&s.Model, s.Strategies)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status != "Stopped" || r.TargetRequests != 0 || r.FullShift != nil || *r.End != 10*time.Minute || *r.Detected != 10*time.Minute {
			t.Errorf("%s: %s, %d target requests, full shift %v, end %v, detected %v", r.Strategy, r.Status, r.TargetRequests, r.FullShift, r.End, r.Detected)
		}
	}
}

// Each fault kind's scenario shows its signature, over several seeds.
func TestFaultScenarioSignatures(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	t.Run("time-bomb", func(t *testing.T) {
		eachSeed(t, "time-bomb.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs[:2] { // finished before the fuse burns down
				if r.Status != "Succeeded" || r.Detected == nil || *r.Detected < 14*time.Minute {
					t.Errorf("seed %d %s: %s, detected %v: should pass, then alarm after the bomb", seed, r.Strategy, r.Status, r.Detected)
				}
			}
			if r := rs[2]; !r.RolledBack || *r.End < 14*time.Minute {
				t.Errorf("seed %d linear: rolled back %v at %v: should still be shifting when the bomb goes off", seed, r.RolledBack, r.End)
			}
		})
	})
	t.Run("gradual-degradation", func(t *testing.T) {
		eachSeed(t, "gradual-degradation.yaml", seeds, func(seed int, rs []*sim.Result) {
			if rs[0].Status != "Succeeded" {
				t.Errorf("seed %d fast canary: %s; the leak is invisible within 5 minutes", seed, rs[0].Status)
			}
			for _, r := range rs[1:] {
				if !r.RolledBack {
					t.Errorf("seed %d %s: not rolled back", seed, r.Strategy)
				}
			}
		})
	})
	t.Run("crash-timeout", func(t *testing.T) {
		eachSeed(t, "crash-timeout.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs {
				v := r.Versions[sim.Target]
				if !r.RolledBack || v.Timeouts == 0 || v.Errors != 0 || v.Timeouts != v.Failed || v.LatencyMax != 6000 {
					t.Errorf("seed %d %s: rolled back %v, %+v: every failure a timeout at exactly 6 s", seed, r.Strategy, r.RolledBack, v)
				}
			}
		})
	})
	t.Run("cold-start-regression", func(t *testing.T) {
		eachSeed(t, "cold-start-regression.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs {
				cur, tgt := r.Versions[sim.Current], r.Versions[sim.Target]
				if r.RolledBack || r.Alarms[0].State == "ALARM" {
					t.Errorf("seed %d %s: the Duration alarm saw the init phase", seed, r.Strategy)
				}
				if tgt.ColdStarts == 0 || tgt.LatencyMax < 3*cur.LatencyMax || tgt.LatencyMax < 1500 {
					t.Errorf("seed %d %s: cold starts %d, worst wait %.0f ms vs %.0f ms", seed, r.Strategy, tgt.ColdStarts, tgt.LatencyMax, cur.LatencyMax)
				}
			}
		})
	})
	t.Run("shared-dependency-outage", func(t *testing.T) {
		eachSeed(t, "shared-dependency-outage.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs[:2] {
				if !r.RolledBack || r.Versions[sim.Current].Failed < 100 {
					t.Errorf("seed %d %s: rolled back %v; a healthy target must be rolled back by the outage (false rollback)", seed, r.Strategy, r.RolledBack)
				}
			}
		})
	})
	t.Run("segment-failure", func(t *testing.T) {
		eachSeed(t, "segment-failure.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs {
				share := float64(r.TargetFailedRequests) / float64(r.TargetRequests)
				hurt := float64(r.UsersAffected) / float64(r.Users)
				if r.RolledBack || share > 0.05 || r.Users < 10000 || hurt < 0.02 || hurt > 0.06 {
					t.Errorf("seed %d %s: rolled back %v, target failure share %.3f, %d of %d users affected", seed, r.Strategy, r.RolledBack, share, r.UsersAffected, r.Users)
				}
			}
		})
	})
	t.Run("reserved-concurrency", func(t *testing.T) {
		eachSeed(t, "reserved-concurrency.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs[:2] { // pass, then throttle at 100 %
				tgt := r.Versions[sim.Target]
				if r.Status != "Succeeded" || tgt.Throttles < 10000 || r.Alarms[0].State == "ALARM" {
					t.Errorf("seed %d %s: %s, %d throttles, error alarm %s", seed, r.Strategy, r.Status, tgt.Throttles, r.Alarms[0].State)
				}
			}
			if r := rs[2]; r.RollbackCause != "alarm:quotes-throttles" {
				t.Errorf("seed %d linear: cause %q, want the Throttles alarm", seed, r.RollbackCause)
			}
		})
	})
	t.Run("flaky", func(t *testing.T) {
		eachSeed(t, "flaky.yaml", seeds, func(seed int, rs []*sim.Result) {
			for _, r := range rs {
				if r.RolledBack || r.TargetFailedRequests < 1000 {
					t.Errorf("seed %d %s: rolled back %v, %d target failures: the 2-of-3 alarm should miss the bursts", seed, r.Strategy, r.RolledBack, r.TargetFailedRequests)
				}
			}
		})
		s := load(t, "flaky.yaml")
		s.Model.Alarms[0].Rule.DatapointsToAlarm = 1
		for i := range s.Strategies {
			if r := run(t, s, i); !r.RolledBack {
				t.Errorf("%s: a 1-of-3 alarm should catch the first burst", r.Strategy)
			}
		}
	})
}

// The replay of a real trace delivers the recorded requests (within Poisson
// noise), and the scenario shows what its comment says over most seeds.
func TestAzureTraceScenario(t *testing.T) {
	s := load(t, "azure-trace.yaml")
	sum, err := traffic.Inspect(traffic.Recording{Path: filepath.Join("..", "scenarios", "data", "azure2019-invocations.csv"), Function: "rank:3", To: s.Model.Horizon})
	if err != nil {
		t.Fatal(err)
	}
	canaryPassed, linearCaught := 0, 0
	const seeds = 8
	for seed := 1; seed <= seeds; seed++ {
		s.Model.Seed = uint64(seed)
		rs, err := sim.Compare(&s.Model, s.Strategies)
		if err != nil {
			t.Fatal(err)
		}
		if z := (float64(rs[0].Requests) - sum.Requests) / math.Sqrt(sum.Requests); math.Abs(z) > 4 {
			t.Errorf("seed %d: %d requests replayed, %v recorded (z=%.1f)", seed, rs[0].Requests, sum.Requests, z)
		}
		if rs[0].Status == "Succeeded" {
			canaryPassed++
		}
		if rs[1].RolledBack {
			linearCaught++
		}
	}
	if canaryPassed < seeds/2 || linearCaught < seeds/2 {
		t.Errorf("canary passed %d of %d, linear caught %d of %d", canaryPassed, seeds, linearCaught, seeds)
	}
}

// BenchmarkReferenceWorkloadExecution turns Lambda's execution model on:
// every request takes and frees an execution environment (two heaps of
// busy environments, idle lists, the scaling bucket, cold starts).
func BenchmarkReferenceWorkloadExecution(b *testing.B) {
	s := loadWith(b, "reference-workload.yaml", "lambda.memory=256")
	if s.Model.Exec == nil {
		b.Fatal("execution model off")
	}
	benchRequests(b, s)
}
