// Package safeio reads the files a user names (scenarios, templates,
// AppSpecs, alarm files, journals, recordings) so that no name can hang or
// exhaust shiftsim: only regular files are opened (a FIFO, a device such as
// /dev/zero, a socket or a directory is refused before it is read, and
// checked again after it is opened, so a file swapped in between is caught),
// and whole-file reads stop at a size cap with an error instead of eating
// memory. It also clips values echoed in messages, so a 1 MiB value comes
// back as a hundred characters.
//
// Why each cap has the size it has is in docs/limits.md.
package safeio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Size caps of whole-file reads (docs/limits.md). A scenario, template,
// AppSpec or alarm file is written or exported by a person: the largest
// real one we know of (a SAM template with many functions) is a few hundred
// KiB; AWS caps a CloudFormation template body at 1 MB (S3-hosted) so 4 MiB
// leaves room. A journal holds a few records per traffic shift.
const (
	MaxDocument = 4 << 20  // scenarios, SAM templates, AppSpecs, alarm and config files
	MaxJournal  = 16 << 20 // a deployment journal
	MaxPartial  = 1 << 30  // a partial result of compare --shard: one outcome per run
)

// ErrNotRegular is returned for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned when a file is larger than its cap.
var ErrTooLarge = errors.New("file too large")

// Open opens path for reading if it is a regular file (symbolic links are
// followed). A FIFO or device is never opened for reading in blocking mode:
// the file is checked with stat first, opened non-blocking, and checked
// again on the open descriptor.
func Open(path string) (*os.File, error) {
	return OpenFile(path, os.O_RDONLY, 0)
}

// OpenFile is os.OpenFile with Open's checks; with os.O_CREATE a missing
// file is created (as a regular file).
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil {
		if err := regular(path, fi); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) || flag&os.O_CREATE == 0 {
		return nil, err
	}
	f, err := os.OpenFile(path, flag|syscall.O_NONBLOCK, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = regular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// regular refuses anything but a regular file, saying what it is.
func regular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s): shiftsim reads only regular files", ErrNotRegular, kind(fi.Mode()))}
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.Type().String()
}

// ReadFile reads the regular file at path whole, refusing one larger than
// max bytes without reading past the cap.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, max)
}

// ReadAll reads r to its end, refusing more than max bytes; name is the
// file named in the error.
func ReadAll(r io.Reader, name string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: more than %s (the limit for this kind of file; see docs/limits.md)", ErrTooLarge, Size(max))}
	}
	return data, nil
}

// Size formats a byte count as people write it: 4 MiB, 512 KiB, 100 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
