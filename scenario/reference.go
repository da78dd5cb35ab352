package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/shiftsim/shiftsim/internal/limits"
	"github.com/shiftsim/shiftsim/strategies"
)

// Key is one key of a scenario file as the loader reads it: its path, the
// type of value it takes, the accepted range (internal/limits) and what it
// means. Keys lists them; docs/scenario.md and `shiftsim schema` are built
// from them.
type Key struct {
	// Path is the key's generic path: versions.* stands for versions.current
	// and versions.target, hooks.* for both hooks, [] for any list item.
	Path string
	// Type is the value's type in words: string, integer, number, boolean,
	// duration, object, list of ..., or a strategy.
	Type string
	// Bound is the accepted range from internal/limits, "" if none.
	Bound string
	// Required says the loader refuses a file without the key (where its
	// parent is present).
	Required bool
	// Doc is what the key means, with its default.
	Doc string
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	pollPhaseType = reflect.TypeFor[PollPhase]()
	strategyType  = reflect.TypeFor[StrategyEntry]()
	argoDurType   = reflect.TypeFor[ArgoDuration]()
)

// required lists the keys the loader always demands of their parent.
var required = map[string]bool{
	"traffic": true, "versions": true, "deployment": true,
	"versions.current": true, "versions.target": true,
	"deployment.strategies": true, "faults[].version": true, "traffic.replay.file": true,
	"alarms[].AlarmName": true, "alarms[].EvaluationPeriods": true, "alarms[].Threshold": true,
	"alarms[].ComparisonOperator": true, "alarms[].Dimensions[].Name": true, "alarms[].Dimensions[].Value": true,
	"alarms[].Metrics[].Id":                                             true,
	"deployment.manual_stop.at":                                         true,
	"deployment.manual_stop.rollback":                                   true,
	"deployment.strategies[].deploymentConfiguration":                   true,
	"deployment.strategies[].deploymentConfiguration.strategy":          true,
	"deployment.strategies[].deploymentConfiguration.bakeTimeInMinutes": true,
	"alarms[].Metrics[].MetricStat.Metric.Dimensions[].Name":            true,
	"alarms[].Metrics[].MetricStat.Metric.Dimensions[].Value":           true,
}

// requiredWhen says, in place of a bare "Required.", when a required key
// is: a strategy entry is one of several shapes, and a key that one shape
// demands is absent from the others.
var requiredWhen = map[string]string{
	"deployment.strategies[].deploymentConfiguration": "Required in an ECS plan only: it is what makes an entry one (with an optional name); " +
		"the other entries (a plan's name, CodeDeploy's TrafficRoutingConfig shape, {DeploymentStrategy: ...}, Argo Rollouts' canary or blueGreen, Flagger's analysis) have none.",
	"deployment.strategies[].deploymentConfiguration.strategy": "Required in every deploymentConfiguration.",
}

// enums lists the words a string key takes, where the loader accepts a fixed
// set (an editor completes them from the schema).
var enums = map[string][]string{
	"traffic.pattern":                                             {"poisson", "diurnal", "bursty", "spikes", "weekly"},
	"deployment.linear_model":                                     {"end_after_last_interval", "end_at_last_shift"},
	"deployment.appconfig_step_timing":                            {"interval_end", "interval_start"},
	"lambda.architecture":                                         {"x86_64", "arm64"},
	"deployment.strategies[].deploymentConfiguration.strategy":    {"LINEAR", "CANARY", "BLUE_GREEN"},
	"deployment.strategies[].analysis.metrics[].provider.query":   {"error_rate", "success_rate", "latency", "errors", "requests", "kayenta", "sequential", "sequential_latency"},
	"deployment.strategies[].analysis.metrics[].provider.version": {"target", "current", "both"},
	"deployment.strategies[].analysis.metrics[].provider.noData":  {"fail", "pass"},
}

// field is one key of a struct as internal/yamlx decodes it.
type field struct {
	name string
	typ  reflect.Type
}

// fields lists t's keys by yamlx's rule: the yaml tag's name when present,
// else the Go field name verbatim; embedded structs inlined; "-" and
// unexported fields skipped.
func fields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("yaml"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, fields(f.Type)...)
			continue
		}
		out = append(out, field{name, f.Type})
	}
	return out
}

