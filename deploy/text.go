package deploy

import (
	"fmt"
	"time"
)

// The timeline's sentences, in the words every timeline uses: the
// simulator's records (sim.Entry.Text) and the AWS executors' log
// (awsexec.Entry) print the same sentence for the same step — the
// deployment's start and end, each alias update, hook and alarm change —
// which is what the twin test (awsexec/twin_test.go) compares. What only one
// side knows (how long a simulated hook runs, which function the executor
// invokes) follows the sentence.

// WeightText is the UpdateAlias call that gives target percent of alias's
// traffic: at 100 % the alias moves to target with no additional version,
// followed by bake, the note of the bake after it (strategies.Config.BakeNote).
func WeightText(alias, target string, percent float64, bake string) string {
	if percent == 100 {
		return fmt.Sprintf("UpdateAlias %s: FunctionVersion %s, no additional version (100%% to %s)%s", alias, target, target, bake)
	}
	return fmt.Sprintf("UpdateAlias %s: version %s weight %s%%", alias, target, FormatPercent(percent))
}

// RollbackText is the UpdateAlias call that rolls alias back: all of its
// traffic to current, no additional version.
func RollbackText(alias, current string) string {
	return fmt.Sprintf("rollback: UpdateAlias %s: FunctionVersion %s, no additional version", alias, current)
}

// StartText is the deployment's first record: strategy moves alias from
// version current to target.
func StartText(strategy, alias, current, target string) string {
	return fmt.Sprintf("deployment %s starts: %s moves from version %s to %s", strategy, alias, current, target)
}

// EndText is the deployment's last record: its status, then CodeDeploy's
// ErrorCode and the cause ("alarm:<AlarmName>", "hook:<Hook>", "manual"),
// each when set.
func EndText(strategy string, status Status, errorCode, cause string) string {
	out := "deployment " + strategy + ": " + string(status)
	for _, x := range [...]string{errorCode, cause} {
		if x != "" {
			out += " " + x
		}
	}
	return out
}

// UserStopText is a user's StopDeployment, with or without rollback.
func UserStopText(rollback bool) string {
	return fmt.Sprintf("a user stops the deployment (StopDeployment, AutoRollbackEnabled=%v)", rollback)
}

// HookInvokeText is a lifecycle hook's invocation; each timeline adds what
// it knows after it (the simulator how long the hook runs, the executor
// which function it invokes).
func HookInvokeText(hook Hook) string { return "invoke " + string(hook) + " hook" }

// HookReportText is a hook's report: verdict is Succeeded or Failed.
func HookReportText(hook Hook, verdict string) string {
	return string(hook) + " hook reports " + verdict
}

// AlarmText is an alarm's change of state, with CloudWatch's reason.
func AlarmText(name, from, to, reason string) string {
	return fmt.Sprintf("alarm %s: %s -> %s (%s)", name, from, to, reason)
}

// Clock formats a time of a timeline as 1h02m03.5s with fixed fields
// (5m00s, 1h02m03s, 0m01.250s): the simulator's timeline and the alias
// executor's dry run write times the same way.
func Clock(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := d % time.Minute
	sec := fmt.Sprintf("%02d", s/time.Second)
	if frac := s % time.Second; frac != 0 {
		sec = fmt.Sprintf("%06.3f", s.Seconds())
	}
	if h > 0 {
		return fmt.Sprintf("%s%dh%02dm%ss", neg, h, m, sec)
	}
	return fmt.Sprintf("%s%dm%ss", neg, m, sec)
}
