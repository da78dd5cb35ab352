package awsexec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// CheckStatus is a pre-check's verdict.
type CheckStatus uint8

// Pre-check verdicts. A run starts only if no check is Failed or NotChecked.
const (
	Passed     CheckStatus = iota + 1
	Warning                // worth saying; does not stop the run
	Failed                 // the run would be wrong or refused
	NotChecked             // the call could not be made (credentials, network, permissions)
)

func (s CheckStatus) String() string {
	switch s {
	case Passed:
		return "ok"
	case Warning:
		return "WARNING"
	case Failed:
		return "PROBLEM"
	case NotChecked:
		return "not checked"
	}
	return "?"
}

// Check is one pre-check: the read-only call it makes and what came of it.
type Check struct {
	Call   Call
	Status CheckStatus
	Detail string
	err    error // NotChecked: why
}

// PreflightError lists the pre-checks that did not pass.
type PreflightError struct{ Checks []Check }

func (e *PreflightError) Error() string {
	var b strings.Builder
	b.WriteString("pre-checks failed, nothing was changed:")
	for _, c := range e.Checks {
		if c.Status == NotChecked {
			fmt.Fprintf(&b, "\n  %s: could not check: %s", c.Call.Op, c.Detail)
		} else {
			fmt.Fprintf(&b, "\n  %s: %s", c.Call.Op, c.Detail)
		}
	}
	return b.String()
}

// preflight is what the checks found, for the run that follows.
type preflight struct {
	checks       []Check
	alias        AliasState
	groupAlarms  []string
	groupRollbak bool
	groupKnown   bool
	configExists bool
}

func (pf *preflight) add(c Call, s CheckStatus, format string, a ...any) {
	pf.checks = append(pf.checks, Check{Call: c, Status: s, Detail: fmt.Sprintf(format, a...)})
}

func (pf *preflight) err() error {
	var bad []Check
	for _, c := range pf.checks {
		if c.Status == Failed || c.Status == NotChecked {
			bad = append(bad, c)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &PreflightError{Checks: bad}
}

// checkBeforeActing runs the pre-checks both executors make before their
// first mutation, notes their warnings through log, and fails on a failed
// check or a cancelled context.
func checkBeforeActing(ctx context.Context, o *Options, p Plan, log func(kind, subject, format string, a ...any)) (*preflight, error) {
	pf := runPreflight(ctx, o.Clients, p)
	if ctx.Err() != nil {
		return nil, ErrKilled
	}
	for _, c := range pf.checks {
		if c.Status == Warning {
			log("note", "", "pre-check warning: %s", c.Detail)
		}
	}
	if err := pf.err(); err != nil {
		return nil, err
	}
	return pf, nil
}

// runPreflight runs p's read-only checks, in the order a run makes them:
// the deployment group and deployments in flight (codedeploy executor), the
// alias (it exists, points 100 % at the current version, no routing), the
// target version (exists, is published, is Active), the hook functions, the
// custom deployment config (codedeploy executor) and the alarms.
func runPreflight(ctx context.Context, c Clients, p Plan) *preflight {
	pf := &preflight{}
	alarms := p.Alarms
	if p.Executor == ExecCodeDeploy {
		if pf.checkGroup(ctx, c, p) {
			pf.checkInFlight(ctx, c, p)
		}
		if alarms = pf.groupAlarms; !pf.groupKnown {
			alarms = p.Alarms
		}
	}
	pf.checkAlias(ctx, c, p)
	pf.checkVersion(ctx, c, p)
	for _, fn := range []string{p.BeforeHook, p.AfterHook} {
		if fn != "" {
			pf.checkHook(ctx, c, p, fn)
		}
	}
	if p.Executor == ExecCodeDeploy && p.CustomConfig() {
		pf.checkConfig(ctx, c, p)
	}
	pf.checkAlarms(ctx, c, alarms)
	return pf
}

func notChecked(pf *preflight, cl Call, err error) {
	err = wrapErr(cl.Op, err)
	pf.checks = append(pf.checks, Check{Call: cl, Status: NotChecked, Detail: err.Error(), err: err})
}

// checkGroup reports whether the group may exist (it does, or could not be
// read).
func (pf *preflight) checkGroup(ctx context.Context, c Clients, p Plan) bool {
	cl := call("GetDeploymentGroup", "ApplicationName", p.Application, "DeploymentGroupName", p.DeploymentGroup)
	out, err := c.CodeDeploy.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{
		ApplicationName: aws.String(p.Application), DeploymentGroupName: aws.String(p.DeploymentGroup)})
	switch code := errorCode(err); {
	case code == "ApplicationDoesNotExistException":
		pf.add(cl, Failed, "CodeDeploy application %s does not exist", p.Application)
		return false
	case code == "DeploymentGroupDoesNotExistException":
		pf.add(cl, Failed, "deployment group %s does not exist in application %s", p.DeploymentGroup, p.Application)
		return false
	case err != nil:
		notChecked(pf, cl, err)
		return true
	}
	g := out.DeploymentGroupInfo
	if g.ComputePlatform != cdtypes.ComputePlatformLambda {
		pf.add(cl, Failed, "deployment group %s is for %s, not Lambda", p.DeploymentGroup, g.ComputePlatform)
		return false
	}
	pf.groupKnown = true
	if ac := g.AlarmConfiguration; ac != nil && ac.Enabled {
		for _, a := range ac.Alarms {
			pf.groupAlarms = append(pf.groupAlarms, aws.ToString(a.Name))
		}
	}
	if rc := g.AutoRollbackConfiguration; rc != nil && rc.Enabled {
		pf.groupRollbak = true
	}
	pf.add(cl, Passed, "group %s/%s: Lambda, default config %s, alarms %v, auto-rollback %v",
		p.Application, p.DeploymentGroup, aws.ToString(g.DeploymentConfigName), pf.groupAlarms, pf.groupRollbak)
	if a, b := slices.Sorted(slices.Values(pf.groupAlarms)), slices.Sorted(slices.Values(p.Alarms)); !slices.Equal(a, b) {
		pf.add(cl, Warning, "CodeDeploy watches the group's alarms %v, not the scenario's %v", a, b)
	}
	if pf.groupRollbak != p.AutoRollback {
		pf.add(cl, Warning, "CodeDeploy uses the group's auto-rollback (%v), not the scenario's (%v)", pf.groupRollbak, p.AutoRollback)
	}
	return true
}

func (pf *preflight) checkInFlight(ctx context.Context, c Clients, p Plan) {
	cl := call("ListDeployments", "ApplicationName", p.Application, "DeploymentGroupName", p.DeploymentGroup,
		"IncludeOnlyStatuses", inFlightStatuses)
	ld, err := c.CodeDeploy.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String(p.Application),
		DeploymentGroupName: aws.String(p.DeploymentGroup), IncludeOnlyStatuses: inFlight()})
	switch {
	case err != nil:
		notChecked(pf, cl, err)
	case len(ld.Deployments) > 0:
		pf.add(cl, Failed, "deployment %s is in flight in group %s: wait for it or stop it", strings.Join(ld.Deployments, ", "), p.DeploymentGroup)
	default:
		pf.add(cl, Passed, "no deployment in flight in group %s", p.DeploymentGroup)
	}
}

