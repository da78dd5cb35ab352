package scenario

import (
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/strategies"
)

// File is a scenario as written in YAML. Keys are the contract the CLI's
// users and acceptance tests rely on: rename none, add freely. Alarm objects
// use CloudWatch's own property names, custom strategies CodeDeploy's, so
// users can paste what they already have.
type File struct {
	Name       string         `yaml:"name"`
	Seed       *uint64        `yaml:"seed"`
	Horizon    *time.Duration `yaml:"horizon"`
	Function   Function       `yaml:"function"`
	Traffic    *Traffic       `yaml:"traffic"`
	Versions   *Versions      `yaml:"versions"`
	Faults     []Fault        `yaml:"faults"`
	Alarms     []Alarm        `yaml:"alarms"`
	Hooks      Hooks          `yaml:"hooks"`
	Monitoring Monitoring     `yaml:"monitoring"`
	Deployment *Deployment    `yaml:"deployment"`
	Lambda     *Lambda        `yaml:"lambda"`
	SLO        *SLO           `yaml:"slo"`
	// AnalysisTemplates are Argo Rollouts AnalysisTemplates, defined once
	// and referenced by name from Argo strategies (argo.go).
	AnalysisTemplates []AnalysisTemplate `yaml:"analysisTemplates"`
	// Description is free text for people; shiftsim ignores it.
	Description string `yaml:"description"`
}

// Function names the Lambda function and alias being deployed.
type Function struct {
	Name  string `yaml:"name"`
	Alias string `yaml:"alias"`
}

// Traffic is the request stream: Poisson at Rate requests per second, a
// diurnal, bursty, spiky or weekly profile, or a replayed recording; and
// optionally a population of users stamping every request.
type Traffic struct {
	Rate      *float64       `yaml:"rate"`
	Pattern   string         `yaml:"pattern"`   // "poisson" (default), "diurnal", "bursty", "spikes" or "weekly"
	Amplitude *float64       `yaml:"amplitude"` // diurnal, weekly: relative swing around the mean, 0..1
	Period    *time.Duration `yaml:"period"`    // diurnal: default 24h
	Peak      *time.Duration `yaml:"peak"`      // diurnal: time of the peak; weekly: time of day of the peak
	// Phases are a bursty (Markov-modulated Poisson) source's states.
	Phases []BurstPhase `yaml:"phases"`
	// Spikes multiply the rate over windows.
	Spikes []Spike `yaml:"spikes"`
	// WeekdayFactors scale whole days of a weekly profile, Sunday first.
	WeekdayFactors []float64 `yaml:"weekday_factors"`
	// Origin is where t=0 falls in the week, from Sunday 00:00 (38h: Monday 14:00).
	Origin *time.Duration `yaml:"origin"`
	// Replay replays a recorded stream instead of a synthetic one.
	Replay *Replay `yaml:"replay"`
	// Users stamps every request with one of this many users, their
	// activity Zipf-distributed with exponent UserSkew (default 1).
	Users    *int     `yaml:"users"`
	UserSkew *float64 `yaml:"user_skew"`
}

// BurstPhase is one state of a bursty source.
type BurstPhase struct {
	Rate  *float64       `yaml:"rate"`
	Dwell *time.Duration `yaml:"dwell"` // mean time in the state
}

// Spike multiplies the traffic rate by Multiplier from At for Duration.
type Spike struct {
	At         *time.Duration `yaml:"at"`
	Duration   *time.Duration `yaml:"duration"`
	Multiplier *float64       `yaml:"multiplier"`
}

// Replay names a recording and how to replay it.
type Replay struct {
	File      string         `yaml:"file"`     // relative to the scenario file
	Format    string         `yaml:"format"`   // detected when empty
	Function  string         `yaml:"function"` // multi-function traces: rank:1, #1, a hash or app/func
	From      *time.Duration `yaml:"from"`     // window, from the recording's start
	To        *time.Duration `yaml:"to"`
	Speed     *float64       `yaml:"speed"` // 2 replays twice as fast
	Scale     *float64       `yaml:"scale"` // 2 doubles the requests
	Loop      bool           `yaml:"loop"`
	Durations string         `yaml:"durations"` // Azure 2019 durations file
	Period    *time.Duration `yaml:"period"`    // CloudWatch metrics: the datapoint period
	Reorder   *int           `yaml:"reorder"`   // reorder window, records
	Lenient   bool           `yaml:"lenient"`   // skip malformed records
	// Latency "recorded" makes requests take their recorded durations
	// (the target version scaled by the ratio of the versions' medians).
	Latency string `yaml:"latency"`
}

