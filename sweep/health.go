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
// version and no fault ever hits it: any rollback of such a deployment is a
// false alarm.
func Healthy(m *sim.Model) bool {
	if worseBase(m) {
		return false
	}
	for _, f := range m.Faults {
		if f.Hits(sim.Target) {
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
