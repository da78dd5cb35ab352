package importer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

// Defaults for what a source does not say, each marked DEFAULT in the
// scenario. They describe a healthy release at modest traffic: the user is
// expected to set their own.
const (
	DefaultRate      = 10.0 // requests per second
	DefaultErrorRate = 0.001
	DefaultMedian    = 50 * time.Millisecond
	DefaultP99       = 200 * time.Millisecond
	// DefaultTimeout is Lambda's own default function timeout.
	DefaultTimeout          = 3 * time.Second
	DefaultStart            = 5 * time.Minute
	DefaultHookDuration     = 30 * time.Second
	DefaultCatchProbability = 0.5
	DefaultFunction         = "my-function"
	DefaultAlias            = "live"
	DefaultCurrent          = "1"
	DefaultTarget           = "2"
	// MaxAlarms is CodeDeploy's limit of alarms per deployment group (CD-UG:limits).
	MaxAlarms = 10
)

// DefaultStrategies are listed when the source names none: the three
// shapes CodeDeploy offers, to compare.
var DefaultStrategies = []string{"Canary10Percent5Minutes", "Linear10PercentEvery1Minute", "AllAtOnce"}

func strN(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
func plain(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: v}
}
func mapN(flow bool) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		m.Style = yaml.FlowStyle
	}
	return m
}

// set appends key: v to mapping m; comment, if any, goes beside the key.
func set(m *yaml.Node, key string, v *yaml.Node, comment string) *yaml.Node {
	k := strN(key)
	if comment != "" {
		c := "# " + comment
		if v.Kind == yaml.ScalarNode || v.Style == yaml.FlowStyle {
			v.LineComment = c
		} else {
			k.LineComment = c
		}
	}
	m.Content = append(m.Content, k, v)
	return k
}

// dur formats a duration the way scenario files write it: 5m, 30s, 1h.
func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	case d%time.Millisecond == 0:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	}
	return d.String()
}

// resolved are the scenario values a draft leads to, with their origin.
type resolved struct {
	fn, alias, fnFrom, aliasFrom string
	current, target              string
	curFrom, tgtFrom             string
	timeout                      time.Duration
	timeoutFrom                  string
}

func (d *Draft) values() resolved {
	r := resolved{fn: DefaultFunction, alias: DefaultAlias, current: DefaultCurrent, target: DefaultTarget,
		fnFrom: "DEFAULT: name your function", aliasFrom: "DEFAULT: the alias CodeDeploy shifts",
		curFrom: "DEFAULT: the version the alias points at before the deployment", tgtFrom: "DEFAULT: the version being deployed",
		timeout: DefaultTimeout, timeoutFrom: "DEFAULT: Lambda's default timeout"}
	if f := d.Function; f != nil {
		if f.Name != "" {
			r.fn, r.fnFrom = f.Name, f.NameFrom
		}
		if f.Alias != "" {
			r.alias, r.aliasFrom = f.Alias, f.AliasFrom
		}
	} else {
		d.inferFunction(&r)
	}
	if v := d.Versions; v != nil {
		if v.Current != "" {
			r.current, r.curFrom = v.Current, v.CurrentFrom
		}
		if v.Target != "" {
			r.target, r.tgtFrom = v.Target, v.TargetFrom
		}
		if v.Timeout != nil {
			r.timeout, r.timeoutFrom = *v.Timeout, v.TimeoutFrom
		}
	} else if d.Function == nil {
		d.inferVersions(&r)
	}
	if r.target == r.current { // only when the source gives just one of them
		if n, err := strconv.Atoi(r.current); err == nil {
			r.target, r.tgtFrom = strconv.Itoa(n+1), "DEFAULT: the version after the current one"
		}
	}
	return r
}

// inferFunction takes the function and alias from the alarms' dimensions
// when the source names no function (describe-alarms output), so that the
// alarms watch the simulated function.
func (d *Draft) inferFunction(r *resolved) {
	for _, a := range d.Alarms {
		for _, dim := range a.Props.Dimensions {
			switch dim.Name {
			case "FunctionName":
				if r.fn == DefaultFunction && dim.Value != "" && !strings.HasPrefix(dim.Value, "arn:") {
					r.fn, r.fnFrom = dim.Value, fmt.Sprintf("from alarm %s's FunctionName dimension", a.Props.AlarmName)
				}
			case "Resource":
				fn, q, ok := strings.Cut(dim.Value, ":")
				if !ok || q == "" {
					continue
				}
				if r.fn == DefaultFunction {
					r.fn, r.fnFrom = fn, fmt.Sprintf("from alarm %s's Resource dimension", a.Props.AlarmName)
				}
				if _, err := strconv.Atoi(q); err != nil && r.alias == DefaultAlias && fn == r.fn {
					r.alias, r.aliasFrom = q, fmt.Sprintf("from alarm %s's Resource dimension", a.Props.AlarmName)
				}
			}
		}
	}
}

