package safeio

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxEcho is how many characters of a value a message may echo.
const MaxEcho = 100

// Clip returns s cut to MaxEcho characters, saying how long it was, so
// that a value echoed in a message stays readable whatever its size.
func Clip(s string) string {
	if len(s) <= MaxEcho {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxEcho {
			return s[:i] + fmt.Sprintf("... (%s in all)", Size(int64(len(s))))
		}
		n++
	}
	return s
}

// Quote is strconv.Quote of Clip(s).
func Quote(s string) string { return fmt.Sprintf("%q", Clip(s)) }

// MaxMessageLines is how many lines ClipMessage keeps.
const MaxMessageLines = 40

// ClipMessage is the last guard before an error reaches the terminal: every
// run of more than MaxEcho characters without a space is clipped, invalid
// UTF-8 is replaced, and at most MaxMessageLines lines are kept. Messages
// should clip their values where they quote them; this catches the ones
// that did not.
func ClipMessage(msg string) string {
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "\uFFFD")
	}
	lines := strings.Split(msg, "\n")
	if len(lines) > MaxMessageLines {
		more := len(lines) - MaxMessageLines
		lines = append(lines[:MaxMessageLines], fmt.Sprintf("... (%d more lines)", more))
	}
	for i, l := range lines {
		if len(l) <= MaxEcho {
			continue
		}
		words := strings.Split(l, " ")
		for j, w := range words {
			words[j] = Clip(w)
		}
		lines[i] = strings.Join(words, " ")
	}
	return strings.Join(lines, "\n")
}
