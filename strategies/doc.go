// Package strategies holds CodeDeploy's Lambda deployment configurations as
// data: the nine predefined CodeDeployDefault.Lambda* configs, custom configs
// in CodeDeploy's own CreateDeploymentConfig shape, and the traffic-shifting
// Plan each one implies.
//
// It is a leaf: it imports only the standard library and must never do I/O,
// read a clock or hold state. Reading files and YAML belongs to the scenario
// package; running a Plan belongs to the deploy package.
//
// docs/codedeploy.md records the facts with their sources: CD-UG:<page> is
// the CodeDeploy user guide page, SAM:<path> a file of the
// aws/serverless-application-model repository.
package strategies
