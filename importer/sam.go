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
	"github.com/shiftsim/shiftsim/strategies"
)

// deployable is a function a template deploys with CodeDeploy: a SAM
// function with an enabled DeploymentPreference, or (in a transformed
// template) an AWS::Lambda::Alias whose UpdatePolicy runs CodeDeploy.
type deployable struct {
	id    string    // the function's logical ID (what --function names)
	fn    *resource // the function (nil if the alias names none of this template's)
	alias *resource // transformed templates: the alias
	line  int
}

// SAM imports the function a SAM template (or the CloudFormation it
// transforms into) deploys with CodeDeploy: its name and alias, the
// strategy from DeploymentPreference.Type (custom names resolved from an
// AWS::CodeDeploy::DeploymentConfig of the same template), the alarms from
// the template's AWS::CloudWatch::Alarm resources, the hooks and the
// function's Timeout. A template with several such functions needs
// opt.Function.
func SAM(file string, data []byte, opt Options) (*Draft, error) {
	root, err := parse(file, data)
	if err != nil {
		return nil, err
	}
	t, err := newTemplate(file, root, opt.Parameters, newWalker())
	if err != nil {
		return nil, err
	}
	if r := get(root, "Resources"); r == nil || r.Kind != yaml.MappingNode {
		return nil, &yamlx.Error{File: file, Line: root.Line, Msg: "no Resources: expected a SAM or CloudFormation template" + sniffHint(root)}
	}
	cands, disabled := t.deployables()
	var c *deployable
	switch {
	case opt.Function != "":
		for i := range cands {
			if cands[i].id == opt.Function || cands[i].alias != nil && cands[i].alias.id == opt.Function {
				c = &cands[i]
			}
		}
		if c == nil {
			msg := fmt.Sprintf("--function %s: ", opt.Function)
			switch r := t.res[opt.Function]; {
			case r == nil:
				msg += "no resource with that logical ID"
			case slices.Contains(disabled, opt.Function):
				msg += "its DeploymentPreference is disabled: SAM updates its alias at once, without CodeDeploy"
			case isFunction(r):
				msg += "it has no DeploymentPreference: SAM updates its alias at once, without CodeDeploy"
			default:
				msg += fmt.Sprintf("it is an %s, not a function", r.typ)
			}
			return nil, &yamlx.Error{File: file, Msg: msg + listDeployables(cands)}
		}
	case len(cands) == 1:
		c = &cands[0]
	case len(cands) == 0:
		msg := "no function with a DeploymentPreference (and an AutoPublishAlias) in this template"
		for _, r := range t.ofType("AWS::Serverless::StateMachine") {
			if get(r.props, "DeploymentPreference") != nil {
				msg += fmt.Sprintf("; %s (line %d) is an AWS::Serverless::StateMachine, whose DeploymentPreference shifts Step Functions traffic, not a Lambda alias: shiftsim does not simulate it", r.id, r.line)
			}
		}
		if len(disabled) > 0 {
			msg += fmt.Sprintf("; disabled: %s", strings.Join(disabled, ", "))
		}
		return nil, &yamlx.Error{File: file, Msg: msg}
	default:
		return nil, &yamlx.Error{File: file, Msg: fmt.Sprintf("%d functions are deployed with CodeDeploy: choose one with --function%s", len(cands), listDeployables(cands))}
	}
	d := &Draft{Source: file}
	if c.alias != nil {
		t.fromAlias(d, c)
	} else {
		t.fromSAM(d, c)
	}
	d.Notes = append(d.Notes, t.notes...)
	return d, nil
}

func listDeployables(cs []deployable) string {
	if len(cs) == 0 {
		return ""
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (line %d)", c.id, c.line)
	}
	return " (functions with a DeploymentPreference: " + strings.Join(parts, ", ") + ")"
}