// inferVersions takes the target version from an ExecutedVersion
// dimension: SAM's canonical alarm watches the version being deployed.
func (d *Draft) inferVersions(r *resolved) {
	for _, a := range d.Alarms {
		for _, dim := range a.Props.Dimensions {
			if dim.Name == "ExecutedVersion" && positiveInt(dim.Value) && r.target == DefaultTarget {
				n, _ := strconv.Atoi(dim.Value)
				r.target, r.tgtFrom = dim.Value, fmt.Sprintf("from alarm %s's ExecutedVersion dimension", a.Props.AlarmName)
				if n > 1 {
					r.current, r.curFrom = strconv.Itoa(n-1), "DEFAULT: the version before the target"
				} else {
					r.current, r.target = "1", "2"
					r.tgtFrom = "DEFAULT: the version being deployed"
				}
			}
		}
	}
}

// strategyNode renders a strategy entry.
func strategyNode(s Strategy) *yaml.Node {
	if s.Custom == nil {
		n := strN(s.Name)
		if s.From != "" {
			n.LineComment = "# " + s.From
		}
		return n
	}
	c := s.Custom
	m := mapN(false)
	set(m, "DeploymentConfigName", strN(c.DeploymentConfigName), "")
	set(m, "ComputePlatform", strN(strategies.Lambda), "")
	r := c.TrafficRoutingConfig
	trc := mapN(true)
	set(trc, "Type", strN(r.Type), "")
	if x := r.TimeBasedCanary; x != nil {
		sub := mapN(true)
		set(sub, "CanaryPercentage", plain(strconv.Itoa(x.CanaryPercentage)), "")
		set(sub, "CanaryInterval", plain(strconv.Itoa(x.CanaryInterval)), "")
		set(trc, "TimeBasedCanary", sub, "")
	}
	if x := r.TimeBasedLinear; x != nil {
		sub := mapN(true)
		set(sub, "LinearPercentage", plain(strconv.Itoa(x.LinearPercentage)), "")
		set(sub, "LinearInterval", plain(strconv.Itoa(x.LinearInterval)), "")
		set(trc, "TimeBasedLinear", sub, "")
	}
	set(m, "TrafficRoutingConfig", trc, "")
	if s.From != "" {
		m.HeadComment = "# " + s.From
	}
	return m
}

// hookNode renders a hook: its function (for the AppSpec and deploy) and
// its model with default behaviour.
func hookNode(h Hook) (*yaml.Node, string) {
	m := mapN(false)
	switch {
	case h.Function == "":
		m.HeadComment = "# DEFAULT: its function's name is not resolved: add function: YourHookFunction (see the notes above)"
	case h.Generated:
		set(m, "function", strN(h.Function), "DEFAULT: "+h.Function+" has no FunctionName, CloudFormation names the hook function at deploy time: put its real name here")
	default:
		set(m, "function", strN(h.Function), h.From)
	}
	set(m, "duration", plain(dur(DefaultHookDuration)), "DEFAULT: how long the hook function runs")
	set(m, "catch_probability", plain(formatFloat(DefaultCatchProbability)), "DEFAULT: how likely its tests catch a bad target version")
	return m, ""
}

// alarmItem renders one alarm with its origin above it.
func alarmItem(a Alarm) *yaml.Node {
	n := alarmNode(&a.Props)
	if n == nil {
		n = mapN(true)
	}
	if a.From != "" {
		n.HeadComment = "# " + a.From
	}
	return n
}

