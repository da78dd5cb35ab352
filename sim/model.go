// Package sim is shiftsim's engine: a discrete-event simulator with a virtual
// clock that replays a request stream against two Lambda versions behind an
// alias, while CodeDeploy's controller (package deploy) shifts the alias and
// CloudWatch alarms (package alarm) watch the metrics the requests produce.
//
// The engine never reads the wall clock, global randomness or map order: a
// Model and a seed determine a Result byte for byte. Requests are individual
// events merged from the traffic source into the loop; everything else
// (weight steps, metric buckets, alarm evaluations and polls, hook reports,
// faults) is a control event on a typed heap.
package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shiftsim/shiftsim/alarm"
	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/strategies"
	"github.com/shiftsim/shiftsim/traffic"
)

// Version index of the alias's current and target versions.
const (
	Current = 0
	Target  = 1
)

// Version models one published Lambda version.
type Version struct {
	Name      string           // the Lambda version number, e.g. "1"
	ErrorRate float64          // probability that a request fails with a function error
	Latency   faults.Lognormal // ln(duration in seconds) ~ Normal(Mu, Sigma)
	Timeout   time.Duration    // function timeout; 0 means none. A longer request fails as a timeout.
}

// Metric is a Lambda metric in the AWS/Lambda namespace.
type Metric uint8

// The Lambda metrics alarms can watch in this model.
const (
	Invocations Metric = iota
	Errors
	Duration
	Throttles
	// ConcurrentExecutions is the number of environments busy at once
	// (needs the execution model; the highest in each bucket).
	ConcurrentExecutions
)

var metricNames = [...]string{"Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions"}

func (m Metric) String() string { return metricNames[m] }

// ParseMetric maps an AWS/Lambda metric name to a Metric.
func ParseMetric(s string) (Metric, error) {
	for i, n := range metricNames {
		if n == s {
			return Metric(i), nil
		}
	}
	return 0, fmt.Errorf("metric %q is not modelled (want one of Invocations, Errors, Duration, Throttles, ConcurrentExecutions)", s)
}

// Query is one metric series an alarm reads: a metric, the versions whose
// invocations it aggregates (a bit per version index: both for the function
// or the alias, one for an ExecutedVersion, none for a dimension set or
// value Lambda does not publish for the alias's traffic — such an alarm
// never gets data, as in AWS; see docs/cloudwatch.md), and a statistic.
type Query struct {
	Metric   Metric
	Versions uint8
	Stat     alarm.Stat
}

// Alarm is a CloudWatch metric alarm, compiled for the engine.
type Alarm struct {
	Name    string
	Initial alarm.State // state at t = 0 (a new alarm starts in INSUFFICIENT_DATA)
	Rule    alarm.Rule
	Period  time.Duration // 10s, 20s, 30s or a multiple of 60s
	Queries []Query
	// Math combines the queries' datapoints (metric math): Queries[k] is
	// the k-th metric entry of its Metrics list. nil means the datapoint is
	// Queries[0]'s.
	Math *alarm.Math
	// LowSample is EvaluateLowSampleCountPercentile, for a single-metric
	// percentile alarm.
	LowSample alarm.LowSample
}

// Hook is a lifecycle hook function: it reports after Duration and catches a
// fault present in the target version at its invocation with probability
// CatchProbability. A hook that reports after its timeout has failed.
type Hook struct {
	Name             deploy.Hook
	Duration         time.Duration
	CatchProbability float64
	Timeout          time.Duration // the hook fails if it has not reported by then (<= CodeDeploy's 1 h)
}

