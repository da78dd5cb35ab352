package importer

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/suggest"
	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/scenario"
)

// Alarm properties that have no field in scenario.Alarm: dropped with a
// note (they do not change how the alarm evaluates), or refused.
var (
	alarmDropped = map[string]string{
		"Tags":                             "tags do not affect evaluation",
		"ActionsSuppressor":                "action suppression does not affect the alarm's state",
		"ActionsSuppressorWaitPeriod":      "action suppression does not affect the alarm's state",
		"ActionsSuppressorExtensionPeriod": "action suppression does not affect the alarm's state",
		"EvaluationState":                  "a read-only state detail",
	}
	alarmRefused = map[string]string{
		"ThresholdMetricId":  "an anomaly-detection alarm (ThresholdMetricId) is not simulated",
		"EvaluationCriteria": "a PromQL alarm (EvaluationCriteria) is not simulated",
		"AlarmRule":          "a composite alarm (AlarmRule) is not simulated; import the metric alarms it combines",
	}
	// alarmReadOnly are describe-alarms fields left out of the scenario:
	// they describe the alarm's past, not how it evaluates. StateValue is
	// kept: the simulation starts in it.
	alarmReadOnly = []string{"AlarmArn", "AlarmConfigurationUpdatedTimestamp", "StateReason", "StateReasonData",
		"StateUpdatedTimestamp", "StateTransitionedTimestamp"}
	// alarmCosmetic do not affect a simulation: when they cannot be
	// resolved they are dropped with a note instead of disabling the alarm.
	alarmCosmetic = []string{"AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions"}
)

// decodeAlarm converts an alarm's properties (an AWS::CloudWatch::Alarm's
// Properties or a describe-alarms MetricAlarms entry) into the scenario's
// shape. CloudFormation's loose typing is accepted ("60" for 60, True for
// true). name is used when the properties have no AlarmName.
func (t *template) decodeAlarm(props *yaml.Node, base, name string, line int) Alarm {
	a := Alarm{base: base, line: line, lines: map[string]int{}}
	p, err := t.w.deref(props)
	if err != nil || p == nil || p.Kind != yaml.MappingNode {
		a.Disabled = fmt.Sprintf("%s: expected the alarm's properties (a mapping), got %s", base, kind(p))
		t.notes = append(t.notes, Note{File: t.file, Line: line, Path: base, Msg: "expected the alarm's properties (a mapping)", Unresolved: true})
		return a
	}
	v := reflect.ValueOf(&a.Props).Elem()
	fields := fieldsOf(v.Type())
	var problems []string
	for _, kv := range pairs(p) {
		key := kv[0].Value
		path := yamlx.Key(base, key)
		a.lines[key] = kv[0].Line
		if slices.Contains(alarmReadOnly, key) || isNull(kv[1]) || kv[1].Kind == yaml.SequenceNode && len(kv[1].Content) == 0 {
			continue // describe-alarms writes null and [] for what is not set
		}
		if why, ok := alarmDropped[key]; ok {
			t.notes = append(t.notes, Note{File: t.file, Line: kv[0].Line, Path: path, Msg: "not copied: " + why})
			continue
		}
		if why, ok := alarmRefused[key]; ok {
			problems = append(problems, why)
			t.notes = append(t.notes, Note{File: t.file, Line: kv[0].Line, Path: path, Msg: why, Unresolved: true})
			continue
		}
		idx, ok := fields[key]
		if !ok || key == "EvaluationRange" {
			msg := fmt.Sprintf("unknown alarm property %s", key)
			if s := suggest.One(key, fieldNames(fields)); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			problems = append(problems, msg)
			t.notes = append(t.notes, Note{File: t.file, Line: kv[0].Line, Path: path, Msg: msg, Unresolved: true})
			continue
		}
		r, err := t.resolve(kv[1], path)
		if err == nil && r != nil {
			err = assign(v.Field(idx), r, path, key, a.lines)
		}
		if err != nil {
			n := t.noteFor(err, path, kv[1].Line)
			if slices.Contains(alarmCosmetic, key) {
				n.Msg += "; not copied (it does not affect the simulation)"
				n.Unresolved = false
				t.notes = append(t.notes, n)
				continue
			}
			t.notes = append(t.notes, n)
			problems = append(problems, n.Path+": "+n.Msg)
		}
	}
	if a.Props.AlarmName == "" && name != "" {
		a.Props.AlarmName = name
	}
	if len(problems) > 0 {
		a.Disabled = strings.Join(problems, "; ")
	}
	hints(&a, t)
	return a
}