// Versions are the alias's current version and the version being deployed.
type Versions struct {
	Current *Version `yaml:"current"`
	Target  *Version `yaml:"target"`
}

// Version models one Lambda version.
type Version struct {
	Version   string         `yaml:"version"`
	ErrorRate *float64       `yaml:"error_rate"`
	Latency   *Latency       `yaml:"latency"`
	Timeout   *time.Duration `yaml:"timeout"`
	// Init is the cold-start (init phase) duration; setting it turns the
	// execution model on.
	Init *Latency `yaml:"init"`
	// ProvisionedConcurrency is the version's provisioned concurrency.
	ProvisionedConcurrency *int `yaml:"provisioned_concurrency"`
}

// Lambda configures the execution model (concurrency, cold starts,
// throttles) and billing. Its presence turns the execution model on.
type Lambda struct {
	Memory              *int           `yaml:"memory"`       // MB, 128..10240 (default 128)
	Architecture        string         `yaml:"architecture"` // x86_64 (default) or arm64
	ReservedConcurrency *int           `yaml:"reserved_concurrency"`
	AccountConcurrency  *int           `yaml:"account_concurrency"` // default 1000
	ScalingRate         *float64       `yaml:"scaling_rate"`        // new environments per second (default 100)
	ScalingBurst        *float64       `yaml:"scaling_burst"`       // default 1000
	IdleTimeout         *time.Duration `yaml:"idle_timeout"`        // default 10m (undocumented by AWS)
	Prices              *Prices        `yaml:"prices"`
}

// Prices override Lambda's prices (USD).
type Prices struct {
	Request                     *float64 `yaml:"request"`
	GBSecond                    *float64 `yaml:"gb_second"`
	ProvisionedGBSecond         *float64 `yaml:"provisioned_gb_second"`
	ProvisionedDurationGBSecond *float64 `yaml:"provisioned_duration_gb_second"`
}

// SLO is an availability objective: the share of requests that must
// succeed over a window.
type SLO struct {
	Target *float64       `yaml:"target"` // e.g. 0.999
	Window *time.Duration `yaml:"window"` // default 720h (30 days)
}

// Latency is a lognormal latency: by median and p99, or by mu and sigma of
// ln(seconds).
type Latency struct {
	Median *time.Duration `yaml:"median"`
	P99    *time.Duration `yaml:"p99"`
	Mu     *float64       `yaml:"mu"`
	Sigma  *float64       `yaml:"sigma"`
}

// Fault changes a version's behaviour from start (relative to the
// deployment start) until end.
type Fault struct {
	Version      string         `yaml:"version"` // "target", "current", "both", or a version number
	Start        *time.Duration `yaml:"start"`   // after the deployment starts
	End          *time.Duration `yaml:"end"`     // after the deployment starts
	At           *time.Duration `yaml:"at"`      // absolute start (from the simulation's start), instead of start
	Until        *time.Duration `yaml:"until"`   // absolute end, instead of end
	ErrorRate    *float64       `yaml:"error_rate"`
	Latency      *Latency       `yaml:"latency"`
	LatencyScale *float64       `yaml:"latency_scale"` // multiply durations, e.g. 3
	Init         *Latency       `yaml:"init"`          // cold-start regression
	HangRate     *float64       `yaml:"hang_rate"`     // requests that hang until the timeout
	Segment      *float64       `yaml:"users"`         // only this fraction of users is hit (a segment)
	Ramp         *time.Duration `yaml:"ramp"`          // grow in over this long
	Flaky        *Flaky         `yaml:"flaky"`         // on/off rhythm
}

// Flaky is an intermittent fault's rhythm.
type Flaky struct {
	On  *time.Duration `yaml:"on"`
	Off *time.Duration `yaml:"off"`
}

