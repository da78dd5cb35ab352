// Package alarm evaluates CloudWatch metric alarms the way CloudWatch does,
// so that a simulated deployment and a person asking "why didn't my alarm
// fire?" get the same answer AWS would give.
//
// It holds the alarm rule (EvaluationPeriods, DatapointsToAlarm, Threshold,
// ComparisonOperator, TreatMissingData and the evaluation range), the
// statistics CloudWatch aggregates datapoints with, and a compiler for the
// arithmetic subset of metric math used in alarms (100*errors/invocations,
// FILL(m1, 0)). Every decision comes with a plain-English reason.
//
// The package is a pure function of its inputs: it must never read a clock,
// do I/O, keep global state or draw random numbers. Time, metric retrieval
// and alarm polling belong to its callers (the simulator feeds it virtual
// datapoints, the AWS executor real ones). It imports only the standard
// library and gonum.
//
// Where AWS documents behaviour, the code cites it; where AWS is silent (the
// size of the evaluation range, the percentile method), the choice is made
// explicit and is a parameter.
package alarm
