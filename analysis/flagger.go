package analysis

import (
	"fmt"
	"math"
	"time"
)

// Flagger is a canary's analysis spec (Flagger's CanaryAnalysis fields).
// Iterations > 0 makes it a blue/green analysis; otherwise it is a canary
// with weight steps (docs/plans.md).
type Flagger struct {
	Interval            time.Duration // default 60 s; below 10 s becomes 10 s
	Threshold           int           // failed checks before rollback; <= 0 becomes 1
	MaxWeight           float64       // default 100
	StepWeight          float64
	StepWeights         []float64 // when set, the steps in order; MaxWeight becomes min(100, last)
	StepWeightPromotion float64   // 0: all traffic back to the primary in one go
	Iterations          int       // > 0: blue/green, this many passing ticks before the switch
}

// DefaultFlaggerInterval is Flagger's analysis interval when none is set.
const DefaultFlaggerInterval = 60 * time.Second

// MaxFlaggerIterations bounds a blue/green analysis (ours, not Flagger's: a
// plan must end within a simulation).
const MaxFlaggerIterations = 10000

// Normalised returns f with Flagger's defaults applied (interval 60 s, at
// least 10 s; threshold at least 1; maxWeight 100, or min(100, last of
// stepWeights)), or what is wrong with it.
func (f Flagger) Normalised() (Flagger, error) {
	if f.Interval == 0 {
		f.Interval = DefaultFlaggerInterval
	}
	if f.Interval < 10*time.Second {
		f.Interval = 10 * time.Second
	}
	if f.Threshold <= 0 {
		f.Threshold = 1
	}
	if f.Iterations < 0 || f.Iterations > MaxFlaggerIterations {
		return f, fmt.Errorf("iterations: %d; want 0 (canary) to %d (blue/green)", f.Iterations, MaxFlaggerIterations)
	}
	// Flagger's weights are whole percents (ints in its Canary spec).
	for _, w := range [...]struct {
		name string
		v    float64
	}{{"maxWeight", f.MaxWeight}, {"stepWeight", f.StepWeight}, {"stepWeightPromotion", f.StepWeightPromotion}} {
		if w.v != math.Trunc(w.v) {
			return f, fmt.Errorf("%s: %v; Flagger's weights are whole percents", w.name, w.v)
		}
	}
	for i, w := range f.StepWeights {
		if w != math.Trunc(w) {
			return f, fmt.Errorf("stepWeights[%d]: %v; Flagger's weights are whole percents", i, w)
		}
	}
	switch {
	case len(f.StepWeights) > 0:
		for i, w := range f.StepWeights {
			if !(w > 0 && w <= 100) || (i > 0 && w <= f.StepWeights[i-1]) {
				return f, fmt.Errorf("stepWeights[%d]: %v; want increasing weights in (0, 100]", i, w)
			}
		}
		f.MaxWeight = math.Min(100, f.StepWeights[len(f.StepWeights)-1])
	case f.Iterations > 0:
		if f.MaxWeight == 0 {
			f.MaxWeight = 100
		}
	default:
		if f.MaxWeight == 0 {
			f.MaxWeight = 100
		}
		if !(f.StepWeight > 0 && f.StepWeight <= 100) {
			return f, fmt.Errorf("stepWeight: %v; want a weight in (0, 100] (or stepWeights, or iterations for blue/green)", f.StepWeight)
		}
	}
	if !(f.MaxWeight > 0 && f.MaxWeight <= 100) {
		return f, fmt.Errorf("maxWeight: %v; want (0, 100]", f.MaxWeight)
	}
	if !(f.StepWeightPromotion >= 0 && f.StepWeightPromotion <= 100) {
		return f, fmt.Errorf("stepWeightPromotion: %v; want 0..100", f.StepWeightPromotion)
	}
	return f, nil
}

// BlueGreen reports whether f is a blue/green analysis (iterations > 0).
func (f Flagger) BlueGreen() bool { return f.Iterations > 0 }

// ClosedForm is the documentation's minimum time to promotion: interval ×
// maxWeight/stepWeight for a canary, interval × iterations for blue/green
// (docs/plans.md). 0 for stepWeights, which the documentation gives no
// formula for. f must be normalised.
func (f Flagger) ClosedForm() time.Duration {
	switch {
	case f.Iterations > 0:
		return time.Duration(f.Iterations) * f.Interval
	case len(f.StepWeights) == 0 && f.StepWeight > 0:
		return time.Duration(float64(f.Interval) * f.MaxWeight / f.StepWeight)
	}
	return 0
}

