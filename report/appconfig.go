package report

// AppConfig's own words for a deployment's progress (docs/plans.md, "Status
// words"): the DeploymentState values of its Deployment object and the
// EventType values of its DeploymentEvent log. AppConfig users see these,
// not CodeDeploy's statuses, so `run` shows them beside CodeDeploy's for an
// AppConfig strategy.
const (
	AppConfigDeploying   = "DEPLOYING"
	AppConfigBaking      = "BAKING"
	AppConfigComplete    = "COMPLETE"
	AppConfigRollingBack = "ROLLING_BACK"
	AppConfigRolledBack  = "ROLLED_BACK"

	eventDeploymentStarted   = "DEPLOYMENT_STARTED"
	eventPercentageUpdated   = "PERCENTAGE_UPDATED"
	eventBakeTimeStarted     = "BAKE_TIME_STARTED"
	eventRollbackStarted     = "ROLLBACK_STARTED"
	eventRollbackCompleted   = "ROLLBACK_COMPLETED"
	eventDeploymentCompleted = "DEPLOYMENT_COMPLETED"
)

// SetAppConfigStates gives r, the run of an AppConfig strategy, AppConfig's
// words: each timeline entry that changes the deployment gets the
// DeploymentEvent AppConfig would log and the state it leaves the
// deployment in, and r its final state (absent when the deployment never
// started within the horizon). CodeDeploy's status stays in Status.
//
//   - the start: DEPLOYMENT_STARTED, DEPLOYING;
//   - a step below 100 %: PERCENTAGE_UPDATED, DEPLOYING;
//   - the step to 100 %: PERCENTAGE_UPDATED, then BAKING when a final bake
//     follows (BAKE_TIME_STARTED), DEPLOYING when the deployment completes
//     at once;
//   - a rollback: ROLLBACK_STARTED, ROLLING_BACK;
//   - the end: DEPLOYMENT_COMPLETED, COMPLETE after success; ROLLBACK_COMPLETED,
//     ROLLED_BACK after an alarm or a stop (AppConfig's StopDeployment on a
//     deployment in progress also ends ROLLED_BACK).
func (r *Result) SetAppConfigStates() {
	end := -1.0
	if r.End != nil {
		end = *r.End
	}
	state := ""
	for i := range r.Timeline {
		e := &r.Timeline[i]
		switch e.Kind {
		case "deployment":
			switch e.Subject {
			case "InProgress":
				e.AppConfigEvent, state = eventDeploymentStarted, AppConfigDeploying
			case "Succeeded":
				e.AppConfigEvent, state = eventDeploymentCompleted, AppConfigComplete
			case "Stopped", "Failed":
				e.AppConfigEvent, state = eventRollbackCompleted, AppConfigRolledBack
			default:
				continue
			}
		case "weight":
			if state == "" {
				continue
			}
			e.AppConfigEvent, state = eventPercentageUpdated, AppConfigDeploying
			if e.Weight == 1 && (end < 0 || end > e.At) {
				e.AppConfigEvent, state = eventPercentageUpdated+", "+eventBakeTimeStarted, AppConfigBaking
			}
		case "rollback":
			e.AppConfigEvent, state = eventRollbackStarted, AppConfigRollingBack
		default:
			continue
		}
		e.AppConfigState = state
	}
	if len(r.Timeline) == 0 { // compare's results without a timeline: from the outcome
		state = appConfigFinal(*r)
	}
	if state != "" {
		r.AppConfigState = &state
	}
}

// appConfigFinal is the state an AppConfig deployment is left in, read from
// the run's outcome alone; it agrees with the last state SetAppConfigStates
// reads from the timeline (TestAppConfigFinalAgrees).
func appConfigFinal(r Result) string {
	switch r.Status {
	case "Succeeded":
		return AppConfigComplete
	case "Stopped", "Failed":
		return AppConfigRolledBack
	case "InProgress":
		if r.FullShift != nil {
			return AppConfigBaking
		}
		return AppConfigDeploying
	}
	return "" // never started within the horizon
}

// StatusWords is r's status as the tables print it: CodeDeploy's word,
// with AppConfig's state beside it for an AppConfig plan, e.g. "Stopped
// (AppConfig: ROLLED_BACK)".
func (r Result) StatusWords() string {
	if r.AppConfigState != nil {
		return r.Status + " (AppConfig: " + *r.AppConfigState + ")"
	}
	return r.Status
}
