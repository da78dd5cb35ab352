package deploy

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the controller pure: only strategies and the standard
// library, so that neither the simulator nor the AWS SDK can leak in.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp != "github.com/shiftsim/shiftsim/strategies" && strings.Contains(strings.Split(imp, "/")[0], ".") {
			t.Errorf("deploy imports %s; it may import only strategies and the standard library", imp)
		}
		switch imp {
		case "math/rand", "math/rand/v2", "os", "net", "net/http", "sync", "io", "io/fs":
			t.Errorf("deploy imports %s: the controller must not use randomness, I/O or concurrency", imp)
		}
	}
}
