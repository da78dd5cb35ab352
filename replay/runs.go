package replay

import "github.com/shiftsim/shiftsim/sim"

// Tally is one strategy's outcomes over repeated replays of a recording:
// the same recorded traffic and behaviour each time, another seed for the
// routing of requests and their dice.
type Tally struct {
	Runs    int
	Stopped int       // runs that rolled back
	Failed  []float64 // failed requests of each run
	Target  []float64 // failed requests on the target of each run
}

// Repeat replays m under every strategy n times, run i with seed(i), and
// tallies the outcomes per strategy (in the order of strats). Each run is
// sim.Compare's: the strategies of one seed share its arrivals and dice.
func Repeat(m sim.Model, strats []sim.Strategy, n int, seed func(i int) uint64) ([]Tally, error) {
	out := make([]Tally, len(strats))
	for i := range n {
		m.Seed = seed(i)
		rs, err := sim.Compare(&m, strats)
		if err != nil {
			return nil, err
		}
		for j, r := range rs {
			t := &out[j]
			t.Runs++
			if r.RolledBack {
				t.Stopped++
			}
			t.Failed = append(t.Failed, float64(r.FailedRequests))
			t.Target = append(t.Target, float64(r.TargetFailedRequests))
		}
	}
	return out, nil
}
