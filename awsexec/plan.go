package awsexec

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/gate"
	"github.com/shiftsim/shiftsim/strategies"
)

// Executor names.
const (
	ExecAlias      = "alias"
	ExecCodeDeploy = "codedeploy"
)

// Plan is one deployment to carry out: which alias moves from which version
// to which, on what schedule, watched by which alarms, with which hooks.
type Plan struct {
	Executor        string // ExecAlias or ExecCodeDeploy
	Function, Alias string
	Current, Target string // published version numbers
	Strategy        string // the name the user chose, for messages
	Config          strategies.Config
	Schedule        strategies.Plan // AllowTraffic's weight steps (Config.Plan)
	Alarms          []string        // alarm names (the alias executor polls them)
	BeforeHook      string          // Lambda function invoked as BeforeAllowTraffic; "" for none
	AfterHook       string          // ... as AfterAllowTraffic
	HookTimeout     time.Duration   // 0: CodeDeploy's 1 h
	AutoRollback    bool            // roll back on an alarm or a failed hook
	// MetricDelay is how long after its minute a Lambda metric datapoint is
	// published: a gate's measurement reads only what is (docs/gates.md).
	MetricDelay time.Duration
	// PromoteAfter is when a paused Argo rollout is promoted, after its
	// pause began (the scenario's deployment.argo_promote_after); 0: it
	// waits for a user, who may interrupt.
	PromoteAfter time.Duration

	// The codedeploy executor's application and deployment group.
	Application, DeploymentGroup string
}

var (
	versionRE  = regexp.MustCompile(`^[0-9]+$`)
	functionRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	aliasRE    = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
)

// Validate reports every problem with p that makes it impossible to run;
// each is the user's to fix.
func (p Plan) Validate() error {
	var errs []error
	switch p.Executor {
	case ExecAlias, ExecCodeDeploy:
	default:
		errs = append(errs, fmt.Errorf("executor %q: want %s or %s", p.Executor, ExecAlias, ExecCodeDeploy))
	}
	if !functionRE.MatchString(p.Function) {
		errs = append(errs, fmt.Errorf("function %q: want a Lambda function name (letters, digits, - and _)", p.Function))
	}
	if !aliasRE.MatchString(p.Alias) || versionRE.MatchString(p.Alias) {
		errs = append(errs, fmt.Errorf("alias %q: want an alias name (letters, digits, - and _, not all digits)", p.Alias))
	}
	for _, v := range []struct{ what, v string }{{"current", p.Current}, {"target", p.Target}} {
		if !versionRE.MatchString(v.v) {
			errs = append(errs, fmt.Errorf("%s version %q: want a published version number (not $LATEST; an alias cannot route to $LATEST, L-DG:configuration-aliases)", v.what, v.v))
		}
	}
	if p.Current == p.Target && p.Current != "" {
		errs = append(errs, fmt.Errorf("current and target are both version %s: nothing to shift", p.Current))
	}
	if err := p.controllerConfig().Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, h := range []string{p.BeforeHook, p.AfterHook} {
		if h != "" && !functionRE.MatchString(h) {
			errs = append(errs, fmt.Errorf("hook function %q: want a Lambda function name", h))
		}
	}
	if p.Executor == ExecCodeDeploy && !p.Config.CodeDeploy() {
		errs = append(errs, fmt.Errorf("strategy %s is a %s plan: CodeDeploy cannot run it; the alias executor can (--executor alias)", p.Strategy, p.Config.Type))
	}
	if !p.Config.LifecycleHooks() && (p.BeforeHook != "" || p.AfterHook != "") {
		errs = append(errs, fmt.Errorf("strategy %s has no lifecycle hooks (a %s plan runs none, in the simulator either): drop the hook functions", p.Strategy, p.Config.Type))
	}
	for _, g := range p.gates() {
		if k := g.Query.Kind; k == gate.Kayenta || k == gate.Sequential || k == gate.SequentialLatency {
			errs = append(errs, fmt.Errorf("strategy %s: gate %s (%s) is measured by the simulator only: it needs per-request samples or per-request failure counts, which CloudWatch's per-minute datapoints do not hold (docs/plans.md)", p.Strategy, g.Name, g.Query))
		}
	}
	if p.Executor == ExecCodeDeploy && (p.Application == "" || p.DeploymentGroup == "") {
		errs = append(errs, errors.New("the codedeploy executor needs --application and --deployment-group"))
	}
	return errors.Join(errs...)
}

func (p Plan) hooks() []deploy.Hook {
	var hs []deploy.Hook
	if p.BeforeHook != "" {
		hs = append(hs, deploy.BeforeAllowTraffic)
	}
	if p.AfterHook != "" {
		hs = append(hs, deploy.AfterAllowTraffic)
	}
	return hs
}

func (p Plan) hookFunction(h deploy.Hook) string {
	if h == deploy.AfterAllowTraffic {
		return p.AfterHook
	}
	return p.BeforeHook
}

// controllerConfig is the deploy controller's configuration for p, built
// as the simulator builds it (sim's newRunner): a gated plan (Argo
// Rollouts) brings its rollout and the gates its Measure actions index.
func (p Plan) controllerConfig() deploy.Config {
	cfg := deploy.Config{Plan: p.Schedule, Hooks: p.hooks(), HookTimeout: p.HookTimeout, Alarms: p.Alarms, AutoRollback: p.AutoRollback}
	if p.Config.Argo() && p.Config.Rollout != nil {
		cfg.Rollout, cfg.Gates = p.Config.Rollout, p.Config.Rollout.Gates()
	}
	if p.Config.Type == strategies.FlaggerType && p.Config.Flagger != nil {
		cfg.Flagger, cfg.Gates = p.Config.Flagger, p.Config.Flagger.Gates()
	}
	return cfg
}

