package scenario

import (
	"reflect"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	doc := `# Values marked DEFAULT are shiftsim's, not your source's
name: x
seed: 1 # DEFAULT: same seed, same result
function:
  name: "a # DEFAULT: not a comment"
  alias: live # from template.yaml:9
traffic:
  rate: 10 # DEFAULT: requests per second
  - {version: target} # DEFAULT: list item
hooks:
  BeforeAllowTraffic:
    # DEFAULT: its function's name is not resolved
    duration: 30s #DEFAULT:no space
url: http://x#DEFAULT: part of the value
`
	want := []Default{
		{Line: 3, Key: "seed", Why: "same seed, same result"},
		{Line: 8, Key: "rate", Why: "requests per second"},
		{Line: 9, Key: "", Why: "list item"},
		{Line: 12, Key: "", Why: "its function's name is not resolved"},
		{Line: 13, Key: "duration", Why: "no space"},
	}
	if got := Defaults([]byte(doc)); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// FuzzDefaults: the DEFAULT scanner never panics, and every mark it reports
// is on a real line whose text holds "DEFAULT:" after a '#'.
func FuzzDefaults(f *testing.F) {
	f.Add([]byte("seed: 1 # DEFAULT: same seed\n"))
	f.Add([]byte("a: \"x # DEFAULT: no\" # DEFAULT: yes\n'b': 'it''s' #DEFAULT:x"))
	f.Add([]byte("- {k: \"\\\"\"} # DEFAULT: q\n#DEFAULT:"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Split(string(data), "\n")
		for _, d := range Defaults(data) {
			if d.Line < 1 || d.Line > len(lines) {
				t.Fatalf("line %d of %d", d.Line, len(lines))
			}
			l := lines[d.Line-1]
			if i := strings.Index(l, "#"); i < 0 || !strings.Contains(l[i:], "DEFAULT:") {
				t.Fatalf("line %q reported as a DEFAULT", l)
			}
		}
	})
}