// inFlightStatuses are the CodeDeploy statuses of a deployment not yet over.
var inFlightStatuses = []string{"Created", "Queued", "InProgress", "Baking", "Ready"}

func inFlight() []cdtypes.DeploymentStatus {
	out := make([]cdtypes.DeploymentStatus, len(inFlightStatuses))
	for i, s := range inFlightStatuses {
		out[i] = cdtypes.DeploymentStatus(s)
	}
	return out
}

func aliasFrom(version *string, rc *ltypes.AliasRoutingConfiguration, rev *string) AliasState {
	a := AliasState{Version: aws.ToString(version), RevisionID: aws.ToString(rev)}
	if rc != nil && len(rc.AdditionalVersionWeights) > 0 {
		a.Weights = map[string]float64{}
		for k, v := range rc.AdditionalVersionWeights {
			a.Weights[k] = v
		}
	}
	return a
}

func getAlias(ctx context.Context, c Clients, p Plan) (AliasState, error) {
	out, err := c.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(p.Function), Name: aws.String(p.Alias)})
	if err != nil {
		return AliasState{}, err
	}
	return aliasFrom(out.FunctionVersion, out.RoutingConfig, out.RevisionId), nil
}

func (pf *preflight) checkAlias(ctx context.Context, c Clients, p Plan) {
	cl := call("GetAlias", "FunctionName", p.Function, "Name", p.Alias)
	a, err := getAlias(ctx, c, p)
	var nf *ltypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		pf.add(cl, Failed, "alias %s does not exist (or function %s does not)", p.aliasName(), p.Function)
		return
	case err != nil:
		notChecked(pf, cl, err)
		return
	}
	pf.alias = a
	switch {
	case len(nonZero(a.Weights)) > 0:
		pf.add(cl, Failed, "alias %s routes to two versions (%s): another deployment is in flight, or one was stopped half-way without rollback (CD-UG:troubleshooting-deployments-lambda); finish or reset it first", p.aliasName(), a)
	case a.Version != p.Current:
		pf.add(cl, Failed, "alias %s points at version %s, not at the current version %s the plan starts from (CodeDeploy would fail with INVALID_LAMBDA_CONFIGURATION)", p.aliasName(), a.Version, p.Current)
	default:
		pf.add(cl, Passed, "alias %s: 100%% on version %s, no routing", p.aliasName(), a.Version)
	}
}

