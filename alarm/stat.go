package alarm

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Statistic is how CloudWatch aggregates the samples of one period into a
// datapoint.
type Statistic uint8

// The statistics of PutMetricAlarm's Statistic field, plus Percentile for the
// pNN ExtendedStatistic.
const (
	SampleCount Statistic = iota
	Average
	Sum
	Minimum
	Maximum
	Percentile
)

var statisticNames = [...]string{
	SampleCount: "SampleCount", Average: "Average", Sum: "Sum", Minimum: "Minimum", Maximum: "Maximum", Percentile: "Percentile",
}

// String returns the AWS name of s, or "Percentile".
func (s Statistic) String() string {
	if int(s) < len(statisticNames) {
		return statisticNames[s]
	}
	return fmt.Sprintf("Statistic(%d)", uint8(s))
}

// Stat is the statistic of an alarm: a Statistic, or a percentile given by an
// ExtendedStatistic such as "p99".
type Stat struct {
	Kind       Statistic
	Percentile float64 // for Kind == Percentile: 99 for "p99", 99.9 for "p99.9"
}

// String returns the statistic as AWS writes it: "Average", "p99", "p99.9".
func (s Stat) String() string {
	if s.Kind == Percentile {
		return "p" + strconv.FormatFloat(s.Percentile, 'f', -1, 64)
	}
	return s.Kind.String()
}

// ParseStat parses the Statistic and ExtendedStatistic fields of an alarm, of
// which exactly one must be given. Statistic is one of SampleCount, Average,
// Sum, Minimum, Maximum (ignoring case). Of the extended statistics only
// percentiles are supported, written pNN or pNN.NN with NN between 0 and 100
// ("Specify a value between p0.0 and p100", PutMetricAlarm API reference);
// trimmed means, winsorized means, trimmed counts and sums, IQM and
// percentile ranks give a "not supported by shiftsim" error.
func ParseStat(statistic, extendedStatistic string) (Stat, error) {
	switch {
	case statistic == "" && extendedStatistic == "":
		return Stat{}, fmt.Errorf("one of Statistic or ExtendedStatistic is required")
	case statistic != "" && extendedStatistic != "":
		return Stat{}, fmt.Errorf("Statistic %q and ExtendedStatistic %q: give only one", statistic, extendedStatistic)
	case statistic != "":
		for i, name := range statisticNames[:Percentile] {
			if strings.EqualFold(statistic, name) {
				return Stat{Kind: Statistic(i)}, nil
			}
		}
		if _, err := parsePercentile(statistic); err == nil {
			return Stat{}, fmt.Errorf("Statistic %q: a percentile is an ExtendedStatistic, not a Statistic", statistic)
		}
		return Stat{}, fmt.Errorf("unknown Statistic %q (want SampleCount, Average, Sum, Minimum or Maximum)", statistic)
	}
	p, err := parsePercentile(extendedStatistic)
	if err != nil {
		return Stat{}, err
	}
	return Stat{Kind: Percentile, Percentile: p}, nil
}

func parsePercentile(s string) (float64, error) {
	if len(s) >= 2 && (s[0] == 'p' || s[0] == 'P') && (s[1] >= '0' && s[1] <= '9') {
		p, err := strconv.ParseFloat(s[1:], 64)
		if err != nil || strings.ContainsAny(s[1:], "eExX_+-") {
			return 0, fmt.Errorf("ExtendedStatistic %q: not a percentile (want pNN or pNN.NN, like p99 or p99.9)", s)
		}
		if p < 0 || p > 100 {
			return 0, fmt.Errorf("ExtendedStatistic %q: percentile must be between p0 and p100", s)
		}
		return p, nil
	}
	l := strings.ToLower(s)
	for _, prefix := range []string{"tm", "tc", "ts", "wm", "iqm", "pr("} {
		if strings.HasPrefix(l, prefix) {
			return 0, fmt.Errorf("ExtendedStatistic %q is not supported by shiftsim (only percentiles such as p99 are)", s)
		}
	}
	return 0, fmt.Errorf("unknown ExtendedStatistic %q (want a percentile such as p99 or p99.9)", s)
}

// Summary is a period's samples as CloudWatch keeps them, a statistic set:
// how many, their sum and their extremes. A percentile needs the samples
// themselves besides.
type Summary struct {
	SampleCount float64
	Sum         float64
	Minimum     float64
	Maximum     float64
}

// Of aggregates the samples of one period into a datapoint; see
// OfSummary. Of sorts samples in place for a percentile.
func (s Stat) Of(samples []float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	set := Summary{SampleCount: float64(len(samples)), Minimum: samples[0], Maximum: samples[0]}
	for _, v := range samples {
		set.Sum += v
		set.Minimum = min(set.Minimum, v)
		set.Maximum = max(set.Maximum, v)
	}
	if s.Kind == Percentile && !sort.Float64sAreSorted(samples) {
		sort.Float64s(samples)
	}
	return s.OfSummary(set, samples)
}

