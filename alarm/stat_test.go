package alarm

import (
	"math"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		st, ext string
		want    Stat
		str     string
	}{
		{"SampleCount", "", Stat{Kind: SampleCount}, "SampleCount"},
		{"Average", "", Stat{Kind: Average}, "Average"},
		{"sum", "", Stat{Kind: Sum}, "Sum"},
		{"Minimum", "", Stat{Kind: Minimum}, "Minimum"},
		{"Maximum", "", Stat{Kind: Maximum}, "Maximum"},
		{"", "p99", Stat{Kind: Percentile, Percentile: 99}, "p99"},
		{"", "p99.9", Stat{Kind: Percentile, Percentile: 99.9}, "p99.9"},
		{"", "p50", Stat{Kind: Percentile, Percentile: 50}, "p50"},
		{"", "p95.45", Stat{Kind: Percentile, Percentile: 95.45}, "p95.45"},
		{"", "p0.0", Stat{Kind: Percentile, Percentile: 0}, "p0"},
		{"", "p100", Stat{Kind: Percentile, Percentile: 100}, "p100"},
	} {
		got, err := ParseStat(tc.st, tc.ext)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseStat(%q, %q) = %v (%s), %v; want %v (%s)", tc.st, tc.ext, got, got, err, tc.want, tc.str)
		}
	}
	for _, tc := range []struct{ st, ext, msg string }{
		{"", "", "required"},
		{"Average", "p99", "only one"},
		{"Avg", "", "SampleCount, Average"},
		{"p99", "", "is an ExtendedStatistic"},
		{"", "tm90", "not supported by shiftsim"},
		{"", "IQM", "not supported by shiftsim"},
		{"", "TM(2%:98%)", "not supported by shiftsim"},
		{"", "PR(:300)", "not supported by shiftsim"},
		{"", "wm98", "not supported by shiftsim"},
		{"", "p101", "between p0 and p100"},
		{"", "p9x", "not a percentile"},
		{"", "p1e2", "not a percentile"},
		{"", "Average", "unknown ExtendedStatistic"},
	} {
		_, err := ParseStat(tc.st, tc.ext)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseStat(%q, %q): %v, want error containing %q", tc.st, tc.ext, err, tc.msg)
		}
	}
}

func TestStatOf(t *testing.T) {
	xs := []float64{4, 1, 3, 2, 10}
	for _, tc := range []struct {
		s    Stat
		want float64
	}{
		{Stat{Kind: SampleCount}, 5},
		{Stat{Kind: Sum}, 20},
		{Stat{Kind: Average}, 4},
		{Stat{Kind: Minimum}, 1},
		{Stat{Kind: Maximum}, 10},
		{Stat{Kind: Percentile, Percentile: 50}, 3},  // 3 of 5 samples <= 3
		{Stat{Kind: Percentile, Percentile: 80}, 4},  // 4 of 5 samples <= 4
		{Stat{Kind: Percentile, Percentile: 81}, 10}, // more than 4 of 5 needs the max
		{Stat{Kind: Percentile, Percentile: 100}, 10},
		{Stat{Kind: Percentile, Percentile: 0}, 1},
	} {
		in := append([]float64(nil), xs...)
		if got := tc.s.Of(in); got != tc.want {
			t.Errorf("%s.Of(%v) = %g, want %g", tc.s, xs, got, tc.want)
		}
	}
	for _, s := range []Stat{{Kind: SampleCount}, {Kind: Average}, {Kind: Percentile, Percentile: 99}} {
		if got := s.Of(nil); !math.IsNaN(got) {
			t.Errorf("%s of no samples = %g, want NaN (missing datapoint)", s, got)
		}
	}
	if got := (Stat{Kind: Percentile, Percentile: 99}).Of([]float64{1, -2}); !math.IsNaN(got) {
		t.Errorf("percentile of negative samples = %g, want NaN", got)
	}
}