func (pf *preflight) checkVersion(ctx context.Context, c Clients, p Plan) {
	cl := call("GetFunctionConfiguration", "FunctionName", p.Function, "Qualifier", p.Target)
	out, err := c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(p.Function), Qualifier: aws.String(p.Target)})
	var nf *ltypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		pf.add(cl, Failed, "version %s of %s does not exist: publish it first (aws lambda publish-version)", p.Target, p.Function)
		return
	case err != nil:
		notChecked(pf, cl, err)
		return
	}
	switch {
	case aws.ToString(out.Version) != p.Target:
		pf.add(cl, Failed, "version %s of %s answers as version %q: not a published version", p.Target, p.Function, aws.ToString(out.Version))
	case out.State != "" && out.State != ltypes.StateActive:
		pf.add(cl, Failed, "version %s of %s is %s, not Active", p.Target, p.Function, out.State)
	case out.LastUpdateStatus == ltypes.LastUpdateStatusFailed:
		pf.add(cl, Failed, "version %s of %s: last update Failed (%s)", p.Target, p.Function, aws.ToString(out.LastUpdateStatusReason))
	default:
		pf.add(cl, Passed, "version %s of %s is published and Active (%d MB, timeout %d s, %v)", p.Target, p.Function,
			aws.ToInt32(out.MemorySize), aws.ToInt32(out.Timeout), out.Architectures)
	}
}

func (pf *preflight) checkHook(ctx context.Context, c Clients, p Plan, fn string) {
	cl := call("GetFunctionConfiguration", "FunctionName", fn)
	_, err := c.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
	var nf *ltypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		pf.add(cl, Failed, "hook function %s does not exist", fn)
	case err != nil:
		notChecked(pf, cl, err)
	default:
		pf.add(cl, Passed, "hook function %s exists", fn)
		if p.Executor == ExecCodeDeploy && !strings.HasPrefix(fn, "CodeDeployHook_") {
			pf.add(cl, Warning, "the managed role AWSCodeDeployRoleForLambda may invoke only functions named CodeDeployHook_*; %s needs a role that allows it", fn)
		}
	}
}

func (pf *preflight) checkConfig(ctx context.Context, c Clients, p Plan) {
	name := p.DeploymentConfigName()
	cl := call("GetDeploymentConfig", "DeploymentConfigName", name)
	out, err := c.CodeDeploy.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(name)})
	switch {
	case errorCode(err) == "DeploymentConfigDoesNotExistException":
		pf.add(cl, Passed, "custom config %s does not exist yet: it will be created", name)
		return
	case err != nil:
		notChecked(pf, cl, err)
		return
	}
	if got, want := describeRouting(out.DeploymentConfigInfo.TrafficRoutingConfig), describeRouting(trafficRouting(p)); got != want {
		pf.add(cl, Failed, "deployment config %s exists as %s, not %s: give the strategy another name", name, got, want)
		return
	}
	pf.configExists = true
	pf.add(cl, Passed, "custom config %s exists with the same settings: reused", name)
}

func (pf *preflight) checkAlarms(ctx context.Context, c Clients, names []string) {
	if len(names) == 0 {
		return
	}
	cl := call("DescribeAlarms", "AlarmNames", names)
	out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names, MaxRecords: aws.Int32(100)})
	if err != nil {
		notChecked(pf, cl, err)
		return
	}
	states := map[string]cwtypes.StateValue{}
	for _, a := range out.MetricAlarms {
		states[aws.ToString(a.AlarmName)] = a.StateValue
	}
	var found []string
	for _, n := range names {
		st, ok := states[n]
		switch {
		case !ok:
			pf.add(cl, Failed, "alarm %s does not exist (composite alarms are not read: DescribeAlarms returns metric alarms only)", n)
		case st == cwtypes.StateValueAlarm:
			pf.add(cl, Warning, "alarm %s is in ALARM now: the deployment will stop at its start, as CodeDeploy's would", n)
			found = append(found, n+"="+string(st))
		default:
			found = append(found, n+"="+string(st))
		}
	}
	if len(found) > 0 {
		pf.add(cl, Passed, "alarms found: %s", strings.Join(found, ", "))
	}
}

// trafficRouting is the plan's TrafficRoutingConfig in the SDK's types,
// copied from strategies' one mapping (Config.DeploymentConfig).
func trafficRouting(p Plan) *cdtypes.TrafficRoutingConfig {
	r := p.Config.DeploymentConfig().TrafficRoutingConfig
	t := &cdtypes.TrafficRoutingConfig{Type: cdtypes.TrafficRoutingType(r.Type)}
	if c := r.TimeBasedCanary; c != nil {
		t.TimeBasedCanary = &cdtypes.TimeBasedCanary{CanaryPercentage: int32(c.CanaryPercentage), CanaryInterval: int32(c.CanaryInterval)}
	}
	if l := r.TimeBasedLinear; l != nil {
		t.TimeBasedLinear = &cdtypes.TimeBasedLinear{LinearPercentage: int32(l.LinearPercentage), LinearInterval: int32(l.LinearInterval)}
	}
	return t
}

func describeRouting(t *cdtypes.TrafficRoutingConfig) string {
	if t == nil {
		return "no traffic routing"
	}
	switch {
	case t.TimeBasedCanary != nil:
		return fmt.Sprintf("%s %d%% then 100%% after %d min", t.Type, t.TimeBasedCanary.CanaryPercentage, t.TimeBasedCanary.CanaryInterval)
	case t.TimeBasedLinear != nil:
		return fmt.Sprintf("%s %d%% every %d min", t.Type, t.TimeBasedLinear.LinearPercentage, t.TimeBasedLinear.LinearInterval)
	}
	return string(t.Type)
}
