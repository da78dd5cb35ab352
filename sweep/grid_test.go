package sweep_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/sweep"
)

// RunGrid is Run at every point, in order, with one progress count over
// the whole grid; a failing point is named by its settings.
func TestRunGrid(t *testing.T) {
	a, b := reference(t, 20), reference(t, 50)
	grid := []sweep.GridPoint{
		{Settings: []sweep.Setting{{Path: "traffic.rate", Value: "20"}}, Model: &a.Model, Strategies: a.Strategies},
		{Settings: []sweep.Setting{{Path: "traffic.rate", Value: "50"}}, Model: &b.Model, Strategies: b.Strategies[:1]},
	}
	var seen []int
	reps, err := sweep.RunGrid(grid, sweep.Options{Runs: 3, Progress: func(done, total int) {
		if total != 3*len(a.Strategies)+3 {
			t.Errorf("total %d", total)
		}
		seen = append(seen, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range grid {
		want, err := sweep.Run(g.Model, g.Strategies, sweep.Options{Runs: 3})
		if err != nil {
			t.Fatal(err)
		}
		// (fmt, not DeepEqual: an event that did not happen is NaN.)
		if fmt.Sprint(reps[i].Outcomes) != fmt.Sprint(want.Outcomes) {
			t.Errorf("point %d differs from Run", i)
		}
	}
	if len(seen) == 0 || seen[len(seen)-1] != 3*len(a.Strategies)+3 {
		t.Errorf("progress %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("progress goes back: %v", seen)
		}
	}
	bad := b.Model
	bad.Horizon = 0
	_, err = sweep.RunGrid([]sweep.GridPoint{{Settings: []sweep.Setting{{Path: "horizon", Value: "0s"}}, Model: &bad, Strategies: b.Strategies}}, sweep.Options{Runs: 1})
	if err == nil || !strings.HasPrefix(err.Error(), "with horizon=0s: ") {
		t.Errorf("error %v", err)
	}
}
