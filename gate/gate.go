// Package gate says what a metric gate measures: a query kind (error rate,
// success rate, a latency statistic, a count), the versions whose requests
// it reads and the window it reads them over. It is data only. The
// deployment controller (package deploy) asks for a gate's measurement with
// a Measure action and judges the value it is told; the environment — the
// simulator from its own metrics, the alias executor from CloudWatch
// GetMetricData — measures it. docs/gates.md explains the mechanism.
//
// It is a leaf: the standard library only, no I/O, no clock, no state.
package gate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is what a query measures. The zero value is no query.
type Kind uint8

// Query kinds. Rates are percents of the window's invocations, as Flagger's
// request-success-rate is; latency is the client-visible duration in
// milliseconds under Query.Stat; counts are sums over the window.
const (
	// ErrorRate is 100·Errors/Invocations (Lambda's metrics), %.
	ErrorRate Kind = iota + 1
	// SuccessRate is 100 − ErrorRate, % (Flagger's request-success-rate).
	SuccessRate
	// Latency is Duration under Query.Stat (p99 by default), ms (Flagger's
	// request-duration).
	Latency
	// Errors is the sum of Errors over the window.
	Errors
	// Requests is the sum of Invocations over the window.
	Requests
	// Kayenta is Kayenta's canary score, 0–100, of the target (canary)
	// against the current version (baseline) over the window: per-request
	// latency and per-interval error rate judged by package judge
	// (judge.Window). Version does not apply.
	Kayenta
	// Sequential is the anytime p-value of the sequential count test
	// (analysis.RatioTest) on failed requests of the target against the
	// current version since the deployment began, the traffic split being
	// the alias's weight, its evidence carried across weight steps. Version and Window do not apply; K and OneSided
	// tune it.
	Sequential
	// SequentialLatency is the anytime p-value of the continuous
	// sequential test (analysis.BandTest, decision 9): the target's
	// per-request latency distribution against the current version's, each
	// inside Howard & Ramdas's time-uniform DKW band, read since the
	// deployment began. Window is how far back each look reads new
	// samples (at least the interval between looks); OneSided tests only a
	// slower target.
	SequentialLatency
)

var kindNames = [...]string{ErrorRate: "error_rate", SuccessRate: "success_rate", Latency: "latency", Errors: "errors", Requests: "requests",
	Kayenta: "kayenta", Sequential: "sequential", SequentialLatency: "sequential_latency"}

// String returns the kind's name as a scenario writes it.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Unit is the unit of the kind's values: "%", "ms" or "" for counts.
func (k Kind) Unit() string {
	switch k {
	case ErrorRate, SuccessRate:
		return "%"
	case Latency:
		return "ms"
	case Kayenta:
		return "/100"
	}
	return ""
}

// Kinds lists the query kinds in order.
func Kinds() []Kind {
	return []Kind{ErrorRate, SuccessRate, Latency, Errors, Requests, Kayenta, Sequential, SequentialLatency}
}

// ParseKind maps a kind's name to the Kind.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n != "" && n == s {
			return Kind(i), nil
		}
	}
	names := make([]string, 0, len(kindNames))
	for _, n := range kindNames {
		if n != "" {
			names = append(names, n)
		}
	}
	return 0, fmt.Errorf("unknown query %q (want %s)", s, strings.Join(names, ", "))
}

// Version says whose requests a query reads. The zero value is Target.
type Version uint8

// Versions.
const (
	// Target is the new version (Argo's canary, Flagger's canary).
	Target Version = iota
	// Current is the version being replaced (the stable one).
	Current
	// Both is the alias: every request, whichever version served it.
	Both
)

var versionNames = [...]string{"target", "current", "both"}

func (v Version) String() string {
	if int(v) < len(versionNames) {
		return versionNames[v]
	}
	return "Version(" + strconv.Itoa(int(v)) + ")"
}

// ParseVersion maps "target", "current" or "both" to a Version.
func ParseVersion(s string) (Version, error) {
	for i, n := range versionNames {
		if n == s {
			return Version(i), nil
		}
	}
	return 0, fmt.Errorf("unknown version %q (want target, current or both)", s)
}

// DefaultWindow is the window of a query that sets none: one minute, the
// finest period of Lambda's standard-resolution metrics.
const DefaultWindow = time.Minute

// Query is one measurement's definition: Kind over the requests of Version
// in the Window that ends at the measurement, as one CloudWatch datapoint
// of period Window (GetMetricData, docs/gates.md). Stat is the latency
// statistic in CloudWatch's words ("p99", "p50", "Average", "Maximum");
// empty means p99, and it is ignored by the other kinds.
type Query struct {
	Kind    Kind
	Version Version
	Window  time.Duration
	Stat    string
	// The sequential test's tuning: the mixture's concentration (0: 100)
	// and whether only a worse canary rejects (docs/plans.md).
	K        float64
	OneSided bool
	// Lookback > 0 reads the newest published datapoint of period Window
	// among the last Lookback periods instead of only the one ending now:
	// Flagger's CloudWatch provider asks GetMetricData for 10 × the metric
	// interval and takes the first (newest) value, so the monitoring delay
	// does not leave it without data (docs/plans.md).
	Lookback int
	// NoData is what the kayenta query scores when Kayenta's judgement has
	// no data in at least half of its metrics (the canary or the baseline
	// served nothing published in the window): NoDataFail, Kayenta's rule,
	// scores 0; NoDataPass scores only the metrics with data
	// (docs/gates.md, "Kayenta with no data").
	NoData NoData
}

