// Package suggest finds the known names closest to a mistyped one, for the
// "did you mean …?" part of error messages. It is the one edit distance of
// the tree: the YAML decoder, the strategy names, the importers and the
// command line all ask it.
package suggest

import (
	"sort"
	"strings"
)

// Distance is the optimal-string-alignment edit distance between a and b,
// counted in runes: insertions, deletions, substitutions and transpositions
// of two adjacent runes cost one each, so "Statsitic" is one edit from
// "Statistic".
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows suffice: a transposition looks two rows back.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Closest returns up to limit candidates closest to s, ignoring case: those
// within a third of the candidate's length (at least 2 edits) at the
// smallest distance found and, among them, sharing the longest prefix with
// s, since a typo is likelier at the end ("Every1Minutes" means Every1Minute
// rather than Every2Minutes, at the same distance). The result is in the
// candidates' order among equals; nil when nothing is close.
func Closest(s string, candidates []string, limit int) []string {
	type hit struct{ i, d, prefix int }
	var hits []hit
	ls := strings.ToLower(s)
	for i, c := range candidates {
		lc := strings.ToLower(c)
		if d := Distance(ls, lc); d <= max(2, len([]rune(c))/3) {
			hits = append(hits, hit{i, d, commonPrefix(ls, lc)})
		}
	}
	if len(hits) == 0 || limit < 1 {
		return nil
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].d != hits[b].d {
			return hits[a].d < hits[b].d
		}
		return hits[a].prefix > hits[b].prefix
	})
	var out []string
	for _, h := range hits {
		if h.d > hits[0].d || h.prefix < hits[0].prefix || len(out) == limit {
			break
		}
		if !contains(out, candidates[h.i]) {
			out = append(out, candidates[h.i])
		}
	}
	return out
}

// One is Closest with a limit of one: the best candidate, or "".
func One(s string, candidates []string) string {
	if c := Closest(s, candidates, 1); len(c) > 0 {
		return c[0]
	}
	return ""
}

// OrList renders ["a"] as a, ["a","b"] as "a or b", ["a","b","c"] as
// "a, b or c", for "did you mean a or b?".
func OrList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