// hints add what the loader cannot know: why an alarm would never fire in
// AWS either.
func hints(a *Alarm, t *template) {
	p := &a.Props
	if p.Namespace == "AWS/Lambda" && p.MetricName == "Error" {
		t.notes = append(t.notes, Note{File: t.file, Line: a.lines["MetricName"], Path: yamlx.Key(a.base, "MetricName"),
			Msg: `Lambda publishes no metric "Error" (did you mean Errors?): this alarm never gets data in AWS either`, Unresolved: true})
	}
	for i, d := range p.Dimensions {
		if d.Name == "FunctionName" && strings.HasPrefix(d.Value, "arn:") {
			path := fmt.Sprintf("Dimensions[%d].Value", i)
			t.notes = append(t.notes, Note{File: t.file, Line: a.lines[path], Path: a.base + "." + path,
				Msg: "the FunctionName dimension is the function's name, not its ARN: this alarm never gets data in AWS either"})
		}
	}
}

// fieldsOf maps AWS property names (the yaml tag, else the Go name) to
// field indexes.
func fieldsOf(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" {
			name = tag
		}
		m[name] = i
	}
	return m
}

func fieldNames(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// assign stores resolved node n into v with CloudFormation's loose typing,
// recording the line of every path below the alarm (rel) in lines.
func assign(v reflect.Value, n *yaml.Node, path, rel string, lines map[string]int) error {
	lines[rel] = n.Line
	bad := func(format string, a ...any) error {
		return &unresolved{line: n.Line, path: path, cause: fmt.Sprintf(format, a...)}
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			return nil
		}
		e := reflect.New(v.Type().Elem())
		if err := assign(e.Elem(), n, path, rel, lines); err != nil {
			return err
		}
		v.Set(e)
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return bad("expected a string, got %s", kind(n))
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode {
			return bad("expected an integer, got %s", kind(n))
		}
		s := strings.TrimSpace(n.Value)
		i, err := strconv.Atoi(s)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<40 {
				return bad("expected an integer, got %q", n.Value)
			}
			i = int(f)
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode {
			return bad("expected a number, got %s", kind(n))
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("expected a number, got %q", n.Value)
		}
		v.SetFloat(f)
	case reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(n.Value)) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return bad("expected true or false, got %q", n.Value)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return bad("expected a list, got %s", kind(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := assign(s.Index(i), c, yamlx.Index(path, i), yamlx.Index(rel, i), lines); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return bad("expected a mapping, got %s", kind(n))
		}
		fields := fieldsOf(v.Type())
		for _, kv := range pairs(n) {
			idx, ok := fields[kv[0].Value]
			if !ok {
				msg := fmt.Sprintf("unknown property %s", kv[0].Value)
				if s := suggest.One(kv[0].Value, fieldNames(fields)); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				return &unresolved{line: kv[0].Line, path: yamlx.Key(path, kv[0].Value), cause: msg}
			}
			if err := assign(v.Field(idx), kv[1], yamlx.Key(path, kv[0].Value), yamlx.Key(rel, kv[0].Value), lines); err != nil {
				return err
			}
		}
	default:
		return bad("unsupported field type %s", v.Type())
	}
	return nil
}

// alarmNode renders an alarm in the scenario's shape: AWS property names in
// scenario.Alarm's order, zero values left out, dimensions one per line.
func alarmNode(p *scenario.Alarm) *yaml.Node {
	return structNode(reflect.ValueOf(p).Elem(), 0)
}

func structNode(v reflect.Value, depth int) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || slices.Contains(alarmReadOnly, f.Name) {
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" {
			name = tag
		}
		val := valueNode(v.Field(i), depth+1)
		if val == nil {
			continue
		}
		m.Content = append(m.Content, str(name), val)
	}
	if len(m.Content) == 0 {
		return nil
	}
	return m
}

func valueNode(v reflect.Value, depth int) *yaml.Node {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return valueNode(v.Elem(), depth)
	case reflect.String:
		if v.String() == "" {
			return nil
		}
		return str(v.String())
	case reflect.Int:
		return plain(strconv.FormatInt(v.Int(), 10))
	case reflect.Float64:
		return plain(formatFloat(v.Float()))
	case reflect.Bool:
		return plain(strconv.FormatBool(v.Bool()))
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for i := range v.Len() {
			item := valueNode(v.Index(i), depth+1)
			if item == nil {
				item = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
			}
			if v.Type().Elem() == reflect.TypeFor[scenario.Dimension]() {
				item.Style = yaml.FlowStyle
			}
			s.Content = append(s.Content, item)
		}
		return s
	case reflect.Struct:
		return structNode(v, depth)
	}
	return nil
}

// formatFloat writes f as briefly as it round-trips: 70, 0.5, 1e-06.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if strings.ContainsAny(s, "e") && !strings.Contains(s, ".") {
		// YAML 1.2 reads 1e-06 as a float, but some readers want a dot.
		m, e, _ := strings.Cut(s, "e")
		s = m + ".0e" + e
	}
	return s
}

// templateAlarms imports every AWS::CloudWatch::Alarm resource of t.
func (t *template) templateAlarms() []Alarm {
	var out []Alarm
	for _, r := range t.ofType("AWS::CloudWatch::Alarm") {
		out = append(out, t.resourceAlarm(r, ""))
	}
	return out
}

