// Package awsexec carries out a shiftsim deployment plan on a real AWS account
// with aws-sdk-go-v2, in one of two ways:
//
//   - the codedeploy executor hands the plan to CodeDeploy: it creates (or
//     reuses) the custom deployment configuration, calls CreateDeployment with
//     an inline AppSpec and follows the deployment, its lifecycle events, its
//     alarms and the alias until it ends;
//   - the alias executor drives the alias itself: it runs the very controller
//     the simulator runs (package deploy), fed by the wall clock and by the
//     alarm states DescribeAlarms returns, and turns its actions into
//     UpdateAlias calls (optimistically locked with RevisionId) and Lambda
//     Invoke calls for hooks.
//
// Both check before acting (Preflight), print instead of acting unless told
// to act (DryRun), record each step in a journal that is fsync'ed before and
// after every AWS mutation, so that a crashed run can be resumed or rolled
// back, roll back (or hold) on interrupt, and record a function's metrics
// for replay (RecordMetrics).
//
// This is the only package of shiftsim that reads the wall clock, and it does
// so only through the Clock interface, so tests run it on a virtual clock
// against internal/awsfake. It must never print or journal a credential: the
// parameters it prints and records are the deployment's own (function,
// alias, versions, weights, names), never configuration or headers.
//
// # Hooks under the alias executor
//
// CodeDeploy invokes a hook function asynchronously and waits for the
// function to call PutLifecycleEventHookExecutionStatus. With no CodeDeploy
// deployment there is nobody to call back, so the alias executor invokes the
// hook synchronously (InvocationType RequestResponse) with CodeDeploy's
// payload {"DeploymentId", "LifecycleEventHookExecutionId"} (both starting
// "shiftsim-", so a hook can tell) and reads the verdict from the invocation
// itself: the hook failed if the Invoke call fails, if Lambda reports a
// function error (X-Amz-Function-Error), or if the function returns a JSON
// object whose "status" is "Failed" (any case); anything else is success.
// A hook that calls PutLifecycleEventHookExecutionStatus with shiftsim's ids
// gets DeploymentDoesNotExistException: it must tolerate that (or return its
// status instead) to be usable by both executors. Lambda's synchronous limit
// of 15 minutes bounds a hook; the controller's hook timeout (1 h by default)
// still applies. A hook may be invoked twice (a retried request, a resumed
// run): hooks must be idempotent.
//
// # Time under the alias executor
//
// Controller time is the time the executor has been running the deployment.
// After a crash or a hold, --resume continues from the controller time last
// journaled: the time the executor was not running does not count, so a
// weight step due in that gap comes after it, and no bake time is cut short.
package awsexec
