package strategies

import (
	"sort"
	"strings"
)

// suggest returns up to limit candidates closest to s by Levenshtein distance,
// ignoring case: those within a third of the candidate's length (at least 2
// edits) at the smallest distance found and, among them, sharing the longest
// prefix with s, since a typo is likelier at the end ("Every1Minutes" means
// Every1Minute rather than Every2Minutes, at the same distance).
func suggest(s string, candidates []string, limit int) []string {
	type hit struct{ i, d, prefix int }
	var hits []hit
	ls := strings.ToLower(s)
	for i, c := range candidates {
		d := levenshtein(ls, strings.ToLower(c))
		if d <= max(2, len(c)/3) {
			hits = append(hits, hit{i, d, commonPrefix(ls, strings.ToLower(c))})
		}
	}
	if len(hits) == 0 {
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
		out = append(out, candidates[h.i])
	}
	return out
}

// levenshtein is the edit distance between a and b counted in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
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
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
