// Package scenarios holds shiftsim's built-in scenarios: commented YAML
// files, each teaching one thing about traffic shifting (see the comment at
// the top of each file), and the recordings some of them replay (data/).
// They are embedded so the binary carries them: a built-in scenario runs
// from any directory, and from a `go install` build that has no source tree.
package scenarios

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// FS holds every built-in scenario file, by base name, and under data/ the
// recordings they replay.
//
//go:embed *.yaml data
var FS embed.FS

// Dir is the folder the scenarios live in within the source tree.
const Dir = "scenarios"

// Tree is FS seen from the repository's root: "scenarios/bad-canary.yaml",
// "scenarios/data/...". A scenario loaded from it is named in messages as it
// is in the source tree, and its recordings resolve inside the binary.
var Tree fs.FS = under{Dir, FS}

// Names lists the built-in scenarios by name ("bad-canary"), sorted.
func Names() []string {
	files, _ := fs.Glob(FS, "*.yaml")
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(f, ".yaml")
	}
	sort.Strings(names)
	return names
}

// Path returns the path in Tree of the built-in scenario that name means:
// "bad-canary", "bad-canary.yaml" or "scenarios/bad-canary.yaml" (the
// README's spelling, so it works outside the source tree too).
func Path(name string) (string, bool) {
	base := strings.TrimPrefix(strings.ReplaceAll(name, `\`, "/"), Dir+"/")
	base = strings.TrimSuffix(base, ".yaml")
	if base == "" || strings.ContainsAny(base, "/*?[") {
		return "", false
	}
	if _, err := fs.Stat(FS, base+".yaml"); err != nil {
		return "", false
	}
	return Dir + "/" + base + ".yaml", true
}

// under shows fsys as the folder dir.
type under struct {
	dir  string
	fsys fs.FS
}

func (u under) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == u.dir {
		return u.fsys.Open(".")
	}
	if rest, ok := strings.CutPrefix(name, u.dir+"/"); ok {
		return u.fsys.Open(rest)
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
