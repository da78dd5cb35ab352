package report

import (
	"time"

	"github.com/shiftsim/shiftsim/traffic"
)

// Recording is the JSON form of a recording's summary (shiftsim trace
// inspect): traffic.Summary with snake_case keys and durations in seconds.
type Recording struct {
	Format      string  `json:"format"`
	Function    string  `json:"function,omitempty"`
	Functions   int     `json:"functions,omitempty"`
	Start       string  `json:"start,omitempty"` // RFC 3339, for wall-clock recordings
	FirstColumn string  `json:"first_column,omitempty"`
	Span        float64 `json:"span_s"`
	Period      float64 `json:"period_s,omitempty"`
	Requests    float64 `json:"requests"`
	Minutes     int     `json:"minutes"`
	MinPerMin   float64 `json:"min_per_minute"`
	MeanPerMin  float64 `json:"mean_per_minute"`
	MaxPerMin   float64 `json:"max_per_minute"`
	Users       int64   `json:"users"`
	UsersEst    bool    `json:"users_estimated"`
	HasDuration bool    `json:"has_durations"`
	// Durations is the recorded distribution, null when unknown.
	Durations *RecordedDurations `json:"durations"`
	Skipped   int64              `json:"skipped_records"`
}

// RecordedDurations is a recorded duration distribution.
type RecordedDurations struct {
	Count     int64              `json:"count"`
	Mean      float64            `json:"mean_s"`
	Quantiles []RecordedQuantile `json:"quantiles"`
}

// RecordedQuantile says that a share Q of requests took at most D seconds.
type RecordedQuantile struct {
	Q float64 `json:"q"`
	D float64 `json:"duration_s"`
}

// FromSummary converts a recording's summary for JSON.
func FromSummary(s traffic.Summary) Recording {
	r := Recording{Format: s.Format, Function: s.Function, Functions: s.Functions, FirstColumn: s.FirstColumn,
		Span: s.Span.Seconds(), Period: s.Period.Seconds(), Requests: s.Requests, Minutes: s.Minutes,
		MinPerMin: s.MinPerMinute, MeanPerMin: s.MeanPerMinute, MaxPerMin: s.MaxPerMinute,
		Users: s.Users, UsersEst: s.UsersEstimated, HasDuration: s.HasDurations, Skipped: s.Skipped}
	if !s.Start.IsZero() {
		r.Start = s.Start.UTC().Format(time.RFC3339Nano)
	}
	if d := s.Durations; d != nil {
		r.Durations = &RecordedDurations{Count: d.Count, Mean: d.Mean.Seconds(), Quantiles: []RecordedQuantile{}}
		for _, p := range d.Points {
			r.Durations.Quantiles = append(r.Durations.Quantiles, RecordedQuantile{Q: p.Q, D: p.D.Seconds()})
		}
	}
	return r
}
