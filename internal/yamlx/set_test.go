package yamlx

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Set puts a value where Decode would have put it, by the same rules: a
// document decoded and then edited equals the document written with the
// value.
func TestSetEqualsDecodingTheEditedDocument(t *testing.T) {
	base := "name: x\nalarms:\n  - {AlarmName: a, Threshold: 5}\nfunctions:\n  checkout: {memory: 128}\n"
	cases := []struct{ path, value, doc string }{
		{"traffic.rate", "50", base + "traffic: {rate: 50}\n"},
		{"name", "y", strings.Replace(base, "name: x", "name: y", 1)},
		{"alarms[0].Threshold", "2.5", strings.Replace(base, "Threshold: 5", "Threshold: 2.5", 1)},
		{"duration", "1m30s", base + "duration: 1m30s\n"},
		{"functions.checkout.timeout", "3s", strings.Replace(base, "{memory: 128}", "{memory: 128, timeout: 3s}", 1)},
		{`functions["my fn"].memory`, "256", base + "  \"my fn\": {memory: 256}\n"},
		{"strategy", "Canary10Percent5Minutes", base + "strategy: Canary10Percent5Minutes\n"},
		{"strategy", "{type: Canary, percent: 10, interval: 5m}", base + "strategy: {type: Canary, percent: 10, interval: 5m}\n"},
		{"description", "inlined", base + "description: inlined\n"},
		{"labels.tier", "'1'", base + "labels: {tier: '1'}\n"},
		{"functions.checkout", "{timeout: 1s}", strings.Replace(base, "{memory: 128}", "{timeout: 1s}", 1)},
		{"alarms[0]", "{AlarmName: b}", strings.Replace(base, "{AlarmName: a, Threshold: 5}", "{AlarmName: b}", 1)},
	}
	for _, c := range cases {
		var got, want scenario
		if _, err := Decode("base.yaml", []byte(base), &got); err != nil {
			t.Fatal(err)
		}
		if err := Set(&got, c.path, c.value); err != nil {
			t.Errorf("%s=%s: %v", c.path, c.value, err)
			continue
		}
		if _, err := Decode("want.yaml", []byte(c.doc), &want); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if !equalScenario(got, want) {
			t.Errorf("%s=%s:\n got %+v\nwant %+v", c.path, c.value, got, want)
		}
	}
}

func equalScenario(a, b scenario) bool { return reflect.DeepEqual(a, b) }

// Errors name the path part that went wrong and say what was expected,
// with no file or line: the value is not the document.
func TestSetErrors(t *testing.T) {
	cases := []struct{ path, value, want string }{
		{"traffic.rat", "1", "traffic.rat: unknown field (did you mean rate?)"},
		{"trafic.rate", "1", "trafic: unknown field (did you mean traffic?)"},
		{"traffic.rate", "fast", `traffic.rate: expected a number, got "fast"`},
		{"duration", "90", "duration: expected a duration such as 90s"},
		{"seed", "-1", "seed:"},
		{"alarms[3].Threshold", "1", "alarms[3]: no such item: the list has 0"},
		{"name.first", "1", "name.first: name holds a string, which has no keys"},
		{"traffic[0]", "1", "traffic[0]: traffic is not a list"},
		{"traffic..rate", "1", "not a path: an empty key"},
		{"alarms[x]", "1", "not a path: [x] is not a list index"},
		{"", "1", "not a path: empty"},
		{"strategy.percent", "10", "strategy: holds a value of its own form"},
		{"traffic.rate", "[1, 2", "traffic.rate: invalid YAML"},
		{"traffic", "{rate: 1, rat: 2}", "traffic.rat: unknown field"},
		{"Ignored", "x", "Ignored: unknown field"},
	}
	for _, c := range cases {
		var s scenario
		err := Set(&s, c.path, c.value)
		var ye *Error
		if err == nil || !errors.As(err, &ye) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Set(%q, %q) = %v, want an *Error containing %q", c.path, c.value, err, c.want)
			continue
		}
		if strings.Contains(c.want, "not a path") != errors.Is(err, ErrBadPath) {
			t.Errorf("Set(%q, %q): errors.Is(err, ErrBadPath) = %v", c.path, c.value, errors.Is(err, ErrBadPath))
		}
		if ye.Line != 0 || ye.File != "" {
			t.Errorf("Set(%q, %q): error at %s:%d, want no position", c.path, c.value, ye.File, ye.Line)
		}
	}
}

func TestParsePathRoundTrip(t *testing.T) {
	for _, p := range []string{"a", "a.b", "a[0]", "a[0][1].b", `m["/x"].w`, `m["a.b"]`, `m["]"]`} {
		steps, err := parsePath(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		back := ""
		for _, st := range steps {
			if st.index >= 0 {
				back = Index(back, st.index)
			} else {
				back = Key(back, st.key)
			}
		}
		if back != p {
			t.Errorf("%s: read back as %s", p, back)
		}
	}
}

// Set never panics on any path or value, and every refusal is an *Error.
func FuzzSet(f *testing.F) {
	for _, s := range [][2]string{{"name", "x"}, {"items[0].c[1]", "2.5"}, {`map["two words"].b`, "7"}, {"ptr.a", "[1"},
		{"labels.tier", "'1'"}, {"a..b", "1"}, {`map["\"]`, "1"}, {"items[99999999999999999999]", "1"}, {"seed", "-1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, path, value string) {
		base := "items:\n  - {a: x, b: 1, c: [1.5, 2]}\nmap:\n  k: {b: 3}\n"
		var v twin
		if _, err := Decode("b.yaml", []byte(base), &v); err != nil {
			t.Fatal(err)
		}
		err := Set(&v, path, value)
		var ye *Error
		if err != nil && !errors.As(err, &ye) {
			t.Fatalf("Set(%q, %q): %T %v, want an *Error", path, value, err, err)
		}
	})
}