// deployables lists the functions deployed with CodeDeploy, and the SAM
// functions whose DeploymentPreference is disabled.
func (t *template) deployables() (out []deployable, disabled []string) {
	for _, r := range t.ofType("AWS::Serverless::Function") {
		dp, path := t.samProp(r, "DeploymentPreference")
		if dp == nil {
			continue
		}
		if !t.enabled(dp, path) {
			disabled = append(disabled, r.id)
			continue
		}
		out = append(out, deployable{id: r.id, fn: r, line: r.line})
	}
	for _, a := range t.ofType("AWS::Lambda::Alias") {
		if get(get(a.node, "UpdatePolicy"), "CodeDeployLambdaAliasUpdate") == nil {
			continue
		}
		d := deployable{id: a.id, alias: a, line: a.line}
		if fn, arg, ok := intrinsic(get(a.props, "FunctionName")); ok && fn == "Ref" && arg.Kind == yaml.ScalarNode && isFunction(t.res[arg.Value]) {
			d.id, d.fn = arg.Value, t.res[arg.Value]
		}
		out = append(out, d)
	}
	return out, disabled
}

// samProp returns a SAM function's property, from Globals.Function when the
// function does not set it (SAM's Globals), and its path.
func (t *template) samProp(r *resource, key string) (*yaml.Node, string) {
	if v := get(r.props, key); v != nil {
		return v, yamlx.Key(yamlx.Key(r.path, "Properties"), key)
	}
	if r.typ == "AWS::Serverless::Function" {
		if v := get(get(get(t.root, "Globals"), "Function"), key); v != nil {
			return v, yamlx.Key("Globals.Function", key)
		}
	}
	return nil, ""
}

// dpGet returns a DeploymentPreference key: the function's, else Globals'.
func (t *template) dpGet(r *resource, key string) (*yaml.Node, string) {
	base := yamlx.Key(yamlx.Key(r.path, "Properties"), "DeploymentPreference")
	if v := get(get(r.props, "DeploymentPreference"), key); v != nil {
		return v, yamlx.Key(base, key)
	}
	if v := get(get(get(get(t.root, "Globals"), "Function"), "DeploymentPreference"), key); v != nil {
		return v, yamlx.Key("Globals.Function.DeploymentPreference", key)
	}
	return nil, ""
}

// enabled evaluates DeploymentPreference.Enabled: SAM treats false and the
// strings "false"/"False" as off (deployment_preference.py).
func (t *template) enabled(dp *yaml.Node, path string) bool {
	e := get(dp, "Enabled")
	if e == nil {
		return true
	}
	v, _, err := t.scalar(e, yamlx.Key(path, "Enabled"))
	if err != nil {
		n := t.noteFor(err, yamlx.Key(path, "Enabled"), e.Line)
		n.Msg += "; taken as enabled"
		t.notes = append(t.notes, n)
		return true
	}
	return v != "false" && v != "False"
}

func at(file string, line int, what string) string {
	return fmt.Sprintf("%s:%d %s", file, line, what)
}

