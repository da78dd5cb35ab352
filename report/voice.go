package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/shiftsim/shiftsim/strategies"
)

// voice is how the system that runs a plan speaks of its moments, so that
// --explain tells an Argo Rollouts plan in Argo's words (setWeight, abort,
// promote), a Flagger plan in Flagger's (canary weight, promotion), an ECS
// plan in ECS's (LINEAR/CANARY shifts and bakes, blue and green revisions)
// and an AppConfig strategy in AppConfig's (its events and states) rather
// than calling every plan CodeDeploy's (docs/plans.md, "Each family's
// words"). The alias's own operations stay in the timeline's canonical text.
type voice struct {
	family string            // strategies.Config.Family; "" means CodeDeploy
	plan   strategies.Config // the parameters some sentences quote (ECS's bakes)
}

func voiceOf(r Result) voice {
	f := r.Family
	if f == "" {
		f = "CodeDeploy"
	}
	return voice{family: f, plan: r.Plan}
}

// configuration names the plan as its family calls it.
func (v voice) configuration(name string) string {
	switch v.family {
	case "AppConfig":
		return "AppConfig deployment strategy " + name
	case "ECS":
		return "ECS deploymentConfiguration " + name
	case "Argo Rollouts":
		return "Argo Rollouts strategy " + name
	case "Flagger":
		return "Flagger canary analysis " + name
	}
	return "deployment configuration " + name
}

// polls names whoever reads the alarms' states on an interval.
func (v voice) polls() string {
	switch v.family {
	case "Argo Rollouts", "Flagger":
		// Neither reads CloudWatch alarms itself: shiftsim's alias
		// executor watches them for the plan (docs/plans.md).
		return "the alarm polls"
	}
	return v.family + "'s alarm polls"
}

func (v voice) argoBlueGreen() bool { return v.plan.Type == strategies.ArgoBlueGreen }

func (v voice) start(name, alias, from, to string) string {
	switch v.family {
	case "Argo Rollouts":
		return fmt.Sprintf("Argo Rollouts starts the rollout (%s): %s moves from the stable version %s to version %s.", name, alias, from, to)
	case "Flagger":
		return fmt.Sprintf("Flagger starts the canary analysis (%s): %s moves from the primary, version %s, to the canary, version %s.", name, alias, from, to)
	case "ECS":
		return fmt.Sprintf("ECS starts the %s deployment (%s): %s moves from the blue revision, version %s, to the green revision, version %s.",
			v.plan.Type, name, alias, from, to)
	case "AppConfig":
		return fmt.Sprintf("AppConfig starts the deployment (%s): %s moves from version %s to %s.", name, alias, from, to)
	}
	return fmt.Sprintf("CodeDeploy starts the deployment (%s): %s moves from version %s to %s.", name, alias, from, to)
}

// ecsBake is what follows an ECS shift below 100 %.
func (v voice) ecsBake() string {
	switch v.plan.Type {
	case strategies.ECSLinear:
		return fmt.Sprintf(" (a LINEAR step; its step bake, stepBakeTimeInMinutes, is %d min)", v.plan.ECS.StepBake)
	case strategies.ECSCanary:
		return fmt.Sprintf(" (the CANARY; canaryBakeTimeInMinutes is %d min)", v.plan.ECS.StepBake)
	}
	return ""
}

// first is the first step below 100 %.
func (v voice) first(pct, target, current, keeps, alarms string) string {
	switch v.family {
	case "Argo Rollouts":
		return fmt.Sprintf("A setWeight step sends %s %% of the requests to the canary, %s; the stable %s keeps %s %% — %s.", pct, target, current, keeps, alarms)
	case "Flagger":
		return fmt.Sprintf("Flagger advances the canary weight to %s %%: the canary, %s, gets %s %% of the requests and the primary, %s, keeps %s %% — %s.",
			pct, target, pct, current, keeps, alarms)
	case "ECS":
		return fmt.Sprintf("ECS shifts %s %% of production traffic to the green %s%s; the blue %s keeps %s %% — %s.", pct, target, v.ecsBake(), current, keeps, alarms)
	case "AppConfig":
		return fmt.Sprintf("AppConfig deploys %s to %s %% of the requests; %s keeps %s %% — %s.", target, pct, current, keeps, alarms)
	}
	return fmt.Sprintf("CodeDeploy sends %s %% of the requests to %s; %s keeps %s %% — %s.", pct, target, current, keeps, alarms)
}

