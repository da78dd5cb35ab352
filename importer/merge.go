package importer

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

// MergeInto adds what the draft imported to an existing scenario file and
// returns the new file, which scenario.Parse accepts. The scenario keeps
// its comments and everything the draft does not speak of:
//
//   - function: name and alias are set when the source names them;
//   - versions: the version numbers and current.timeout the source gives
//     are set, error rates and latencies are kept;
//   - alarms: an alarm replaces the scenario's alarm of the same AlarmName,
//     or is appended; one the loader refuses is left out, with a note;
//   - hooks: a hook the scenario does not model yet is added with default
//     behaviour, a modelled one is kept;
//   - deployment.strategies: a strategy not listed yet is appended, a
//     custom configuration replaces the one of the same name;
//   - deployment.auto_rollback is set when the source says;
//   - deployment.application and deployment_group are set when the source
//     names them, and filled with its DEFAULT stand-ins only where missing.
func (d *Draft) MergeInto(file string, existing []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil { // the YAML parser has panicked on fuzzed input before
			out, err = nil, &yamlx.Error{File: file, Msg: fmt.Sprintf("invalid YAML: the parser failed (%v)", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(existing, &doc); err != nil {
		return nil, syntaxError(file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &yamlx.Error{File: file, Msg: "expected a scenario (a mapping)"}
	}
	if _, err := scenario.Parse(file, existing); err != nil {
		return nil, fmt.Errorf("%w (fix the scenario before merging into it)", err)
	}
	root := doc.Content[0]
	if f := d.Function; f != nil {
		fn := ensureMap(root, "function")
		if f.Name != "" {
			put(fn, "name", strN(f.Name), f.NameFrom)
		}
		if f.Alias != "" {
			put(fn, "alias", strN(f.Alias), f.AliasFrom)
		}
	}
	if v := d.Versions; v != nil {
		vs := ensureMap(root, "versions")
		if v.Current != "" {
			put(ensureMap(vs, "current"), "version", strN(v.Current), v.CurrentFrom)
		}
		if v.Target != "" {
			put(ensureMap(vs, "target"), "version", strN(v.Target), v.TargetFrom)
		}
		if v.Timeout != nil {
			put(ensureMap(vs, "current"), "timeout", plain(dur(*v.Timeout)), v.TimeoutFrom)
		}
	}
	if len(d.Hooks) > 0 {
		hooks := ensureMap(root, "hooks")
		for _, h := range d.Hooks {
			if valueOf(hooks, h.Event) == nil {
				n, c := hookNode(h)
				put(hooks, h.Event, n, c)
			}
		}
	}
	for _, n := range []struct{ key, v, from string }{
		{"application", d.Application, d.ApplicationFrom}, {"deployment_group", d.DeploymentGroup, d.DeploymentGroupFrom}} {
		// A name the source gives replaces the scenario's; a DEFAULT one
		// only fills a gap.
		if n.v == "" {
			continue
		}
		dep := ensureMap(root, "deployment")
		if valueOf(dep, n.key) == nil || !strings.HasPrefix(n.from, "DEFAULT") {
			put(dep, n.key, strN(n.v), n.from)
		}
	}
	if len(d.Strategies) > 0 || d.AutoRollback != nil {
		dep := ensureMap(root, "deployment")
		if d.AutoRollback != nil {
			put(dep, "auto_rollback", plain(fmt.Sprint(*d.AutoRollback)), d.RollbackFrom)
		}
		st := valueOf(dep, "strategies")
		if st == nil || st.Kind != yaml.SequenceNode {
			st = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			put(dep, "strategies", st, "")
		}
		for _, s := range d.Strategies {
			i := strategyIndex(st, s.Key())
			switch {
			case i < 0:
				st.Style = 0 // a flow list would hold a custom config and its comment badly
				st.Content = append(st.Content, strategyNode(s))
			case s.Custom != nil:
				st.Content[i] = strategyNode(s)
			}
		}
	}
	if _, err := scenario.Parse(file, encodeYAML(&doc)); err != nil {
		return nil, fmt.Errorf("merging %s into %s: %w", d.Source, file, err)
	}
	for i := range d.Alarms {
		a := &d.Alarms[i]
		if a.Disabled != "" {
			continue
		}
		al := valueOf(root, "alarms")
		if al == nil || al.Kind != yaml.SequenceNode {
			al = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			put(root, "alarms", al, "")
		}
		al.Style = 0
		prev := append([]*yaml.Node(nil), al.Content...)
		at := alarmIndex(al, a.Props.AlarmName)
		if at >= 0 {
			al.Content[at] = alarmItem(*a)
		} else {
			at = len(al.Content)
			al.Content = append(al.Content, alarmItem(*a))
		}
		if _, err := scenario.Parse(file, encodeYAML(&doc)); err != nil {
			al.Content = prev
			msg, line, path := err.Error(), a.line, a.base
			var ye *yamlx.Error
			if errors.As(err, &ye) {
				msg = ye.Msg
				line, path = a.where(fmt.Sprintf("alarms[%d]", at), ye.Path)
			}
			a.Disabled = msg
			d.note(Note{File: d.Source, Line: line, Path: path, Msg: fmt.Sprintf("not merged: %s", msg), Unresolved: true})
			continue
		}
	}
	out = encodeYAML(&doc)
	s, err := scenario.Parse(file, out)
	if err != nil {
		return nil, fmt.Errorf("importer: the merged scenario does not load: %w", err)
	}
	for _, w := range s.Warnings {
		n := Note{File: file, Line: w.Line, Path: w.Path, Msg: w.Msg, Warning: true}
		if !slices.Contains(d.Notes, n) {
			d.note(n)
		}
	}
	return out, nil
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// put sets key to v in mapping m, replacing a value (and keeping the key's
// comments) or appending.
func put(m *yaml.Node, key string, v *yaml.Node, comment string) {
	if m.Style == yaml.FlowStyle { // a comment would break the flow mapping over lines
		comment = ""
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if comment != "" {
				v.LineComment = "# " + comment
				if v.Kind != yaml.ScalarNode && v.Style != yaml.FlowStyle {
					v.LineComment, m.Content[i].LineComment = "", "# "+comment
				}
			}
			m.Content[i+1] = v
			return
		}
	}
	set(m, key, v, comment)
}

// ensureMap returns the mapping at key, creating it.
func ensureMap(m *yaml.Node, key string) *yaml.Node {
	if v := valueOf(m, key); v != nil && v.Kind == yaml.MappingNode {
		return v
	}
	v := mapN(false)
	put(m, key, v, "")
	return v
}

func strategyIndex(seq *yaml.Node, key string) int {
	for i, n := range seq.Content {
		if n.Kind == yaml.ScalarNode && n.Value == key {
			return i
		}
		if n.Kind == yaml.MappingNode {
			if v := valueOf(n, "DeploymentConfigName"); v != nil && v.Value == key {
				return i
			}
		}
	}
	return -1
}

func alarmIndex(seq *yaml.Node, name string) int {
	for i, n := range seq.Content {
		if n.Kind == yaml.MappingNode {
			if v := valueOf(n, "AlarmName"); v != nil && v.Value == name {
				return i
			}
		}
	}
	return -1
}

// Summary says in one line what the draft holds, for the command's stderr.
func (d *Draft) Summary() string {
	var parts []string
	if f := d.Function; f != nil && f.Name != "" {
		s := "function " + f.Name
		if f.Alias != "" {
			s += ":" + f.Alias
		}
		parts = append(parts, s)
	}
	if v := d.Versions; v != nil && (v.Current != "" || v.Target != "") {
		parts = append(parts, fmt.Sprintf("versions %s -> %s", orName(v.Current, "?"), orName(v.Target, "?")))
	}
	var names []string
	for _, s := range d.Strategies {
		names = append(names, s.Key())
	}
	if len(names) > 0 {
		parts = append(parts, "strategy "+strings.Join(names, ", "))
	}
	on, off := 0, 0
	for _, a := range d.Alarms {
		if a.Disabled == "" {
			on++
		} else {
			off++
		}
	}
	if on+off > 0 {
		s := fmt.Sprintf("%d alarm%s", on, plural(on))
		if off > 0 {
			s += fmt.Sprintf(" (%d more left out)", off)
		}
		parts = append(parts, s)
	}
	for _, h := range d.Hooks {
		parts = append(parts, "hook "+h.Event)
	}
	un := len(d.Unresolved())
	parts = append(parts, fmt.Sprintf("%d unresolved", un))
	var b bytes.Buffer
	b.WriteString("imported " + strings.Join(parts, ", "))
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// WithStrategy returns the scenario file data with one more strategy in
// deployment.strategies: c by its name when the name is predefined
// (Canary10Percent5Minutes), otherwise as a custom configuration in
// CodeDeploy's CreateDeploymentConfig shape named c.Name. The scenario
// keeps its comments and order as far as the YAML library allows (see
// MergeInto); a strategy it lists under that name already stays as it is.
// from is the comment written beside the new entry.
func WithStrategy(file string, data []byte, c strategies.Config, from string) ([]byte, error) {
	st := Strategy{Name: c.Name, From: from}
	if _, err := strategies.Lookup(c.Name); err != nil {
		d := c.DeploymentConfig()
		st.Custom = &d
	}
	d := &Draft{Source: file, Strategies: []Strategy{st}}
	return d.MergeInto(file, data)
}
