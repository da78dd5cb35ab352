package awsexec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Call is an AWS API call in shiftsim's one canonical text form, used by the
// dry run, the journal and the timeline: the operation name, then Name=Value
// parameters in the order given. Values that are not plain words are quoted
// (strings) or written as compact JSON (maps, lists, structs); Placeholder
// values stand for what is known only at run time.
type Call struct {
	Op     string
	Params []Param
}

// Param is one parameter of a Call.
type Param struct {
	Name  string
	Value any
}

// Placeholder is a parameter value known only when the call is made, such as
// a RevisionId; it prints as <text>.
type Placeholder string

func call(op string, kv ...any) Call {
	c := Call{Op: op}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Params = append(c.Params, Param{Name: kv[i].(string), Value: kv[i+1]})
	}
	return c
}

// String returns "Op Name=Value ...".
func (c Call) String() string {
	var b strings.Builder
	b.WriteString(c.Op)
	for _, p := range c.Params {
		b.WriteString(" " + p.Name + "=" + formatValue(p.Value))
	}
	return b.String()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case Placeholder:
		return "<" + string(x) + ">"
	case string:
		if x != "" && !strings.ContainsAny(x, " \t\n\"'=#<>{}[],\\") {
			return x
		}
		return strconv.Quote(x)
	case bool, int, int32, int64, float64:
		return fmt.Sprint(x)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// weights is the RoutingConfig value an UpdateAlias call sends for a state:
// {"AdditionalVersionWeights": {...}}, empty to clear the routing.
func routingValue(a AliasState) map[string]map[string]float64 {
	w := map[string]float64{}
	for k, v := range nonZero(a.Weights) {
		w[k] = v
	}
	return map[string]map[string]float64{"AdditionalVersionWeights": w}
}

func (p Plan) updateAliasCall(want AliasState, revision any) Call {
	return call("UpdateAlias", "FunctionName", p.Function, "Name", p.Alias, "FunctionVersion", want.Version,
		"RoutingConfig", routingValue(want), "RevisionId", revision)
}
