package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func outcomes(s string) []Input {
	var in []Input
	for _, c := range s {
		p, err := ParsePhase(string(c))
		if err != nil {
			panic(err)
		}
		in = append(in, Input{Outcome: p})
	}
	return in
}

// TestArgoMetricPhases walks the rules of Argo's assessMetricStatus
// (docs/plans.md) with hand-checked outcome sequences.
func TestArgoMetricPhases(t *testing.T) {
	def := DefaultMetric()
	with := func(f func(*Metric)) Metric { m := def; f(&m); return m }
	for _, tt := range []struct {
		name string
		m    Metric
		in   string
		term bool
		want Phase
		at   int // measurement at which the phase was reached
		rule string
	}{
		{"one measurement by default", def, "S", false, Successful, 1, "count 1 reached"},
		{"default failureLimit 0", def, "F", false, Failed, 1, "failed 1 > failureLimit 0"},
		{"inconclusive", def, "I", false, Inconclusive, 1, "inconclusive 1 > inconclusiveLimit 0"},
		// failureLimit 3 fails on the 4th failure: strict >, as the code says (docs say "three").
		{"failureLimit strict", with(func(m *Metric) { m.Interval, m.Count, m.FailureLimit = true, 10, 3 }), "FFSFSF", false, Failed, 6, "failed 4 > failureLimit 3"},
		{"count reached", with(func(m *Metric) { m.Interval, m.Count, m.FailureLimit = true, 5, 1 }), "SFSSS", false, Successful, 5, "count 5 reached"},
		// Errors are not counted: five measurements needed beyond the errors.
		{"errors not counted", with(func(m *Metric) { m.Interval, m.Count = true, 3 }), "SESES", false, Successful, 5, "count 3"},
		{"consecutiveErrorLimit 4", with(func(m *Metric) { m.Interval = true }), "SEEEEE", false, Error, 6, "consecutiveError 5 > consecutiveErrorLimit 4"},
		{"unbounded keeps running", with(func(m *Metric) { m.Interval = true }), "SSSS", false, Running, 4, "no limit"},
		{"unbounded terminated", with(func(m *Metric) { m.Interval = true }), "SSSS", true, Successful, 4, "terminating"},
		{"consecutive successes", with(func(m *Metric) { m.Interval, m.Count, m.FailureLimit, m.ConsecutiveSuccessLimit = true, 10, -1, 3 }), "SFSSS", false, Successful, 5, "consecutiveSuccess 3 >= consecutiveSuccessLimit 3"},
		{"only cSL, count runs out", with(func(m *Metric) { m.Interval, m.Count, m.FailureLimit, m.ConsecutiveSuccessLimit = true, 4, -1, 3 }), "SFSS", false, Failed, 4, "count 4 reached without 3 consecutive successes"},
		{"both limits, count runs out", with(func(m *Metric) { m.Interval, m.Count, m.FailureLimit, m.ConsecutiveSuccessLimit = true, 4, 1, 3 }), "SFSS", false, Inconclusive, 4, "neither"},
	} {
		if err := tt.m.Validate(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		r := tt.m.Replay(outcomes(tt.in), tt.term)
		last := r.Steps[len(r.Steps)-1]
		if r.Phase != tt.want || last.N != tt.at || !strings.Contains(last.Rule, tt.rule) {
			t.Errorf("%s: %s at %d (%s), want %s at %d (%s)", tt.name, r.Phase, last.N, last.Rule, tt.want, tt.at, tt.rule)
		}
	}
}

func TestArgoEvaluate(t *testing.T) {
	ok, _ := ParseCondition("result[0] >= 0.95")
	bad, _ := ParseCondition("result < 0.5 || result > 100")
	for _, tt := range []struct {
		s, f *Condition
		v    float64
		want Phase
	}{
		{nil, nil, 0, Successful},
		{ok, nil, 0.97, Successful},
		{ok, nil, 0.9, Failed},
		{nil, bad, 0.4, Failed},
		{nil, bad, 0.7, Successful},
		{ok, bad, 0.7, Inconclusive},
		{ok, bad, 0.96, Successful},
		{ok, bad, 101, Failed},
		{ok, bad, math.NaN(), Error},
	} {
		m := Metric{SuccessCondition: tt.s, FailureCondition: tt.f}
		if got, why := m.Evaluate(tt.v); got != tt.want {
			t.Errorf("%v with %v/%v: %s (%s), want %s", tt.v, tt.s, tt.f, got, why, tt.want)
		}
	}
	for _, s := range []string{"result >", "resul > 1", "(result > 1", "result ~ 2", "result > 1 extra"} {
		if _, err := ParseCondition(s); err == nil {
			t.Errorf("ParseCondition(%q) accepted", s)
		}
	}
	c, err := ParseCondition("!(result > 1) && 2 != result")
	if err != nil || !c.Eval(0.5) || c.Eval(2) || c.Eval(3) {
		t.Errorf("compound condition: %v", err)
	}
}

func TestArgoValidate(t *testing.T) {
	for _, m := range []Metric{
		{FailureLimit: -2},
		{FailureLimit: -1},
		{Count: 3},
		{Count: 2, Interval: true, FailureLimit: 3},
	} {
		if m.Validate() == nil {
			t.Errorf("%+v validates", m)
		}
	}
}

func TestArgoRunPhase(t *testing.T) {
	for _, tt := range []struct {
		ms   []MetricPhase
		want Phase
	}{
		{[]MetricPhase{{Successful, false}, {Running, false}}, Running},
		{[]MetricPhase{{Failed, false}, {Running, false}}, Failed},
		{[]MetricPhase{{Inconclusive, false}, {Error, false}}, Error},
		{[]MetricPhase{{Successful, false}, {Failed, true}}, Successful}, // dry run never worsens
		{[]MetricPhase{{Failed, true}}, Successful},
		{[]MetricPhase{{Successful, false}, {Running, true}}, Running}, // but an incomplete dry run keeps it running
	} {
		if got := RunPhase(tt.ms); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.ms, got, tt.want)
		}
	}
}