// generic maps a child path to its documented name: one row for both
// versions and both hooks.
func generic(p string) string {
	for _, pre := range []string{"versions.current.", "versions.target.", "hooks.BeforeAllowTraffic.", "hooks.AfterAllowTraffic."} {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			return pre[:strings.IndexByte(pre, '.')] + ".*." + rest
		}
	}
	// One row for a metric, bare or in a pasted manifest's spec, and one
	// for Argo's four places of an analysis reference.
	if rest, ok := strings.CutPrefix(p, "analysisTemplates[].spec.metrics[]."); ok {
		return "analysisTemplates[].metrics[]." + rest
	}
	for _, pre := range []string{"deployment.strategies[].canary.steps[].analysis.", "deployment.strategies[].canary.analysis.",
		"deployment.strategies[].blueGreen.prePromotionAnalysis.", "deployment.strategies[].blueGreen.postPromotionAnalysis."} {
		if rest, ok := strings.CutPrefix(p, pre); ok && rest != "startingStep" {
			return "deployment.strategies[].<analysis>." + rest
		}
	}
	return p
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// typeName says in words what a value of t is.
func typeName(t reflect.Type) string {
	t = deref(t)
	switch {
	case t == durationType:
		return "duration"
	case t == argoDurType:
		return "seconds or duration"
	case t == pollPhaseType:
		return "duration or random"
	case t == strategyType:
		return "strategy"
	}
	switch t.Kind() {
	case reflect.Interface:
		return "value"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint64, reflect.Uint32, reflect.Uint:
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Struct:
		return "object"
	case reflect.Slice:
		e := typeName(t.Elem())
		if e == "object" {
			return "list of objects"
		}
		if e == "strategy" {
			return "list of strategies"
		}
		return "list of " + e + "s"
	}
	return t.Kind().String()
}

// bounds maps limits.Table's names to their bounds.
var bounds = func() map[string]limits.Bound {
	m := map[string]limits.Bound{}
	for _, b := range limits.Table {
		m[b.Name] = b
	}
	return m
}()

func boundOf(path string) (limits.Bound, bool) {
	b, ok := bounds[limits.Generic(path)]
	if !ok {
		b, ok = bounds[path]
	}
	return b, ok
}

// Keys lists every key of a scenario file, parents before children, in the
// order of the decoder's structs.
func Keys() []Key {
	var out []Key
	seen := map[string]bool{}
	var walk func(t reflect.Type, prefix string)
	add := func(path string, t reflect.Type) {
		g := generic(path)
		if seen[g] {
			return
		}
		seen[g] = true
		k := Key{Path: g, Type: typeName(t), Required: required[g], Doc: keyDocs[g]}
		if b, ok := boundOf(path); ok {
			k.Bound = b.Range() + b.Unit()
		}
		out = append(out, k)
	}
	walk = func(t reflect.Type, prefix string) {
		for _, f := range fields(t) {
			path := f.name
			if prefix != "" {
				path = prefix + "." + f.name
			}
			add(path, f.typ)
			ft := deref(f.typ)
			switch {
			case ft == durationType || ft == pollPhaseType || ft == argoDurType:
			case ft.Kind() == reflect.Struct:
				walk(ft, path)
			case ft.Kind() == reflect.Slice && deref(ft.Elem()) == strategyType:
				walk(reflect.TypeFor[strategies.DeploymentConfig](), path+"[]")
				add(path+"[].DeploymentStrategy", reflect.TypeFor[strategies.DeploymentStrategy]())
				walk(reflect.TypeFor[strategies.DeploymentStrategy](), path+"[].DeploymentStrategy")
				walk(reflect.TypeFor[strategies.ECSService](), path+"[]")
				walk(reflect.TypeFor[ArgoRollout](), path+"[]")
				walk(reflect.TypeFor[FlaggerEntry](), path+"[]")
			case ft.Kind() == reflect.Slice && deref(ft.Elem()).Kind() == reflect.Struct && deref(ft.Elem()) != durationType:
				walk(deref(ft.Elem()), path+"[]")
			}
		}
	}
	walk(reflect.TypeFor[File](), "")
	return out
}

// Reference returns docs/scenario.md: every key, its type, range, default
// and meaning, generated from Keys.
func Reference() string {
	var b strings.Builder
	b.WriteString(`# Scenario file reference

<!-- Generated from the loader's own schema (scenario.Keys) by TestReference; do not edit by hand.
     Regenerate with: go test ./scenario -run TestReference -update-reference -->

A scenario is one YAML (or JSON) document. Every key below is all the loader accepts: an unknown key, a
duplicate key or a value of the wrong type is an error naming the file, the line and the key. Durations are Go
durations (` + "`90s`, `5m`, `1h30m`" + `; a bare number is refused, except 0). ` + "`versions.*`" + ` stands for both
` + "`versions.current` and `versions.target`, `hooks.*` for both hooks, `[]`" + ` for every item of a list. Ranges
come from internal/limits (docs/limits.md). ` + "`shiftsim schema`" + ` prints the same keys as a JSON Schema for
editors. A key marked Required must be in its parent object when the parent is there: an optional parent (` + "`traffic.replay`" + `,
` + "`deployment.manual_stop`" + `) may be left out whole, and a strategy entry needs only its own shape's keys.

`)
	keys := Keys()
	// Top-level scalars first, under one heading; then a section per object.
	sort.SliceStable(keys, func(i, j int) bool { return scalarTop(keys[i]) && !scalarTop(keys[j]) })
	section := ""
	for _, k := range keys {
		top, _, _ := strings.Cut(k.Path, ".")
		title := "`" + strings.TrimSuffix(top, "[]") + "`"
		if scalarTop(k) {
			title = "Top-level values"
		}
		if title != section {
			section = title
			fmt.Fprintf(&b, "\n## %s\n\n| key | type | range | meaning |\n| --- | --- | --- | --- |\n", title)
		}
		doc := k.Doc
		switch {
		case k.Required && requiredWhen[k.Path] != "":
			doc += " " + requiredWhen[k.Path]
		case k.Required && !strings.Contains(doc, "Required"):
			doc += " Required."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Path, k.Type, k.Bound, strings.ReplaceAll(doc, "|", `\|`))
	}
	return b.String()
}

