// Package scenarios holds shiftsim's built-in scenarios: commented YAML
// files, each teaching one thing about traffic shifting (see the comment at
// the top of each file). They are embedded so the binary carries them.
package scenarios

import "embed"

// FS holds every built-in scenario file, by base name.
//
//go:embed *.yaml
var FS embed.FS
