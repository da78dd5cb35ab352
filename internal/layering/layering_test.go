package layering

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/shiftsim/shiftsim/"

// rule is what one package of the module may import (its non-test files;
// tests may import whatever they check against). docs/architecture.md
// explains each row.
type rule struct {
	// own lists the module's packages it may import, by path below the module.
	own []string
	// external lists the path prefixes allowed beyond the standard library.
	external []string
	// banned lists standard-library packages (and their subpackages) it must
	// not import: pure packages do no I/O and start no goroutines.
	banned []string
	// why is the reason, printed when the rule is broken.
	why string
}

var (
	gonum = []string{"gonum.org/v1/gonum/"}
	noIO  = []string{"os", "io", "net", "syscall", "os/exec"}
	// pure packages also start no goroutines and draw no random numbers.
	pureSet = []string{"os", "io", "net", "syscall", "os/exec", "sync", "math/rand", "crypto/rand"}
	core    = []string{"gate", "strategies", "faults", "traffic", "alarm", "analysis", "deploy", "sim"}
)

// rules is the one table of the import layering. A package missing from it
// fails the test: a new package takes its place in the layers on purpose.
var rules = map[string]rule{
	// Leaves: data and pure functions, the standard library only.
	"gate":              {banned: pureSet, why: "what a metric gate measures is data: a leaf that does no I/O"},
	"strategies":        {own: []string{"internal/suggest", "gate", "internal/limits", "analysis"}, banned: noIO, why: "deployment configurations are data: a leaf (beside gate, the data of what a plan measures, and analysis, whose Flagger spec a Flagger plan is) that does no I/O"},
	"faults":            {banned: pureSet, why: "the fault catalogue is data: a leaf that does no I/O"},
	"internal/suggest":  {why: "the did-you-mean helper is a leaf"},
	"internal/limits":   {banned: noIO, why: "the table of bounds is data"},
	"internal/safeio":   {why: "safe file reading is a leaf every reader shares"},
	"internal/yamlx":    {own: []string{"internal/suggest"}, external: []string{"go.yaml.in/yaml/v3"}, banned: []string{"os", "net"}, why: "the strict YAML decoder reads bytes it is given"},
	"internal/layering": {why: "the layering test's own package holds no code"},
	"internal/batchjob": {banned: noIO, why: "Kubernetes and AWS Batch job definitions are plain values, written by the CLI"},
	"analysis":          {external: gonum, banned: noIO, why: "Argo/Flagger gate replays and the sequential tests are pure functions of their inputs"},
	"judge":             {external: gonum, banned: noIO, why: "the canary judge is pure statistics"},

	// The core model: pure, deterministic, never a scenario file, a report,
	// the CLI or AWS.
	"traffic": {own: []string{"internal/safeio"}, external: gonum, banned: []string{"net", "os/exec"},
		why: "request sources read recordings through safeio and nothing else"},
	"alarm": {external: gonum, banned: append([]string{"time"}, pureSet...),
		why: "the CloudWatch evaluator is a pure function: no clock, no I/O, no shared state"},
	"deploy": {own: []string{"strategies", "gate", "analysis"}, banned: pureSet,
		why: "the CodeDeploy controller is pure: stepped with events, it never does I/O or starts goroutines; it judges gates with analysis's rules"},
	"sim": {own: []string{"gate", "strategies", "faults", "traffic", "alarm", "deploy", "analysis", "judge"}, external: gonum, banned: []string{"os", "net", "syscall", "os/exec"},
		why: "the engine runs the core packages on a virtual clock and reads no file"},
	"sweep": {own: []string{"sim", "strategies"}, external: gonum, banned: []string{"os", "net", "syscall", "os/exec"},
		why: "replications, frontier and recommendation depend on the model and the seed alone"},
	"power": {own: []string{"strategies", "faults", "alarm", "deploy", "sim", "sweep"}, external: gonum, banned: []string{"os", "net", "syscall", "os/exec"},
		why: "detection power is computed from the model alone"},

	// Edges: files in, text out, AWS.
	"scenario": {own: append([]string{"internal/limits", "internal/safeio", "internal/suggest", "internal/yamlx"}, core...), external: []string{"go.yaml.in/yaml/v3"}, banned: []string{"net", "os/exec"},
		why: "the loader turns files into the core's values; it knows no report, sweep, AWS or CLI"},
	"scenarios": {banned: []string{"os", "net"}, why: "the built-in scenarios are embedded files"},
	"importer": {own: []string{"scenario", "strategies", "internal/suggest", "internal/yamlx"}, external: []string{"go.yaml.in/yaml/v3"}, banned: []string{"net", "os/exec", "os"},
		why: "importers turn the text they are given into scenarios offline: no network, no AWS"},
	"replay": {own: []string{"internal/safeio", "faults", "traffic", "sim"}, banned: []string{"net", "os/exec"},
		why: "a recorded deployment window becomes a model: it reads the recording through safeio, and knows no scenario, report or AWS"},
	"report": {own: append([]string{"sweep", "power"}, core...), external: []string{"gonum.org/v1/plot"},
		banned: []string{"net", "os/exec"}, why: "reports print results and compute no metric: no scenario, AWS or CLI"},
	"awsexec": {own: []string{"deploy", "strategies", "gate", "analysis", "internal/safeio"}, external: []string{"github.com/aws/"},
		why: "the AWS backend drives the controller with plans; it never reaches the simulator, the loader, the reports or the CLI"},
	"internal/awsfake": {external: []string{"github.com/aws/", "go.yaml.in/yaml/v3"},
		why: "the fake AWS server speaks the wire protocols and knows none of shiftsim's packages"},
	"cmd/shiftsim": {own: []string{"*"}, external: []string{"*"}, why: "the CLI wires everything"},
}

