// Package faults describes what goes wrong with a Lambda version, and when,
// as plain data: a fault has a version, a window and an effect, and At tells
// the effect in force at an instant. The simulator asks only at the instants
// Changes lists, so faults cost nothing per request.
//
// Faults never draw random numbers or read a clock.
package faults

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Both is the Version of a fault that hits both versions: a shared
// dependency (database, downstream API) failing under either.
const Both = -1

// Fault changes one version's behaviour (or both's) from Start until End.
// The kinds of the catalogue are combinations of its fields:
//   - error-rate step, time bomb: ErrorRate from Start (a time bomb is one whose Start is late);
//   - latency regression: Latency (replace) or LatencyScale (multiply);
//   - gradual degradation: Ramp - ErrorRate and LatencyScale grow linearly from nothing over Ramp;
//   - segment-only failure: Segment - only that fraction of users is hit, fully;
//   - crash/timeout: HangRate - requests hang until the function timeout;
//   - cold-start regression: Init;
//   - shared-dependency outage: Version Both;
//   - flaky, intermittent: Flaky - on for On, off for Off, repeating.
type Fault struct {
	Version int           // the version index the fault hits: 0 current, 1 target, Both
	Start   time.Duration // absolute virtual time the fault begins
	End     time.Duration // absolute virtual time it ends; 0 means never
	// ErrorRate, when set, replaces the version's per-request error
	// probability while the fault is active.
	ErrorRate *float64
	// Latency, when set, replaces the version's latency distribution
	// (lognormal, of seconds) while the fault is active.
	Latency *Lognormal
	// LatencyScale, when > 0, multiplies every duration (after Latency).
	LatencyScale float64
	// Init, when set, replaces the init (cold start) duration.
	Init *Lognormal
	// HangRate is the probability that a request hangs until the timeout.
	HangRate float64
	// Segment, when > 0, confines ErrorRate and HangRate to that fraction
	// of users (by a fixed hash of the user id); others are unaffected.
	Segment float64
	// Ramp, when > 0, grows the fault in from nothing: ErrorRate, HangRate
	// and LatencyScale reach their values Ramp after Start.
	Ramp time.Duration
	// RampSteps is how many steps the ramp takes (default 10 per minute).
	RampSteps int
	// Flaky, when set, switches the fault on for On and off for Off, again
	// and again from Start.
	Flaky *Flaky
}

// Flaky is an intermittent fault's rhythm.
type Flaky struct{ On, Off time.Duration }

// Lognormal is a latency distribution: ln(latency in seconds) ~ Normal(Mu, Sigma).
type Lognormal struct{ Mu, Sigma float64 }

// Effect is the change in force on one version at one instant; a nil field
// means "as configured".
type Effect struct {
	ErrorRate    *float64
	Latency      *Lognormal
	LatencyScale float64 // 0 means 1
	Init         *Lognormal
	HangRate     float64
	// Segment > 0 confines ErrorRate and HangRate to that fraction of users.
	Segment float64
}

// Active reports whether f is in force at t.
func (f Fault) Active(t time.Duration) bool {
	if t < f.Start || (f.End != 0 && t >= f.End) {
		return false
	}
	if fl := f.Flaky; fl != nil && fl.On > 0 && fl.Off > 0 {
		return (t-f.Start)%(fl.On+fl.Off) < fl.On
	}
	return true
}

// Hits reports whether f hits version v.
func (f Fault) Hits(v int) bool { return f.Version == v || f.Version == Both }

// strength is how far a ramping fault has grown at t, in (0, 1].
func (f Fault) strength(t time.Duration) float64 {
	if f.Ramp <= 0 {
		return 1
	}
	k := float64(f.rampSteps())
	x := math.Floor(float64(t-f.Start)/float64(f.Ramp)*k) + 1
	return math.Min(x/k, 1)
}

func (f Fault) rampSteps() int {
	if f.RampSteps > 0 {
		return f.RampSteps
	}
	return max(1, int(f.Ramp/(6*time.Second)))
}

// FieldError is a problem with one field of a Fault, named by its key in a
// scenario's faults list (error_rate, end, flaky, ...).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Msg }