// gates are the plan's gates, as its Measure actions index them.
func (p Plan) gates() []gate.Gate {
	if p.Config.Argo() && p.Config.Rollout != nil {
		return p.Config.Rollout.Gates()
	}
	if p.Config.Type == strategies.FlaggerType && p.Config.Flagger != nil {
		return p.Config.Flagger.Gates()
	}
	return nil
}

// aliasName is "function:alias", as the timeline writes it.
func (p Plan) aliasName() string { return p.Function + ":" + p.Alias }

// DeploymentConfigName is the CodeDeploy deployment configuration the plan
// uses: the predefined one's full name, the custom config's own name, or, for
// an unnamed config, the predefined name of its schedule or one derived from
// its parameters. A plan CodeDeploy cannot run has none: its own name is
// returned (AppConfig.Canary10Percent20Minutes).
func (p Plan) DeploymentConfigName() string {
	if !p.Config.CodeDeploy() {
		if p.Config.Name != "" {
			return p.Config.Name
		}
		return p.Strategy
	}
	if n := strategies.CodeDeployName(p.Config); n != "" {
		return n
	}
	if n, ok := strategies.PredefinedName(p.Config); ok {
		return n
	}
	return "shiftsim-" + strategies.GeneratedName(p.Config) // the pattern of docs/strategy-names.md
}

// CustomConfig reports whether the plan needs a custom deployment
// configuration (one that is not CodeDeployDefault.*).
func (p Plan) CustomConfig() bool {
	return p.Config.CodeDeploy() && !strings.HasPrefix(p.DeploymentConfigName(), strategies.ReservedPrefix)
}

// AppSpec returns the Lambda AppSpec for the plan (strategies.AppSpec, the
// one renderer, docs/appspec.md), and its hex SHA-256, computed on the exact
// bytes sent.
func (p Plan) AppSpec() (content, sha string) {
	r := strategies.NewRevision(p.appSpec().YAML())
	return r.AppSpecContent.Content, r.AppSpecContent.Sha256
}

func (p Plan) appSpec() strategies.AppSpec {
	return strategies.AppSpec{Name: p.Function, Alias: p.Alias, CurrentVersion: p.Current, TargetVersion: p.Target,
		BeforeAllowTraffic: p.BeforeHook, AfterAllowTraffic: p.AfterHook}
}

// AliasState is an alias's routing: its FunctionVersion and the additional
// version weights (0..1). RevisionID is Lambda's optimistic-lock token.
type AliasState struct {
	Version    string             `json:"version"`
	Weights    map[string]float64 `json:"weights,omitempty"`
	RevisionID string             `json:"revision_id,omitempty"`
}

// Same reports whether a and b route the same way (revisions aside).
func (a AliasState) Same(b AliasState) bool {
	if a.Version != b.Version {
		return false
	}
	aw, bw := nonZero(a.Weights), nonZero(b.Weights)
	if len(aw) != len(bw) {
		return false
	}
	for k, w := range aw {
		if v, ok := bw[k]; !ok || math.Abs(v-w) > 1e-9 {
			return false
		}
	}
	return true
}

func nonZero(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// String is "version 1" or "version 1 at 90%, version 2 at 10%".
func (a AliasState) String() string {
	w := nonZero(a.Weights)
	if len(w) == 0 {
		return "version " + a.Version
	}
	rest := 1.0
	var extra []string
	for _, k := range slices.Sorted(maps.Keys(w)) {
		rest -= w[k]
		extra = append(extra, "version "+k+" at "+percent(w[k]))
	}
	return "version " + a.Version + " at " + percent(rest) + ", " + strings.Join(extra, ", ")
}

func percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) + "%"
}

// aliasAt is the alias state that gives the target pct % of the traffic:
// 0 → FunctionVersion current, no routing; 100 → FunctionVersion target, no
// routing; otherwise current with AdditionalVersionWeights{target: Weight(pct)}
// (docs/lambda.md, "Weighted aliases").
func (p Plan) aliasAt(pct float64) AliasState {
	switch pct {
	case 0:
		return AliasState{Version: p.Current}
	case 100:
		return AliasState{Version: p.Target}
	}
	return AliasState{Version: p.Current, Weights: map[string]float64{p.Target: Weight(pct)}}
}

// Weight is the AdditionalVersionWeights value that gives a version pct %
// of an alias's traffic: the float64 nearest to the decimal pct/100, so that
// 12.5 % is sent as 0.125 and 33.3 % as 0.333 (not 0.33299999999999996).
// Lambda takes any double in 0.0..1.0 and documents no coarser step
// (docs/lambda.md, "Weight precision").
func Weight(pct float64) float64 {
	w, err := strconv.ParseFloat(deploy.FormatPercent(pct)+"e-2", 64)
	if err != nil { // cannot happen: FormatPercent writes a decimal
		return pct / 100
	}
	return w
}

// targetPercent is the target's share of a state in percent (to 1e-9 %,
// so that a weight of 0.07 reads 7, not 7.000000000000001), or -1 if the
// state is not one of the plan's (another version is involved).
func (p Plan) targetPercent(a AliasState) float64 {
	w := nonZero(a.Weights)
	switch {
	case a.Version == p.Target && len(w) == 0:
		return 100
	case a.Version == p.Current && len(w) == 0:
		return 0
	case a.Version == p.Current && len(w) == 1:
		if v, ok := w[p.Target]; ok {
			return math.Round(v*100*1e9) / 1e9
		}
	}
	return -1
}
