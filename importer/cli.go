package importer

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

// looksCLI reports whether data holds an `aws deploy
// create-deployment-config` command line (after comments and blank lines).
func looksCLI(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		l := bytes.TrimSpace(line)
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		l = bytes.TrimPrefix(l, []byte("$ "))
		return bytes.HasPrefix(l, []byte("aws ")) && bytes.Contains(data, []byte("create-deployment-config"))
	}
	return false
}

// word is a shell word and the line it starts on.
type word struct {
	s    string
	line int
}

// shellWords splits a POSIX shell command line: quotes, backslashes,
// backslash-newline continuations and comments. Commands are separated at
// unquoted newlines, ';' and '&&'.
func shellWords(data []byte) ([][]word, error) {
	var cmds [][]word
	var cur []word
	var b strings.Builder
	in := false // inside a word
	start, line := 1, 1
	flush := func() {
		if in {
			cur = append(cur, word{b.String(), start})
			b.Reset()
			in = false
		}
	}
	end := func() {
		flush()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
			cur = nil
		}
	}
	s := string(data)
	for i := 0; i < len(s); i++ {
		c := s[i]
		begin := func() {
			if !in {
				in, start = true, line
			}
		}
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
			line++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\r' && i+2 < len(s) && s[i+2] == '\n':
			i += 2
			line++
		case c == '\\' && i+1 < len(s):
			begin()
			i++
			b.WriteByte(s[i])
		case c == '\'':
			begin()
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, &yamlx.Error{Line: line, Msg: "unclosed ' quote"}
			}
			b.WriteString(s[i+1 : i+1+j])
			line += strings.Count(s[i+1:i+1+j], "\n")
			i += j + 1
		case c == '"':
			begin()
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
				}
				if s[i] == '\n' {
					line++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, &yamlx.Error{Line: line, Msg: `unclosed " quote`}
			}
		case c == '#' && !in:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			i--
		case c == '\n' || c == ';':
			end()
			if c == '\n' {
				line++
			}
		case c == '&' && i+1 < len(s) && s[i+1] == '&' && !in:
			end()
			i++
		case c == ' ' || c == '\t' || c == '\r':
			flush()
		default:
			begin()
			b.WriteByte(c)
		}
	}
	end()
	return cmds, nil
}

// parseCLI finds every `aws deploy create-deployment-config` command in data.
func parseCLI(file string, data []byte) ([]configAt, error) {
	cmds, err := shellWords(data)
	if err != nil {
		err.(*yamlx.Error).File = file
		return nil, err
	}
	var out []configAt
	for _, c := range cmds {
		if len(c) > 0 && c[0].s == "$" {
			c = c[1:]
		}
		if len(c) < 3 || c[0].s != "aws" || c[1].s != "deploy" || c[2].s != "create-deployment-config" {
			continue
		}
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: c[0].line}
		at := configAt{node: m, line: c[0].line, desc: "aws deploy create-deployment-config"}
		for i := 3; i < len(c); i++ {
			opt, val, hasVal := strings.Cut(c[i].s, "=")
			if !strings.HasPrefix(opt, "--") {
				return nil, &yamlx.Error{File: file, Line: c[i].line, Msg: fmt.Sprintf("unexpected argument %q", c[i].s)}
			}
			if !hasVal {
				if i+1 >= len(c) {
					return nil, &yamlx.Error{File: file, Line: c[i].line, Msg: opt + " needs a value"}
				}
				i++
				val = c[i].s
			}
			line := c[i].line
			key := func(k string) *yaml.Node {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: line}
			}
			switch opt {
			case "--deployment-config-name":
				m.Content = append(m.Content, key("--deployment-config-name"), scalarNode(val, line))
			case "--compute-platform":
				m.Content = append(m.Content, key("--compute-platform"), scalarNode(val, line))
			case "--traffic-routing-config", "--minimum-healthy-hosts", "--zonal-config":
				n, err := shorthand(val, line)
				if err != nil {
					return nil, &yamlx.Error{File: file, Line: line, Path: opt, Msg: err.Error()}
				}
				m.Content = append(m.Content, key(opt), n)
			case "--cli-input-json", "--cli-input-yaml":
				if rest, ok := strings.CutPrefix(val, "file://"); ok {
					return nil, &yamlx.Error{File: file, Line: line, Path: opt, Msg: fmt.Sprintf("the configuration is in %s: import that file instead", rest)}
				}
				n, err := parse(file, []byte(val))
				if err != nil {
					return nil, &yamlx.Error{File: file, Line: line, Path: opt, Msg: err.Error()}
				}
				setLines(n, line)
				m.Content = append(m.Content, n.Content...)
			case "--region", "--profile", "--endpoint-url", "--output", "--no-cli-pager", "--debug", "--query":
				if opt == "--no-cli-pager" || opt == "--debug" {
					i-- // flags without a value
				}
			default:
				return nil, &yamlx.Error{File: file, Line: line, Msg: fmt.Sprintf("unknown option %s of aws deploy create-deployment-config", opt)}
			}
		}
		out = append(out, at)
	}
	if len(out) == 0 {
		return nil, &yamlx.Error{File: file, Msg: "no `aws deploy create-deployment-config` command found"}
	}
	return out, nil
}

