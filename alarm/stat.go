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

// Of aggregates the samples of one period into a datapoint, as CloudWatch's
// statistics are defined ("Statistics definitions", CloudWatch User Guide):
// SampleCount is the number of samples, Sum their sum, Average Sum divided by
// SampleCount, Minimum and Maximum the extremes. No samples give NaN, a
// missing datapoint: CloudWatch has no datapoint for a period in which
// nothing was published.
//
// A percentile is the empirical quantile, the smallest sample v such that at
// least Percentile % of the samples are <= v (gonum stat.Quantile with
// stat.Empirical); AWS says only that "p95 ... means that 95 percent of the
// data within the period is lower than this value", not how it interpolates,
// so this is shiftsim's choice. Of sorts samples in place for a percentile.
// "Percentile statistics are not available for metrics when any of the metric
// values are negative numbers" (GetMetricStatistics API reference), so a
// negative sample gives NaN.
func (s Stat) Of(samples []float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	switch s.Kind {
	case SampleCount:
		return float64(len(samples))
	case Sum, Average:
		var sum float64
		for _, v := range samples {
			sum += v
		}
		if s.Kind == Average {
			return sum / float64(len(samples))
		}
		return sum
	case Minimum, Maximum:
		m := samples[0]
		for _, v := range samples[1:] {
			if (s.Kind == Minimum && v < m) || (s.Kind == Maximum && v > m) {
				m = v
			}
		}
		return m
	case Percentile:
		if !(s.Percentile >= 0 && s.Percentile <= 100) {
			return math.NaN()
		}
		for _, v := range samples {
			if v < 0 || math.IsNaN(v) {
				return math.NaN()
			}
		}
		if !sort.Float64sAreSorted(samples) {
			sort.Float64s(samples)
		}
		return stat.Quantile(s.Percentile/100, stat.Empirical, samples, nil)
	}
	return math.NaN()
}
