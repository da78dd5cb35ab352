package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shiftsim/shiftsim/judge"
	"github.com/shiftsim/shiftsim/report"
)

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
	f, err := judge.ParseCanaryConfig(path, data)
	if err != nil {
		return inputErrf("%v", err)
	}
	src := rand.NewPCG(seed, 0x6b6179656e7461)
	doc := canaryJSON{Groups: []canaryGroupJSON{}}
	var results []judge.MetricResult
	for i, mm := range f.Metrics {
		c := mm.AnalysisConfigurations.Canary
		m, err := c.Metric(conf, tolerance)
		if err != nil {
			return inputErrf("%s: metrics[%d].%v", path, i, err)
		}
		name := mm.Name
		if name == "" {
			name = fmt.Sprintf("metrics[%d]", i)
		}
		control, experiment := mm.Samples()
		cl := judge.Classify(experiment, control, m, src)
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
