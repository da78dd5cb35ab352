package scenario

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

// Setting gives the key at Path a value, as if the scenario file said so:
// Path names the key as the scenario's own messages do (traffic.rate,
// versions.target.error_rate, alarms[0].Threshold, monitoring.poll_phase)
// and Value is YAML text (100, 0.05, 30s, random).
type Setting struct{ Path, Value string }

// String is PATH=VALUE.
func (s Setting) String() string { return s.Path + "=" + s.Value }

// SettingError is a setting the scenario cannot take: an unknown key, or
// a value of the wrong type for its key. Err is the decoder's message, and
// Line the line of the scenario file where the key is written, or the
// mapping or list the file would hold it in (0 when it has neither).
type SettingError struct {
	Setting Setting
	File    string
	Line    int
	Err     *yamlx.Error
}

func (e *SettingError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s: %s: %v", e.Setting, where, e.Err)
}

func (e *SettingError) Unwrap() error { return e.Err }

// ParseWith is ParseFS with settings: the scenario is decoded, each setting
// is decoded into the decoded document (not its text) by the same strict
// decoder, and the result is validated as a whole. A setting the document
// cannot take is a *SettingError; a value that decodes but is out of
// bounds is reported, as any, at the key's line in the file.
func ParseWith(fsys fs.FS, file string, data []byte, settings ...Setting) (*Scenario, error) {
	return parseWith(fsys, file, data, settings)
}

// CheckSetting reports whether the scenario's document has a key at
// s.Path that takes s.Value, without validating the rest.
func CheckSetting(file string, data []byte, s Setting) error {
	var f File
	pos, err := yamlx.Decode(file, data, &f)
	if err != nil {
		return err
	}
	return set(&f, pos, file, s)
}

func set(f *File, pos *yamlx.Positions, file string, s Setting) error {
	if err := yamlx.Set(f, s.Path, s.Value); err != nil {
		var ye *yamlx.Error
		if !errors.As(err, &ye) {
			return err
		}
		e := &SettingError{Setting: s, File: file, Err: ye}
		// The line is where the key is written, or the mapping or list
		// that would hold it; a key under neither has none.
		if parent, ok := yamlx.Parent(ye.Path); pos.Has(ye.Path) || ok && parent != "" && pos.Has(parent) {
			e.Line = pos.Line(ye.Path)
		}
		return e
	}
	return nil
}
