package judge

import (
	"math"
	"sort"
)

// MetricResult is one metric's classification as the scorer sees it.
type MetricResult struct {
	Name     string
	Groups   []string
	Class    Class
	Critical bool // the classification is critical (Classification.Critical; a critical metric's Nodata too)
	Muted    bool
}

// GroupScore is one metric group's score.
type GroupScore struct {
	Name                                string
	Score                               float64 // 100·Pass/Total; 100 when NoData
	NoData                              bool    // no Pass, High, Low or NodataFailMetric in the group
	Weight                              float64 // the weight the summary gave it
	Pass, High, Low, NodataFail, Nodata int
	Total                               int // Pass + High + Low + NodataFail
}

// Score is a judgement's score (Kayenta's WeightedSumScorer with
// ScoringHelper's rules, docs/plans.md).
type Score struct {
	Summary float64 // 0..100, rounded to 2 decimals
	Groups  []GroupScore
	Reason  string // why the summary is 0 when a rule forced it, else ""
}

// ScoreMetrics scores classified metrics: muted metrics are dropped; a
// critical result that is not Pass forces 0; so does Nodata in at least half
// of the results; otherwise each group scores 100·Pass/(Pass + High + Low +
// NodataFailMetric) — Nodata and Error are left out, and a group with none of
// these counts as 100 — and the summary is Σ score·weight/100, where groups
// without a weight share 100 − Σ given weights equally. A metric in several
// groups counts in each. Groups are reported by name.
func ScoreMetrics(results []MetricResult, weights map[string]float64) Score {
	return scoreMetrics(results, weights, true)
}

// ScoreMetricsNodataPass scores as ScoreMetrics does without the rule that
// Nodata in at least half of the results forces 0: Nodata results are only
// left out of their groups, and a group with nothing else counts as 100.
// It is the kayenta gate's `noData: pass` (docs/gates.md).
func ScoreMetricsNodataPass(results []MetricResult, weights map[string]float64) Score {
	return scoreMetrics(results, weights, false)
}

func scoreMetrics(results []MetricResult, weights map[string]float64, nodataRule bool) Score {
	var kept []MetricResult
	for _, r := range results {
		if !r.Muted {
			kept = append(kept, r)
		}
	}
	byName := map[string]*GroupScore{}
	var names []string
	nodata := 0
	for _, r := range kept {
		if r.Class == Nodata {
			nodata++
		}
		for _, g := range r.Groups {
			gs := byName[g]
			if gs == nil {
				gs = &GroupScore{Name: g}
				byName[g] = gs
				names = append(names, g)
			}
			switch r.Class {
			case Pass:
				gs.Pass++
			case High:
				gs.High++
			case Low:
				gs.Low++
			case NodataFailMetric:
				gs.NodataFail++
			case Nodata:
				gs.Nodata++
			}
		}
	}
	sort.Strings(names)
	given, unweighted := 0.0, 0
	for _, g := range names {
		if w, ok := weights[g]; ok {
			given += w
		} else {
			unweighted++
		}
	}
	share := 0.0
	if unweighted > 0 {
		share = (100 - given) / float64(unweighted)
	}
	out := Score{}
	sum := 0.0
	for _, g := range names {
		gs := byName[g]
		gs.Total = gs.Pass + gs.High + gs.Low + gs.NodataFail
		if gs.Total == 0 {
			gs.NoData, gs.Score = true, 100
		} else {
			gs.Score = 100 * float64(gs.Pass) / float64(gs.Total)
		}
		gs.Weight = share
		if w, ok := weights[g]; ok {
			gs.Weight = w
		}
		sum += gs.Score * gs.Weight / 100
		out.Groups = append(out.Groups, *gs)
	}
	for _, r := range kept {
		if r.Critical && r.Class != Pass {
			out.Reason = "critical metric " + r.Name + " is " + string(r.Class)
			return out
		}
	}
	if nodataRule && len(kept) > 0 && 2*nodata >= len(kept) {
		out.Reason = "Nodata in at least half of the metrics"
		return out
	}
	out.Summary = math.Round(sum*100) / 100
	return out
}

// Verdict is a score's classification against the thresholds.
type Verdict string

// Score classifications.
const (
	VerdictPass     Verdict = "Pass"
	VerdictMarginal Verdict = "Marginal"
	VerdictFail     Verdict = "Fail"
)

// Thresholds are a canary's scoreThresholds.
type Thresholds struct {
	Pass, Marginal float64
}

// Classify is Kayenta's ThresholdScoreClassifier: ≥ Pass → Pass, ≥ Marginal →
// Marginal, else Fail.
func (t Thresholds) Classify(score float64) Verdict {
	switch {
	case score >= t.Pass:
		return VerdictPass
	case score >= t.Marginal:
		return VerdictMarginal
	}
	return VerdictFail
}

// Judgements is Kayenta's standalone canary analysis over successive
// scores: any intermediate score at or below Marginal stops the analysis as
// failed; the final verdict passes iff the last score is above Marginal
// (strictly, as the code does, unless marginalInclusive: the request
// schema's "meet or exceed") and at least Pass. It returns whether the
// analysis passed and how many judgements it took.
func (t Thresholds) Judgements(scores []float64, marginalInclusive bool) (bool, int) {
	above := func(s float64) bool {
		if marginalInclusive {
			return s >= t.Marginal
		}
		return s > t.Marginal
	}
	for i, s := range scores {
		if i < len(scores)-1 && !above(s) {
			return false, i + 1
		}
	}
	if len(scores) == 0 {
		return false, 0
	}
	last := scores[len(scores)-1]
	return above(last) && last >= t.Pass, len(scores)
}
