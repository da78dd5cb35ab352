package judge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// CanaryConfig is the document `shiftsim judge --canary` reads: the fields
// of Kayenta's canary config the judge uses, with each metric's canned
// samples.
type CanaryConfig struct {
	Classifier struct {
		GroupWeights map[string]float64 `json:"groupWeights"`
	} `json:"classifier"`
	ScoreThresholds *struct {
		Pass     float64 `json:"pass"`
		Marginal float64 `json:"marginal"`
	} `json:"scoreThresholds"`
	Metrics []CanaryMetric `json:"metrics"`
}

// CanaryMetric is one metric of a CanaryConfig: its canary analysis
// configuration and its samples (null: the metric had no value).
type CanaryMetric struct {
	Name                   string     `json:"name"`
	Groups                 []string   `json:"groups"`
	Control                []*float64 `json:"control"`
	Experiment             []*float64 `json:"experiment"`
	AnalysisConfigurations struct {
		Canary CanaryMetricConfig `json:"canary"`
	} `json:"analysisConfigurations"`
}

// CanaryMetricConfig is a metric's analysisConfigurations.canary, as
// Kayenta's NetflixACAJudge reads it.
type CanaryMetricConfig struct {
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

// ParseCanaryConfig decodes a canary document strictly (an unknown field is
// an error); name, the file's, starts every error.
func ParseCanaryConfig(name string, data []byte) (*CanaryConfig, error) {
	var f CanaryConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(f.Metrics) == 0 {
		return nil, fmt.Errorf("%s: metrics: empty; list at least one metric with control and experiment samples", name)
	}
	return &f, nil
}

// Metric is the judge's settings for c: Kayenta's defaults for its
// effect-size measure (DefaultMetric), then what c sets; conf and tolerance
// are the caller's. An error names the field below analysisConfigurations.
func (c CanaryMetricConfig) Metric(conf, tolerance float64) (Metric, error) {
	measure := c.EffectSize.Measure
	if measure == "" {
		measure = MeanRatio
	}
	if measure != MeanRatio && measure != CLES {
		return Metric{}, fmt.Errorf("analysisConfigurations.canary.effectSize.measure: %q, want meanRatio or cles", measure)
	}
	m := DefaultMetric(measure)
	m.ConfLevel, m.Tolerance, m.Critical, m.MustHaveData = conf, tolerance, c.Critical, c.MustHaveData
	switch d := Direction(c.Direction); d {
	case "":
	case Increase, Decrease, Either:
		m.Direction = d
	default:
		return Metric{}, fmt.Errorf("analysisConfigurations.canary.direction: %q, want increase, decrease or either", c.Direction)
	}
	m.ReplaceNaN = c.NaNStrategy == "replace" // Kayenta: any other value removes
	switch c.Outliers.Strategy {
	case "", "keep":
	case "remove":
		m.RemoveOutliers = true
	default:
		return Metric{}, fmt.Errorf("analysisConfigurations.canary.outliers.strategy: %q, want keep or remove", c.Outliers.Strategy)
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
	return m, nil
}

// Samples are the metric's control and experiment values, NaN where the
// document has null.
func (m CanaryMetric) Samples() (control, experiment []float64) {
	return nullsToNaN(m.Control), nullsToNaN(m.Experiment)
}

func nullsToNaN(v []*float64) []float64 {
	out := make([]float64, len(v))
	for i, p := range v {
		if p == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *p
		}
	}
	return out
}
