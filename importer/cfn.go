package importer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

// template is a CloudFormation (or SAM) template being read, with what its
// intrinsic functions can be evaluated against offline.
type template struct {
	file      string
	root      *yaml.Node
	w         *walker
	params    map[string]*param
	conds     map[string]*yaml.Node
	mappings  *yaml.Node
	res       map[string]*resource
	order     []*resource // document order
	overrides map[string]string
	// target is the version number a deployment publishes: what a SAM
	// function's Version.Version attribute means in an alarm dimension.
	target string
	notes  []Note
	noted  map[string]bool
	// fallback holds the value the scenario uses for a parameter or a
	// resource's name that cannot be resolved, so that every reference
	// to it agrees with the scenario (one note where it was chosen).
	fallback  map[string]string
	condBusy  map[string]bool
	recursion int
}

type param struct {
	name, typ string
	def       *yaml.Node
	line      int
}

type resource struct {
	id, typ string
	node    *yaml.Node
	props   *yaml.Node
	line    int
	path    string
}

// unresolved is a value that cannot be determined offline (offline set:
// expr is the expression as written at the property, cause the innermost
// reason), or an intrinsic function used wrongly (cause says how).
type unresolved struct {
	line    int
	path    string
	expr    string
	cause   string
	offline bool
}

func (e *unresolved) Error() string {
	switch {
	case e.expr == "":
		return e.cause
	case e.offline:
		return e.expr + " cannot be resolved offline: " + e.cause
	}
	return e.expr + ": " + e.cause
}

// note turns an error met while resolving the value at path into a Note.
func (t *template) noteFor(err error, path string, line int) Note {
	var u *unresolved
	if errors.As(err, &u) {
		if u.line > 0 {
			line = u.line
		}
		if u.path != "" {
			path = u.path
		}
		return Note{File: t.file, Line: line, Path: path, Msg: u.Error(), Unresolved: true}
	}
	return Note{File: t.file, Line: line, Path: path, Msg: err.Error(), Unresolved: true}
}

// assume records an assumption once per key.
func (t *template) assume(key string, line int, path, format string, a ...any) {
	if t.noted[key] {
		return
	}
	t.noted[key] = true
	t.notes = append(t.notes, Note{File: t.file, Line: line, Path: path, Msg: fmt.Sprintf(format, a...)})
}

// newTemplate indexes root's Parameters, Conditions, Mappings and Resources.
func newTemplate(file string, root *yaml.Node, overrides map[string]string, w *walker) (*template, error) {
	t := &template{file: file, root: root, w: w, overrides: overrides, target: "2",
		params: map[string]*param{}, conds: map[string]*yaml.Node{}, res: map[string]*resource{},
		noted: map[string]bool{}, fallback: map[string]string{}, condBusy: map[string]bool{}}
	if root.Kind != yaml.MappingNode {
		return nil, &yamlx.Error{File: file, Line: root.Line, Msg: fmt.Sprintf("expected a template (a mapping with Resources), got %s", kind(root))}
	}
	for _, kv := range pairs(get(root, "Parameters")) {
		p := &param{name: kv[0].Value, line: kv[0].Line}
		if v := get(kv[1], "Type"); v != nil && v.Kind == yaml.ScalarNode {
			p.typ = v.Value
		}
		p.def = get(kv[1], "Default")
		t.params[p.name] = p
	}
	for _, kv := range pairs(get(root, "Conditions")) {
		t.conds[kv[0].Value] = kv[1]
	}
	t.mappings = get(root, "Mappings")
	for _, kv := range pairs(get(root, "Resources")) {
		r := &resource{id: kv[0].Value, node: kv[1], line: kv[0].Line, path: yamlx.Key("Resources", kv[0].Value)}
		if v := get(kv[1], "Type"); v != nil && v.Kind == yaml.ScalarNode {
			r.typ = v.Value
		}
		r.props = get(kv[1], "Properties")
		t.res[r.id] = r
		t.order = append(t.order, r)
	}
	return t, nil
}

// ofType lists the resources of the given types in document order.
func (t *template) ofType(types ...string) []*resource {
	var out []*resource
	for _, r := range t.order {
		if slices.Contains(types, r.typ) {
			out = append(out, r)
		}
	}
	return out
}