// OfSummary is the datapoint of a period summarised by set, as CloudWatch's
// statistics are defined ("Statistics definitions", CloudWatch User Guide):
// SampleCount is the number of samples, Sum their sum, Average Sum divided
// by SampleCount, Minimum and Maximum the extremes. For a percentile, sorted
// holds the period's samples in increasing order. A period without samples
// gives NaN, a missing datapoint: CloudWatch has no datapoint for a period
// in which nothing was published. It does not allocate.
//
// A percentile is the empirical quantile, the smallest sample v such that at
// least Percentile % of the samples are <= v (gonum stat.Quantile with
// stat.Empirical); AWS says only that "p95 ... means that 95 percent of the
// data within the period is lower than this value", not how it interpolates,
// so this is shiftsim's choice (docs/cloudwatch.md). "Percentile statistics
// are not available for metrics when any of the metric values are negative
// numbers" (GetMetricStatistics API reference), so a negative sample gives
// NaN.
func (s Stat) OfSummary(set Summary, sorted []float64) float64 {
	if !(set.SampleCount > 0) {
		return math.NaN()
	}
	switch s.Kind {
	case SampleCount:
		return set.SampleCount
	case Sum:
		return set.Sum
	case Average:
		return set.Sum / set.SampleCount
	case Minimum:
		return set.Minimum
	case Maximum:
		return set.Maximum
	case Percentile:
		if !(s.Percentile >= 0 && s.Percentile <= 100) || len(sorted) == 0 || sorted[0] < 0 || math.IsNaN(sorted[0]) {
			return math.NaN()
		}
		return stat.Quantile(s.Percentile/100, stat.Empirical, sorted, nil)
	}
	return math.NaN()
}

// OfBinary is the datapoint of a period of a metric published as one sample
// per event, 1 when it happened and 0 when not, such as Lambda's Errors: of
// samples samples, events are 1. So the Sum counts the events and the
// Average is their rate.
func (s Stat) OfBinary(events, samples int64) float64 {
	if samples <= 0 {
		return math.NaN()
	}
	set := Summary{SampleCount: float64(samples), Sum: float64(events)}
	if events == samples {
		set.Minimum = 1
	}
	if events > 0 {
		set.Maximum = 1
	}
	if s.Kind != Percentile {
		return s.OfSummary(set, nil)
	}
	if !(s.Percentile >= 0 && s.Percentile <= 100) {
		return math.NaN()
	}
	// The sorted samples are samples-events zeros, then events ones; the
	// empirical quantile (as stat.Quantile computes it, which a test holds
	// it to) is 0 when the zeros reach the fraction p of all samples.
	zeros := float64(samples - events)
	if events < samples && (events == 0 || zeros >= s.Percentile/100*float64(samples)) {
		return 0
	}
	return 1
}

// MinSamples is the fewest samples a period needs for the percentile
// statistic s to count as statistically significant, AWS's rule for
// EvaluateLowSampleCountPercentile ("Percentile-based CloudWatch alarms and
// low data samples", CloudWatch User Guide): 10/(1-p) for p in [0.5, 1),
// 10/p for p in (0, 0.5) — 1000 for p99, 20 for p50, 100 for p10. It is 0,
// no minimum, for other statistics and for p0 and p100, which the rule does
// not cover.
func (s Stat) MinSamples() float64 {
	if s.Kind != Percentile || !(s.Percentile > 0 && s.Percentile < 100) {
		return 0
	}
	// In percent, so that p99 gives exactly 1000/1; the tolerance keeps a
	// rounding error (p99.9: 1000/0.0999...) from asking for one more.
	x := 1000 / (100 - s.Percentile)
	if s.Percentile < 50 {
		x = 1000 / s.Percentile
	}
	return math.Ceil(x * (1 - 1e-12))
}

// LowSample is an alarm's EvaluateLowSampleCountPercentile setting.
type LowSample uint8

// The values of EvaluateLowSampleCountPercentile.
const (
	// EvaluateLowSample evaluates a percentile alarm whatever its sample
	// count: AWS's default.
	EvaluateLowSample LowSample = iota
	// IgnoreLowSample keeps the alarm's state while the samples are too few.
	IgnoreLowSample
)

// String returns AWS's spelling: "evaluate" or "ignore".
func (l LowSample) String() string {
	if l == IgnoreLowSample {
		return "ignore"
	}
	return "evaluate"
}

// ParseLowSample parses EvaluateLowSampleCountPercentile; "" is evaluate,
// the default. Values are case-sensitive, as in PutMetricAlarm.
func ParseLowSample(v string) (LowSample, error) {
	switch v {
	case "", "evaluate":
		return EvaluateLowSample, nil
	case "ignore":
		return IgnoreLowSample, nil
	}
	return 0, fmt.Errorf("%q: want evaluate or ignore", v)
}

// Holds reports whether an alarm on statistic s with this setting keeps its
// state, instead of being evaluated, when the datapoint that would decide
// summarises n samples: "If you specify ignore, the alarm state does not
// change during periods with too few data points to be statistically
// significant" (PutMetricAlarm API reference). A period with no samples is
// missing data, which TreatMissingData handles, not a low sample.
func (l LowSample) Holds(s Stat, n float64) bool {
	return l == IgnoreLowSample && n > 0 && n < s.MinSamples()
}
