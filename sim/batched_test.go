package sim_test

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/traffic"
)

// engine runs one deployment; the two engines under comparison.
type engine func(*sim.Model, sim.Strategy) (*sim.Result, error)

// perRequest is sim.Run pinned to the per-request engine, whatever Auto
// would pick.
func perRequest(m *sim.Model, s sim.Strategy) (*sim.Result, error) {
	pm := *m
	pm.Engine = sim.PerRequest
	return sim.Run(&pm, s)
}

// metric is one per-run number compared between engines.
type metric struct {
	name string
	get  func(*sim.Result) (float64, bool) // false: the run has no value (a nil time)
	// meanOnly compares means alone: the batched engine's value is an
	// expectation there (billed duration), not a draw, so it has less
	// spread by design.
	meanOnly bool
}

func count(name string, f func(*sim.Result) int64) metric {
	return metric{name: name, get: func(r *sim.Result) (float64, bool) { return float64(f(r)), true }}
}

func minutes(name string, f func(*sim.Result) *time.Duration) metric {
	return metric{name: name, get: func(r *sim.Result) (float64, bool) {
		if d := f(r); d != nil {
			return d.Minutes(), true
		}
		return 0, false
	}}
}

// metrics are what TestBatchedMatchesPerRequest holds the engines to.
var metrics = []metric{
	count("requests", func(r *sim.Result) int64 { return r.Requests }),
	count("target requests", func(r *sim.Result) int64 { return r.TargetRequests }),
	count("target failed requests", func(r *sim.Result) int64 { return r.TargetFailedRequests }),
	count("failed requests", func(r *sim.Result) int64 { return r.FailedRequests }),
	count("timeouts", func(r *sim.Result) int64 { return r.Timeouts }),
	count("target errors", func(r *sim.Result) int64 { return r.Versions[sim.Target].Errors }),
	count("current errors", func(r *sim.Result) int64 { return r.Versions[sim.Current].Errors }),
	count("rolled back", func(r *sim.Result) int64 { return b2i(r.RolledBack) }),
	count("detected", func(r *sim.Result) int64 { return b2i(r.Detected != nil) }),
	minutes("detection minute", func(r *sim.Result) *time.Duration { return r.Detected }),
	minutes("end minute", func(r *sim.Result) *time.Duration { return r.End }),
	minutes("full shift minute", func(r *sim.Result) *time.Duration { return r.FullShift }),
	{name: "target worst latency", get: func(r *sim.Result) (float64, bool) {
		return r.Versions[sim.Target].LatencyMax, r.Versions[sim.Target].Requests > 0
	}},
	{name: "current worst latency", get: func(r *sim.Result) (float64, bool) {
		return r.Versions[sim.Current].LatencyMax, r.Versions[sim.Current].Requests > 0
	}},
	{name: "cost", get: func(r *sim.Result) (float64, bool) { return r.Cost.Total, true }, meanOnly: true},
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// outcomes are the values of each metric over many runs, in seed order.
type outcomes [][]float64

func (o outcomes) of(name string) []float64 {
	for i, m := range metrics {
		if m.name == name {
			return o[i]
		}
	}
	panic("no metric " + name)
}

// sample runs strategy st of m under eng for seeds [from, from+n), two runs
// at a time; the outcomes are in seed order, whatever the scheduling.
func sample(t testing.TB, eng engine, m sim.Model, st sim.Strategy, from, n int) outcomes {
	t.Helper()
	rs := make([]*sim.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				mm := m
				mm.Seed = uint64(from + i)
				rs[i], errs[i] = eng(&mm, st)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	o := make(outcomes, len(metrics))
	for i, r := range rs {
		if errs[i] != nil {
			t.Fatalf("seed %d: %v", from+i, errs[i])
		}
		for j, m := range metrics {
			if x, ok := m.get(r); ok {
				o[j] = append(o[j], x)
			}
		}
	}
	return o
}

// welch is the z statistic of the difference of two means (Welch); 0 when
// both samples are constant and equal, ±Inf when constant and different.
func welch(a, b []float64) float64 {
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	se := math.Sqrt(va/float64(len(a)) + vb/float64(len(b)))
	if se == 0 {
		if ma == mb {
			return 0
		}
		return math.Inf(1)
	}
	return (ma - mb) / se
}

// ksRatio is the two-sample Kolmogorov–Smirnov distance of a and b divided
// by its critical value at level 1e-4 (asymptotic; conservative for the
// discrete, tied data here): >= 1 rejects.
func ksRatio(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	d := stat.KolmogorovSmirnov(a, nil, b, nil)
	na, nb := float64(len(a)), float64(len(b))
	c := math.Sqrt(-math.Log(1e-4/2) / 2)
	return d / (c * math.Sqrt((na+nb)/(na*nb)))
}

// agree fails t when a metric's two samples differ — Welch |z| >= 4 on the
// means (for an indicator that is the two-proportion test, unpooled), or
// the KS distance beyond its 1e-4 critical value — and returns the largest
// |z|, for the log.
func agree(t *testing.T, a, b outcomes) float64 {
	t.Helper()
	worst := 0.0
	for i, m := range metrics {
		x, y := a[i], b[i]
		z := welch(x, y)
		ks := 0.0
		if !m.meanOnly {
			ks = ksRatio(x, y)
		}
		worst = max(worst, math.Abs(z))
		if math.Abs(z) >= 4 || ks >= 1 {
			t.Errorf("%s: per-request mean %.4g (n=%d), batched %.4g (n=%d): Welch z = %.2f, KS/critical = %.2f",
				m.name, stat.Mean(x, nil), len(x), stat.Mean(y, nil), len(y), z, ks)
		}
	}
	return worst
}

// The batched engine must be statistically indistinguishable from the
// per-request engine on every built-in scenario it can run (and on hangs,
// below): for each strategy, the distributions of request counts, failures
// by cause, detection, end and full-shift times, rollback frequency and
// worst latency, and the mean cost. Per-request seeds 1..n against batched
// seeds n+1..2n: independent samples (the hook stream is shared by seed).
// n is set so that each side simulates about budget requests per strategy.
func TestBatchedMatchesPerRequest(t *testing.T) {
	budget, most := 2e7, 200
	if testing.Short() {
		budget, most = 2e6, 20
	}
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no built-in scenarios: %v", err)
	}
	docs := map[string]*scenario.Scenario{"hangs": parse(t, hangs)}
	for _, f := range files {
		docs[strings.TrimSuffix(filepath.Base(f), ".yaml")] = load(t, filepath.Base(f))
	}
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		s := docs[name]
		t.Run(name, func(t *testing.T) {
			if name == "reference-workload" {
				s.Model.Traffic.Rate = 200 // 2000/s per request is too slow for many seeds
			}
			if _, err := sim.RunBatched(&s.Model, s.Strategies[0]); err != nil {
				t.Skipf("not batchable: %v", err)
			}
			probe, err := perRequest(&s.Model, s.Strategies[0])
			if err != nil {
				t.Fatal(err)
			}
			n := min(most, max(10, int(budget/float64(max(probe.Requests, 1)))))
			for _, st := range s.Strategies {
				t.Run(st.Name, func(t *testing.T) {
					a := sample(t, perRequest, s.Model, st, 1, n)
					b := sample(t, sim.RunBatched, s.Model, st, n+1, n)
					z := agree(t, a, b)
					t.Logf("max |z| = %.2f over %d+%d runs; rollback %.3f vs %.3f; target failed %.1f vs %.1f", z, n, n,
						stat.Mean(a.of("rolled back"), nil), stat.Mean(b.of("rolled back"), nil),
						stat.Mean(a.of("target failed requests"), nil), stat.Mean(b.of("target failed requests"), nil))
				})
			}
		})
	}
}

