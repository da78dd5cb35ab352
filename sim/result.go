package sim

import (
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/strategies"
)

// Result is what happened in one simulated deployment.
type Result struct {
	Strategy string
	// Plan is the strategy's configuration: its Family says whose words
	// (CodeDeploy's, Argo Rollouts', ...) the reports narrate the run in.
	Plan       strategies.Config
	Status     deploy.Status
	RolledBack bool
	// RollbackCause is what ended a deployment that did not succeed
	// ("alarm:<AlarmName>", "hook:<HookName>", "gate:<Name>", "manual"),
	// whether or not it rolled back (RolledBack says); "" after a success.
	// Reports call it rollback_cause only with a rollback, stop_cause always.
	RollbackCause   string
	DeploymentStart time.Duration  // virtual time the deployment was created
	FullShift       *time.Duration // when the target first had 100 % of traffic
	End             *time.Duration // when the deployment ended (succeeded, stopped or failed)
	Detected        *time.Duration // first watched alarm (entering ALARM) or hook failure at or after the start
	// PollPhase is the poll phase the run used (Model.RunPhase), and
	// PollPhaseRandom whether it was drawn from the seed.
	PollPhase       time.Duration
	PollPhaseRandom bool

	Requests             int64 // over the whole horizon
	TargetRequests       int64
	FailedRequests       int64
	TargetFailedRequests int64
	Timeouts             int64
	FinalWeight          float64 // target's share of traffic at the horizon

	Versions [2]VersionResult // Current, Target
	// Concurrency is the function's execution environments in use (both
	// versions), under the execution model; nil without it.
	Concurrency *Concurrency
	Cost        Cost
	// Users is how many distinct users sent requests, UsersAffected how many
	// had at least one failed request (0 when the stream carries no users).
	Users, UsersAffected int64
	// SLOBudgetConsumed is the failed requests as a fraction of the error
	// budget the SLO allows for as many requests over its window (without
	// an SLO: nil).
	SLOBudgetConsumed *float64

	Phases   []Phase  // spans of constant alias weight
	Buckets  []Bucket // per metric bucket (one minute unless an alarm's period is shorter), the last one cut by the horizon
	Alarms   []AlarmResult
	Timeline []Entry
	// Steps are the controller's decisions: each step that yielded actions,
	// with the event that caused it, at run time (deploy.Record).
	Steps []deploy.Record
}

// Concurrency summarises busy execution environments over a run.
type Concurrency struct {
	// Mean is the time-average number busy, measured as the average that
	// arriving requests find (Poisson arrivals see time averages), so it
	// can be held to Little's law: rate × mean time in an environment.
	Mean float64
	Peak int64 // the most busy at once
}

// VersionResult is one version's share of the run.
type VersionResult struct {
	Version                                 string
	Requests, Failed                        int64
	Errors, Timeouts, Throttles, ColdStarts int64
	LatencyP50, LatencyP90, LatencyP99      float64 // ms, client-visible (init + duration); NaN without requests
	LatencyMax                              float64 // ms: the longest wait
}

// Bucket is what each version served in one metric bucket; throttled
// requests count in both Requests and Failed.
type Bucket struct {
	Start            time.Duration
	Requests, Failed [2]int64
}

// Phase is a span of constant alias weight and what it carried.
type Phase struct {
	From, To       time.Duration
	Weight         float64
	Requests       int64
	TargetRequests int64
	TargetFailed   int64
	Failed         int64 // both versions
}

// AlarmResult is an alarm's state at the horizon.
type AlarmResult struct {
	Name  string
	State string
}

// EntryKind says what a timeline entry is about.
type EntryKind string

// Timeline entry kinds.
const (
	KindDeployment EntryKind = "deployment" // started, or finished (Subject: the status)
	KindWeight     EntryKind = "weight"     // the alias's weights changed
	KindRollback   EntryKind = "rollback"   // the alias went back to 100 % current
	KindHook       EntryKind = "hook"       // a hook was invoked or reported (Subject: its name)
	KindAlarm      EntryKind = "alarm"      // an alarm changed state (Subject: its name)
	KindFault      EntryKind = "fault"      // a fault began or ended
)

