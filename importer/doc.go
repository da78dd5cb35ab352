// Package importer turns what users already have — a SAM or CloudFormation
// template, a Lambda AppSpec, a CodeDeploy deployment configuration, the
// output of `aws cloudwatch describe-alarms` — into shiftsim scenarios, and
// emits what they need to carry a plan out: a Lambda AppSpec, a
// DeploymentPreference, an AWS::CodeDeploy::DeploymentConfig resource or the
// create-deployment-config command line.
//
// Importing never guesses silently. CloudFormation intrinsic functions are
// evaluated offline where the template itself (Parameters with a Default,
// Mappings, Conditions, the resources' own properties) or the user's
// --parameter values determine them; every value that needed an assumption
// becomes a Note, and every value that could not be determined becomes an
// unresolved Note of the form "file:line: path: what cannot be resolved and
// how to fix it". The scenario produced is always one the scenario package
// loads: what cannot be resolved is left out (commented, with the reason) or
// replaced by a default marked as such.
//
// It must never contact AWS, read a clock or panic on any input.
package importer
