package report

import (
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/strategies"
)

// An Argo canary's setWeight line says what the plan does next: its pause
// and analysis steps up to the next setWeight, or the full promotion after
// the last step; nothing where the record and the plan's step disagree, or
// for another family.
func TestArgoThen(t *testing.T) {
	w := func(v float64) strategies.ArgoStep { return strategies.ArgoStep{SetWeight: &v} }
	plan := strategies.Config{Rollout: &strategies.Rollout{Canary: &strategies.RolloutCanary{Steps: []strategies.ArgoStep{
		w(10),
		{Pause: &strategies.ArgoPause{Duration: 2 * time.Minute}},
		{Analysis: &strategies.RolloutAnalysis{Templates: []string{"error-rate", "latency"}}},
		w(30),
		w(50),
		{Pause: &strategies.ArgoPause{Indefinite: true}},
	}}}}
	v := voice{family: "Argo Rollouts", plan: plan}
	for _, c := range []struct {
		k    int
		w    float64
		want string
	}{
		{0, 0.1, " Then it pauses 2 min (a pause step), then runs an analysis step (error-rate, latency) and waits for its result."},
		{1, 0.3, ""}, // the next step is a setWeight: nothing in between
		{2, 0.5, " Then it pauses until a user promotes it (pause: {}), then promotes the canary to 100 % once the steps are done."},
		{1, 0.5, ""}, // the second setWeight is 30 %, not 50 %
		{3, 0.5, ""}, // there is no fourth setWeight
	} {
		if got := v.argoThen(c.k, c.w); got != c.want {
			t.Errorf("argoThen(%d, %v) = %q, want %q", c.k, c.w, got, c.want)
		}
	}
	if got := (voice{family: "Flagger", plan: plan}).argoThen(0, 0.1); got != "" {
		t.Errorf("Flagger: %q", got)
	}
}
