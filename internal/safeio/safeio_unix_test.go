//go:build unix

package safeio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO, a device and a directory are refused at once (the FIFO has no
// writer: a blocking open would hang this test forever).
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, kind string }{{fifo, "a FIFO"}, {"/dev/zero", "a character device"}, {dir, "a directory"}} {
		_, err := ReadFile(c.path, MaxDocument)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), c.kind) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: %v, want ErrNotRegular naming %s", c.path, err, c.kind)
		}
		f, err := OpenFile(c.path, os.O_RDWR|os.O_CREATE, 0o644)
		if err == nil {
			f.Close()
			t.Errorf("%s: opened for writing", c.path)
		}
	}
}
