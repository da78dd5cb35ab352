package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/strategies"
)

// Options are the settings every import takes.
type Options struct {
	// Function picks one function of a template with several.
	Function string
	// Parameters are template parameter values and pseudo parameters
	// (AWS::Region, AWS::AccountId, ...), as `sam deploy
	// --parameter-overrides` takes them.
	Parameters map[string]string
}

// DeploymentConfigs imports CodeDeploy deployment configurations as
// strategies. It reads a template (its AWS::CodeDeploy::DeploymentConfig
// resources, and createDeploymentConfig calls of CDK's AwsCustomResource), a
// single resource or its Properties, `aws deploy get-deployment-config`
// output, a --cli-input-json document, an `aws deploy
// create-deployment-config` command line, or Terraform
// (aws_codedeploy_deployment_config, awscc_codedeploy_deployment_config).
func DeploymentConfigs(file string, data []byte, opt Options) (*Draft, error) {
	w := newWalker()
	d := &Draft{Source: file}
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	var t *template
	var found []configAt
	switch {
	case looksCLI(data):
		d.Origin = "aws deploy create-deployment-config"
		t = emptyTemplate(file, opt, w)
		cmds, err := parseCLI(file, data)
		if err != nil {
			return nil, err
		}
		found = cmds
	case looksHCL(data):
		d.Origin = "Terraform"
		t = emptyTemplate(file, opt, w)
		res, err := parseHCL(file, data)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			if r.typ != "aws_codedeploy_deployment_config" && r.typ != "awscc_codedeploy_deployment_config" {
				continue
			}
			found = append(found, configAt{node: r.body, path: fmt.Sprintf("resource.%s.%s", r.typ, r.name), line: r.line, id: r.name})
		}
		if len(found) == 0 {
			return nil, &yamlx.Error{File: file, Msg: "no aws_codedeploy_deployment_config or awscc_codedeploy_deployment_config resource in this Terraform file"}
		}
	default:
		root, err := parse(file, data)
		if err != nil {
			return nil, err
		}
		if t, err = newTemplate(file, root, opt.Parameters, w); err != nil {
			return nil, err
		}
		found, err = t.findConfigs(root)
		if err != nil {
			return nil, err
		}
	}
	for _, c := range found {
		s, ok := t.config(c)
		if ok {
			d.Strategies = append(d.Strategies, s)
		}
	}
	d.Notes = append(d.Notes, t.notes...)
	if len(d.Strategies) == 0 {
		return nil, notesError(file, "no usable Lambda deployment configuration", d.Notes)
	}
	d.Name = d.Strategies[0].Key()
	return d, nil
}

// notesError joins unresolved notes into one error.
func notesError(file, what string, notes []Note) error {
	var msgs []string
	for _, n := range notes {
		if n.Unresolved {
			msgs = append(msgs, n.String())
		}
	}
	if len(msgs) == 0 {
		return &yamlx.Error{File: file, Msg: what}
	}
	if len(msgs) == 1 {
		return errors.New(msgs[0])
	}
	return fmt.Errorf("%s: %s:\n  %s", file, what, strings.Join(msgs, "\n  "))
}

func emptyTemplate(file string, opt Options, w *walker) *template {
	t, _ := newTemplate(file, &yaml.Node{Kind: yaml.MappingNode}, opt.Parameters, w)
	return t
}

// configAt is a deployment configuration found in a document: its
// properties (any key casing) and where they are.
type configAt struct {
	node *yaml.Node
	path string
	line int
	id   string // logical ID, names a config without DeploymentConfigName
	name string // a name already known (from a --deployment-config-name flag)
	desc string // what it is, when path is empty
}

const cfgType = "AWS::CodeDeploy::DeploymentConfig"