// raise is a later step below 100 %.
func (v voice) raise(target, from, to, alarms string) string {
	switch v.family {
	case "Argo Rollouts":
		return fmt.Sprintf("A setWeight step raises the canary's share from %s %% to %s %% — %s.", from, to, alarms)
	case "Flagger":
		return fmt.Sprintf("Flagger advances the canary weight from %s %% to %s %% — %s.", from, to, alarms)
	case "ECS":
		return fmt.Sprintf("ECS shifts the green %s from %s %% to %s %% of production traffic%s — %s.", target, from, to, v.ecsBake(), alarms)
	case "AppConfig":
		return fmt.Sprintf("AppConfig grows the deployment from %s %% to %s %% of the requests — %s.", from, to, alarms)
	}
	return fmt.Sprintf("CodeDeploy raises %s's share from %s %% to %s %% — %s.", target, from, to, alarms)
}

// full is the step to 100 %.
func (v voice) full(target, alarms string) string {
	switch v.family {
	case "Argo Rollouts":
		if v.argoBlueGreen() {
			return fmt.Sprintf("Argo Rollouts promotes %s: the active Service switches to it, and it takes 100 %% of the traffic — %s.", target, alarms)
		}
		return fmt.Sprintf("The canary steps are done: Argo Rollouts promotes %s to stable, with 100 %% of the traffic — %s.", target, alarms)
	case "Flagger":
		return fmt.Sprintf("Flagger promotes the canary: it copies %s to the primary, and %s serves 100 %% of the traffic — %s.", target, target, alarms)
	case "ECS":
		line := fmt.Sprintf("ECS shifts all production traffic to the green %s — %s.", target, alarms)
		if v.plan.ECS.Bake > 0 {
			line += fmt.Sprintf(" Its bake (bakeTimeInMinutes) watches the alarms for %d min more; an alarm still rolls back.", v.plan.ECS.Bake)
		}
		return line
	case "AppConfig":
		line := fmt.Sprintf("AppConfig deploys %s to 100 %% of the requests — %s.", target, alarms)
		if b := v.plan.AppConfig.FinalBakeTimeInMinutes; b > 0 {
			line += fmt.Sprintf(" Its final bake (FinalBakeTimeInMinutes) watches the alarms for %d min more; an alarm still rolls back.", b)
		}
		return line
	}
	return fmt.Sprintf("CodeDeploy moves 100 %% of the traffic to %s — %s.", target, alarms)
}

func (v voice) rollback(current string) string {
	switch v.family {
	case "Argo Rollouts":
		return fmt.Sprintf("Argo Rollouts aborts the rollout: the alias sends every request to the stable %s again.", current)
	case "Flagger":
		return fmt.Sprintf("Flagger rolls the canary back: the alias sends every request to the primary, %s, again.", current)
	case "ECS":
		return fmt.Sprintf("ECS rolls back: the deployment fails and production traffic returns to the blue revision, %s.", current)
	case "AppConfig":
		return fmt.Sprintf("AppConfig rolls back: the alias sends every request to %s again.", current)
	}
	return fmt.Sprintf("CodeDeploy rolls back: the alias sends every request to %s again.", current)
}