// hangs exercises what the built-in scenarios leave to Duration alarms:
// timeouts of a slow target, hangs until the timeout, hangs without a
// timeout (Lambda's default applies), and a segment fault, which without
// user ids hits nobody.
const hangs = `
name: hangs
seed: 3
horizon: 30m
function: {name: export, alias: live}
traffic: {rate: 40}
versions:
  current: {version: "3", error_rate: 0.002, latency: {median: 120ms, p99: 500ms}}
  target:  {version: "4", error_rate: 0.002, latency: {median: 300ms, p99: 2s}, timeout: 1s}
faults:
  - {version: target, start: 0s, hang_rate: 0.03}
  - {version: current, start: 10m, end: 20m, hang_rate: 0.01}
  - {version: current, start: 5m, end: 25m, error_rate: 0.5, users: 0.2}
alarms:
  - AlarmName: export-v4-errors
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: export}, {Name: Resource, Value: "export:live"}, {Name: ExecutedVersion, Value: "4"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 3
    DatapointsToAlarm: 2
    Threshold: 40
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
deployment:
  start: 2m
  strategies: [Canary10Percent5Minutes, Linear10PercentEvery1Minute, AllAtOnce]
`

// A p99 Duration alarm needs every request's latency: the batched engine
// refuses, and says why.
func TestBatchedRefusesDurationAlarms(t *testing.T) {
	s := load(t, "latency-p99.yaml")
	_, err := sim.RunBatched(&s.Model, s.Strategies[0])
	if err == nil || !strings.Contains(err.Error(), "Duration") {
		t.Fatalf("err = %v, want a refusal naming the Duration metric", err)
	}
}

