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