// TickModel is the tick model's time from detection to Succeeded when every
// check passes: the analysis ticks up to the promotion, then the Promoting
// ticks and one Finalising tick (docs/plans.md). f must be normalised.
func (f Flagger) TickModel() time.Duration {
	s := f.Start()
	for s.Phase != CanarySucceeded {
		s.Tick(true)
	}
	return time.Duration(s.Ticks) * f.Interval
}

// CanaryPhase is a Flagger canary's status phase, in Flagger's words.
type CanaryPhase uint8

// The phases the analysis moves through.
const (
	CanaryProgressing CanaryPhase = iota
	CanaryPromoting
	CanaryFinalising
	CanarySucceeded
	CanaryFailed
)

var canaryPhaseNames = [...]string{"Progressing", "Promoting", "Finalising", "Succeeded", "Failed"}

func (p CanaryPhase) String() string {
	if int(p) < len(canaryPhaseNames) {
		return canaryPhaseNames[p]
	}
	return fmt.Sprintf("CanaryPhase(%d)", uint8(p))
}

// Done reports whether p is final (Succeeded or Failed).
func (p CanaryPhase) Done() bool { return p == CanarySucceeded || p == CanaryFailed }

// FlaggerState is Flagger's canary loop (scheduler.go advanceCanary) as a
// value stepped once per interval, the way the deploy controller drives it:
// ask NeedsCheck, measure the analysis's metrics if so, then Tick with the
// outcome. It never allocates.
type FlaggerState struct {
	spec         Flagger
	Phase        CanaryPhase
	Canary       float64 // the canary's weight, Flagger's canaryWeight
	FailedChecks int     // cumulative for the whole analysis
	Iterations   int     // blue/green: passing ticks counted
	Ticks        int     // ticks so far
	Promoted     bool    // the canary's spec was copied to the primary
}

// Start returns the analysis of a newly detected revision (weights 100/0,
// no failed checks). f must be normalised (Normalised).
func (f Flagger) Start() FlaggerState { return FlaggerState{spec: f} }

// NeedsCheck reports whether the next tick runs the analysis: a Progressing
// canary below the threshold that has traffic or iterations. The first tick
// (canary weight 0, no iterations) runs only the pre-rollout webhooks, which
// shiftsim does not model (they pass), so it needs no check.
func (s *FlaggerState) NeedsCheck() bool {
	return s.Phase == CanaryProgressing && s.FailedChecks < s.spec.Threshold && (s.Canary > 0 || s.Iterations > 0)
}

// TickEffect is what one tick did.
type TickEffect uint8

// Tick effects.
const (
	EffectNone          TickEffect = iota
	EffectPreRollout               // first tick: pre-rollout webhooks (pass), then the first step
	EffectHalt                     // a check failed: failedChecks+1, weights unchanged
	EffectRollback                 // failedChecks ≥ threshold: all traffic to the primary, Failed
	EffectStep                     // canary weight + step
	EffectIteration                // blue/green: iterations+1
	EffectSwitch                   // blue/green: iterations reached: all traffic to the canary
	EffectPromote                  // the canary's spec is copied to the primary: Promoting
	EffectPromotionStep            // primary weight + stepWeightPromotion
	EffectPrimaryRouted            // all traffic to the (promoted) primary: Finalising
	EffectSucceeded                // canary scaled to zero: Succeeded
)

var effectNames = [...]string{"", "pre-rollout", "halt", "rollback", "step", "iteration", "switch", "promote", "promotion step", "primary routed", "succeeded"}

func (e TickEffect) String() string {
	if int(e) < len(effectNames) {
		return effectNames[e]
	}
	return fmt.Sprintf("TickEffect(%d)", uint8(e))
}

// Tick runs one interval of the loop. passed is the outcome of the analysis
// (every metric check) and is read only when NeedsCheck was true; the first
// failing check of a tick counts once. It returns what the tick did.
func (s *FlaggerState) Tick(passed bool) TickEffect {
	f := &s.spec
	s.Ticks++
	switch s.Phase {
	case CanaryPromoting:
		if f.StepWeightPromotion == 0 {
			s.Canary, s.Phase = 0, CanaryFinalising
			return EffectPrimaryRouted
		}
		s.Canary = math.Max(0, s.Canary-f.StepWeightPromotion)
		if s.Canary == 0 {
			s.Phase = CanaryFinalising
			return EffectPrimaryRouted
		}
		return EffectPromotionStep
	case CanaryFinalising:
		s.Phase = CanarySucceeded
		return EffectSucceeded
	case CanaryProgressing:
	default:
		return EffectNone
	}
	if s.FailedChecks >= f.Threshold {
		s.Canary, s.Phase = 0, CanaryFailed
		return EffectRollback
	}
	first := s.Canary == 0 && s.Iterations == 0
	if !first && !passed {
		s.FailedChecks++
		return EffectHalt
	}
	if f.BlueGreen() {
		switch {
		case s.Iterations < f.Iterations:
			s.Iterations++
			if first {
				return EffectPreRollout
			}
			return EffectIteration
		case s.Iterations == f.Iterations:
			s.Canary = 100
			s.Iterations++
			return EffectSwitch
		}
		s.Phase, s.Promoted = CanaryPromoting, true
		return EffectPromote
	}
	if s.Canary < f.MaxWeight {
		s.Canary = math.Min(100, s.Canary+s.nextStep())
		if first {
			return EffectPreRollout
		}
		return EffectStep
	}
	s.Phase, s.Promoted = CanaryPromoting, true
	return EffectPromote
}

