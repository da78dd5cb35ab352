package importer

import (
	"go/build"
	"strings"
	"testing"
)

// importer reads files it is given and writes text: it never reaches the
// network, another process or AWS, whose SDK belongs to awsexec.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "net") || imp == "os/exec" || strings.Contains(imp, "aws-sdk-go") ||
			strings.HasSuffix(imp, "/awsexec") || strings.Contains(imp, "/cmd/") || imp == "math/rand" || imp == "math/rand/v2" {
			t.Errorf("importer imports %s", imp)
		}
	}
}
