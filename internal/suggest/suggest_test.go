package suggest

import (
	"slices"
	"testing"
)

// Distances worked by hand: the classic kitten/sitting (3), a transposition
// costs one (optimal string alignment), runes not bytes.
func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2},
		{"Minute", "Minutes", 1}, {"statistic", "statsitic", 1}, {"ab", "ba", 1}, {"ça", "ca", 1}, {"héllo", "hello", 1},
		// OSA, not Damerau: "ca" → "abc" cannot edit a transposed pair again.
		{"ca", "abc", 3},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"Linear10PercentEvery1Minute", "Linear10PercentEvery2Minutes", "Canary10Percent5Minutes", "AllAtOnce"}
	for _, tt := range []struct {
		s     string
		limit int
		want  []string
	}{
		// Same distance to both linear names: the longer shared prefix wins.
		{"Linear10PercentEvery1Minutes", 3, []string{"Linear10PercentEvery1Minute"}},
		{"allatonce", 3, []string{"AllAtOnce"}},
		{"Canary10Percent5Minute", 3, []string{"Canary10Percent5Minutes"}},
		{"Blue", 3, nil},
		{"AllAtOnce", 0, nil},
	} {
		if got := Closest(tt.s, names, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("Closest(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
	if got := One("recomend", []string{"run", "recommend", "record"}); got != "recommend" {
		t.Errorf("One = %q", got)
	}
	if got := One("zzz", []string{"run"}); got != "" {
		t.Errorf("One far = %q", got)
	}
}

func TestOrList(t *testing.T) {
	for n, want := range []string{"", "a", "a or b", "a, b or c"} {
		if got := OrList([]string{"a", "b", "c"}[:n]); got != want {
			t.Errorf("OrList(%d) = %q, want %q", n, got, want)
		}
	}
}
