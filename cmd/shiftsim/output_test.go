package main

import (
	"os"
	"strings"
	"testing"
)

// One vocabulary: -o/--output is the format, --out/-O the file, for every
// command that prints data; a file name given to -o gets a hint.
func TestOutputVocabulary(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args []string
		file string
		want string
	}{
		{[]string{"compare", "bad-canary", "-o", "html", "--out", "r.html"}, "r.html", "<html"},
		{[]string{"run", "bad-canary", "-s", "AllAtOnce", "-o", "json", "-O", "r.json"}, "r.json", `"schema_version": 1`},
		{[]string{"strategies", "-O", "s.txt"}, "s.txt", "Canary10Percent5Minutes"},
		{[]string{"alarm", "--threshold", "1", "--comparison", ">=", "--datapoints", "1", "-o", "json", "--out", "a.json"}, "a.json", `"state": "ALARM"`},
		{[]string{"appspec", "bad-canary", "-s", "AllAtOnce", "-o", "json", "--out", "appspec.json"}, "appspec.json", `"AWS::Lambda::Function"`},
		{[]string{"export", "bad-canary", "-s", "AllAtOnce", "-o", "sam", "-O", "x.yaml"}, "x.yaml", "DeploymentPreference"},
		{[]string{"import", "appspec", "appspec.json", "--out", "imported.yaml"}, "imported.yaml", "version: \"2\""},
	} {
		code, out, errs := runCLI(c.args...)
		b, _ := os.ReadFile(c.file)
		if code != 0 || out != "" || !strings.Contains(string(b), c.want) {
			t.Errorf("%v: exit %d, stdout %q, %s holds %.200q (want %q); stderr %s", c.args, code, out, c.file, b, c.want, errs)
		}
	}
	code, _, errs := runCLI("import", "appspec", "appspec.json", "-o", "my.yaml")
	if code != 2 || !strings.Contains(errs, "use --out my.yaml (-O)") {
		t.Errorf("-o my.yaml: exit %d, %s", code, errs)
	}
	// A run that fails leaves no file behind.
	os.Remove("r.json")
	if code, _, _ := runCLI("run", "bad-canary", "-s", "NoSuchPlan", "-o", "json", "--out", "r.json"); code != 2 {
		t.Errorf("unknown strategy: exit %d", code)
	}
	if _, err := os.Stat("r.json"); err == nil {
		t.Errorf("a failed run wrote its --out file")
	}
}
