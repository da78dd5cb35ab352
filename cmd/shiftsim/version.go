package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/shiftsim/shiftsim/report"
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
	v := buildVersion()
	version, rev, when, dirty := v.Version, v.Revision, v.Time, v.Modified
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
	fmt.Fprintf(&b, ", %s %s", v.Go, v.Platform)
	return b.String()
}

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", "Prints the module version (a tag, a pseudo-version, or (devel) for a build from a source tree), the\nVCS revision and commit time when the build recorded them, and the Go version. Same as --version.", stdout)
	output := outputFlag(fs, "table", "json")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if len(fs.Args()) > 0 {
		return inputErrf("version takes no arguments")
	}
	if err := checkOutput(*output, "table", "json"); err != nil {
		return err
	}
	if *output == "json" {
		return report.JSON(stdout, buildVersion())
	}
	fmt.Fprintln(stdout, versionLine())
	return nil
}

// builtFrom is what the binary was built from (version --output json).
type builtFrom struct {
	Version  string `json:"version"`
	Revision string `json:"vcs_revision,omitempty"`
	Time     string `json:"vcs_time,omitempty"`
	Modified bool   `json:"vcs_modified"`
	Go       string `json:"go_version"`
	Platform string `json:"platform"`
}

func buildVersion() builtFrom {
	v := builtFrom{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := readBuildInfo(); ok {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	return v
}