// nextStep is Flagger's nextStepWeight: stepWeight, or the difference to the
// next stepWeights entry, never past 100.
func (s *FlaggerState) nextStep() float64 {
	f := &s.spec
	if len(f.StepWeights) == 0 {
		return f.StepWeight
	}
	room := 100 - s.Canary
	if s.Canary == 0 {
		return math.Min(room, f.StepWeights[0])
	}
	for i := 0; i < len(f.StepWeights)-1; i++ {
		if f.StepWeights[i] == s.Canary {
			return math.Min(room, f.StepWeights[i+1]-s.Canary)
		}
	}
	return room
}

// TargetWeight is the new version's share of the traffic: the canary's
// weight until promotion; once the canary's spec is copied to the primary
// both serve the new version, so 100 % (docs/plans.md); 0 after a rollback.
func (s *FlaggerState) TargetWeight() float64 {
	switch {
	case s.Phase == CanaryFailed:
		return 0
	case s.Promoted:
		return 100
	}
	return s.Canary
}

// Check is one tick's analysis outcome given to Replay: passed, or failed,
// or a value to hold to a thresholdRange (NaN: "no values found", which
// fails the check).
type Check struct {
	Given  bool // Passed is the outcome as given
	Passed bool
	Value  float64
}

// Range is Flagger's thresholdRange: the check fails iff value < Min or
// value > Max (bounds inclusive; nil = no bound).
type Range struct{ Min, Max *float64 }

// Tick is one analysis interval's effect, for the explanation.
type Tick struct {
	N            int
	At           time.Duration // from the start of the analysis
	Phase        string        // Progressing, Promoting, Finalising, Succeeded or Failed after the tick
	Check        string        // "passed", "failed: ..." or "" when no analysis ran
	FailedChecks int
	Canary       float64 // canary weight after the tick
	Action       string
}

// FlaggerResult is a canary analysis replay.
type FlaggerResult struct {
	Ticks  []Tick
	Phase  string // Succeeded, Failed, or Progressing/Promoting/Finalising when the checks ran out
	Unused int    // checks given after the analysis ended
	// ClosedForm is the documentation's minimum time to promotion,
	// interval × maxWeight/stepWeight, beside the tick model's.
	ClosedForm time.Duration
}

// Replay runs Flagger's loop once per interval over the given checks, one
// per tick that runs the analysis (the first tick runs only the
// pre-rollout webhooks and takes none), and explains each tick.
// failedChecks is cumulative; it reaches the threshold on a failed check and
// the rollback happens on the next tick.
func (f Flagger) Replay(checks []Check, r Range) (FlaggerResult, error) {
	f, err := f.Normalised()
	if err != nil {
		return FlaggerResult{}, err
	}
	res := FlaggerResult{Phase: CanaryProgressing.String(), ClosedForm: f.ClosedForm()}
	s := f.Start()
	used := 0
	for !s.Phase.Done() {
		var t Tick
		pass := true
		if s.NeedsCheck() {
			if used == len(checks) {
				return res, nil
			}
			c := checks[used]
			used++
			why := ""
			pass = c.Passed
			if !c.Given {
				pass, why = r.check(c.Value)
			}
			t.Check = "failed" + why
			if pass {
				t.Check = "passed" + why
			}
		}
		before := s.Canary
		e := s.Tick(pass)
		t.N, t.At = s.Ticks, time.Duration(s.Ticks)*f.Interval
		t.Phase, t.FailedChecks, t.Canary = s.Phase.String(), s.FailedChecks, s.Canary
		t.Action = s.explain(e, before)
		res.Ticks = append(res.Ticks, t)
		res.Phase = t.Phase
	}
	res.Unused = len(checks) - used
	return res, nil
}

