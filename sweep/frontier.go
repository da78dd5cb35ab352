package sweep

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
