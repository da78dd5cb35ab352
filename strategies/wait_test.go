package strategies

import (
	"slices"
	"testing"
	"time"
)

// A canary 20 %, pause {}, 50 %, 2-minute pause: promoted 5 minutes into the
// pause it reaches 50 % at 5m and 100 % at 7m; promoted by nobody it shows
// the 20 % step taken before the wait, and waits.
func TestRolloutUntilWait(t *testing.T) {
	w := func(v float64) *float64 { return &v }
	r := &Rollout{Canary: &RolloutCanary{Steps: []ArgoStep{
		{SetWeight: w(20)}, {Pause: &ArgoPause{Indefinite: true}}, {SetWeight: w(50)}, {Pause: &ArgoPause{Duration: 2 * time.Minute}},
	}}}
	p, waits := r.UntilWait(5 * time.Minute)
	if want := []Step{{0, 20}, {5 * time.Minute, 50}, {7 * time.Minute, 100}}; waits || !slices.Equal(p.Steps, want) || p.End != 7*time.Minute {
		t.Errorf("promoted: %+v waits %v, want %v ending 7m", p, waits, want)
	}
	p, waits = r.UntilWait(-1)
	if want := []Step{{0, 20}}; !waits || !slices.Equal(p.Steps, want) || p.End != -1 {
		t.Errorf("nobody promotes: %+v waits %v, want %v ending -1", p, waits, want)
	}
}