func (t *template) fromSAM(d *Draft, c *deployable) {
	r := c.fn
	d.Origin = fmt.Sprintf("%s (%s)", r.path, r.typ)
	d.Name = r.id
	fnName, err := t.physical(r, "FunctionName", "function")
	if err != nil {
		n := t.noteFor(err, yamlx.Key(yamlx.Key(r.path, "Properties"), "FunctionName"), r.line)
		n.Msg += fmt.Sprintf("; the scenario calls the function %s (so does every !Ref %s)", r.id, r.id)
		t.notes = append(t.notes, n)
		fnName = r.id
		t.fallback[r.id] = r.id
	}
	f := &Function{Name: fnName, NameFrom: at(t.file, r.line, r.path)}
	if n := get(r.props, "FunctionName"); n != nil && !isNull(n) {
		f.NameFrom = at(t.file, n.Line, "FunctionName")
		if t.fallback[r.id] != "" {
			f.NameFrom = "DEFAULT: its FunctionName is not resolved (see the notes above)"
		}
	} else {
		f.NameFrom = fmt.Sprintf("DEFAULT: %s has no FunctionName, CloudFormation names the function at deploy time: put its real name here", r.id)
	}
	if n, path := t.samProp(r, "AutoPublishAlias"); n != nil {
		if v, _, err := t.scalar(n, path); err == nil {
			f.Alias, f.AliasFrom = v, at(t.file, n.Line, path)
		} else {
			nt := t.noteFor(err, path, n.Line)
			nt.Msg += "; the scenario uses the alias " + DefaultAlias
			if fn, arg, ok := intrinsic(n); ok && fn == "Ref" && t.params[arg.Value] != nil {
				t.fallback[arg.Value] = DefaultAlias
				nt.Msg += fmt.Sprintf(" (so does every !Ref %s)", arg.Value)
			}
			t.notes = append(t.notes, nt)
		}
	} else {
		t.notes = append(t.notes, Note{File: t.file, Line: r.line, Path: r.path,
			Msg: "no AutoPublishAlias: SAM requires one for a DeploymentPreference; the scenario uses the alias live", Unresolved: true})
	}
	d.Function = f
	t.timeout(d, r)

	dpPath := yamlx.Key(yamlx.Key(r.path, "Properties"), "DeploymentPreference")
	if n, path := t.dpGet(r, "Type"); n != nil {
		d.Strategies = t.samType(n, path)
	} else {
		t.notes = append(t.notes, Note{File: t.file, Line: r.line, Path: dpPath, Msg: "no Type: SAM requires one ('DeploymentPreference' is missing required Property 'Type')", Unresolved: true})
	}
	var alarmNodes []*yaml.Node
	var alarmPaths []string
	for _, src := range []*yaml.Node{get(get(get(get(t.root, "Globals"), "Function"), "DeploymentPreference"), "Alarms"), get(get(r.props, "DeploymentPreference"), "Alarms")} {
		if src == nil {
			continue
		}
		path := yamlx.Key(dpPath, "Alarms")
		if src == get(get(get(get(t.root, "Globals"), "Function"), "DeploymentPreference"), "Alarms") {
			path = "Globals.Function.DeploymentPreference.Alarms"
		}
		alarmNodes = append(alarmNodes, src)
		alarmPaths = append(alarmPaths, path)
	}
	for i, n := range alarmNodes {
		d.Alarms = append(d.Alarms, t.alarmList(n, alarmPaths[i], false)...)
	}
	dedupeAlarms(d)
	if hooks, path := t.dpGet(r, "Hooks"); hooks != nil {
		for _, kv := range pairs(hooks) {
			event := map[string]string{"PreTraffic": "BeforeAllowTraffic", "PostTraffic": "AfterAllowTraffic"}[kv[0].Value]
			hp := yamlx.Key(path, kv[0].Value)
			if event == "" {
				t.notes = append(t.notes, Note{File: t.file, Line: kv[0].Line, Path: hp, Msg: "unknown hook (SAM has PreTraffic and PostTraffic)", Unresolved: true})
				continue
			}
			d.Hooks = append(d.Hooks, t.hook(event, kv[1], hp))
		}
	}
	for _, k := range []string{"Role", "TriggerConfigurations", "PassthroughCondition"} {
		if n, _ := t.dpGet(r, k); n != nil {
			d.Ignored = append(d.Ignored, "DeploymentPreference."+k)
		}
	}
	for _, kv := range pairs(get(r.props, "DeploymentPreference")) {
		switch kv[0].Value {
		case "Type", "Alarms", "Hooks", "Enabled", "Role", "TriggerConfigurations", "PassthroughCondition":
		default:
			t.notes = append(t.notes, Note{File: t.file, Line: kv[0].Line, Path: yamlx.Key(dpPath, kv[0].Value),
				Msg: "not a DeploymentPreference property of AWS::Serverless::Function (Type, Alarms, Hooks, Enabled, Role, TriggerConfigurations, PassthroughCondition): ignored", Unresolved: true})
		}
	}
	yes := true
	d.AutoRollback, d.RollbackFrom = &yes, "SAM's deployment groups always roll back (DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST)"
	// SAM makes one application per stack and one group per function, and
	// gives neither a name: CloudFormation does, at deploy time (docs/appspec.md).
	d.Application, d.ApplicationFrom = "ServerlessDeploymentApplication",
		"DEFAULT: SAM's application for the stack; CloudFormation names it at deploy time: put its real name here (aws deploy list-applications)"
	d.DeploymentGroup, d.DeploymentGroupFrom = r.id+"DeploymentGroup",
		"DEFAULT: SAM's deployment group for "+r.id+"; CloudFormation names it at deploy time: put its real name here (aws deploy list-deployment-groups)"
}

