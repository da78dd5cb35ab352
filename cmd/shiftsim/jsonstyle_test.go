package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// awsSubtrees hold AWS's own names (CloudFormation's PascalCase, the API's
// camelCase), kept as AWS spells them; "values", "statuses" and
// "rollback_causes" are keyed by data (scenario paths, statuses, causes).
var awsSubtrees = map[string]bool{"TrafficRoutingConfig": true, "DeploymentConfig": true, "cli_input_json": true, "put_metric_alarm": true, "values": true, "statuses": true, "rollback_causes": true, "false_rollback_causes": true}

// checkKeys walks a decoded JSON value and reports every key that is not
// snake_case outside the AWS subtrees.
func checkKeys(t *testing.T, where string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if awsSubtrees[k] {
				continue
			}
			if !snakeKey.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", where, k)
			}
			checkKeys(t, where+"."+k, c)
		}
	case []any:
		for _, c := range x {
			checkKeys(t, where+"[]", c)
		}
	}
}

// Issue 10: every command that prints data has --output json; all of it is
// one style: an object with schema_version first, snake_case keys.
func TestEveryJSONHasOneStyle(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"compare", "bad-canary"},
		{"compare", "bad-canary", "--runs", "3", "-q"},
		{"run", "bad-canary", "-s", "Canary10Percent5Minutes"},
		{"recommend", "bad-canary", "--max-failed", "1000", "-n", "2", "-q"},
		{"sweep", "bad-canary", "--vary", "traffic.rate=10,20", "-n", "2", "-q"},
		{"strategies"},
		{"trace", "inspect", "scenarios/data/azure2019-invocations.csv", "--function", "rank:3", "--durations", "scenarios/data/azure2019-durations.csv"},
		{"alarm", "--threshold", "1", "--comparison", ">=", "--datapoints", "0,1,-,1", "--evaluation-periods", "3"},
		{"validate", "bad-canary"},
		{"version"},
		{"power", "bad-canary", "-s", "Canary10Percent5Minutes"},
		{"tune-alarm", "bad-canary", "-s", "Canary10Percent5Minutes", "--evaluation-periods", "1", "-q"},
	} {
		code, out, errs := runCLI(append(args, "--output", "json")...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errs)
			continue
		}
		if !strings.HasPrefix(out, "{\n  \"schema_version\": 1") {
			t.Errorf("%v: JSON does not open with schema_version:\n%.200s", args, out)
		}
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Errorf("%v: not JSON: %v", args, err)
			continue
		}
		checkKeys(t, strings.Join(args[:1], " "), doc)
	}
}