// Alarm is a CloudWatch metric alarm in the shape of AWS::CloudWatch::Alarm
// properties and of describe-alarms output (its read-only fields are
// accepted and ignored, except StateValue, the alarm's state at t=0).
type Alarm struct {
	AlarmName                          string
	AlarmDescription                   string
	AlarmArn                           string
	ActionsEnabled                     *bool
	AlarmActions                       []string
	OKActions                          []string
	InsufficientDataActions            []string
	Namespace                          string
	MetricName                         string
	Dimensions                         []Dimension
	Statistic                          string
	ExtendedStatistic                  string
	Period                             *int
	Unit                               string
	EvaluationPeriods                  *int
	DatapointsToAlarm                  *int
	Threshold                          *float64
	ComparisonOperator                 string
	TreatMissingData                   string
	EvaluateLowSampleCountPercentile   string
	Metrics                            []MetricDataQuery
	StateValue                         string
	StateReason                        string
	StateReasonData                    string
	StateUpdatedTimestamp              string
	StateTransitionedTimestamp         string
	AlarmConfigurationUpdatedTimestamp string
	// EvaluationRange is shiftsim's: how many datapoints CloudWatch
	// retrieves (AWS does not document it; default alarm.DefaultRange).
	EvaluationRange *int `yaml:"evaluation_range"`
}

// Dimension is a CloudWatch dimension.
type Dimension struct {
	Name  string
	Value string
}

// MetricDataQuery is one entry of a metric-math alarm's Metrics.
type MetricDataQuery struct {
	Id         string
	Expression string
	Label      string
	MetricStat *MetricStat
	ReturnData *bool
	Period     *int
	AccountId  string
}

// MetricStat is a metric, period and statistic.
type MetricStat struct {
	Metric Metric
	Period *int
	Stat   string
	Unit   string
}

// Metric identifies a CloudWatch metric.
type Metric struct {
	Namespace  string
	MetricName string
	Dimensions []Dimension
}

// Hooks are the Lambda lifecycle hooks.
type Hooks struct {
	BeforeAllowTraffic *Hook `yaml:"BeforeAllowTraffic"`
	AfterAllowTraffic  *Hook `yaml:"AfterAllowTraffic"`
}

// Hook models a hook function by how long it runs and how likely its tests
// catch a fault present in the target version.
type Hook struct {
	Duration         *time.Duration `yaml:"duration"`
	CatchProbability *float64       `yaml:"catch_probability"`
	Timeout          *time.Duration `yaml:"timeout"`
	// Function is the hook's Lambda function (CodeDeployHook_...), for the
	// AppSpec and the real-AWS executor; the simulation does not need it.
	Function string `yaml:"function"`
}

// Monitoring sets how fast metrics and alarm states travel.
type Monitoring struct {
	MetricDelay       *time.Duration `yaml:"metric_delay"`
	AlarmPollInterval *time.Duration `yaml:"alarm_poll_interval"`
	// PollPhase is where CloudWatch's evaluation minute and CodeDeploy's
	// polls fall after the deployment start: a duration, or random (the
	// default: drawn per run from the run's seed). See docs/monitoring.md.
	PollPhase *PollPhase `yaml:"poll_phase"`
}

// PollPhase is monitoring.poll_phase: random, or a fixed duration.
type PollPhase struct {
	Random bool
	Fixed  time.Duration
}

// UnmarshalYAMLX accepts the word random or a duration.
func (p *PollPhase) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, path string) error {
	if n.Kind == yaml.ScalarNode && n.Value == "random" {
		p.Random = true
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return d.Errorf(n, path, "expected random or a duration such as 15s, got %s", yamlx.Describe(n))
	}
	if err := d.DecodeNode(n, path, &p.Fixed); err != nil {
		return d.Errorf(n, path, "expected random or a duration such as 15s, got %s", yamlx.Describe(n))
	}
	return nil
}

// Deployment is when the deployment starts and which strategies to weigh.
type Deployment struct {
	Start        *time.Duration  `yaml:"start"`
	Strategies   []StrategyEntry `yaml:"strategies"`
	AutoRollback *bool           `yaml:"auto_rollback"`
	// LinearModel chooses when a linear deployment ends (AWS is silent):
	// "end_after_last_interval" (default: 10 x 1 min ends at 10 min) or
	// "end_at_last_shift" (ends at 9 min).
	LinearModel string `yaml:"linear_model"`
	// AppConfigStepTiming places AppConfig steps inside their duration (AWS's
	// pages disagree): "interval_end" (default: step k at k·D/S) or
	// "interval_start" (step k at (k−1)·D/S).
	AppConfigStepTiming string `yaml:"appconfig_step_timing"`
	// AppConfigRollbackStates lists the alarm states that roll an AppConfig
	// deployment back: [ALARM] (default) or [ALARM, INSUFFICIENT_DATA].
	AppConfigRollbackStates []string `yaml:"appconfig_rollback_states"`
	// ArgoPromoteAfter is when a simulated user promotes a paused Argo
	// rollout, after it paused; absent: nobody does (docs/plans.md).
	ArgoPromoteAfter *time.Duration `yaml:"argo_promote_after"`
	// ManualStop is a user stopping the deployment by hand at a time, as
	// StopDeployment does (a what-if; docs/scenario.md).
	ManualStop *ManualStop `yaml:"manual_stop"`
	// Application and DeploymentGroup name the CodeDeploy application and
	// deployment group, for `appspec --cli`, `export` and `deploy`.
	Application     string `yaml:"application"`
	DeploymentGroup string `yaml:"deployment_group"`
	// Group is the older spelling of DeploymentGroup, still read.
	Group string `yaml:"group"`
}