// codeDeployName is the name of a CodeDeploy application or deployment
// group resource: its name property where the template sets it, else its
// logical ID marked DEFAULT (CloudFormation names it at deploy time).
func (t *template) codeDeployName(r *resource, prop, what string) (name, from string) {
	if n := get(r.props, prop); n != nil && !isNull(n) {
		path := yamlx.Key(yamlx.Key(r.path, "Properties"), prop)
		if v, _, err := t.scalar(n, path); err == nil {
			return v, at(t.file, n.Line, path)
		}
		return r.id, fmt.Sprintf("DEFAULT: %s's %s is not resolved: put the %s's real name here", r.id, prop, what)
	}
	return r.id, fmt.Sprintf("DEFAULT: %s has no %s, CloudFormation names the %s at deploy time: put its real name here", r.id, prop, what)
}

// timeout reads the function's Timeout (seconds) into the draft.
func (t *template) timeout(d *Draft, r *resource) {
	n, path := t.samProp(r, "Timeout")
	if n == nil {
		return
	}
	v, _, err := t.scalar(n, path)
	if err != nil {
		t.notes = append(t.notes, t.noteFor(err, path, n.Line))
		return
	}
	s, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || s < 1 || s > 900 {
		t.notes = append(t.notes, Note{File: t.file, Line: n.Line, Path: path, Msg: fmt.Sprintf("%q is not a Lambda timeout (1 to 900 seconds)", v), Unresolved: true})
		return
	}
	to := time.Duration(s) * time.Second
	d.Versions = &Versions{Timeout: &to, TimeoutFrom: at(t.file, n.Line, path)}
}

// samType resolves DeploymentPreference.Type (or a DeploymentGroup's
// DeploymentConfigName) to strategies: one, or both branches of an Fn::If
// whose condition cannot be evaluated offline.
func (t *template) samType(n *yaml.Node, path string) []Strategy {
	from := at(t.file, n.Line, path)
	if fn, arg, ok := intrinsic(n); ok {
		switch fn {
		case "Ref":
			if r := t.res[arg.Value]; r != nil && r.typ == cfgType {
				return t.configResource(r, from)
			}
		case "Fn::If":
			a, err := t.w.deref(arg)
			if err == nil && a.Kind == yaml.SequenceNode && len(a.Content) == 3 && a.Content[0].Kind == yaml.ScalarNode {
				ok, err := t.condition(a.Content[0].Value, a.Content[0], path)
				if err == nil {
					return t.samType(a.Content[map[bool]int{true: 1, false: 2}[ok]], path)
				}
				var u *unresolved
				if errors.As(err, &u) {
					t.notes = append(t.notes, Note{File: t.file, Line: n.Line, Path: path, Unresolved: true,
						Msg: fmt.Sprintf("%s cannot be resolved offline: %s; both branches are listed as strategies to compare", expr(n), u.cause)})
					var out []Strategy
					for i, b := range a.Content[1:] {
						for _, s := range t.samType(b, path) {
							s.From += fmt.Sprintf(" (if %s is %v)", a.Content[0].Value, i == 0)
							out = append(out, s)
						}
					}
					return out
				}
			}
		}
	}
	v, vn, err := t.scalar(n, path)
	if err != nil {
		nt := t.noteFor(err, path, n.Line)
		t.notes = append(t.notes, nt)
		return nil
	}
	if vn != nil && vn.Line > 0 && vn.Line != n.Line {
		from += fmt.Sprintf(" = %s (line %d)", v, vn.Line)
	}
	if _, err := strategies.Lookup(v); err == nil {
		return []Strategy{{Name: v, From: from}}
	}
	for _, r := range t.ofType(cfgType) {
		name := r.id
		if p := get(r.props, "DeploymentConfigName"); p != nil {
			if s, _, err := t.scalar(p, yamlx.Key(yamlx.Key(r.path, "Properties"), "DeploymentConfigName")); err == nil {
				name = s
			}
		}
		if name == v {
			return t.configResource(r, from)
		}
	}
	msg := fmt.Sprintf("%q is not a predefined configuration, and no AWS::CodeDeploy::DeploymentConfig in this template is named so", v)
	var ne *strategies.NameError
	if _, err := strategies.Lookup(v); errors.As(err, &ne) && len(ne.Suggestions) > 0 {
		msg = fmt.Sprintf("%q is not a predefined configuration (did you mean %s?), and no AWS::CodeDeploy::DeploymentConfig in this template is named so", v, strings.Join(ne.Suggestions, " or "))
	}
	msg += fmt.Sprintf("; import its definition with `shiftsim import deployment-config FILE --into SCENARIO` (FILE from `aws deploy get-deployment-config --deployment-config-name %s`)", v)
	t.notes = append(t.notes, Note{File: t.file, Line: n.Line, Path: path, Msg: msg, Unresolved: true})
	return nil
}

