package deploy

import (
	"fmt"
	"time"
)

// The alias updates the controller's actions come to, in the words every
// timeline uses: the simulator's records (sim.Entry) and the alias
// executor's log print the same sentence for the same update, which is
// what the twin test (awsexec/twin_test.go) compares.

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
