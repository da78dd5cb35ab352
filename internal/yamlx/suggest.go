package yamlx

import (
	"fmt"
	"strings"
)

// maxListed is how many valid keys an "unknown field" message lists when no key
// is close; past it the list is noise.
const maxListed = 12

// suggest returns advice for an unknown key among the valid names (in
// declaration order), or "" when there is nothing useful to say.
func suggest(key string, names []string) string {
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return fmt.Sprintf("field names are case-sensitive: did you mean %s?", n)
		}
	}
	// alarm_name, alarm-name → AlarmName
	if nk := squash(key); nk != "" {
		for _, n := range names {
			if squash(n) == nk {
				return fmt.Sprintf("did you mean %s?", n)
			}
		}
	}
	best, bestD := "", -1
	lk := strings.ToLower(key)
	for _, n := range names {
		d := distance(lk, strings.ToLower(n))
		if bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" && bestD <= closeEnough(key, best) {
		return fmt.Sprintf("did you mean %s?", best)
	}
	if len(names) > 0 && len(names) <= maxListed {
		return "valid fields: " + strings.Join(names, ", ")
	}
	return ""
}

// closeEnough is the largest edit distance still worth suggesting: about one
// edit per three characters of the shorter word, at least one.
func closeEnough(a, b string) int {
	n := min(len([]rune(a)), len([]rune(b)))
	return max(1, n/3)
}

// squash lower-cases s and drops the separators people put between words.
func squash(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '_', '-', ' ', '.':
		default:
			b.WriteString(strings.ToLower(string(r)))
		}
	}
	return b.String()
}

// distance is the optimal-string-alignment edit distance between a and b:
// insertions, deletions, substitutions and adjacent transpositions cost one,
// so the common "Statsitic" typo is one edit from "Statistic".
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows suffice: the transposition looks two rows back.
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
