package alarm

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the package pure: only the standard library and gonum,
// and nothing that reads a clock or does I/O.
func TestImports(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"time", "os", "io", "net", "math/rand", "math/rand/v2", "crypto/rand", "sync", "syscall"}
	for _, imp := range pkg.Imports {
		first, _, _ := strings.Cut(imp, "/")
		if strings.Contains(first, ".") && !strings.HasPrefix(imp, "gonum.org/v1/gonum/") {
			t.Errorf("imports %s: only the standard library and gonum are allowed", imp)
		}
		for _, f := range forbidden {
			if imp == f || strings.HasPrefix(imp, f+"/") && f != "math/rand" {
				t.Errorf("imports %s: the evaluator must not read clocks, do I/O or keep shared state", imp)
			}
		}
	}
}
