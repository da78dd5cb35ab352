package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/shiftsim/shiftsim/scenario"
)

// shiftsim schema prints the scenario package's JSON Schema, to stdout or
// to --out, and takes no arguments.
func TestSchemaCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"schema"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !bytes.Equal(out.Bytes(), scenario.JSONSchema()) {
		t.Error("schema prints something other than scenario.JSONSchema")
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	props, _ := doc["properties"].(map[string]any)
	for _, k := range []string{"traffic", "versions", "deployment", "alarms", "monitoring"} {
		if props[k] == nil {
			t.Errorf("schema has no property %s", k)
		}
	}
	file := filepath.Join(t.TempDir(), "scenario.schema.json")
	out.Reset()
	if code := run([]string{"schema", "--out", file}, &out, &errb); code != 0 {
		t.Fatalf("--out: exit %d: %s", code, errb.String())
	}
	if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, scenario.JSONSchema()) {
		t.Errorf("--out wrote something else (%v)", err)
	}
	if code := run([]string{"schema", "extra"}, &out, &errb); code != 2 {
		t.Errorf("schema extra: exit %d, want 2", code)
	}
}
