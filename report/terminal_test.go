package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func visible(s string) int { return width(ansi.ReplaceAllString(s, "")) }

// On a terminal a table fits its width: headers wrap, "x [lo, hi]" cells
// break before the interval, and the columns dropped (least needed first)
// are named in a note. --wide and any other writer get the table whole.
func TestTerminalFitsWidth(t *testing.T) {
	doc := many()
	var whole bytes.Buffer
	if err := TableRuns(&whole, doc); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{60, 80, 100, 132} {
		var b bytes.Buffer
		if err := TableRuns(&Terminal{Writer: &b, Width: w}, doc); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		table := out
		for _, l := range strings.Split(out, "\n") {
			if visible(l) > w {
				t.Errorf("width %d: line of %d columns: %q", w, visible(l), l)
			}
		}
		for _, s := range []string{"Canary10Percent5Minutes", "AllAtOnce", "90.00%", "87.6"} {
			if !strings.Contains(table, s) {
				t.Errorf("width %d: the table lost %q (the rollback probability and the target's failures stay):\n%s", w, s, table)
			}
		}
		if !strings.Contains(table, "left out to fit") || strings.Contains(table, "\x1b[") {
			t.Errorf("width %d: want a note on dropped columns and no colour:\n%s", w, table)
		}
	}
	var wide bytes.Buffer
	TableRuns(&Terminal{Writer: &wide, Width: 80, Wide: true}, doc)
	if strings.Contains(wide.String(), "left out") || !strings.Contains(wide.String(), "frontier") {
		t.Errorf("--wide dropped columns:\n%s", wide.String())
	}
	// Wide enough: nothing dropped, nothing broken.
	var roomy bytes.Buffer
	TableRuns(&Terminal{Writer: &roomy, Width: 1000}, doc)
	if strings.Contains(roomy.String(), "left out") || !strings.Contains(roomy.String(), "90.00% [69.90%, 97.21%]") {
		t.Errorf("a wide terminal changed the table:\n%s", roomy.String())
	}
}

// Colour only when the Terminal allows it: bold headers, statuses red or green.
func TestTerminalColour(t *testing.T) {
	var plain, col bytes.Buffer
	Table(&Terminal{Writer: &plain, Width: 200}, single())
	Table(&Terminal{Writer: &col, Width: 200, Color: true}, single())
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("colour without Color:\n%q", plain.String())
	}
	if !strings.Contains(col.String(), "\x1b[32mSucceeded\x1b[0m") || !strings.Contains(col.String(), "\x1b[31mStopped\x1b[0m") {
		t.Errorf("statuses not coloured:\n%q", col.String())
	}
	if ansi.ReplaceAllString(col.String(), "") != plain.String() {
		t.Errorf("colour changed the layout:\n%s\n%s", ansi.ReplaceAllString(col.String(), ""), plain.String())
	}
}

// Every column a people's table shows is defined for --help.
func TestEveryColumnDefined(t *testing.T) {
	defined := func(cols []Column) map[string]bool {
		m := map[string]bool{}
		for _, c := range cols {
			m[c.Name] = true
		}
		return m
	}
	singleDefs, runs := defined(SingleColumns), defined(RunsColumns)
	for _, h := range singleGrid(single()).head {
		if !singleDefs[h] {
			t.Errorf("single-run column %q is not in SingleColumns", h)
		}
	}
	doc := many()
	for _, healthy := range []bool{false, true} {
		doc.HealthyTarget = healthy
		for _, h := range runsGrid(doc).head {
			if !runs[h] {
				t.Errorf("runs column %q is not in RunsColumns", h)
			}
		}
	}
}

func TestEverySweptColumnDefined(t *testing.T) {
	defs := map[string]bool{}
	for _, c := range SweptColumns {
		defs[c.Name] = true
	}
	doc := Swept{Vary: []VaryValues{{Path: "traffic.rate", Values: []string{"10"}}}}
	for _, h := range sweptGrid(doc, false).head[1:] {
		if !defs[h] {
			t.Errorf("sweep column %q is not in SweptColumns", h)
		}
	}
}

func TestWrapWords(t *testing.T) {
	got := wrapWords("detected after p50 [p5, p95]", 14)
	want := []string{"detected after", "p50 [p5, p95]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapWords = %q, want %q", got, want)
	}
}

// The HTML report defines the columns its table shows.
func TestHTMLDefinesColumns(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, Page{Runs: ptr(many())}); err != nil {
		t.Fatal(err)
	}
	for _, c := range RunsColumns[:6] {
		if !strings.Contains(b.String(), "<dt>"+html.EscapeString(c.Name)+"</dt>") {
			t.Errorf("the page does not define %q", c.Name)
		}
	}
}

func ptr[T any](v T) *T { return &v }
