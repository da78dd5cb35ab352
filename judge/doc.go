// Package judge is a canary judge: the two-sample Wilcoxon rank-sum
// (Mann–Whitney) test as R's wilcox.test computes it — statistic W, p-value
// by the normal approximation with tie and continuity corrections or by the
// exact null distribution, the confidence interval for the location shift
// and the Hodges–Lehmann estimate by R's root finder — and Spinnaker
// Kayenta's metric classification built on it (Pass, High, Low, Nodata),
// with its IQR outlier removal and effect-size gates. docs/plans.md records
// the rules and their sources.
//
// The package is pure: it reads no clock and draws no global randomness (the
// one random step, Kayenta's noise on constant samples, takes the caller's
// source).
package judge
