package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Argo steps and Flagger keys that need more than a weighted split (header
// routes, replica scale, mirroring) are refused by every command that reads
// the scenario with the real reason, the file and the line, exit 2.
func TestRefusedPeerKeys(t *testing.T) {
	for _, tc := range []struct{ file, from, to, want string }{
		{"argo.yaml", "          - setWeight: 50\n", "          - setHeaderRoute: {name: beta}\n",
			"argo.yaml:43: deployment.strategies[1].canary.steps[3].setHeaderRoute: not supported on a Lambda alias: it routes requests that carry a header to the canary; a Lambda alias has no header routes: it splits requests by weight only"},
		{"flagger.yaml", "        stepWeight: 10\n", "        stepWeight: 10\n        mirror: true\n",
			"flagger.yaml:23: deployment.strategies[1].analysis.mirror: not supported on a Lambda alias: mirroring copies requests to the canary"},
	} {
		b, err := os.ReadFile(filepath.Join("../../examples", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		doc := strings.Replace(string(b), tc.from, tc.to, 1)
		if doc == string(b) {
			t.Fatalf("%q not in %s", tc.from, tc.file)
		}
		p := filepath.Join(t.TempDir(), tc.file)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"validate", "run", "compare"} {
			code, _, errs := runCLI(cmd, p)
			if code != exitInput || !strings.Contains(errs, tc.want) {
				t.Errorf("%s %s: exit %d, %s\nwant exit 2 with %s", cmd, tc.file, code, errs, tc.want)
			}
		}
	}
}
