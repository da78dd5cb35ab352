package strategies

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/limits"
)

// The Types of Amazon ECS's native deployment strategies (deploymentController
// ECS): their values are ECS's DeploymentStrategy words. A Config of these
// Types carries its parameters in Config.ECS; CodeDeploy cannot run it
// (docs/plans.md, "Amazon ECS native deployments").
const (
	ECSLinear    Type = "LINEAR"
	ECSCanary    Type = "CANARY"
	ECSBlueGreen Type = "BLUE_GREEN"
)

// ECSPrefix starts the name shiftsim gives an ECS plan that has none
// (ECS.Linear10PercentEvery6MinutesBake10Minutes); ECS itself names no
// strategies.
const ECSPrefix = "ECS."

// ECS's defaults (ECS API Reference, LinearConfiguration and
// CanaryConfiguration).
const (
	DefaultStepPercent           = 10.0
	DefaultStepBakeTimeInMinutes = 6
	DefaultCanaryPercent         = 5.0
	DefaultCanaryBakeTimeInMin   = 10
	// MaxECSCloudFormationMinutes is CloudFormation's 33-hour check on a
	// linear or canary deployment's planned bakes.
	MaxECSCloudFormationMinutes = 33 * 60
)

// Bound names in internal/limits of the ECS fields, as scenario paths.
const (
	ecsPath        = "deployment.strategies[]."
	boundStepPct   = ecsPath + "deploymentConfiguration.linearConfiguration.stepPercent"
	boundStepBake  = ecsPath + "deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes"
	boundCanaryPct = ecsPath + "deploymentConfiguration.canaryConfiguration.canaryPercent"
	boundCanaryBk  = ecsPath + "deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes"
	boundBake      = ecsPath + "deploymentConfiguration.bakeTimeInMinutes"
	boundTest      = ecsPath + "testTrafficTimeInMinutes"
)

// ECSService is how a scenario writes an ECS plan: a name of the user's
// choosing, ECS's deploymentConfiguration restricted to what shapes the
// traffic of a Lambda alias, and, for BLUE_GREEN, how long the test-traffic
// phase holds the deployment before production traffic moves (ECS has no
// field for it: the POST_TEST_TRAFFIC_SHIFT hook decides; docs/plans.md).
type ECSService struct {
	Name                     string                      `yaml:"name" json:"name,omitempty"`
	DeploymentConfiguration  *ECSDeploymentConfiguration `yaml:"deploymentConfiguration" json:"deploymentConfiguration"`
	TestTrafficTimeInMinutes *int                        `yaml:"testTrafficTimeInMinutes" json:"testTrafficTimeInMinutes,omitempty"`
}

// ECSDeploymentConfiguration is ECS's DeploymentConfiguration: the strategy
// and the sub-object it selects, and the deployment bake. Keys are ECS's.
type ECSDeploymentConfiguration struct {
	Strategy            string                  `yaml:"strategy" json:"strategy"`
	LinearConfiguration *ECSLinearConfiguration `yaml:"linearConfiguration" json:"linearConfiguration,omitempty"`
	CanaryConfiguration *ECSCanaryConfiguration `yaml:"canaryConfiguration" json:"canaryConfiguration,omitempty"`
	BakeTimeInMinutes   *int                    `yaml:"bakeTimeInMinutes" json:"bakeTimeInMinutes"`
	Alarms              *ECSDeploymentAlarms    `yaml:"alarms" json:"alarms,omitempty"`
}

// ECSDeploymentAlarms is ECS's DeploymentAlarms: the CloudWatch alarms
// that fail the deployment, whether they are used at all, and whether a
// failed deployment rolls back. All three are required, as in ECS's API;
// without the object the plan watches the scenario's alarms (docs/plans.md).
type ECSDeploymentAlarms struct {
	AlarmNames []string `yaml:"alarmNames" json:"alarmNames"`
	Enable     *bool    `yaml:"enable" json:"enable"`
	Rollback   *bool    `yaml:"rollback" json:"rollback"`
}

// ECSLinearConfiguration is ECS's LinearConfiguration; absent fields take
// ECS's defaults (10 %, 6 minutes).
type ECSLinearConfiguration struct {
	StepPercent           *float64 `yaml:"stepPercent" json:"stepPercent,omitempty"`
	StepBakeTimeInMinutes *int     `yaml:"stepBakeTimeInMinutes" json:"stepBakeTimeInMinutes,omitempty"`
}

