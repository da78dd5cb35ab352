package scenario

import (
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/gate"
)

// GateProvider says what a gate measures (package gate's query), written
// as a metric's `provider:` — a Flagger custom metric or an Argo
// AnalysisTemplate metric:
//
//	provider: {query: kayenta, window: 5m}
//	provider: {query: kayenta, window: 5m, noData: pass}
//	provider: {query: sequential, k: 100, oneSided: true}
//	provider: {query: latency, statistic: p90, version: target, window: 1m}
type GateProvider struct {
	Query     string         `yaml:"query"`
	Version   string         `yaml:"version"`
	Window    *time.Duration `yaml:"window"`
	Statistic string         `yaml:"statistic"`
	K         *float64       `yaml:"k"`
	OneSided  *bool          `yaml:"oneSided"`
	NoData    string         `yaml:"noData"`
}

// Gate returns the query, or the first problem as "field: message" (a
// field relative to the provider).
func (p GateProvider) Gate(defWindow time.Duration) (gate.Query, error) {
	if p.Query == "" {
		return gate.Query{}, fmt.Errorf("query: missing: say what to measure (one of %s)", kindList())
	}
	k, err := gate.ParseKind(p.Query)
	if err != nil {
		return gate.Query{}, fmt.Errorf("query: %v", err)
	}
	q := gate.Query{Kind: k, Window: defWindow, Stat: p.Statistic}
	if p.Version != "" {
		if q.Version, err = gate.ParseVersion(p.Version); err != nil {
			return gate.Query{}, fmt.Errorf("version: %v", err)
		}
	}
	if p.Window != nil {
		q.Window = *p.Window
	}
	if p.K != nil {
		q.K = *p.K
		if q.K <= 0 {
			return gate.Query{}, fmt.Errorf("k: %v, want a concentration > 0 (default 100)", q.K)
		}
	}
	if p.OneSided != nil {
		q.OneSided = *p.OneSided
	}
	if p.NoData != "" {
		if q.NoData, err = gate.ParseNoData(p.NoData); err != nil {
			return gate.Query{}, fmt.Errorf("noData: %v", err)
		}
	}
	if err := q.Validate(); err != nil {
		return gate.Query{}, err
	}
	return q, nil
}

func kindList() string {
	s := ""
	for i, k := range gate.Kinds() {
		if i > 0 {
			s += ", "
		}
		s += k.String()
	}
	return s
}