// The reference workload's exact expectations
// (shared/bench/reference-workload.md), over many more seeds than the
// per-request engine can afford: each mean within |z| < 3.
func TestBatchedReferenceWorkloadExpectations(t *testing.T) {
	seeds := 2000
	if testing.Short() {
		seeds = 300
	}
	for _, c := range []struct {
		rate              float64
		v2, failed, alarm float64
		pRollback         float64
	}{
		{2000, 94974.8, 4748.7, 4.689, 0.99984},
		{200, 9672.0, 483.6, 4.739, -1},
	} {
		t.Run(fmt.Sprint(c.rate), func(t *testing.T) {
			s := loadWith(t, "reference-workload.yaml", fmt.Sprint("traffic.rate=", c.rate))
			o := sample(t, sim.RunBatched, s.Model, s.Strategies[0], 1, seeds)
			for _, chk := range []struct {
				name string
				xs   []float64
				want float64
			}{{"requests to version 2", o.of("target requests"), c.v2}, {"failed requests of version 2", o.of("target failed requests"), c.failed}, {"alarm minute", o.of("detection minute"), c.alarm}} {
				mean, z := zscore(chk.xs, chk.want)
				t.Logf("%s: mean %.2f over %d runs, expected %.2f, z = %.2f", chk.name, mean, len(chk.xs), chk.want, z)
				if math.Abs(z) >= 3 {
					t.Errorf("%s: mean %.2f, expected %.2f (z = %.2f)", chk.name, mean, chk.want, z)
				}
			}
			var n, k float64
			for i, x := range o.of("target requests") {
				n += x
				k += o.of("target failed requests")[i]
			}
			z := (k/n - 0.05) / math.Sqrt(0.05*0.95/n)
			t.Logf("target error fraction %.6f over %.0f requests, z = %.2f", k/n, n, z)
			if math.Abs(z) >= 4 {
				t.Errorf("target error fraction %.5f over %.0f requests, want 0.05 (z = %.2f)", k/n, n, z)
			}
			if c.pRollback > 0 {
				// Expected misses: seeds·1.6e-4 (0.3 at 2000 seeds); 3 or more has probability < 0.004.
				if miss := seeds - int(floats.Sum(o.of("rolled back"))); miss >= 3 {
					t.Errorf("%d of %d runs not rolled back, expected P(rollback) = %v", miss, seeds, c.pRollback)
				}
			}
		})
	}
}

// Arrivals under diurnal traffic: the batched engine's mean count over the
// horizon is the integral of the rate, as the per-request engine's, and the
// two agree on everything else.
func TestBatchedDiurnal(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 30
	}
	s := parseWith(t, healthyLinear, "traffic={rate: 50, pattern: diurnal, amplitude: 0.9, period: 20m, peak: 7m}")
	src, err := traffic.NewDiurnal(50, 0.9, 20*time.Minute, 7*time.Minute, s.Model.Horizon, sim.NewStream(1, "test"))
	if err != nil {
		t.Fatal(err)
	}
	want := src.MeanCount(0, s.Model.Horizon.Seconds())
	for _, st := range s.Strategies {
		t.Run(st.Name, func(t *testing.T) {
			a := sample(t, perRequest, s.Model, st, 1, n)
			b := sample(t, sim.RunBatched, s.Model, st, n+1, n)
			agree(t, a, b)
			mean := stat.Mean(b.of("requests"), nil)
			if z := (mean - want) / math.Sqrt(want/float64(n)); math.Abs(z) >= 4 {
				t.Errorf("batched mean requests %.1f, integral of the rate %.1f (z = %.2f)", mean, want, z)
			}
		})
	}
}

