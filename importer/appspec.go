package importer

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/suggest"
	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/strategies"
)

// AppSpec is a Lambda AppSpec as ParseAppSpec read it: the values
// (rendered again by strategies.AppSpec, the one writer) and where each
// was found.
type AppSpec struct {
	strategies.AppSpec

	// where ParseAppSpec found each value: line and path by field name.
	lines map[string]int
	paths map[string]string
}

// Lifecycle events a Lambda AppSpec may hook (CD-UG:reference-appspec-file-structure-hooks).
const (
	BeforeAllowTraffic = strategies.BeforeAllowTraffic
	AfterAllowTraffic  = strategies.AfterAllowTraffic
)

func positiveInt(s string) bool { return strategies.PublishedVersion(s) }

func encodeYAML(n *yaml.Node) []byte {
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(2)
	if err := e.Encode(n); err != nil {
		panic(err) // a node tree built here always encodes
	}
	e.Close()
	return b.Bytes()
}

// ParseAppSpec reads a Lambda AppSpec (YAML or JSON) with either key casing
// seen in the wild: the structure reference's lower-case keys or the
// examples' PascalCase (docs/appspec.md). Problems that leave a value
// unknown are notes; what makes the file unusable is an error.
func ParseAppSpec(file string, data []byte) (*AppSpec, []Note, error) {
	root, err := parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	var notes []Note
	note := func(n *yaml.Node, path, format string, a ...any) {
		line := 0
		if n != nil {
			line = n.Line
		}
		notes = append(notes, Note{File: file, Line: line, Path: path, Msg: fmt.Sprintf(format, a...), Unresolved: true})
	}
	fail := func(n *yaml.Node, path, format string, a ...any) (*AppSpec, []Note, error) {
		line := 0
		if n != nil {
			line = n.Line
		}
		return nil, notes, &yamlx.Error{File: file, Line: line, Path: path, Msg: fmt.Sprintf(format, a...)}
	}
	if root.Kind != yaml.MappingNode {
		return fail(root, "", "expected an AppSpec (a mapping with version and Resources), got %s", kind(root))
	}
	w := newWalker()
	for _, kv := range pairs(root) {
		switch norm(kv[0].Value) {
		case "version", "resources", "hooks":
		default:
			note(kv[0], kv[0].Value, "not a Lambda AppSpec key (version, Resources, Hooks): ignored")
		}
	}
	vk, v := lookup(root, "version")
	switch {
	case v == nil:
		note(root, "version", "missing: a Lambda AppSpec has version: 0.0")
	case v.Kind != yaml.ScalarNode || (v.Value != "0.0" && v.Value != "0"):
		note(v, vk.Value, "%s: the only version CodeDeploy accepts is 0.0", expr(v))
	}
	rk, res := lookup(root, "resources")
	if res == nil {
		return fail(root, "Resources", "missing: the function to deploy%s", sniffHint(root))
	}
	if res, err = w.deref(res); err != nil || res.Kind != yaml.SequenceNode || len(res.Content) == 0 {
		return fail(rk, rk.Value, "expected a list with one function%s", sniffHint(root))
	}
	if len(res.Content) > 1 {
		return fail(res.Content[1], yamlx.Index(rk.Value, 1), "a Lambda AppSpec deploys one function (CD-UG:deployment-steps-lambda); split it into one AppSpec per function")
	}
	item := res.Content[0]
	ps := pairs(item)
	if len(ps) != 1 {
		return fail(item, yamlx.Index(rk.Value, 0), "expected one resource, named: - myFunction: {Type: AWS::Lambda::Function, Properties: ...}")
	}
	a := &AppSpec{AppSpec: strategies.AppSpec{Resource: ps[0][0].Value}, lines: map[string]int{}, paths: map[string]string{}}
	base := yamlx.Key(yamlx.Index(rk.Value, 0), a.Resource)
	body := ps[0][1]
	if tk, ty := lookup(body, "type"); ty == nil {
		note(body, base, "no Type: taken as AWS::Lambda::Function")
	} else if ty.Value != "AWS::Lambda::Function" {
		if ty.Value == "AWS::ECS::Service" {
			return fail(ty, yamlx.Key(base, tk.Value), "an ECS AppSpec: shiftsim simulates Lambda deployments")
		}
		return fail(ty, yamlx.Key(base, tk.Value), "%q: a Lambda AppSpec's resource has Type AWS::Lambda::Function", ty.Value)
	}
	pk, props := lookup(body, "properties")
	if props == nil {
		return fail(body, base, "no Properties: Name, Alias, CurrentVersion and TargetVersion are required")
	}
	ppath := yamlx.Key(base, pk.Value)
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &a.Name}, {"alias", &a.Alias}, {"currentversion", &a.CurrentVersion}, {"targetversion", &a.TargetVersion}} {
		k, v := lookup(props, f.key)
		if v == nil {
			note(props, ppath, "no %s: CodeDeploy requires it", map[string]string{"name": "Name", "alias": "Alias", "currentversion": "CurrentVersion", "targetversion": "TargetVersion"}[f.key])
			continue
		}
		p := yamlx.Key(ppath, k.Value)
		a.lines[f.key], a.paths[f.key] = k.Line, p
		switch {
		case v.Kind != yaml.ScalarNode:
			note(v, p, "expected a string, got %s", kind(v))
		case placeholder(v.Value):
			note(v, p, "%q is an unfilled template placeholder", v.Value)
		case (f.key == "currentversion" || f.key == "targetversion") && !positiveInt(v.Value):
			note(v, p, "%q is not a published version number (a positive integer; not $LATEST or an alias)", v.Value)
		default:
			*f.dst = v.Value
		}
	}
	for _, kv := range pairs(props) {
		switch norm(kv[0].Value) {
		case "name", "alias", "currentversion", "targetversion":
		default:
			note(kv[0], yamlx.Key(ppath, kv[0].Value), "not a property of a Lambda AppSpec resource (Name, Alias, CurrentVersion, TargetVersion): ignored")
		}
	}
	if hk, hooks := lookup(root, "hooks"); hooks != nil && !isNull(hooks) {
		if hooks.Kind != yaml.SequenceNode {
			note(hooks, hk.Value, "expected a list: - BeforeAllowTraffic: FunctionName")
		}
		for i, h := range contentOf(hooks) {
			hp := yamlx.Index(hk.Value, i)
			for _, kv := range pairs(h) {
				p := yamlx.Key(hp, kv[0].Value)
				a.lines[kv[0].Value], a.paths[kv[0].Value] = kv[0].Line, p
				var dst *string
				switch kv[0].Value {
				case BeforeAllowTraffic:
					dst = &a.BeforeAllowTraffic
				case AfterAllowTraffic:
					dst = &a.AfterAllowTraffic
				default:
					msg := "not a Lambda lifecycle event (BeforeAllowTraffic, AfterAllowTraffic): ignored"
					if s := suggest.One(kv[0].Value, []string{BeforeAllowTraffic, AfterAllowTraffic}); s != "" {
						msg += fmt.Sprintf(" (did you mean %s?)", s)
					}
					note(kv[0], p, "%s", msg)
					continue
				}
				switch {
				case kv[1].Kind != yaml.ScalarNode || kv[1].Value == "":
					note(kv[1], p, "no hook function named: ignored")
				case placeholder(kv[1].Value):
					note(kv[1], p, "%q is an unfilled template placeholder: ignored", kv[1].Value)
				case *dst != "":
					note(kv[0], p, "%s given twice: each hook runs once per deployment; the first is kept", kv[0].Value)
				default:
					*dst = kv[1].Value
				}
			}
			if len(pairs(h)) != 1 {
				note(h, hp, "expected one event per item: - BeforeAllowTraffic: FunctionName")
			}
		}
	}
	return a, notes, nil
}