// configResource imports an AWS::CodeDeploy::DeploymentConfig resource.
func (t *template) configResource(r *resource, from string) []Strategy {
	s, ok := t.config(configAt{node: r.props, path: yamlx.Key(r.path, "Properties"), line: r.line, id: r.id})
	if !ok {
		return nil
	}
	s.From = from + ", defined at " + s.From
	return []Strategy{s}
}

// alarmList imports a list of alarm references (SAM's Alarms, or a
// DeploymentGroup's AlarmConfiguration.Alarms when named is set: items are
// {Name: ...}).
func (t *template) alarmList(n *yaml.Node, path string, named bool) []Alarm {
	items, err := t.w.deref(n)
	if err != nil {
		t.notes = append(t.notes, Note{File: t.file, Line: n.Line, Path: path, Msg: err.Error(), Unresolved: true})
		return nil
	}
	if _, _, ok := intrinsic(items); ok {
		r, err := t.resolve(items, path)
		if err != nil {
			t.notes = append(t.notes, t.noteFor(err, path, n.Line))
			return nil
		}
		items = r
	}
	if items == nil || isNull(items) {
		return nil
	}
	if items.Kind != yaml.SequenceNode {
		t.notes = append(t.notes, Note{File: t.file, Line: items.Line, Path: path, Msg: fmt.Sprintf("expected a list of alarms, got %s", kind(items)), Unresolved: true})
		return nil
	}
	var out []Alarm
	for i, item := range items.Content {
		ip := yamlx.Index(path, i)
		if named {
			nm := get(item, "Name")
			if nm == nil {
				t.notes = append(t.notes, Note{File: t.file, Line: item.Line, Path: ip, Msg: "expected {Name: alarm name}", Unresolved: true})
				continue
			}
			item, ip = nm, yamlx.Key(ip, "Name")
		}
		if a, ok := t.alarmRef(item, ip); ok {
			out = append(out, a)
		}
	}
	return out
}

// alarmRef imports the alarm one list item names.
func (t *template) alarmRef(item *yaml.Node, path string) (Alarm, bool) {
	via := at(t.file, item.Line, path)
	if fn, arg, ok := intrinsic(item); ok {
		switch {
		case fn == "Ref" && arg.Kind == yaml.ScalarNode && t.res[arg.Value] != nil && t.res[arg.Value].typ == "AWS::CloudWatch::Alarm":
			return t.resourceAlarm(t.res[arg.Value], via), true
		case fn == "Fn::GetAtt":
			id := ""
			if arg.Kind == yaml.ScalarNode {
				id, _, _ = strings.Cut(arg.Value, ".")
			} else if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
				id = arg.Content[0].Value
			}
			if r := t.res[id]; r != nil && r.typ == "AWS::CloudWatch::Alarm" {
				t.notes = append(t.notes, Note{File: t.file, Line: item.Line, Path: path, Unresolved: true,
					Msg: fmt.Sprintf("%s is the alarm's ARN, but CodeDeploy's AlarmConfiguration takes alarm names: use !Ref %s (imported as if it did)", expr(item), id)})
				return t.resourceAlarm(r, via), true
			}
		}
	}
	name, _, err := t.scalar(item, path)
	if err != nil {
		nt := t.noteFor(err, path, item.Line)
		nt.Msg += "; set the alarm name by hand"
		t.notes = append(t.notes, nt)
		return Alarm{}, false
	}
	for _, r := range t.ofType("AWS::CloudWatch::Alarm") {
		if n, err := t.physical(r, "AlarmName", "alarm"); err == nil && n == name {
			return t.resourceAlarm(r, via), true
		}
	}
	t.notes = append(t.notes, Note{File: t.file, Line: item.Line, Path: path, Unresolved: true,
		Msg: fmt.Sprintf("alarm %q is not defined in this template: import its definition with `shiftsim import alarms FILE --into SCENARIO` (FILE from `aws cloudwatch describe-alarms --alarm-names %s`)", name, shellQuote(name))})
	return Alarm{}, false
}

