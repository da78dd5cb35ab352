// Package scenario reads a shiftsim scenario file (YAML, or JSON) into the
// engine's Model and the strategies to compare. Every problem is reported
// as "file:line: field: what is wrong", with a suggestion where one helps;
// nothing here panics on bad input.
package scenario

import (
	"fmt"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/faults"
	"github.com/shiftsim/shiftsim/internal/safeio"
	"github.com/shiftsim/shiftsim/internal/suggest"
	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/sim"
	"github.com/shiftsim/shiftsim/strategies"
	"github.com/shiftsim/shiftsim/traffic"
)

// Defaults where the scenario is silent, each with its reason.
const (
	// DefaultSeed makes a scenario without a seed reproducible all the same.
	DefaultSeed = 1
	// DefaultMetricDelay: "Lambda sends metric data to CloudWatch in
	// 1-minute intervals" (L-DG:monitoring-metrics), so a minute's
	// datapoint is complete one interval after the minute ends at the
	// earliest. AWS documents no ingestion lag (docs/cloudwatch.md); this is our
	// reading, and a parameter.
	DefaultMetricDelay = time.Minute
	// DefaultAlarmPollInterval: how often CodeDeploy reads alarm states is
	// undocumented (docs/codedeploy.md, "Alarms"); one minute is our guess.
	DefaultAlarmPollInterval = time.Minute
	// DefaultAfterDeployment is how long the default horizon runs on after
	// the longest strategy would have finished, so late alarms show.
	DefaultAfterDeployment = 10 * time.Minute
)

// Scenario is a loaded, validated scenario.
type Scenario struct {
	Name       string
	File       string
	Function   Function
	Model      sim.Model
	Strategies []sim.Strategy
	Warnings   []Warning
	// HookFunctions names the Lambda function of each hook, where given.
	HookFunctions map[deploy.Hook]string
	// Application and DeploymentGroup are CodeDeploy's names, where given.
	Application, DeploymentGroup string
	// AppConfig holds the deployment's AppConfig settings (step timing,
	// rollback states) for a predefined AppConfig strategy resolved by name.
	AppConfig strategies.Config
	// Alarms are the alarms as the file writes them (Model.Alarms[i] is
	// Alarms[i] compiled), for tools that write an alarm back in AWS's
	// forms with its dimensions.
	Alarms []Alarm
}

