package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Phase is an Argo Rollouts analysis phase, in Argo's words.
type Phase string

// Argo's AnalysisPhase values.
const (
	Pending      Phase = "Pending"
	Running      Phase = "Running"
	Successful   Phase = "Successful"
	Failed       Phase = "Failed"
	Error        Phase = "Error"
	Inconclusive Phase = "Inconclusive"
)

// complete reports whether a phase is final.
func (p Phase) complete() bool {
	return p == Successful || p == Failed || p == Error || p == Inconclusive
}

// worse orders phases as Argo's run assessment does: Successful < Running <
// Pending < Inconclusive < Error < Failed.
func worse(a, b Phase) bool { return rank(a) > rank(b) }

func rank(p Phase) int {
	switch p {
	case Running:
		return 1
	case Pending:
		return 2
	case Inconclusive:
		return 3
	case Error:
		return 4
	case Failed:
		return 5
	}
	return 0
}

// Complete reports whether p is final: Successful, Failed, Error or
// Inconclusive.
func (p Phase) Complete() bool { return p.complete() }

// ParsePhase reads a measurement outcome: Successful, Failed, Inconclusive or
// Error, or their first letters S, F, I, E (any case).
func ParsePhase(s string) (Phase, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "s", "successful", "success":
		return Successful, nil
	case "f", "failed", "fail":
		return Failed, nil
	case "i", "inconclusive":
		return Inconclusive, nil
	case "e", "error":
		return Error, nil
	}
	return "", fmt.Errorf("%q is not a measurement outcome (want Successful, Failed, Inconclusive or Error, or S, F, I, E)", s)
}

// Metric is an AnalysisTemplate metric's counting fields (Argo's
// analysis_types.go). Count 0 with Interval false means one measurement;
// Count 0 with Interval true means unbounded.
type Metric struct {
	Name                    string
	Count                   int
	Interval                bool
	FailureLimit            int // default 0; -1 disables
	InconclusiveLimit       int // default 0
	ConsecutiveErrorLimit   int // default 4
	ConsecutiveSuccessLimit int // default 0 = disabled
	DryRun                  bool
	SuccessCondition        *Condition
	FailureCondition        *Condition
}

// DefaultMetric has Argo's defaults: failureLimit 0, inconclusiveLimit 0,
// consecutiveErrorLimit 4, consecutiveSuccessLimit 0, one measurement.
func DefaultMetric() Metric { return Metric{ConsecutiveErrorLimit: 4} }

// Validate applies Argo's validation (utils/analysis/factory.go).
func (m Metric) Validate() error {
	var errs []error
	if m.FailureLimit < -1 {
		errs = append(errs, fmt.Errorf("failureLimit: %d must be >= -1", m.FailureLimit))
	}
	if m.ConsecutiveSuccessLimit < 0 {
		errs = append(errs, fmt.Errorf("consecutiveSuccessLimit: %d must be >= 0", m.ConsecutiveSuccessLimit))
	}
	if m.InconclusiveLimit < 0 || m.ConsecutiveErrorLimit < 0 {
		errs = append(errs, errors.New("inconclusiveLimit and consecutiveErrorLimit must be >= 0"))
	}
	if m.ConsecutiveSuccessLimit == 0 && m.FailureLimit == -1 {
		errs = append(errs, errors.New("failureLimit -1 needs consecutiveSuccessLimit > 0 (otherwise nothing can end the metric)"))
	}
	if m.Count > 1 && !m.Interval {
		errs = append(errs, fmt.Errorf("count: %d measurements need an interval", m.Count))
	}
	if m.Count > 0 {
		need := m.ConsecutiveSuccessLimit
		if m.FailureLimit >= 0 {
			need += m.FailureLimit
		}
		if m.Count < need {
			errs = append(errs, fmt.Errorf("count: %d must be >= failureLimit + consecutiveSuccessLimit (%d)", m.Count, need))
		}
		if m.Count < m.InconclusiveLimit {
			errs = append(errs, fmt.Errorf("count: %d must be >= inconclusiveLimit (%d)", m.Count, m.InconclusiveLimit))
		}
	}
	return errors.Join(errs...)
}

// Input is one measurement given to Replay: an outcome, or a value to
// evaluate with the metric's conditions (NaN: the provider returned an error).
type Input struct {
	Outcome Phase   // set: the outcome as given
	Value   float64 // used when Outcome is ""
}

// Step is one measurement's effect, for the explanation.
type Step struct {
	N        int      // 1-based measurement number
	Value    *float64 // the value evaluated, if any
	Outcome  Phase
	Why      string // how the outcome was reached
	Counters        // after this measurement (Count: errors are not counted)
	Phase    Phase  // the metric's phase after this measurement
	Rule     string // the rule that set Phase
}

