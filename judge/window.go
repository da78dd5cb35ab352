package judge

import "math/rand/v2"

// Window is the Kayenta gate's judgement of a canary against its baseline
// over one window of a deployment, on the two metrics a Lambda alias gives
// per version: per-request latency (ms) and per-interval error rate (each
// metric interval's errors/requests; an interval without requests is NaN,
// which the default nanStrategy removes). Each metric is classified by
// Classify (the canary is the experiment, the baseline the control) and the
// two are scored by ScoreMetrics, each in its own group, unweighted — so
// the score is 100 (both Pass), 50 or 0 (docs/plans.md).
type Window struct {
	Latency, ErrorRate Metric
	// NodataPass scores a judgement with Nodata in half of its metrics by
	// the metrics with data (ScoreMetricsNodataPass) instead of forcing 0.
	NodataPass bool
}

// DefaultWindow is the gate's default: Kayenta's defaults for both metrics
// (DefaultMetric(MeanRatio)) with direction increase, since only a slower or
// more failing canary is a regression.
func DefaultWindow() Window {
	m := DefaultMetric(MeanRatio)
	m.Direction = Increase
	return Window{Latency: m, ErrorRate: m}
}

// The metric and group names of the gate's two metrics.
const (
	WindowLatency   = "latency"
	WindowErrorRate = "error_rate"
)

// WindowResult is one judgement.
type WindowResult struct {
	Score              Score
	Latency, ErrorRate Classification
}

// Judge classifies and scores one window. src seeds Kayenta's noise on
// constant samples (decision: from the simulation's seed, docs/plans.md).
func (w Window) Judge(canaryLatency, baseLatency, canaryErrRate, baseErrRate []float64, src rand.Source) WindowResult {
	r := WindowResult{
		Latency:   Classify(canaryLatency, baseLatency, w.Latency, src),
		ErrorRate: Classify(canaryErrRate, baseErrRate, w.ErrorRate, src),
	}
	score := ScoreMetrics
	if w.NodataPass {
		score = ScoreMetricsNodataPass
	}
	r.Score = score([]MetricResult{
		{Name: WindowLatency, Groups: []string{WindowLatency}, Class: r.Latency.Class, Critical: r.Latency.Critical},
		{Name: WindowErrorRate, Groups: []string{WindowErrorRate}, Class: r.ErrorRate.Class, Critical: r.ErrorRate.Critical},
	}, nil)
	return r
}
