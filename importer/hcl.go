package importer

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

// A small reader for the part of Terraform's HCL that declares a resource
// with literal values: blocks, attributes, strings, numbers, objects and
// lists. Any other expression (var.x, "${...}", function calls) is kept as
// a node tagged !Terraform, which resolves to a precise "cannot be
// resolved" note instead of a guess.

var hclStart = regexp.MustCompile(`(?m)^\s*(resource|data|variable|provider|terraform|locals|module|output)\s+("|\{|[A-Za-z_])`)

// looksHCL reports whether data is Terraform rather than YAML or JSON.
func looksHCL(data []byte) bool {
	return hclStart.Match(data) && !strings.HasPrefix(strings.TrimSpace(string(data)), "{")
}

type hclResource struct {
	typ, name string
	body      *yaml.Node
	line      int
}

type hclToken struct {
	kind byte // 'i' ident, 's' string, 'n' number, 'x' interpolated string, '\n', 0 EOF, or the punctuation byte
	text string
	line int
}

func hclLex(src string) ([]hclToken, error) {
	var out []hclToken
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			out = append(out, hclToken{'\n', "", line})
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, &yamlx.Error{Line: line, Msg: "unclosed /* comment"}
			}
			line += strings.Count(src[i:i+2+j], "\n")
			i += j + 4
		case c == '"':
			var b strings.Builder
			interp := false
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\n' {
					return nil, &yamlx.Error{Line: line, Msg: "unclosed string"}
				}
				if src[j] == '\\' && j+1 < len(src) {
					j++
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(src[j])
					}
					continue
				}
				if (src[j] == '$' || src[j] == '%') && j+1 < len(src) && src[j+1] == '{' {
					interp = true
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, &yamlx.Error{Line: line, Msg: "unclosed string"}
			}
			k := byte('s')
			if interp {
				k = 'x'
			}
			out = append(out, hclToken{k, b.String(), line})
			i = j + 1
		case c == '<' && strings.HasPrefix(src[i:], "<<"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return nil, &yamlx.Error{Line: line, Msg: "unclosed heredoc"}
			}
			marker := strings.TrimSpace(strings.TrimLeft(src[i+2:i+j], "-~"))
			rest := src[i+j+1:]
			end := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(marker) + `\s*$`).FindStringIndex(rest)
			if marker == "" || end == nil {
				return nil, &yamlx.Error{Line: line, Msg: "unclosed heredoc"}
			}
			out = append(out, hclToken{'x', rest[:end[0]], line})
			line += strings.Count(src[i:i+j+1+end[1]], "\n")
			i += j + 1 + end[1]
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E') {
				j++
			}
			out = append(out, hclToken{'n', src[i:j], line})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, hclToken{'i', src[i:j], line})
			i = j
		default:
			out = append(out, hclToken{c, string(c), line})
			i++
		}
	}
	return append(out, hclToken{0, "", line}), nil
}

type hclParser struct {
	toks  []hclToken
	i     int
	depth int
}

func (p *hclParser) peek() hclToken { return p.toks[p.i] }
func (p *hclParser) next() hclToken {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}
func (p *hclParser) skipNewlines() {
	for p.peek().kind == '\n' {
		p.next()
	}
}

func (p *hclParser) errf(t hclToken, format string, a ...any) error {
	return &yamlx.Error{Line: t.line, Msg: fmt.Sprintf(format, a...)}
}

// body reads attributes and blocks until closing ('}' or 0).
func (p *hclParser) body(closing byte, line int, blocks *[]hclResource, top bool) (*yaml.Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 100 {
		return nil, p.errf(p.peek(), "nested too deeply")
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
	for {
		p.skipNewlines()
		t := p.peek()
		if t.kind == closing {
			p.next()
			return m, nil
		}
		if t.kind != 'i' {
			return nil, p.errf(t, "expected an attribute or block name, got %q", t.text)
		}
		p.next()
		if p.peek().kind == '=' {
			p.next()
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t.text, Line: t.line}, v)
			continue
		}
		var labels []string
		for p.peek().kind == 's' || p.peek().kind == 'i' {
			labels = append(labels, p.next().text)
		}
		if p.peek().kind != '{' {
			return nil, p.errf(p.peek(), "expected = or { after %s", t.text)
		}
		p.next()
		b, err := p.body('}', t.line, blocks, false)
		if err != nil {
			return nil, err
		}
		if top && t.text == "resource" && len(labels) == 2 {
			*blocks = append(*blocks, hclResource{typ: labels[0], name: labels[1], body: b, line: t.line})
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t.text, Line: t.line}, b)
	}
}

