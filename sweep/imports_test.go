package sweep

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the analysis deterministic and below the CLI: no
// scenario, report or cmd package, no global randomness, no files.
func TestImports(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		switch {
		case strings.HasPrefix(imp, "github.com/shiftsim/shiftsim/"):
			rest := strings.TrimPrefix(imp, "github.com/shiftsim/shiftsim/")
			if rest != "sim" && rest != "strategies" {
				t.Errorf("imports %s: sweep may use only sim and strategies of this module", imp)
			}
		case imp == "math/rand" || imp == "math/rand/v2" || imp == "os" || strings.HasPrefix(imp, "net"):
			t.Errorf("imports %s: results must depend on the model and seed alone", imp)
		case strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") &&
			!strings.HasPrefix(imp, "gonum.org/v1/gonum/") && imp != "go.yaml.in/yaml/v3":
			t.Errorf("imports %s: only gonum and the YAML library beyond the standard library", imp)
		}
	}
}
