package analysis

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Flagger is a canary's analysis spec (Flagger's CanaryAnalysis fields) for
// the canary strategy.
type Flagger struct {
	Interval            time.Duration // default 60 s; below 10 s becomes 10 s
	Threshold           int           // failed checks before rollback; <= 0 becomes 1
	MaxWeight           float64       // default 100
	StepWeight          float64
	StepWeights         []float64 // when set, the steps in order; MaxWeight becomes min(100, last)
	StepWeightPromotion float64   // 0: all traffic back to the primary in one go
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

func (f Flagger) normalised() (Flagger, error) {
	if f.Interval == 0 {
		f.Interval = 60 * time.Second
	}
	if f.Interval < 10*time.Second {
		f.Interval = 10 * time.Second
	}
	if f.Threshold <= 0 {
		f.Threshold = 1
	}
	if len(f.StepWeights) > 0 {
		f.MaxWeight = math.Min(100, f.StepWeights[len(f.StepWeights)-1])
		for i, w := range f.StepWeights {
			if !(w > 0 && w <= 100) || (i > 0 && w <= f.StepWeights[i-1]) {
				return f, fmt.Errorf("stepWeights[%d]: %v; want increasing weights in (0, 100]", i, w)
			}
		}
	} else {
		if f.MaxWeight == 0 {
			f.MaxWeight = 100
		}
		if !(f.StepWeight > 0 && f.StepWeight <= 100) {
			return f, fmt.Errorf("stepWeight: %v; want a weight in (0, 100] (or stepWeights)", f.StepWeight)
		}
	}
	if !(f.MaxWeight > 0 && f.MaxWeight <= 100) {
		return f, fmt.Errorf("maxWeight: %v; want (0, 100]", f.MaxWeight)
	}
	if f.StepWeightPromotion < 0 || f.StepWeightPromotion > 100 {
		return f, errors.New("stepWeightPromotion: want 0..100")
	}
	return f, nil
}

// Replay runs Flagger's canary loop (scheduler.go advanceCanary) once per
// interval over the given checks, one per analysis tick, and explains each
// tick. failedChecks is cumulative; it reaches the threshold on a failed
// check and the rollback happens on the next tick.
func (f Flagger) Replay(checks []Check, r Range) (FlaggerResult, error) {
	f, err := f.normalised()
	if err != nil {
		return FlaggerResult{}, err
	}
	res := FlaggerResult{Phase: "Progressing"}
	if len(f.StepWeights) == 0 {
		res.ClosedForm = time.Duration(float64(f.Interval) * f.MaxWeight / f.StepWeight)
	}
	canary, failed, next, used := 0.0, 0, 0, 0
	phase := "Progressing"
	for n := 1; ; n++ {
		t := Tick{N: n, At: time.Duration(n) * f.Interval}
		switch phase {
		case "Promoting":
			if f.StepWeightPromotion == 0 {
				canary = 0
				t.Action = "promotion: primary updated; all traffic back to the primary"
			} else {
				canary = math.Max(0, canary-f.StepWeightPromotion)
				t.Action = fmt.Sprintf("promotion: primary weight +%v", f.StepWeightPromotion)
			}
			if canary == 0 {
				phase = "Finalising"
			}
		case "Finalising":
			phase = "Succeeded"
			t.Action = "canary scaled to zero: Succeeded"
		default: // Progressing
			if failed >= f.Threshold {
				canary = 0
				phase = "Failed"
				t.Action = fmt.Sprintf("failedChecks %d >= threshold %d: rollback, all traffic to the primary", failed, f.Threshold)
				break
			}
			if used == len(checks) {
				return res, nil
			}
			c := checks[used]
			used++
			pass, why := c.Passed, ""
			if !c.Given {
				pass, why = r.check(c.Value)
			}
			if !pass {
				failed++
				t.Check = "failed" + why
				t.Action = fmt.Sprintf("halt advancement (failedChecks %d of threshold %d)", failed, f.Threshold)
				break
			}
			t.Check = "passed" + why
			if canary < f.MaxWeight {
				step := f.StepWeight
				if len(f.StepWeights) > 0 {
					step = f.StepWeights[next] - canary
					next++
				}
				canary = math.Min(100, canary+step)
				t.Action = fmt.Sprintf("canary weight %v%%", canary)
			} else {
				phase = "Promoting"
				t.Action = "canary at maxWeight and analysis passed: promote (copy the canary spec to the primary)"
			}
		}
		t.Phase, t.FailedChecks, t.Canary = phase, failed, canary
		res.Ticks = append(res.Ticks, t)
		res.Phase = phase
		if phase == "Succeeded" || phase == "Failed" {
			res.Unused = len(checks) - used
			return res, nil
		}
	}
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
