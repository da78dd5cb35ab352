package yamlx

import (
	"fmt"
	"strings"

	"github.com/shiftsim/shiftsim/internal/suggest"
)

// maxListed is how many valid keys an "unknown field" message lists when no key
// is close; past it the list is noise.
const maxListed = 12

// advise returns advice for an unknown key among the valid names (in
// declaration order), or "" when there is nothing useful to say.
func advise(key string, names []string) string {
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
		d := suggest.Distance(lk, strings.ToLower(n))
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
