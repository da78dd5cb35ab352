package replay

import (
	"fmt"
	"math"
	"math/rand/v2"
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
// What the recording cannot tell is left out and said in docs/replay.md:
// hooks (the recorded deployment passed its own), Lambda's execution model
// (recorded durations and errors already hold what it did), and function
// timeouts (a timed-out invocation is already a recorded error).
func (r *Recording) Model(base sim.Model, b *Behaviour, users *Users) (sim.Model, error) {
	m := base
	m.Function, m.Alias = r.Function, r.Alias
	m.Horizon = r.Window()
	m.DeployStart, _ = r.DeployStart()
	m.Hooks, m.Exec, m.RecordedLatency = nil, nil, false
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
	counts, period := r.Traffic, r.Period
	m.Traffic = func(src rand.Source, until time.Duration) (traffic.Source, error) {
		var ur rand.Source
		if users != nil {
			// Split off before any arrival is drawn, as the scenario
			// loader does, so the users do not depend on batching.
			ur = rand.NewPCG(src.Uint64(), src.Uint64())
		}
		var s traffic.Source = NewCounts(counts, period, until, src)
		if users != nil {
			return traffic.NewUsers(s, users.N, users.Skew, ur)
		}
		return s, nil
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

// Counts is a traffic source with exactly counts[k] arrivals in period k,
// [k·Period, (k+1)·Period), placed independently and uniformly within it:
// the recorded traffic, minute by minute, with the order within a minute
// (which CloudWatch does not keep) drawn.
type Counts struct {
	counts []float64
	period int64
	until  int64
	rng    *rand.Rand

	k    int     // current period
	left int64   // arrivals still to place in it
	u    float64 // position of the last placed, in [0, 1)
}

// NewCounts returns the source of counts per period, until the given time.
func NewCounts(counts []float64, period, until time.Duration, src rand.Source) *Counts {
	c := &Counts{counts: counts, period: int64(period), until: int64(until), rng: rand.New(src), k: -1}
	c.nextPeriod()
	return c
}

func (c *Counts) nextPeriod() {
	c.k++
	c.u = 0
	c.left = 0
	if c.k < len(c.counts) {
		c.left = int64(c.counts[c.k])
	}
}

// Fill implements traffic.Source. The sorted uniform positions of the n
// arrivals of a period are drawn one after the other: given the previous
// one at u, the next of the m left is u + (1−u)(1 − V^(1/m)), V uniform
// (the smallest of m uniforms on [u, 1)), so no period is held in memory.
func (c *Counts) Fill(buf []traffic.Arrival) int {
	n := 0
	for n < len(buf) && c.k < len(c.counts) {
		if c.left == 0 {
			c.nextPeriod()
			continue
		}
		c.u += (1 - c.u) * -math.Expm1(math.Log(1-c.rng.Float64())/float64(c.left))
		c.left--
		at := int64(c.k)*c.period + min(int64(c.u*float64(c.period)), c.period-1)
		if c.until > 0 && at >= c.until {
			c.k = len(c.counts)
			break
		}
		buf[n] = traffic.Arrival{At: at}
		n++
	}
	return n
}