func dedupeAlarms(d *Draft) {
	seen := map[string]bool{}
	out := d.Alarms[:0]
	for _, a := range d.Alarms {
		if seen[a.Props.AlarmName] {
			continue
		}
		seen[a.Props.AlarmName] = true
		out = append(out, a)
	}
	d.Alarms = out
}

// hook imports one hook: the event and its function's name.
func (t *template) hook(event string, n *yaml.Node, path string) Hook {
	h := Hook{Event: event, From: at(t.file, n.Line, path)}
	v, _, err := t.scalar(n, path)
	if err != nil {
		nt := t.noteFor(err, path, n.Line)
		nt.Msg += "; the hook is simulated, but name its function by hand when you emit an AppSpec (--before-hook/--after-hook)"
		t.notes = append(t.notes, nt)
		return h
	}
	h.Function = v
	if fn, arg, ok := intrinsic(n); ok && fn == "Ref" && arg.Kind == yaml.ScalarNode {
		if r := t.res[arg.Value]; isFunction(r) && (get(r.props, "FunctionName") == nil || isNull(get(r.props, "FunctionName"))) {
			h.Generated = true
		}
	}
	if !strings.HasPrefix(v, "CodeDeployHook_") {
		t.notes = append(t.notes, Note{File: t.file, Line: n.Line, Path: path, Warning: true,
			Msg: fmt.Sprintf("hook function %s: the managed policy AWSCodeDeployRoleForLambda lets CodeDeploy invoke only functions named CodeDeployHook_*; with that role, this hook fails", v)})
	}
	return h
}