func (v voice) succeeded(target string) string {
	switch v.family {
	case "Argo Rollouts":
		return fmt.Sprintf("The rollout is complete (Argo's phase Healthy): %s is the stable version and serves all the traffic.", target)
	case "Flagger":
		return fmt.Sprintf("The canary analysis succeeds (Flagger's phase Succeeded): %s serves all the traffic.", target)
	case "ECS":
		return fmt.Sprintf("The deployment succeeds after its bake (ECS's SUCCESSFUL): %s serves all the traffic.", target)
	case "AppConfig":
		return fmt.Sprintf("The deployment completes: %s serves all the traffic, and alarms no longer roll it back.", target)
	}
	return fmt.Sprintf("The deployment succeeds: %s now serves all the traffic, and alarms no longer stop it.", target)
}

// ended is the end of a deployment that did not succeed.
func (v voice) ended(status, cause string, rolledBack bool) string {
	switch v.family {
	case "Argo Rollouts":
		return fmt.Sprintf("The rollout ends aborted (Argo's phase Degraded; status %s, %s).", status, cause)
	case "Flagger":
		return fmt.Sprintf("The canary analysis fails (Flagger's phase Failed; status %s, %s).", status, cause)
	case "ECS":
		if !rolledBack { // deployment.auto_rollback: false
			return fmt.Sprintf("The deployment ends stopped, traffic left where it was (ECS's STOPPED; status %s, %s).", status, cause)
		}
		return fmt.Sprintf("The deployment ends rolled back (ECS's ROLLBACK_SUCCESSFUL; status %s, %s).", status, cause)
	}
	return fmt.Sprintf("The deployment ends with status %s (%s).", status, cause)
}

// alarmStops says what an alarm in ALARM does to the deployment.
func (v voice) alarmStops() string {
	switch v.family {
	case "Argo Rollouts":
		return " The alias executor aborts the rollout when it next reads the alarm's state."
	case "Flagger":
		return " The alias executor rolls the canary back when it next reads the alarm's state."
	case "ECS":
		return " ECS fails the deployment and rolls back when it next reads the alarm's state."
	case "AppConfig":
		return " AppConfig rolls back a deployment whose alarm is in ALARM when it next reads the alarm's state."
	}
	return " CodeDeploy stops a deployment whose alarm is in ALARM when it next reads the alarm's state."
}

func (v voice) alarmTooLate() string {
	switch v.family {
	case "CodeDeploy":
		return " The deployment is already over: CodeDeploy no longer watches the alarm."
	case "Argo Rollouts", "Flagger":
		return " The rollout is already over: nobody watches the alarm for it any more."
	}
	return " The deployment is already over: " + v.family + " no longer watches the alarm."
}

// argoThen is what an Argo canary does after the k-th setWeight step (0 for
// the first) that set weight w: the pause and analysis steps up to the next
// setWeight, or the full promotion after the last step. It says nothing for
// other plans, or where the k-th setWeight step is not w (the records and
// the plan do not line up, e.g. a repeated weight).
func (v voice) argoThen(k int, w float64) string {
	ro := v.plan.Rollout
	if v.family != "Argo Rollouts" || ro == nil || ro.Canary == nil {
		return ""
	}
	steps := ro.Canary.Steps
	i, seen := 0, -1
	for ; i < len(steps); i++ {
		if steps[i].SetWeight != nil {
			if seen++; seen == k {
				break
			}
		}
	}
	if i == len(steps) || math.Abs(*steps[i].SetWeight-w*100) > 1e-9 {
		return ""
	}
	var then []string
	for _, st := range steps[i+1:] {
		switch {
		case st.SetWeight != nil:
			if len(then) == 0 {
				return ""
			}
			return " Then it " + strings.Join(then, ", then ") + "."
		case st.Pause != nil && st.Pause.Indefinite:
			then = append(then, "pauses until a user promotes it (pause: {})")
		case st.Pause != nil:
			then = append(then, "pauses "+shortDur(st.Pause.Duration.Seconds())+" (a pause step)")
		case st.Analysis != nil:
			then = append(then, "runs an analysis step ("+strings.Join(st.Analysis.Templates, ", ")+") and waits for its result")
		}
	}
	then = append(then, "promotes the canary to 100 % once the steps are done")
	return " Then it " + strings.Join(then, ", then ") + "."
}
