package strategies

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// awsExample is the AppSpec of AWS's Lambda example
// (CD-UG:reference-appspec-file-example); testdata holds the example's YAML
// and JSON verbatim (MIT-0, see docs/appspec.md).
var awsExample = AppSpec{Resource: "myLambdaFunction", Name: "myLambdaFunction", Alias: "myLambdaFunctionAlias",
	CurrentVersion: "1", TargetVersion: "2",
	BeforeAllowTraffic: "LambdaFunctionToValidateBeforeTrafficShift", AfterAllowTraffic: "LambdaFunctionToValidateAfterTrafficShift"}

// YAML writes AWS's example byte for byte.
func TestAppSpecYAMLIsAWSExample(t *testing.T) {
	want, err := os.ReadFile("testdata/appspec-lambda-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := awsExample.YAML(); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The copy in testdata is the example as published (when the data is here).
	if pub, err := os.ReadFile("../../shared/data/deploy/appspec/awsdocs_codedeploy_lambda_appspec_example.yaml"); err == nil && !bytes.Equal(pub, want) {
		t.Errorf("testdata differs from the published example")
	}
}

// JSON says what AWS's JSON example says (its whitespace is hand-made, so
// the documents are compared, not the bytes), including "version": 0.0 as
// a number.
func TestAppSpecJSONIsAWSExample(t *testing.T) {
	want, err := os.ReadFile("testdata/appspec-lambda-example.json")
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(awsExample.JSON(), &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got %v\nwant %v", g, w)
	}
	if !strings.HasPrefix(string(awsExample.JSON()), "{\n  \"version\": 0.0,\n  \"Resources\"") {
		t.Errorf("version must be the number 0.0, first:\n%s", awsExample.JSON())
	}
}

// Any string survives the YAML writer: what a YAML parser reads back is
// what went in (quotes, colons, backslashes, non-ASCII, control bytes),
// and an odd resource key is quoted.
func TestAppSpecYAMLQuoting(t *testing.T) {
	for _, a := range []AppSpec{
		{Name: "quote\"d: fn", Alias: "a\\b", CurrentVersion: "3", TargetVersion: "30", AfterAllowTraffic: "post: hook #1"},
		{Name: "-x", Alias: "ünï\tcode\x7f", CurrentVersion: "1", TargetVersion: "2", BeforeAllowTraffic: "'"},
		{Resource: "true", Name: "n", Alias: "a", CurrentVersion: "1", TargetVersion: "2"},
		{Resource: "a: b", Name: "n", Alias: "a", CurrentVersion: "1", TargetVersion: "2"},
	} {
		var doc struct {
			Version   float64                `yaml:"version"`
			Resources []map[string]yaml.Node `yaml:"Resources"`
			Hooks     []map[string]string    `yaml:"Hooks"`
		}
		if err := yaml.Unmarshal(a.YAML(), &doc); err != nil {
			t.Fatalf("%v\n%s", err, a.YAML())
		}
		if len(doc.Resources) != 1 {
			t.Fatalf("resources %v\n%s", doc.Resources, a.YAML())
		}
		for key, n := range doc.Resources[0] {
			var r struct {
				Properties struct {
					Name           string `yaml:"Name"`
					Alias          string `yaml:"Alias"`
					CurrentVersion string `yaml:"CurrentVersion"`
					TargetVersion  string `yaml:"TargetVersion"`
				} `yaml:"Properties"`
			}
			if err := n.Decode(&r); err != nil {
				t.Fatal(err)
			}
			p := r.Properties
			if key != a.resourceKey() || p.Name != a.Name || p.Alias != a.Alias || p.CurrentVersion != a.CurrentVersion || p.TargetVersion != a.TargetVersion {
				t.Errorf("read back %q %+v from\n%s", key, p, a.YAML())
			}
		}
		if len(doc.Hooks) != len(a.Hooks()) {
			t.Errorf("hooks %v", doc.Hooks)
		}
		for i, h := range a.Hooks() {
			if doc.Hooks[i][h[0]] != h[1] {
				t.Errorf("hook %v read back as %v", h, doc.Hooks[i])
			}
		}
	}
}

func TestAppSpecValidate(t *testing.T) {
	canary, all := Config{Type: Canary, Percentage: 10, Interval: 5}, Config{Type: AllAtOnce}
	for _, tt := range []struct {
		a    AppSpec
		cfg  *Config
		want string
	}{
		{awsExample, &canary, ""},
		{AppSpec{Name: "f", Alias: "a", CurrentVersion: "2", TargetVersion: "2"}, &canary, "TargetVersion: equals CurrentVersion (2)"},
		{AppSpec{Name: "f", Alias: "a", CurrentVersion: "2", TargetVersion: "2"}, &all, ""},
		{AppSpec{Name: "f", Alias: "a", CurrentVersion: "$LATEST", TargetVersion: "02"}, nil, `CurrentVersion: "$LATEST" is not a published version number`},
		{AppSpec{Alias: "a", CurrentVersion: "1", TargetVersion: "2"}, nil, "Name: missing"},
	} {
		err := tt.a.Validate(tt.cfg)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: %v, want %q", tt.a, err, tt.want)
		}
	}
}

// The revision carries the content's exact bytes and their hex SHA-256.
func TestRevision(t *testing.T) {
	content := awsExample.YAML()
	var back Revision
	if err := json.Unmarshal(NewRevision(content).JSON(), &back); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if back.RevisionType != "AppSpecContent" || back.AppSpecContent.Content != string(content) || back.AppSpecContent.Sha256 != hex.EncodeToString(sum[:]) {
		t.Errorf("%+v", back)
	}
}