// Entry is one record of a run's timeline: what happened, as data. Its
// text (Text, and String with the time) is rendered from the fields, so
// every reader — the timeline, --explain, the HTML report, the charts —
// reads the same record, and nothing parses prose. Only the fields of its
// Kind are set.
type Entry struct {
	At      time.Duration
	Kind    EntryKind
	Subject string  // the alarm, hook or deployment status the entry is about
	From    string  // KindAlarm: the state before
	To      string  // KindAlarm: the state after
	Weight  float64 // the target's share of traffic after the entry
	Reason  string  // KindAlarm: CloudWatch's reason for the change (alarm.Rule.Explain)

	Strategy string    // KindDeployment: the strategy's name
	Alias    string    // KindDeployment start, KindWeight, KindRollback: function:alias
	Versions [2]string // KindDeployment start, KindWeight, KindRollback, KindFault: the current and target versions
	// Percent is the target's weight the alias was given (KindWeight), as
	// the controller set it.
	Percent float64
	// Bake notes the bake after the shift to 100 % (KindWeight), when the
	// strategy has one (strategies.Config.BakeNote).
	Bake       string
	ErrorCode  string        // KindDeployment end: CodeDeploy's ErrorCode
	Cause      string        // KindDeployment end: "alarm:<AlarmName>", "hook:<Hook>", "manual" or ""
	UserStop   bool          // KindDeployment: a user stops the deployment (StopDeployment)
	Rollback   bool          // KindDeployment UserStop: with AutoRollbackEnabled
	Invoked    bool          // KindHook: the hook was invoked (else it reported)
	Verdict    string        // KindHook report: Succeeded or Failed
	Runs       time.Duration // KindHook invoked: how long the hook runs
	Faulty     bool          // KindHook invoked: whether the target had a fault at the invocation
	ErrorRates [2]float64    // KindFault: each version's error rate once the change is in force
	// GateStep is what a gate's record (KindGate) is about, and Note its
	// detail: a measurement ("<gate> (<query>): <value> -> <judgement>;
	// metric <phase>"), a pause ("(<cause>): <what follows>"), a promotion.
	GateStep GateStep
	Note     string
}

// GateStep is what a gate's timeline record is about.
type GateStep uint8

// The steps of a gate.
const (
	GateMeasure GateStep = iota + 1 // a measurement and its judgement
	GatePause                       // the rollout pauses
	GatePromote                     // a user promotes the paused rollout
)

// Text is the canonical text of the record, as the timeline prints it:
//
//	deployment <Strategy> starts: <Alias> moves from version <current> to <target>
//	deployment <Strategy>: <Status>[ <ErrorCode>][ <Cause>]
//	a user stops the deployment (StopDeployment, AutoRollbackEnabled=<Rollback>)
//	UpdateAlias <Alias>: version <target> weight <Percent>%
//	UpdateAlias <Alias>: FunctionVersion <target>, no additional version (100% to <target>)[<Bake>]
//	rollback: UpdateAlias <Alias>: FunctionVersion <current>, no additional version
//	invoke <Hook> hook (runs <Runs>; target is healthy|faulty)
//	<Hook> hook reports Succeeded|Failed
//	alarm <Name>: <From> -> <To> (<Reason>)
//	fault: version <current> error rate <r>, version <target> error rate <r>
//	measure <Note> | rollout paused <Note> | a user promotes the paused rollout (KindGate)
func (e Entry) Text() string {
	switch e.Kind {
	case KindDeployment:
		if e.UserStop {
			return deploy.UserStopText(e.Rollback)
		}
		if e.Subject == string(deploy.InProgress) {
			return deploy.StartText(e.Strategy, e.Alias, e.Versions[Current], e.Versions[Target])
		}
		return deploy.EndText(e.Strategy, deploy.Status(e.Subject), e.ErrorCode, e.Cause)
	case KindWeight:
		return deploy.WeightText(e.Alias, e.Versions[Target], e.Percent, e.Bake)
	case KindRollback:
		return deploy.RollbackText(e.Alias, e.Versions[Current])
	case KindHook:
		if e.Invoked {
			health := "healthy"
			if e.Faulty {
				health = "faulty"
			}
			return fmt.Sprintf("%s (runs %v; target is %s)", deploy.HookInvokeText(deploy.Hook(e.Subject)), e.Runs, health)
		}
		return deploy.HookReportText(deploy.Hook(e.Subject), e.Verdict)
	case KindAlarm:
		return deploy.AlarmText(e.Subject, e.From, e.To, e.Reason)
	case KindGate:
		switch e.GateStep {
		case GateMeasure:
			return "measure " + e.Note
		case GatePause:
			return "rollout paused " + e.Note
		case GatePromote:
			return "a user promotes the paused rollout"
		}
		return e.Note
	case KindFault:
		return fmt.Sprintf("fault: version %s error rate %g, version %s error rate %g", e.Versions[Current], e.ErrorRates[Current], e.Versions[Target], e.ErrorRates[Target])
	}
	return string(e.Kind) + " " + e.Subject
}

// String is the record with its time: "t+5m00s text".
func (e Entry) String() string { return "t+" + Clock(e.At) + " " + e.Text() }

// Clock formats a virtual time as 1h02m03.5s style with fixed fields
// (deploy.Clock: the alias executor's times read the same).
func Clock(d time.Duration) string { return deploy.Clock(d) }