// expr reads one value; anything but a literal becomes a !Terraform node.
func (p *hclParser) expr() (*yaml.Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 100 {
		return nil, p.errf(p.peek(), "nested too deeply")
	}
	start := p.i
	t := p.peek()
	var v *yaml.Node
	switch {
	case t.kind == 's':
		p.next()
		v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t.text, Line: t.line}
	case t.kind == 'n':
		p.next()
		v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: t.text, Line: t.line}
		if strings.ContainsAny(t.text, ".eE") {
			v.Tag = "!!float"
		}
	case t.kind == 'i' && (t.text == "true" || t.text == "false"):
		p.next()
		v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: t.text, Line: t.line}
	case t.kind == 'i' && t.text == "null":
		p.next()
		v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: t.line}
	case t.kind == '{':
		p.next()
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: t.line}
		for {
			p.skipNewlines()
			k := p.peek()
			if k.kind == '}' {
				p.next()
				break
			}
			if k.kind != 'i' && k.kind != 's' {
				return nil, p.errf(k, "expected an object key, got %q", k.text)
			}
			p.next()
			if s := p.next(); s.kind != '=' && s.kind != ':' {
				return nil, p.errf(s, "expected = after %s", k.text)
			}
			val, err := p.expr()
			if err != nil {
				return nil, err
			}
			v.Content = append(v.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.text, Line: k.line}, val)
			if p.peek().kind == ',' {
				p.next()
			}
		}
	case t.kind == '[':
		p.next()
		v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: t.line}
		for {
			p.skipNewlines()
			if p.peek().kind == ']' {
				p.next()
				break
			}
			if p.peek().kind == 0 {
				return nil, p.errf(p.peek(), "unclosed [")
			}
			val, err := p.expr()
			if err != nil {
				return nil, err
			}
			v.Content = append(v.Content, val)
			p.skipNewlines()
			if p.peek().kind == ',' {
				p.next()
			}
		}
	}
	if v != nil && v.Kind == yaml.ScalarNode && t.kind != 'x' && p.atEnd() {
		return v, nil
	}
	if v != nil && v.Kind != yaml.ScalarNode && p.atEnd() {
		return v, nil
	}
	// An expression: keep its text.
	p.i = start
	var parts []string
	depth := 0
	for {
		t := p.peek()
		if t.kind == 0 || depth == 0 && (t.kind == '\n' || t.kind == ',' || t.kind == '}' || t.kind == ']') {
			break
		}
		switch t.kind {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		if t.kind == 's' || t.kind == 'x' {
			parts = append(parts, fmt.Sprintf("%q", t.text))
		} else {
			parts = append(parts, t.text)
		}
		p.next()
	}
	if len(parts) == 0 {
		return nil, p.errf(t, "expected a value")
	}
	text := strings.Join(parts, " ")
	text = strings.NewReplacer(" . ", ".", " (", "(", "( ", "(", " )", ")", " [", "[", "[ ", "[", " ]", "]", " ,", ",").Replace(text)
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Terraform", Value: text, Line: t.line}, nil
}

func (p *hclParser) atEnd() bool {
	k := p.peek().kind
	return k == '\n' || k == ',' || k == '}' || k == ']' || k == 0
}

// parseHCL returns the resource blocks of a Terraform file.
func parseHCL(file string, data []byte) ([]hclResource, error) {
	toks, err := hclLex(string(data))
	if err != nil {
		err.(*yamlx.Error).File = file
		return nil, err
	}
	p := &hclParser{toks: toks}
	var res []hclResource
	if _, err := p.body(0, 1, &res, true); err != nil {
		if e, ok := err.(*yamlx.Error); ok {
			e.File = file
			e.Msg = "Terraform: " + e.Msg
		}
		return nil, err
	}
	return res, nil
}
