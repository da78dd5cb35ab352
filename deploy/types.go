package deploy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Status is a deployment's status in CodeDeploy's words (SDK DeploymentStatus,
// docs/codedeploy.md). The controller uses Created, InProgress and the three terminal ones.
type Status string

// Deployment statuses.
const (
	Created    Status = "Created"
	InProgress Status = "InProgress"
	Succeeded  Status = "Succeeded"
	Failed     Status = "Failed"
	Stopped    Status = "Stopped"
	// Paused is not CodeDeploy's: an Argo Rollouts rollout waiting for a
	// user to promote it (an indefinite pause, an Inconclusive analysis, a
	// blue-green rollout without auto-promotion). A run that ends its
	// horizon Paused has not finished (docs/gates.md).
	Paused Status = "Paused"
)

// Terminal reports whether s is a final status: Succeeded, Failed or Stopped.
func (s Status) Terminal() bool { return s == Succeeded || s == Failed || s == Stopped }

// Active reports whether a deployment in status s is under way: InProgress
// or Paused (alarms are still watched, analyses still measure).
func (s Status) Active() bool { return s == InProgress || s == Paused }

// Hook names a Lambda lifecycle hook (docs/codedeploy.md, "Lifecycle hooks").
type Hook string

// The two Lambda lifecycle hooks, in lifecycle order. SAM calls them
// PreTraffic and PostTraffic.
const (
	BeforeAllowTraffic Hook = "BeforeAllowTraffic"
	AfterAllowTraffic  Hook = "AfterAllowTraffic"
)

// CodeDeploy ErrorCode values (SDK-CD types/enums.go) the controller reports.
const (
	ErrorCodeAlarmActive          = "ALARM_ACTIVE"
	ErrorCodeHookExecutionFailure = "HOOK_EXECUTION_FAILURE"
	ErrorCodeManualStop           = "MANUAL_STOP"
)

// CauseManual is the Finish cause of a manual stop; the other causes are
// "alarm:<AlarmName>", "hook:<Hook>" and "gate:<GateName>".
const CauseManual = "manual"

// CausePause is the Pause cause of an indefinite pause step (pause: {}) and
// of a blue-green rollout waiting for a user's promotion; a pause for an
// Inconclusive analysis names the gate, "gate:<GateName>".
const CausePause = "pause"

// EventKind says what happened. The zero value is no event.
type EventKind uint8

// Event kinds.
const (
	// Start is CreateDeployment: the deployment leaves Created.
	Start EventKind = iota + 1
	// Tick says time has reached now; it carries nothing else.
	Tick
	// AlarmState reports a watched alarm's state (from a DescribeAlarms poll).
	AlarmState
	// HookResult is a hook's PutLifecycleEventHookExecutionStatus callback.
	HookResult
	// Stop is a manual StopDeployment; Event.Rollback is its AutoRollbackEnabled.
	Stop
	// Measurement reports the measurement of gate Event.Gate that a Measure
	// action asked for: Event.Value, or a provider error (Event.Err), or no
	// data in the window (Event.NoData).
	Measurement
	// Promote is a user's promotion of a paused rollout (Argo's
	// `kubectl argo rollouts promote`).
	Promote
)

var eventKindNames = [...]string{Start: "Start", Tick: "Tick", AlarmState: "AlarmState", HookResult: "HookResult", Stop: "Stop",
	Measurement: "Measurement", Promote: "Promote"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one input to Controller.Step. Only the fields of its Kind matter.
type Event struct {
	Kind      EventKind
	Alarm     int     // AlarmState: index into Config.Alarms
	InAlarm   bool    // AlarmState: the alarm is in ALARM (OK and INSUFFICIENT_DATA are not)
	Hook      Hook    // HookResult: which hook reports
	Succeeded bool    // HookResult: Succeeded (true) or Failed (false)
	Rollback  bool    // Stop: roll back (StopDeployment's AutoRollbackEnabled)
	Gate      int     // Measurement: index into Config.Gates
	Value     float64 // Measurement: the value measured
	Err       bool    // Measurement: the provider failed (Argo's Error phase)
	NoData    bool    // Measurement: the window holds no datapoint
}

// String returns the canonical text form, one of:
//
//	Start
//	Tick
//	AlarmState <index> ALARM|OK
//	HookResult <Hook> Succeeded|Failed
//	Stop
//	Stop rollback
//	Measurement <gate> <value>|error|nodata
//	Promote
//
// ParseEvent reads it back.
func (e Event) String() string {
	switch e.Kind {
	case Measurement:
		v := strconv.FormatFloat(e.Value, 'g', -1, 64)
		switch {
		case e.Err:
			v = "error"
		case e.NoData:
			v = "nodata"
		}
		return "Measurement " + strconv.Itoa(e.Gate) + " " + v
	case AlarmState:
		state := "OK"
		if e.InAlarm {
			state = "ALARM"
		}
		return "AlarmState " + strconv.Itoa(e.Alarm) + " " + state
	case HookResult:
		result := "Failed"
		if e.Succeeded {
			result = "Succeeded"
		}
		return "HookResult " + string(e.Hook) + " " + result
	case Stop:
		if e.Rollback {
			return "Stop rollback"
		}
	}
	return e.Kind.String()
}

// ParseEvent reads an event's canonical text form (see Event.String).
func ParseEvent(s string) (Event, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return Event{}, fmt.Errorf("event %q: empty", s)
	}
	bad := func(want string) (Event, error) {
		return Event{}, fmt.Errorf("event %q: want %q", s, want)
	}
	switch f[0] {
	case "Start", "Tick", "Promote":
		if len(f) != 1 {
			return bad(f[0])
		}
		switch f[0] {
		case "Start":
			return Event{Kind: Start}, nil
		case "Promote":
			return Event{Kind: Promote}, nil
		}
		return Event{Kind: Tick}, nil
	case "Measurement":
		if len(f) != 3 {
			return bad("Measurement <gate> <value>|error|nodata")
		}
		g, err := strconv.Atoi(f[1])
		if err != nil || strconv.Itoa(g) != f[1] {
			return bad("Measurement <gate> <value>|error|nodata")
		}
		ev := Event{Kind: Measurement, Gate: g}
		switch f[2] {
		case "error":
			ev.Err = true
		case "nodata":
			ev.NoData = true
		default:
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil || math.IsNaN(v) || strconv.FormatFloat(v, 'g', -1, 64) != f[2] {
				return bad("Measurement <gate> <value>|error|nodata")
			}
			ev.Value = v
		}
		return ev, nil
	case "AlarmState":
		if len(f) != 3 || (f[2] != "ALARM" && f[2] != "OK") {
			return bad("AlarmState <index> ALARM|OK")
		}
		i, err := strconv.Atoi(f[1])
		if err != nil || strconv.Itoa(i) != f[1] { // any index parses; Step ignores one out of range
			return bad("AlarmState <index> ALARM|OK")
		}
		return Event{Kind: AlarmState, Alarm: i, InAlarm: f[2] == "ALARM"}, nil
	case "HookResult":
		if len(f) != 3 || (f[2] != "Succeeded" && f[2] != "Failed") {
			return bad("HookResult <Hook> Succeeded|Failed")
		}
		return Event{Kind: HookResult, Hook: Hook(f[1]), Succeeded: f[2] == "Succeeded"}, nil
	case "Stop":
		switch {
		case len(f) == 1:
			return Event{Kind: Stop}, nil
		case len(f) == 2 && f[1] == "rollback":
			return Event{Kind: Stop, Rollback: true}, nil
		}
		return bad("Stop [rollback]")
	}
	return Event{}, fmt.Errorf("event %q: unknown kind %q (want Start, Tick, AlarmState, HookResult, Stop, Measurement or Promote)", s, f[0])
}

// ActionKind says what the caller must do. The zero value is no action.
type ActionKind uint8

// Action kinds.
const (
	// InvokeHook: invoke Action.Hook's function asynchronously; it reports
	// back with a HookResult event.
	InvokeHook ActionKind = iota + 1
	// SetWeight: give the target version Action.Percent % of the alias's
	// traffic (UpdateAlias with AdditionalVersionWeights{target: p/100}, docs/lambda.md).
	// 100 means: FunctionVersion = target, routing config cleared.
	SetWeight
	// Rollback: alias FunctionVersion = current version, routing config
	// cleared, so the target gets 0 % (docs/codedeploy.md, "Rollback and stop").
	Rollback
	// Finish: the deployment ended with Action.Status (and, unless Succeeded,
	// Action.ErrorCode and Action.Cause). Action.Percent is the target's weight
	// left on the alias. It is always the last action the controller returns.
	Finish
	// Measure: take one measurement of gate Action.Gate now and report it
	// with a Measurement event.
	Measure
	// Pause: the rollout pauses (Status Paused) for Action.Cause until a
	// Promote event; nothing is to be done but to note it (and, for a
	// simulated user, to schedule the promotion).
	Pause
)

var actionKindNames = [...]string{InvokeHook: "InvokeHook", SetWeight: "SetWeight", Rollback: "Rollback", Finish: "Finish",
	Measure: "Measure", Pause: "Pause"}

func (k ActionKind) String() string {
	if int(k) < len(actionKindNames) && actionKindNames[k] != "" {
		return actionKindNames[k]
	}
	return "ActionKind(" + strconv.Itoa(int(k)) + ")"
}

// Action is one output of Controller.Step. Only the fields of its Kind matter.
type Action struct {
	Kind      ActionKind
	Hook      Hook    // InvokeHook
	Percent   float64 // SetWeight: the new weight; Rollback: 0; Finish: the weight left
	Status    Status  // Finish
	Cause     string  // Finish: "alarm:<AlarmName>", "hook:<Hook>", "gate:<GateName>" or "manual"; "" on success. Pause: CausePause or "gate:<GateName>"
	ErrorCode string  // Finish: CodeDeploy's ErrorCode; "" on success
	Gate      int     // Measure: index into Config.Gates
}

// LeftWeighted reports whether a Finish leaves the alias on two versions: a
// stop or failure without rollback in the middle of AllowTraffic (docs/codedeploy.md, "Rollback and stop").
func (a Action) LeftWeighted() bool {
	return a.Kind == Finish && a.Percent > 0 && a.Percent < 100
}

// String returns the canonical text form, one of:
//
//	InvokeHook <Hook>
//	SetWeight <percent>
//	Rollback
//	Finish Succeeded weight=100
//	Finish <Status> <ErrorCode> <Cause> weight=<percent>[ alias-left-weighted]
//	Measure <gate>
//	Pause <cause>
//
// "alias-left-weighted" marks a Finish without rollback that leaves the alias
// routing to both versions, which blocks later deployments until it is reset
// (CD-UG:troubleshooting-deployments-lambda).
func (a Action) String() string {
	switch a.Kind {
	case InvokeHook:
		return "InvokeHook " + string(a.Hook)
	case SetWeight:
		return "SetWeight " + FormatPercent(a.Percent)
	case Measure:
		return "Measure " + strconv.Itoa(a.Gate)
	case Pause:
		return "Pause " + a.Cause
	case Finish:
		var b strings.Builder
		b.WriteString("Finish ")
		b.WriteString(string(a.Status))
		if a.ErrorCode != "" {
			b.WriteString(" " + a.ErrorCode)
		}
		if a.Cause != "" {
			b.WriteString(" " + a.Cause)
		}
		b.WriteString(" weight=" + FormatPercent(a.Percent))
		if a.LeftWeighted() {
			b.WriteString(" alias-left-weighted")
		}
		return b.String()
	}
	return a.Kind.String()
}

// FormatPercent is a weight's canonical text: the shortest decimal that reads
// back as the same float64, so whole percents print as integers ("10") and
// others as they were written ("12.5").
func FormatPercent(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// LifecycleEventStatus is a lifecycle event's status in CodeDeploy's words
// (SDK LifecycleEventStatus, docs/codedeploy.md).
type LifecycleEventStatus string

// Lifecycle event statuses.
const (
	LifecyclePending    LifecycleEventStatus = "Pending"
	LifecycleInProgress LifecycleEventStatus = "InProgress"
	LifecycleSucceeded  LifecycleEventStatus = "Succeeded"
	LifecycleFailed     LifecycleEventStatus = "Failed"
	LifecycleSkipped    LifecycleEventStatus = "Skipped"
)

// LifecycleEvent is one lifecycle event of the deployment, as CodeDeploy's
// LifecycleEvent reports it. Start is set once the event has begun
// (InProgress, Succeeded, Failed) and End once it is over (Succeeded, Failed);
// Pending and Skipped events have neither. Times are the Step times at which
// the controller began and ended the event.
type LifecycleEvent struct {
	Name       string
	Status     LifecycleEventStatus
	Start, End time.Duration
}

// String returns "<Name> <Status>" followed by " <start>" once begun and
// "..<end>" once over, e.g. "AllowTraffic Succeeded 30s..10m30s".
func (e LifecycleEvent) String() string {
	s := e.Name + " " + string(e.Status)
	switch e.Status {
	case LifecycleInProgress:
		s += " " + e.Start.String() + ".."
	case LifecycleSucceeded, LifecycleFailed:
		s += " " + e.Start.String() + ".." + e.End.String()
	}
	return s
}