// intrinsic recognises !Tag short forms and {"Fn::X": arg} / {"Ref": arg}.
func intrinsic(n *yaml.Node) (fn string, arg *yaml.Node, ok bool) {
	if n == nil {
		return "", nil, false
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		switch name {
		case "Ref", "Condition":
		default:
			name = "Fn::" + name
		}
		a := *n
		a.Tag = ""
		switch a.Kind {
		case yaml.ScalarNode:
			a.Tag = "!!str"
		case yaml.SequenceNode:
			a.Tag = "!!seq"
		case yaml.MappingNode:
			a.Tag = "!!map"
		}
		return name, &a, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Kind == yaml.ScalarNode {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Content[1], true
		}
	}
	return "", nil, false
}

// expr renders n compactly in short form for messages: !GetAtt X.Arn.
func expr(n *yaml.Node) string {
	b := &budget{left: 120}
	s := exprN(n, 0, b)
	if b.cut {
		s += "..."
	}
	return s
}

// budget bounds a rendering: aliases can make a small document name a
// huge tree.
type budget struct {
	left int
	cut  bool
}

func exprN(n *yaml.Node, depth int, b *budget) string {
	if b.left <= 0 {
		b.cut = true
		return ""
	}
	return exprNode(n, depth, b)
}

func exprNode(n *yaml.Node, depth int, b *budget) string {
	if n == nil {
		return "null"
	}
	if depth > 6 {
		return "..."
	}
	if fn, arg, ok := intrinsic(n); ok {
		if fn == "Fn::Terraform" {
			return arg.Value
		}
		short := "!" + strings.TrimPrefix(fn, "Fn::")
		if fn == "Fn::GetAtt" && arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 && arg.Content[0].Kind == yaml.ScalarNode && arg.Content[1].Kind == yaml.ScalarNode {
			return short + " " + arg.Content[0].Value + "." + arg.Content[1].Value
		}
		return short + " " + exprN(arg, depth+1, b)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return "*" + n.Value
	case yaml.SequenceNode, yaml.MappingNode:
		var parts []string
		step := 1
		if n.Kind == yaml.MappingNode {
			step = 2
		}
		for i := 0; i+step-1 < len(n.Content); i += step {
			if b.left <= 0 {
				b.cut = true
				break
			}
			p := exprN(n.Content[i], depth+1, b)
			if step == 2 {
				p += ": " + exprN(n.Content[i+1], depth+1, b)
			}
			parts = append(parts, p)
		}
		if n.Kind == yaml.MappingNode {
			return "{" + strings.Join(parts, ", ") + "}"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	v := n.Value
	if len(v) > 100 {
		v = v[:100] + "..."
	}
	b.left -= len(v) + 2
	if v == "" || strings.ContainsAny(v, " ,[]{}#\"'\n") || strings.Contains(v, ": ") {
		return strconv.Quote(v)
	}
	return v
}

func (t *template) bad(n *yaml.Node, path, format string, a ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &unresolved{line: line, path: path, cause: fmt.Sprintf(format, a...)}
}

// offline reports a value known only to AWS at deploy time.
func (t *template) offline(n *yaml.Node, path, reason string) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &unresolved{line: line, path: path, expr: expr(n), cause: reason, offline: true}
}

// resolve evaluates every intrinsic function in n and returns a plain tree
// (nil for AWS::NoValue). Nodes keep their source lines.
func (t *template) resolve(n *yaml.Node, path string) (*yaml.Node, error) {
	t.recursion++
	defer func() { t.recursion-- }()
	if t.recursion > 200 {
		return nil, t.bad(n, path, "expressions nested too deeply")
	}
	n, err := t.w.deref(n)
	if err != nil {
		return nil, t.bad(nil, path, "%v", err)
	}
	if n == nil {
		return nil, nil
	}
	if fn, arg, ok := intrinsic(n); ok {
		r, err := t.call(fn, arg, n, path)
		var u *unresolved
		if errors.As(err, &u) && u.offline { // the outermost expression names the problem
			return nil, &unresolved{line: n.Line, path: path, expr: expr(n), cause: u.cause, offline: true}
		}
		return r, err
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: n.Line, Column: n.Column}
		for i, c := range n.Content {
			r, err := t.resolve(c, yamlx.Index(path, i))
			if err != nil {
				return nil, err
			}
			if r != nil {
				out.Content = append(out.Content, r)
			}
		}
		return out, nil
	case yaml.MappingNode:
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
		for _, kv := range pairs(n) {
			k, err := t.w.deref(kv[0])
			if err != nil {
				return nil, t.bad(nil, path, "%v", err)
			}
			if k.Kind != yaml.ScalarNode {
				return nil, t.bad(k, path, "a mapping key must be a string, got %s", kind(k))
			}
			r, err := t.resolve(kv[1], yamlx.Key(path, k.Value))
			if err != nil {
				return nil, err
			}
			if r != nil {
				out.Content = append(out.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.Value, Line: k.Line, Column: k.Column}, r)
			}
		}
		return out, nil
	case yaml.ScalarNode:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: n.ShortTag(), Value: n.Value, Line: n.Line, Column: n.Column}, nil
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			return t.resolve(n.Content[0], path)
		}
	}
	return nil, t.bad(n, path, "unexpected node")
}