// commented renders an alarm that cannot be simulated as a comment block.
func commented(a Alarm) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Not simulated: %s", a.Props.AlarmName)
	if a.From != "" {
		fmt.Fprintf(&b, " (%s)", a.From)
	}
	b.WriteString("\n")
	for _, l := range wrap(a.Disabled, 100) {
		b.WriteString("#   " + l + "\n")
	}
	if n := alarmNode(&a.Props); n != nil {
		body := encodeYAML(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}})
		for _, l := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
			b.WriteString("# " + l + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// wrap splits s into lines of at most width bytes at spaces.
func wrap(s string, width int) []string {
	var out []string
	for len(s) > width {
		i := strings.LastIndexByte(s[:width], ' ')
		if i <= 0 {
			i = strings.IndexByte(s, ' ')
			if i < 0 {
				break
			}
		}
		out = append(out, s[:i])
		s = strings.TrimLeft(s[i:], " ")
	}
	return append(out, s)
}

// document builds the scenario with the given alarms.
func (d *Draft) document(r resolved, alarms []Alarm, off []Alarm, header string) *yaml.Node {
	root := mapN(false)
	k := set(root, "name", strN(scenarioName(d.Name, r.fn)), "")
	k.HeadComment = header
	set(root, "seed", plain("1"), "DEFAULT: same seed, same result; change it to see another draw")

	fn := mapN(false)
	set(fn, "name", strN(r.fn), r.fnFrom)
	set(fn, "alias", strN(r.alias), r.aliasFrom)
	set(root, "function", fn, "")

	tr := mapN(false)
	set(tr, "rate", plain(formatFloat(DefaultRate)), "DEFAULT: requests per second (Poisson); set your function's real rate")
	set(root, "traffic", tr, "")

	vs := mapN(false)
	cur := mapN(false)
	set(cur, "version", strN(r.current), r.curFrom)
	set(cur, "error_rate", plain(formatFloat(DefaultErrorRate)), "DEFAULT: share of requests that fail")
	lat := mapN(true)
	set(lat, "median", plain(dur(DefaultMedian)), "")
	set(lat, "p99", plain(dur(DefaultP99)), "")
	set(cur, "latency", lat, "DEFAULT: set your function's real latency")
	set(cur, "timeout", plain(dur(r.timeout)), r.timeoutFrom)
	set(vs, "current", cur, "")
	tgt := mapN(false)
	set(tgt, "version", strN(r.target), r.tgtFrom)
	set(tgt, "error_rate", plain(formatFloat(DefaultErrorRate)), "DEFAULT: as healthy as current; raise it, or add faults, to rehearse a bad release")
	set(vs, "target", tgt, "")
	set(root, "versions", vs, "")

	al := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, a := range alarms {
		al.Content = append(al.Content, alarmItem(a))
	}
	if len(alarms) == 0 {
		al.Style = yaml.FlowStyle
	}
	ak := set(root, "alarms", al, "")
	ak.HeadComment = "# faults:   # to rehearse a bad release: from 2 minutes into the deployment, 5 % of the target's requests fail\n#   - {version: target, start: 2m, error_rate: 0.05}"
	if len(off) > 0 {
		var parts []string
		for _, a := range off {
			parts = append(parts, commented(a))
		}
		ak.FootComment = strings.Join(parts, "\n#\n")
	}

	if len(d.Hooks) > 0 {
		hooks := mapN(false)
		for _, h := range d.Hooks {
			n, c := hookNode(h)
			set(hooks, h.Event, n, c)
		}
		set(root, "hooks", hooks, "")
	}

	mon := mapN(false)
	set(mon, "metric_delay", plain(dur(scenario.DefaultMetricDelay)), "DEFAULT: a minute's Lambda metrics are visible this long after it ends")
	set(mon, "alarm_poll_interval", plain(dur(scenario.DefaultAlarmPollInterval)), "DEFAULT: how often CodeDeploy reads alarm states (undocumented)")
	set(root, "monitoring", mon, "")

	dep := mapN(false)
	set(dep, "start", plain(dur(DefaultStart)), "DEFAULT: traffic on the current version before the deployment starts")
	if d.AutoRollback != nil {
		set(dep, "auto_rollback", plain(strconv.FormatBool(*d.AutoRollback)), d.RollbackFrom)
	}
	if d.Application != "" {
		set(dep, "application", strN(d.Application), d.ApplicationFrom)
	}
	if d.DeploymentGroup != "" {
		set(dep, "deployment_group", strN(d.DeploymentGroup), d.DeploymentGroupFrom)
	}
	st := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	seen := map[string]bool{}
	for _, s := range d.Strategies {
		if seen[s.Key()] {
			continue
		}
		seen[s.Key()] = true
		st.Content = append(st.Content, strategyNode(s))
	}
	sk := set(dep, "strategies", st, "")
	if len(d.Strategies) == 0 {
		for _, n := range DefaultStrategies {
			st.Content = append(st.Content, strategyNode(Strategy{Name: n}))
		}
		sk.LineComment = "# DEFAULT: the source names no strategy; these are CodeDeploy's three shapes, to compare"
	} else {
		var more []string
		for _, n := range DefaultStrategies {
			if !seen[n] {
				more = append(more, n)
			}
		}
		if len(more) > 0 {
			sk.LineComment = "# add others to compare, e.g. " + strings.Join(more, ", ") + " (see shiftsim strategies)"
		}
	}
	set(root, "deployment", dep, "")
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
}

// scenarioName makes a scenario name from the source's.
func scenarioName(name, fn string) string {
	if name == "" {
		return fn
	}
	return name
}

// header is the comment at the top of an imported scenario.
func (d *Draft) header() string {
	var b strings.Builder
	src := d.Source
	if d.Origin != "" {
		src += ": " + d.Origin
	}
	fmt.Fprintf(&b, "# Imported from %s", src)
	if d.Command != "" {
		fmt.Fprintf(&b, "\n# by: %s", d.Command)
	}
	b.WriteString("\n#\n# Comments say where each value came from. Values marked DEFAULT are shiftsim's, not your\n" +
		"# source's: set the traffic rate, error rates and latencies to what your function sees before\n" +
		"# you trust a comparison. `shiftsim validate FILE` checks your edits.")
	var un, ws, as []string
	for _, n := range d.Notes {
		switch {
		case n.Unresolved:
			un = append(un, n.String())
		case n.Warning:
			ws = append(ws, n.String())
		default:
			as = append(as, n.String())
		}
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		b.WriteString("\n#\n# " + title)
		for _, it := range items {
			for i, l := range wrap(it, 110) {
				if i == 0 {
					b.WriteString("\n#   " + l)
				} else {
					b.WriteString("\n#       " + l)
				}
			}
		}
	}
	list("Not resolved (the scenario leaves the part out, or holds a DEFAULT):", un)
	list("Warnings:", ws)
	list("Assumed:", as)
	if len(d.Ignored) > 0 {
		b.WriteString("\n#\n# Read but not simulated: " + strings.Join(d.Ignored, ", "))
	}
	return b.String()
}

// Scenario renders the draft as a complete scenario that scenario.Parse
// accepts. Each alarm is checked with the scenario loader; one it refuses
// (a metric shiftsim does not model, a non-Lambda namespace) is written
// commented out with the loader's reason, which is also added to the notes.
func (d *Draft) Scenario() ([]byte, error) {
	r := d.values()
	var on, off []Alarm
	for i := range d.Alarms {
		a := &d.Alarms[i]
		switch {
		case a.Disabled != "":
		case len(on) == MaxAlarms:
			a.Disabled = fmt.Sprintf("CodeDeploy accepts at most %d alarms per deployment group", MaxAlarms)
			d.note(Note{File: d.Source, Line: a.line, Path: a.base, Msg: a.Disabled, Unresolved: true})
		default:
			d.checkAlarm(r, a)
		}
		if a.Disabled != "" {
			off = append(off, *a)
		} else {
			on = append(on, *a)
		}
	}
	if _, err := d.parse(d.document(r, nil, nil, "")); err != nil {
		return nil, fmt.Errorf("importer: the scenario without alarms does not load: %w", err)
	}
	out := encodeYAML(d.document(r, on, off, d.header()))
	if _, err := scenario.Parse(d.Source+" (imported)", out); err != nil {
		return nil, fmt.Errorf("importer: the imported scenario does not load: %w", err)
	}
	return out, nil
}

func (d *Draft) parse(doc *yaml.Node) (*scenario.Scenario, error) {
	return scenario.Parse("imported", encodeYAML(doc))
}

// where maps a scenario path below prefix (the alarm's place in the
// scenario, alarms[i]) to the line and path of the alarm's source.
func (a *Alarm) where(prefix, path string) (int, string) {
	rel := strings.TrimPrefix(strings.TrimPrefix(path, prefix), ".")
	line := a.line
	if l, ok := a.lines[rel]; ok && l > 0 {
		line = l
	}
	switch {
	case rel == "":
		return line, a.base
	case strings.HasPrefix(rel, "["):
		return line, a.base + rel
	}
	return line, a.base + "." + rel
}

// checkAlarm loads a scenario holding only a and records what the loader
// says about it, at the alarm's source lines.
func (d *Draft) checkAlarm(r resolved, a *Alarm) error {
	s, err := d.parse(d.document(r, []Alarm{*a}, nil, ""))
	const prefix = "alarms[0]"
	where := func(path string) (int, string) { return a.where(prefix, path) }
	if err != nil {
		var ye *yamlx.Error
		msg := err.Error()
		line, path := a.line, a.base
		if errors.As(err, &ye) && strings.HasPrefix(ye.Path, prefix) {
			line, path = where(ye.Path)
			msg = ye.Msg
		}
		a.Disabled = msg
		d.note(Note{File: d.Source, Line: line, Path: path, Msg: msg + "; the alarm is left out (commented)", Unresolved: true})
		return err
	}
	for _, w := range s.Warnings {
		line, path := where(w.Path)
		if !slices.ContainsFunc(d.Notes, func(n Note) bool { return n.Path == path && n.Msg == w.Msg }) {
			d.note(Note{File: d.Source, Line: line, Path: path, Msg: w.Msg, Warning: true})
		}
	}
	return nil
}
