// Package deploy is CodeDeploy's Lambda deployment controller as one pure,
// deterministic state machine, stepped like etcd-io/raft's: the caller feeds it
// events (start, time reached, alarm state, hook result, stop) together with
// the time, and it returns the actions to carry out (invoke a hook, set the
// alias weight, roll back, finish). The simulator feeds it virtual time; the
// real-AWS executor feeds it the wall clock and DescribeAlarms results. Both
// run the same code.
//
// It must never read a clock, start a goroutine, do I/O or draw a random
// number, and it imports only strategies and the standard library.
//
// # Semantics and their sources
//
// docs/codedeploy.md records each rule below with its AWS source, and the
// decisions shiftsim took where AWS is silent; the remaining choices are
// marked "our decision".
//
//   - Lifecycle ("Lifecycle hooks"): Start → BeforeAllowTraffic → AllowTraffic →
//     AfterAllowTraffic → End. A hook that is not configured is Skipped ("If an
//     event hook is not present, no operation is executed for that event",
//     CD-UG:reference-appspec-file-structure-hooks).
//   - Schedule ("The schedule"): AllowTraffic
//     runs the given strategies.Plan from the instant it begins: step i at
//     begin+Steps[i].At, complete at begin+End.
//   - Alarms ("Alarms"): watched from Start until
//     the deployment ends, hooks included. One already in ALARM at Start stops
//     the deployment before any shift (SAM: alarms "in the alarm state during a
//     deployment (or before a deployment starts) cause the deployment to fail
//     and rollback"; SAM issue #716).
//   - Status words ("Rollback and stop"): alarm → Stopped with
//     ALARM_ACTIVE ("the status is updated to Stopped",
//     CD-UG:monitoring-create-alarms); hook Failed or hook timeout → Failed with
//     HOOK_EXECUTION_FAILURE; manual StopDeployment → Stopped with MANUAL_STOP.
//     Which error code goes with which case is inferred from the codes' names
//     (AWS documents only "alarm → Stopped").
//   - Hook timeout ("Lifecycle hooks"): 3600 s by default ("Maximum number of seconds until a
//     deployment lifecycle event fails if not completed: 3600", CD-UG:limits).
//   - Rollback ("Rollback and stop"): the alias goes back to 100 % on the current version
//     with its routing config cleared. With AutoRollback (DEPLOYMENT_FAILURE and
//     DEPLOYMENT_STOP_ON_ALARM, which SAM always enables) a failure or an
//     alarm stop rolls back; a manual stop rolls back if the Stop event asks
//     (StopDeployment's AutoRollbackEnabled). Without rollback the alias is left
//     where it was, possibly on two versions — the known pain point
//     (CD-UG:troubleshooting-deployments-lambda).
//
// # Time
//
// Time is the caller's: any origin, expected monotonic (a time earlier than
// the last one seen is taken as the last one). Every event, not only Tick,
// first brings the controller up to its time: each weight step, AllowTraffic
// end and hook timeout due at or before now is applied, in schedule order,
// none skipped. So a weight step due at t is applied before an alarm or hook
// result delivered at the same t, whether or not the caller delivers the Tick
// first (and a simulator should deliver it first, for a readable timeline).
// A hook result that arrives exactly at the hook's deadline is too late: the
// timeout wins (our decision). Lateness does not shift the schedule: steps stay
// anchored at AllowTraffic's begin; what the controller starts late (a hook
// after a late AllowTraffic end) starts at the time it learned of it.
package deploy