// scalarTop reports whether k is a top-level key with a plain value.
func scalarTop(k Key) bool {
	return !strings.Contains(k.Path, ".") && k.Type != "object" && k.Type != "list of objects" && k.Type != "list of strategies"
}

// durationPattern is what time.ParseDuration accepts, as a regular expression.
const durationPattern = `^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`

// JSONSchema returns a JSON Schema (draft 2020-12) of the scenario file,
// built from the same structs, documentation and bounds as Reference, for
// editors' completion and checking. It checks keys and types; what only
// the loader can judge (a metric name, a strategy name) it leaves to
// `shiftsim validate`.
func JSONSchema() []byte {
	root := schemaOf(reflect.TypeFor[File](), "")
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://github.com/shiftsim/shiftsim/docs/scenario.schema.json"
	root["title"] = "shiftsim scenario"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		panic(err) // maps of strings, numbers and bools always encode
	}
	return buf.Bytes()
}

type obj = map[string]any

func schemaOf(t reflect.Type, path string) obj {
	t = deref(t)
	var s obj
	switch {
	case t == durationType:
		s = durationSchema()
	case t == pollPhaseType:
		s = obj{"anyOf": []any{obj{"const": "random"}, durationSchema()}}
	case t == argoDurType:
		s = obj{"anyOf": []any{obj{"type": "integer", "minimum": 0}, obj{"type": "string", "pattern": "^[0-9]+$"}, durationSchema()}}
	case t == strategyType:
		s = obj{"anyOf": []any{
			obj{"type": "string", "description": "a predefined name (CodeDeploy, SAM or AppConfig), an ECS plan's generated name or a custom configuration's name"},
			schemaOf(reflect.TypeFor[strategies.DeploymentConfig](), path),
			obj{"type": "object", "additionalProperties": false, "required": []string{"DeploymentStrategy"},
				"properties": obj{"DeploymentStrategy": withDoc(schemaOf(reflect.TypeFor[strategies.DeploymentStrategy](), path+".DeploymentStrategy"), path+".DeploymentStrategy")}},
			schemaOf(reflect.TypeFor[strategies.ECSService](), path),
			schemaOf(reflect.TypeFor[ArgoRollout](), path),
			schemaOf(reflect.TypeFor[FlaggerEntry](), path),
		}}
	default:
		switch t.Kind() {
		case reflect.String:
			s = obj{"type": "string"}
		case reflect.Bool:
			s = obj{"type": "boolean"}
		case reflect.Int, reflect.Int64, reflect.Int32:
			s = obj{"type": "integer"}
		case reflect.Uint64, reflect.Uint32, reflect.Uint:
			s = obj{"type": "integer", "minimum": 0}
		case reflect.Float64, reflect.Float32:
			s = obj{"type": "number"}
		case reflect.Slice:
			s = obj{"type": "array", "items": schemaOf(t.Elem(), path+"[]")}
		case reflect.Interface:
			s = obj{}
		case reflect.Struct:
			props := obj{}
			var req []string
			for _, f := range fields(t) {
				p := f.name
				if path != "" {
					p = path + "." + f.name
				}
				ps := schemaOf(f.typ, p)
				if e, ok := enums[generic(p)]; ok {
					ps["enum"] = e
				}
				props[f.name] = withDoc(ps, p)
				if required[generic(p)] {
					req = append(req, f.name)
				}
			}
			s = obj{"type": "object", "properties": props, "additionalProperties": false}
			if len(req) > 0 {
				sort.Strings(req)
				s["required"] = req
			}
		}
	}
	if b, ok := boundOf(path); ok && path != "" {
		switch b.Kind {
		case limits.Int, limits.Float:
			if s["type"] == "integer" || s["type"] == "number" {
				if b.ZeroOK {
					s["minimum"] = 0
				} else {
					s["minimum"] = b.Min
				}
				s["maximum"] = b.Max
			}
		case limits.Count:
			if s["type"] == "array" {
				s["maxItems"] = b.Max
			}
		case limits.Length:
			if s["type"] == "string" {
				s["maxLength"] = b.Max
			}
		}
	}
	return s
}

func durationSchema() obj {
	return obj{"anyOf": []any{
		obj{"type": "string", "pattern": durationPattern, "description": "a Go duration such as 90s, 5m or 1h30m"},
		obj{"const": 0},
	}}
}

// withDoc adds the key's meaning (and range) as the schema's description.
func withDoc(s obj, path string) obj {
	d := keyDocs[generic(path)]
	if b, ok := boundOf(path); ok {
		d += " Range: " + b.Range() + b.Unit() + "."
	}
	if d != "" {
		s["description"] = strings.TrimSpace(d)
	}
	return s
}