// Model is everything about the world a deployment runs in, strategy aside.
type Model struct {
	Function    string // the Lambda function's name
	Alias       string // the alias being shifted
	Seed        uint64
	Horizon     time.Duration // virtual time simulated
	DeployStart time.Duration // when the deployment is created
	Versions    [2]Version    // Current, Target
	Faults      faults.Set
	// Traffic is the request stream, as data: each run opens its source
	// from the run's own stream (traffic.Spec.Open).
	Traffic     traffic.Spec
	Alarms      []Alarm
	Hooks       []Hook
	HookTimeout time.Duration // 0: CodeDeploy's 3600 s
	// MetricDelay is how long after its one-minute bucket ends a metric
	// datapoint becomes visible to alarms.
	MetricDelay time.Duration
	// AlarmPollInterval is how often CodeDeploy reads alarm states; 0 means
	// it sees every state change at once.
	AlarmPollInterval time.Duration
	// PollPhase places CloudWatch's minute (metric buckets, alarm
	// evaluations) and CodeDeploy's alarm polls relative to the deployment;
	// the zero value is phase 0, the grid of the scenario's clock.
	PollPhase    PollPhase
	AutoRollback bool
	Linear       strategies.LinearModel
	// Engine chooses how requests are simulated; the zero value is Auto.
	Engine Engine
	// Exec is Lambda's execution model (concurrency, cold starts,
	// throttles); nil means unlimited warm capacity.
	Exec *Execution
	// Billing prices the run; MemoryMB 0 is taken as Lambda's default 128.
	Billing Billing
	// RecordedLatency drives latency from the stream's recorded durations
	// where it has them.
	RecordedLatency bool
	// SLO, when set, is the availability objective the run's failures are
	// charged against.
	SLO *SLO
	// PromoteAfter is when a user promotes a paused Argo Rollouts rollout
	// (an indefinite pause, an Inconclusive analysis, a blue-green rollout
	// without auto-promotion): this long after it paused. 0, the default,
	// means nobody does within the horizon, and the run ends Paused
	// (docs/plans.md).
	PromoteAfter time.Duration
	// ManualStop, when set, is a user stopping the deployment by hand
	// (StopDeployment, or Ctrl-C under shiftsim deploy): a what-if, and the
	// alias executor's twin of its interrupt (docs/driver.md).
	ManualStop *ManualStop
}

// ManualStop is a StopDeployment At after the deployment's start, with
// AutoRollbackEnabled Rollback.
type ManualStop struct {
	At       time.Duration
	Rollback bool
}

// PollPhase is the offset of CloudWatch's evaluation minute and
// CodeDeploy's alarm polls: metric buckets and evaluations fall at
// phase + k·60 s of the scenario's clock, polls at deployment start +
// phase + k·AlarmPollInterval. In AWS it is wherever the deployment happens
// to start within the minute (docs/monitoring.md), so Random draws it per
// run, in whole seconds, from the run's seed.
type PollPhase struct {
	Random bool
	Fixed  time.Duration // the phase when not Random, in [0, PhaseCycle)
}

// String is "random" or the fixed duration.
func (p PollPhase) String() string {
	if p.Random {
		return "random"
	}
	return p.Fixed.String()
}

// PhaseCycle is the span after which a phase repeats itself: CloudWatch's
// minute, or the least common multiple of the minute and the poll interval
// when polls come at another whole number of seconds.
func PhaseCycle(poll time.Duration) time.Duration {
	if poll <= 0 || poll%time.Second != 0 {
		return time.Minute
	}
	a, b := int64(60), int64(poll/time.Second)
	return time.Duration(a/gcd(a, b)*b) * time.Second
}

// RunPhase is the phase a run of m uses: the fixed one, or one drawn from
// m.Seed's own stream (uniform over the whole seconds of PhaseCycle), so
// every strategy of a run shares it and no other draw moves.
func (m *Model) RunPhase() time.Duration {
	if !m.PollPhase.Random {
		return m.PollPhase.Fixed
	}
	n := uint64(PhaseCycle(m.AlarmPollInterval) / time.Second)
	return time.Duration(rand.New(NewStream(m.Seed, streamPollPhase)).Uint64N(n)) * time.Second
}

// SLO is an availability objective: Target of requests succeed over Window.
type SLO struct {
	Target float64       // e.g. 0.999
	Window time.Duration // e.g. 30 days
}

// Engine is how a run simulates requests.
type Engine uint8

// Engines. PerRequest draws every request; Batched draws per-step counts
// (exact in distribution while rates are constant within a step) and needs
// no per-request state; Auto picks Batched when the model allows it.
const (
	Auto Engine = iota
	PerRequest
	Batched
)

var engineNames = [...]string{"auto", "per-request", "batched"}

func (e Engine) String() string { return engineNames[e] }

// ParseEngine maps "auto", "per-request" or "batched" to an Engine.
func ParseEngine(s string) (Engine, error) {
	for i, n := range engineNames {
		if n == s {
			return Engine(i), nil
		}
	}
	return 0, fmt.Errorf("engine %q: want auto, per-request or batched", s)
}

// Strategy is a deployment configuration under test, named as the user wrote it.
type Strategy struct {
	Name   string
	Config strategies.Config
}

// LatencyFromMedianP99 returns the lognormal with the given median and 99th
// percentile (both > 0, p99 >= median).
func LatencyFromMedianP99(median, p99 time.Duration) (faults.Lognormal, error) {
	if median <= 0 || p99 < median {
		return faults.Lognormal{}, fmt.Errorf("need 0 < median <= p99, got median %v p99 %v", median, p99)
	}
	mu := math.Log(median.Seconds())
	return faults.Lognormal{Mu: mu, Sigma: (math.Log(p99.Seconds()) - mu) / z99}, nil
}