// Load reads and validates the scenario file at path.
func Load(path string) (*Scenario, error) {
	data, err := safeio.ReadFile(path, safeio.MaxDocument)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and validates a scenario; file names it in messages.
func Parse(file string, data []byte) (*Scenario, error) {
	return parse(nil, file, data)
}

// LoadFS reads and validates the scenario at name (slash-separated) inside
// fsys; the recordings it names are read from fsys too, relative to name's
// folder. This is how the built-in scenarios, embedded in the binary, run
// from any directory.
func LoadFS(fsys fs.FS, name string) (*Scenario, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return ParseFS(fsys, name, data)
}

// ParseFS is Parse for a scenario read from name inside fsys: the
// recordings it names are read from fsys, relative to name's folder. A nil
// fsys means the operating system's files, as Parse.
func ParseFS(fsys fs.FS, name string, data []byte) (*Scenario, error) {
	return parse(fsys, name, data)
}

func parse(fsys fs.FS, file string, data []byte) (*Scenario, error) {
	return parseWith(fsys, file, data, nil)
}

// parseWith decodes the scenario, applies the settings to the decoded
// document and validates the result.
func parseWith(fsys fs.FS, file string, data []byte, settings []Setting) (*Scenario, error) {
	var f File
	pos, err := yamlx.Decode(file, data, &f)
	if err != nil {
		return nil, err
	}
	for _, st := range settings {
		if err := set(&f, pos, file, st); err != nil {
			return nil, err
		}
	}
	c := &converter{pos: pos, dir: filepath.Dir(file), fsys: fsys}
	if fsys != nil {
		c.dir = path.Dir(file)
	}
	if c.checkLimits(&f); c.err != nil {
		return nil, c.err
	}
	s := c.convert(&f)
	if c.err != nil {
		return nil, c.err
	}
	s.File = file
	return s, nil
}

type converter struct {
	pos *yamlx.Positions
	err error
	dir string // the scenario file's folder: recordings are relative to it
	// fsys, when set, holds the scenario and its recordings (dir is then a
	// slash-separated path inside it).
	fsys fs.FS
}

// fail records the first error at path.
func (c *converter) fail(path, format string, a ...any) {
	if c.err == nil {
		c.err = c.pos.Errorf(path, format, a...)
	}
}

func (c *converter) nonNegative(path string, d *time.Duration) time.Duration {
	if d == nil {
		return 0
	}
	if *d < 0 {
		c.fail(path, "negative duration %v: must be >= 0", *d)
		return 0
	}
	return *d
}

func (c *converter) probability(path string, p *float64) float64 {
	if p == nil {
		return 0
	}
	if !(*p >= 0 && *p <= 1) {
		c.fail(path, "%v is not a probability: want a number in [0, 1] (0.05 means 5 %%)", *p)
		return 0
	}
	return *p
}

func (c *converter) convert(f *File) *Scenario {
	s := &Scenario{Name: f.Name, Function: f.Function}
	if s.Function.Name == "" {
		s.Function.Name = "my-function"
	}
	if s.Function.Alias == "" {
		s.Function.Alias = "live"
	}
	m := &s.Model
	m.Function, m.Alias = s.Function.Name, s.Function.Alias
	m.Seed = DefaultSeed
	if f.Seed != nil {
		m.Seed = *f.Seed
	}

	// versions
	if f.Versions == nil || f.Versions.Current == nil || f.Versions.Target == nil {
		switch {
		case f.Versions == nil:
			c.fail("versions", "missing: a scenario needs versions.current and versions.target")
		case f.Versions.Current == nil:
			c.fail("versions.current", "missing: the version the alias points at now")
		default:
			c.fail("versions.target", "missing: the version being deployed")
		}
		return s
	}
	m.Versions[sim.Current] = c.version("versions.current", f.Versions.Current, "1", nil)
	m.Versions[sim.Target] = c.version("versions.target", f.Versions.Target, "2", &m.Versions[sim.Current])
	if m.Versions[0].Name == m.Versions[1].Name {
		c.fail("versions.target.version", "the target version %q equals the current version: CodeDeploy rejects a canary or linear deployment to the same version", m.Versions[1].Name)
	}

	c.execution(f, m)

	// deployment
	d := f.Deployment
	if d == nil {
		c.fail("deployment", "missing: a scenario needs deployment.strategies")
		return s
	}
	m.DeployStart = c.nonNegative("deployment.start", d.Start)
	s.Application, s.DeploymentGroup = d.Application, d.DeploymentGroup
	if d.Group != "" {
		if d.DeploymentGroup != "" && d.DeploymentGroup != d.Group {
			c.fail("deployment.group", "%q contradicts deployment.deployment_group %q: keep deployment_group (group is its older name)", d.Group, d.DeploymentGroup)
		}
		s.DeploymentGroup = d.Group
	}
	m.AutoRollback = true
	if d.AutoRollback != nil {
		m.AutoRollback = *d.AutoRollback
	}
	switch d.LinearModel {
	case "", "end_after_last_interval":
		m.Linear = strategies.EndAfterLastInterval
	case "end_at_last_shift":
		m.Linear = strategies.EndAtLastShift
	default:
		c.fail("deployment.linear_model", "unknown %q: want end_after_last_interval (default) or end_at_last_shift", d.LinearModel)
	}
	timing, err := strategies.ParseStepTiming(d.AppConfigStepTiming)
	if d.AppConfigStepTiming == "" {
		timing, err = strategies.StepAtIntervalEnd, nil
	}
	if err != nil {
		c.fail("deployment.appconfig_step_timing", "%v", err)
	}
	insufficientRollsBack := false
	for i, st := range d.AppConfigRollbackStates {
		switch st {
		case "ALARM":
		case "INSUFFICIENT_DATA":
			insufficientRollsBack = true
		default:
			c.fail(fmt.Sprintf("deployment.appconfig_rollback_states[%d]", i), "%q: want ALARM or INSUFFICIENT_DATA (OK never rolls back)", st)
		}
	}
	if len(d.AppConfigRollbackStates) > 0 && !slices.Contains(d.AppConfigRollbackStates, "ALARM") {
		c.fail("deployment.appconfig_rollback_states", "must include ALARM: an alarm in ALARM always rolls an AppConfig deployment back")
	}
	s.AppConfig = strategies.Config{Type: strategies.AppConfig, Timing: timing, InsufficientDataRollsBack: insufficientRollsBack}
	if len(d.Strategies) == 0 {
		c.fail("deployment.strategies", "empty: list at least one strategy, e.g. Canary10Percent5Minutes (see 'shiftsim strategies')")
	}
	if d.ArgoPromoteAfter != nil {
		if *d.ArgoPromoteAfter <= 0 {
			c.fail("deployment.argo_promote_after", "%v: want a positive duration (leave it out for nobody promoting)", *d.ArgoPromoteAfter)
		}
		m.PromoteAfter = *d.ArgoPromoteAfter
	}
	if ms := d.ManualStop; ms != nil {
		switch {
		case ms.At == nil:
			c.fail("deployment.manual_stop.at", "missing: when the user stops the deployment, after its start (e.g. 4m)")
		case ms.Rollback == nil:
			c.fail("deployment.manual_stop.rollback", "missing: true moves all traffic back (StopDeployment with AutoRollbackEnabled=true), false leaves the alias where it is")
		default:
			m.ManualStop = &sim.ManualStop{At: c.nonNegative("deployment.manual_stop.at", ms.At), Rollback: *ms.Rollback}
		}
	}
	tmpl := c.templates(f)
	seen := map[string]bool{}
	for i, e := range d.Strategies {
		path := fmt.Sprintf("deployment.strategies[%d]", i)
		var st sim.Strategy
		if e.Argo != nil {
			var ok bool
			if st, ok = c.argoStrategy(path, e.Argo, tmpl); !ok {
				continue
			}
		} else if e.Flagger != nil {
			cfg, ok := c.flaggerConfig(path, e.Flagger)
			if !ok {
				continue
			}
			st = sim.Strategy{Name: cfg.Name, Config: cfg}
		} else if e.AppCfg != nil {
			cfg := strategies.FromDeploymentStrategy(*e.AppCfg)
			if err := cfg.Validate(); err != nil {
				field, msg := splitField(err)
				c.fail(path+".DeploymentStrategy"+field, "%s", msg)
				continue
			}
			st = sim.Strategy{Name: cfg.Name, Config: cfg}
		} else if e.ECS != nil {
			cfg, err := strategies.FromECS(*e.ECS)
			if err != nil {
				field, msg := splitField(err)
				c.fail(path+field, "%s", msg)
				continue
			}
			c.ecsAlarms(path, e.ECS, f.Alarms)
			st = sim.Strategy{Name: cfg.Name, Config: cfg}
		} else if e.Custom != nil {
			cfg, err := strategies.FromDeploymentConfig(*e.Custom)
			if err != nil {
				field, msg := splitField(err)
				c.fail(path+field, "%s", msg)
				continue
			}
			st = sim.Strategy{Name: e.Custom.DeploymentConfigName, Config: cfg}
		} else {
			cfg, err := strategies.Resolve(e.Name)
			if err != nil {
				c.fail(path, "%v", err)
				continue
			}
			cfg.Name = strategies.CodeDeployName(cfg)
			st = sim.Strategy{Name: e.Name, Config: cfg}
		}
		if st.Config.Type == strategies.AppConfig {
			st.Config.Timing, st.Config.InsufficientDataRollsBack = timing, insufficientRollsBack
			if n := len(f.Alarms); n > strategies.MaxAppConfigMonitors {
				c.fail(path, "%s watches alarms through AppConfig monitors, at most %d per environment, and the scenario has %d alarms", st.Name, strategies.MaxAppConfigMonitors, n)
			}
		}
		if seen[st.Name] {
			c.fail(path, "strategy %q is listed twice", st.Name)
		}
		seen[st.Name] = true
		s.Strategies = append(s.Strategies, st)
	}

	// faults
	for i, ff := range f.Faults {
		path := fmt.Sprintf("faults[%d]", i)
		fl := faults.Fault{}
		switch ff.Version {
		case "target", m.Versions[sim.Target].Name:
			fl.Version = sim.Target
		case "current", m.Versions[sim.Current].Name:
			fl.Version = sim.Current
		case "both":
			fl.Version = faults.Both
		case "":
			c.fail(path+".version", "missing: say which version the fault hits (target, current, both, or a version number)")
		default:
			c.fail(path+".version", "%q is neither target (%s), current (%s) nor both", ff.Version, m.Versions[1].Name, m.Versions[0].Name)
		}
		switch {
		case ff.At != nil && ff.Start != nil:
			c.fail(path+".at", "give start (after the deployment starts) or at (from the simulation's start), not both")
		case ff.At != nil:
			fl.Start = c.nonNegative(path+".at", ff.At)
		default:
			fl.Start = m.DeployStart + c.nonNegative(path+".start", ff.Start)
		}
		switch {
		case ff.Until != nil && ff.End != nil:
			c.fail(path+".until", "give end or until, not both")
		case ff.Until != nil:
			fl.End = c.nonNegative(path+".until", ff.Until)
		case ff.End != nil:
			fl.End = m.DeployStart + c.nonNegative(path+".end", ff.End)
		}
		if ff.ErrorRate != nil {
			r := *ff.ErrorRate
			fl.ErrorRate = &r
		}
		if ff.Latency != nil {
			l := c.latency(path+".latency", ff.Latency)
			fl.Latency = &l
		}
		if ff.LatencyScale != nil {
			fl.LatencyScale = *ff.LatencyScale
		}
		if ff.Init != nil {
			l := c.latency(path+".init", ff.Init)
			fl.Init = &l
			if m.Exec == nil {
				c.fail(path+".init", "a cold-start fault needs the execution model: add a lambda: section or versions.*.init")
			}
		}
		if ff.HangRate != nil {
			fl.HangRate = *ff.HangRate
		}
		if ff.Segment != nil {
			fl.Segment = *ff.Segment
		}
		fl.Ramp = c.nonNegative(path+".ramp", ff.Ramp)
		if ff.Flaky != nil {
			fl.Flaky = &faults.Flaky{On: c.nonNegative(path+".flaky.on", ff.Flaky.On), Off: c.nonNegative(path+".flaky.off", ff.Flaky.Off)}
		}
		// The fault's own rules are faults.Fault.Validate's: one check, the
		// same for every caller.
		if err := fl.Validate(); err != nil && c.err == nil {
			field := ""
			if fe, ok := err.(*faults.FieldError); ok && fe.Field != "" {
				field = "." + fe.Field
				if fe.Field == "end" && ff.Until != nil {
					field = ".until"
				}
				if fe.Field == "start" && ff.At != nil {
					field = ".at"
				}
			}
			c.fail(path+field, "%v", err)
		}
		m.Faults = append(m.Faults, fl)
	}

	// traffic
	c.traffic(f, m)

	// monitoring
	m.MetricDelay = DefaultMetricDelay
	if f.Monitoring.MetricDelay != nil {
		m.MetricDelay = c.nonNegative("monitoring.metric_delay", f.Monitoring.MetricDelay)
	}
	m.AlarmPollInterval = DefaultAlarmPollInterval
	if f.Monitoring.AlarmPollInterval != nil {
		m.AlarmPollInterval = c.nonNegative("monitoring.alarm_poll_interval", f.Monitoring.AlarmPollInterval)
	}
	m.PollPhase = sim.PollPhase{Random: true} // where a deployment starts within the minute is arbitrary
	if p := f.Monitoring.PollPhase; p != nil {
		m.PollPhase = sim.PollPhase{Random: p.Random, Fixed: p.Fixed}
		if cycle := sim.PhaseCycle(m.AlarmPollInterval); !p.Random && (p.Fixed < 0 || p.Fixed >= cycle) {
			c.fail("monitoring.poll_phase", "%v: want random or a duration in [0s, %v) (the phase repeats after %v)", p.Fixed, cycle, cycle)
		}
	}

	// hooks
	m.HookTimeout = deploy.DefaultHookTimeout
	c.hook(m, deploy.BeforeAllowTraffic, f.Hooks.BeforeAllowTraffic)
	c.hook(m, deploy.AfterAllowTraffic, f.Hooks.AfterAllowTraffic)
	for _, hk := range []struct {
		name deploy.Hook
		h    *Hook
	}{{deploy.BeforeAllowTraffic, f.Hooks.BeforeAllowTraffic}, {deploy.AfterAllowTraffic, f.Hooks.AfterAllowTraffic}} {
		name, h := hk.name, hk.h
		if h != nil && h.Function != "" {
			if !functionName(h.Function) {
				c.fail("hooks."+string(name)+".function", "%q: want the hook's Lambda function name (1 to 64 letters, digits, - and _), as the AppSpec names it", h.Function)
			}
			if s.HookFunctions == nil {
				s.HookFunctions = map[deploy.Hook]string{}
			}
			s.HookFunctions[name] = h.Function
		}
	}

	// alarms
	s.Alarms = f.Alarms
	names := map[string]bool{}
	for i := range f.Alarms {
		path := fmt.Sprintf("alarms[%d]", i)
		a := c.alarm(path, &f.Alarms[i], s)
		if a.Name != "" && names[a.Name] {
			c.fail(path+".AlarmName", "duplicate alarm name %q (CodeDeploy rejects duplicates)", a.Name)
		}
		names[a.Name] = true
		m.Alarms = append(m.Alarms, a)
	}
	if len(m.Alarms) > 10 {
		c.fail("alarms", "%d alarms: CodeDeploy accepts at most 10 per deployment group", len(m.Alarms))
	}

	// horizon
	if f.Horizon != nil {
		if *f.Horizon <= 0 {
			c.fail("horizon", "%v: want a positive duration such as 2h", *f.Horizon)
		}
		m.Horizon = *f.Horizon
		if m.DeployStart >= m.Horizon && c.err == nil {
			c.fail("deployment.start", "%v is not before the horizon %v: nothing would be deployed", m.DeployStart, m.Horizon)
		}
		if ms := m.ManualStop; ms != nil && m.DeployStart+ms.At >= m.Horizon && c.err == nil {
			c.fail("deployment.manual_stop.at", "%v after the start (%v) is not before the horizon %v: the stop would never happen", ms.At, m.DeployStart, m.Horizon)
		}
	} else {
		hooks := time.Duration(0)
		for _, h := range m.Hooks {
			hooks += h.Duration
		}
		longest := time.Duration(0)
		for _, st := range s.Strategies {
			d := st.Config.Plan(m.Linear).End
			if st.Config.Argo() {
				d = argoLength(st.Config, m.PromoteAfter)
			}
			if st.Config.LifecycleHooks() {
				d += hooks
			}
			longest = max(longest, d)
		}
		m.Horizon = m.DeployStart + longest + DefaultAfterDeployment
		if ms := m.ManualStop; ms != nil { // the default window reaches past the stop too
			m.Horizon = max(m.Horizon, m.DeployStart+ms.At+DefaultAfterDeployment)
		}
	}
	return s
}

// splitField splits the first problem an error from strategies reports,
// "TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage: 120 is out of
// range", into the field path (as a suffix) and the message.
func splitField(err error) (string, string) {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if i := strings.Index(msg, ": "); i > 0 && !strings.Contains(msg[:i], " ") {
		return "." + msg[:i], msg[i+2:]
	}
	return "", msg
}

func (c *converter) version(path string, v *Version, def string, inherit *sim.Version) sim.Version {
	out := sim.Version{Name: v.Version}
	if out.Name == "" {
		out.Name = def
	}
	if out.Name == "$LATEST" {
		c.fail(path+".version", "an alias cannot point to $LATEST: use a published version number")
	} else if _, err := strconv.ParseUint(out.Name, 10, 64); err != nil {
		c.fail(path+".version", "%q is not a published Lambda version number", out.Name)
	}
	out.ErrorRate = c.probability(path+".error_rate", v.ErrorRate)
	switch {
	case v.Latency != nil:
		out.Latency = c.latency(path+".latency", v.Latency)
	case inherit != nil:
		out.Latency = inherit.Latency
	default:
		c.fail(path+".latency", "missing: give median and p99 (e.g. median: 50ms, p99: 200ms) or mu and sigma")
	}
	if v.Timeout != nil {
		out.Timeout = c.nonNegative(path+".timeout", v.Timeout)
		if out.Timeout > 900*time.Second {
			c.fail(path+".timeout", "%v: a Lambda function's timeout is at most 900s", out.Timeout)
		}
	} else if inherit != nil {
		out.Timeout = inherit.Timeout
	}
	return out
}

func (c *converter) latency(path string, l *Latency) faults.Lognormal {
	byMedian := l.Median != nil || l.P99 != nil
	byMu := l.Mu != nil || l.Sigma != nil
	switch {
	case byMedian && byMu:
		c.fail(path, "give either median and p99, or mu and sigma, not both")
	case byMedian:
		if l.Median == nil || l.P99 == nil {
			c.fail(path, "give both median and p99")
			return faults.Lognormal{}
		}
		ln, err := sim.LatencyFromMedianP99(*l.Median, *l.P99)
		if err != nil {
			c.fail(path, "%v", err)
		}
		return ln
	case byMu:
		if l.Mu == nil || l.Sigma == nil {
			c.fail(path, "give both mu and sigma (of ln seconds)")
			return faults.Lognormal{}
		}
		if !(*l.Sigma >= 0) || math.IsInf(*l.Sigma, 0) || math.IsNaN(*l.Mu) || math.IsInf(*l.Mu, 0) {
			c.fail(path, "mu %v sigma %v: want finite numbers, sigma >= 0", *l.Mu, *l.Sigma)
		}
		return faults.Lognormal{Mu: *l.Mu, Sigma: *l.Sigma}
	default:
		c.fail(path, "empty: give median and p99, or mu and sigma")
	}
	return faults.Lognormal{}
}

func (c *converter) hook(m *sim.Model, name deploy.Hook, h *Hook) {
	if h == nil {
		return
	}
	path := "hooks." + string(name)
	out := sim.Hook{Name: name, Timeout: deploy.DefaultHookTimeout}
	out.Duration = c.nonNegative(path+".duration", h.Duration)
	out.CatchProbability = c.probability(path+".catch_probability", h.CatchProbability)
	if h.Timeout != nil {
		out.Timeout = c.nonNegative(path+".timeout", h.Timeout)
		if out.Timeout == 0 || out.Timeout > deploy.DefaultHookTimeout {
			c.fail(path+".timeout", "%v: CodeDeploy waits at most 1h for a hook to report", out.Timeout)
		}
	}
	m.Hooks = append(m.Hooks, out)
}

// Warning is a problem that does not stop the simulation but probably is not
// what the user meant.
type Warning struct {
	Line int
	Path string
	Msg  string
}

func (w Warning) String() string { return fmt.Sprintf("%d: %s: %s", w.Line, w.Path, w.Msg) }

func (s *Scenario) warn(line int, path, format string, a ...any) {
	s.Warnings = append(s.Warnings, Warning{Line: line, Path: path, Msg: fmt.Sprintf(format, a...)})
}

// execution sets up Lambda's execution model and billing. The model is on
// when the scenario has a lambda section or gives a version an init
// duration or provisioned concurrency; billing always applies.
func (c *converter) execution(f *File, m *sim.Model) {
	m.Billing = sim.Billing{MemoryMB: 128, Prices: sim.DefaultPrices}
	l := f.Lambda
	cur, tgt := f.Versions.Current, f.Versions.Target
	on := l != nil || cur.Init != nil || tgt.Init != nil || cur.ProvisionedConcurrency != nil || tgt.ProvisionedConcurrency != nil
	if l != nil {
		if l.Memory != nil {
			m.Billing.MemoryMB = *l.Memory
			if *l.Memory < 128 || *l.Memory > 10240 {
				c.fail("lambda.memory", "%d MB: Lambda accepts 128 to 10240 MB", *l.Memory)
			}
		}
		arch, err := sim.ParseArch(l.Architecture)
		if err != nil {
			c.fail("lambda.architecture", "%v", err)
		}
		m.Billing.Arch = arch
		if p := l.Prices; p != nil {
			set := func(path string, dst *float64, v *float64) {
				if v == nil {
					return
				}
				if !(*v >= 0) || math.IsInf(*v, 0) {
					c.fail(path, "%v: want a price in USD >= 0", *v)
				}
				*dst = *v
			}
			set("lambda.prices.request", &m.Billing.Prices.Request, p.Request)
			set("lambda.prices.gb_second", &m.Billing.Prices.GBSecond[arch], p.GBSecond)
			set("lambda.prices.provisioned_gb_second", &m.Billing.Prices.ProvisionedGBSecond, p.ProvisionedGBSecond)
			set("lambda.prices.provisioned_duration_gb_second", &m.Billing.Prices.ProvisionedDuration, p.ProvisionedDurationGBSecond)
		}
	}
	if f.SLO != nil {
		if f.SLO.Target == nil || !(*f.SLO.Target > 0 && *f.SLO.Target < 1) {
			c.fail("slo.target", "want the share of requests that must succeed, e.g. 0.999")
		} else {
			m.SLO = &sim.SLO{Target: *f.SLO.Target, Window: 30 * 24 * time.Hour}
			if f.SLO.Window != nil {
				if *f.SLO.Window <= 0 {
					c.fail("slo.window", "%v: want a positive duration such as 720h", *f.SLO.Window)
				}
				m.SLO.Window = *f.SLO.Window
			}
		}
	}
	if !on {
		return
	}
	e := &sim.Execution{
		AccountConcurrency: sim.DefaultAccountConcurrency,
		ScalingRate:        sim.DefaultScalingRate,
		ScalingBurst:       sim.DefaultScalingBurst,
		IdleTimeout:        sim.DefaultIdleTimeout,
	}
	if l != nil {
		if l.AccountConcurrency != nil {
			e.AccountConcurrency = *l.AccountConcurrency
			if *l.AccountConcurrency < 1 {
				c.fail("lambda.account_concurrency", "%d: want at least 1", *l.AccountConcurrency)
			}
		}
		if l.ReservedConcurrency != nil {
			e.ReservedConcurrency, e.HasReserved = *l.ReservedConcurrency, true
			if *l.ReservedConcurrency < 0 || *l.ReservedConcurrency > e.AccountConcurrency {
				c.fail("lambda.reserved_concurrency", "%d: want 0 to the account concurrency %d (0 throttles every request)", *l.ReservedConcurrency, e.AccountConcurrency)
			}
		}
		if l.ScalingRate != nil {
			e.ScalingRate = *l.ScalingRate
			if !(*l.ScalingRate > 0) || math.IsInf(*l.ScalingRate, 0) {
				c.fail("lambda.scaling_rate", "%v: want new environments per second > 0", *l.ScalingRate)
			}
		}
		if l.ScalingBurst != nil {
			e.ScalingBurst = *l.ScalingBurst
			if !(*l.ScalingBurst >= 1) || math.IsInf(*l.ScalingBurst, 0) {
				c.fail("lambda.scaling_burst", "%v: want at least 1", *l.ScalingBurst)
			}
		}
		if l.IdleTimeout != nil {
			e.IdleTimeout = c.nonNegative("lambda.idle_timeout", l.IdleTimeout)
		}
	}
	for v, ver := range []*Version{cur, tgt} {
		path := "versions." + [...]string{"current", "target"}[v]
		if ver.Init != nil {
			e.Init[v] = c.latency(path+".init", ver.Init)
		} else if v == 1 {
			e.Init[1] = e.Init[0]
		}
		if ver.ProvisionedConcurrency != nil {
			e.Provisioned[v] = *ver.ProvisionedConcurrency
			if *ver.ProvisionedConcurrency < 0 {
				c.fail(path+".provisioned_concurrency", "%d: want >= 0", *ver.ProvisionedConcurrency)
			}
		}
	}
	if e.Init[0] == (faults.Lognormal{}) {
		// No init duration given: a cold start is counted but adds nothing.
		e.Init[0] = faults.Lognormal{Mu: math.Inf(-1)}
	}
	if e.Init[1] == (faults.Lognormal{}) {
		e.Init[1] = faults.Lognormal{Mu: math.Inf(-1)}
	}
	limit := e.AccountConcurrency
	if e.HasReserved {
		limit = e.ReservedConcurrency
	}
	if sum := e.Provisioned[0] + e.Provisioned[1]; sum > limit {
		path := "versions.target.provisioned_concurrency"
		if e.Provisioned[1] == 0 {
			path = "versions.current.provisioned_concurrency"
		}
		c.fail(path, "%d provisioned in all: more than the concurrency limit %d (provisioned concurrency counts against the reserved and account concurrency)", sum, limit)
	}
	m.Exec = e
}

// traffic builds the request source's spec, and opens it once so that a
// bad parameter is an input error with a line, not a failure in a run.
func (c *converter) traffic(f *File, m *sim.Model) {
	t := f.Traffic
	if t == nil {
		c.fail("traffic", "missing: e.g. traffic: {rate: 100} (requests per second), or traffic: {replay: {file: ...}}")
		return
	}
	spec := traffic.Spec{Kind: traffic.KindPoisson}
	needRate := t.Replay == nil && t.Pattern != "bursty"
	if t.Rate != nil {
		spec.Rate = *t.Rate
		if !(spec.Rate >= 0) || math.IsInf(spec.Rate, 0) {
			c.fail("traffic.rate", "%v: want a number of requests per second >= 0", spec.Rate)
		}
	} else if needRate {
		c.fail("traffic.rate", "missing: requests per second, e.g. rate: 100")
		return
	}
	extra := func(path string, set bool, pattern string) {
		if set {
			c.fail("traffic."+path, "only with pattern: %s", pattern)
		}
	}
	pattern := t.Pattern
	if t.Replay != nil {
		if pattern != "" || t.Rate != nil {
			c.fail("traffic.replay", "a replay replaces rate and pattern: remove them")
		}
		pattern = "replay"
	}
	if pattern != "diurnal" && pattern != "weekly" {
		extra("amplitude", t.Amplitude != nil, "diurnal or weekly")
		extra("peak", t.Peak != nil, "diurnal or weekly")
	}
	if pattern != "diurnal" {
		extra("period", t.Period != nil, "diurnal")
	}
	if pattern != "bursty" {
		extra("phases", len(t.Phases) > 0, "bursty")
	}
	if pattern != "spikes" {
		extra("spikes", len(t.Spikes) > 0, "spikes")
	}
	if pattern != "weekly" {
		extra("weekday_factors", len(t.WeekdayFactors) > 0, "weekly")
		extra("origin", t.Origin != nil, "weekly")
	}
	amp := 0.5
	if t.Amplitude != nil {
		amp = *t.Amplitude
		if !(amp >= 0 && amp <= 1) {
			c.fail("traffic.amplitude", "%v: want a number in [0, 1]", amp)
		}
	}
	peak := c.nonNegative("traffic.peak", t.Peak)
	switch pattern {
	case "", "poisson":
	case "diurnal":
		spec.Kind, spec.Amplitude, spec.Peak = traffic.KindDiurnal, amp, peak
		spec.Period = 24 * time.Hour
		if t.Period != nil {
			spec.Period = *t.Period
			if spec.Period <= 0 {
				c.fail("traffic.period", "%v: want a positive duration such as 24h", spec.Period)
			}
		}
	case "bursty":
		spec.Kind = traffic.KindBursty
		if len(t.Phases) < 2 {
			c.fail("traffic.phases", "a bursty source needs at least two phases, e.g. [{rate: 10, dwell: 5m}, {rate: 200, dwell: 30s}]")
			return
		}
		spec.Phases = make([]traffic.Phase, len(t.Phases))
		for i, p := range t.Phases {
			path := fmt.Sprintf("traffic.phases[%d]", i)
			if p.Rate == nil || p.Dwell == nil {
				c.fail(path, "give rate and dwell")
				return
			}
			spec.Phases[i] = traffic.Phase{Rate: *p.Rate, Dwell: *p.Dwell}
		}
	case "spikes":
		spec.Kind = traffic.KindSpikes
		spec.Spikes = make([]traffic.Spike, len(t.Spikes))
		for i, sp := range t.Spikes {
			path := fmt.Sprintf("traffic.spikes[%d]", i)
			if sp.At == nil || sp.Duration == nil || sp.Multiplier == nil {
				c.fail(path, "give at, duration and multiplier")
				return
			}
			spec.Spikes[i] = traffic.Spike{At: *sp.At, Duration: *sp.Duration, Multiplier: *sp.Multiplier}
		}
	case "weekly":
		spec.Kind, spec.Amplitude, spec.Peak = traffic.KindWeekly, amp, peak
		spec.WeekdayFactors = [7]float64{1, 1, 1, 1, 1, 1, 1}
		if len(t.WeekdayFactors) > 0 {
			if len(t.WeekdayFactors) != 7 {
				c.fail("traffic.weekday_factors", "%d factors: want 7, Sunday first", len(t.WeekdayFactors))
			}
			copy(spec.WeekdayFactors[:], t.WeekdayFactors)
		}
		spec.Origin = c.nonNegative("traffic.origin", t.Origin)
	case "replay":
		spec.Kind = traffic.KindReplay
		var ok bool
		if spec.Recording, ok = c.replay(t.Replay, m); !ok {
			return
		}
	default:
		c.fail("traffic.pattern", "unknown %q: want poisson, diurnal, bursty, spikes or weekly (or a replay)", t.Pattern)
	}
	if c.err != nil {
		return
	}
	// Check the source's parameters now, so a bad one is an input error
	// with a line, not a failure in the middle of a run.
	// (Users are checked on their own below.)
	if err := spec.Check(); err != nil {
		path := "traffic"
		if pattern == "replay" {
			path = "traffic.replay.file"
		}
		c.fail(path, "%v", err)
		return
	}
	if t.Users != nil {
		n := *t.Users
		skew := 1.0
		if t.UserSkew != nil {
			skew = *t.UserSkew
		}
		if n < 1 || n > traffic.MaxUsers {
			c.fail("traffic.users", "%d: want 1 to %d users", n, traffic.MaxUsers)
			return
		}
		if !(skew >= 0) || math.IsInf(skew, 0) {
			c.fail("traffic.user_skew", "%v: want a Zipf exponent >= 0 (1 is typical)", skew)
			return
		}
		spec.Users, spec.UserSkew = n, skew
	} else if t.UserSkew != nil {
		c.fail("traffic.user_skew", "only with users")
	}
	m.Traffic = spec
}

// replay reads a recording's settings, relative to the scenario file, and
// reads the recording through once; ok is false after a failure.
func (c *converter) replay(r *Replay, m *sim.Model) (rec traffic.Recording, ok bool) {
	if r.File == "" {
		c.fail("traffic.replay.file", "missing: the recording to replay")
		return rec, false
	}
	rec = traffic.Recording{
		Path:     c.rel(r.File),
		FS:       c.fsys,
		Format:   r.Format,
		Function: r.Function,
		From:     c.nonNegative("traffic.replay.from", r.From),
		To:       c.nonNegative("traffic.replay.to", r.To),
		Loop:     r.Loop,
		Lenient:  r.Lenient,
		Period:   c.nonNegative("traffic.replay.period", r.Period),
	}
	if r.Durations != "" {
		rec.Durations = c.rel(r.Durations)
	}
	if r.Speed != nil {
		rec.Speed = *r.Speed
		if !(rec.Speed > 0) {
			c.fail("traffic.replay.speed", "%v: want a factor > 0 (2 replays twice as fast)", rec.Speed)
		}
	}
	if r.Scale != nil {
		rec.Scale = *r.Scale
		if !(rec.Scale > 0) {
			c.fail("traffic.replay.scale", "%v: want a factor > 0 (2 doubles the requests)", rec.Scale)
		}
	}
	if r.Reorder != nil {
		rec.Reorder = *r.Reorder
		if rec.Reorder < 1 {
			c.fail("traffic.replay.reorder", "%d: want at least 1", rec.Reorder)
		}
	}
	switch r.Latency {
	case "":
	case "recorded":
		m.RecordedLatency = true
	default:
		c.fail("traffic.replay.latency", "%q: want recorded, or leave it out to use the versions' latency", r.Latency)
	}
	if rec.Format != "" {
		if _, err := traffic.CanonicalFormat(rec.Format); err != nil {
			c.fail("traffic.replay.format", "%v", err)
			return rec, false
		}
	}
	if c.err != nil {
		return rec, false
	}
	// One full pass now: the file's own errors come out here, with their
	// line, and the runs will not meet them.
	if _, err := traffic.Inspect(rec); err != nil {
		c.fail("traffic.replay.file", "%v", err)
		return rec, false
	}
	return rec, true
}

// rel resolves a path named in the scenario against the scenario's folder.
func (c *converter) rel(p string) string {
	if c.fsys != nil {
		return path.Join(c.dir, p)
	}
	if filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}

// functionName reports whether s is a Lambda function name (not an ARN), as
// an AppSpec's Hooks name them.
func functionName(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// ecsAlarms checks that every alarm an ECS plan names in
// deploymentConfiguration.alarms is one of the scenario's: ECS refuses a
// deployment whose alarms do not exist (docs/plans.md).
func (c *converter) ecsAlarms(path string, e *strategies.ECSService, alarms []Alarm) {
	d := e.DeploymentConfiguration
	if d == nil || d.Alarms == nil {
		return
	}
	names := make([]string, len(alarms))
	for i, a := range alarms {
		names[i] = a.AlarmName
	}
	for i, n := range d.Alarms.AlarmNames {
		if !slices.Contains(names, n) {
			hint := "the scenario has no alarms"
			if len(names) > 0 {
				hint = "want one of the scenario's alarms: " + strings.Join(names, ", ")
				if near := suggest.Closest(n, names, 1); len(near) > 0 {
					hint = "did you mean " + near[0] + "?"
				}
			}
			c.fail(fmt.Sprintf("%s.deploymentConfiguration.alarms.alarmNames[%d]", path, i), "%q is not an alarm of the scenario (%s)", n, hint)
		}
	}
}