func (t *template) findConfigs(root *yaml.Node) ([]configAt, error) {
	var out []configAt
	switch {
	case get(root, "Resources") != nil:
		for _, r := range t.ofType(cfgType) {
			out = append(out, configAt{node: r.props, path: yamlx.Key(r.path, "Properties"), line: r.line, id: r.id})
		}
		for _, r := range t.ofType("Custom::AWS") {
			if c, ok := t.customResourceConfig(r); ok {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil, &yamlx.Error{File: t.file, Line: root.Line, Msg: "this template has no AWS::CodeDeploy::DeploymentConfig resource"}
		}
	case get(root, "deploymentConfigInfo") != nil:
		out = append(out, configAt{node: get(root, "deploymentConfigInfo"), path: "deploymentConfigInfo", line: get(root, "deploymentConfigInfo").Line})
	case get(root, "Type") != nil && get(root, "Type").Value == cfgType:
		out = append(out, configAt{node: get(root, "Properties"), path: "Properties", line: root.Line})
	case hasKey(root, "trafficroutingconfig") || hasKey(root, "deploymentconfigname") || hasKey(root, "minimumhealthyhosts"):
		out = append(out, configAt{node: root, path: "", line: root.Line, desc: "CreateDeploymentConfig input"})
	default:
		for _, kv := range pairs(root) { // a bare resource map
			if get(kv[1], "Type") != nil && get(kv[1], "Type").Value == cfgType {
				out = append(out, configAt{node: get(kv[1], "Properties"), path: yamlx.Key(kv[0].Value, "Properties"), line: kv[0].Line, id: kv[0].Value})
			}
		}
		if len(out) == 0 {
			return nil, &yamlx.Error{File: t.file, Line: root.Line, Msg: "expected an AWS::CodeDeploy::DeploymentConfig (resource, template or Properties), `aws deploy get-deployment-config` output, or a create-deployment-config --cli-input-json document" + sniffHint(root)}
		}
	}
	return out, nil
}

// customResourceConfig reads CDK's AwsCustomResource calling CodeDeploy's
// createDeploymentConfig (its Create property is the call as JSON).
func (t *template) customResourceConfig(r *resource) (configAt, bool) {
	c := get(r.props, "Create")
	if c == nil || c.Kind != yaml.ScalarNode {
		return configAt{}, false
	}
	var call struct {
		Service, Action string
		Parameters      json.RawMessage
	}
	if json.Unmarshal([]byte(c.Value), &call) != nil || call.Service != "CodeDeploy" || call.Action != "createDeploymentConfig" {
		return configAt{}, false
	}
	n, err := parseJSON(t.file, call.Parameters)
	if err != nil {
		return configAt{}, false
	}
	setLines(n, c.Line)
	return configAt{node: n, path: yamlx.Key(yamlx.Key(r.path, "Properties"), "Create") + ".parameters", line: c.Line, id: r.id}, true
}

func setLines(n *yaml.Node, line int) {
	n.Line = line
	for _, c := range n.Content {
		setLines(c, line)
	}
}

// norm folds API, CloudFormation and Terraform spellings of one property:
// DeploymentConfigName, deploymentConfigName, deployment_config_name.
func norm(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
}

func hasKey(m *yaml.Node, k string) bool { _, v := lookup(m, k); return v != nil }

// lookup finds key k (normalised) in mapping m.
func lookup(m *yaml.Node, k string) (*yaml.Node, *yaml.Node) {
	for _, kv := range pairs(m) {
		if norm(kv[0].Value) == k {
			return kv[0], kv[1]
		}
	}
	return nil, nil
}

// config converts one found configuration, reporting every problem as a
// note; ok is false when it cannot be used.
func (t *template) config(c configAt) (Strategy, bool) {
	fail := func(line int, path, format string, a ...any) (Strategy, bool) {
		t.notes = append(t.notes, Note{File: t.file, Line: line, Path: path, Msg: fmt.Sprintf(format, a...), Unresolved: true})
		return Strategy{}, false
	}
	m, err := t.w.deref(c.node)
	if err != nil || m == nil || m.Kind != yaml.MappingNode {
		return fail(c.line, c.path, "expected the configuration's properties (a mapping), got %s", kind(m))
	}
	sub := func(k string) string {
		if c.path == "" {
			return k
		}
		return yamlx.Key(c.path, k)
	}
	var dc strategies.DeploymentConfig
	lines := map[string]int{}
	ok := true
	text := func(n *yaml.Node, path string) string {
		v, _, err := t.scalar(n, path)
		if err != nil {
			t.notes = append(t.notes, t.noteFor(err, path, n.Line))
			ok = false
		}
		return v
	}
	number := func(n *yaml.Node, path string) int {
		v := text(n, path)
		if !ok {
			return 0
		}
		var i int
		if _, err := fmt.Sscan(strings.TrimSpace(v), &i); err != nil || fmt.Sprint(i) != strings.TrimSpace(v) {
			t.notes = append(t.notes, Note{File: t.file, Line: n.Line, Path: path, Msg: fmt.Sprintf("expected an integer, got %q", v), Unresolved: true})
			ok = false
		}
		return i
	}
	// timeBased reads TimeBasedCanary or TimeBasedLinear (kind Canary or
	// Linear): the same two properties, named after the kind; bad is true
	// when an unknown property was noted.
	timeBased := func(rpath string, k, v *yaml.Node, kind string) (pct, interval int, bad bool) {
		p := yamlx.Key(rpath, k.Value)
		block := "TrafficRoutingConfig.TimeBased" + kind
		lines[block] = k.Line
		lower := strings.ToLower(kind)
		for _, kv := range pairs(v) {
			switch norm(kv[0].Value) {
			case lower + "percentage", "percentage":
				pct = number(kv[1], yamlx.Key(p, kv[0].Value))
				lines[block+"."+kind+"Percentage"] = kv[0].Line
			case lower + "interval", "interval":
				interval = number(kv[1], yamlx.Key(p, kv[0].Value))
				lines[block+"."+kind+"Interval"] = kv[0].Line
			default:
				fail(kv[0].Line, yamlx.Key(p, kv[0].Value), "unknown property (want %sPercentage and %sInterval)", kind, kind)
				return 0, 0, true
			}
		}
		return pct, interval, false
	}
	name := c.name
	if k, v := lookup(m, "deploymentconfigname"); v != nil {
		path := sub(k.Value)
		lines["DeploymentConfigName"] = k.Line
		if n, _, err := t.scalar(v, path); err == nil {
			name = n
		} else {
			note := t.noteFor(err, path, v.Line)
			if c.id != "" {
				note.Msg += fmt.Sprintf("; the configuration is called %s in the scenario", c.id)
				name = c.id
			} else {
				ok = false
			}
			t.notes = append(t.notes, note)
		}
	}
	if name == "" && c.id != "" && !hasKey(m, "deploymentconfigname") {
		name = c.id
		t.notes = append(t.notes, Note{File: t.file, Line: c.line, Path: strings.TrimSuffix(c.path, ".Properties"),
			Msg: fmt.Sprintf("no DeploymentConfigName: CloudFormation generates the configuration's name at deploy time; shiftsim calls it %s (set DeploymentConfigName in the template, or edit the scenario)", c.id)})
	}
	dc.DeploymentConfigName = name
	if k, v := lookup(m, "computeplatform"); v != nil {
		dc.ComputePlatform = text(v, sub(k.Value))
		lines["ComputePlatform"] = k.Line
	}
	if k, v := lookup(m, "minimumhealthyhosts"); v != nil {
		if _, r := lookup(m, "trafficroutingconfig"); r == nil {
			desc := ""
			_, ty := lookup(v, "type")
			_, val := lookup(v, "value")
			if ty != nil && val != nil {
				desc = fmt.Sprintf(" (minimum healthy hosts %s %s)", ty.Value, val.Value)
			}
			return fail(k.Line, sub(k.Value), "%s is an EC2/On-Premises (Server) configuration%s: shiftsim simulates Lambda configurations, which have a TrafficRoutingConfig", orName(name, "this"), desc)
		}
	}
	if dc.ComputePlatform != "" && dc.ComputePlatform != strategies.Lambda {
		return fail(lines["ComputePlatform"], sub("ComputePlatform"), "%s is a %s configuration: shiftsim simulates Lambda deployments", orName(name, "this"), dc.ComputePlatform)
	}
	rk, rv := lookup(m, "trafficroutingconfig")
	if rv != nil {
		rpath := sub(rk.Value)
		lines["TrafficRoutingConfig"] = rk.Line
		r, err := t.resolve(rv, rpath)
		if err != nil {
			t.notes = append(t.notes, t.noteFor(err, rpath, rv.Line))
			return Strategy{}, false
		}
		trc := &strategies.TrafficRoutingConfig{}
		if k, v := lookup(r, "type"); v != nil {
			trc.Type = text(v, yamlx.Key(rpath, k.Value))
			lines["TrafficRoutingConfig.Type"] = k.Line
		}
		if k, v := lookup(r, "timebasedcanary"); v != nil {
			pct, interval, bad := timeBased(rpath, k, v, "Canary")
			if bad {
				return Strategy{}, false
			}
			trc.TimeBasedCanary = &strategies.TimeBasedCanary{CanaryPercentage: pct, CanaryInterval: interval}
		}
		if k, v := lookup(r, "timebasedlinear"); v != nil {
			pct, interval, bad := timeBased(rpath, k, v, "Linear")
			if bad {
				return Strategy{}, false
			}
			trc.TimeBasedLinear = &strategies.TimeBasedLinear{LinearPercentage: pct, LinearInterval: interval}
		}
		for _, kv := range pairs(r) {
			switch norm(kv[0].Value) {
			case "type", "timebasedcanary", "timebasedlinear":
			default:
				return fail(kv[0].Line, yamlx.Key(rpath, kv[0].Value), "unknown TrafficRoutingConfig property (want Type, TimeBasedCanary, TimeBasedLinear)")
			}
		}
		dc.TrafficRoutingConfig = trc
	}
	if !ok {
		return Strategy{}, false
	}
	if dc.DeploymentConfigName == "" && dc.TrafficRoutingConfig != nil {
		dc.DeploymentConfigName = describedName(dc)
		t.notes = append(t.notes, Note{File: t.file, Line: c.line, Path: c.path,
			Msg: fmt.Sprintf("no DeploymentConfigName: shiftsim calls the configuration %s", dc.DeploymentConfigName)})
	}
	cfg, err := strategies.FromDeploymentConfig(dc)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			field, msg, found := strings.Cut(line, ": ")
			l, path := c.line, c.path
			if found && !strings.Contains(field, " ") {
				if fl, ok := lines[field]; ok {
					l = fl
				}
				path = field
				if c.path != "" {
					path = c.path + "." + field
				}
			} else {
				msg = line
			}
			t.notes = append(t.notes, Note{File: t.file, Line: l, Path: path, Msg: msg, Unresolved: true})
		}
		return Strategy{}, false
	}
	from := fmt.Sprintf("%s:%d %s", t.file, c.line, orName(strings.TrimSuffix(c.path, ".Properties"), c.desc))
	if strings.HasPrefix(cfg.Name, strategies.ReservedPrefix) { // a predefined config, as get-deployment-config shows it
		return Strategy{Name: cfg.Name, From: from}, true
	}
	out := cfg.DeploymentConfig()
	return Strategy{Custom: &out, From: from}, true
}

func orName(name, def string) string {
	if name == "" {
		return def
	}
	return name
}

// describedName names a nameless custom configuration after its schedule,
// the way CodeDeploy names its own: Canary25Percent45Minutes,
// Linear5PercentEvery1Minute.
func describedName(dc strategies.DeploymentConfig) string {
	r := dc.TrafficRoutingConfig
	plural := func(n int) string {
		if n == 1 {
			return "Minute"
		}
		return "Minutes"
	}
	switch {
	case r.TimeBasedCanary != nil:
		c := r.TimeBasedCanary
		return fmt.Sprintf("Canary%dPercent%d%s", c.CanaryPercentage, c.CanaryInterval, plural(c.CanaryInterval))
	case r.TimeBasedLinear != nil:
		l := r.TimeBasedLinear
		return fmt.Sprintf("Linear%dPercentEvery%d%s", l.LinearPercentage, l.LinearInterval, plural(l.LinearInterval))
	}
	return "CustomAllAtOnce"
}
