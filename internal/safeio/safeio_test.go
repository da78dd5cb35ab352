package safeio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Regular files are read whole up to the cap, and a file one byte over it
// is refused, not truncated.
func TestReadFileCap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 10); err != nil || string(b) != "0123456789" {
		t.Fatalf("at the cap: %q %v", b, err)
	}
	_, err := ReadFile(p, 9)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), p) {
		t.Fatalf("over the cap: %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v, want ErrNotExist", err)
	}
}

// OpenFile with O_CREATE creates a missing file; a symbolic link to a
// regular file is followed.
func TestCreateAndLink(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "journal")
	f, err := OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("x")
	f.Close()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(p, link); err != nil {
		t.Skip(err)
	}
	if b, err := ReadFile(link, 1); err != nil || string(b) != "x" {
		t.Errorf("through a link: %q %v", b, err)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("short"); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	big := strings.Repeat("x", 1<<20)
	got := Clip(big)
	if len(got) > MaxEcho+40 || !strings.HasSuffix(got, "... (1 MiB in all)") {
		t.Errorf("Clip(1 MiB) = %q", got)
	}
	// Multi-byte characters are not cut in the middle.
	got = Clip(strings.Repeat("é", 200))
	if !strings.HasPrefix(got, strings.Repeat("é", MaxEcho)+"...") {
		t.Errorf("Clip(é×200) = %q", got)
	}
	msg := ClipMessage("f.yaml:3: op: " + `"` + big + `"` + " is unknown\n" + strings.Repeat("line\n", 100) + "\xff")
	if len(msg) > 2000 || !strings.Contains(msg, "is unknown") || !strings.Contains(msg, "more lines") {
		t.Errorf("ClipMessage: %d bytes: %.300q", len(msg), msg)
	}
}

func FuzzClipMessage(f *testing.F) {
	f.Add("a b c")
	f.Add(strings.Repeat("x", 300) + "\n\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := ClipMessage(s)
		for _, l := range strings.Split(out, "\n") {
			for _, w := range strings.Split(l, " ") {
				if n := len([]rune(w)); n > MaxEcho+40 {
					t.Fatalf("a word of %d characters survived", n)
				}
			}
		}
	})
}