func passes(n int) []Check {
	out := make([]Check, n)
	for i := range out {
		out[i] = Check{Given: true, Passed: true}
	}
	return out
}

// TestFlaggerClosedForms holds the tick model to docs/plans.md: the first
// tick runs only the pre-rollout webhooks and makes the first step;
// promotion on tick ceil(maxWeight/stepWeight)+1, then a Promoting and a
// Finalising tick; f failed ticks delay it by f intervals; failures in a
// row from tick t0 roll back at t0 + threshold ticks.
func TestFlaggerClosedForms(t *testing.T) {
	// The documentation's example: interval 1m, stepWeight 2, maxWeight 50:
	// 25 minutes minimum; the tick model promotes on tick 26 (25 checks: the
	// first tick takes none) and succeeds two ticks later.
	f := Flagger{Interval: time.Minute, Threshold: 5, MaxWeight: 50, StepWeight: 2}
	r, err := f.Replay(passes(40), Range{})
	if err != nil {
		t.Fatal(err)
	}
	last := r.Ticks[len(r.Ticks)-1]
	if r.Phase != "Succeeded" || last.At != 28*time.Minute || r.ClosedForm != 25*time.Minute || r.Unused != 40-25 {
		t.Errorf("promotion: %s at %v, closed form %v, unused %d", r.Phase, last.At, r.ClosedForm, r.Unused)
	}
	if w := r.Ticks[24].Canary; w != 50 || r.Ticks[25].Phase != "Promoting" || r.Ticks[0].Check != "" {
		t.Errorf("tick 25 weight %v, tick 26 phase %s, tick 1 check %q", w, r.Ticks[25].Phase, r.Ticks[0].Check)
	}
	nf, _ := f.Normalised()
	if got := nf.TickModel(); got != 28*time.Minute {
		t.Errorf("TickModel %v, want 28m", got)
	}
	// Two failed checks (below the threshold) delay promotion by two intervals.
	checks := passes(40)
	checks[3], checks[10] = Check{Given: true}, Check{Given: true}
	r, _ = f.Replay(checks, Range{})
	if last := r.Ticks[len(r.Ticks)-1]; r.Phase != "Succeeded" || last.At != 30*time.Minute || last.FailedChecks != 2 {
		t.Errorf("two failures: %s at %v with %d failed checks", r.Phase, last.At, last.FailedChecks)
	}
	// Failures from tick t0 = 5 on (ticks 2-4 pass): rollback at tick 5 + 5 = 10.
	checks = passes(3)
	for range 10 {
		checks = append(checks, Check{Value: math.NaN()}) // no values found fails
	}
	r, _ = f.Replay(checks, Range{})
	if last := r.Ticks[len(r.Ticks)-1]; r.Phase != "Failed" || last.N != 10 || last.Canary != 0 || r.Ticks[3].Canary != 8 {
		t.Errorf("rollback: %s at tick %d weight %v", r.Phase, last.N, last.Canary)
	}
	// Overshoot: stepWeight 20, maxWeight 50 goes 20, 40, 60, then promotes.
	r, _ = Flagger{StepWeight: 20, MaxWeight: 50}.Replay(passes(10), Range{})
	if r.Ticks[0].Canary != 20 || r.Ticks[1].Canary != 40 || r.Ticks[2].Canary != 60 || r.Ticks[3].Phase != "Promoting" || r.Ticks[0].At != time.Minute {
		t.Errorf("overshoot: %+v", r.Ticks[:4])
	}
	// stepWeights, thresholdRange and a gradual promotion.
	lo := 99.0
	vals := []Check{{Value: 99.5}, {Value: 98}, {Value: 99.9}, {Value: 100}, {Value: 99}}
	r, _ = Flagger{StepWeights: []float64{5, 25, 50}, StepWeightPromotion: 20, Threshold: 2}.Replay(vals, Range{Min: &lo})
	want := []float64{5, 25, 25, 50, 50, 30, 10, 0, 0}
	if len(r.Ticks) != len(want) || r.Phase != "Succeeded" || r.Ticks[2].FailedChecks != 1 || !strings.Contains(r.Ticks[2].Check, "98 < min 99") {
		t.Fatalf("stepWeights: %+v", r.Ticks)
	}
	for i, w := range want {
		if r.Ticks[i].Canary != w {
			t.Errorf("tick %d weight %v, want %v", i+1, r.Ticks[i].Canary, w)
		}
	}
}