// shorthand parses the AWS CLI's shorthand syntax
// (type=TimeBasedCanary,timeBasedCanary={canaryPercentage=25,canaryInterval=45})
// or JSON into a node.
func shorthand(s string, line int) (*yaml.Node, error) {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") && strings.Contains(t, `"`) {
		n, err := parse("", []byte(t))
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		setLines(n, line)
		return n, nil
	}
	p := &shortParser{s: s, line: line}
	n, err := p.object('\x00')
	if err != nil {
		return nil, err
	}
	if p.i < len(p.s) {
		return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.i:], p.i)
	}
	return n, nil
}

type shortParser struct {
	s     string
	i     int
	line  int
	depth int
}

// object reads key=value pairs up to the closing byte (0 for the end).
func (p *shortParser) object(closing byte) (*yaml.Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 20 {
		return nil, fmt.Errorf("nested too deeply")
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: p.line}
	for p.i < len(p.s) && p.s[p.i] != closing {
		eq := strings.IndexByte(p.s[p.i:], '=')
		if eq <= 0 {
			return nil, fmt.Errorf("expected key=value at %q", p.s[p.i:])
		}
		k := strings.TrimSpace(p.s[p.i : p.i+eq])
		p.i += eq + 1
		var v *yaml.Node
		if p.i < len(p.s) && p.s[p.i] == '{' {
			p.i++
			o, err := p.object('}')
			if err != nil {
				return nil, err
			}
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("unclosed {")
			}
			p.i++
			v = o
		} else {
			j := p.i
			for j < len(p.s) && p.s[j] != ',' && p.s[j] != '}' {
				j++
			}
			v = scalarNode(strings.Trim(strings.TrimSpace(p.s[p.i:j]), `"`), p.line)
			p.i = j
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: p.line}, v)
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
		}
	}
	return m, nil
}

// looksPutAlarm reports whether data holds `aws cloudwatch put-metric-alarm` commands.
func looksPutAlarm(data []byte) bool {
	return bytes.Contains(data, []byte("put-metric-alarm")) && bytes.Contains(data, []byte("aws "))
}