// Phases of constant weight carry Poisson(rate·w·T) requests to the target.
// The deployment starts at 30.25 s, so every weight step falls inside a
// count cell and is served by the split draw; at a million
// requests a second (free for counts) a split fraction off by a tenth
// would show at |z| ≈ 20 in the phases next to each step. Per phase,
// pooled over the seeds: |z| < 4.
func TestBatchedPhaseCountsArePoisson(t *testing.T) {
	const rate = 1e6
	s := parseWith(t, healthyLinear, "deployment.start=30.25s", fmt.Sprint("traffic.rate=", rate))
	if s.Model.DeployStart != 30250*time.Millisecond {
		t.Fatalf("deployment start %v", s.Model.DeployStart)
	}
	const seeds = 50
	for _, st := range s.Strategies {
		var all, target, wantAll, wantTarget []float64 // per phase index, summed over seeds
		for seed := uint64(1); seed <= seeds; seed++ {
			s.Model.Seed = seed
			r, err := sim.RunBatched(&s.Model, st)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range r.Phases {
				if i == len(all) {
					all, target, wantAll, wantTarget = append(all, 0), append(target, 0), append(wantAll, 0), append(wantTarget, 0)
				}
				T := (p.To - p.From).Seconds()
				all[i] += float64(p.Requests)
				wantAll[i] += rate * T
				target[i] += float64(p.TargetRequests)
				wantTarget[i] += rate * p.Weight * T
				if p.Weight == 0 && p.TargetRequests != 0 {
					t.Errorf("seed %d %s phase %v-%v: weight 0 but %d target requests", seed, st.Name, p.From, p.To, p.TargetRequests)
				}
			}
		}
		worst := 0.0
		for i := range all {
			for _, c := range [][2]float64{{all[i], wantAll[i]}, {target[i], wantTarget[i]}} {
				if c[1] == 0 {
					continue
				}
				z := (c[0] - c[1]) / math.Sqrt(c[1])
				worst = max(worst, math.Abs(z))
				if math.Abs(z) >= 4 {
					t.Errorf("%s phase %d: %.0f requests over %d seeds, expected %.0f (z = %.2f)", st.Name, i, c[0], seeds, c[1], z)
				}
			}
		}
		t.Logf("%s: %d phases, max |z| = %.2f", st.Name, len(all), worst)
	}
}

// The width of the arrival-count cells decides which draws a run takes,
// never their law: a cell's Poisson count split binomially at the control
// events inside it has the law of the parts' independent Poisson counts
// (docs/engine.md). bad-canary with its deployment 370 ms off the second
// (every weight step and poll cuts a cell), on one-second cells (the
// engine's width until it drew one count per metric bucket) against
// bucket-wide ones, seeds 1..n against n+1..2n for every strategy: every
// metric TestBatchedMatchesPerRequest compares agrees (Welch |z| < 4, KS
// below its 1e-4 critical value), and on both widths the full minutes'
// request counts have the Poisson's mean and variance (|z| < 4 on their
// sum and on their index of dispersion, a chi-square with one degree of
// freedom per minute).
func TestBatchedCellWidthKeepsTheLaw(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	s := load(t, "bad-canary.yaml")
	s.Model.DeployStart += 370 * time.Millisecond
	const rate, minute = 100.0, time.Minute
	cells := func(w time.Duration) engine {
		return func(m *sim.Model, st sim.Strategy) (*sim.Result, error) { return sim.RunBatchedCells(m, st, w) }
	}
	for _, st := range s.Strategies {
		t.Run(st.Name, func(t *testing.T) {
			a := sample(t, cells(time.Second), s.Model, st, 1, n)
			b := sample(t, cells(minute), s.Model, st, n+1, n)
			t.Logf("max |z| = %.2f over %d+%d runs", agree(t, a, b), n, n)
		})
	}
	for _, w := range []time.Duration{time.Second, minute} {
		var sum, disp, k float64
		lambda := rate * minute.Seconds()
		for seed := uint64(1); seed <= uint64(n); seed++ {
			m := s.Model
			m.Seed = seed
			r, err := sim.RunBatchedCells(&m, s.Strategies[1], w)
			if err != nil {
				t.Fatal(err)
			}
			for _, bk := range r.Buckets {
				if bk.Start == 0 || bk.Start+minute > m.Horizon {
					continue // the cut first and last minutes
				}
				x := float64(bk.Requests[0] + bk.Requests[1])
				sum += x
				disp += (x - lambda) * (x - lambda) / lambda
				k++
			}
		}
		zMean := (sum - k*lambda) / math.Sqrt(k*lambda)
		zDisp := (disp - k) / math.Sqrt(k*(2+1/lambda)) // Var((X−λ)²/λ) = 2 + 1/λ for a Poisson
		t.Logf("%v cells: %.0f full minutes, mean %.2f (want %v, z = %.2f), dispersion %.4f (want 1, z = %.2f)",
			w, k, sum/k, lambda, zMean, disp/k, zDisp)
		if math.Abs(zMean) >= 4 || math.Abs(zDisp) >= 4 {
			t.Errorf("%v cells: per-minute requests mean %.2f, dispersion %.4f: z = %.2f, %.2f", w, sum/k, disp/k, zMean, zDisp)
		}
	}
}