// scalar resolves n to a string.
func (t *template) scalar(n *yaml.Node, path string) (string, *yaml.Node, error) {
	r, err := t.resolve(n, path)
	if err != nil {
		return "", nil, err
	}
	if r == nil {
		return "", nil, t.bad(n, path, "%s is AWS::NoValue where a value is needed", expr(n))
	}
	if r.Kind != yaml.ScalarNode {
		return "", nil, t.bad(n, path, "%s is %s where a string is needed", expr(n), kind(r))
	}
	return r.Value, r, nil
}

// list resolves n to a sequence.
func (t *template) list(n *yaml.Node, path string) ([]*yaml.Node, error) {
	r, err := t.resolve(n, path)
	if err != nil {
		return nil, err
	}
	if r == nil || r.Kind != yaml.SequenceNode {
		return nil, t.bad(n, path, "%s is %s where a list is needed", expr(n), kind(r))
	}
	return r.Content, nil
}

// args checks that an intrinsic's argument is a list of n items.
func (t *template) args(whole, arg *yaml.Node, path string, n ...int) ([]*yaml.Node, error) {
	a, err := t.w.deref(arg)
	if err != nil {
		return nil, t.bad(whole, path, "%v", err)
	}
	if a.Kind != yaml.SequenceNode || !slices.Contains(n, len(a.Content)) {
		want := strconv.Itoa(n[0])
		if len(n) > 1 {
			want += " or " + strconv.Itoa(n[1])
		}
		return nil, t.bad(whole, path, "%s: expected a list of %s arguments", expr(whole), want)
	}
	return a.Content, nil
}

// stringAnd checks an intrinsic of two arguments, the first a string (the
// separator of Fn::Join and Fn::Split, the index of Fn::Select).
func (t *template) stringAnd(whole, arg *yaml.Node, path string) (string, *yaml.Node, error) {
	a, err := t.args(whole, arg, path, 2)
	if err != nil {
		return "", nil, err
	}
	first, _, err := t.scalar(a[0], path)
	if err != nil {
		return "", nil, err
	}
	return first, a[1], nil
}

// stringAndList is stringAnd whose second argument is a list.
func (t *template) stringAndList(whole, arg *yaml.Node, path string) (string, []*yaml.Node, error) {
	first, second, err := t.stringAnd(whole, arg, path)
	if err != nil {
		return "", nil, err
	}
	items, err := t.list(second, path)
	if err != nil {
		return "", nil, err
	}
	return first, items, nil
}

// seqNode is a sequence of the strings parts.
func seqNode(parts []string, line int) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
	for _, p := range parts {
		out.Content = append(out.Content, scalarNode(p, line))
	}
	return out
}

func scalarNode(v string, line int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: line}
}

