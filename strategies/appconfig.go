package strategies

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/suggest"
)

// AppConfig is the Type of an AWS AppConfig deployment strategy. It is not a
// CodeDeploy TrafficRoutingType: a Config of this Type carries its parameters
// in Config.AppConfig, and CodeDeploy cannot run it (docs/plans.md).
const AppConfig Type = "AppConfig"

// GrowthType is AppConfig's GrowthType: how the exposed share grows per step.
type GrowthType string

// AppConfig's growth types (AC-API). An absent GrowthType is LINEAR.
const (
	GrowthLinear      GrowthType = "LINEAR"
	GrowthExponential GrowthType = "EXPONENTIAL"
)

// Limits of AppConfig's CreateDeploymentStrategy (docs/plans.md).
const (
	MinGrowthFactor       = 1.0
	MaxGrowthFactor       = 100.0
	MaxAppConfigMinutes   = 1440 // DeploymentDurationInMinutes and FinalBakeTimeInMinutes
	MaxAppConfigNameBytes = 64
	// MaxAppConfigMonitors is how many alarms an AppConfig environment watches.
	MaxAppConfigMonitors = 5
	// AppConfigPrefix starts every predefined AppConfig strategy's ID.
	AppConfigPrefix = "AppConfig."
)

// DeploymentStrategy is AppConfig's CreateDeploymentStrategy input restricted
// to what shapes a rollout; field names are AWS's. A scenario writes it as
// {DeploymentStrategy: {GrowthType: EXPONENTIAL, GrowthFactor: 10, ...}}.
type DeploymentStrategy struct {
	Name                        string
	GrowthType                  GrowthType // empty means LINEAR
	GrowthFactor                float64    // percent of targets per step, 1.0..100.0
	DeploymentDurationInMinutes int        // the window the steps are spread over, 0..1440
	FinalBakeTimeInMinutes      int        // alarms watched after 100 %, 0..1440
}

// StepTiming chooses where AppConfig's steps fall inside
// DeploymentDurationInMinutes, a point on which AWS's pages disagree (linear)
// or are silent (exponential); see docs/plans.md.
type StepTiming uint8

const (
	// StepAtIntervalEnd (the default) follows the user guide's worked example:
	// with S steps over D, step k (k = 1..S) happens at k·D/S, so nothing is
	// exposed before D/S and 100 % is reached at D.
	StepAtIntervalEnd StepTiming = iota
	// StepAtIntervalStart follows the API reference's wording: step k happens
	// at (k−1)·D/S, the first at once; 100 % is reached at D − D/S.
	StepAtIntervalStart
)

var stepTimingNames = [...]string{"interval_end", "interval_start"}

func (t StepTiming) String() string {
	if int(t) < len(stepTimingNames) {
		return stepTimingNames[t]
	}
	return fmt.Sprintf("StepTiming(%d)", uint8(t))
}

// ParseStepTiming maps "interval_end" or "interval_start" to a StepTiming.
func ParseStepTiming(s string) (StepTiming, error) {
	for i, n := range stepTimingNames {
		if n == s {
			return StepTiming(i), nil
		}
	}
	return 0, fmt.Errorf("%q: want interval_end (default: step k at k·D/S) or interval_start (step k at (k−1)·D/S)", s)
}

// predefinedAppConfig lists AppConfig's predefined strategies; the parameters
// are the CDK's constants (docs/plans.md).
var predefinedAppConfig = [...]DeploymentStrategy{
	{"AppConfig.Linear20PercentEvery6Minutes", GrowthLinear, 20, 30, 30},
	{"AppConfig.Canary10Percent20Minutes", GrowthExponential, 10, 20, 10},
	{"AppConfig.AllAtOnce", GrowthLinear, 100, 0, 10},
	{"AppConfig.Linear50PercentEvery30Seconds", GrowthLinear, 50, 1, 1},
}

// PredefinedAppConfig returns AppConfig's predefined strategies as Configs,
// in the order of AWS's documentation.
func PredefinedAppConfig() []Config {
	out := make([]Config, len(predefinedAppConfig))
	for i, s := range predefinedAppConfig {
		out[i] = FromDeploymentStrategy(s)
	}
	return out
}

