package awsfake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DeploymentGroup is a CodeDeploy deployment group of a Lambda application.
type DeploymentGroup struct {
	Name         string
	ConfigName   string   // the group's deployment config; default CodeDeployDefault.LambdaAllAtOnce
	Alarms       []string // AlarmConfiguration, enabled when not empty
	AutoRollback bool     // DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM and DEPLOYMENT_STOP_ON_REQUEST, as SAM sets them
}

// HookTimeout is how long CodeDeploy waits for a hook's status (CD-UG:limits).
const HookTimeout = time.Hour

// Deployment is a deployment as tests inspect it.
type Deployment struct {
	ID, Group, Config, Creator string
	Status, ErrorCode          string
	Description                string
	RollbackID, RollbackOf     string
	Lifecycle                  []string // "Name Status" per lifecycle event
}

type routingConfig struct {
	typ           string // TimeBasedCanary, TimeBasedLinear, AllAtOnce
	pct, interval int
}

type fakeStep struct {
	at  time.Duration
	pct int
}

// schedule is this fake's own reading of a routing config (docs/codedeploy.md,
// "The schedule"): canary p% at 0 and 100% at I; linear min(k·p,100)%
// at (k−1)·I and the end at n·I; all at once 100% at 0.
func (r routingConfig) schedule() ([]fakeStep, time.Duration) {
	iv := time.Duration(r.interval) * time.Minute
	switch r.typ {
	case "TimeBasedCanary":
		return []fakeStep{{0, r.pct}, {iv, 100}}, iv
	case "TimeBasedLinear":
		var steps []fakeStep
		k := 1
		for ; ; k++ {
			steps = append(steps, fakeStep{time.Duration(k-1) * iv, min(k*r.pct, 100)})
			if k*r.pct >= 100 {
				break
			}
		}
		return steps, time.Duration(k) * iv
	}
	return []fakeStep{{0, 100}}, 0
}

var predefinedConfigs = map[string]routingConfig{
	"CodeDeployDefault.LambdaAllAtOnce":                     {"AllAtOnce", 0, 0},
	"CodeDeployDefault.LambdaCanary10Percent5Minutes":       {"TimeBasedCanary", 10, 5},
	"CodeDeployDefault.LambdaCanary10Percent10Minutes":      {"TimeBasedCanary", 10, 10},
	"CodeDeployDefault.LambdaCanary10Percent15Minutes":      {"TimeBasedCanary", 10, 15},
	"CodeDeployDefault.LambdaCanary10Percent30Minutes":      {"TimeBasedCanary", 10, 30},
	"CodeDeployDefault.LambdaLinear10PercentEvery1Minute":   {"TimeBasedLinear", 10, 1},
	"CodeDeployDefault.LambdaLinear10PercentEvery2Minutes":  {"TimeBasedLinear", 10, 2},
	"CodeDeployDefault.LambdaLinear10PercentEvery3Minutes":  {"TimeBasedLinear", 10, 3},
	"CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": {"TimeBasedLinear", 10, 10},
}

type customConfig struct {
	id      string
	routing routingConfig
	created time.Time
}

type application struct {
	name   string
	groups map[string]*DeploymentGroup
}

type lifecycleEvent struct {
	name       string
	status     string
	start, end time.Time
}

// Deployment phases.
const (
	phaseBefore = iota
	phaseAllow
	phaseAfter
	phaseDone
)

type fakeDeployment struct {
	id, app, group, config, description, creator string
	fn, alias, current, target                   string
	hooks                                        [2]string // BeforeAllowTraffic, AfterAllowTraffic function names
	content, sha                                 string
	alarms                                       []string
	rollback                                     bool

	status           string
	errCode, errMsg  string
	create, complete time.Time
	life             [5]lifecycleEvent
	rollbackID       string
	rollbackOf       string

	t          time.Time // progressed up to
	phase      int
	hookDue    time.Time
	hookOK     bool
	allowBegin time.Time
	steps      []fakeStep
	allowEnd   time.Duration
	next       int
	weight     float64
}

func (d *fakeDeployment) terminal() bool {
	return d.status == "Succeeded" || d.status == "Failed" || d.status == "Stopped"
}

type codedeployState struct {
	apps        map[string]*application
	configs     map[string]*customConfig
	deployments map[string]*fakeDeployment
	order       []string
}

func (c *codedeployState) init() {
	c.apps = map[string]*application{}
	c.configs = map[string]*customConfig{}
	c.deployments = map[string]*fakeDeployment{}
}

