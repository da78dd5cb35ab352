package power

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/sim"
)

// prune is the probability below which a state of the chain is dropped:
// far below anything a result shows, it keeps the state space to the
// states that matter.
const prune = 1e-17

// stop is a probability mass of deployments stopped at one instant.
type stop struct {
	At   time.Duration
	Mass float64
}

// world is what the exact engine knows of a model: its traffic intensity,
// failure laws and the instants where they change.
type world struct {
	m       *sim.Model
	mean    func(a, b float64) float64
	changes []time.Duration // fault changes in (0, horizon)
}

// Exactable says whether Exact can compute strategy-independent answers
// for m, and if not, why.
func Exactable(m *sim.Model) (ok bool, why string) {
	if ok, why := sim.Batchable(m); !ok {
		return false, why
	}
	if len(m.Alarms) > 1 {
		return false, fmt.Sprintf("%d alarms watch the deployment; the exact engine handles one (their datapoints share requests)", len(m.Alarms))
	}
	if len(m.Alarms) == 1 {
		a := &m.Alarms[0]
		step := sim.EvalStep(m)
		if a.Period != step {
			return false, fmt.Sprintf("alarm %s: its period (%v) differs from its evaluation interval (%v), so its datapoints overlap from one evaluation to the next", a.Name, a.Period, step)
		}
		if _, ok := a.CountDatapoint(1, 0, make([]float64, a.ScratchLen())); !ok {
			return false, fmt.Sprintf("alarm %s: it reads a metric that is not a count of requests (Duration, ConcurrentExecutions) or its metrics read different versions", a.Name)
		}
	}
	return true, ""
}

func newWorld(m *sim.Model) (*world, error) {
	mean, err := m.MeanCount()
	if err != nil {
		return nil, err
	}
	w := &world{m: m, mean: mean}
	for _, t := range m.Faults.Changes(m.Horizon) {
		if t > 0 && t < m.Horizon {
			w.changes = append(w.changes, t)
		}
	}
	slices.Sort(w.changes)
	w.changes = slices.Compact(w.changes)
	return w, nil
}

// span is a stretch of time of constant weight, failure laws and intensity.
type span struct {
	from, to time.Duration
	w        float64
}