// Common random numbers hold for arrivals: every strategy of a seed sees
// the same requests, though control events (off the second here) cut their
// count cells at different places. The same seed reproduces a
// run exactly.
func TestBatchedSharesTrafficAndReproduces(t *testing.T) {
	s := load(t, "bad-canary.yaml")
	s.Model.DeployStart += 370 * time.Millisecond
	var first []*sim.Result
	for _, st := range s.Strategies {
		r, err := sim.RunBatched(&s.Model, st)
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, r)
		if r.Requests != first[0].Requests {
			t.Errorf("%s saw %d requests, %s %d", r.Strategy, r.Requests, first[0].Strategy, first[0].Requests)
		}
	}
	for i, st := range s.Strategies {
		r, err := sim.RunBatched(&s.Model, st)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := fingerprint(r), fingerprint(first[i]); a != b {
			t.Errorf("%s: a second run of seed %d differs:\n%s\n%s", st.Name, s.Model.Seed, a, b)
		}
	}
}

// fingerprint is what a run observed, as text: counts, outcome, phases and
// timeline (pointers followed, NaN printed rather than compared).
func fingerprint(r *sim.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %v %s %d %d %d %d %d %v\n", r.Status, r.RolledBack, r.RollbackCause, r.Requests, r.TargetRequests, r.FailedRequests, r.TargetFailedRequests, r.Timeouts, r.FinalWeight)
	for _, d := range []*time.Duration{r.FullShift, r.End, r.Detected} {
		if d != nil {
			fmt.Fprintf(&b, "%v ", *d)
		} else {
			b.WriteString("- ")
		}
	}
	for _, p := range r.Phases {
		fmt.Fprintf(&b, "\n%+v", p)
	}
	for _, e := range r.Timeline {
		fmt.Fprintf(&b, "\n%s", e)
	}
	return b.String()
}