// placeholder recognises template placeholders such as {{NAME}}, ${NAME}, <NAME>.
func placeholder(s string) bool {
	return strings.Contains(s, "{{") || strings.HasPrefix(s, "${") || strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">")
}

// AppSpecImport imports a Lambda AppSpec: the function, its alias, the
// current and target versions and the hooks.
func AppSpecImport(file string, data []byte, opt Options) (*Draft, error) {
	a, notes, err := ParseAppSpec(file, data)
	if err != nil {
		return nil, err
	}
	d := &Draft{Source: file, Origin: "Lambda AppSpec", Notes: notes, Name: a.Name}
	if d.Name == "" {
		d.Name = a.Resource
	}
	from := func(key string) string { return at(file, a.lines[key], a.paths[key]) }
	d.Function = &Function{Name: a.Name, Alias: a.Alias, NameFrom: from("name"), AliasFrom: from("alias")}
	d.Versions = &Versions{Current: a.CurrentVersion, Target: a.TargetVersion, CurrentFrom: from("currentversion"), TargetFrom: from("targetversion")}
	if a.CurrentVersion != "" && a.CurrentVersion == a.TargetVersion {
		d.note(Note{File: file, Line: a.lines["targetversion"], Path: a.paths["targetversion"], Unresolved: true,
			Msg: fmt.Sprintf("CurrentVersion and TargetVersion are both %q: CodeDeploy accepts that only for AllAtOnce, and a simulation needs two versions; the scenario's target version is a DEFAULT", a.TargetVersion)})
		d.Versions.Target = ""
	}
	if a.BeforeAllowTraffic != "" {
		d.Hooks = append(d.Hooks, Hook{Event: BeforeAllowTraffic, Function: a.BeforeAllowTraffic, From: from(BeforeAllowTraffic)})
	}
	if a.AfterAllowTraffic != "" {
		d.Hooks = append(d.Hooks, Hook{Event: AfterAllowTraffic, Function: a.AfterAllowTraffic, From: from(AfterAllowTraffic)})
	}
	return d, nil
}