// FromDeploymentStrategy wraps s as a Config of Type AppConfig named s.Name
// (or, when s has none, a name made of its parameters). It does not validate.
func FromDeploymentStrategy(s DeploymentStrategy) Config {
	name := s.Name
	if name == "" {
		name = s.describe()
	}
	return Config{Name: name, Type: AppConfig, AppConfig: s}
}

// growth returns s's GrowthType with absent taken as LINEAR.
func (s DeploymentStrategy) growth() GrowthType {
	if s.GrowthType == "" {
		return GrowthLinear
	}
	return s.GrowthType
}

// describe names s by its parameters, e.g. "AppConfig EXPONENTIAL 10% over 20 min, bake 10 min".
func (s DeploymentStrategy) describe() string {
	return fmt.Sprintf("AppConfig %s %v%% over %d min, bake %d min", s.growth(), s.GrowthFactor, s.DeploymentDurationInMinutes, s.FinalBakeTimeInMinutes)
}

// Validate reports every problem with s, naming AWS's fields: GrowthType
// LINEAR or EXPONENTIAL, GrowthFactor 1.0..100.0, DeploymentDurationInMinutes
// and FinalBakeTimeInMinutes 0..1440, Name at most 64 bytes and, with the
// AppConfig. prefix, only on a predefined strategy with its own parameters.
func (s DeploymentStrategy) Validate() error {
	var errs []error
	if len(s.Name) > MaxAppConfigNameBytes {
		errs = append(errs, fmt.Errorf("Name: %d characters exceeds AppConfig's limit of %d", len(s.Name), MaxAppConfigNameBytes))
	}
	if strings.HasPrefix(s.Name, AppConfigPrefix) {
		p, ok := lookupAppConfig(s.Name)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("Name: the prefix %s is reserved for AppConfig's predefined strategies, and %s is not one", AppConfigPrefix, s.Name))
		case p.AppConfig.growth() != s.growth() || p.AppConfig.GrowthFactor != s.GrowthFactor ||
			p.AppConfig.DeploymentDurationInMinutes != s.DeploymentDurationInMinutes || p.AppConfig.FinalBakeTimeInMinutes != s.FinalBakeTimeInMinutes:
			errs = append(errs, fmt.Errorf("Name: %s is predefined as %s, not %s", s.Name, p.AppConfig.describe(), s.describe()))
		}
	}
	switch s.GrowthType {
	case "", GrowthLinear, GrowthExponential:
	default:
		msg := fmt.Sprintf("GrowthType: %q is not an AppConfig growth type (want LINEAR or EXPONENTIAL)", s.GrowthType)
		if u := GrowthType(strings.ToUpper(string(s.GrowthType))); u == GrowthLinear || u == GrowthExponential {
			msg = fmt.Sprintf("GrowthType: %q is not an AppConfig growth type (did you mean %s?)", s.GrowthType, u)
		}
		errs = append(errs, errors.New(msg))
	}
	if !(s.GrowthFactor >= MinGrowthFactor && s.GrowthFactor <= MaxGrowthFactor) {
		errs = append(errs, fmt.Errorf("GrowthFactor: %v is out of range %v..%v (percent of targets per step)", s.GrowthFactor, MinGrowthFactor, MaxGrowthFactor))
	}
	if d := s.DeploymentDurationInMinutes; d < 0 || d > MaxAppConfigMinutes {
		errs = append(errs, fmt.Errorf("DeploymentDurationInMinutes: %d is out of range 0..%d", d, MaxAppConfigMinutes))
	}
	if b := s.FinalBakeTimeInMinutes; b < 0 || b > MaxAppConfigMinutes {
		errs = append(errs, fmt.Errorf("FinalBakeTimeInMinutes: %d is out of range 0..%d", b, MaxAppConfigMinutes))
	}
	return errors.Join(errs...)
}

