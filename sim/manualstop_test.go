package sim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/sim"
)

// A user's StopDeployment (Model.ManualStop) reaches the controller after
// everything else of its instant, on both engines alike: with rollback the
// alias goes back to 0 % at once, without it stays at the weight it had
// (a 3m stop in Linear10PercentEvery1Minute: after the 40 % step of 3m).
func TestManualStop(t *testing.T) {
	s := parse(t, healthyLinear)
	for _, rollback := range []bool{true, false} {
		var steps [2][]string
		for i, eng := range []sim.Engine{sim.PerRequest, sim.Batched} {
			m := s.Model
			m.Engine = eng
			m.ManualStop = &sim.ManualStop{At: 3 * time.Minute, Rollback: rollback}
			r, err := sim.Run(&m, s.Strategies[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range r.Steps {
				steps[i] = append(steps[i], st.String())
			}
			last := r.Steps[len(r.Steps)-1]
			wantWeight, wantLast := 0.4, "3m0s Stop -> Finish Stopped MANUAL_STOP manual weight=40 alias-left-weighted"
			if rollback {
				wantWeight, wantLast = 0, "3m0s Stop rollback -> Rollback; Finish Stopped MANUAL_STOP manual weight=0"
			}
			if r.Status != deploy.Stopped || r.RollbackCause != deploy.CauseManual || r.FinalWeight != wantWeight || r.DeploymentStart != 0 || last.String() != wantLast {
				t.Fatalf("%v rollback=%v: %s %s weight %v, last step %s", eng, rollback, r.Status, r.RollbackCause, r.FinalWeight, last)
			}
		}
		if !slices.Equal(steps[0], steps[1]) {
			t.Errorf("rollback=%v: per-request\n%q\nbatched\n%q", rollback, steps[0], steps[1])
		}
	}
}
