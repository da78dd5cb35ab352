package report

import (
	"fmt"
	"strings"
)

// Column is one column of a people's table and what it means; --help
// prints these, so every column a table shows is defined somewhere a user
// looks.
type Column struct{ Name, Meaning string }

// SingleColumns defines the table of one run per strategy (compare).
var SingleColumns = []Column{
	{"strategy", "the deployment configuration, as the scenario names it"},
	{"status", "CodeDeploy's final status (an AppConfig plan's AppConfig state beside it, e.g. Stopped (AppConfig: ROLLED_BACK)): Succeeded; Stopped (an alarm went to ALARM, or a gate stopped a gated plan); Failed (a hook failed or timed out); Paused (an Argo rollout still waiting for a user at the horizon: not finished)"},
	{"rollback cause", "alarm:NAME, hook:NAME, gate:NAME or manual that made the deployment roll back; \"none: CAUSE stopped it\" when it stopped without rolling back (auto-rollback off, ECS rollback: false; JSON stop_cause); - if nothing stopped it"},
	{"full shift", "when the new version first had 100 % of the traffic, from the deployment start; - if never"},
	{"detected", "when an alarm first went to ALARM or a hook first failed, from the deployment start; - if never"},
	{"ended", "when the deployment succeeded, or its rollback finished, from the deployment start"},
	{"target reqs", "requests the new version served in the whole simulated window"},
	{"target failed", "those of them that failed"},
	{"all failed", "failed requests of both versions in the whole window"},
	{"failed %", "all failed as a share of all requests"},
}

// RunsColumns defines the table of many runs per strategy (compare --runs).
var RunsColumns = []Column{
	{"strategy", "the deployment configuration, as the scenario names it"},
	{"P(rollback) [95% CI]", "share of the runs in which CodeDeploy rolled back, with its 95 % Wilson interval"},
	{"P(false rollback) [95% CI]", "share of the runs of the healthy twin (the new version behaving exactly like the current one, same seeds) that rolled back"},
	{"P(reached 100% undetected)", "share of the runs in which the faulty new version had all the traffic before any alarm or hook noticed it (only when the new version is faulty)"},
	{"detected after p50 [p5, p95]", "time from the deployment start to the first alarm or hook failure: median, 5th and 95th percentiles over the runs that detected; (x % never): the runs that did not"},
	{"target failed mean [95% CI]", "failed requests of the new version per run: mean and its 95 % Student's t interval"},
	{"p50", "median of the same"},
	{"p95", "95th percentile of the same"},
	{"caused mean", "the new version's failures beyond what the current version's own failure rate would have produced, mean per run"},
	{"all failed mean", "failed requests of both versions per run, mean"},
	{"planned", "how long the deployment takes when nothing stops it"},
	{"frontier", "yes: no other strategy is both faster (planned) and safer (target failed mean)"},
}

// DefineColumns renders columns for --help: the name, then its meaning
// wrapped under it.
func DefineColumns(title string, cols []Column) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", title)
	for _, c := range cols {
		fmt.Fprintf(&b, "  %s\n", c.Name)
		for _, l := range wrapWords(c.Meaning, 92) {
			fmt.Fprintf(&b, "      %s\n", l)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// SweptColumns defines sweep's table (after one column per --vary path,
// holding the value tried).
var SweptColumns = []Column{
	{"PATH", "one column per --vary path: the value of this row"},
	{"strategy", "the deployment configuration, as the scenario names it"},
	{"P(rollback) [95% CI]", "share of the runs in which CodeDeploy rolled back, with its 95 % Wilson interval"},
	{"P(reached 100% undetected)", "share of the runs in which the faulty new version had all the traffic before any alarm or hook noticed it"},
	{"P(false rollback)", "share of the runs of the healthy twin (the new version behaving like the current one) that rolled back"},
	{"detected after p50", "median time from the deployment start to the first alarm or hook failure; (x % never): the runs that did not detect"},
	{"target failed mean", "failed requests of the new version per run, mean"},
	{"p95", "95th percentile of the same"},
	{"all failed mean", "failed requests of both versions per run, mean"},
}

// columnsOf is the definitions of the columns head shows, in its order.
func columnsOf(head []string, defs []Column) []Column {
	var out []Column
	for _, h := range head {
		for _, d := range defs {
			if d.Name == h {
				out = append(out, d)
			}
		}
	}
	return out
}
