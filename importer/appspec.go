package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/suggest"
	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/strategies"
)

// AppSpec is a Lambda AppSpec: one function, its alias, the version the
// alias points at and the version to shift to, and the lifecycle hooks
// (CD-UG:reference-appspec-file-structure, aws-facts §3.1).
type AppSpec struct {
	// Resource is the resource's key in Resources (any name; AWS's example
	// uses myLambdaFunction).
	Resource                              string
	Name, Alias                           string
	CurrentVersion, TargetVersion         string
	BeforeAllowTraffic, AfterAllowTraffic string // hook function names; empty for none

	// where ParseAppSpec found each value: line and path by field name.
	lines map[string]int
	paths map[string]string
}

// Lifecycle events a Lambda AppSpec may hook (CD-UG:reference-appspec-file-structure-hooks).
const (
	BeforeAllowTraffic = "BeforeAllowTraffic"
	AfterAllowTraffic  = "AfterAllowTraffic"
)

// Validate checks what CodeDeploy checks before it shifts anything: every
// property set, versions positive integers (not $LATEST, not an alias), and
// CurrentVersion different from TargetVersion unless cfg is AllAtOnce
// (aws-facts §3.1, §3.2). cfg may be nil.
func (a *AppSpec) Validate(cfg *strategies.Config) error {
	var errs []string
	for _, f := range []struct{ name, v string }{{"Name", a.Name}, {"Alias", a.Alias}, {"CurrentVersion", a.CurrentVersion}, {"TargetVersion", a.TargetVersion}} {
		if f.v == "" {
			errs = append(errs, f.name+": missing (CodeDeploy requires it)")
		}
	}
	for _, f := range []struct{ name, v string }{{"CurrentVersion", a.CurrentVersion}, {"TargetVersion", a.TargetVersion}} {
		if f.v != "" && !positiveInt(f.v) {
			errs = append(errs, fmt.Sprintf("%s: %q is not a published version number (a positive integer; not $LATEST or an alias)", f.name, f.v))
		}
	}
	if a.CurrentVersion != "" && a.CurrentVersion == a.TargetVersion && (cfg == nil || cfg.Type != strategies.AllAtOnce) {
		errs = append(errs, fmt.Sprintf("TargetVersion: equals CurrentVersion (%s): CodeDeploy rejects that for a canary or linear configuration (only AllAtOnce accepts it)", a.CurrentVersion))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func positiveInt(s string) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n > 0 && strconv.FormatUint(n, 10) == s
}

func (a *AppSpec) resourceKey() string {
	if a.Resource != "" {
		return a.Resource
	}
	var b strings.Builder
	for _, r := range a.Name {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "myLambdaFunction"
	}
	return b.String()
}

func (a *AppSpec) hooks() [][2]string {
	var out [][2]string
	if a.BeforeAllowTraffic != "" {
		out = append(out, [2]string{BeforeAllowTraffic, a.BeforeAllowTraffic})
	}
	if a.AfterAllowTraffic != "" {
		out = append(out, [2]string{AfterAllowTraffic, a.AfterAllowTraffic})
	}
	return out
}

// YAML renders the AppSpec as AWS's example does: lower-case version,
// PascalCase keys, quoted strings (aws-facts §3.1: emit PascalCase).
func (a *AppSpec) YAML() []byte {
	q := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	props := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("Name"), q(a.Name), str("Alias"), q(a.Alias), str("CurrentVersion"), q(a.CurrentVersion), str("TargetVersion"), q(a.TargetVersion)}}
	res := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("Type"), str("AWS::Lambda::Function"), str("Properties"), props}}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("version"), {Kind: yaml.ScalarNode, Tag: "!!float", Value: "0.0"},
		str("Resources"), {Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Content: []*yaml.Node{str(a.resourceKey()), res}}}},
	}}
	if hs := a.hooks(); len(hs) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, h := range hs {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str(h[0]), q(h[1])}})
		}
		root.Content = append(root.Content, str("Hooks"), seq)
	}
	return encodeYAML(root)
}

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

// JSON renders the AppSpec in AWS's JSON form ("version": 0.0).
func (a *AppSpec) JSON() []byte {
	type props struct {
		Name, Alias, CurrentVersion, TargetVersion string
	}
	type res struct {
		Type       string
		Properties props
	}
	doc := struct {
		Version   json.RawMessage     `json:"version"`
		Resources []map[string]res    `json:"Resources"`
		Hooks     []map[string]string `json:"Hooks,omitempty"`
	}{
		Version:   json.RawMessage("0.0"),
		Resources: []map[string]res{{a.resourceKey(): {Type: "AWS::Lambda::Function", Properties: props{a.Name, a.Alias, a.CurrentVersion, a.TargetVersion}}}},
	}
	for _, h := range a.hooks() {
		doc.Hooks = append(doc.Hooks, map[string]string{h[0]: h[1]})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Revision is CreateDeployment's revision for inline AppSpec content:
// {"revisionType": "AppSpecContent", "appSpecContent": {"content", "sha256"}},
// sha256 being the hex SHA-256 of content's exact bytes (aws-facts §3.3).
type Revision struct {
	RevisionType   string `json:"revisionType"`
	AppSpecContent struct {
		Content string `json:"content"`
		Sha256  string `json:"sha256"`
	} `json:"appSpecContent"`
}

// NewRevision wraps AppSpec content as a revision.
func NewRevision(content []byte) Revision {
	var r Revision
	r.RevisionType = "AppSpecContent"
	sum := sha256.Sum256(content)
	r.AppSpecContent.Content = string(content)
	r.AppSpecContent.Sha256 = hex.EncodeToString(sum[:])
	return r
}

// JSON renders the revision on one line, as --revision takes it.
func (r Revision) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// ParseAppSpec reads a Lambda AppSpec (YAML or JSON) with either key casing
// seen in the wild: the structure reference's lower-case keys or the
// examples' PascalCase (aws-facts §3.1, §13.4). Problems that leave a value
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
	a := &AppSpec{Resource: ps[0][0].Value, lines: map[string]int{}, paths: map[string]string{}}
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
