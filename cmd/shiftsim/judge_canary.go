package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/judge"
	"github.com/shiftsim/shiftsim/report"
)

// canaryFile is the --canary document: Kayenta's canary config fields that
// the judge reads, with each metric's canned samples.
type canaryFile struct {
	Classifier struct {
		GroupWeights map[string]float64 `json:"groupWeights"`
	} `json:"classifier"`
	ScoreThresholds *struct {
		Pass     float64 `json:"pass"`
		Marginal float64 `json:"marginal"`
	} `json:"scoreThresholds"`
	Metrics []struct {
		Name                   string     `json:"name"`
		Groups                 []string   `json:"groups"`
		Control                []*float64 `json:"control"`
		Experiment             []*float64 `json:"experiment"`
		AnalysisConfigurations struct {
			Canary canaryMetricConfig `json:"canary"`
		} `json:"analysisConfigurations"`
	} `json:"metrics"`
}

type canaryMetricConfig struct {
	Direction    string `json:"direction"`
	NaNStrategy  string `json:"nanStrategy"`
	Critical     bool   `json:"critical"`
	MustHaveData bool   `json:"mustHaveData"`
	Muted        bool   `json:"muted"`
	EffectSize   struct {
		Measure          string   `json:"measure"`
		AllowedIncrease  *float64 `json:"allowedIncrease"`
		AllowedDecrease  *float64 `json:"allowedDecrease"`
		CriticalIncrease *float64 `json:"criticalIncrease"`
		CriticalDecrease *float64 `json:"criticalDecrease"`
	} `json:"effectSize"`
	Outliers struct {
		Strategy      string   `json:"strategy"`
		OutlierFactor *float64 `json:"outlierFactor"`
	} `json:"outliers"`
}

type canaryJSON struct {
	Score   float64            `json:"score"`
	Verdict judge.Verdict      `json:"verdict,omitempty"`
	Reason  string             `json:"reason,omitempty"`
	Groups  []canaryGroupJSON  `json:"groups"`
	Metrics []canaryMetricJSON `json:"metrics"`
}

type canaryGroupJSON struct {
	Name   string  `json:"name"`
	Score  float64 `json:"score"`
	NoData bool    `json:"no_data"`
	Weight float64 `json:"weight"`
	Pass   int     `json:"pass"`
	High   int     `json:"high"`
	Low    int     `json:"low"`
	Fail   int     `json:"nodata_fail_metric"`
	Nodata int     `json:"nodata"`
}

type canaryMetricJSON struct {
	Name           string      `json:"name"`
	Groups         []string    `json:"groups"`
	Classification judge.Class `json:"classification"`
	Critical       bool        `json:"critical"`
	Muted          bool        `json:"muted"`
	Deviation      *float64    `json:"deviation"`
	CILow          *float64    `json:"ci_low"`
	CIHigh         *float64    `json:"ci_high"`
	Estimate       *float64    `json:"estimate"`
	Reason         string      `json:"reason"`
}

