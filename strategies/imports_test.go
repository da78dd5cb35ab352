package strategies

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps strategies a leaf: the standard library only (and the
// did-you-mean helper), no I/O.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp == "github.com/shiftsim/shiftsim/internal/suggest" {
			continue // the shared did-you-mean helper, itself standard library only
		}
		if strings.Contains(strings.Split(imp, "/")[0], ".") || imp == "os" || imp == "io" || imp == "net" {
			t.Errorf("strategies imports %s; it must import only the standard library and do no I/O", imp)
		}
	}
}
