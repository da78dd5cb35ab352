package strategies

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shiftsim/shiftsim/internal/suggest"
)

// Type is CodeDeploy's TrafficRoutingType: how traffic moves to the new version.
//
// The constants are named Canary and Linear, not TimeBasedCanary and
// TimeBasedLinear, because those names belong to the AWS-shaped structs below;
// their values are CodeDeploy's exact words.
type Type string

// The traffic routing types CodeDeploy accepts for Lambda (SDK-CD types/enums.go).
// "TimeBasedFlexible", listed only in the current API reference, is unknown here
// (docs/codedeploy.md, "Custom configurations").
const (
	Canary    Type = "TimeBasedCanary"
	Linear    Type = "TimeBasedLinear"
	AllAtOnce Type = "AllAtOnce"
)

// Limits from CD-UG:limits and CD-UG:applications-create-lambda (docs/codedeploy.md, "Custom configurations").
const (
	// MaxPercentage is the largest step a canary or linear config may shift.
	MaxPercentage = 99
	// MaxSpanMinutes bounds the time between the first and last traffic shift.
	MaxSpanMinutes = 2880
	// MaxNameLength bounds a custom DeploymentConfigName.
	MaxNameLength = 100
	// ReservedPrefix starts every predefined name; custom configs may not use it.
	ReservedPrefix = "CodeDeployDefault."
)

// Config is one deployment plan: a CodeDeploy Lambda deployment
// configuration (Type Canary, Linear or AllAtOnce) or an AppConfig deployment
// strategy (Type AppConfig, parameters in AppConfig).
type Config struct {
	Name       string // the full CodeDeploy name or the custom DeploymentConfigName; the AppConfig strategy's name
	Type       Type
	Percentage int // CanaryPercentage or LinearPercentage (integer percent, as in AWS); 0 for AllAtOnce
	Interval   int // CanaryInterval or LinearInterval in minutes (integer, as in AWS); 0 for AllAtOnce

	// AppConfig holds an AppConfig strategy's parameters (Type AppConfig only).
	AppConfig DeploymentStrategy
	// Timing places an AppConfig strategy's steps inside its duration
	// (docs/plans.md; AWS's pages disagree).
	Timing StepTiming
	// InsufficientDataRollsBack makes an AppConfig deployment roll back on an
	// alarm in INSUFFICIENT_DATA as well as ALARM (docs/plans.md; AWS's pages
	// disagree, the default is ALARM only).
	InsufficientDataRollsBack bool
	// Rollout holds an Argo Rollouts plan (Type ArgoCanary or ArgoBlueGreen
	// only), with the AnalysisTemplates it references.
	Rollout *Rollout

	// ECS holds an ECS native strategy's parameters (Types ECSLinear,
	// ECSCanary and ECSBlueGreen only).
	ECS ECSConfig
	// Flagger holds a Flagger canary analysis (Type FlaggerType only).
	Flagger *FlaggerPlan
	// Watch is the plan's own choice of alarms (an ECS plan's
	// deploymentConfiguration.alarms); nil watches the scenario's alarms
	// with the scenario's rollback setting.
	Watch *AlarmWatch
}

// AlarmWatch is the alarms a plan watches and what an alarm does to it.
type AlarmWatch struct {
	// Names are the alarms watched; empty watches none (ECS's enable: false).
	Names []string
	// Rollback sends traffic back to the current version when an alarm
	// fails the deployment; false leaves it where it is (ECS's rollback).
	Rollback bool
}

// Alarms is what c watches out of the scenario's alarms all (in their
// order) — their indices into all — and whether an alarm rolls back, given
// the scenario's auto-rollback setting.
func (c Config) Alarms(all []string, autoRollback bool) (idx []int, rollback bool) {
	if c.Watch == nil {
		idx = make([]int, len(all))
		for i := range all {
			idx[i] = i
		}
		return idx, autoRollback
	}
	idx = []int{}
	for i, a := range all {
		for _, n := range c.Watch.Names {
			if n == a {
				idx = append(idx, i)
				break
			}
		}
	}
	return idx, c.Watch.Rollback
}

// Argo reports whether c is an Argo Rollouts plan.
func (c Config) Argo() bool { return c.Type == ArgoCanary || c.Type == ArgoBlueGreen }

// LifecycleHooks reports whether c's deployment runs CodeDeploy's
// BeforeAllowTraffic and AfterAllowTraffic hooks: CodeDeploy plans do,
// AppConfig, ECS and Argo Rollouts plans do not (docs/plans.md).
func (c Config) LifecycleHooks() bool { return c.CodeDeploy() }