// NoData is the kayenta query's rule for a judgement without data.
type NoData uint8

// No-data rules of the kayenta query.
const (
	// NoDataFail is Kayenta's scorer: Nodata in at least half of the
	// metrics forces the score to 0, a failed judgement.
	NoDataFail NoData = iota
	// NoDataPass leaves that rule out: Nodata metrics are left out of their
	// groups and a group without data counts as 100 (Kayenta's group rule),
	// so a window without canary data neither fails nor counts against it.
	NoDataPass
)

var noDataNames = [...]string{"fail", "pass"}

func (n NoData) String() string {
	if int(n) < len(noDataNames) {
		return noDataNames[n]
	}
	return "NoData(" + strconv.Itoa(int(n)) + ")"
}

// ParseNoData maps "fail" or "pass" to a NoData rule.
func ParseNoData(s string) (NoData, error) {
	for i, n := range noDataNames {
		if n == s {
			return NoData(i), nil
		}
	}
	return 0, fmt.Errorf("unknown rule %q (want fail or pass)", s)
}

// EffectiveWindow is Window, or DefaultWindow when it is 0.
func (q Query) EffectiveWindow() time.Duration {
	if q.Window == 0 {
		return DefaultWindow
	}
	return q.Window
}

// EffectiveStat is Stat, or "p99" when it is empty.
func (q Query) EffectiveStat() string {
	if q.Stat == "" {
		return "p99"
	}
	return q.Stat
}

// Validate checks the query: a known kind and version, and a window that
// is a whole number of minutes (a CloudWatch period of standard-resolution
// metrics) of at most a day. The statistic's syntax is checked by whoever
// measures (the simulator with package alarm's parser).
func (q Query) Validate() error {
	var errs []error
	if q.Kind == 0 || int(q.Kind) >= len(kindNames) {
		errs = append(errs, fmt.Errorf("query: %v is not a query kind", q.Kind))
	}
	if int(q.Version) >= len(versionNames) {
		errs = append(errs, fmt.Errorf("version: %v is not target, current or both", q.Version))
	}
	if w := q.EffectiveWindow(); w < 0 || w%time.Minute != 0 || w > 24*time.Hour {
		errs = append(errs, fmt.Errorf("window: %v must be a whole number of minutes, 1m to 24h (a CloudWatch period)", q.Window))
	}
	if q.Stat != "" && q.Kind != Latency {
		errs = append(errs, fmt.Errorf("statistic: %q applies to the latency query only", q.Stat))
	}
	if q.K != 0 && q.Kind != Sequential {
		errs = append(errs, errors.New("k: applies to the sequential query only"))
	}
	if q.OneSided && q.Kind != Sequential && q.Kind != SequentialLatency {
		errs = append(errs, errors.New("oneSided: applies to the sequential and sequential_latency queries only"))
	}
	if q.NoData != NoDataFail && q.Kind != Kayenta {
		errs = append(errs, errors.New("noData: applies to the kayenta query only"))
	}
	if int(q.NoData) >= len(noDataNames) {
		errs = append(errs, fmt.Errorf("noData: %v is not fail or pass", q.NoData))
	}
	if q.Lookback < 0 || q.Lookback > 100 {
		errs = append(errs, fmt.Errorf("lookback: %d, want 0 to 100 periods", q.Lookback))
	}
	if q.K < 0 || math.IsNaN(q.K) || math.IsInf(q.K, 0) {
		errs = append(errs, fmt.Errorf("k: %v, want a concentration > 0 (default 100)", q.K))
	}
	return errors.Join(errs...)
}

// String is the query's canonical text, e.g. "error_rate target 1m0s" or
// "latency p99 target 5m0s".
func (q Query) String() string {
	s := q.Kind.String()
	switch q.Kind {
	case Latency:
		s += " " + q.EffectiveStat()
	case Kayenta:
		s += " " + q.EffectiveWindow().String()
		if q.NoData != NoDataFail {
			s += " nodata=" + q.NoData.String()
		}
		return s
	case Sequential:
		k := q.K
		if k == 0 {
			k = 100
		}
		s += " k=" + strconv.FormatFloat(k, 'g', -1, 64)
		if q.OneSided {
			s += " one-sided"
		}
		return s
	case SequentialLatency:
		s += " " + q.EffectiveWindow().String()
		if q.OneSided {
			s += " one-sided"
		}
		return s
	}
	return s + " " + q.Version.String() + " " + q.EffectiveWindow().String()
}

// Gate is one named measurement a plan takes: Argo's AnalysisTemplate
// metric, Flagger's metric check. A stopped deployment names it in its
// cause, "gate:<Name>".
type Gate struct {
	Name  string
	Query Query
}
