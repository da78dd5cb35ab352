package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Terminal is a writer to a terminal Width columns wide. A table written to
// it fits that width unless Wide: its headers wrap onto several lines, and
// when that is not enough the columns a reader needs least are left out,
// with a note naming them. Color allows ANSI colours and bold headers
// (the command decides: a terminal, NO_COLOR unset). Any other writer (a
// pipe, a file) gets every table whole and plain (docs/cli.md).
type Terminal struct {
	io.Writer
	Width int
	Wide  bool
	Color bool
	col   int // the column the next byte lands in
}

// ANSI SGR codes used for cells.
const (
	colorRed   = "31"
	colorGreen = "32"
	colorBold  = "1"
)

// statusColor colours a deployment status: red for a deployment that did
// not succeed, green for one that did.
func statusColor(cell string) string {
	cell, _, _ = strings.Cut(cell, " (") // "Stopped (AppConfig: ROLLED_BACK)"
	switch cell {
	case "Succeeded":
		return colorGreen
	case "Stopped", "Failed":
		return colorRed
	}
	return ""
}

// text writes the grid as aligned text: through tabwriter, as always, to
// anything but a Terminal; fitted and perhaps coloured to a Terminal.
func (g *grid) text(w io.Writer) error {
	t, ok := w.(*Terminal)
	if !ok {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(g.head, "\t")+"\t")
		for _, r := range g.rows {
			fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
		}
		return tw.Flush()
	}
	return g.fit(t)
}

const gap = 2 // spaces between columns

func width(s string) int { return utf8.RuneCountInString(s) }

// wrapWords breaks s at spaces into lines of at most n runes (a longer
// word stands alone on its line).
func wrapWords(s string, n int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case width(cur)+1+width(w) <= n:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	return append(lines, cur)
}

func (g *grid) fit(t *Terminal) error {
	n := len(g.head)
	cellW := make([]int, n) // widest cell of each column
	wordW := make([]int, n) // longest word of each header
	headW := make([]int, n) // each header on one line
	for i, h := range g.head {
		headW[i] = width(h)
		for _, word := range strings.Fields(h) {
			wordW[i] = max(wordW[i], width(word))
		}
	}
	partW := make([]int, n) // widest cell part when cells break before " ["
	for _, r := range g.rows {
		for i, c := range r {
			if i < n {
				cellW[i] = max(cellW[i], width(c))
				for _, part := range cellParts(c) {
					partW[i] = max(partW[i], width(part))
				}
			}
		}
	}
	colW := make([]int, n)
	keep := make([]bool, n)
	total := func() int {
		s := 0
		for i := range colW {
			if keep[i] {
				s += colW[i] + gap
			}
		}
		return s - gap
	}
	for i := range colW {
		colW[i], keep[i] = max(cellW[i], headW[i]), true
	}
	var dropped []string
	broken := false
	if !t.Wide && t.Width > 0 && total() > t.Width {
		// First wrap the headers over their cells' width, and break
		// "value [low, high]" cells before the interval...
		for i := range colW {
			colW[i] = max(cellW[i], wordW[i])
		}
		if total() > t.Width {
			broken = true
			for i := range colW {
				colW[i] = max(partW[i], wordW[i])
			}
		}
		// ...then leave out columns, least needed first.
		order := g.drop
		if order == nil {
			for i := n - 1; i > 0; i-- {
				order = append(order, i)
			}
		}
		for _, i := range order {
			if total() <= t.Width {
				break
			}
			keep[i] = false
			dropped = append(dropped, g.head[i])
		}
	}
	heads := make([][]string, n)
	lines := 1
	for i, h := range g.head {
		heads[i] = wrapWords(h, colW[i])
		lines = max(lines, len(heads[i]))
	}
	var b strings.Builder
	row := func(cells func(i int) string, color func(i int, c string) string) {
		var line strings.Builder
		for i := range colW {
			if !keep[i] {
				continue
			}
			c := cells(i)
			pad := colW[i] - width(c) + gap
			if code := color(i, c); code != "" && t.Color {
				c = "\x1b[" + code + "m" + c + "\x1b[0m"
			}
			line.WriteString(c + strings.Repeat(" ", max(pad, 0)))
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	for l := 0; l < lines; l++ {
		// Wrapped headers align at the bottom, over their cells.
		row(func(i int) string {
			if k := l - (lines - len(heads[i])); k >= 0 {
				return heads[i][k]
			}
			return ""
		}, func(int, string) string { return colorBold })
	}
	for _, r := range g.rows {
		parts := make([][]string, len(r))
		h := 1
		for i, c := range r {
			parts[i] = []string{c}
			if broken && i < n && keep[i] && width(c) > colW[i] {
				parts[i] = cellParts(c)
			}
			h = max(h, len(parts[i]))
		}
		for l := 0; l < h; l++ {
			row(func(i int) string {
				if i < len(parts) && l < len(parts[i]) {
					return parts[i][l]
				}
				return ""
			}, func(i int, c string) string {
				if g.color != nil {
					return g.color(i, c)
				}
				return ""
			})
		}
	}
	if len(dropped) > 0 {
		note := fmt.Sprintf("(%d column%s left out to fit %d columns: %s; --wide shows every column, as do -o csv and -o json)",
			len(dropped), plural(len(dropped)), t.Width, strings.Join(dropped, ", "))
		for _, l := range wrapWords(note, t.Width) {
			b.WriteString(l + "\n")
		}
	}
	_, err := io.WriteString(t, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// cellParts breaks "value [low, high]" before its interval.
func cellParts(c string) []string {
	if i := strings.Index(c, " ["); i > 0 {
		return []string{c[:i], c[i+1:]}
	}
	return []string{c}
}

// Write passes p on, breaking at spaces any line longer than the terminal
// (unless Wide), so prose fits as the tables do instead of being cut
// mid-word by the terminal. col tracks the column across writes.
func (t *Terminal) Write(p []byte) (int, error) {
	if t.Wide || t.Width <= 0 {
		return t.Writer.Write(p)
	}
	var b strings.Builder
	s := string(p)
	for len(s) > 0 {
		line, rest, nl := strings.Cut(s, "\n")
		for i, word := range strings.Split(line, " ") {
			w := visibleWidth(word)
			if i > 0 {
				if t.col > 0 && t.col+1+w > t.Width {
					b.WriteString("\n")
					t.col = 0
				} else {
					b.WriteString(" ")
					t.col++
				}
			}
			b.WriteString(word)
			t.col += w
		}
		if nl {
			b.WriteString("\n")
			t.col = 0
		}
		s = rest
	}
	if _, err := io.WriteString(t.Writer, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// visibleWidth is the width of s on a terminal: ANSI colour codes take none.
func visibleWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			j := strings.IndexByte(s[i:], 'm')
			if j > 0 {
				i += j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}