// TestFlaggerBlueGreen: iterations N: the first tick counts iteration 1
// without a check, ticks 2..N count the rest, tick N+1 switches all traffic
// to the canary, tick N+2 promotes, then Promoting and Finalising — the
// documentation's interval × iterations plus the switch and the two
// promotion ticks.
func TestFlaggerBlueGreen(t *testing.T) {
	f, err := Flagger{Interval: 30 * time.Second, Iterations: 10, Threshold: 2}.Normalised()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.Replay(passes(20), Range{})
	if r.Phase != "Succeeded" || len(r.Ticks) != 14 || r.Unused != 20-11 || r.ClosedForm != 5*time.Minute {
		t.Fatalf("blue/green: %s after %d ticks, unused %d, closed form %v", r.Phase, len(r.Ticks), r.Unused, r.ClosedForm)
	}
	if r.Ticks[9].Canary != 0 || r.Ticks[10].Canary != 100 || r.Ticks[11].Phase != "Promoting" || f.TickModel() != 7*time.Minute {
		t.Errorf("switch at tick 11, promote at 12: %+v", r.Ticks[9:12])
	}
	s := f.Start()
	for s.NeedsCheck() == false && s.Ticks == 0 {
		s.Tick(false) // the first tick takes no check: a false outcome is ignored
	}
	if s.Iterations != 1 || s.FailedChecks != 0 {
		t.Errorf("first tick: %+v", s)
	}
}