// CodeDeploy reports whether CodeDeploy can run c as a Lambda deployment
// configuration: TimeBasedCanary, TimeBasedLinear and AllAtOnce can; every
// other plan (AppConfig's, and the peers' plans) is run by shiftsim's own
// alias executor (docs/driver.md).
func (c Config) CodeDeploy() bool {
	switch c.Type {
	case Canary, Linear, AllAtOnce:
		return true
	}
	return false
}

// MaxAlarms is how many alarms c's deployment can watch: CodeDeploy's 10 or
// an AppConfig environment's 5 monitors.
func (c Config) MaxAlarms() int {
	if c.Type == AppConfig {
		return MaxAppConfigMonitors
	}
	return 10
}

// predefined lists the CodeDeployDefault.Lambda* configs in the order of
// CD-UG:deployment-configurations, with SAM's short names (docs/codedeploy.md, "Configuration names").
// Note the singular Every1Minute against the plural Every2Minutes.
var predefined = [...]struct {
	short string
	typ   Type
	pct   int
	min   int
}{
	{"Canary10Percent5Minutes", Canary, 10, 5},
	{"Canary10Percent10Minutes", Canary, 10, 10},
	{"Canary10Percent15Minutes", Canary, 10, 15},
	{"Canary10Percent30Minutes", Canary, 10, 30},
	{"Linear10PercentEvery1Minute", Linear, 10, 1},
	{"Linear10PercentEvery2Minutes", Linear, 10, 2},
	{"Linear10PercentEvery3Minutes", Linear, 10, 3},
	{"Linear10PercentEvery10Minutes", Linear, 10, 10},
	{"AllAtOnce", AllAtOnce, 0, 0},
}

// fullPrefix turns a SAM short name into the CodeDeploy name, as SAM's
// _replace_deployment_types does with Fn::Sub "CodeDeployDefault.Lambda${ConfigName}".
const fullPrefix = ReservedPrefix + "Lambda"

// Predefined returns the nine CodeDeployDefault.Lambda* configs in the AWS
// documentation's order, each named by its full CodeDeploy name.
func Predefined() []Config {
	out := make([]Config, len(predefined))
	for i, p := range predefined {
		out[i] = Config{Name: fullPrefix + p.short, Type: p.typ, Percentage: p.pct, Interval: p.min}
	}
	return out
}

// Lookup finds a predefined config by its full CodeDeploy name
// ("CodeDeployDefault.LambdaCanary10Percent5Minutes") or its SAM
// DeploymentPreference short name ("Canary10Percent5Minutes", "AllAtOnce").
// The returned Config.Name is name exactly as given.
//
// Matching is case-sensitive, as in AWS: SAM passes any string it does not
// recognise through unchanged as a custom config name (docs/codedeploy.md), so
// "canary10percent5minutes" would name a custom config that does not exist.
// An unknown name yields a *NameError whose message suggests close matches.
func Lookup(name string) (Config, error) {
	for _, p := range predefined {
		if name == p.short || name == fullPrefix+p.short {
			return Config{Name: name, Type: p.typ, Percentage: p.pct, Interval: p.min}, nil
		}
	}
	// An ECS name's Lambda twin is the likeliest intent.
	near := name
	if rest, ok := strings.CutPrefix(name, ReservedPrefix+"ECS"); ok {
		near = fullPrefix + rest
	}
	return Config{}, &NameError{Name: name, Suggestions: suggest.Closest(near, names(), 3)}
}

// names lists every name Lookup accepts: for each config, short then full.
func names() []string {
	out := make([]string, 0, 2*len(predefined))
	for _, p := range predefined {
		out = append(out, p.short, fullPrefix+p.short)
	}
	return out
}

// NameError reports a deployment configuration name that Lookup does not know.
type NameError struct {
	Name        string
	Suggestions []string // closest known names, best first; may be empty
	AppConfig   bool     // the name has AppConfig's prefix
}