// call evaluates one intrinsic function; whole is the node as written.
func (t *template) call(fn string, arg, whole *yaml.Node, path string) (*yaml.Node, error) {
	switch fn {
	case "Ref":
		name, _, err := t.scalar(arg, path)
		if err != nil {
			return nil, err
		}
		return t.ref(name, whole, path)
	case "Fn::GetAtt":
		a, err := t.w.deref(arg)
		if err != nil {
			return nil, t.bad(whole, path, "%v", err)
		}
		var id, attr string
		switch {
		case a.Kind == yaml.ScalarNode:
			id, attr, _ = strings.Cut(a.Value, ".")
		case a.Kind == yaml.SequenceNode && len(a.Content) == 2:
			if id, _, err = t.scalar(a.Content[0], path); err != nil {
				return nil, err
			}
			if attr, _, err = t.scalar(a.Content[1], path); err != nil {
				return nil, err
			}
		}
		if id == "" || attr == "" {
			return nil, t.bad(whole, path, "%s: expected LogicalId.Attribute or [LogicalId, Attribute]", expr(whole))
		}
		return t.getAtt(id, attr, whole, path)
	case "Fn::Sub":
		return t.sub(arg, whole, path)
	case "Fn::If":
		a, err := t.args(whole, arg, path, 3)
		if err != nil {
			return nil, err
		}
		if a[0].Kind != yaml.ScalarNode {
			return nil, t.bad(whole, path, "%s: the first argument must be a condition name", expr(whole))
		}
		ok, err := t.condition(a[0].Value, a[0], path)
		if err != nil {
			return nil, err
		}
		if ok {
			return t.resolve(a[1], path)
		}
		return t.resolve(a[2], path)
	case "Fn::Join":
		sep, items, err := t.stringAndList(whole, arg, path)
		if err != nil {
			return nil, err
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			if it.Kind != yaml.ScalarNode {
				return nil, t.bad(whole, path, "%s: can only join strings, got %s", expr(whole), kind(it))
			}
			parts = append(parts, it.Value)
		}
		return scalarNode(strings.Join(parts, sep), whole.Line), nil
	case "Fn::Select":
		is, items, err := t.stringAndList(whole, arg, path)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil || i < 0 || i >= len(items) {
			return nil, t.bad(whole, path, "%s: index %q is not in 0..%d", expr(whole), is, len(items)-1)
		}
		return items[i], nil
	case "Fn::Split":
		sep, second, err := t.stringAnd(whole, arg, path)
		if err != nil {
			return nil, err
		}
		s, _, err := t.scalar(second, path)
		if err != nil {
			return nil, err
		}
		if sep == "" {
			return nil, t.bad(whole, path, "%s: empty delimiter", expr(whole))
		}
		return seqNode(strings.Split(s, sep), whole.Line), nil
	case "Fn::FindInMap":
		a, err := t.args(whole, arg, path, 3, 4)
		if err != nil {
			return nil, err
		}
		var keys [3]string
		for i := range keys {
			if keys[i], _, err = t.scalar(a[i], path); err != nil {
				return nil, err
			}
		}
		if v := get(get(get(t.mappings, keys[0]), keys[1]), keys[2]); v != nil {
			return t.resolve(v, path)
		}
		if len(a) == 4 { // the language extension's DefaultValue
			if d := get(a[3], "DefaultValue"); d != nil {
				return t.resolve(d, path)
			}
		}
		return nil, t.bad(whole, path, "%s: Mappings has no %s.%s.%s", expr(whole), keys[0], keys[1], keys[2])
	case "Fn::Base64":
		s, _, err := t.scalar(arg, path)
		if err != nil {
			return nil, err
		}
		return scalarNode(base64.StdEncoding.EncodeToString([]byte(s)), whole.Line), nil
	case "Fn::Terraform":
		return nil, t.bad(whole, path, "%s cannot be resolved offline: it is a Terraform expression; write its value instead", arg.Value)
	case "Fn::GetAZs":
		return nil, t.offline(whole, path, "the Availability Zones are known only in the deployment's region and account")
	case "Fn::ImportValue":
		return nil, t.offline(whole, path, "it reads another stack's export")
	case "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString":
		return nil, t.offline(whole, path, fn+" is not evaluated by shiftsim")
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		return nil, t.bad(whole, path, "%s is a condition function: CloudFormation allows it only in Conditions and in the first argument of Fn::If", fn)
	}
	return nil, t.bad(whole, path, "unknown intrinsic function %s", strings.Replace(fn, "Fn::", "!", 1))
}

// pseudo are CloudFormation's pseudo parameters (AWS::NoValue aside).
var pseudo = map[string]string{
	"AWS::Region":           "the deployment's region",
	"AWS::AccountId":        "the deployment's account",
	"AWS::StackName":        "the stack's name",
	"AWS::StackId":          "the stack's ID",
	"AWS::NotificationARNs": "the stack's notification topics",
	"AWS::Partition":        "",
	"AWS::URLSuffix":        "",
}