// TestFlaggerStateAllocs: the stepped loop the controller drives allocates nothing.
func TestFlaggerStateAllocs(t *testing.T) {
	f, _ := Flagger{StepWeight: 10}.Normalised()
	m := FlaggerMetric{Name: RequestSuccessRate, Range: Range{Min: ptrTo(99.0)}}
	n := testing.AllocsPerRun(100, func() {
		s := f.Start()
		for !s.Phase.Done() {
			s.Tick(m.Passes(99.5))
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per analysis", n)
	}
}

func ptrTo(v float64) *float64 { return &v }

// TestFlaggerMetricChecks: thresholdRange bounds are inclusive; the legacy
// threshold is a minimum for request-success-rate and a maximum otherwise;
// no values fails.
func TestFlaggerMetricChecks(t *testing.T) {
	sr := FlaggerMetric{Name: RequestSuccessRate, Range: Range{Min: ptrTo(99)}}
	dur := FlaggerMetric{Name: RequestDuration, Range: Range{Max: ptrTo(500)}}
	both := FlaggerMetric{Name: "x", Range: Range{Min: ptrTo(1), Max: ptrTo(2)}}
	legacySR := FlaggerMetric{Name: RequestSuccessRate, Legacy: ptrTo(99)}
	legacyDur := FlaggerMetric{Name: RequestDuration, Legacy: ptrTo(500)}
	for _, tt := range []struct {
		m    FlaggerMetric
		v    float64
		want bool
	}{
		{sr, 99, true}, {sr, 98.99, false}, {sr, 100, true}, {sr, math.NaN(), false},
		{dur, 500, true}, {dur, 500.01, false}, {dur, 0, true}, {dur, math.NaN(), false},
		{both, 1, true}, {both, 2, true}, {both, 0.99, false}, {both, 2.01, false},
		{legacySR, 99, true}, {legacySR, 98, false}, {legacyDur, 500, true}, {legacyDur, 501, false},
		{legacyDur, math.NaN(), false},
	} {
		ok, why := tt.m.Explain(tt.v)
		if tt.m.Passes(tt.v) != tt.want || ok != tt.want || why == "" {
			t.Errorf("%s %+v at %v: %v (%s), want %v", tt.m.Name, tt.m.Range, tt.v, ok, why, tt.want)
		}
	}
	for _, m := range []FlaggerMetric{
		{Name: "a"},
		{Name: "b", Legacy: ptrTo(1), Range: Range{Min: ptrTo(1)}},
		{Name: "c", Range: Range{Min: ptrTo(3), Max: ptrTo(2)}},
		{Name: "d", Range: Range{Min: ptrTo(3)}, Interval: -time.Second},
	} {
		if m.Validate() == nil {
			t.Errorf("%+v validates", m)
		}
	}
	for _, f := range []Flagger{{}, {StepWeight: 120}, {StepWeights: []float64{10, 5}}, {StepWeight: 10, MaxWeight: 150}, {Iterations: -1}, {StepWeight: 5, StepWeightPromotion: -1}} {
		if _, err := f.Normalised(); err == nil {
			t.Errorf("%+v normalises", f)
		}
	}
	if f, _ := (Flagger{Interval: 5 * time.Second, StepWeight: 10, Threshold: -3}).Normalised(); f.Interval != 10*time.Second || f.Threshold != 1 || f.MaxWeight != 100 {
		t.Errorf("defaults: %+v", f)
	}
	if f, _ := (Flagger{StepWeights: []float64{10, 40, 100}, MaxWeight: 30}).Normalised(); f.MaxWeight != 100 {
		t.Errorf("stepWeights maxWeight: %+v", f)
	}
}

// FuzzParseCondition: any text parses or fails with a positioned message,
// and a parsed condition evaluates without panicking.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"result[0] >= 0.95", "result < 0.5 || result > 100", "!(result > 1) && 2 != result", "((result==1))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "condition ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if c != nil {
			c.Eval(0.5)
			c.Eval(math.NaN())
		}
	})
}

// TestSequentialStopsAt29 is docs/plans.md's worked example: every event
// from the canary, traffic split ½/½, k = 100, α = 0.05: the test stops at the
// 29th event.
func TestSequentialStopsAt29(t *testing.T) {
	ev := make([]int, 60)
	for i := range ev {
		ev[i] = 1
	}
	steps, err := Sequential{Rho: []float64{0.5, 0.5}, OneSided: true, Canary: 1}.Replay(ev)
	if err != nil {
		t.Fatal(err)
	}
	last := steps[len(steps)-1]
	if !last.Reject || last.N != 29 || steps[27].Reject {
		t.Errorf("stopped at %d (reject %v, p %v)", last.N, last.Reject, last.P)
	}
	// One-sided: the same stream from the control arm never rejects "canary worse".
	for i := range ev {
		ev[i] = 0
	}
	steps, _ = Sequential{Rho: []float64{0.5, 0.5}, OneSided: true, Canary: 1}.Replay(ev)
	if steps[len(steps)-1].Reject {
		t.Error("one-sided test rejected on control events")
	}
	// Two-sided, it does.
	steps, _ = Sequential{Rho: []float64{0.5, 0.5}}.Replay(ev)
	if l := steps[len(steps)-1]; !l.Reject || l.N != 29 {
		t.Errorf("two-sided on control events: %+v", l)
	}
}