// ECSCanaryConfiguration is ECS's CanaryConfiguration; absent fields take
// ECS's defaults (5 %, 10 minutes).
type ECSCanaryConfiguration struct {
	CanaryPercent           *float64 `yaml:"canaryPercent" json:"canaryPercent,omitempty"`
	CanaryBakeTimeInMinutes *int     `yaml:"canaryBakeTimeInMinutes" json:"canaryBakeTimeInMinutes,omitempty"`
}

// ECSConfig is an ECS plan's parameters with the defaults applied.
type ECSConfig struct {
	// Percent is stepPercent (LINEAR) or canaryPercent (CANARY), a multiple
	// of 0.1; 0 for BLUE_GREEN.
	Percent float64
	// StepBake is stepBakeTimeInMinutes (LINEAR) or canaryBakeTimeInMinutes
	// (CANARY); 0 for BLUE_GREEN.
	StepBake int
	// Bake is bakeTimeInMinutes: alarms watched after all production
	// traffic has moved.
	Bake int
	// TestTraffic is the minutes of test traffic (0 % of production to the
	// target) before a BLUE_GREEN deployment's production shift.
	TestTraffic int
}

// IsECS reports whether t is one of ECS's native strategies.
func (t Type) IsECS() bool { return t == ECSLinear || t == ECSCanary || t == ECSBlueGreen }

// Family names the system whose plan c is: CodeDeploy, AppConfig, ECS,
// Argo Rollouts or Flagger.
func (c Config) Family() string {
	switch {
	case c.Type == AppConfig:
		return "AppConfig"
	case c.Type.IsECS():
		return "ECS"
	case c.Argo():
		return "Argo Rollouts"
	case c.Type == FlaggerType:
		return "Flagger"
	}
	return "CodeDeploy"
}

// or is *v when v is set, def (ECS's default) otherwise.
func or[T any](v *T, def T) T {
	if v != nil {
		return *v
	}
	return def
}

// orZero is *v, or T's zero value (every field absent) when v is nil.
func orZero[T any](v *T) T {
	var zero T
	return or(v, zero)
}