// Result is a metric's replay.
type Result struct {
	Steps  []Step
	Phase  Phase
	Unused int // measurements given after the metric completed
}

// ErrorRetry is how long Argo waits after a measurement Error before the
// next one (analysis/analysis.go: DefaultErrorRetryInterval, 10 s).
const ErrorRetry = 10 * time.Second

// Times is when each of the replay's measurements is taken, counted from the
// run's start and as if each took no time: the first after initialDelay,
// each next one an interval after the last, ErrorRetry after an Error (the
// controller's schedule, docs/plans.md "Argo Rollouts").
func (r Result) Times(initialDelay, interval time.Duration) []time.Duration {
	at := make([]time.Duration, len(r.Steps))
	t := initialDelay
	for i := range r.Steps {
		if i > 0 {
			if r.Steps[i-1].Outcome == Error {
				t += ErrorRetry
			} else {
				t += interval
			}
		}
		at[i] = t
	}
	return at
}

// Evaluate is Argo's evaluate: the outcome of one value under the metric's
// conditions (utils/evaluate/evaluate.go).
func (m Metric) Evaluate(v float64) (Phase, string) {
	if math.IsNaN(v) {
		return Error, "the provider returned no value (error)"
	}
	s, f := m.SuccessCondition, m.FailureCondition
	switch {
	case s == nil && f == nil:
		return Successful, "no condition is set: Successful"
	case f == nil:
		if s.Eval(v) {
			return Successful, fmt.Sprintf("successCondition %s holds", s)
		}
		return Failed, fmt.Sprintf("successCondition %s does not hold, and with no failureCondition that is a failure", s)
	case s == nil:
		if f.Eval(v) {
			return Failed, fmt.Sprintf("failureCondition %s holds", f)
		}
		return Successful, fmt.Sprintf("failureCondition %s does not hold, and with no successCondition that is a success", f)
	}
	if f.Eval(v) {
		return Failed, fmt.Sprintf("failureCondition %s holds", f)
	}
	if !s.Eval(v) {
		return Inconclusive, fmt.Sprintf("neither successCondition %s nor failureCondition %s holds", s, f)
	}
	return Successful, fmt.Sprintf("successCondition %s holds", s)
}

// Outcome is Evaluate's phase without the explanation, for a controller
// that judges measurements as they come.
func (m Metric) Outcome(v float64) Phase {
	if math.IsNaN(v) {
		return Error
	}
	s, f := m.SuccessCondition, m.FailureCondition
	switch {
	case s == nil && f == nil:
		return Successful
	case f == nil:
		if s.Eval(v) {
			return Successful
		}
		return Failed
	case s == nil:
		if f.Eval(v) {
			return Failed
		}
		return Successful
	}
	if f.Eval(v) {
		return Failed
	}
	if !s.Eval(v) {
		return Inconclusive
	}
	return Successful
}

// Counters are a metric's running counts (Argo's MetricResult): measurements
// by outcome, those counted (errors are not), and the consecutive errors and
// successes.
type Counters struct {
	Successful, Failed, Inconclusive, Error int
	Count                                   int
	ConsecErr, ConsecOK                     int
}

// Observe adds one finished measurement's outcome, as Argo's
// runMeasurements does (analysis/analysis.go, docs/plans.md).
func (c *Counters) Observe(p Phase) {
	switch p {
	case Successful:
		c.Successful++
		c.Count++
		c.ConsecErr = 0
		c.ConsecOK++
	case Failed:
		c.Failed++
		c.Count++
		c.ConsecErr = 0
		c.ConsecOK = 0
	case Inconclusive:
		c.Inconclusive++
		c.Count++
		c.ConsecErr = 0
		c.ConsecOK = 0
	case Error:
		c.Error++
		c.ConsecErr++
		c.ConsecOK = 0
	}
}

// Assess is Argo's assessMetricStatus after a finished measurement, with
// the rule that set the phase; terminating says the run is being
// terminated. It is Replay's own rule, for a controller that judges
// measurements as they come.
func (m Metric) Assess(c Counters, terminating bool) (Phase, string) {
	return m.assess(Step{Counters: c}, terminating)
}

// AssessPhase is Assess without the rule's text (it does not allocate).
func (m Metric) AssessPhase(c Counters, terminating bool) Phase {
	switch {
	case c.ConsecErr > m.ConsecutiveErrorLimit:
		return Error
	case c.Inconclusive > m.InconclusiveLimit:
		return Inconclusive
	case m.FailureLimit >= 0 && c.Failed > m.FailureLimit:
		return Failed
	}
	if m.ConsecutiveSuccessLimit > 0 && c.ConsecOK >= m.ConsecutiveSuccessLimit {
		return Successful
	}
	if n := m.count(); n > 0 && c.Count >= n {
		fl, cs := m.FailureLimit >= 0, m.ConsecutiveSuccessLimit > 0
		switch {
		case fl && cs:
			return Inconclusive
		case cs:
			return Failed
		default:
			return Successful
		}
	}
	if terminating {
		return Successful
	}
	return Running
}

