package strategies

import "time"

// farWait stands for a wait no horizon reaches (13 days): a schedule with
// it promoted still sums without overflow.
const farWait = time.Duration(1 << 50)

// UntilWait is r's schedule as Schedule gives it, a user promoting each
// indefinite pause promoteAfter after it begins (< 0: never); when the
// rollout would then wait for a user nobody plays, it is the steps taken
// before the wait, End -1 and waits true (what `shiftsim strategies` shows).
func (r *Rollout) UntilWait(promoteAfter time.Duration) (p Plan, waits bool) {
	if p, ok := r.Schedule(promoteAfter); ok {
		return p, false
	}
	full, _ := r.Schedule(farWait)
	var cut []Step
	for _, st := range full.Steps {
		if st.At < farWait {
			cut = append(cut, st)
		}
	}
	return Plan{Steps: cut, End: -1}, true
}