func (t *template) ref(name string, whole *yaml.Node, path string) (*yaml.Node, error) {
	if v, ok := t.overrides[name]; ok {
		if p := t.params[name]; p != nil && isList(p.typ) {
			return splitList(v, whole.Line), nil
		}
		return scalarNode(v, whole.Line), nil
	}
	if strings.HasPrefix(name, "AWS::") {
		switch name {
		case "AWS::NoValue":
			return nil, nil
		case "AWS::Partition":
			t.assume("AWS::Partition", whole.Line, path, "AWS::Partition taken as aws (pass --parameter AWS::Partition=aws-cn or aws-us-gov for those partitions)")
			return scalarNode("aws", whole.Line), nil
		case "AWS::URLSuffix":
			t.assume("AWS::URLSuffix", whole.Line, path, "AWS::URLSuffix taken as amazonaws.com (pass --parameter AWS::URLSuffix=amazonaws.com.cn for China)")
			return scalarNode("amazonaws.com", whole.Line), nil
		}
		if what, ok := pseudo[name]; ok {
			return nil, t.offline(whole, path, fmt.Sprintf("%s is %s, known only at deploy time; pass --parameter %s=VALUE", name, what, name))
		}
		return nil, t.bad(whole, path, "%s: unknown pseudo parameter %s", expr(whole), name)
	}
	if p := t.params[name]; p != nil {
		if v, ok := t.fallback[name]; ok {
			return scalarNode(v, whole.Line), nil
		}
		if strings.HasPrefix(p.typ, "AWS::SSM::Parameter::Value") {
			d := ""
			if p.def != nil && p.def.Kind == yaml.ScalarNode {
				d = " " + p.def.Value
			}
			return nil, t.offline(whole, path, fmt.Sprintf("parameter %s is read from SSM Parameter Store%s at deploy time; pass --parameter %s=VALUE", name, d, name))
		}
		if p.def == nil || isNull(p.def) {
			return nil, t.offline(whole, path, fmt.Sprintf("parameter %s has no Default; pass --parameter %s=VALUE", name, name))
		}
		d, err := t.resolve(p.def, yamlx.Key(yamlx.Key("Parameters", name), "Default"))
		if err != nil {
			return nil, err
		}
		if isList(p.typ) && d != nil && d.Kind == yaml.ScalarNode {
			return splitList(d.Value, d.Line), nil
		}
		return d, nil
	}
	if r := t.res[name]; r != nil {
		return t.refResource(r, whole, path)
	}
	if id, sub, ok := strings.Cut(name, "."); ok && isFunction(t.res[id]) && (sub == "Version" || sub == "Alias") {
		return t.lambdaARN(t.res[id], whole, path, sub)
	}
	if generated(name) {
		return nil, t.offline(whole, path, fmt.Sprintf("%s is a resource the SAM transform generates; its name is known only after deployment", name))
	}
	return nil, t.bad(whole, path, "%s: no parameter or resource named %s in this template", expr(whole), name)
}

func generated(name string) bool {
	switch name {
	case "ServerlessDeploymentApplication", "ServerlessRestApi", "ServerlessHttpApi", "CodeDeployServiceRole":
		return true
	}
	return strings.HasSuffix(name, "DeploymentGroup") || strings.HasSuffix(name, "Role")
}

func isList(typ string) bool {
	return typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
}

func splitList(v string, line int) *yaml.Node {
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return seqNode(parts, line)
}

func isFunction(r *resource) bool {
	return r != nil && (r.typ == "AWS::Serverless::Function" || r.typ == "AWS::Lambda::Function")
}

// physical returns the name CloudFormation gives r: its name property when
// set, otherwise its logical ID (CloudFormation would generate one), noted.
func (t *template) physical(r *resource, prop, what string) (string, error) {
	if v, ok := t.fallback[r.id]; ok {
		return v, nil
	}
	if n := get(r.props, prop); n != nil && !isNull(n) {
		v, _, err := t.scalar(n, yamlx.Key(yamlx.Key(r.path, "Properties"), prop))
		return v, err
	}
	t.assume("name:"+r.id, r.line, r.path, "no %s: CloudFormation generates the %s's name at deploy time; shiftsim calls it %s (set %s in the template, or edit the scenario)", prop, what, r.id, prop)
	return r.id, nil
}