// Validate checks f's own fields: the one fault check, used by the
// scenario loader and by any caller building faults in code. Bounds on
// sizes (how long, how far out) are the loader's (docs/limits.md); these
// are the rules without which a fault means nothing.
func (f Fault) Validate() error {
	bad := func(field, format string, a ...any) error {
		return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	finite := func(l *Lognormal) bool {
		return l == nil || !(math.IsNaN(l.Mu) || math.IsInf(l.Mu, 0) || !(l.Sigma >= 0) || math.IsInf(l.Sigma, 0))
	}
	switch {
	case f.Version < Both || f.Version > 1:
		return bad("version", "version index %d: must be 0 (current), 1 (target) or Both", f.Version)
	case f.Start < 0:
		return bad("start", "starts at %v, before the simulation", f.Start)
	case f.End != 0 && f.End <= f.Start:
		return bad("end", "the fault ends at t+%v, not after it starts at t+%v", f.End, f.Start)
	case f.ErrorRate == nil && f.Latency == nil && f.LatencyScale == 0 && f.Init == nil && f.HangRate == 0:
		return bad("", "a fault needs an effect: error_rate, latency, latency_scale, init and/or hang_rate")
	case f.ErrorRate != nil && !(*f.ErrorRate >= 0 && *f.ErrorRate <= 1):
		return bad("error_rate", "%v is not a probability: want a number in [0, 1] (0.05 means 5 %%)", *f.ErrorRate)
	case !(f.HangRate >= 0 && f.HangRate <= 1):
		return bad("hang_rate", "%v is not a probability: want a number in [0, 1]", f.HangRate)
	case !(f.Segment >= 0 && f.Segment <= 1):
		return bad("users", "%v is not a fraction of users: want a number in [0, 1]", f.Segment)
	case !(f.LatencyScale >= 0) || math.IsInf(f.LatencyScale, 0):
		return bad("latency_scale", "%v: want a factor > 0, e.g. 3 for three times slower", f.LatencyScale)
	case !finite(f.Latency):
		return bad("latency", "mu %v sigma %v: want finite numbers, sigma >= 0", f.Latency.Mu, f.Latency.Sigma)
	case !finite(f.Init):
		return bad("init", "mu %v sigma %v: want finite numbers, sigma >= 0", f.Init.Mu, f.Init.Sigma)
	case f.Ramp < 0:
		return bad("ramp", "%v is negative", f.Ramp)
	case f.RampSteps < 0:
		return bad("ramp", "%d ramp steps: want 0 (the default) or more", f.RampSteps)
	case f.Flaky != nil && (f.Flaky.On <= 0 || f.Flaky.Off <= 0):
		return bad("flaky", "on %v off %v: give both on and off, e.g. {on: 30s, off: 2m}", f.Flaky.On, f.Flaky.Off)
	}
	return nil
}

// Set is the scenario's faults; they compose in list order, a later active
// fault overriding what an earlier one set.
type Set []Fault

// At is the effect in force on version v at t, whose own error rate is
// base (a ramp grows from it).
func (s Set) At(v int, t time.Duration, base float64) Effect {
	var e Effect
	for i := range s {
		e.add(&s[i], v, t, base)
	}
	return e
}

// add composes fault f into e when it hits version v at t.
func (e *Effect) add(f *Fault, v int, t time.Duration, base float64) {
	if !f.Hits(v) || !f.Active(t) {
		return
	}
	k := f.strength(t)
	if f.ErrorRate != nil {
		r := base + (*f.ErrorRate-base)*k
		e.ErrorRate = &r
	}
	if f.Latency != nil {
		e.Latency = f.Latency
	}
	if f.LatencyScale > 0 {
		e.LatencyScale = 1 + (f.LatencyScale-1)*k
	}
	if f.Init != nil {
		e.Init = f.Init
	}
	if f.HangRate > 0 {
		e.HangRate = f.HangRate * k
	}
	e.Segment = f.Segment
}

// AnyActive reports whether some fault hits version v at t.
func (s Set) AnyActive(v int, t time.Duration) bool {
	for i := range s {
		if s[i].Hits(v) && s[i].Active(t) {
			return true
		}
	}
	return false
}

// Changes lists, sorted and without repeats, the instants before horizon
// at which the effect on some version may change.
func (s Set) Changes(horizon time.Duration) []time.Duration {
	var ts []time.Duration
	for _, f := range s {
		end := horizon
		if f.End != 0 && f.End < end {
			end = f.End
		}
		ts = append(ts, f.Start, end)
		if f.Ramp > 0 {
			k := f.rampSteps()
			for j := 1; j < k; j++ {
				ts = append(ts, f.Start+time.Duration(float64(f.Ramp)*float64(j)/float64(k)))
			}
		}
		if fl := f.Flaky; fl != nil && fl.On > 0 && fl.Off > 0 {
			for t := f.Start; t < end; t += fl.On + fl.Off {
				ts = append(ts, t, t+fl.On)
			}
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || t != ts[i-1] {
			out = append(out, t)
		}
	}
	return out
}
