package yamlx

import (
	"errors"
	"strings"
	"testing"
)

// badFile is the name every error case is decoded under.
const badFile = "scenarios/bad.yaml"

// TestDecodeErrors checks, for each broken document, the exact message a user
// sees: file, line, path, what was expected and the likely fix.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"misspelt AWS field (the house example)", `# A canary with one alarm.
name: checkout-canary
seed: 42
duration: 30m
traffic:
  rate: 120
  pattern: diurnal
alarms:
  - AlarmName: checkout-errors
    Namespace: AWS/Lambda
    MetricName: Errors
    Statistic: Sum
    Threshold: 5
    ComparisonOperatr: GreaterThanThreshold
`, `scenarios/bad.yaml:14: alarms[0].ComparisonOperatr: unknown field (did you mean ComparisonOperator?)`},
		{"case-only typo", "alarms:\n  - AlarmName: a\n    threshold: 5\n",
			`scenarios/bad.yaml:3: alarms[0].threshold: unknown field (field names are case-sensitive: did you mean Threshold?)`},
		{"snake_case for PascalCase", "alarms:\n  - treat_missing_data: breaching\n",
			`scenarios/bad.yaml:2: alarms[0].treat_missing_data: unknown field (did you mean TreatMissingData?)`},
		{"transposed letters", "alarms:\n  - Statsitic: Sum\n",
			`scenarios/bad.yaml:2: alarms[0].Statsitic: unknown field (did you mean Statistic?)`},
		{"no close match lists the few valid fields", "traffic:\n  rps: 10\n",
			`scenarios/bad.yaml:2: traffic.rps: unknown field (valid fields: rate, pattern, warmup)`},
		{"no close match among many fields", "colour: blue\n",
			`scenarios/bad.yaml:1: colour: unknown field`},
		{"skipped field is unknown", "Ignored: x\n",
			`scenarios/bad.yaml:1: Ignored: unknown field`},
		{"duplicate key", "name: a\nseed: 1\nname: b\n",
			`scenarios/bad.yaml:3: name: duplicate key (first defined at line 1; keep only one)`},
		{"duplicate key in a map", "labels:\n  team: a\n  team: b\n",
			`scenarios/bad.yaml:3: labels.team: duplicate key (first defined at line 2; keep only one)`},
		{"duplicate key in free-form data", "extra:\n  x: 1\n  x: 2\n",
			`scenarios/bad.yaml:3: extra.x: duplicate key (first defined at line 2; keep only one)`},
		{"duplicate JSON key", `{"name": "a",
 "name": "b"}`,
			`scenarios/bad.yaml:2: name: duplicate key (first defined at line 1; keep only one)`},
		{"not a number", "alarms:\n  - Threshold: abc\n",
			`scenarios/bad.yaml:2: alarms[0].Threshold: expected a number, got "abc"`},
		{"quoted integer", "alarms:\n  - Period: \"60\"\n",
			`scenarios/bad.yaml:2: alarms[0].Period: expected an integer, got "60" (a quoted string: remove the quotes)`},
		{"quoted float", "weight: '0.5'\n",
			`scenarios/bad.yaml:1: weight: expected a number, got "0.5" (a quoted string: remove the quotes)`},
		{"fraction into an integer", "alarms:\n  - Period: 1.5\n",
			`scenarios/bad.yaml:2: alarms[0].Period: expected an integer, got 1.5`},
		{"int8 overflow", "level: 300\n",
			`scenarios/bad.yaml:1: level: 300 is out of range (must be between -128 and 127)`},
		{"int overflow past 64 bits", "level: 99999999999999999999\n",
			`scenarios/bad.yaml:1: level: 99999999999999999999 is out of range (must be between -128 and 127)`},
		{"negative into unsigned", "seed: -1\n",
			`scenarios/bad.yaml:1: seed: expected a non-negative integer, got -1`},
		{"leading zero", "level: 012\n",
			`scenarios/bad.yaml:1: level: ambiguous number 012: write 12 for decimal or 0o12 for octal`},
		{"float32 overflow", "weight: 1e40\n",
			`scenarios/bad.yaml:1: weight: 1e40 is out of range (must be at most 3.4028234663852886e+38 in magnitude)`},
		{"float64 overflow", "weight: 1e400\n",
			`scenarios/bad.yaml:1: weight: 1e400 is out of range for a number`},
		{"NaN", "alarms:\n  - Threshold: .nan\n",
			`scenarios/bad.yaml:2: alarms[0].Threshold: expected a finite number, got .nan`},
		{"infinity", "alarms:\n  - Threshold: -.inf\n",
			`scenarios/bad.yaml:2: alarms[0].Threshold: expected a finite number, got -.inf`},
		{"yes is not a boolean", "enabled: yes\n",
			`scenarios/bad.yaml:1: enabled: expected true or false, got yes (YAML 1.2 booleans are only true and false: write true)`},
		{"off is not a boolean", "alarms:\n  - ActionsEnabled: off\n",
			`scenarios/bad.yaml:2: alarms[0].ActionsEnabled: expected true or false, got off (YAML 1.2 booleans are only true and false: write false)`},
		{"quoted boolean", "enabled: \"true\"\n",
			`scenarios/bad.yaml:1: enabled: expected true or false, got "true" (a quoted string: remove the quotes)`},
		{"number as boolean", "enabled: 1\n",
			`scenarios/bad.yaml:1: enabled: expected true or false, got 1`},
		{"bare integer duration", "duration: 90\n",
			`scenarios/bad.yaml:1: duration: expected a duration such as 90s, 5m or 1h30m, got 90 (add a unit, e.g. 90s)`},
		{"bare quoted integer duration", "functions:\n  checkout:\n    timeout: \"300\"\n",
			`scenarios/bad.yaml:3: functions.checkout.timeout: expected a duration such as 90s, 5m or 1h30m, got "300" (add a unit, e.g. 300s)`},
		{"duration with a space", "duration: 5 min\n",
			`scenarios/bad.yaml:1: duration: expected a duration such as 90s, 5m or 1h30m, got "5 min" (write it without spaces, e.g. 5m or 1h30m)`},
		{"duration in days", "duration: 2d\n",
			`scenarios/bad.yaml:1: duration: expected a duration such as 90s, 5m or 1h30m, got "2d" (there is no day unit: write hours, e.g. 24h)`},
		{"duration as a mapping", "duration: {minutes: 5}\n",
			`scenarios/bad.yaml:1: duration: expected a duration such as 90s, 5m or 1h30m, got a mapping`},
		{"mapping where a list goes", "alarms:\n  AlarmName: x\n",
			`scenarios/bad.yaml:2: alarms: expected a list, got a mapping`},
		{"scalar where a list goes", "alarms:\n  - Dimensions: FunctionName\n",
			`scenarios/bad.yaml:2: alarms[0].Dimensions: expected a list, got "FunctionName"`},
		{"list where a mapping goes", "traffic: [1, 2]\n",
			`scenarios/bad.yaml:1: traffic: expected a mapping, got a list`},
		{"list where a string goes", "labels:\n  team: [a, b]\n",
			`scenarios/bad.yaml:2: labels.team: expected a string, got a list`},
		{"path of a non-identifier map key", "functions:\n  \"my fn\":\n    memory: lots\n",
			`scenarios/bad.yaml:3: functions["my fn"].memory: expected an integer, got "lots"`},
		{"top level is a list", "- name: a\n",
			`scenarios/bad.yaml:1: expected a mapping at the top level, got a list (is this the right file?)`},
		{"top level is a scalar", "just text\n",
			`scenarios/bad.yaml:1: expected a mapping at the top level, got a string (is this the right file?)`},
		{"empty input", "", `scenarios/bad.yaml: empty document`},
		{"only comments", "# nothing yet\n\n", `scenarios/bad.yaml: empty document`},
		{"only a null", "---\n~\n", `scenarios/bad.yaml: empty document`},
		{"two documents", "name: a\n---\nname: b\n",
			`scenarios/bad.yaml:2: expected one document, found a second one (remove the "---" separator or split the file)`},
		{"bad indentation", "name: a\n  seed: 1\n",
			`scenarios/bad.yaml:2: invalid YAML: mapping values are not allowed here (check the indentation, or quote a value that contains ": ")`},
		{"dedented key after a list (yaml says line 3)", "name: a\nalarms:\n  - AlarmName: x\n seed: 2\n",
			`scenarios/bad.yaml:4: invalid YAML: did not find the expected key (check the indentation of this block)`},
		{"key without a colon", "name: a\nseed\n",
			`scenarios/bad.yaml:2: invalid YAML: could not find the expected ':' after a key`},
		{"unclosed flow list", "name: a\nalarms: [\n  {AlarmName: x}\nseed: 1\n",
			`scenarios/bad.yaml:2: invalid YAML: unclosed [ list: expected ',' or ']'`},
		{"tab indentation", "traffic:\n\trate: 1\n",
			`scenarios/bad.yaml:2: invalid YAML: found a character that cannot start a value (a tab, or an unquoted value starting with @ or ` + "`" + `?)`},
		{"unterminated quote", "name: \"abc\nseed: 1\n",
			`scenarios/bad.yaml:3: invalid YAML: unexpected end of file (an unclosed quote or bracket?)`},
		{"unknown anchor", "name: a\nextra: *nope\n",
			`scenarios/bad.yaml:2: invalid YAML: unknown anchor "nope" in alias *nope (define it with &nope before using it)`},
		{"control character", "name: a\nowner: b\x01\n",
			`scenarios/bad.yaml:2: invalid YAML: control characters are not allowed`},
		{"invalid UTF-8", "name: a\n\nowner: \xff\n",
			`scenarios/bad.yaml:3: invalid YAML: invalid leading UTF-8 octet`},
		{"alias inside its own anchor", "extra: &a [1, *a]\n",
			`scenarios/bad.yaml:1: extra[1]: alias *a is inside the node it refers to (an infinite loop)`},
		{"merge of itself", "extra: &a\n  x: 1\n  <<: *a\n",
			`scenarios/bad.yaml:3: extra: alias *a is inside the node it refers to (an infinite loop)`},
		{"merge of a scalar", "base: &b 3\ntraffic:\n  <<: *b\n",
			`scenarios/bad.yaml:1: base: unknown field`},
		{"merge of a scalar (reached)", "traffic:\n  <<: 3\n",
			`scenarios/bad.yaml:2: traffic: merge key << needs a mapping or a list of mappings, got 3`},
		{"merge brings an unknown field", "extra: &base {rate: 1, burst: 2}\ntraffic:\n  <<: *base\n",
			`scenarios/bad.yaml:1: traffic.burst: unknown field (valid fields: rate, pattern, warmup)`},
		{"CloudFormation tag", "alarms:\n  - AlarmName: !Sub '${AWS::StackName}-errors'\n",
			`scenarios/bad.yaml:2: alarms[0].AlarmName: unsupported tag !Sub (tags such as CloudFormation's !Ref are not evaluated: write the plain value)`},
		{"mapping as a key", "labels:\n  ? [a, b]\n  : c\n",
			`scenarios/bad.yaml:2: labels: expected a string key, got a list`},
		{"null key", "labels:\n  ~: x\n",
			`scenarios/bad.yaml:2: labels: expected a string key, got null`},
		{"bad base64", "name: !!binary '%%%'\n",
			`scenarios/bad.yaml:1: name: invalid !!binary value: illegal base64 data at input byte 0`},
		{"union: wrong kind", "strategy: [Canary10Percent5Minutes]\n",
			`scenarios/bad.yaml:1: strategy: expected a config name or a custom config mapping, got a list`},
		{"union: error inside the object form", "strategy:\n  type: canary\n  percent: 10\n  interval: 5\n",
			`scenarios/bad.yaml:4: strategy.interval: expected a duration such as 90s, 5m or 1h30m, got 5 (add a unit, e.g. 5s)`},
		{"union: unknown field inside the object form", "strategy:\n  type: canary\n  percnt: 10\n",
			`scenarios/bad.yaml:3: strategy.percnt: unknown field (did you mean percent?)`},
		{"TextUnmarshaler rejects", "addr: 999.1.1.1\n",
			`scenarios/bad.yaml:1: addr: invalid value "999.1.1.1": ParseAddr("999.1.1.1"): IPv4 field has value >255`},
		{"empty list item", "alarms:\n  - AlarmName: a\n  -\n",
			`scenarios/bad.yaml:3: alarms[1]: empty list item (remove it or give it a value)`},
		{"null list item", "functions:\n  f:\n    labels: [a, null]\n",
			`scenarios/bad.yaml:3: functions.f.labels[1]: empty list item (remove it or give it a value)`},
		{"first error in document order", "alarms:\n  - Threshold: x\n  - Tresholdd: 1\nname: a\nname: b\n",
			`scenarios/bad.yaml:2: alarms[0].Threshold: expected a number, got "x"`},
		{"value error before a later duplicate in the same mapping", "seed: x\nname: a\nname: b\n",
			`scenarios/bad.yaml:1: seed: expected a non-negative integer, got "x"`},
		{"long values are shortened", "level: " + strings.Repeat("a", 60) + "\n",
			`scenarios/bad.yaml:1: level: expected an integer, got "` + strings.Repeat("a", 37) + `..."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s scenario
			_, err := Decode(badFile, []byte(tt.doc), &s)
			if err == nil {
				t.Fatalf("no error; want %s", tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestAliasBomb checks that a document expanding to billions of nodes through
// aliases is refused quickly instead of exhausting memory.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("extra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("  " + name + ": &" + name + " [")
		for i := range 10 {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	var s scenario
	_, err := Decode("bomb.yaml", []byte(b.String()), &s)
	if err == nil || err.Error() != "bomb.yaml:7: extra.f[7]: document too large: more than 1000000 nodes once aliases are expanded" {
		t.Fatalf("got %v, want the node limit error", err)
	}
}

// TestDeepNesting checks that nesting through aliases is bounded too: each
// level lengthens every path below it.
func TestDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("extra:\n  a0: &a0 [1]\n")
	for i := 1; i < 12000; i++ {
		b.WriteString("  a" + itoa(i) + ": &a" + itoa(i) + " [*a" + itoa(i-1) + "]\n")
	}
	var s scenario
	_, err := Decode("deep.yaml", []byte(b.String()), &s)
	if err == nil || err.Error() != "deep.yaml:1000: extra.a998[0]: document too large: more than 1000000 nodes once aliases are expanded" {
		t.Fatalf("got %v, want the node limit error", err)
	}
}

func itoa(i int) string { return Index("", i)[1 : len(Index("", i))-1] }

// TestDecodeBadTarget checks that programming errors are reported, not panics.
func TestDecodeBadTarget(t *testing.T) {
	var s scenario
	for _, v := range []any{nil, s, (*scenario)(nil), new(map[int]string), new(chan int), new(complex128)} {
		_, err := Decode("x.yaml", []byte("a: 1\n"), v)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Decode into %T: got %v, want an *Error", v, err)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Path: "x.y", Msg: "bad"}, "a.yaml:3: x.y: bad"},
		{Error{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{Error{File: "a.yaml", Path: "x", Msg: "bad"}, "a.yaml: x: bad"},
		{Error{Line: 3, Path: "x", Msg: "bad"}, "line 3: x: bad"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// TestLongPaths checks the budget on path bytes: few nodes, but long keys
// repeated at every level of a chain of aliases.
func TestLongPaths(t *testing.T) {
	key := strings.Repeat("k", 1000)
	var b strings.Builder
	b.WriteString("extra:\n  a0: &a0 {x: 1}\n")
	for i := 1; i < 300; i++ {
		b.WriteString("  a" + itoa(i) + ": &a" + itoa(i) + " {" + key + ": *a" + itoa(i-1) + "}\n")
	}
	var s scenario
	_, err := Decode("long.yaml", []byte(b.String()), &s)
	if err == nil || !strings.HasSuffix(err.Error(), ": document too large: its paths exceed 32 MiB once aliases are expanded") {
		t.Fatalf("got %.200v, want the path budget error", err)
	}
}
