package sweep

import (
	"time"

	"github.com/shiftsim/shiftsim/sim"
)

// worseBase reports whether the target's own configuration (faults aside)
// is worse than the current version's: a higher error rate, a slower
// latency distribution, or a shorter timeout.
func worseBase(m *sim.Model) bool {
	c, t := m.Versions[sim.Current], m.Versions[sim.Target]
	if t.ErrorRate > c.ErrorRate || t.Latency.Mu > c.Latency.Mu || t.Latency.Sigma > c.Latency.Sigma {
		return true
	}
	return c.Timeout == 0 && t.Timeout > 0 || t.Timeout > 0 && t.Timeout < c.Timeout
}

// Healthy reports whether m deploys a target no worse than the current
// version, which no fault of its own ever hits: any rollback of such a
// deployment is a false alarm. A fault of both versions (a shared
// dependency's outage) does not make the target worse than the current
// version, so it leaves it healthy.
func Healthy(m *sim.Model) bool {
	if worseBase(m) {
		return false
	}
	for _, f := range m.Faults {
		if f.Version == sim.Target {
			return false
		}
	}
	return true
}

// FaultyDuring reports whether the target is worse than the current version
// at some instant of [from, to): by its own configuration, or because a
// fault hits it then. Fault activity only changes at the instants
// m.Faults.Changes lists, so checking from and those instants is exact.
func FaultyDuring(m *sim.Model, from, to time.Duration) bool {
	if to <= from {
		return false
	}
	if worseBase(m) || m.Faults.AnyActive(sim.Target, from) {
		return true
	}
	for _, t := range m.Faults.Changes(m.Horizon) {
		if t > from && t < to && m.Faults.AnyActive(sim.Target, t) {
			return true
		}
	}
	return false
}

// Twin returns m's healthy twin: the same world in which the target
// behaves exactly like the current version — its error rate, latency,
// timeout and cold starts — and the faults that hit the target alone are
// gone. Traffic, seeds, alarms, hooks, the poll phase and the faults of the
// current version or of both (a shared dependency) are m's, so run i of the
// twin meets the same requests and dice as run i of m. Every rollback of
// the twin is a false alarm (docs/advice.md).
func Twin(m *sim.Model) *sim.Model {
	t := *m
	v := m.Versions[sim.Current]
	v.Name = m.Versions[sim.Target].Name
	t.Versions[sim.Target] = v
	t.Faults = nil
	for _, f := range m.Faults {
		if f.Version != sim.Target {
			t.Faults = append(t.Faults, f)
		}
	}
	if m.Exec != nil {
		e := *m.Exec
		e.Init[sim.Target] = e.Init[sim.Current]
		t.Exec = &e
	}
	return &t
}

// IsOwnTwin reports whether m already is its healthy twin (the target
// configured exactly as the current version, no fault on the target
// alone), so a run of m is also the twin's run.
func IsOwnTwin(m *sim.Model) bool {
	c, t := m.Versions[sim.Current], m.Versions[sim.Target]
	c.Name = t.Name
	if c != t {
		return false
	}
	if m.Exec != nil && m.Exec.Init[sim.Target] != m.Exec.Init[sim.Current] {
		return false
	}
	for _, f := range m.Faults {
		if f.Version == sim.Target {
			return false
		}
	}
	return true
}

// Excess is the failures of run r in excess of what the current version
// would have suffered on the same requests: bucket by bucket, the failures
// minus the requests times the failure rate of twin, r's healthy twin on
// the same seed (where both versions behave as the current one, so its
// rate is the current version's in that minute, shared outages included).
// target counts the requests routed to the target, all those of both
// versions. Neither is below 0: a rollback stops harm, it never earns
// credit. Buckets without twin traffic add nothing.
func Excess(r, twin *sim.Result) (target, all float64) {
	for i, b := range r.Buckets {
		if i >= len(twin.Buckets) {
			break
		}
		tb := twin.Buckets[i]
		n := tb.Requests[sim.Current] + tb.Requests[sim.Target]
		if n == 0 {
			continue
		}
		rate := float64(tb.Failed[sim.Current]+tb.Failed[sim.Target]) / float64(n)
		target += float64(b.Failed[sim.Target]) - rate*float64(b.Requests[sim.Target])
		all += float64(b.Failed[sim.Current]+b.Failed[sim.Target]) - rate*float64(b.Requests[sim.Current]+b.Requests[sim.Target])
	}
	return max(0, target), max(0, all)
}

// Onset is when the target first is worse than the current version from
// the deployment start on: the start itself when its configuration is
// worse or a fault of its own is active then, else the first instant a
// fault of its own begins (or the horizon, when none ever does).
func Onset(m *sim.Model) time.Duration {
	own := func(t time.Duration) bool {
		for _, f := range m.Faults {
			if f.Version == sim.Target && f.Active(t) {
				return true
			}
		}
		return false
	}
	if worseBase(m) || own(m.DeployStart) {
		return m.DeployStart
	}
	first := m.Horizon
	for _, t := range m.Faults.Changes(m.Horizon) {
		if t > m.DeployStart && t < first && own(t) {
			first = t
		}
	}
	return first
}