// AddDeploymentGroup creates a Lambda application (if needed) and a group.
func (s *Server) AddDeploymentGroup(app string, g DeploymentGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.codedeploy.apps[app]
	if a == nil {
		a = &application{name: app, groups: map[string]*DeploymentGroup{}}
		s.codedeploy.apps[app] = a
	}
	if g.ConfigName == "" {
		g.ConfigName = "CodeDeployDefault.LambdaAllAtOnce"
	}
	a.groups[g.Name] = &g
}

// Deployments lists every deployment, oldest first.
func (s *Server) Deployments() []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked()
	var out []Deployment
	for _, id := range s.codedeploy.order {
		d := s.codedeploy.deployments[id]
		dd := Deployment{ID: d.id, Group: d.group, Config: d.config, Creator: d.creator, Status: d.status,
			ErrorCode: d.errCode, Description: d.description, RollbackID: d.rollbackID, RollbackOf: d.rollbackOf}
		for _, e := range d.life {
			dd.Lifecycle = append(dd.Lifecycle, e.name+" "+e.status)
		}
		out = append(out, dd)
	}
	return out
}

// CustomConfigs lists the custom deployment configs' names.
func (s *Server) CustomConfigs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.codedeploy.configs {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func cdInput(req *request, v any) error {
	if len(req.body) == 0 {
		return nil
	}
	return json.Unmarshal(req.body, v)
}

func badInput(err error) response {
	return apiErr(http.StatusBadRequest, "SerializationException", "%v", err)
}

func (s *Server) handleCodeDeploy(req *request) response {
	switch req.op {
	case "GetDeploymentGroup":
		var in struct{ ApplicationName, DeploymentGroupName string }
		if err := cdInput(req, &in); err != nil {
			return badInput(err)
		}
		g, errResp := s.groupLocked(in.ApplicationName, in.DeploymentGroupName)
		if g == nil {
			return errResp
		}
		info := map[string]any{
			"applicationName": in.ApplicationName, "deploymentGroupName": g.Name,
			"deploymentGroupId": "dg-" + g.Name, "deploymentConfigName": g.ConfigName, "computePlatform": "Lambda",
			"deploymentStyle":           map[string]any{"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
			"autoRollbackConfiguration": autoRollback(g.AutoRollback),
		}
		alarms := []any{}
		for _, a := range g.Alarms {
			alarms = append(alarms, map[string]any{"name": a})
		}
		info["alarmConfiguration"] = map[string]any{"enabled": len(g.Alarms) > 0, "alarms": alarms, "ignorePollAlarmFailure": false}
		return ok(map[string]any{"deploymentGroupInfo": info})
	case "GetDeploymentConfig":
		var in struct{ DeploymentConfigName string }
		if err := cdInput(req, &in); err != nil {
			return badInput(err)
		}
		r, id, created, found := s.configLocked(in.DeploymentConfigName)
		if !found {
			return apiErr(http.StatusBadRequest, "DeploymentConfigDoesNotExistException", "Deployment config %s does not exist", in.DeploymentConfigName)
		}
		return ok(map[string]any{"deploymentConfigInfo": map[string]any{
			"deploymentConfigId": id, "deploymentConfigName": in.DeploymentConfigName, "computePlatform": "Lambda",
			"createTime": epochSeconds(created), "trafficRoutingConfig": routingJSON(r),
		}})
	case "CreateDeploymentConfig":
		return s.createDeploymentConfig(req)
	case "CreateDeployment":
		return s.createDeployment(req)
	case "GetDeployment":
		d, errResp := s.namedDeployment(req)
		if d == nil {
			return errResp
		}
		return ok(map[string]any{"deploymentInfo": deploymentInfo(d)})
	case "ListDeployments":
		var in struct {
			ApplicationName, DeploymentGroupName string
			IncludeOnlyStatuses                  []string
		}
		if err := cdInput(req, &in); err != nil {
			return badInput(err)
		}
		if in.ApplicationName != "" {
			if g, errResp := s.groupLocked(in.ApplicationName, in.DeploymentGroupName); g == nil {
				return errResp
			}
		}
		ids := []string{}
		for _, id := range s.codedeploy.order {
			d := s.codedeploy.deployments[id]
			if (in.ApplicationName != "" && d.app != in.ApplicationName) || (in.DeploymentGroupName != "" && d.group != in.DeploymentGroupName) {
				continue
			}
			if len(in.IncludeOnlyStatuses) > 0 && !slices.Contains(in.IncludeOnlyStatuses, d.status) {
				continue
			}
			ids = append(ids, id)
		}
		return ok(map[string]any{"deployments": ids})
	case "ListDeploymentTargets":
		d, errResp := s.namedDeployment(req)
		if d == nil {
			return errResp
		}
		return ok(map[string]any{"targetIds": []string{d.fn + ":" + d.alias}})
	case "GetDeploymentTarget":
		var in struct{ DeploymentId, TargetId string }
		if err := cdInput(req, &in); err != nil {
			return badInput(err)
		}
		d, errResp := s.deploymentLocked(in.DeploymentId)
		if d == nil {
			return errResp
		}
		if in.TargetId != d.fn+":"+d.alias {
			return apiErr(http.StatusBadRequest, "DeploymentTargetDoesNotExistException", "Target %s does not exist", in.TargetId)
		}
		return ok(map[string]any{"deploymentTarget": map[string]any{"deploymentTargetType": "LambdaTarget", "lambdaTarget": lambdaTarget(d)}})
	case "StopDeployment":
		var in struct {
			DeploymentId        string
			AutoRollbackEnabled *bool
		}
		if err := cdInput(req, &in); err != nil {
			return badInput(err)
		}
		d, errResp := s.deploymentLocked(in.DeploymentId)
		if d == nil {
			return errResp
		}
		if d.terminal() {
			return apiErr(http.StatusBadRequest, "DeploymentAlreadyCompletedException", "Deployment %s has already completed", d.id)
		}
		rollback := d.rollback
		if in.AutoRollbackEnabled != nil {
			rollback = *in.AutoRollbackEnabled
		}
		s.finishLocked(d, s.Clock.Now(), "Stopped", "MANUAL_STOP", "The deployment was stopped by the user", rollback)
		return ok(map[string]any{"status": "Succeeded", "statusMessage": "Deployment of " + d.id + " was stopped"})
	}
	return apiErr(http.StatusBadRequest, "UnknownOperationException", "unsupported operation %s", req.op)
}

// namedDeployment decodes an input that names a deployment only
// ({DeploymentId}) and looks it up.
func (s *Server) namedDeployment(req *request) (*fakeDeployment, response) {
	var in struct{ DeploymentId string }
	if err := cdInput(req, &in); err != nil {
		return nil, badInput(err)
	}
	return s.deploymentLocked(in.DeploymentId)
}

// deploymentLocked is the deployment id names, or CodeDeploy's error for an
// unknown one.
func (s *Server) deploymentLocked(id string) (*fakeDeployment, response) {
	d := s.codedeploy.deployments[id]
	if d == nil {
		return nil, apiErr(http.StatusBadRequest, "DeploymentDoesNotExistException", "Deployment %s does not exist", id)
	}
	return d, response{}
}

func (s *Server) groupLocked(app, group string) (*DeploymentGroup, response) {
	a := s.codedeploy.apps[app]
	if a == nil {
		return nil, apiErr(http.StatusBadRequest, "ApplicationDoesNotExistException", "No application found for name: %s", app)
	}
	g := a.groups[group]
	if g == nil {
		return nil, apiErr(http.StatusBadRequest, "DeploymentGroupDoesNotExistException", "No Deployment Group found for name: %s", group)
	}
	return g, response{}
}

func (s *Server) configLocked(name string) (routingConfig, string, time.Time, bool) {
	if r, ok := predefinedConfigs[name]; ok {
		return r, "predefined-" + name, Epoch.Add(-365 * 24 * time.Hour), true
	}
	if c := s.codedeploy.configs[name]; c != nil {
		return c.routing, c.id, c.created, true
	}
	return routingConfig{}, "", time.Time{}, false
}

func autoRollback(on bool) map[string]any {
	if !on {
		return map[string]any{"enabled": false}
	}
	return map[string]any{"enabled": true, "events": []string{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"}}
}

func routingJSON(r routingConfig) map[string]any {
	out := map[string]any{"type": r.typ}
	switch r.typ {
	case "TimeBasedCanary":
		out["timeBasedCanary"] = map[string]any{"canaryPercentage": r.pct, "canaryInterval": r.interval}
	case "TimeBasedLinear":
		out["timeBasedLinear"] = map[string]any{"linearPercentage": r.pct, "linearInterval": r.interval}
	}
	return out
}

func epochSeconds(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return float64(t.UnixMilli()) / 1e3
}

func (s *Server) createDeploymentConfig(req *request) response {
	var in struct {
		DeploymentConfigName string
		ComputePlatform      string
		TrafficRoutingConfig *struct {
			Type            string
			TimeBasedCanary *struct{ CanaryPercentage, CanaryInterval int }
			TimeBasedLinear *struct{ LinearPercentage, LinearInterval int }
		}
	}
	if err := cdInput(req, &in); err != nil {
		return badInput(err)
	}
	name := in.DeploymentConfigName
	switch {
	case name == "":
		return apiErr(http.StatusBadRequest, "DeploymentConfigNameRequiredException", "Deployment config name is required")
	case strings.HasPrefix(name, "CodeDeployDefault."):
		return apiErr(http.StatusBadRequest, "InvalidDeploymentConfigNameException", "The prefix CodeDeployDefault. is reserved")
	case s.codedeploy.configs[name] != nil:
		return apiErr(http.StatusBadRequest, "DeploymentConfigAlreadyExistsException", "Deployment config %s already exists", name)
	case in.ComputePlatform != "Lambda":
		return apiErr(http.StatusBadRequest, "InvalidComputePlatformException", "The fake supports ComputePlatform Lambda only, not %q", in.ComputePlatform)
	case in.TrafficRoutingConfig == nil:
		return apiErr(http.StatusBadRequest, "InvalidTrafficRoutingConfigurationException", "trafficRoutingConfig is required")
	}
	t := in.TrafficRoutingConfig
	r := routingConfig{typ: t.Type}
	invalid := apiErr(http.StatusBadRequest, "InvalidTrafficRoutingConfigurationException", "The configuration that specifies how traffic is routed during a deployment is invalid.")
	switch t.Type {
	case "TimeBasedCanary":
		if t.TimeBasedCanary == nil || t.TimeBasedLinear != nil {
			return invalid
		}
		r.pct, r.interval = t.TimeBasedCanary.CanaryPercentage, t.TimeBasedCanary.CanaryInterval
	case "TimeBasedLinear":
		if t.TimeBasedLinear == nil || t.TimeBasedCanary != nil {
			return invalid
		}
		r.pct, r.interval = t.TimeBasedLinear.LinearPercentage, t.TimeBasedLinear.LinearInterval
	case "AllAtOnce":
		if t.TimeBasedCanary != nil || t.TimeBasedLinear != nil {
			return invalid
		}
	default:
		return invalid
	}
	if t.Type != "AllAtOnce" && (r.pct < 1 || r.pct > 99 || r.interval < 1) {
		return invalid
	}
	c := &customConfig{id: s.newIDLocked("cfg-"), routing: r, created: s.Clock.Now()}
	s.codedeploy.configs[name] = c
	return ok(map[string]any{"deploymentConfigId": c.id})
}

// appSpec is the part of a Lambda AppSpec the fake reads.
type appSpec struct {
	fn, alias, current, target string
	hooks                      [2]string
}

// parseAppSpec reads a Lambda AppSpec in YAML or JSON (JSON is YAML), keys
// matched case-insensitively (the docs use both casings, docs/appspec.md).
func parseAppSpec(content string) (appSpec, error) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return appSpec{}, err
	}
	get := func(m map[string]any, key string) any {
		for k, v := range m {
			if strings.EqualFold(k, key) {
				return v
			}
		}
		return nil
	}
	var sp appSpec
	if v := fmt.Sprint(get(doc, "version")); v != "0" && v != "0.0" {
		return sp, fmt.Errorf("version %q: the only allowed value is 0.0", v)
	}
	res, _ := get(doc, "Resources").([]any)
	if len(res) != 1 {
		return sp, fmt.Errorf("Resources: want exactly one Lambda function, got %d", len(res))
	}
	one, _ := res[0].(map[string]any)
	for _, v := range one {
		r, _ := v.(map[string]any)
		if t := fmt.Sprint(get(r, "Type")); t != "AWS::Lambda::Function" {
			return sp, fmt.Errorf("Resources: Type %q, want AWS::Lambda::Function", t)
		}
		p, _ := get(r, "Properties").(map[string]any)
		str := func(k string) string {
			if v := get(p, k); v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		sp.fn, sp.alias, sp.current, sp.target = str("Name"), str("Alias"), str("CurrentVersion"), str("TargetVersion")
	}
	if sp.fn == "" || sp.alias == "" || sp.current == "" || sp.target == "" {
		return sp, fmt.Errorf("Properties: Name, Alias, CurrentVersion and TargetVersion are required")
	}
	hooks, _ := get(doc, "Hooks").([]any)
	for _, h := range hooks {
		m, _ := h.(map[string]any)
		for k, v := range m {
			switch {
			case strings.EqualFold(k, "BeforeAllowTraffic"):
				sp.hooks[0] = fmt.Sprint(v)
			case strings.EqualFold(k, "AfterAllowTraffic"):
				sp.hooks[1] = fmt.Sprint(v)
			default:
				return sp, fmt.Errorf("Hooks: %q is not a Lambda hook", k)
			}
		}
	}
	return sp, nil
}

func (s *Server) createDeployment(req *request) response {
	var in struct {
		ApplicationName      string
		DeploymentGroupName  string
		DeploymentConfigName string
		Description          string
		Revision             *struct {
			RevisionType   string
			AppSpecContent *struct{ Content, Sha256 string }
		}
	}
	if err := cdInput(req, &in); err != nil {
		return badInput(err)
	}
	g, errResp := s.groupLocked(in.ApplicationName, in.DeploymentGroupName)
	if g == nil {
		return errResp
	}
	if in.Revision == nil || in.Revision.RevisionType != "AppSpecContent" || in.Revision.AppSpecContent == nil {
		return apiErr(http.StatusBadRequest, "InvalidRevisionException", "The fake accepts AppSpecContent revisions only")
	}
	content := in.Revision.AppSpecContent.Content
	if sha := in.Revision.AppSpecContent.Sha256; sha != "" {
		sum := sha256.Sum256([]byte(content))
		if hex.EncodeToString(sum[:]) != sha {
			return apiErr(http.StatusBadRequest, "InvalidRevisionException", "The SHA256 of the AppSpec content does not match")
		}
	}
	sp, err := parseAppSpec(content)
	if err != nil {
		return apiErr(http.StatusBadRequest, "InvalidRevisionException", "AppSpec file is missing or has an invalid configuration: %v", err)
	}
	cfg := in.DeploymentConfigName
	if cfg == "" {
		cfg = g.ConfigName
	}
	routing, _, _, found := s.configLocked(cfg)
	if !found {
		return apiErr(http.StatusBadRequest, "DeploymentConfigDoesNotExistException", "Deployment config %s does not exist", cfg)
	}
	for _, id := range s.codedeploy.order {
		if d := s.codedeploy.deployments[id]; d.app == in.ApplicationName && d.group == g.Name && !d.terminal() {
			return apiErr(http.StatusBadRequest, "DeploymentLimitExceededException", "The Deployment Group '%s' already has an active Deployment '%s'", g.Name, d.id)
		}
	}
	now := s.Clock.Now()
	d := &fakeDeployment{
		id: s.newIDLocked("d-"), app: in.ApplicationName, group: g.Name, config: cfg, description: in.Description,
		creator: "user", fn: sp.fn, alias: sp.alias, current: sp.current, target: sp.target, hooks: sp.hooks,
		content: content, sha: in.Revision.AppSpecContent.Sha256, alarms: g.Alarms, rollback: g.AutoRollback,
		status: "InProgress", create: now, t: now,
	}
	d.steps, d.allowEnd = routing.schedule()
	for i, n := range [5]string{"Start", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic", "End"} {
		d.life[i] = lifecycleEvent{name: n, status: "Pending"}
	}
	s.codedeploy.deployments[d.id] = d
	s.codedeploy.order = append(s.codedeploy.order, d.id)
	s.startLocked(d, now)
	s.advanceDeploymentLocked(d, now)
	return ok(map[string]any{"deploymentId": d.id})
}

// startLocked validates the alias against the AppSpec (docs/codedeploy.md, "AppSpec") and
// begins the lifecycle, stopping at once if a watched alarm is in ALARM.
func (s *Server) startLocked(d *fakeDeployment, now time.Time) {
	d.life[0] = lifecycleEvent{name: "Start", status: "InProgress", start: now}
	f := s.lambda.functions[d.fn]
	var a *alias
	if f != nil {
		a = f.aliases[d.alias]
	}
	switch {
	case a == nil:
		s.finishLocked(d, now, "Failed", "INVALID_LAMBDA_FUNCTION", "The Lambda function or alias does not exist", false)
		return
	case a.state().Version != d.current || len(a.state().Weights) > 0:
		s.finishLocked(d, now, "Failed", "INVALID_LAMBDA_CONFIGURATION", "The Lambda function alias version does not match the current version in AppSpec file.", false)
		return
	case f.versions[d.target] == nil:
		s.finishLocked(d, now, "Failed", "INVALID_LAMBDA_CONFIGURATION", "The target version does not exist", false)
		return
	}
	if at, name, hit := s.firstAlarmLocked(d.alarms, now, now); hit {
		s.finishLocked(d, at, "Stopped", "ALARM_ACTIVE", "One or more alarms have been activated: "+name, d.rollback)
		return
	}
	d.life[0].status, d.life[0].end = "Succeeded", now
	s.enterHookLocked(d, now, phaseBefore)
}

func (s *Server) enterHookLocked(d *fakeDeployment, now time.Time, phase int) {
	i := 1
	if phase == phaseAfter {
		i = 3
	}
	d.phase = phase
	fn := d.hooks[i/2]
	if fn == "" {
		d.life[i].status = "Skipped"
		if phase == phaseBefore {
			s.enterAllowLocked(d, now)
		} else {
			s.succeedLocked(d, now)
		}
		return
	}
	d.life[i] = lifecycleEvent{name: d.life[i].name, status: "InProgress", start: now}
	h := Hook{Result: HookErrors} // an unknown function never reports
	if f := s.lambda.functions[fn]; f != nil && f.hook != nil {
		h = *f.hook
		f.invoked = append(f.invoked, fmt.Sprintf(`{"DeploymentId":%q,"LifecycleEventHookExecutionId":"hook-%s-%d"}`, d.id, d.id, i))
	}
	switch h.Result {
	case HookErrors:
		d.hookDue, d.hookOK = now.Add(HookTimeout), false
	default:
		d.hookDue, d.hookOK = now.Add(min(h.Duration, HookTimeout)), h.Result == HookSucceeds
		if h.Duration >= HookTimeout {
			d.hookOK = false
		}
	}
}

func (s *Server) enterAllowLocked(d *fakeDeployment, now time.Time) {
	d.phase, d.allowBegin, d.next = phaseAllow, now, 0
	d.life[2] = lifecycleEvent{name: "AllowTraffic", status: "InProgress", start: now}
}

func (s *Server) succeedLocked(d *fakeDeployment, now time.Time) {
	d.life[4] = lifecycleEvent{name: "End", status: "Succeeded", start: now, end: now}
	d.phase, d.status, d.complete = phaseDone, "Succeeded", now
}

// advanceDeploymentLocked processes, in time order, everything due in the
// deployment up to now: hook reports, weight steps, AllowTraffic's end and,
// before each, any watched alarm entering ALARM.
func (s *Server) advanceDeploymentLocked(d *fakeDeployment, now time.Time) {
	for !d.terminal() {
		var due time.Time
		switch d.phase {
		case phaseBefore, phaseAfter:
			due = d.hookDue
		case phaseAllow:
			if d.next < len(d.steps) {
				due = d.allowBegin.Add(d.steps[d.next].at)
			} else {
				due = d.allowBegin.Add(d.allowEnd)
			}
		}
		limit := now
		if due.Before(limit) {
			limit = due
		}
		if at, name, hit := s.firstAlarmLocked(d.alarms, d.t, limit); hit {
			s.finishLocked(d, at, "Stopped", "ALARM_ACTIVE", "One or more alarms have been activated: "+name, d.rollback)
			return
		}
		if due.After(now) {
			d.t = now
			return
		}
		d.t = due
		switch d.phase {
		case phaseBefore, phaseAfter:
			i := 1
			if d.phase == phaseAfter {
				i = 3
			}
			if !d.hookOK {
				d.life[i].status, d.life[i].end = "Failed", due
				s.finishLocked(d, due, "Failed", "HOOK_EXECUTION_FAILURE", "A lifecycle hook failed: "+d.life[i].name, d.rollback)
				return
			}
			d.life[i].status, d.life[i].end = "Succeeded", due
			if d.phase == phaseBefore {
				s.enterAllowLocked(d, due)
			} else {
				s.succeedLocked(d, due)
			}
		case phaseAllow:
			if d.next < len(d.steps) {
				st := d.steps[d.next]
				d.next++
				d.weight = float64(st.pct) / 100
				if a := s.lambda.functions[d.fn].aliases[d.alias]; st.pct == 100 {
					s.setAliasLocked(a, due, d.target, nil)
				} else {
					s.setAliasLocked(a, due, d.current, map[string]float64{d.target: d.weight})
				}
				continue
			}
			d.life[2].status, d.life[2].end = "Succeeded", due
			s.enterHookLocked(d, due, phaseAfter)
		}
	}
}

// finishLocked ends a deployment unsuccessfully (or with the given status)
// and, if asked, runs a rollback deployment that puts the alias back on the
// current version with no routing (docs/codedeploy.md, "Rollback and stop").
func (s *Server) finishLocked(d *fakeDeployment, at time.Time, status, code, msg string, rollback bool) {
	for i := range d.life {
		switch d.life[i].status {
		case "InProgress":
			d.life[i].status, d.life[i].end = "Failed", at
		case "Pending":
			d.life[i].status = "Skipped"
		}
	}
	d.status, d.errCode, d.errMsg, d.complete, d.phase, d.t = status, code, msg, at, phaseDone, at
	if !rollback {
		return
	}
	rb := &fakeDeployment{
		id: s.newIDLocked("d-"), app: d.app, group: d.group, config: d.config, creator: "codeDeployRollback",
		description: "Rollback of " + d.id, fn: d.fn, alias: d.alias, current: d.target, target: d.current,
		content: d.content, sha: d.sha, status: "Succeeded", create: at, complete: at, t: at, phase: phaseDone, rollbackOf: d.id,
	}
	for i, n := range [5]string{"Start", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic", "End"} {
		rb.life[i] = lifecycleEvent{name: n, status: "Succeeded", start: at, end: at}
	}
	rb.life[1].status, rb.life[3].status = "Skipped", "Skipped"
	s.codedeploy.deployments[rb.id] = rb
	s.codedeploy.order = append(s.codedeploy.order, rb.id)
	d.rollbackID = rb.id
	if f := s.lambda.functions[d.fn]; f != nil {
		if a := f.aliases[d.alias]; a != nil {
			if st := a.state(); st.Version != d.current || len(st.Weights) > 0 {
				s.setAliasLocked(a, at, d.current, nil)
			}
		}
	}
}

func deploymentInfo(d *fakeDeployment) map[string]any {
	info := map[string]any{
		"deploymentId": d.id, "applicationName": d.app, "deploymentGroupName": d.group,
		"deploymentConfigName": d.config, "status": d.status, "creator": d.creator, "computePlatform": "Lambda",
		"description": d.description, "createTime": epochSeconds(d.create), "startTime": epochSeconds(d.create),
		"revision":                 map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": d.content, "sha256": d.sha}},
		"deploymentStatusMessages": []string{},
	}
	if !d.complete.IsZero() {
		info["completeTime"] = epochSeconds(d.complete)
	}
	if d.errCode != "" {
		info["errorInformation"] = map[string]any{"code": d.errCode, "message": d.errMsg}
	}
	switch {
	case d.rollbackID != "":
		info["rollbackInfo"] = map[string]any{"rollbackDeploymentId": d.rollbackID, "rollbackMessage": "Deployment " + d.id + " was rolled back by " + d.rollbackID}
	case d.rollbackOf != "":
		info["rollbackInfo"] = map[string]any{"rollbackTriggeringDeploymentId": d.rollbackOf}
	}
	return info
}

func lambdaTarget(d *fakeDeployment) map[string]any {
	var events []any
	for _, e := range d.life {
		ev := map[string]any{"lifecycleEventName": e.name, "status": e.status}
		if !e.start.IsZero() {
			ev["startTime"] = epochSeconds(e.start)
		}
		if !e.end.IsZero() {
			ev["endTime"] = epochSeconds(e.end)
		}
		events = append(events, ev)
	}
	status := d.status
	if status == "Stopped" {
		status = "Failed"
	}
	return map[string]any{
		"deploymentId": d.id, "targetId": d.fn + ":" + d.alias,
		"targetArn": fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s:%s", Region, Account, d.fn, d.alias),
		"status":    status, "lastUpdatedAt": epochSeconds(d.t), "lifecycleEvents": events,
		"lambdaFunctionInfo": map[string]any{"functionName": d.fn, "functionAlias": d.alias,
			"currentVersion": d.current, "targetVersion": d.target, "targetVersionWeight": d.weight},
	}
}