// ManualStop is deployment.manual_stop: StopDeployment At after the
// deployment's start, with AutoRollbackEnabled Rollback.
type ManualStop struct {
	At       *time.Duration `yaml:"at"`
	Rollback *bool          `yaml:"rollback"`
}

// StrategyEntry is a predefined plan's name (CodeDeploy or AppConfig), a
// custom configuration in CodeDeploy's CreateDeploymentConfig shape, a
// custom AppConfig strategy {DeploymentStrategy: {...}}, or an ECS plan
// {name, deploymentConfiguration: {...}}.
type StrategyEntry struct {
	Name    string
	Custom  *strategies.DeploymentConfig
	AppCfg  *strategies.DeploymentStrategy
	ECS     *strategies.ECSService
	Argo    *ArgoRollout
	Flagger *FlaggerEntry // {name, analysis}: a Flagger canary analysis (flagger.go)
	line    int
	wrapper appConfigEntry
}

// appConfigEntry is the {DeploymentStrategy: {...}} wrapper.
type appConfigEntry struct {
	DeploymentStrategy *strategies.DeploymentStrategy
}

// UnmarshalYAMLX accepts a string, a DeploymentConfig object or a
// DeploymentStrategy object.
func (s *StrategyEntry) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, path string) error {
	s.line = n.Line
	if n.Kind == yaml.ScalarNode {
		return d.DecodeNode(n, path, &s.Name)
	}
	if n.Kind != yaml.MappingNode {
		return d.Errorf(n, path, "expected a configuration name, a DeploymentConfig object, a {DeploymentStrategy: ...} object, an ECS {name, deploymentConfiguration: ...} object, an Argo Rollouts {name, canary|blueGreen: ...} object or a Flagger {name, analysis} object")
	}
	if ok, err := s.argoUnmarshal(d, n, path); ok {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "analysis" {
			s.Flagger = &FlaggerEntry{}
			return d.DecodeNode(n, path, s.Flagger)
		}
		if n.Content[i].Value == "DeploymentStrategy" {
			if err := d.DecodeNode(n, path, &s.wrapper); err != nil {
				return err
			}
			if s.wrapper.DeploymentStrategy == nil {
				return d.Errorf(n.Content[i+1], path+".DeploymentStrategy", "empty: want GrowthType, GrowthFactor, DeploymentDurationInMinutes and FinalBakeTimeInMinutes")
			}
			s.AppCfg = s.wrapper.DeploymentStrategy
			return nil
		}
		if n.Content[i].Value == "deploymentConfiguration" {
			s.ECS = &strategies.ECSService{}
			return d.DecodeNode(n, path, s.ECS)
		}
	}
	// Keys of the named shapes without the key that makes the shape: say
	// which key is missing rather than that they are not CodeDeploy's.
	var named *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i]; k.Value {
		case "testTrafficTimeInMinutes":
			return d.Errorf(n, path+".deploymentConfiguration", "missing: testTrafficTimeInMinutes belongs to an ECS plan {name, deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: ...}, testTrafficTimeInMinutes}")
		case "name":
			named = k
		}
	}
	if named != nil {
		return d.Errorf(named, path, "a named strategy needs its shape beside name: deploymentConfiguration (ECS), canary or blueGreen (Argo Rollouts) or analysis (Flagger); "+
			"a CodeDeploy custom configuration is {DeploymentConfigName, TrafficRoutingConfig}, an AppConfig one {DeploymentStrategy: ...}")
	}
	s.Custom = &strategies.DeploymentConfig{}
	return d.DecodeNode(n, path, s.Custom)
}