func (t *template) refResource(r *resource, whole *yaml.Node, path string) (*yaml.Node, error) {
	var v string
	var err error
	switch r.typ {
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		v, err = t.physical(r, "FunctionName", "function")
	case "AWS::CloudWatch::Alarm":
		v, err = t.physical(r, "AlarmName", "alarm")
	case "AWS::CodeDeploy::DeploymentConfig":
		v, err = t.physical(r, "DeploymentConfigName", "deployment configuration")
	case "AWS::Lambda::Version":
		return nil, t.offline(whole, path, fmt.Sprintf("it is the ARN of the version %s publishes at deploy time", r.id))
	default:
		return nil, t.offline(whole, path, fmt.Sprintf("it is the physical ID of the %s %s, known only after CloudFormation creates it", r.typ, r.id))
	}
	if err != nil {
		return nil, err
	}
	return scalarNode(v, whole.Line), nil
}

// lambdaARN builds a function's (or its version's or alias's) ARN when the
// region and account are given.
func (t *template) lambdaARN(r *resource, whole *yaml.Node, path, qualifier string) (*yaml.Node, error) {
	region, rok := t.overrides["AWS::Region"]
	account, aok := t.overrides["AWS::AccountId"]
	if !rok || !aok {
		return nil, t.offline(whole, path, "an ARN needs the region and account; pass --parameter AWS::Region=... --parameter AWS::AccountId=..., or set the value by hand")
	}
	name, err := t.physical(r, "FunctionName", "function")
	if err != nil {
		return nil, err
	}
	part := "aws"
	if p, ok := t.overrides["AWS::Partition"]; ok {
		part = p
	}
	arn := fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", part, region, account, name)
	switch qualifier {
	case "Version":
		arn += ":" + t.target
	case "Alias":
		alias, aerr := t.aliasOf(r)
		if aerr != nil {
			return nil, aerr
		}
		arn += ":" + alias
	}
	return scalarNode(arn, whole.Line), nil
}

func (t *template) aliasOf(r *resource) (string, error) {
	n := get(r.props, "AutoPublishAlias")
	if n == nil {
		return "", t.bad(nil, r.path, "%s has no AutoPublishAlias", r.id)
	}
	v, _, err := t.scalar(n, yamlx.Key(yamlx.Key(r.path, "Properties"), "AutoPublishAlias"))
	return v, err
}

func (t *template) getAtt(id, attr string, whole *yaml.Node, path string) (*yaml.Node, error) {
	// SAM's generated references: Fn.Version (an AWS::Lambda::Version) and Fn.Alias.
	if base, sub, ok := strings.Cut(id, "."); ok && isFunction(t.res[base]) && sub == "Version" {
		id, attr = base, "Version."+attr
	}
	r := t.res[id]
	if r == nil {
		if generated(id) {
			return nil, t.offline(whole, path, fmt.Sprintf("%s is a resource the SAM transform generates", id))
		}
		return nil, t.bad(whole, path, "%s: no resource named %s in this template", expr(whole), id)
	}
	switch {
	case isFunction(r) && attr == "Version.Version", r.typ == "AWS::Lambda::Version" && attr == "Version":
		t.assume("version:"+id, whole.Line, path, "%s is the version published at deploy time: shiftsim uses the scenario's target version (%s)", expr(whole), t.target)
		return scalarNode(t.target, whole.Line), nil
	case isFunction(r) && attr == "Arn":
		return t.lambdaARN(r, whole, path, "")
	case r.typ == "AWS::CloudWatch::Alarm" && attr == "Arn":
		region, rok := t.overrides["AWS::Region"]
		account, aok := t.overrides["AWS::AccountId"]
		if !rok || !aok {
			return nil, t.offline(whole, path, "an ARN needs the region and account; set the alarm name by hand, or pass --parameter AWS::Region=... --parameter AWS::AccountId=...")
		}
		name, err := t.physical(r, "AlarmName", "alarm")
		if err != nil {
			return nil, err
		}
		return scalarNode(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name), whole.Line), nil
	}
	return nil, t.offline(whole, path, fmt.Sprintf("attribute %s of the %s %s is known only after CloudFormation creates it", attr, r.typ, id))
}

