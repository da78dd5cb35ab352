package scenario

import (
	"bytes"
	"strings"
)

// Default is a value an importer guessed and marked "# DEFAULT: why" in the
// file: shiftsim's stand-in, not the user's number.
type Default struct {
	Line int    // 1-based
	Key  string // the YAML key on that line, e.g. "rate"; "" when the line has none
	Why  string // the comment after "DEFAULT:"
}

// Defaults lists the values still marked DEFAULT in a scenario's text, in
// file order, so that `validate` can say how many guesses are left. Only a
// comment that starts with "DEFAULT:" counts (the header's prose that
// mentions DEFAULT does not); a marker inside a quoted string is not a
// comment and is skipped.
func Defaults(data []byte) []Default {
	var out []Default
	for i, line := range bytes.Split(data, []byte("\n")) {
		c := commentStart(string(line))
		if c < 0 {
			continue
		}
		why, ok := strings.CutPrefix(strings.TrimSpace(string(line[c+1:])), "DEFAULT:")
		if !ok {
			continue
		}
		key := strings.TrimSpace(string(line[:c]))
		key = strings.TrimPrefix(key, "- ")
		if k, _, found := strings.Cut(key, ":"); found && !strings.ContainsAny(k, "{[") {
			key = strings.TrimSpace(k)
		} else {
			key = ""
		}
		out = append(out, Default{Line: i + 1, Key: key, Why: strings.TrimSpace(why)})
	}
	return out
}

// commentStart is the index of the '#' that starts a YAML comment on line,
// or -1: a '#' at the start or after a space, outside quotes.
func commentStart(line string) int {
	var quote byte
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote != 0:
			if ch == '\\' && quote == '"' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			if i == 0 || strings.ContainsRune(" :[{,-", rune(line[i-1])) {
				quote = ch
			}
		case ch == '#':
			if i == 0 || line[i-1] == ' ' || line[i-1] == '\t' {
				return i
			}
		}
	}
	return -1
}
