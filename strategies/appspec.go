package strategies

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// AppSpec is a Lambda AppSpec: the function, its alias, the version the
// alias points at and the version to shift to, and the lifecycle hooks'
// functions (docs/appspec.md). It is the one renderer of the tree: `shiftsim
// appspec`, `export` and the CodeDeploy executor all send what YAML writes.
type AppSpec struct {
	// Resource is the resource's key in Resources (any name; AWS's example
	// uses myLambdaFunction); empty derives it from Name.
	Resource                              string
	Name, Alias                           string
	CurrentVersion, TargetVersion         string
	BeforeAllowTraffic, AfterAllowTraffic string // hook function names; empty for none
}

// The lifecycle events a Lambda AppSpec may hook, in the order CodeDeploy
// runs them (docs/appspec.md).
const (
	BeforeAllowTraffic = "BeforeAllowTraffic"
	AfterAllowTraffic  = "AfterAllowTraffic"
)

// Hooks lists the hooks that name a function, as [event, function] pairs
// in the order CodeDeploy runs them.
func (a AppSpec) Hooks() [][2]string {
	var out [][2]string
	if a.BeforeAllowTraffic != "" {
		out = append(out, [2]string{BeforeAllowTraffic, a.BeforeAllowTraffic})
	}
	if a.AfterAllowTraffic != "" {
		out = append(out, [2]string{AfterAllowTraffic, a.AfterAllowTraffic})
	}
	return out
}

// resourceKey is Resource, or Name reduced to letters, digits, - and _
// (myLambdaFunction when nothing is left).
func (a AppSpec) resourceKey() string {
	if a.Resource != "" {
		return a.Resource
	}
	var b strings.Builder
	for _, r := range a.Name {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "myLambdaFunction"
	}
	return b.String()
}

// Validate checks what CodeDeploy checks before it shifts anything: every
// property set, versions positive integers (not $LATEST, not an alias), and
// CurrentVersion different from TargetVersion unless cfg is AllAtOnce
// (docs/appspec.md). cfg may be nil.
func (a AppSpec) Validate(cfg *Config) error {
	var errs []string
	for _, f := range []struct{ name, v string }{{"Name", a.Name}, {"Alias", a.Alias}, {"CurrentVersion", a.CurrentVersion}, {"TargetVersion", a.TargetVersion}} {
		if f.v == "" {
			errs = append(errs, f.name+": missing (CodeDeploy requires it)")
		}
	}
	for _, f := range []struct{ name, v string }{{"CurrentVersion", a.CurrentVersion}, {"TargetVersion", a.TargetVersion}} {
		if f.v != "" && !PublishedVersion(f.v) {
			errs = append(errs, fmt.Sprintf("%s: %q is not a published version number (a positive integer; not $LATEST or an alias)", f.name, f.v))
		}
	}
	if a.CurrentVersion != "" && a.CurrentVersion == a.TargetVersion && (cfg == nil || cfg.Type != AllAtOnce) {
		errs = append(errs, fmt.Sprintf("TargetVersion: equals CurrentVersion (%s): CodeDeploy rejects that for a canary or linear configuration (only AllAtOnce accepts it)", a.CurrentVersion))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// PublishedVersion reports whether s is a published Lambda version number:
// a positive decimal integer without sign or leading zero.
func PublishedVersion(s string) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n > 0 && strconv.FormatUint(n, 10) == s
}

// YAML renders the AppSpec byte for byte as AWS's Lambda example does
// (CD-UG:reference-appspec-file-example): version 0.0, PascalCase keys,
// two-space indents, every value double-quoted.
func (a AppSpec) YAML() []byte {
	var b bytes.Buffer
	q := strconv.Quote // a Go quoted UTF-8 string is a YAML double-quoted scalar
	fmt.Fprintf(&b, "version: 0.0\nResources:\n  - %s:\n      Type: AWS::Lambda::Function\n      Properties:\n", yamlKey(a.resourceKey()))
	fmt.Fprintf(&b, "        Name: %s\n        Alias: %s\n        CurrentVersion: %s\n        TargetVersion: %s\n",
		q(a.Name), q(a.Alias), q(a.CurrentVersion), q(a.TargetVersion))
	if hs := a.Hooks(); len(hs) > 0 {
		b.WriteString("Hooks:\n")
		for _, h := range hs {
			fmt.Fprintf(&b, "  - %s: %s\n", h[0], q(h[1]))
		}
	}
	return b.Bytes()
}

// yamlKey writes k plain when YAML reads it back as that string, else quoted.
func yamlKey(k string) string {
	plain := k != ""
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r == '-' || r >= '0' && r <= '9')) {
			plain = false
		}
	}
	switch strings.ToLower(k) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		plain = false
	}
	if plain {
		return k
	}
	return strconv.Quote(k)
}

// JSON renders the AppSpec in AWS's JSON form ("version": 0.0, keys in the
// example's order).
func (a AppSpec) JSON() []byte {
	type props struct {
		Name, Alias, CurrentVersion, TargetVersion string
	}
	type res struct {
		Type       string
		Properties props
	}
	doc := struct {
		Version   json.RawMessage     `json:"version"`
		Resources []map[string]res    `json:"Resources"`
		Hooks     []map[string]string `json:"Hooks,omitempty"`
	}{
		Version:   json.RawMessage("0.0"),
		Resources: []map[string]res{{a.resourceKey(): {Type: "AWS::Lambda::Function", Properties: props{a.Name, a.Alias, a.CurrentVersion, a.TargetVersion}}}},
	}
	for _, h := range a.Hooks() {
		doc.Hooks = append(doc.Hooks, map[string]string{h[0]: h[1]})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(err) // strings and a raw number always encode
	}
	return b.Bytes()
}

// Revision is CreateDeployment's revision for inline AppSpec content, in
// the API's wire names: {"revisionType": "AppSpecContent", "appSpecContent":
// {"content", "sha256"}}, sha256 the hex SHA-256 of content's exact bytes
// (docs/appspec.md).
type Revision struct {
	RevisionType   string `json:"revisionType"`
	AppSpecContent struct {
		Content string `json:"content"`
		Sha256  string `json:"sha256"`
	} `json:"appSpecContent"`
}

// NewRevision wraps AppSpec content as a revision.
func NewRevision(content []byte) Revision {
	var r Revision
	r.RevisionType = "AppSpecContent"
	sum := sha256.Sum256(content)
	r.AppSpecContent.Content = string(content)
	r.AppSpecContent.Sha256 = hex.EncodeToString(sum[:])
	return r
}

// JSON renders the revision on one line, as the CLI's --revision takes it.
func (r Revision) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
