package sim

import (
	"math"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
)

// The functions of this file expose, for the exact engine of package power,
// the pieces of the simulated world it must agree with: the same traffic
// intensity, the same per-request failure law and the same datapoint of a
// count alarm. They are the engine's own code paths, not copies.

// Batchable reports whether the batched engine can simulate m exactly, and
// why not: then m's requests form a Poisson process with a known intensity
// whose every request is independent of the others given the time.
func Batchable(m *Model) (ok bool, why string) { return batchable(m) }

// MeanCount returns the expected number of arrivals of m's traffic in
// [a, b) seconds, read from its spec (traffic.Spec.Intensity); an error
// when its rate is not known in advance (bursty, a per-request recording).
func (m *Model) MeanCount() (func(a, b float64) float64, error) {
	in, err := m.Traffic.Intensity(m.Horizon)
	if err != nil {
		return nil, err
	}
	return in.MeanCount, nil
}

// FailureProbability is the probability that a request to version v
// arriving at t fails (times out, hangs until its timeout, or returns a
// function error), under the faults in force at t, as both engines draw it.
// A fault confined to a segment of users hits no request here: it needs
// user ids, which a batchable model does not have.
func (m *Model) FailureProbability(v int, t time.Duration) float64 {
	r := &runner{m: m}
	r.applyFaults(int64(t))
	b := &batcher{}
	b.laws[v].mu = math.NaN()
	law := b.law(r, v)
	errRate, hang := r.errRate[v], r.hang[v]
	if r.segment[v] > 0 {
		errRate, hang = r.baseErr[v], 0
	}
	slow := law.pSlow + (1-law.pSlow)*hang
	return slow + (1-slow)*errRate
}

// CountDatapoint is alarm a's datapoint for one period in which the
// versions its queries read served inv requests, fail of them failed, and
// none was throttled: what the engine computes from its metric buckets. ok
// is false when a query reads a metric that is not a count of requests
// (Duration, ConcurrentExecutions) or the queries read different versions.
// scratch needs ScratchLen values.
func (a *Alarm) CountDatapoint(inv, fail int64, scratch []float64) (v float64, ok bool) {
	for qi, q := range a.Queries {
		var x float64
		switch q.Metric {
		case Invocations:
			x = q.Stat.OfBinary(inv, inv)
		case Errors:
			x = q.Stat.OfBinary(fail, inv)
		case Throttles:
			x = q.Stat.OfBinary(0, inv)
		default:
			return math.NaN(), false
		}
		if q.Versions != a.Queries[0].Versions {
			return math.NaN(), false
		}
		if a.Math == nil {
			return x, true
		}
		scratch[a.Math.Input(qi)] = x
	}
	return a.Math.Eval(scratch[:a.Math.Len()]), true
}

// ScratchLen is how many values CountDatapoint's scratch must hold.
func (a *Alarm) ScratchLen() int {
	if a.Math == nil {
		return max(len(a.Queries), 1)
	}
	return max(a.Math.Len(), len(a.Queries), 1)
}

// EvalStep is how often the engine evaluates m's alarms: every minute, or
// every 10 seconds when an alarm's period is shorter than a minute ("If the
// alarm period is 10 seconds or 30 seconds, the alarm is evaluated every 10
// seconds").
func EvalStep(m *Model) time.Duration {
	for _, a := range m.Alarms {
		if a.Period < time.Minute {
			return 10 * time.Second
		}
	}
	return time.Minute
}

// AlarmRange is how many datapoints an evaluation of r reads.
func AlarmRange(r alarm.Rule) int { return rangeOf(r) }

// TargetFaulty reports whether the target version is worse than the current
// one at t, as a hook invoked at t judges it: a fault hits it, or its
// configured error rate is higher.
func (m *Model) TargetFaulty(t time.Duration) bool {
	r := &runner{m: m}
	return r.targetFaulty(int64(t))
}