// sub evaluates Fn::Sub: "${Name}", "${Res.Attr}", "${!Literal}", with an
// optional variable map.
func (t *template) sub(arg, whole *yaml.Node, path string) (*yaml.Node, error) {
	a, err := t.w.deref(arg)
	if err != nil {
		return nil, t.bad(whole, path, "%v", err)
	}
	var text *yaml.Node
	var vars *yaml.Node
	switch {
	case a.Kind == yaml.ScalarNode:
		text = a
	case a.Kind == yaml.SequenceNode && len(a.Content) == 2:
		text, vars = a.Content[0], a.Content[1]
	default:
		return nil, t.bad(whole, path, "%s: expected a string or [string, {variables}]", expr(whole))
	}
	s, _, err := t.scalar(text, path)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, t.bad(whole, path, "%s: unclosed ${", expr(whole))
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		var v *yaml.Node
		if vars != nil && get(vars, name) != nil {
			v, err = t.resolve(get(vars, name), path)
		} else if id, attr, ok := strings.Cut(name, "."); ok && t.res[id] != nil && !(isFunction(t.res[id]) && (attr == "Version" || attr == "Alias")) {
			v, err = t.getAtt(id, attr, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: name, Line: whole.Line}, path)
		} else {
			v, err = t.ref(name, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: name, Line: whole.Line}, path)
		}
		if err != nil {
			return nil, err
		}
		if v == nil || v.Kind != yaml.ScalarNode {
			return nil, t.bad(whole, path, "%s: ${%s} is %s, not a string", expr(whole), name, kind(v))
		}
		b.WriteString(v.Value)
	}
	return scalarNode(b.String(), whole.Line), nil
}

// condition evaluates the named condition.
func (t *template) condition(name string, at *yaml.Node, path string) (bool, error) {
	c, ok := t.conds[name]
	if !ok {
		return false, t.bad(at, path, "no condition named %s in Conditions", name)
	}
	if t.condBusy[name] {
		return false, t.bad(at, path, "condition %s refers to itself", name)
	}
	t.condBusy[name] = true
	defer delete(t.condBusy, name)
	v, err := t.condExpr(c, yamlx.Key("Conditions", name))
	var u *unresolved
	if errors.As(err, &u) {
		return false, &unresolved{line: at.Line, path: path, expr: u.expr, cause: fmt.Sprintf("condition %s: %s", name, u.cause), offline: u.offline}
	}
	return v, err
}

func (t *template) condExpr(n *yaml.Node, path string) (bool, error) {
	t.recursion++
	defer func() { t.recursion-- }()
	if t.recursion > 200 {
		return false, t.bad(n, path, "conditions nested too deeply")
	}
	n, err := t.w.deref(n)
	if err != nil {
		return false, t.bad(nil, path, "%v", err)
	}
	fn, arg, ok := intrinsic(n)
	if !ok && n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		fn, arg, ok = "Condition", n.Content[1], true
	}
	if !ok {
		v := strings.ToLower(n.Value)
		if n.Kind == yaml.ScalarNode && (v == "true" || v == "false") {
			return v == "true", nil
		}
		return false, t.bad(n, path, "%s is not a condition", expr(n))
	}
	switch fn {
	case "Condition":
		if arg.Kind != yaml.ScalarNode {
			return false, t.bad(n, path, "%s: expected a condition name", expr(n))
		}
		return t.condition(arg.Value, arg, path)
	case "Fn::Equals":
		a, err := t.args(n, arg, path, 2)
		if err != nil {
			return false, err
		}
		x, _, err := t.scalar(a[0], path)
		if err != nil {
			return false, err
		}
		y, _, err := t.scalar(a[1], path)
		if err != nil {
			return false, err
		}
		return x == y, nil
	case "Fn::Not":
		a, err := t.args(n, arg, path, 1)
		if err != nil {
			return false, err
		}
		v, err := t.condExpr(a[0], path)
		return !v, err
	case "Fn::And", "Fn::Or":
		a, err := t.w.deref(arg)
		if err != nil || a.Kind != yaml.SequenceNode || len(a.Content) < 2 {
			return false, t.bad(n, path, "%s: expected a list of 2 to 10 conditions", expr(n))
		}
		decisive := fn == "Fn::Or" // Or is decided by one true, And by one false
		var first error
		for _, c := range a.Content {
			v, err := t.condExpr(c, path)
			if err != nil {
				if first == nil {
					first = err
				}
				continue
			}
			if v == decisive {
				return decisive, nil
			}
		}
		if first != nil {
			return false, first
		}
		return !decisive, nil
	}
	return false, t.bad(n, path, "%s cannot be used in a condition", expr(n))
}