func (s *FlaggerState) explain(e TickEffect, before float64) string {
	f := &s.spec
	switch e {
	case EffectPreRollout:
		if f.BlueGreen() {
			return fmt.Sprintf("pre-rollout webhooks passed; iteration %d/%d", s.Iterations, f.Iterations)
		}
		return fmt.Sprintf("pre-rollout webhooks passed; canary weight %v%%", s.Canary)
	case EffectHalt:
		return fmt.Sprintf("halt advancement (failedChecks %d of threshold %d)", s.FailedChecks, f.Threshold)
	case EffectRollback:
		return fmt.Sprintf("failedChecks %d >= threshold %d: rollback, all traffic to the primary", s.FailedChecks, f.Threshold)
	case EffectStep:
		return fmt.Sprintf("canary weight %v%%", s.Canary)
	case EffectIteration:
		return fmt.Sprintf("iteration %d/%d", s.Iterations, f.Iterations)
	case EffectSwitch:
		return "iterations done: all traffic to the canary"
	case EffectPromote:
		if f.BlueGreen() {
			return "analysis passed after the switch: promote (copy the canary spec to the primary)"
		}
		return "canary at maxWeight and analysis passed: promote (copy the canary spec to the primary)"
	case EffectPromotionStep:
		return fmt.Sprintf("promotion: primary weight +%v (canary %v%% -> %v%%)", f.StepWeightPromotion, before, s.Canary)
	case EffectPrimaryRouted:
		return "promotion: primary updated; all traffic back to the primary"
	case EffectSucceeded:
		return "canary scaled to zero: Succeeded"
	}
	return ""
}

func (r Range) check(v float64) (bool, string) {
	if math.IsNaN(v) {
		return false, ": no values found"
	}
	if r.Min != nil && v < *r.Min {
		return false, fmt.Sprintf(": %v < min %v", v, *r.Min)
	}
	if r.Max != nil && v > *r.Max {
		return false, fmt.Sprintf(": %v > max %v", v, *r.Max)
	}
	return true, fmt.Sprintf(": %v within range", v)
}

// FlaggerMetric is one metric check of a Flagger analysis: the built-in
// request-success-rate (% of non-5xx requests) and request-duration (P99 in
// ms), or a custom metric (a gate query of shiftsim's). docs/plans.md.
type FlaggerMetric struct {
	Name     string
	Range    Range         // thresholdRange
	Legacy   *float64      // the deprecated threshold, when no thresholdRange is given
	Interval time.Duration // the query's window; default 1m
}

// Flagger's built-in metric names.
const (
	RequestSuccessRate = "request-success-rate"
	RequestDuration    = "request-duration"
)

// Validate says what is wrong with m: it needs a thresholdRange bound or a
// threshold (not both), min ≤ max, and a window that is not negative.
func (m FlaggerMetric) Validate() error {
	switch {
	case m.Range.Min == nil && m.Range.Max == nil && m.Legacy == nil:
		return fmt.Errorf("metric %q: give thresholdRange (min and/or max) or threshold", m.Name)
	case m.Legacy != nil && (m.Range.Min != nil || m.Range.Max != nil):
		return fmt.Errorf("metric %q: give thresholdRange or threshold, not both", m.Name)
	case m.Range.Min != nil && m.Range.Max != nil && *m.Range.Min > *m.Range.Max:
		return fmt.Errorf("metric %q: thresholdRange min %v > max %v", m.Name, *m.Range.Min, *m.Range.Max)
	case m.Interval < 0:
		return fmt.Errorf("metric %q: interval %v is negative", m.Name, m.Interval)
	}
	return nil
}

// Passes holds a measured value to the check: NaN ("no values found")
// fails; with thresholdRange the check fails iff v < min or v > max (bounds
// inclusive); the legacy threshold fails request-success-rate when v <
// threshold and every other metric when v > threshold.
func (m FlaggerMetric) Passes(v float64) bool {
	switch {
	case math.IsNaN(v):
		return false
	case m.Legacy != nil && m.Name == RequestSuccessRate:
		return v >= *m.Legacy
	case m.Legacy != nil:
		return v <= *m.Legacy
	}
	return (m.Range.Min == nil || v >= *m.Range.Min) && (m.Range.Max == nil || v <= *m.Range.Max)
}

// Explain is Passes with the reason, e.g. "98 < min 99".
func (m FlaggerMetric) Explain(v float64) (bool, string) {
	ok, why := m.check(v)
	return ok, why[2:]
}

func (m FlaggerMetric) check(v float64) (bool, string) {
	if m.Legacy == nil || math.IsNaN(v) {
		return m.Range.check(v)
	}
	t := *m.Legacy
	if m.Name == RequestSuccessRate {
		if v < t {
			return false, fmt.Sprintf(": %v < threshold %v", v, t)
		}
		return true, fmt.Sprintf(": %v >= threshold %v", v, t)
	}
	if v > t {
		return false, fmt.Sprintf(": %v > threshold %v", v, t)
	}
	return true, fmt.Sprintf(": %v <= threshold %v", v, t)
}