// resourceAlarm imports one AWS::CloudWatch::Alarm resource; via says how
// the deployment refers to it.
func (t *template) resourceAlarm(r *resource, via string) Alarm {
	name, err := t.physical(r, "AlarmName", "alarm")
	if err != nil {
		n := t.noteFor(err, yamlx.Key(yamlx.Key(r.path, "Properties"), "AlarmName"), r.line)
		n.Msg += fmt.Sprintf("; the alarm is named %s in the scenario (CodeDeploy refers to alarms by name: use the real one)", r.id)
		t.notes = append(t.notes, n)
		name = r.id
	}
	a := t.decodeAlarm(r.props, yamlx.Key(r.path, "Properties"), name, r.line)
	a.Props.AlarmName = name
	a.From = fmt.Sprintf("%s:%d %s", t.file, r.line, r.path)
	if via != "" {
		a.From += ", via " + via
	}
	return a
}

// describeAlarms imports `aws cloudwatch describe-alarms` (or
// describe-alarms-for-metric) output: MetricAlarms, and CompositeAlarms
// reported as not simulated.
func (t *template) describeAlarms(root *yaml.Node) ([]Alarm, error) {
	list := get(root, "MetricAlarms")
	if list == nil {
		return nil, &yamlx.Error{File: t.file, Line: root.Line, Msg: "no MetricAlarms: expected the JSON output of `aws cloudwatch describe-alarms`" + sniffHint(root)}
	}
	l, err := t.w.deref(list)
	if err != nil || l.Kind != yaml.SequenceNode {
		return nil, &yamlx.Error{File: t.file, Line: list.Line, Path: "MetricAlarms", Msg: "expected a list of alarms"}
	}
	var out []Alarm
	for i, item := range l.Content {
		base := yamlx.Index("MetricAlarms", i)
		a := t.decodeAlarm(item, base, "", item.Line)
		a.From = fmt.Sprintf("%s:%d %s", t.file, item.Line, base)
		if a.Props.AlarmName == "" && a.Disabled == "" {
			a.Disabled = "no AlarmName"
		}
		out = append(out, a)
	}
	for i, c := range contentOf(get(root, "CompositeAlarms")) {
		name := ""
		if n := get(c, "AlarmName"); n != nil {
			name = " " + n.Value
		}
		t.notes = append(t.notes, Note{File: t.file, Line: c.Line, Path: yamlx.Index("CompositeAlarms", i),
			Msg: fmt.Sprintf("composite alarm%s not imported: shiftsim simulates metric alarms (import the alarms its AlarmRule combines)", name), Unresolved: true})
	}
	return out, nil
}

func contentOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// AlarmsImport imports alarms: `aws cloudwatch describe-alarms` output
// (MetricAlarms), or every AWS::CloudWatch::Alarm of a template.
func AlarmsImport(file string, data []byte, opt Options) (*Draft, error) {
	d := &Draft{Source: file}
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	if looksPutAlarm(data) {
		t := emptyTemplate(file, opt, newWalker())
		cmds, err := putAlarms(file, data)
		if err != nil {
			return nil, err
		}
		d.Origin = "aws cloudwatch put-metric-alarm"
		for i, m := range cmds {
			base := fmt.Sprintf("put-metric-alarm[%d]", i)
			a := t.decodeAlarm(m, base, "", m.Line)
			a.From = fmt.Sprintf("%s:%d %s", file, m.Line, base)
			if a.Props.AlarmName == "" && a.Disabled == "" {
				a.Disabled = "no --alarm-name"
			}
			d.Alarms = append(d.Alarms, a)
		}
		d.Notes = append(d.Notes, t.notes...)
		d.Name = d.Alarms[0].Props.AlarmName
		return d, nil
	}
	root, err := parse(file, data)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, &yamlx.Error{File: file, Line: root.Line, Msg: fmt.Sprintf("expected `aws cloudwatch describe-alarms` output (a JSON object with MetricAlarms), a template, or put-metric-alarm commands; got %s", kind(root))}
	}
	t, err := newTemplate(file, root, opt.Parameters, newWalker())
	if err != nil {
		return nil, err
	}
	if get(root, "Resources") != nil {
		d.Origin = "AWS::CloudWatch::Alarm resources"
		d.Alarms = t.templateAlarms()
		if len(d.Alarms) == 0 {
			return nil, &yamlx.Error{File: file, Line: root.Line, Msg: "this template has no AWS::CloudWatch::Alarm resource"}
		}
	} else {
		d.Origin = "describe-alarms output"
		if d.Alarms, err = t.describeAlarms(root); err != nil {
			return nil, err
		}
		if len(d.Alarms) == 0 {
			t.notes = append(t.notes, Note{File: file, Line: root.Line, Path: "MetricAlarms", Msg: "empty: no alarm to import", Unresolved: true})
		}
	}
	d.Notes = append(d.Notes, t.notes...)
	if len(d.Alarms) > 0 {
		d.Name = d.Alarms[0].Props.AlarmName
	}
	return d, nil
}
