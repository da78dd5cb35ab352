package replay

import (
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/traffic"
)

// Start says when the replayed deployments start (an offset from the
// recording's start) and how that was found: "AllowTraffic" (the
// lifecycle event in which CodeDeploy shifted traffic), "CreateTime" (the
// deployment's creation), "Weights" (the first traffic step the sidecar
// records) or "first invocation of the target" (none of these recorded).
func (r *Recording) DeployStart() (time.Duration, string) {
	if d := r.Deployment; d != nil {
		if d.AllowTraffic != nil {
			return max(0, *d.AllowTraffic), "AllowTraffic"
		}
		return max(0, d.Create), "CreateTime"
	}
	for _, w := range r.Weights {
		if w.Target > 0 {
			return max(0, w.At), "Weights"
		}
	}
	for k, x := range r.Versions[1].Invocations {
		if x > 0 {
			return time.Duration(k) * r.Period, "first invocation of the target"
		}
	}
	return 0, "first invocation of the target"
}

// Users spreads the replayed requests over a population of users (the
// recording has none): N users of Zipf exponent Skew, as a scenario's
// traffic.users.
type Users struct {
	N    int
	Skew float64
}

// Model is base (a scenario's model: alarms, monitoring, rollback and
// billing settings) replaying r: the alias's recorded invocations per
// period as the traffic, each version's per-period behaviour b as one
// fault per period, the deployment starting when the recorded one did.
// CloudWatch's minutes are the recording's (poll phase 0); CodeDeploy's
// alarm polls count from the recorded start of the deployment. What the
// recording cannot tell is left out and said in docs/replay.md:
// hooks (the recorded deployment passed its own), Lambda's execution model
// (recorded durations and errors already hold what it did), and function
// timeouts (a timed-out invocation is already a recorded error).
func (r *Recording) Model(base sim.Model, b *Behaviour, users *Users) (sim.Model, error) {
	m := base
	m.Function, m.Alias = r.Function, r.Alias
	m.Horizon = r.Window()
	m.DeployStart, _ = r.DeployStart()
	m.Hooks, m.Exec, m.RecordedLatency = nil, nil, false
	// CloudWatch's minutes are the recording's (t = 0 is a whole minute
	// of the epoch), and the deployment starts at its recorded second:
	// the poll phase is no longer a free parameter.
	m.PollPhase = sim.PollPhase{}
	m.Faults = nil
	for v := range r.Versions {
		p := b.Versions[v]
		if len(p) != r.Periods {
			return sim.Model{}, fmt.Errorf("replay: behaviour of version %s has %d periods, the recording %d", r.Versions[v].Name, len(p), r.Periods)
		}
		lat, err := lognormal(p[0])
		if err != nil {
			return sim.Model{}, err
		}
		m.Versions[v] = sim.Version{Name: r.Versions[v].Name, ErrorRate: p[0].ErrorRate, Latency: lat}
		for k := range p {
			l, err := lognormal(p[k])
			if err != nil {
				return sim.Model{}, fmt.Errorf("version %s at %s: %w", r.Versions[v].Name, r.Start.Add(time.Duration(k)*r.Period).Format(time.RFC3339), err)
			}
			e := p[k].ErrorRate
			f := faults.Fault{Version: v, Start: time.Duration(k) * r.Period, End: time.Duration(k+1) * r.Period, ErrorRate: &e, Latency: &l}
			if err := f.Validate(); err != nil {
				return sim.Model{}, err
			}
			m.Faults = append(m.Faults, f)
		}
	}
	m.Traffic = traffic.Spec{Kind: traffic.KindCounts, Counts: r.Traffic, CountPeriod: r.Period}
	if users != nil {
		m.Traffic.Users, m.Traffic.UserSkew = users.N, users.Skew
	}
	return m, nil
}

func lognormal(p Params) (faults.Lognormal, error) {
	med := time.Duration(p.P50 * float64(time.Millisecond))
	p99 := time.Duration(p.P99 * float64(time.Millisecond))
	if med <= 0 { // a recorded p50 under a nanosecond
		med = 1
	}
	return sim.LatencyFromMedianP99(med, max(p99, med))
}