// TestSequentialFalseAlarmRate: events drawn under the null (each from the
// canary with probability ρ) reject, ever, in at most α of the streams —
// the anytime guarantee — here checked on 2000 seeded streams of 300 events
// with a binomial margin of 3 standard errors.
func TestSequentialFalseAlarmRate(t *testing.T) {
	src := rand.New(rand.NewPCG(11, 12))
	s := Sequential{Rho: []float64{0.8, 0.2}}
	const streams, n = 2000, 300
	rejected := 0
	ev := make([]int, n)
	for range streams {
		for i := range ev {
			ev[i] = 0
			if src.Float64() < 0.2 {
				ev[i] = 1
			}
		}
		steps, _ := s.Replay(ev)
		if steps[len(steps)-1].Reject {
			rejected++
		}
	}
	rate := float64(rejected) / streams
	if limit := 0.05 + 3*math.Sqrt(0.05*0.95/streams); rate > limit {
		t.Errorf("false-alarm rate %v > %v", rate, limit)
	}
}

// TestSeqTestTwins: the running two-arm state against the general
// multinomial replay (its slow twin), and a batch of counts against the same
// events one by one.
func TestSeqTestTwins(t *testing.T) {
	src := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		rho := 0.05 + 0.9*src.Float64()
		s := Sequential{Rho: []float64{1 - rho, rho}, Canary: 1, OneSided: trial%2 == 0}
		ev := make([]int, 200)
		for i := range ev {
			if src.Float64() < rho*1.3 {
				ev[i] = 1
			}
		}
		fast, _ := s.Replay(ev)
		slow, _ := s.replayMulti(ev)
		if len(fast) != len(slow) {
			t.Fatalf("trial %d: %d steps vs %d", trial, len(fast), len(slow))
		}
		for i := range fast {
			if math.Abs(fast[i].LogBF-slow[i].LogBF) > 1e-9 || fast[i].Reject != slow[i].Reject || fast[i].P != slow[i].P && math.Abs(fast[i].P-slow[i].P) > 1e-12 {
				t.Fatalf("trial %d step %d: %+v vs %+v", trial, i, fast[i], slow[i])
			}
		}
		// The same events as three batches give the last step's numbers.
		st, _ := s.Start()
		n := len(fast)
		for _, cut := range [][2]int{{0, n / 3}, {n / 3, 2 * n / 3}, {2 * n / 3, n}} {
			c := [2]int{}
			for _, a := range ev[cut[0]:cut[1]] {
				c[a]++
			}
			st.Add(c[0], c[1])
		}
		if l := fast[n-1]; math.Abs(st.LogBF-l.LogBF) > 1e-9 || st.Events != n {
			t.Errorf("trial %d: batched logBF %v, one by one %v", trial, st.LogBF, l.LogBF)
		}
	}
	st, _ := Sequential{Rho: []float64{0.5, 0.5}, Canary: 1}.Start()
	for _, bad := range []float64{0, 1, -0.1, math.NaN()} {
		if st.SetRho(bad) == nil {
			t.Errorf("SetRho(%v) accepted", bad)
		}
	}
	if n := testing.AllocsPerRun(100, func() { st.Add(1, 2); st.SetRho(0.3); st.Observe(1) }); n != 0 {
		t.Errorf("%v allocations per update", n)
	}
}

// TestSeqTestStepsKeepAlpha: the split changes as a canary's weight does
// (5, 10, 20, 50 %), the test restarts its mixture at each change, and under
// the null its false-alarm rate stays within α (2000 streams, 3 standard
// errors); a canary with twice the error rate is caught in most streams.
func TestSeqTestStepsKeepAlpha(t *testing.T) {
	src := rand.New(rand.NewPCG(21, 22))
	const streams = 2000
	shares := []float64{0.05, 0.1, 0.2, 0.5}
	run := func(ratio float64) int {
		rejected := 0
		for range streams {
			st, _ := Sequential{Rho: []float64{0.95, 0.05}, Canary: 1}.Start()
			for _, w := range shares {
				st.SetRho(w)
				p := w * ratio / (w*ratio + 1 - w) // the chance an event is the canary's
				for range 60 {
					a := 0
					if src.Float64() < p {
						a = 1
					}
					st.Observe(a)
				}
			}
			if st.Reject() {
				rejected++
			}
		}
		return rejected
	}
	null := float64(run(1)) / streams
	if limit := 0.05 + 3*math.Sqrt(0.05*0.95/streams); null > limit {
		t.Errorf("false-alarm rate %v > %v", null, limit)
	}
	if power := float64(run(3)) / streams; power < 0.8 {
		t.Errorf("power %v against a threefold error rate", power)
	}
}
