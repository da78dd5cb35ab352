// Package analysis explains metric gates of the peers' progressive-delivery
// controllers step by step: an Argo Rollouts AnalysisRun metric (measurement,
// metric and run phases) and Flagger's per-interval canary analysis (failed
// checks, weight steps, promotion, rollback). Both are pure replays of a
// list of measurement outcomes or values; docs/plans.md gives the rules and
// their sources.
package analysis
