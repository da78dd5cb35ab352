package scenario

import (
	"reflect"
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
