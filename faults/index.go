package faults

import (
	"slices"
	"sort"
	"time"
)

// Index answers Set.At and Set.AnyActive in logarithmic time in the
// number of faults, for sets of thousands (a replayed recording is one
// fault per version and minute, docs/replay.md): the instants where some
// fault starts or ends cut time into segments, and each segment lists the
// faults whose window covers it, in list order, so that they compose as
// Set.At composes them. Flaky and ramping faults are judged at the instant
// asked, as Set.At does.
//
// A set whose faults overlap so much that the lists would outgrow a few
// entries per fault is answered by scanning it, as Set.At does.
type Index struct {
	set   Set
	cuts  []time.Duration // ascending; segment i is [cuts[i], cuts[i+1]), the last one open
	first []int32         // segment i covers faults cover[first[i]:first[i+1]]
	cover []int32
}

// An index keeps at most coverPerFault entries per fault, and coverSlack
// more, in its lists.
const (
	coverPerFault = 8
	coverSlack    = 1 << 12
)

// Index builds s's index. s must not change while the index is used.
func (s Set) Index() *Index {
	x := &Index{set: s}
	if len(s) == 0 {
		return x
	}
	cuts := make([]time.Duration, 0, 2*len(s))
	for i := range s {
		cuts = append(cuts, s[i].Start)
		if s[i].End != 0 {
			cuts = append(cuts, s[i].End)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	// Count each segment's faults, then fill the lists in list order.
	count := make([]int32, len(cuts)+1)
	total := 0
	for i := range s {
		a, b := x.span(cuts, &s[i])
		for j := a; j < b; j++ {
			count[j+1]++
		}
		total += b - a
		if total > coverPerFault*len(s)+coverSlack {
			return x // too dense to index: scan
		}
	}
	for j := 1; j < len(count); j++ {
		count[j] += count[j-1]
	}
	x.cuts, x.first, x.cover = cuts, count, make([]int32, total)
	next := slices.Clone(count[:len(cuts)])
	for i := range s {
		a, b := x.span(cuts, &s[i])
		for j := a; j < b; j++ {
			x.cover[next[j]] = int32(i)
			next[j]++
		}
	}
	return x
}

// span is the segments [a, b) fault f's window covers.
func (x *Index) span(cuts []time.Duration, f *Fault) (a, b int) {
	a, _ = slices.BinarySearch(cuts, f.Start)
	b = len(cuts)
	if f.End != 0 {
		b, _ = slices.BinarySearch(cuts, f.End)
	}
	return a, b
}

// candidates returns the indices of the faults whose window may hold t, in
// list order, or all (nil, true) when the set is not indexed.
func (x *Index) candidates(t time.Duration) (ids []int32, all bool) {
	if x.cuts == nil {
		return nil, len(x.set) > 0
	}
	j := sort.Search(len(x.cuts), func(i int) bool { return x.cuts[i] > t }) - 1
	if j < 0 {
		return nil, false
	}
	return x.cover[x.first[j]:x.first[j+1]], false
}

// At is Set.At.
func (x *Index) At(v int, t time.Duration, base float64) Effect {
	ids, all := x.candidates(t)
	if all {
		return x.set.At(v, t, base)
	}
	var e Effect
	for _, i := range ids {
		e.add(&x.set[i], v, t, base)
	}
	return e
}

// AnyActive is Set.AnyActive.
func (x *Index) AnyActive(v int, t time.Duration) bool {
	ids, all := x.candidates(t)
	if all {
		return x.set.AnyActive(v, t)
	}
	for _, i := range ids {
		if f := &x.set[i]; f.Hits(v) && f.Active(t) {
			return true
		}
	}
	return false
}
