package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shiftsim/shiftsim/internal/awsfake"
)

func TestRecordCLI(t *testing.T) {
	f := awsEnv(t)
	dims := map[string]string{"FunctionName": "orders", "Resource": "orders:live", "ExecutedVersion": "1"}
	for m := range 5 {
		at := awsfake.Epoch.Add(time.Duration(m) * time.Minute)
		f.PutMetric("AWS/Lambda", "Invocations", dims, at, 1, 1, 1)
		f.PutMetric("AWS/Lambda", "Invocations", map[string]string{"FunctionName": "orders", "Resource": "orders:live"}, at, 1, 1, 1)
	}
	out := filepath.Join(t.TempDir(), "rec.json")
	code, stdout, stderr := runCLI("record", "--function", "orders", "--alias", "live", "--from", "2026-06-01T12:00:00Z", "--to", "2026-06-01T13:00:00Z",
		"--endpoint-url", f.URL, "--out", out)
	if code != 0 || !strings.Contains(stdout, "format: cloudwatch-metrics, function: invocations") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rec struct{ MetricDataResults []struct{ Id string } }
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &rec); err != nil || len(rec.MetricDataResults) != 10 {
		t.Fatalf("%v %s", err, b)
	}
	side, err := os.ReadFile(filepath.Join(filepath.Dir(out), "rec.function.json"))
	if err != nil || !strings.Contains(string(side), `"MemorySize": 128`) {
		t.Fatalf("sidecar: %v %s", err, side)
	}
	noSecrets(t, stdout, stderr, string(b), string(side))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--alias", "live", "--out", out}, "required"},
		{[]string{"--function", "orders", "--alias", "live", "--out", out, "--from", "yesterday"}, "--from"},
		{[]string{"--function", "orders", "--alias", "live", "--out", out, "--from", "-1h", "--to", "-2h"}, "is not before"},
		{[]string{"--function", "orders", "--alias", "live", "--out", out, "--period", "30s"}, "multiple of a minute"},
	} {
		code, _, stderr := runCLI(append([]string{"record", "--endpoint-url", f.URL}, tc.args...)...)
		if code != exitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("record %v: exit %d, %q (want 2 and %q)", tc.args, code, stderr, tc.want)
		}
	}
	// An alias that does not exist is AWS's answer: exit 1, naming the call and the code.
	code, _, stderr = runCLI("record", "--function", "orders", "--alias", "nope", "--out", out, "--endpoint-url", f.URL)
	if code != exitError || !strings.Contains(stderr, "GetFunctionConfiguration failed: ResourceNotFoundException") {
		t.Fatalf("exit %d %s", code, stderr)
	}
}
