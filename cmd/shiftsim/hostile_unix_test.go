//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// specialFiles are the files no command may read: a FIFO (would block),
// /dev/zero (endless), a directory; each given where a scenario, template,
// alarm file, recording or journal is expected.
func specialFiles(t *testing.T, dir string) []hostileCase {
	t.Helper()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	var cases []hostileCase
	for _, f := range []string{"fifo.yaml", "/dev/zero", "dir.yaml"} {
		want := "regular file"
		for _, args := range [][]string{
			{"validate", f}, {"run", f}, {"compare", f}, {"sweep", "--vary", "seed=1,2", f},
			{"import", "sam", f}, {"import", "alarms", f}, {"import", "appspec", f}, {"import", "deployment-config", f},
			{"trace", "inspect", f}, {"deploy", "--resume", "--journal", f}, {"appspec", f},
		} {
			cases = append(cases, hostileCase{name: "special " + f, args: args, wants: []string{want}, file: f})
		}
	}
	cases = append(cases,
		hostileCase{name: "passwd scenario", args: []string{"validate", "/etc/passwd"}, file: "/etc/passwd", wants: []string{"mapping"}},
		hostileCase{name: "passwd alarms", args: []string{"import", "alarms", "/etc/passwd"}, file: "/etc/passwd", wants: []string{"describe-alarms"}},
		hostileCase{name: "passwd trace", args: []string{"trace", "inspect", "/etc/passwd"}, file: "/etc/passwd", wants: []string{"format"}},
	)
	return cases
}