// AWS's rule for percentile alarms with low samples ("Percentile-based
// CloudWatch alarms and low data samples", CloudWatch User Guide): fewer
// than 10/(1-p) samples for p in [0.5, 1), fewer than 10/p below 0.5; its
// own example is 1000 for p99.
func TestMinSamples(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want float64
	}{
		{99, 1000}, {99.9, 10000}, {99.99, 100000}, {95, 200}, {90, 100}, {75, 40}, {50, 20},
		{49, 21}, {25, 40}, {10, 100}, {1, 1000}, {0.1, 10000}, {0, 0}, {100, 0},
	} {
		if got := (Stat{Kind: Percentile, Percentile: c.p}).MinSamples(); got != c.want {
			t.Errorf("p%v: MinSamples %v, want %v", c.p, got, c.want)
		}
	}
	for _, s := range []Stat{{Kind: Average}, {Kind: Sum}, {Kind: Maximum}} {
		if s.MinSamples() != 0 {
			t.Errorf("%s has a minimum sample count", s)
		}
	}
	p99 := Stat{Kind: Percentile, Percentile: 99}
	for _, c := range []struct {
		l    LowSample
		n    float64
		hold bool
	}{
		{IgnoreLowSample, 999, true}, {IgnoreLowSample, 1, true}, {IgnoreLowSample, 1000, false},
		{IgnoreLowSample, 0, false}, // no samples: missing data, not a low sample
		{EvaluateLowSample, 999, false}, {EvaluateLowSample, 1, false},
	} {
		if got := c.l.Holds(p99, c.n); got != c.hold {
			t.Errorf("%s with %v samples of p99: holds %v, want %v", c.l, c.n, got, c.hold)
		}
	}
	if (IgnoreLowSample).Holds(Stat{Kind: Average}, 1) {
		t.Error("ignore holds an Average alarm")
	}
	for _, c := range []struct {
		in   string
		want LowSample
		ok   bool
	}{{"", EvaluateLowSample, true}, {"evaluate", EvaluateLowSample, true}, {"ignore", IgnoreLowSample, true}, {"Ignore", 0, false}, {"skip", 0, false}} {
		got, err := ParseLowSample(c.in)
		if (err == nil) != c.ok || got != c.want || (c.ok && c.in != "" && got.String() != c.in) {
			t.Errorf("ParseLowSample(%q) = %v, %v", c.in, got, err)
		}
	}
}

// OfBinary, the statistics of a 0/1 metric from its counts, agrees with Of
// on the samples written out, for every statistic; neither allocates.
func TestOfBinaryMatchesSamples(t *testing.T) {
	stats := []Stat{{Kind: SampleCount}, {Kind: Sum}, {Kind: Average}, {Kind: Minimum}, {Kind: Maximum}}
	for _, p := range []float64{0, 1, 10, 50, 89.9, 90, 90.1, 99, 99.9, 100} {
		stats = append(stats, Stat{Kind: Percentile, Percentile: p})
	}
	for samples := int64(0); samples <= 25; samples++ {
		for events := int64(0); events <= samples; events++ {
			xs := make([]float64, samples)
			for i := range events {
				xs[i] = 1
			}
			for _, s := range stats {
				in := append([]float64(nil), xs...)
				if got, want := s.OfBinary(events, samples), s.Of(in); !same(got, want) {
					t.Errorf("%s of %d ones in %d samples: OfBinary %v, Of %v", s, events, samples, got, want)
				}
			}
		}
	}
	p99 := Stat{Kind: Percentile, Percentile: 99}
	sorted := []float64{1, 2, 3}
	set := Summary{SampleCount: 3, Sum: 6, Minimum: 1, Maximum: 3}
	if a := testing.AllocsPerRun(100, func() { p99.OfBinary(3, 700); p99.OfSummary(set, sorted) }); a != 0 {
		t.Errorf("OfBinary/OfSummary allocate %v times", a)
	}
}

// A p99 alarm with ignore holds its state through periods of fewer than 1000
// samples and is evaluated again once a period has enough.
func TestSeriesSamples(t *testing.T) {
	r := Rule{EvaluationPeriods: 1, Threshold: 400, Comparison: GreaterThanThreshold, TreatMissing: NotBreaching}
	p99 := Stat{Kind: Percentile, Percentile: 99}
	points := []float64{900, 900, math.NaN(), 900, 100}
	samples := []float64{120, 999, 0, 1000, 5}
	want := []State{InsufficientData, InsufficientData, InsufficientData, Alarm, Alarm}
	steps := r.SeriesSamples(points, samples, p99, IgnoreLowSample, InsufficientData)
	for i, s := range steps {
		if s.State != want[i] {
			t.Errorf("step %d: %s (%s), want %s", i+1, s.State, s.Reason, want[i])
		}
	}
	if !strings.Contains(steps[0].Reason, "120 samples, fewer than the 1000 AWS requires for p99: EvaluateLowSampleCountPercentile=ignore keeps INSUFFICIENT_DATA") {
		t.Errorf("reason %q", steps[0].Reason)
	}
	// The missing third datapoint: the newest present one (999 samples) still holds.
	if !strings.Contains(steps[2].Reason, "999 samples") {
		t.Errorf("reason %q", steps[2].Reason)
	}
	// evaluate judges every datapoint, as Series does.
	plain := r.Series(points, InsufficientData)
	for i, s := range r.SeriesSamples(points, samples, p99, EvaluateLowSample, InsufficientData) {
		if s != plain[i] {
			t.Errorf("evaluate step %d: %v, Series %v", i+1, s, plain[i])
		}
	}
}
