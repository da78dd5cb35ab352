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

// Fault changes one version's behaviour from Start until End.
type Fault struct {
	Version int           // the version index the fault hits: 0 current, 1 target
	Start   time.Duration // absolute virtual time the fault begins
	End     time.Duration // absolute virtual time it ends; 0 means never
	// ErrorRate, when set, replaces the version's per-request error
	// probability while the fault is active.
	ErrorRate *float64
	// Latency, when set, replaces the version's latency distribution
	// (lognormal, of seconds) while the fault is active.
	Latency *Lognormal
}

// Lognormal is a latency distribution: ln(latency in seconds) ~ Normal(Mu, Sigma).
type Lognormal struct{ Mu, Sigma float64 }

// Effect is the change in force on one version at one instant; a nil field
// means "as configured".
type Effect struct {
	ErrorRate *float64
	Latency   *Lognormal
}

// Active reports whether f is in force at t.
func (f Fault) Active(t time.Duration) bool {
	return t >= f.Start && (f.End == 0 || t < f.End)
}

// Validate checks f's own fields.
func (f Fault) Validate() error {
	if f.Version < 0 || f.Version > 1 {
		return fmt.Errorf("version index %d: must be 0 (current) or 1 (target)", f.Version)
	}
	if f.End != 0 && f.End <= f.Start {
		return fmt.Errorf("end %v is not after start %v", f.End, f.Start)
	}
	if f.ErrorRate == nil && f.Latency == nil {
		return fmt.Errorf("a fault needs error_rate or latency")
	}
	if r := f.ErrorRate; r != nil && !(*r >= 0 && *r <= 1) {
		return fmt.Errorf("error_rate %v is not a probability in [0, 1]", *r)
	}
	if l := f.Latency; l != nil && (math.IsNaN(l.Mu) || math.IsInf(l.Mu, 0) || !(l.Sigma >= 0) || math.IsInf(l.Sigma, 0)) {
		return fmt.Errorf("latency mu %v sigma %v: need finite mu and sigma >= 0", l.Mu, l.Sigma)
	}
	return nil
}

// Set is the scenario's faults; they compose in list order, a later active
// fault overriding what an earlier one set.
type Set []Fault

// At is the effect in force on version v at t.
func (s Set) At(v int, t time.Duration) Effect {
	var e Effect
	for i := range s {
		f := &s[i]
		if f.Version != v || !f.Active(t) {
			continue
		}
		if f.ErrorRate != nil {
			e.ErrorRate = f.ErrorRate
		}
		if f.Latency != nil {
			e.Latency = f.Latency
		}
	}
	return e
}

// AnyActive reports whether some fault hits version v at t.
func (s Set) AnyActive(v int, t time.Duration) bool {
	for i := range s {
		if s[i].Version == v && s[i].Active(t) {
			return true
		}
	}
	return false
}

// Changes lists, sorted and without repeats, the instants at which the
// effect on some version may change.
func (s Set) Changes() []time.Duration {
	var ts []time.Duration
	for _, f := range s {
		ts = append(ts, f.Start)
		if f.End != 0 {
			ts = append(ts, f.End)
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