func (e *NameError) Error() string {
	var b strings.Builder
	if e.AppConfig {
		fmt.Fprintf(&b, "unknown AppConfig predefined deployment strategy %q", e.Name)
		if len(e.Suggestions) > 0 {
			fmt.Fprintf(&b, " (did you mean %s?)", suggest.OrList(e.Suggestions))
		} else {
			fmt.Fprintf(&b, " (want one of %s)", suggest.OrList(appConfigNames()))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "unknown Lambda deployment configuration %q", e.Name)
	switch {
	case strings.HasPrefix(e.Name, ReservedPrefix+"ECS"):
		b.WriteString(": that is an ECS configuration")
	case strings.HasPrefix(e.Name, ReservedPrefix) && !strings.HasPrefix(e.Name, fullPrefix):
		b.WriteString(": that is an EC2/On-Premises configuration")
	}
	if len(e.Suggestions) > 0 {
		fmt.Fprintf(&b, " (did you mean %s?)", suggest.OrList(e.Suggestions))
	} else {
		b.WriteString(" (want a CodeDeployDefault.Lambda* name or its SAM short name, e.g. Canary10Percent5Minutes)")
	}
	return b.String()
}

// ShortName returns the SAM DeploymentPreference.Type that selects c's
// schedule: the predefined short name when c's Type, Percentage and Interval
// equal a predefined config's, otherwise c.Name (SAM passes other names
// through as custom config names, docs/codedeploy.md).
func ShortName(c Config) string {
	for _, p := range predefined {
		if c.Type == p.typ && c.Percentage == p.pct && c.Interval == p.min {
			return p.short
		}
	}
	return c.Name
}

// fields names the fields a validation error points at, so that Config.Validate
// speaks of Config fields and FromDeploymentConfig of AWS property paths.
type fields struct {
	name, typ, pct, interval string
}

var configFields = fields{name: "Name", typ: "Type", pct: "Percentage", interval: "Interval"}

// Validate reports every problem with c, one field per line:
//   - Name, if set: at most 100 characters of letters, digits and . _ + = , @ -,
//     and the CodeDeployDefault. prefix only on a predefined config with its own
//     parameters (CD-UG:limits);
//   - Type: Canary, Linear or AllAtOnce;
//   - canary and linear: Percentage 1..99 (CD-UG:limits), Interval >= 1 minute
//     (AWS is silent on the minimum, docs/codedeploy.md), and the span at most 2880
//     minutes: Interval for a canary, ceil(100/Percentage)·Interval for a linear
//     config — the console's rule "2,880 divided by [the number of shifts]"
//     (CD-UG:applications-create-lambda), which is also AllowTraffic's length
//     under the default LinearModel;
//   - AllAtOnce: Percentage and Interval zero (AWS has no fields for them).
func (c Config) Validate() error {
	return c.validate(configFields)
}

func (c Config) validate(f fields) error {
	if c.Type == FlaggerType {
		if c.Flagger == nil {
			return fmt.Errorf("%s: %s needs its analysis", f.typ, c.Type)
		}
		return c.Flagger.Validate()
	}
	if c.Argo() {
		if c.Rollout == nil || (c.Type == ArgoCanary) != (c.Rollout.Canary != nil) {
			return fmt.Errorf("%s: %s needs its Rollout", f.typ, c.Type)
		}
		return c.Rollout.Validate()
	}
	if c.Type == AppConfig {
		if c.Percentage != 0 || c.Interval != 0 {
			return fmt.Errorf("%s, %s: must be 0 for an AppConfig strategy (its parameters are in AppConfig)", f.pct, f.interval)
		}
		return c.AppConfig.Validate()
	}
	if c.Type.IsECS() {
		return c.validateECS()
	}
	var errs []error
	if err := c.validateName(f.name); err != nil {
		errs = append(errs, err)
	}
	switch c.Type {
	case Canary, Linear:
		if c.Percentage < 1 || c.Percentage > MaxPercentage {
			errs = append(errs, fmt.Errorf("%s: %d is out of range 1..%d", f.pct, c.Percentage, MaxPercentage))
		}
		switch {
		case c.Interval < 1:
			errs = append(errs, fmt.Errorf("%s: %d minutes is below the minimum of 1", f.interval, c.Interval))
		case c.Type == Canary && c.Interval > MaxSpanMinutes:
			errs = append(errs, fmt.Errorf("%s: %d minutes exceeds the %d-minute limit between the first and last shift (CD-UG:limits)",
				f.interval, c.Interval, MaxSpanMinutes))
		case c.Type == Linear && c.Percentage >= 1:
			n := increments(c.Percentage)
			if c.Interval > MaxSpanMinutes || n*c.Interval > MaxSpanMinutes {
				errs = append(errs, fmt.Errorf("%s: %d increments × %d minutes exceeds the %d-minute limit (at most %d minutes per increment at %d%%; CD-UG:limits, CD-UG:applications-create-lambda)",
					f.interval, n, c.Interval, MaxSpanMinutes, MaxSpanMinutes/n, c.Percentage))
			}
		}
	case AllAtOnce:
		if c.Percentage != 0 {
			errs = append(errs, fmt.Errorf("%s: %d must be 0 for AllAtOnce", f.pct, c.Percentage))
		}
		if c.Interval != 0 {
			errs = append(errs, fmt.Errorf("%s: %d must be 0 for AllAtOnce", f.interval, c.Interval))
		}
	default:
		errs = append(errs, typeError(f.typ, string(c.Type)))
	}
	return errors.Join(errs...)
}

// increments is n = ceil(100/p), the number of linear shifts.
func increments(p int) int { return (100 + p - 1) / p }

func typeError(field, got string) error {
	known := []string{string(Canary), string(Linear), string(AllAtOnce)}
	if s := suggest.Closest(got, known, 1); len(s) > 0 {
		return fmt.Errorf("%s: %q is not a known traffic routing type (did you mean %s?)", field, got, s[0])
	}
	return fmt.Errorf("%s: %q is not a known traffic routing type (want %s)", field, got, suggest.OrList(known))
}

func (c Config) validateName(field string) error {
	if c.Name == "" {
		return nil
	}
	if len(c.Name) > MaxNameLength {
		return fmt.Errorf("%s: %d characters exceeds the limit of %d", field, len(c.Name), MaxNameLength)
	}
	for _, r := range c.Name {
		if !nameChar(r) {
			return fmt.Errorf("%s: %q has the character %q; allowed are letters, digits and . _ + = , @ -", field, c.Name, r)
		}
	}
	if strings.HasPrefix(c.Name, ReservedPrefix) {
		p, err := Lookup(c.Name)
		if err != nil {
			return fmt.Errorf("%s: the prefix %s is reserved for predefined configs: %w", field, ReservedPrefix, err)
		}
		if p.Type != c.Type || p.Percentage != c.Percentage || p.Interval != c.Interval {
			return fmt.Errorf("%s: %s is predefined as %s, not %s", field, c.Name, p.describe(), c.describe())
		}
	}
	return nil
}

func nameChar(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("._+=,@-", r)
}

// describe is a short human form of c's parameters, used in error messages.
func (c Config) describe() string {
	switch c.Type {
	case AppConfig:
		return c.AppConfig.describe()
	case FlaggerType:
		return c.Flagger.describe()
	case ArgoCanary, ArgoBlueGreen:
		return "Argo Rollouts " + string(c.Type[len("ArgoRollouts."):])
	case ECSLinear:
		return fmt.Sprintf("ECS linear %v%% every %d min, bake %d min", c.ECS.Percent, c.ECS.StepBake, c.ECS.Bake)
	case ECSCanary:
		return fmt.Sprintf("ECS canary %v%% for %d min, bake %d min", c.ECS.Percent, c.ECS.StepBake, c.ECS.Bake)
	case ECSBlueGreen:
		return fmt.Sprintf("ECS blue/green, test traffic %d min, bake %d min", c.ECS.TestTraffic, c.ECS.Bake)
	case AllAtOnce:
		return string(AllAtOnce)
	case Canary:
		return fmt.Sprintf("canary %d%% then 100%% after %d min", c.Percentage, c.Interval)
	case Linear:
		return fmt.Sprintf("linear %d%% every %d min", c.Percentage, c.Interval)
	}
	return fmt.Sprintf("%q %d%% %d min", c.Type, c.Percentage, c.Interval)
}

// PredefinedName is the full CodeDeploy name of the predefined config with
// c's schedule (Type, Percentage, Interval), whatever c is called; false
// when no predefined config has it.
func PredefinedName(c Config) (string, bool) {
	for _, p := range predefined {
		if c.Type == p.typ && c.Percentage == p.pct && c.Interval == p.min {
			return fullPrefix + p.short, true
		}
	}
	return "", false
}

// CodeDeployName is the full CodeDeploy name of a predefined config found by
// Lookup ("Canary10Percent5Minutes" → "CodeDeployDefault.LambdaCanary10Percent5Minutes");
// any other config keeps its own name.
func CodeDeployName(c Config) string {
	for _, p := range predefined {
		if c.Name == p.short || c.Name == fullPrefix+p.short {
			return fullPrefix + p.short
		}
	}
	return c.Name
}
