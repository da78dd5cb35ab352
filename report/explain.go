package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/sim"
)

// Explain narrates one run's timeline in plain words, for someone learning
// how CodeDeploy shifts traffic: what CodeDeploy did at each step, what the
// alarms knew then, and what the last span of traffic cost. Every number
// comes from the timeline and the phases.
func Explain(w io.Writer, scenario string, seed uint64, r Result) error {
	fmt.Fprintf(w, "Scenario %s (seed %d), %s.\n", scenario, seed, voiceOf(r).configuration(r.Strategy))
	fmt.Fprintf(w, "%s\n", PhaseSentence(r))
	fmt.Fprintf(w, "Times count from the deployment start (t+0), %s into the simulated window.\n\n", dur(r.DeploymentStart))
	lines, summary := Narrate(r)
	for _, l := range lines {
		fmt.Fprintf(w, "%-11s %s\n", Since(l.At, r.DeploymentStart), l.Text)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", summary)
	return err
}

// PhaseSentence says which poll phase a run used and what it means.
func PhaseSentence(r Result) string {
	how := "fixed by monitoring.poll_phase"
	if r.PollPhaseRandom {
		how = "drawn from the seed: monitoring.poll_phase is random"
	}
	p := time.Duration(r.PollPhase * float64(time.Second)).String()
	return fmt.Sprintf("Poll phase %s (%s): CloudWatch's one-minute periods and alarm evaluations fall %s past each minute of the clock, and %s (if on an interval) %s into each interval after the deployment starts.",
		p, how, p, voiceOf(r).polls(), p)
}

// Line is one narrated timeline entry.
type Line struct {
	At     float64 // seconds of virtual time
	Weight float64 // the target's share of traffic after it
	Kind   string  // the timeline entry's kind
	Text   string
}

// Narrate turns r's timeline into plain sentences, and a closing summary.
func Narrate(r Result) ([]Line, string) {
	n := narrator{r: r, v: voiceOf(r), states: map[string]alarmSeen{}, told: map[int]bool{}}
	var out []Line
	for _, e := range r.Timeline {
		if text := n.say(e); text != "" {
			out = append(out, Line{At: e.At, Weight: e.Weight, Kind: e.Kind, Text: text})
		}
	}
	return out, n.summary()
}

type alarmSeen struct {
	state string
	since float64
}

type narrator struct {
	r      Result
	v      voice
	states map[string]alarmSeen
	order  []string // alarm names in order of first appearance
	weight float64
	shifts int          // weight records so far
	told   map[int]bool // phases already described
	over   bool         // the deployment has ended
}

func (n *narrator) target() string { return "version " + targetVersion(n.r) }

func (n *narrator) current() string {
	if len(n.r.Versions) > 0 {
		return "version " + n.r.Versions[0].Version
	}
	return "version 1"
}

// alarms describes every alarm's state as CodeDeploy could know it.
func (n *narrator) alarms() string {
	if len(n.order) == 0 {
		return "no alarm has reported yet"
	}
	var parts []string
	for _, name := range n.order {
		s := n.states[name]
		parts = append(parts, fmt.Sprintf("alarm %s has been %s since %s", name, s.state, Since(s.since, n.r.DeploymentStart)))
	}
	return strings.Join(parts, "; ")
}

// lastSpan describes the phase that ended at t, if the target had traffic in it.
func (n *narrator) lastSpan(t float64) string {
	for i, p := range n.r.Phases {
		if p.To == t && p.TargetWeight > 0 && !n.told[i] {
			n.told[i] = true
			return fmt.Sprintf(" In the %s at %s %%, %s served %s requests and %s of them failed (%s).",
				dur(p.To-p.From), pctNum(p.TargetWeight), n.target(), thousands(p.TargetRequests),
				thousands(p.TargetFailed), pct(p.TargetFailed, p.TargetRequests))
		}
	}
	return ""
}

func pctNum(w float64) string { return strconv.FormatFloat(100*w, 'f', -1, 64) }

// thousands writes 150674 as 150,674.
func thousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// say narrates one record. It reads the engine's record (Entry.Record),
// never the text; an entry without one is told as its text.
func (n *narrator) say(e Entry) string {
	rec := e.Record
	switch rec.Kind {
	case sim.KindAlarm:
		if _, ok := n.states[rec.Subject]; !ok {
			n.order = append(n.order, rec.Subject)
		}
		n.states[rec.Subject] = alarmSeen{state: rec.To, since: e.At}
		line := fmt.Sprintf("CloudWatch moves alarm %s from %s to %s", rec.Subject, rec.From, rec.To)
		if rec.Reason != "" {
			line += ": " + rec.Reason
		}
		line += "."
		switch {
		case rec.To == "ALARM" && n.over:
			line += n.v.alarmTooLate()
		case rec.To == "ALARM":
			line += n.v.alarmStops()
		}
		return line
	case sim.KindWeight:
		prev := n.weight
		n.weight = e.Weight
		var line string
		switch {
		case e.Weight >= 1:
			line = n.v.full(n.target(), n.alarms())
		case prev == 0:
			line = n.v.first(pctNum(e.Weight), n.target(), n.current(), pctNum(1-e.Weight), n.alarms()) + n.v.argoThen(n.shifts, e.Weight)
		default:
			line = n.v.raise(n.target(), pctNum(prev), pctNum(e.Weight), n.alarms()) + n.v.argoThen(n.shifts, e.Weight)
		}
		n.shifts++
		return line + appConfigWords(e) + n.lastSpan(e.At)
	case sim.KindRollback:
		n.weight = 0
		return n.v.rollback(n.current()) + appConfigWords(e) + n.lastSpan(e.At)
	case sim.KindDeployment:
		if rec.Subject != string(deploy.InProgress) {
			n.over = true
		}
		switch {
		case rec.Subject == string(deploy.InProgress):
			return n.v.start(n.r.Config, rec.Alias, rec.Versions[sim.Current], rec.Versions[sim.Target]) + appConfigWords(e)
		case rec.Subject == string(deploy.Succeeded):
			return n.v.succeeded(n.target()) + appConfigWords(e)
		default:
			cause := "no cause given"
			if n.r.RollbackCause != nil {
				cause = *n.r.RollbackCause
			}
			return n.v.ended(rec.Subject, cause, n.r.RolledBack) + appConfigWords(e)
		}
	case sim.KindHook:
		if rec.Invoked {
			health := "healthy"
			if rec.Faulty {
				health = "faulty"
			}
			return fmt.Sprintf("CodeDeploy invokes the %s hook, the user's own test function (runs %v; target is %s).", rec.Subject, rec.Runs, health)
		}
		if rec.Verdict == string(deploy.LifecycleFailed) {
			return fmt.Sprintf("The %s hook reports Failed: its tests caught the bad version, and CodeDeploy will not go on.", rec.Subject)
		}
		return fmt.Sprintf("The %s hook reports Succeeded: its tests found nothing wrong.", rec.Subject)
	case sim.KindFault:
		return fmt.Sprintf("The fault changes: version %s error rate %g, version %s error rate %g.",
			rec.Versions[sim.Current], rec.ErrorRates[sim.Current], rec.Versions[sim.Target], rec.ErrorRates[sim.Target])
	case sim.KindGate:
		switch rec.GateStep {
		case sim.GateMeasure:
			return "The analysis measures " + rec.Note + " (measurement, then metric phase)."
		case sim.GatePause:
			return "The rollout pauses " + rec.Note + "; the canary keeps its share meanwhile."
		}
		text := rec.Text()
		return strings.ToUpper(text[:1]) + text[1:] + "."
	}
	return e.Text
}

// appConfigWords is AppConfig's event and state for e (an AppConfig
// strategy's run: SetAppConfigStates), or "".
func appConfigWords(e Entry) string {
	if e.AppConfigEvent == "" {
		return ""
	}
	return fmt.Sprintf(" AppConfig logs %s; the deployment is %s.", e.AppConfigEvent, e.AppConfigState)
}

func (n *narrator) summary() string {
	r := n.r
	var b strings.Builder
	fmt.Fprintf(&b, "In all, %s requests; %s went to %s and %s of those failed. Across both versions %s failed (%s).",
		thousands(r.Requests), thousands(r.TargetRequests), n.target(), thousands(r.TargetFailedRequests),
		thousands(r.FailedRequests), pct(r.FailedRequests, r.Requests))
	switch {
	case r.RolledBack && r.Detected != nil && r.End != nil:
		fmt.Fprintf(&b, "\nThe problem was detected at %s and the deployment ended at %s.", Since(*r.Detected, r.DeploymentStart), Since(*r.End, r.DeploymentStart))
	case r.FullShift != nil && r.Detected != nil && *r.Detected > *r.FullShift:
		fmt.Fprintf(&b, "\nVersion %s had all the traffic from %s; the alarm only fired at %s, after the deployment was over: too late to roll back.",
			targetVersion(r), Since(*r.FullShift, r.DeploymentStart), Since(*r.Detected, r.DeploymentStart))
	case r.Detected == nil && r.Status == "Succeeded":
		b.WriteString("\nNothing detected a problem.")
	}
	return b.String()
}
