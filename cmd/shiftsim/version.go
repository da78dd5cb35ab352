package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

func init() {
	register("version", "print the version, VCS revision and Go version shiftsim was built from", cmdVersion)
}

// readBuildInfo is runtime/debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// versionLine says what this binary was built from: the module version
// ("(devel)" for a build from a source tree; a tag or pseudo-version for
// `go install ...@version`), the VCS revision and time when the build
// recorded them (a build inside a git checkout does), and the Go toolchain.
func versionLine() string {
	version, rev, when, dirty := "(devel)", "", "", false
	if bi, ok := readBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "shiftsim %s", version)
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(&b, ", revision %s", rev)
		if when != "" {
			fmt.Fprintf(&b, " (%s)", when)
		}
		if dirty {
			b.WriteString(" with local changes")
		}
	}
	fmt.Fprintf(&b, ", %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return b.String()
}

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", "Prints the module version (a tag, a pseudo-version, or (devel) for a build from a source tree), the\nVCS revision and commit time when the build recorded them, and the Go version. Same as --version.", stdout)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return inputErrf("version takes no arguments")
	}
	fmt.Fprintln(stdout, versionLine())
	return nil
}
