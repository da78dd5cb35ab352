package scenarios

import (
	"io/fs"
	"slices"
	"testing"
)

func TestNamesAndPath(t *testing.T) {
	names := Names()
	if !slices.Contains(names, "bad-canary") || !slices.Contains(names, "azure-trace") {
		t.Fatalf("Names() = %v, want bad-canary and azure-trace among them", names)
	}
	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
	for _, in := range []string{"bad-canary", "bad-canary.yaml", "scenarios/bad-canary.yaml", `scenarios\bad-canary.yaml`} {
		p, ok := Path(in)
		if !ok || p != "scenarios/bad-canary.yaml" {
			t.Errorf("Path(%q) = %q, %v; want scenarios/bad-canary.yaml, true", in, p, ok)
		}
	}
	for _, in := range []string{"", "nosuch", "data/SOURCE", "*", "../scenarios/bad-canary", "scenarios/"} {
		if p, ok := Path(in); ok {
			t.Errorf("Path(%q) = %q, true; want false", in, p)
		}
	}
}

// The recordings that built-in scenarios replay are inside the binary, found
// under the same relative path as in the source tree.
func TestTreeHoldsTheRecordings(t *testing.T) {
	for _, p := range []string{"scenarios/azure-trace.yaml", "scenarios/data/azure2019-invocations.csv", "scenarios/data/azure2019-durations.csv"} {
		b, err := fs.ReadFile(Tree, p)
		if err != nil || len(b) == 0 {
			t.Errorf("ReadFile(Tree, %s): %d bytes, %v", p, len(b), err)
		}
	}
	for _, p := range []string{"bad-canary.yaml", "scenarios/nosuch.yaml", "other/bad-canary.yaml", "/scenarios/bad-canary.yaml"} {
		if _, err := fs.ReadFile(Tree, p); err == nil {
			t.Errorf("ReadFile(Tree, %s) succeeded, want an error", p)
		}
	}
}