// spans cuts [from, to) at the path's weight changes and the fault changes;
// weight gives the target's weight at an instant.
func (wd *world) spans(from, to time.Duration, weight func(time.Duration) float64, extra []change) []span {
	cuts := []time.Duration{from, to}
	for _, t := range wd.changes {
		if t > from && t < to {
			cuts = append(cuts, t)
		}
	}
	for _, c := range extra {
		if c.At > from && c.At < to {
			cuts = append(cuts, c.At)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	out := make([]span, 0, len(cuts)-1)
	for i := 0; i+1 < len(cuts); i++ {
		out = append(out, span{cuts[i], cuts[i+1], weight(cuts[i])})
	}
	return out
}

// target is the expected requests and failures of the target over the
// horizon on path p when the deployment is stopped at at (never: not
// stopped): then the weight drops to 0 with an automatic rollback, and
// stays where it is without one.
func (wd *world) target(p *path, at time.Duration) (req, fail float64) {
	weight := p.weightAt
	if at != never {
		frozen := 0.0
		if !wd.m.AutoRollback {
			frozen = p.weightAt(at)
		}
		weight = func(t time.Duration) float64 {
			if t >= at {
				return frozen
			}
			return p.weightAt(t)
		}
	}
	extra := append(slices.Clone(p.Weights), change{At: min(at, wd.m.Horizon)})
	for _, s := range wd.spans(0, wd.m.Horizon, weight, extra) {
		if s.w == 0 {
			continue
		}
		n := wd.mean(s.from.Seconds(), s.to.Seconds()) * s.w
		req += n
		fail += n * wd.m.FailureProbability(sim.Target, s.from)
	}
	return req, fail
}

// bucket is the expected requests and failure fraction of what alarm a
// reads over [from, to) on path p (before any stop).
func (wd *world) bucket(a *sim.Alarm, p *path, from, to time.Duration) (mu, pf float64) {
	versions := a.Queries[0].Versions
	var fails float64
	for _, s := range wd.spans(from, to, p.weightAt, p.Weights) {
		n := wd.mean(s.from.Seconds(), s.to.Seconds())
		for v, share := range [2]float64{1 - s.w, s.w} {
			if versions&(1<<v) == 0 || share == 0 {
				continue
			}
			mu += n * share
			fails += n * share * wd.m.FailureProbability(v, s.from)
		}
	}
	if mu > 0 {
		pf = min(fails/mu, 1)
	}
	return mu, pf
}

// chain is the Markov chain of one alarm: its state after an evaluation is
// the classes of the datapoints in its evaluation range and its alarm state.
type chain struct {
	a      *sim.Alarm
	rule   alarm.Rule
	period time.Duration
	real   int    // datapoints of the range that can be present: the range less those the metric delay hides
	hidden int    // the newest datapoints, never yet published at an evaluation
	pow    uint64 // 3^real
	values [nClasses]float64
	points []float64
	// next is the state after evaluating (window·3 + previous state), -1
	// not yet known; nextMap replaces it for a range too long to index.
	next    []int8
	nextMap map[uint64]alarm.State
	// acc is, by state code, the mass merged into it during a step (0
	// between steps); nil for a range too long to index.
	acc      []float64
	classify *classifier
}

// maxDenseRange is the longest present range whose states are indexed
// directly: 3^8·6 codes, 310 KiB of masses.
const maxDenseRange = 8

type entry struct {
	code uint64 // (window·3 + alarm state)·2 + detected
	p    float64
}

func newChain(m *sim.Model, a *sim.Alarm, cl *classifier) *chain {
	r := sim.AlarmRange(a.Rule)
	// A datapoint k periods old (k = 0 newest) is published at an
	// evaluation when its period ended at least the metric delay ago:
	// k·period >= delay.
	hidden := int((m.MetricDelay + a.Period - 1) / a.Period)
	c := &chain{a: a, rule: a.Rule, period: a.Period, hidden: min(hidden, r), real: max(r-hidden, 0),
		points: make([]float64, r), classify: cl}
	c.pow = 1
	for i := 0; i < c.real; i++ {
		c.pow *= 3
	}
	// A state's code is (window·3 + alarm state)·2 + detected, below
	// pow·6: up to maxDenseRange present datapoints they are indexed directly; a longer range
	// (many of whose windows the pruning keeps empty) merges by sorting.
	if c.real <= maxDenseRange {
		c.next = make([]int8, c.pow*3)
		for i := range c.next {
			c.next[i] = -1
		}
		c.acc = make([]float64, c.pow*6)
	} else {
		c.nextMap = map[uint64]alarm.State{}
	}
	breach, ok := representatives(a.Rule)
	c.values = [nClasses]float64{math.NaN(), ok, breach}
	return c
}

// evaluate is the alarm state after evaluating window with previous state
// prev, by the alarm package's rule.
func (c *chain) evaluate(window uint64, prev alarm.State) alarm.State {
	key := window*3 + uint64(prev)
	if c.next == nil {
		if s, ok := c.nextMap[key]; ok {
			return s
		}
	} else if s := c.next[key]; s >= 0 {
		return alarm.State(s)
	}
	// Digit k of window (base 3) is the class of the datapoint k periods
	// older than the newest present one; points run oldest first.
	w := window
	for k := 0; k < c.real; k++ {
		c.points[c.real-1-k] = c.values[w%3]
		w /= 3
	}
	for k := c.real; k < len(c.points); k++ {
		c.points[k] = math.NaN()
	}
	s := c.rule.Evaluate(c.points, prev)
	if c.next == nil {
		c.nextMap[key] = s
	} else {
		c.next[key] = int8(s)
	}
	return s
}

// step evaluates the alarm at one instant: the datapoint of the bucket
// that becomes visible joins the window, with class law q. When detect is
// set, the mass of states that enter ALARM without having been detected is
// returned, and they are marked detected.
func (c *chain) step(states []entry, q [nClasses]float64, buf []entry, detect bool) ([]entry, float64) {
	entered := 0.0
	buf = buf[:0]
	// Equal states merge in c.acc, indexed by code, and leave it in
	// ascending code order: a fixed order (states arrive in ascending
	// order, classes in order), so sums depend on no map or sort order.
	acc := c.acc
	lo, hi := uint64(len(acc)), uint64(0)
	for _, e := range states {
		flag := e.code & detectedBit
		window, prev := e.code>>1/3, alarm.State(e.code>>1%3)
		// The window shifts: its oldest digit leaves, the new class
		// enters as digit 0. window·3 mod pow is a multiple of 3, so
		// adding the class stays below pow.
		shifted := uint64(0)
		if c.pow > 1 {
			shifted = window * 3 % c.pow
		}
		for cl := uint64(0); cl < uint64(nClasses); cl++ {
			pc := q[cl]
			if pc == 0 {
				continue
			}
			pe := e.p * pc
			if pe < prune {
				continue
			}
			nw := window
			if c.pow > 1 {
				nw = shifted + cl
			}
			var s alarm.State
			if k := nw*3 + uint64(prev); c.next != nil && c.next[k] >= 0 {
				s = alarm.State(c.next[k])
			} else {
				s = c.evaluate(nw, prev)
			}
			f := flag
			if detect && f == 0 && s == alarm.Alarm && prev != alarm.Alarm {
				entered += pe
				f = detectedBit
			}
			code := (nw*3+uint64(s))<<1 | f
			if acc == nil {
				buf = append(buf, entry{code, pe})
				continue
			}
			acc[code] += pe
			lo, hi = min(lo, code), max(hi, code)
		}
	}
	if acc == nil {
		slices.SortStableFunc(buf, func(a, b entry) int { return cmp.Compare(a.code, b.code) })
		out := buf[:0]
		for _, e := range buf {
			if n := len(out); n > 0 && out[n-1].code == e.code {
				out[n-1].p += e.p
				continue
			}
			out = append(out, e)
		}
		return out, entered
	}
	buf = buf[:0]
	for code := lo; code <= hi && code < uint64(len(acc)); code++ {
		if p := acc[code]; p != 0 {
			buf = append(buf, entry{code, p})
			acc[code] = 0
		}
	}
	return buf, entered
}

// decisions are the instants at which CodeDeploy acts on the alarm state:
// the start, which reads every alarm before the deployment leaves Created
// (even one that would end at once), and then, before end, every poll
// with a poll interval, or without one every evaluation after the start (a
// change of state reaches CodeDeploy at once).
//
// The poll phase moves both clocks as the simulator does (docs/monitoring.md):
// evaluations fall on grid + k·step, grid the phase's minute boundary at or
// before 0, and the first poll after the start phase mod the interval (a
// whole interval when that is 0) after it.
func decisions(m *sim.Model, step, grid, phase, start, end time.Duration) []time.Duration {
	if start >= m.Horizon {
		return nil
	}
	out := []time.Duration{start}
	if iv := m.AlarmPollInterval; iv > 0 {
		first := phase % iv
		if first == 0 {
			first = iv
		}
		for t := start + first; t < end; t += iv {
			out = append(out, t)
		}
		return out
	}
	for t := grid + ((start-grid)/step+1)*step; t < end; t += step {
		out = append(out, t)
	}
	return out
}

// grid is where the simulator's bucket 0 starts for a run with this poll
// phase: the phase's minute boundary at or before t = 0.
func grid(phase time.Duration) time.Duration {
	if o := phase % time.Minute; o > 0 {
		return o - time.Minute
	}
	return 0
}

// outcome is how one path ends: the stops the alarm (or a failed hook)
// causes, and when the problem is first detected — the alarm entering
// ALARM at or after the start, or the stop itself when the alarm was
// already in ALARM or a hook failed — as the simulator's Result.Detected.
type outcome struct {
	stops, detections []stop
}

// Flags of a chain state's code (its lowest bit).
const detectedBit = 1

// run computes path p's outcome. The masses are of the path (each list
// sums to at most 1). laws holds the buckets' laws by index, as far as
// known: run reads them there and adds those it computes.
func (wd *world) run(p *path, c *chain, phase time.Duration, laws *[]bucketLaw) outcome {
	m := wd.m
	end := min(p.Finish, m.Horizon)
	var out outcome
	if c == nil {
		if p.HookStop {
			out.stops = []stop{{p.Finish, 1}}
			out.detections = out.stops
		}
		return out
	}
	step, g := c.period, grid(phase)
	states := []entry{{uint64(c.a.Initial) << 1, 1}}
	var buf []entry
	// The next evaluation is at g + k·step, the first one after t = 0;
	// bucket j spans [g + j·step, g + (j+1)·step).
	k := -g/step + 1
	evaluate := func(until time.Duration) {
		for ; g+k*step <= until && g+k*step < m.Horizon; k++ {
			at := g + k*step
			q := [nClasses]float64{1, 0, 0}
			if j := k - 1 - time.Duration(c.hidden); j >= 0 && c.real > 0 {
				if int(j) >= len(*laws) {
					*laws = append(*laws, make([]bucketLaw, int(j)+1-len(*laws))...)
				}
				b := &(*laws)[j]
				if !b.known {
					b.mu, b.pf = wd.bucket(c.a, p, max(0, g+j*step), g+(j+1)*step)
					b.known = true
				}
				q = c.classify.probs(b.mu, b.pf)
			}
			var entered float64
			buf, entered = c.step(states, q, buf, at >= m.DeployStart)
			states, buf = buf, states
			if entered > 0 {
				out.detections = append(out.detections, stop{at, entered})
			}
		}
	}
	for _, d := range decisions(m, step, g, phase, m.DeployStart, end) {
		evaluate(d)
		var mass, fresh float64
		kept := states[:0]
		for _, e := range states {
			if alarm.State(e.code>>1%3) == alarm.Alarm {
				mass += e.p
				if e.code&detectedBit == 0 {
					fresh += e.p
				}
			} else {
				kept = append(kept, e)
			}
		}
		states = kept
		if mass > 0 {
			out.stops = append(out.stops, stop{d, mass})
		}
		if fresh > 0 {
			out.detections = append(out.detections, stop{d, fresh})
		}
	}
	if p.HookStop {
		// What the alarm did not stop, the hook does; it detects the
		// problem if the alarm has not.
		var left, fresh float64
		for _, e := range states {
			left += e.p
			if e.code&detectedBit == 0 {
				fresh += e.p
			}
		}
		if left > 0 {
			out.stops = append(out.stops, stop{p.Finish, left})
		}
		if fresh > 0 {
			out.detections = append(out.detections, stop{p.Finish, fresh})
		}
		return out
	}
	// The deployment ran to its end: the alarm may still fire before the
	// horizon, too late to stop anything.
	kept := states[:0]
	for _, e := range states {
		if e.code&detectedBit == 0 {
			kept = append(kept, e)
		}
	}
	states = kept
	evaluate(m.Horizon)
	return out
}