// Replay runs Argo's metric assessment (analysis/analysis.go,
// runMeasurements and assessMetricStatus) after each measurement, in order,
// and stops at the first complete phase. terminating says the run is being
// terminated after the last measurement (the user or a sibling metric
// stopped it), which ends an unbounded metric Successful unless a limit
// tripped.
func (m Metric) Replay(in []Input, terminating bool) Result {
	var st Step
	res := Result{Phase: Pending}
	if len(in) == 0 && terminating {
		res.Phase = Successful
	}
	for i, ms := range in {
		st.N = i + 1
		st.Value = nil
		out, why := ms.Outcome, "given"
		if out == "" {
			v := ms.Value
			st.Value = &v
			out, why = m.Evaluate(v)
		}
		st.Outcome, st.Why = out, why
		st.Observe(out)
		last := i == len(in)-1
		st.Phase, st.Rule = m.assess(st, terminating && last)
		res.Steps = append(res.Steps, st)
		res.Phase = st.Phase
		if st.Phase.complete() {
			res.Unused = len(in) - i - 1
			break
		}
	}
	return res
}

// count is the number of measurements the metric takes, 0 for unbounded.
func (m Metric) count() int {
	if m.Count == 0 && !m.Interval {
		return 1
	}
	return m.Count
}

// assess is assessMetricStatus after a finished measurement.
func (m Metric) assess(s Step, terminating bool) (Phase, string) {
	var phase Phase
	var rule string
	if m.FailureLimit >= 0 && s.Failed > m.FailureLimit {
		phase, rule = Failed, fmt.Sprintf("failed %d > failureLimit %d", s.Failed, m.FailureLimit)
	}
	if s.Inconclusive > m.InconclusiveLimit {
		phase, rule = Inconclusive, fmt.Sprintf("inconclusive %d > inconclusiveLimit %d", s.Inconclusive, m.InconclusiveLimit)
	}
	if s.ConsecErr > m.ConsecutiveErrorLimit {
		phase, rule = Error, fmt.Sprintf("consecutiveError %d > consecutiveErrorLimit %d", s.ConsecErr, m.ConsecutiveErrorLimit)
	}
	if phase != "" {
		return phase, rule
	}
	if m.ConsecutiveSuccessLimit > 0 && s.ConsecOK >= m.ConsecutiveSuccessLimit {
		return Successful, fmt.Sprintf("consecutiveSuccess %d >= consecutiveSuccessLimit %d", s.ConsecOK, m.ConsecutiveSuccessLimit)
	}
	if n := m.count(); n > 0 && s.Count >= n {
		fl, cs := m.FailureLimit >= 0, m.ConsecutiveSuccessLimit > 0
		switch {
		case fl && cs:
			return Inconclusive, fmt.Sprintf("count %d reached with neither failureLimit nor consecutiveSuccessLimit met", n)
		case cs:
			return Failed, fmt.Sprintf("count %d reached without %d consecutive successes", n, m.ConsecutiveSuccessLimit)
		default:
			return Successful, fmt.Sprintf("count %d reached within failureLimit %d", n, m.FailureLimit)
		}
	}
	if terminating {
		return Successful, "the run is terminating and no limit tripped"
	}
	return Running, "no limit reached; the next measurement follows after the interval"
}

// MetricPhase is one metric's final phase, for RunPhase.
type MetricPhase struct {
	Phase  Phase
	DryRun bool
}

// RunPhase is Argo's assessRunStatus over the metrics' phases: a run is
// terminating when any non-dry-run metric is Failed, Error or Inconclusive,
// and then takes the worst complete non-dry-run phase; otherwise it is
// Running while any metric is incomplete, else the worst non-dry-run phase
// (Successful when only dry-run metrics exist). Dry-run results never worsen
// the run.
func RunPhase(ms []MetricPhase) Phase {
	terminating := false
	for _, m := range ms {
		if !m.DryRun && (m.Phase == Failed || m.Phase == Error || m.Phase == Inconclusive) {
			terminating = true
		}
	}
	worst := Successful
	for _, m := range ms {
		if !terminating && !m.Phase.complete() {
			return Running
		}
		if !m.DryRun && m.Phase.complete() && worse(m.Phase, worst) {
			worst = m.Phase
		}
	}
	return worst
}
