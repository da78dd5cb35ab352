package replay

import "time"

// Actual is what happened in the recorded window, computed from the
// recording alone: the counts are its sums, exactly; the times come from
// CodeDeploy's record of the deployment (Source "codedeploy") or, without
// one, from when each version got invocations (Source "invocations", to
// the period).
type Actual struct {
	Source          string
	Config          string // the deployment configuration, where recorded
	Status          string // Succeeded, Stopped, Failed; "" when unknown
	ErrorCode       string // CodeDeploy's, e.g. ALARM_ACTIVE; "" when none or unknown
	RolledBack      bool
	DeploymentStart time.Duration
	FullShift       *time.Duration // when the target took all the traffic
	End             *time.Duration
	Detected        *time.Duration // when an alarm stopped it (ALARM_ACTIVE)

	Requests, TargetRequests             int64
	FailedRequests, TargetFailedRequests int64
}

// Actual computes what happened.
func (r *Recording) Actual() Actual {
	a := Actual{Source: "invocations"}
	a.DeploymentStart, _ = r.DeployStart()
	for k := range r.Traffic {
		a.Requests += int64(r.Traffic[k])
		a.TargetRequests += int64(r.Versions[1].Invocations[k])
		a.TargetFailedRequests += int64(r.Versions[1].Errors[k])
		a.FailedRequests += int64(r.Versions[0].Errors[k] + r.Versions[1].Errors[k])
	}
	at := func(d time.Duration) *time.Duration { return &d }
	for _, w := range r.Weights {
		if w.Target == 1 && w.At >= 0 {
			a.FullShift = at(w.At)
			break
		}
	}
	if d := r.Deployment; d != nil {
		a.Source, a.Config, a.Status, a.RolledBack, a.ErrorCode = "codedeploy", d.Config, d.Status, d.RolledBack, d.ErrorCode
		a.End = d.Complete
		if d.ErrorCode == "ALARM_ACTIVE" {
			a.Detected = d.Complete
		}
		if a.FullShift == nil && d.Status == "Succeeded" {
			a.FullShift = r.fullShiftSeen()
		}
		return a
	}
	// From the invocations: the target's last period with invocations
	// followed by periods where only the current version ran is a
	// rollback; a target alone to the end of the window, a full shift.
	a.FullShift = r.fullShiftSeen()
	last := -1
	for k, x := range r.Versions[1].Invocations {
		if x > 0 {
			last = k
		}
	}
	switch {
	case a.FullShift != nil:
		a.Status, a.End = "Succeeded", a.FullShift
	case last >= 0 && last < r.Periods-1 && r.ranAfter(0, last):
		a.Status, a.RolledBack, a.End = "Stopped", true, at(time.Duration(last+1)*r.Period)
	}
	return a
}

// fullShiftSeen is the start of the period from which on the target served
// every invocation of the alias to the window's end, if there is one.
func (r *Recording) fullShiftSeen() *time.Duration {
	k := r.Periods
	for k > 0 && r.Versions[1].Invocations[k-1] > 0 && r.Versions[0].Invocations[k-1] == 0 {
		k--
	}
	if k == r.Periods {
		return nil
	}
	d := time.Duration(k) * r.Period
	return &d
}

// ranAfter reports whether version v had invocations after period k.
func (r *Recording) ranAfter(v, k int) bool {
	for _, x := range r.Versions[v].Invocations[k+1:] {
		if x > 0 {
			return true
		}
	}
	return false
}