// FromECS converts and validates a scenario's ECS plan. Errors name the
// field by its ECS path (deploymentConfiguration.linearConfiguration.stepPercent)
// with the accepted range, one per line; all are reported.
func FromECS(s ECSService) (Config, error) {
	d := s.DeploymentConfiguration
	if d == nil {
		return Config{}, errors.New("deploymentConfiguration: missing (want {strategy: LINEAR, CANARY or BLUE_GREEN, bakeTimeInMinutes, ...})")
	}
	var errs []error
	c := Config{Name: s.Name, Type: Type(d.Strategy)}
	lin, can := d.LinearConfiguration != nil, d.CanaryConfiguration != nil
	absent := func(field string, present bool) {
		if present {
			errs = append(errs, fmt.Errorf("deploymentConfiguration.%s: must be absent for strategy %s", field, d.Strategy))
		}
	}
	switch c.Type {
	case ECSLinear:
		absent("canaryConfiguration", can)
		l := orZero(d.LinearConfiguration)
		c.ECS.Percent = or(l.StepPercent, DefaultStepPercent)
		c.ECS.StepBake = or(l.StepBakeTimeInMinutes, DefaultStepBakeTimeInMinutes)
	case ECSCanary:
		absent("linearConfiguration", lin)
		k := orZero(d.CanaryConfiguration)
		c.ECS.Percent = or(k.CanaryPercent, DefaultCanaryPercent)
		c.ECS.StepBake = or(k.CanaryBakeTimeInMinutes, DefaultCanaryBakeTimeInMin)
	case ECSBlueGreen:
		absent("linearConfiguration", lin)
		absent("canaryConfiguration", can)
	case "ROLLING":
		return Config{}, errors.New("deploymentConfiguration.strategy: ROLLING replaces tasks, it does not shift traffic between two versions of a Lambda alias (want LINEAR, CANARY or BLUE_GREEN)")
	case "":
		return Config{}, errors.New("deploymentConfiguration.strategy: missing (want LINEAR, CANARY or BLUE_GREEN)")
	default:
		msg := fmt.Sprintf("deploymentConfiguration.strategy: %q is not an ECS deployment strategy (want LINEAR, CANARY or BLUE_GREEN)", d.Strategy)
		if u := Type(strings.ToUpper(strings.ReplaceAll(d.Strategy, "-", "_"))); u.IsECS() {
			msg = fmt.Sprintf("deploymentConfiguration.strategy: %q is not an ECS deployment strategy (did you mean %s?)", d.Strategy, u)
		}
		return Config{}, errors.New(msg)
	}
	if d.BakeTimeInMinutes == nil {
		errs = append(errs, errors.New("deploymentConfiguration.bakeTimeInMinutes: missing (required: minutes 0 to 1440 that alarms are watched after all traffic has moved; docs/plans.md)"))
	} else {
		c.ECS.Bake = *d.BakeTimeInMinutes
	}
	if a := d.Alarms; a != nil {
		if len(a.AlarmNames) == 0 {
			errs = append(errs, errors.New("deploymentConfiguration.alarms.alarmNames: missing (required: one or more CloudWatch alarm names)"))
		}
		for i, n := range a.AlarmNames {
			for j := range i {
				if a.AlarmNames[j] == n {
					errs = append(errs, fmt.Errorf("deploymentConfiguration.alarms.alarmNames[%d]: %q repeats alarmNames[%d]", i, n, j))
				}
			}
		}
		if a.Enable == nil {
			errs = append(errs, errors.New("deploymentConfiguration.alarms.enable: missing (required: true to watch the alarms, false not to)"))
		}
		if a.Rollback == nil {
			errs = append(errs, errors.New("deploymentConfiguration.alarms.rollback: missing (required: true to roll back when an alarm fails the deployment)"))
		}
		if a.Enable != nil && a.Rollback != nil {
			c.Watch = &AlarmWatch{Names: []string{}, Rollback: *a.Rollback}
			if *a.Enable {
				c.Watch.Names = append(c.Watch.Names, a.AlarmNames...)
			}
		}
	}
	if s.TestTrafficTimeInMinutes != nil {
		if c.Type != ECSBlueGreen {
			errs = append(errs, fmt.Errorf("testTrafficTimeInMinutes: only a BLUE_GREEN deployment has a test-traffic phase, not %s", c.Type))
		} else {
			c.ECS.TestTraffic = *s.TestTrafficTimeInMinutes
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	// A percent within float noise of a multiple of 0.1 (0.1 + 0.2) is that
	// multiple, so that names and steps print it as people wrote it.
	if t := c.ECS.Percent * 10; math.Abs(t-math.Round(t)) <= 1e-9 {
		c.ECS.Percent = math.Round(t) / 10
	}
	if c.Name == "" {
		c.Name = GeneratedName(c)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// validateECS checks c's ECS parameters against ECS's ranges
// (internal/limits) and CloudFormation's 33-hour check.
func (c Config) validateECS() error {
	var errs []error
	e := c.ECS
	check := func(bound string, v float64) {
		if err := limits.Of(bound).Check(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", strings.TrimPrefix(bound, ecsPath), err))
		}
	}
	tenths := func(bound string, v float64) {
		if t := v * 10; math.Abs(t-math.Round(t)) > 1e-9 {
			errs = append(errs, fmt.Errorf("%s: %v is not a multiple of 0.1 (ECS takes percentages in steps of 0.1)", strings.TrimPrefix(bound, ecsPath), v))
		}
	}
	zero := func(field string, v float64) {
		if v != 0 {
			errs = append(errs, fmt.Errorf("%s: must be 0 for %s", field, c.Type))
		}
	}
	if len(c.Name) > MaxNameLength {
		errs = append(errs, fmt.Errorf("name: %d characters exceeds the limit of %d", len(c.Name), MaxNameLength))
	}
	// A name in shiftsim's ECS pattern must say what the plan does.
	if strings.HasPrefix(c.Name, ECSPrefix) && c.Type.IsECS() {
		if want := ecsName(c); c.Name != want {
			errs = append(errs, fmt.Errorf("name: %s reads as a plan's parameters, but this plan is %s (name it %s, or choose a name without the %s prefix)", c.Name, c.describe(), want, ECSPrefix))
		}
	}
	if c.Percentage != 0 || c.Interval != 0 {
		errs = append(errs, fmt.Errorf("Percentage, Interval: must be 0 for an ECS strategy (its parameters are in ECS)"))
	}
	check(boundBake, float64(e.Bake))
	switch c.Type {
	case ECSLinear:
		check(boundStepPct, e.Percent)
		tenths(boundStepPct, e.Percent)
		check(boundStepBake, float64(e.StepBake))
		zero("testTrafficTimeInMinutes", float64(e.TestTraffic))
		if len(errs) == 0 {
			bakes := len(e.percents()) - 1 // CloudFormation's "number of deployment steps"
			if total := e.Bake + e.StepBake*bakes; total > MaxECSCloudFormationMinutes {
				errs = append(errs, fmt.Errorf("deploymentConfiguration.bakeTimeInMinutes: %d + stepBakeTimeInMinutes %d × %d step bakes = %d minutes exceeds CloudFormation's limit of 33 hours (%d minutes; docs/plans.md)",
					e.Bake, e.StepBake, bakes, total, MaxECSCloudFormationMinutes))
			}
		}
	case ECSCanary:
		check(boundCanaryPct, e.Percent)
		tenths(boundCanaryPct, e.Percent)
		check(boundCanaryBk, float64(e.StepBake))
		zero("testTrafficTimeInMinutes", float64(e.TestTraffic))
		if total := e.Bake + e.StepBake; len(errs) == 0 && total > MaxECSCloudFormationMinutes {
			errs = append(errs, fmt.Errorf("deploymentConfiguration.bakeTimeInMinutes: %d + canaryBakeTimeInMinutes %d = %d minutes exceeds CloudFormation's limit of 33 hours (%d minutes; docs/plans.md)",
				e.Bake, e.StepBake, total, MaxECSCloudFormationMinutes))
		}
	case ECSBlueGreen:
		zero("Percent", e.Percent)
		zero("StepBake", float64(e.StepBake))
		check(boundTest, float64(e.TestTraffic))
	}
	return errors.Join(errs...)
}

// percents is the exposure after each shift, computed in tenths of a percent
// so that 0.1-steps are exact: min(k·p, 100) for k = 1..ceil(100/p). When p
// does not divide 100 the last shift is the smaller rest (11 → 11, 22, …, 99,
// 100; docs/plans.md, decision 5).
func (e ECSConfig) percents() []float64 {
	p := int(math.Round(e.Percent * 10))
	if p <= 0 {
		return nil
	}
	n := (1000 + p - 1) / p
	out := make([]float64, n)
	for k := 1; k <= n; k++ {
		out[k-1] = float64(min(k*p, 1000)) / 10
	}
	return out
}

// ecsPlan is c's schedule from the deployment's start (docs/plans.md):
//   - LINEAR: shift k (k = 1..n, n = ceil(100/p)) to min(k·p, 100) % at
//     (k−1)·stepBake — a step bake after every shift but the one reaching
//     100 % — then the deployment bake: End = (n−1)·stepBake + bake;
//   - CANARY: p % at 0, 100 % at canaryBake, End = canaryBake + bake (a
//     100 % canary is one shift, then the bake);
//   - BLUE_GREEN: 0 % of production during the test traffic, 100 % at once
//     after it, End = testTraffic + bake.
//
// Alarms are watched from the start to End; one in ALARM rolls back.
func (c Config) ecsPlan() Plan {
	e := c.ECS
	min := func(m int) time.Duration { return time.Duration(m) * time.Minute }
	var steps []Step
	switch c.Type {
	case ECSLinear:
		for k, p := range e.percents() {
			steps = append(steps, Step{At: min(k * e.StepBake), Percent: p})
		}
	case ECSCanary:
		if e.Percent >= 100 {
			steps = []Step{{0, 100}}
		} else {
			steps = []Step{{0, e.Percent}, {min(e.StepBake), 100}}
		}
	case ECSBlueGreen:
		steps = []Step{{min(e.TestTraffic), 100}}
	}
	return Plan{Steps: steps, End: steps[len(steps)-1].At + min(e.Bake)}
}

// ecsName is GeneratedName for an ECS plan: ECS.Linear10PercentEvery6MinutesBake10Minutes,
// ECS.Canary5Percent10MinutesBake10Minutes, ECS.BlueGreenBake10Minutes,
// ECS.BlueGreenTest5MinutesBake10Minutes. ParseECSName reads it back.
func ecsName(c Config) string {
	e := c.ECS
	minutes := func(n int) string {
		if n == 1 {
			return "1Minute"
		}
		return strconv.Itoa(n) + "Minutes"
	}
	pct := strconv.FormatFloat(e.Percent, 'f', -1, 64)
	switch c.Type {
	case ECSLinear:
		return fmt.Sprintf("%sLinear%sPercentEvery%sBake%s", ECSPrefix, pct, minutes(e.StepBake), minutes(e.Bake))
	case ECSCanary:
		return fmt.Sprintf("%sCanary%sPercent%sBake%s", ECSPrefix, pct, minutes(e.StepBake), minutes(e.Bake))
	}
	if e.TestTraffic > 0 {
		return fmt.Sprintf("%sBlueGreenTest%sBake%s", ECSPrefix, minutes(e.TestTraffic), minutes(e.Bake))
	}
	return fmt.Sprintf("%sBlueGreenBake%s", ECSPrefix, minutes(e.Bake))
}

// ParseECSName reads a name ecsName writes back into a validated config of
// that name, so that an ECS plan can be named on the command line
// (run --strategy ECS.Canary5Percent10MinutesBake10Minutes). Only the exact
// spelling GeneratedName writes is accepted.
func ParseECSName(name string) (Config, bool) {
	rest, ok := strings.CutPrefix(name, ECSPrefix)
	if !ok {
		return Config{}, false
	}
	c := Config{Name: name}
	num := func(s, unit string) (float64, string, bool) {
		i := 0
		for i < len(s) && i < 8 && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		v, err := strconv.ParseFloat(s[:i], 64)
		if i == 0 || err != nil {
			return 0, s, false
		}
		r, ok := strings.CutPrefix(s[i:], unit)
		return v, r, ok
	}
	mins := func(s string) (int, string, bool) {
		v, r, ok := num(s, "Minute")
		r = strings.TrimPrefix(r, "s")
		return int(v), r, ok && v == math.Trunc(v)
	}
	var pct float64
	var step, bake, test int
	// stepped reads Linear's and Canary's percent and step bake after word,
	// unit being the word GeneratedName writes between them.
	stepped := func(typ Type, word, unit string) bool {
		c.Type = typ
		if pct, rest, ok = num(rest[len(word):], unit); !ok {
			return false
		}
		step, rest, ok = mins(rest)
		return ok
	}
	switch {
	case strings.HasPrefix(rest, "Linear"):
		if !stepped(ECSLinear, "Linear", "PercentEvery") {
			return Config{}, false
		}
	case strings.HasPrefix(rest, "Canary"):
		if !stepped(ECSCanary, "Canary", "Percent") {
			return Config{}, false
		}
	case strings.HasPrefix(rest, "BlueGreen"):
		c.Type = ECSBlueGreen
		rest = rest[len("BlueGreen"):]
		if r, ok := strings.CutPrefix(rest, "Test"); ok {
			if test, rest, ok = mins(r); !ok {
				return Config{}, false
			}
		}
	default:
		return Config{}, false
	}
	r, ok := strings.CutPrefix(rest, "Bake")
	if !ok {
		return Config{}, false
	}
	if bake, rest, ok = mins(r); !ok || rest != "" {
		return Config{}, false
	}
	c.ECS = ECSConfig{Percent: pct, StepBake: step, Bake: bake, TestTraffic: test}
	if c.Validate() != nil || GeneratedName(c) != name {
		return Config{}, false
	}
	return c, true
}

// ExampleECS returns one plan of each ECS strategy with ECS's defaults and
// a deployment bake of bake minutes (ECS has no default for it), named as
// GeneratedName names them; `shiftsim strategies` lists them.
func ExampleECS(bake int) []Config {
	out := []Config{
		{Type: ECSLinear, ECS: ECSConfig{Percent: DefaultStepPercent, StepBake: DefaultStepBakeTimeInMinutes, Bake: bake}},
		{Type: ECSCanary, ECS: ECSConfig{Percent: DefaultCanaryPercent, StepBake: DefaultCanaryBakeTimeInMin, Bake: bake}},
		{Type: ECSBlueGreen, ECS: ECSConfig{Bake: bake}},
	}
	for i := range out {
		out[i].Name = GeneratedName(out[i])
	}
	return out
}

// ECSService is the inverse of FromECS: c written as a scenario writes it,
// every field explicit, so FromECS(c.ECSService()) gives c back. c must be
// a valid ECS plan.
func (c Config) ECSService() ECSService {
	e := c.ECS
	bake := e.Bake
	d := &ECSDeploymentConfiguration{Strategy: string(c.Type), BakeTimeInMinutes: &bake}
	pct, step := e.Percent, e.StepBake
	switch c.Type {
	case ECSLinear:
		d.LinearConfiguration = &ECSLinearConfiguration{StepPercent: &pct, StepBakeTimeInMinutes: &step}
	case ECSCanary:
		d.CanaryConfiguration = &ECSCanaryConfiguration{CanaryPercent: &pct, CanaryBakeTimeInMinutes: &step}
	}
	s := ECSService{Name: c.Name, DeploymentConfiguration: d}
	if c.Type == ECSBlueGreen && e.TestTraffic > 0 {
		test := e.TestTraffic
		s.TestTrafficTimeInMinutes = &test
	}
	return s
}