// Percents returns the exposure of each step, in order, the last one 100
// (docs/plans.md):
//   - LINEAR: min(k·G, 100) for k = 1..ceil(100/G);
//   - EXPONENTIAL: G·2^N for N = 0, 1, …, the first value ≥ 100 replaced by
//     100, so 1 + ceil(log2(100/G)) steps (G = 10: 10, 20, 40, 80, 100).
//
// s must be valid.
func (s DeploymentStrategy) Percents() []float64 {
	g := s.GrowthFactor
	var out []float64
	if s.growth() == GrowthExponential {
		for v := g; ; v *= 2 { // doubling is exact in binary floating point
			if v >= 100 {
				return append(out, 100)
			}
			out = append(out, v)
		}
	}
	for k := 1; ; k++ {
		// k·G rounded to 1e-9 %, so that 3 × 33.3 reads 99.9, not 99.89999999999999.
		v := math.Round(float64(k)*g*1e9) / 1e9
		if v >= 100 {
			return append(out, 100)
		}
		out = append(out, v)
	}
}

// Plan returns s's schedule: Percents()[k−1] at step k's time (see
// StepTiming; with S steps over D minutes, k·D/S or (k−1)·D/S), and End
// FinalBakeTimeInMinutes after the step to 100 %. The whole plan, bake
// included, is one AllowTraffic-like phase for the deploy controller, so
// alarms are watched through the bake and one in ALARM rolls back. s must be
// valid.
func (s DeploymentStrategy) Plan(t StepTiming) Plan {
	pcts := s.Percents()
	n := int64(len(pcts))
	d := time.Duration(s.DeploymentDurationInMinutes) * time.Minute
	steps := make([]Step, n)
	for i, p := range pcts {
		k := int64(i) + 1
		if t == StepAtIntervalStart {
			k--
		}
		// k·D/S in integer nanoseconds: exact for every valid D and S ≤ 100.
		steps[i] = Step{At: time.Duration(k * int64(d) / n), Percent: p}
	}
	last := steps[n-1].At
	return Plan{Steps: steps, End: last + time.Duration(s.FinalBakeTimeInMinutes)*time.Minute}
}

// lookupAppConfig finds a predefined AppConfig strategy by its ID.
func lookupAppConfig(name string) (Config, bool) {
	for _, s := range predefinedAppConfig {
		if s.Name == name {
			return FromDeploymentStrategy(s), true
		}
	}
	return Config{}, false
}

// appConfigNames lists the predefined AppConfig IDs.
func appConfigNames() []string {
	out := make([]string, len(predefinedAppConfig))
	for i, s := range predefinedAppConfig {
		out[i] = s.Name
	}
	return out
}

// Resolve finds any predefined plan by name: an AppConfig strategy ID
// ("AppConfig.Canary10Percent20Minutes"), an ECS plan's generated name
// ("ECS.Canary5Percent10MinutesBake10Minutes") or, as Lookup does, a CodeDeploy
// config's full or SAM short name. An unknown name yields a *NameError
// suggesting names of the family its prefix points at.
func Resolve(name string) (Config, error) {
	if c, ok := lookupAppConfig(name); ok {
		return c, nil
	}
	if c, ok := ParseECSName(name); ok {
		return c, nil
	}
	if strings.HasPrefix(name, ECSPrefix) {
		return Config{}, fmt.Errorf("%q is not an ECS plan name: write it as ECS.Linear10PercentEvery6MinutesBake10Minutes, ECS.Canary5Percent10MinutesBake10Minutes, ECS.BlueGreenBake10Minutes or ECS.BlueGreenTest5MinutesBake10Minutes with parameters in ECS's ranges, or as {name, deploymentConfiguration: {...}} (docs/plans.md)", name)
	}
	if strings.HasPrefix(name, AppConfigPrefix) || strings.HasPrefix(strings.ToLower(name), strings.ToLower(AppConfigPrefix)) {
		return Config{}, &NameError{Name: name, Suggestions: suggest.Closest(name, appConfigNames(), 3), AppConfig: true}
	}
	c, err := Lookup(name)
	if err != nil {
		var ne *NameError
		if errors.As(err, &ne) {
			if _, ok := lookupAppConfig(AppConfigPrefix + name); ok { // the prefix forgotten
				ne.Suggestions = append([]string{AppConfigPrefix + name}, ne.Suggestions...)
			} else if len(ne.Suggestions) == 0 {
				ne.Suggestions = suggest.Closest(name, appConfigNames(), 3)
			}
		}
	}
	return c, err
}