func judgeCanary(path string, conf, tolerance float64, seed uint64, output string, stdout io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return inputErrf("%v", err)
	}
	var f canaryFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return inputErrf("%s: %v", path, err)
	}
	if len(f.Metrics) == 0 {
		return inputErrf("%s: metrics: empty; list at least one metric with control and experiment samples", path)
	}
	src := rand.NewPCG(seed, 0x6b6179656e7461)
	doc := canaryJSON{Groups: []canaryGroupJSON{}}
	var results []judge.MetricResult
	for i, mm := range f.Metrics {
		where := fmt.Sprintf("%s: metrics[%d]", path, i)
		c := mm.AnalysisConfigurations.Canary
		measure := c.EffectSize.Measure
		if measure == "" {
			measure = judge.MeanRatio
		}
		if measure != judge.MeanRatio && measure != judge.CLES {
			return inputErrf("%s.analysisConfigurations.canary.effectSize.measure: %q, want meanRatio or cles", where, measure)
		}
		m := judge.DefaultMetric(measure)
		m.ConfLevel, m.Tolerance, m.Critical, m.MustHaveData = conf, tolerance, c.Critical, c.MustHaveData
		switch d := judge.Direction(c.Direction); d {
		case "":
		case judge.Increase, judge.Decrease, judge.Either:
			m.Direction = d
		default:
			return inputErrf("%s.analysisConfigurations.canary.direction: %q, want increase, decrease or either", where, c.Direction)
		}
		m.ReplaceNaN = c.NaNStrategy == "replace" // Kayenta: any other value removes
		switch c.Outliers.Strategy {
		case "", "keep":
		case "remove":
			m.RemoveOutliers = true
		default:
			return inputErrf("%s.analysisConfigurations.canary.outliers.strategy: %q, want keep or remove", where, c.Outliers.Strategy)
		}
		if p := c.Outliers.OutlierFactor; p != nil {
			m.OutlierFactor = *p
		}
		for _, g := range []struct {
			p   *float64
			dst *float64
		}{{c.EffectSize.AllowedIncrease, &m.AllowedIncrease}, {c.EffectSize.AllowedDecrease, &m.AllowedDecrease},
			{c.EffectSize.CriticalIncrease, &m.CriticalIncrease}, {c.EffectSize.CriticalDecrease, &m.CriticalDecrease}} {
			if g.p != nil {
				*g.dst = *g.p
			}
		}
		name := mm.Name
		if name == "" {
			name = fmt.Sprintf("metrics[%d]", i)
		}
		cl := judge.Classify(values(mm.Experiment), values(mm.Control), m, src)
		results = append(results, judge.MetricResult{Name: name, Groups: mm.Groups, Class: cl.Class, Critical: cl.Critical, Muted: c.Muted})
		doc.Metrics = append(doc.Metrics, canaryMetricJSON{Name: name, Groups: mm.Groups, Classification: cl.Class, Critical: cl.Critical, Muted: c.Muted,
			Deviation: num(cl.Deviation), CILow: num(cl.CILow), CIHigh: num(cl.CIHigh), Estimate: num(cl.Estimate), Reason: cl.Reason})
	}
	s := judge.ScoreMetrics(results, f.Classifier.GroupWeights)
	doc.Score, doc.Reason = s.Summary, s.Reason
	for _, g := range s.Groups {
		doc.Groups = append(doc.Groups, canaryGroupJSON{g.Name, g.Score, g.NoData, g.Weight, g.Pass, g.High, g.Low, g.NodataFail, g.Nodata})
	}
	if t := f.ScoreThresholds; t != nil {
		doc.Verdict = judge.Thresholds{Pass: t.Pass, Marginal: t.Marginal}.Classify(s.Summary)
	}
	if output == "json" {
		return report.JSON(stdout, doc)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tgroups\tclassification\tdeviation\treason")
	for _, m := range doc.Metrics {
		cls := string(m.Classification)
		if m.Critical {
			cls += " (critical)"
		}
		if m.Muted {
			cls += " (muted)"
		}
		dev := "-"
		if m.Deviation != nil {
			dev = fmt.Sprintf("%.4g", *m.Deviation)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, strings.Join(m.Groups, ","), cls, dev, m.Reason)
	}
	fmt.Fprintln(tw, "\ngroup\tscore\tweight\tpass/high/low/nodataFail/nodata")
	for _, g := range doc.Groups {
		sc := fmt.Sprintf("%.2f", g.Score)
		if g.NoData {
			sc = "no data (100)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%d/%d/%d/%d/%d\n", g.Name, sc, g.Weight, g.Pass, g.High, g.Low, g.Fail, g.Nodata)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nscore %.2f", doc.Score)
	if doc.Verdict != "" {
		fmt.Fprintf(stdout, ": %s", doc.Verdict)
	}
	if doc.Reason != "" {
		fmt.Fprintf(stdout, " (%s)", doc.Reason)
	}
	fmt.Fprintln(stdout)
	return nil
}

// values turns a JSON sample with nulls into floats with NaN for missing.
func values(v []*float64) []float64 {
	out := make([]float64, len(v))
	for i, p := range v {
		if p == nil {
			out[i] = nan()
		} else {
			out[i] = *p
		}
	}
	return out
}

func nan() float64 { return math.NaN() }