// fromAlias reads a transformed template: the alias's UpdatePolicy, its
// deployment group and that group's alarms.
func (t *template) fromAlias(d *Draft, c *deployable) {
	a := c.alias
	d.Origin = fmt.Sprintf("%s (AWS::Lambda::Alias with UpdatePolicy.CodeDeployLambdaAliasUpdate)", a.path)
	d.Name = c.id
	props := yamlx.Key(a.path, "Properties")
	f := &Function{}
	if c.fn != nil {
		name, err := t.physical(c.fn, "FunctionName", "function")
		if err != nil {
			t.notes = append(t.notes, t.noteFor(err, yamlx.Key(yamlx.Key(c.fn.path, "Properties"), "FunctionName"), c.fn.line))
			name = c.fn.id
		}
		f.Name, f.NameFrom = name, at(t.file, c.fn.line, c.fn.path)
		t.timeout(d, c.fn)
	} else if n := get(a.props, "FunctionName"); n != nil {
		if v, _, err := t.scalar(n, yamlx.Key(props, "FunctionName")); err == nil {
			f.Name, f.NameFrom = v, at(t.file, n.Line, yamlx.Key(props, "FunctionName"))
		} else {
			t.notes = append(t.notes, t.noteFor(err, yamlx.Key(props, "FunctionName"), n.Line))
			f.Name = c.id
		}
	}
	if n := get(a.props, "Name"); n != nil {
		if v, _, err := t.scalar(n, yamlx.Key(props, "Name")); err == nil {
			f.Alias, f.AliasFrom = v, at(t.file, n.Line, yamlx.Key(props, "Name"))
		} else {
			t.notes = append(t.notes, t.noteFor(err, yamlx.Key(props, "Name"), n.Line))
		}
	}
	d.Function = f
	up := get(get(a.node, "UpdatePolicy"), "CodeDeployLambdaAliasUpdate")
	upPath := a.path + ".UpdatePolicy.CodeDeployLambdaAliasUpdate"
	for _, h := range [][2]string{{"BeforeAllowTrafficHook", "BeforeAllowTraffic"}, {"AfterAllowTrafficHook", "AfterAllowTraffic"}} {
		if n := get(up, h[0]); n != nil {
			d.Hooks = append(d.Hooks, t.hook(h[1], n, yamlx.Key(upPath, h[0])))
		}
	}
	if an := get(up, "ApplicationName"); an != nil {
		ap := yamlx.Key(upPath, "ApplicationName")
		if fn, arg, ok := intrinsic(an); ok && fn == "Ref" && arg.Kind == yaml.ScalarNode && t.res[arg.Value] != nil && t.res[arg.Value].typ == "AWS::CodeDeploy::Application" {
			d.Application, d.ApplicationFrom = t.codeDeployName(t.res[arg.Value], "ApplicationName", "application")
		} else if v, _, err := t.scalar(an, ap); err == nil {
			d.Application, d.ApplicationFrom = v, at(t.file, an.Line, ap)
		} else {
			t.notes = append(t.notes, t.noteFor(err, ap, an.Line))
		}
	}
	gn := get(up, "DeploymentGroupName")
	var g *resource
	if fn, arg, ok := intrinsic(gn); ok && fn == "Ref" && arg.Kind == yaml.ScalarNode {
		g = t.res[arg.Value]
	}
	if g == nil || g.typ != "AWS::CodeDeploy::DeploymentGroup" {
		line := a.line
		if gn != nil {
			line = gn.Line
		}
		t.notes = append(t.notes, Note{File: t.file, Line: line, Path: yamlx.Key(upPath, "DeploymentGroupName"), Unresolved: true,
			Msg: "expected !Ref to an AWS::CodeDeploy::DeploymentGroup of this template: the strategy and alarms are in that group"})
		return
	}
	d.DeploymentGroup, d.DeploymentGroupFrom = t.codeDeployName(g, "DeploymentGroupName", "deployment group")
	gp := yamlx.Key(g.path, "Properties")
	if n := get(g.props, "DeploymentConfigName"); n != nil {
		d.Strategies = t.samType(n, yamlx.Key(gp, "DeploymentConfigName"))
	} else {
		t.notes = append(t.notes, Note{File: t.file, Line: g.line, Path: gp, Unresolved: true,
			Msg: "no DeploymentConfigName: CodeDeploy's default for a Lambda group is not documented"})
	}
	ac := get(g.props, "AlarmConfiguration")
	if list := get(ac, "Alarms"); list != nil {
		alarms := t.alarmList(list, gp+".AlarmConfiguration.Alarms", true)
		if e := get(ac, "Enabled"); e != nil && strings.EqualFold(e.Value, "false") {
			for i := range alarms {
				alarms[i].Disabled = "AlarmConfiguration.Enabled is false: CodeDeploy does not watch this alarm"
			}
		}
		d.Alarms = append(d.Alarms, alarms...)
		dedupeAlarms(d)
	}
	if rb := get(g.props, "AutoRollbackConfiguration"); rb != nil {
		on := true
		if e := get(rb, "Enabled"); e != nil {
			v, _, err := t.scalar(e, gp+".AutoRollbackConfiguration.Enabled")
			on = err != nil || !strings.EqualFold(v, "false")
		}
		d.AutoRollback, d.RollbackFrom = &on, at(t.file, rb.Line, yamlx.Key(gp, "AutoRollbackConfiguration"))
	} else {
		off := false
		d.AutoRollback, d.RollbackFrom = &off, at(t.file, g.line, gp)+" has no AutoRollbackConfiguration"
	}
	for _, k := range []string{"TriggerConfigurations", "ServiceRoleArn"} {
		if get(g.props, k) != nil {
			d.Ignored = append(d.Ignored, "DeploymentGroup."+k)
		}
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
