package awsexec

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps awsexec a leaf of the core: it drives the controller
// (deploy) with plans (strategies) through the AWS SDK, and never reaches
// into the simulator, the scenario loader, the reports or the CLI, which the
// CLI wires to it.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		switch {
		case !strings.Contains(strings.Split(imp, "/")[0], "."): // standard library
		case strings.HasPrefix(imp, "github.com/aws/"):
		case imp == "github.com/shiftsim/shiftsim/deploy", imp == "github.com/shiftsim/shiftsim/strategies",
			imp == "github.com/shiftsim/shiftsim/internal/safeio": // how every package reads a user's file
		default:
			t.Errorf("awsexec imports %s; it may import deploy, strategies, internal/safeio, the AWS SDK and the standard library", imp)
		}
	}
}
