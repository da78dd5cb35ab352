package sweep

import (
	"math"

	"github.com/shiftsim/shiftsim/sim"
)

// Point is one plan on the safety/speed plane: how long it takes and how
// many requests it is expected to hurt.
type Point struct {
	Duration    float64 // seconds
	BlastRadius float64 // failed requests
}

// Frontier marks the Pareto-optimal points: those that no other point
// beats on one axis without losing on the other (lower is better on both).
// Of equal points the first is kept.
func Frontier(ps []Point) []bool {
	on := make([]bool, len(ps))
	for i, p := range ps {
		on[i] = true
		for j, q := range ps {
			if j == i {
				continue
			}
			better := q.Duration < p.Duration || q.BlastRadius < p.BlastRadius
			noWorse := q.Duration <= p.Duration && q.BlastRadius <= p.BlastRadius
			equal := q == p
			if noWorse && (better || equal && j < i) {
				on[i] = false
				break
			}
		}
	}
	return on
}

// Placed is a strategy on the speed/safety plane as compare draws it: its
// planned duration (Duration, seconds) and the target's failed requests
// (BlastRadius: the mean over the runs, Low and High its 95 % interval,
// all three equal for a single run), and whether it is on the frontier.
type Placed struct {
	Strategy string
	Point
	Low, High  float64
	OnFrontier bool
}

// Place puts replicated strategies on the plane, in the order of st.
func Place(st []Stats) []Placed {
	out := make([]Placed, len(st))
	pts := make([]Point, len(st))
	for i, x := range st {
		tf := x.TargetFailedRequests
		pts[i] = Point{Duration: x.Planned.Seconds(), BlastRadius: tf.Mean}
		out[i] = Placed{Strategy: x.Strategy, Point: pts[i], Low: tf.Mean, High: tf.Mean}
		if !math.IsNaN(tf.CILow) && !math.IsNaN(tf.CIHigh) {
			out[i].Low, out[i].High = tf.CILow, tf.CIHigh
		}
	}
	mark(out, pts)
	return out
}

// PlaceSingle puts single runs of m's strategies on the plane:
// targetFailed[i] is strategy i's failed requests on the target.
func PlaceSingle(m *sim.Model, strategies []sim.Strategy, targetFailed []float64) []Placed {
	out := make([]Placed, len(strategies))
	pts := make([]Point, len(strategies))
	for i, st := range strategies {
		pts[i] = Point{Duration: Planned(m, st.Config).Seconds(), BlastRadius: targetFailed[i]}
		out[i] = Placed{Strategy: st.Name, Point: pts[i], Low: targetFailed[i], High: targetFailed[i]}
	}
	mark(out, pts)
	return out
}

// OnFrontier lists which placed strategies are on the frontier.
func OnFrontier(ps []Placed) []bool {
	on := make([]bool, len(ps))
	for i, p := range ps {
		on[i] = p.OnFrontier
	}
	return on
}

func mark(out []Placed, pts []Point) {
	for i, on := range Frontier(pts) {
		out[i].OnFrontier = on
	}
}