// Poisson.MeanCount is the rate times the part of [a, b) inside the stream.
func TestPoissonMeanCount(t *testing.T) {
	p, err := traffic.NewPoisson(100, 10*time.Second, sim.NewStream(1, "test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ a, b, want float64 }{{0, 1, 100}, {2.5, 3, 50}, {-1, 1, 100}, {9, 12, 100}, {11, 12, 0}, {3, 3, 0}, {4, 2, 0}} {
		if got := p.MeanCount(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("MeanCount(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// BenchmarkBatchedReferenceWorkload is BenchmarkReferenceWorkload on the
// batched engine: one 40-minute run at 2000 requests/s. req/s counts the
// requests simulated (as counts) per second.
func BenchmarkBatchedReferenceWorkload(b *testing.B) {
	s := load(b, "reference-workload.yaml")
	var reqs int64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Model.Seed = uint64(i + 1)
		r, err := sim.RunBatched(&s.Model, s.Strategies[0])
		if err != nil {
			b.Fatal(err)
		}
		reqs += r.Requests
	}
	b.ReportMetric(float64(reqs)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// sweep2h is the sweep figure: CodeDeploy's nine predefined Lambda
// configurations over a 2-hour window at 100 requests/s, a bad target and
// the error alarm of bad-canary.yaml.
const sweep2h = `
name: sweep-2h
seed: 1
horizon: 2h
function: {name: orders, alias: live}
traffic: {rate: 100}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 160ms}, timeout: 3s}
  target:  {version: "2", error_rate: 0.05}
alarms:
  - AlarmName: orders-live-v2-errors
    MetricName: Errors
    Dimensions: [{Name: FunctionName, Value: orders}, {Name: Resource, Value: "orders:live"}, {Name: ExecutedVersion, Value: "2"}]
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 2
    DatapointsToAlarm: 2
    Threshold: 5
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
monitoring: {metric_delay: 60s, alarm_poll_interval: 60s}
deployment:
  start: 5m
  strategies:
    - AllAtOnce
    - Canary10Percent5Minutes
    - Canary10Percent10Minutes
    - Canary10Percent15Minutes
    - Canary10Percent30Minutes
    - Linear10PercentEvery1Minute
    - Linear10PercentEvery2Minutes
    - Linear10PercentEvery3Minutes
    - Linear10PercentEvery10Minutes
`

// compareBatched is sim.Compare on the batched engine: the strategies of one
// seed in parallel, results in order.
func compareBatched(m *sim.Model, strats []sim.Strategy) ([]*sim.Result, error) {
	out := make([]*sim.Result, len(strats))
	errs := make([]error, len(strats))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(strats)); w++ {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = sim.RunBatched(m, strats[i])
			}
		})
	}
	for i := range strats {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BenchmarkBatchedSweep2h is one seed of the sweep per iteration: the nine
// strategies one after the other (serial: run it with -cpu 1; per-request:
// the same on the per-request engine) or through a Compare-shaped worker
// pool (compare: -cpu 2). s/1000runs is the time for 1000 seeds of all nine
// strategies — the target is under 5 s.
func BenchmarkBatchedSweep2h(b *testing.B) {
	s := parse(b, sweep2h)
	if len(s.Strategies) != 9 {
		b.Fatalf("%d strategies", len(s.Strategies))
	}
	report := func(b *testing.B) {
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1000, "s/1000runs")
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Model.Seed = uint64(i + 1)
			for _, st := range s.Strategies {
				if _, err := sim.RunBatched(&s.Model, st); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b)
	})
	b.Run("per-request", func(b *testing.B) { // the twin, for the speed-up
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Model.Seed = uint64(i + 1)
			for _, st := range s.Strategies {
				if _, err := perRequest(&s.Model, st); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b)
	})
	b.Run("compare", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m := s.Model
			m.Seed = uint64(i + 1)
			if _, err := compareBatched(&m, s.Strategies); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// RunCounts is Run without the timeline: for every built-in scenario, the
// examples with gated plans (Argo, Flagger: their gate notes are edited
// after the measurement) and the hangs model, on every strategy and a few
// seeds, the results agree on everything but the timeline, which RunCounts
// leaves empty.
func TestRunCountsIsRunWithoutTimeline(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no built-in scenarios: %v", err)
	}
	files = append(files, filepath.Join("..", "examples", "argo.yaml"), filepath.Join("..", "examples", "flagger.yaml"))
	docs := map[string]*scenario.Scenario{"hangs": parse(t, hangs)}
	for _, f := range files {
		s, err := scenario.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(f)] = s
	}
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		s := docs[name]
		if s.Model.Horizon > 2*time.Hour || s.Model.Traffic.Rate > 500 {
			s.Model.Traffic.Rate = min(s.Model.Traffic.Rate, 50) // enough to move alarms, cheap per request
		}
		for _, st := range s.Strategies {
			for seed := uint64(1); seed <= 3; seed++ {
				m := s.Model
				m.Seed = seed
				full, err := sim.Run(&m, st)
				if err != nil {
					t.Fatalf("%s %s: %v", name, st.Name, err)
				}
				counts, err := sim.RunCounts(&m, st)
				if err != nil {
					t.Fatalf("%s %s: %v", name, st.Name, err)
				}
				if len(counts.Timeline) != 0 {
					t.Errorf("%s %s seed %d: RunCounts kept %d timeline entries", name, st.Name, seed, len(counts.Timeline))
				}
				full.Timeline = nil
				a := fmt.Sprintf("%s\n%v\n%v\n%+v\n%+v", fingerprint(full), full.Steps, full.Buckets, full.Versions, full.Cost)
				b := fmt.Sprintf("%s\n%v\n%v\n%+v\n%+v", fingerprint(counts), counts.Steps, counts.Buckets, counts.Versions, counts.Cost)
				if a != b {
					t.Errorf("%s %s seed %d: Run and RunCounts differ:\n%s\n---\n%s", name, st.Name, seed, a, b)
				}
			}
		}
	}
}
