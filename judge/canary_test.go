package judge

import (
	"math"
	"strings"
	"testing"
)

// A canary document's metric settings start from Kayenta's defaults for its
// measure and take what the document sets; bad values name their field.
func TestCanaryConfig(t *testing.T) {
	doc := `{"metrics": [
  {"name": "latency", "control": [1, null, 3], "experiment": [2],
   "analysisConfigurations": {"canary": {"direction": "increase", "critical": true, "nanStrategy": "replace",
     "effectSize": {"measure": "cles", "allowedIncrease": 0.6},
     "outliers": {"strategy": "remove", "outlierFactor": 1.5}}}},
  {"name": "errors", "control": [0], "experiment": [0]}]}`
	f, err := ParseCanaryConfig("c.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.Metrics[0].AnalysisConfigurations.Canary.Metric(0.9, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultMetric(CLES)
	want.ConfLevel, want.Tolerance, want.Critical, want.Direction, want.ReplaceNaN = 0.9, 0.1, true, Increase, true
	want.RemoveOutliers, want.OutlierFactor, want.AllowedIncrease = true, 1.5, 0.6
	if m != want {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
	m, err = f.Metrics[1].AnalysisConfigurations.Canary.Metric(0.98, 0.25)
	if want := DefaultMetric(MeanRatio); err != nil || m != want {
		t.Errorf("defaults: %+v %v, want %+v", m, err, want)
	}
	c, x := f.Metrics[0].Samples()
	if len(c) != 3 || c[0] != 1 || !math.IsNaN(c[1]) || c[2] != 3 || len(x) != 1 || x[0] != 2 {
		t.Errorf("samples %v %v", c, x)
	}

	for _, tc := range []struct{ doc, want string }{
		{`{"metrics": []}`, "c.json: metrics: empty"},
		{`{"metric": []}`, `c.json: json: unknown field "metric"`},
		{`{"metrics": [{"analysisConfigurations": {"canary": {"effectSize": {"measure": "ratio"}}}}]}`, `analysisConfigurations.canary.effectSize.measure: "ratio", want meanRatio or cles`},
		{`{"metrics": [{"analysisConfigurations": {"canary": {"direction": "up"}}}]}`, `analysisConfigurations.canary.direction: "up", want increase, decrease or either`},
		{`{"metrics": [{"analysisConfigurations": {"canary": {"outliers": {"strategy": "clip"}}}}]}`, `analysisConfigurations.canary.outliers.strategy: "clip", want keep or remove`},
	} {
		f, err := ParseCanaryConfig("c.json", []byte(tc.doc))
		if err == nil {
			_, err = f.Metrics[0].AnalysisConfigurations.Canary.Metric(0.98, 0.25)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.doc, err, tc.want)
		}
	}
}