// putAlarmOptions maps put-metric-alarm's options to alarm properties;
// lists take every following word up to the next option.
var putAlarmOptions = map[string]struct {
	prop string
	list bool
}{
	"--alarm-name": {"AlarmName", false}, "--alarm-description": {"AlarmDescription", false},
	"--ok-actions": {"OKActions", true}, "--alarm-actions": {"AlarmActions", true}, "--insufficient-data-actions": {"InsufficientDataActions", true},
	"--metric-name": {"MetricName", false}, "--namespace": {"Namespace", false}, "--statistic": {"Statistic", false},
	"--extended-statistic": {"ExtendedStatistic", false}, "--dimensions": {"Dimensions", true}, "--period": {"Period", false},
	"--unit": {"Unit", false}, "--evaluation-periods": {"EvaluationPeriods", false}, "--datapoints-to-alarm": {"DatapointsToAlarm", false},
	"--threshold": {"Threshold", false}, "--comparison-operator": {"ComparisonOperator", false}, "--treat-missing-data": {"TreatMissingData", false},
	"--evaluate-low-sample-count-percentile": {"EvaluateLowSampleCountPercentile", false}, "--metrics": {"Metrics", false},
	"--tags": {"Tags", true}, "--threshold-metric-id": {"ThresholdMetricId", false},
}

// putAlarms reads `aws cloudwatch put-metric-alarm` commands into alarm
// property mappings.
func putAlarms(file string, data []byte) ([]*yaml.Node, error) {
	cmds, err := shellWords(data)
	if err != nil {
		err.(*yamlx.Error).File = file
		return nil, err
	}
	var out []*yaml.Node
	for _, c := range cmds {
		if len(c) > 0 && c[0].s == "$" {
			c = c[1:]
		}
		if len(c) < 3 || c[0].s != "aws" || c[1].s != "cloudwatch" || c[2].s != "put-metric-alarm" {
			continue
		}
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: c[0].line}
		for i := 3; i < len(c); i++ {
			opt, val, hasVal := strings.Cut(c[i].s, "=")
			line := c[i].line
			key := func(k string) *yaml.Node {
				return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: line}
			}
			switch opt {
			case "--actions-enabled", "--no-actions-enabled":
				m.Content = append(m.Content, key("ActionsEnabled"), scalarNode(fmt.Sprint(opt == "--actions-enabled"), line))
				continue
			case "--region", "--profile", "--endpoint-url", "--output", "--query":
				if !hasVal {
					i++
				}
				continue
			}
			o, ok := putAlarmOptions[opt]
			if !ok {
				return nil, &yamlx.Error{File: file, Line: line, Msg: fmt.Sprintf("unknown option %q of aws cloudwatch put-metric-alarm", c[i].s)}
			}
			var vals []string
			if hasVal {
				vals = append(vals, val)
			}
			for i+1 < len(c) && !strings.HasPrefix(c[i+1].s, "--") && (o.list || len(vals) == 0) {
				i++
				vals = append(vals, c[i].s)
			}
			if len(vals) == 0 {
				return nil, &yamlx.Error{File: file, Line: line, Msg: opt + " needs a value"}
			}
			var v *yaml.Node
			switch {
			case o.prop == "Metrics" || (o.list && strings.HasPrefix(strings.TrimSpace(vals[0]), "[")):
				n, err := parse(file, []byte(vals[0]))
				if err != nil {
					return nil, &yamlx.Error{File: file, Line: line, Path: opt, Msg: err.Error()}
				}
				setLines(n, line)
				v = n
			case o.prop == "Dimensions" || o.prop == "Tags":
				v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
				for _, s := range vals {
					n, err := shorthand(s, line)
					if err != nil {
						return nil, &yamlx.Error{File: file, Line: line, Path: opt, Msg: err.Error()}
					}
					for _, kv := range pairs(n) { // Name=x,Value=y: the CLI is case-insensitive here
						kv[0].Value = strings.ToUpper(kv[0].Value[:1]) + kv[0].Value[1:]
					}
					v.Content = append(v.Content, n)
				}
			case o.list:
				v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
				for _, s := range vals {
					v.Content = append(v.Content, scalarNode(s, line))
				}
			default:
				v = scalarNode(vals[0], line)
			}
			m.Content = append(m.Content, key(o.prop), v)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, &yamlx.Error{File: file, Msg: "no `aws cloudwatch put-metric-alarm` command found"}
	}
	return out, nil
}