// wallClock are the packages that may read the wall clock or sleep: the
// real-AWS executor, the CLI and the fake AWS server. Everything else runs
// on virtual time, so that a seed reproduces a run.
var wallClock = []string{"awsexec", "cmd/shiftsim", "internal/awsfake"}

// clockFuncs are the package time functions that read the wall clock.
var clockFuncs = map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true}

// seededRand are the names of math/rand(/v2) usable without global state:
// generators are built from a seed and passed around.
var seededRand = map[string]bool{"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
	"NewSource": true, "Rand": true, "Source": true, "PCG": true, "ChaCha8": true, "Zipf": true}

type pkg struct {
	rel   string // path below the module, "." for its root
	dir   string
	build *build.Package
}

// packages lists the module's packages with non-test Go files.
func packages(t *testing.T) []pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from internal/layering: %v", err)
	}
	var out []pkg
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		bp, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, pkg{rel: filepath.ToSlash(rel), dir: path, build: bp})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isStd(imp string) bool { return !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") }

func under(imp string, roots []string) bool {
	for _, r := range roots {
		if imp == r || strings.HasPrefix(imp, r+"/") {
			return true
		}
	}
	return false
}

// TestLayering checks every package's imports against rules.
func TestLayering(t *testing.T) {
	pkgs := packages(t)
	if len(pkgs) < 15 {
		t.Fatalf("found %d packages: the walk of the module went wrong", len(pkgs))
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.rel] = true
		r, ok := rules[p.rel]
		if !ok {
			t.Errorf("%s: not in the layering table: add a row to rules in internal/layering and to docs/architecture.md", p.rel)
			continue
		}
		for _, imp := range p.build.Imports {
			if msg := r.check(imp); msg != "" {
				t.Errorf("%s imports %s: %s (%s)", p.rel, imp, msg, r.why)
			}
		}
	}
	var stale []string
	for name := range rules {
		if !seen[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	for _, name := range stale {
		t.Errorf("rules has a row for %s, which is not a package of the module", name)
	}
}

func (r rule) check(imp string) string {
	if slices.Contains(r.own, "*") && (isStd(imp) || strings.HasPrefix(imp, module) || slices.Contains(r.external, "*")) {
		return ""
	}
	switch {
	case strings.HasPrefix(imp, module):
		own := strings.TrimPrefix(imp, module)
		if !slices.Contains(r.own, own) {
			if len(r.own) == 0 {
				return "no package of the module allowed"
			}
			return "allowed from the module: " + strings.Join(r.own, ", ")
		}
	case isStd(imp):
		if under(imp, r.banned) {
			return "banned: " + strings.Join(r.banned, ", ")
		}
	default:
		for _, e := range r.external {
			if strings.HasPrefix(imp, e) || imp == strings.TrimSuffix(e, "/") {
				return ""
			}
		}
		if len(r.external) == 0 {
			return "only the standard library beyond the module"
		}
		return "allowed beyond the standard library: " + strings.Join(r.external, ", ")
	}
	return ""
}

// TestRuleCheck holds the checker itself to a few cases, so that a rule
// that accepts everything cannot pass unnoticed.
func TestRuleCheck(t *testing.T) {
	cases := []struct {
		pkg, imp string
		ok       bool
	}{
		{"deploy", module + "strategies", true},
		{"deploy", module + "sim", false},
		{"deploy", "os", false},
		{"deploy", "sync/atomic", false},
		{"deploy", "strconv", true},
		{"deploy", "github.com/aws/aws-sdk-go-v2/aws", false},
		{"sim", module + "scenario", false},
		{"sim", module + "report", false},
		{"sim", "gonum.org/v1/gonum/stat/distuv", true},
		{"alarm", "time", false},
		{"strategies", "gonum.org/v1/gonum/stat", false},
		{"scenario", module + "report", false},
		{"scenario", module + "awsexec", false},
		{"report", module + "scenario", false},
		{"report", "gonum.org/v1/plot/vg", true},
		{"awsexec", module + "sim", false},
		{"awsexec", "github.com/aws/aws-sdk-go-v2/service/lambda", true},
		{"importer", "net/http", false},
		{"importer", module + "awsexec", false},
		{"cmd/shiftsim", module + "awsexec", true},
		{"cmd/shiftsim", "github.com/spf13/pflag", true},
	}
	for _, c := range cases {
		got := rules[c.pkg].check(c.imp) == ""
		if got != c.ok {
			t.Errorf("%s importing %s: allowed = %v, want %v", c.pkg, c.imp, got, c.ok)
		}
	}
}

// TestNoWallClockNoGlobalRand checks the non-test files of every package:
// only the packages of wallClock call time.Now, time.Sleep and the like, and
// no package uses math/rand's global generator (its top-level functions).
func TestNoWallClockNoGlobalRand(t *testing.T) {
	fset := token.NewFileSet()
	for _, p := range packages(t) {
		mayClock := slices.Contains(wallClock, p.rel)
		for _, name := range p.build.GoFiles {
			path := filepath.Join(p.dir, name)
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			local := map[string]string{} // local name -> import path
			for _, is := range f.Imports {
				ip, _ := strconv.Unquote(is.Path.Value)
				n := ip[strings.LastIndex(ip, "/")+1:]
				if ip == "math/rand/v2" {
					n = "rand"
				}
				if is.Name != nil {
					n = is.Name.Name
				}
				local[n] = ip
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				id, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				pos := fset.Position(sel.Pos())
				switch local[id.Name] {
				case "time":
					if !mayClock && clockFuncs[sel.Sel.Name] {
						t.Errorf("%s/%s:%d: time.%s: only %s read the wall clock; the rest runs on virtual time",
							p.rel, name, pos.Line, sel.Sel.Name, strings.Join(wallClock, ", "))
					}
				case "math/rand", "math/rand/v2":
					if !seededRand[sel.Sel.Name] {
						t.Errorf("%s/%s:%d: rand.%s uses the global generator: draw from a seeded *rand.Rand",
							p.rel, name, pos.Line, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}
