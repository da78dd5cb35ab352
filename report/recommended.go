package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shiftsim/shiftsim/strategies"
	"github.com/shiftsim/shiftsim/sweep"
)

// Recommended is the document of `shiftsim recommend`.
type Recommended struct {
	Scenario    string    `json:"scenario"`
	Seed        uint64    `json:"seed"`
	Runs        int       `json:"runs"`
	Budget      BudgetDoc `json:"budget"`
	Recommended *Plan     `json:"recommended"` // null when no plan fits
	// Nearest are the plans that miss the budget by least, when none fits.
	Nearest    []PlanResult `json:"nearest"`
	Candidates []PlanResult `json:"candidates"` // fastest first
	Skipped    int          `json:"skipped"`    // plans longer than the horizon
	// HealthyTarget says the scenario's new version is no worse than the
	// current one: no plan can cause failures, so only false rollbacks and
	// speed tell plans apart.
	HealthyTarget bool `json:"healthy_target"`
	// WithAlarms says every plan was weighed with its own tuned alarm
	// (recommend --with-alarms; docs/tune-alarm.md).
	WithAlarms bool `json:"with_alarms,omitempty"`
}

// BudgetDoc is the budget as given.
type BudgetDoc struct {
	MaxFailed        float64 `json:"max_failed"`
	Confidence       float64 `json:"confidence"`
	Metric           string  `json:"metric"` // "excess_target_failed_requests" or "excess_failed_requests"
	MaxFalseRollback float64 `json:"max_false_rollback"`
}

// Plan is the recommended configuration, in CodeDeploy's shapes.
type Plan struct {
	Strategy   string `json:"strategy"`
	Predefined bool   `json:"predefined"`
	// TrafficRoutingConfig and DeploymentConfig are CloudFormation's
	// property shapes (AWS::CodeDeploy::DeploymentConfig), which a
	// scenario's deployment.strategies also accepts.
	// They are absent when the plan is not CodeDeploy's (Family).
	TrafficRoutingConfig *strategies.TrafficRoutingConfig `json:"TrafficRoutingConfig,omitempty"`
	DeploymentConfig     *strategies.DeploymentConfig     `json:"DeploymentConfig,omitempty"`
	// CLIInput is `aws deploy create-deployment-config --cli-input-json`'s
	// document (the API's lower-case field names).
	CLIInput *strategies.APIDeploymentConfig `json:"cli_input_json,omitempty"`
	// Family is the system whose plan this is: CodeDeploy, AppConfig, ECS, …
	Family string `json:"family"`
	// AppConfig and ECS are the plan in its own system's shape, as a
	// scenario's deployment.strategies writes it (that family only).
	AppConfig *strategies.DeploymentStrategy `json:"DeploymentStrategy,omitempty"`
	ECS       *strategies.ECSService         `json:"ecs,omitempty"`
	// ArgoRollout is an Argo Rollouts plan as YAML to paste: the Rollout's
	// spec.strategy, then its AnalysisTemplates, "---"-separated;
	// FlaggerAnalysis a Flagger plan's Canary spec.analysis (that family only).
	ArgoRollout     string `json:"argo_rollout,omitempty"`
	FlaggerAnalysis string `json:"flagger_analysis,omitempty"`
	// CloudFormation and PutMetricAlarm are the plan's tuned alarm as an
	// AWS::CloudWatch::Alarm resource and as put-metric-alarm
	// --cli-input-json (with --with-alarms).
	CloudFormation string          `json:"cloudformation,omitempty"`
	PutMetricAlarm json.RawMessage `json:"put_metric_alarm,omitempty"`
	PlanResult
}

// PlanResult is one candidate plan against the budget.
type PlanResult struct {
	Strategy            string   `json:"strategy"`
	Type                string   `json:"type"`
	Percentage          int      `json:"percentage,omitempty"`
	Interval            int      `json:"interval_s,omitempty"` // the canary or linear interval, in seconds
	PlannedDuration     float64  `json:"planned_duration_s"`
	BlastRadiusQuantile float64  `json:"blast_radius_quantile"`
	BlastRadius         Dist     `json:"blast_radius"`
	RollbackProbability float64  `json:"rollback_probability"`
	FaultAtFull         *float64 `json:"fault_at_full_before_detection"`
	// FalseRollbackProbability is the healthy twin's rollback probability,
	// with its Wilson interval and the alarms or hooks responsible.
	FalseRollbackProbability float64        `json:"false_rollback_probability"`
	FalseRollbackCI95        [2]float64     `json:"false_rollback_probability_ci95"`
	FalseRollbackCauses      map[string]int `json:"false_rollback_causes"`
	// FitsFailures and FitsFalseRollback are the budget's two tests; Fits
	// is both.
	FitsFailures      bool `json:"fits_failures"`
	FitsFalseRollback bool `json:"fits_false_rollback"`
	// Finishes is false for a plan whose healthy runs end Paused (an Argo
	// rollout waiting for a user): it is never the recommended fast plan.
	Finishes   bool    `json:"finishes"`
	Fits       bool    `json:"fits"`
	Shortfall  float64 `json:"shortfall"`
	OnFrontier bool    `json:"on_frontier"`
	Verdict    string  `json:"verdict"`
	// Alarm is the plan's tuned alarm (with --with-alarms; absent when no
	// alarm of the space keeps within the false-rollback ceiling, and the
	// scenario's own alarm was weighed).
	Alarm *TuneAlarm `json:"alarm,omitempty"`
}

// FromRecommendation converts sweep.Recommend's outcome.
func FromRecommendation(scenario string, seed uint64, rec *sweep.Recommendation) Recommended {
	metric := "excess_target_failed_requests"
	if rec.Budget.AllFailed {
		metric = "excess_failed_requests"
	}
	doc := Recommended{Scenario: scenario, Seed: seed, Runs: rec.Runs, Skipped: rec.Skipped, Nearest: []PlanResult{},
		Budget: BudgetDoc{MaxFailed: rec.Budget.MaxFailed, Confidence: rec.Budget.Confidence, Metric: metric,
			MaxFalseRollback: rec.Budget.MaxFalseRollback}}
	for _, c := range rec.Candidates {
		cfg := c.Strategy.Config
		fr := c.Stats.FalseRollback
		pr := PlanResult{Strategy: c.Strategy.Name, Type: string(cfg.Type), Percentage: cfg.Percentage, Interval: 60 * cfg.Interval,
			PlannedDuration: c.Stats.Planned.Seconds(), BlastRadiusQuantile: c.Quantile, BlastRadius: dist(c.BlastRadius),
			RollbackProbability: c.Stats.RolledBack.P, FalseRollbackProbability: fr.P, FalseRollbackCI95: [2]float64{fr.Low, fr.High},
			FalseRollbackCauses: countMap(c.Stats.FalseCauses), FitsFailures: c.FitsFailures, FitsFalseRollback: c.FitsFalseRollback, Finishes: c.Finishes,
			Fits: c.Fits, Shortfall: c.Shortfall, OnFrontier: c.OnFrontier}
		if p := c.Stats.FaultAtFull; p != nil {
			pr.FaultAtFull = num(p.P)
		}
		pr.Verdict = Verdict(FromStats([]sweep.Stats{c.Stats}, nil)[0], c.Stats.Healthy)
		doc.Candidates = append(doc.Candidates, pr)
	}
	if len(rec.Candidates) > 0 {
		doc.HealthyTarget = rec.Candidates[0].Stats.Healthy
	}
	for _, i := range rec.Nearest {
		doc.Nearest = append(doc.Nearest, doc.Candidates[i])
	}
	if rec.Best >= 0 {
		c := rec.Candidates[rec.Best]
		cfg := c.Strategy.Config
		cfg.Name = c.Strategy.Name
		if n, ok := strategies.PredefinedName(cfg); ok && c.Predefined {
			cfg.Name = n
		}
		p := &Plan{Strategy: c.Strategy.Name, Predefined: c.Predefined, Family: cfg.Family(), PlanResult: doc.Candidates[rec.Best]}
		switch {
		case cfg.CodeDeploy():
			d := cfg.DeploymentConfig()
			api := d.API()
			p.TrafficRoutingConfig, p.DeploymentConfig, p.CLIInput = d.TrafficRoutingConfig, &d, &api
		case cfg.Type == strategies.AppConfig:
			a := cfg.AppConfig
			p.AppConfig = &a
		case cfg.Type.IsECS():
			e := cfg.ECSService()
			p.ECS = &e
		case cfg.Argo() && cfg.Rollout != nil:
			p.ArgoRollout = ArgoYAML(cfg.Rollout)
		case cfg.Type == strategies.FlaggerType && cfg.Flagger != nil:
			p.FlaggerAnalysis = "analysis:\n" + indentLines(cfg.Flagger.AnalysisYAML(), "  ")
		}
		doc.Recommended = p
	}
	return doc
}

// ArgoYAML is r as a user pastes it: "strategy:" with the Rollout's
// spec.strategy, then each AnalysisTemplate manifest after "---".
func ArgoYAML(r *strategies.Rollout) string {
	out := "strategy:\n" + indentLines(r.StrategyYAML(), "  ")
	for _, t := range r.TemplatesYAML() {
		out += "---\n" + t
	}
	return out
}

// indentLines puts prefix before every non-empty line of s.
func indentLines(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func recGrid(doc Recommended, all bool) *grid {
	g := &grid{head: []string{"plan", "planned", "caused p" + strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64),
		"caused mean [95% CI]", "P(rollback)", "P(false rollback) [95% CI]", "within budget", "frontier"},
		right: []bool{false, true, true, true, true, true, false, false}}
	near := map[string]bool{}
	for _, c := range doc.Nearest {
		near[c.Strategy] = true
	}
	for _, c := range doc.Candidates {
		if !all && !c.OnFrontier && !near[c.Strategy] && !(doc.Recommended != nil && c.Strategy == doc.Recommended.Strategy) {
			continue
		}
		yes := func(b bool) string {
			if b {
				return "yes"
			}
			return ""
		}
		b := c.BlastRadius
		within := yes(c.Fits)
		switch {
		case !c.Finishes:
			within = "no: paused (waits for a user)"
		case !c.Fits && !c.FitsFailures && !c.FitsFalseRollback:
			within = "no: both"
		case !c.Fits && !c.FitsFailures:
			within = "no: failures"
		case !c.Fits:
			within = "no: false rollbacks"
		}
		g.add(c.Strategy, dur(c.PlannedDuration), strconv.FormatFloat(c.BlastRadiusQuantile, 'f', 0, 64),
			fmt.Sprintf("%s [%s, %s]", fixed(b.Mean, 1), fixed(b.CI95Low, 1), fixed(b.CI95High, 1)),
			percent(c.RollbackProbability), probCell(c.FalseRollbackProbability, c.FalseRollbackCI95), within, yes(c.OnFrontier))
	}
	return g
}

func budgetLine(doc Recommended) string {
	what := "failed requests caused by the new version"
	if doc.Budget.AllFailed() {
		what = "failed requests caused by the new version (on both versions)"
	}
	return fmt.Sprintf("budget: at most %s %s in %s of runs, false rollbacks at most %s", strconv.FormatFloat(doc.Budget.MaxFailed, 'f', -1, 64), what,
		strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64)+" %", strconv.FormatFloat(100*doc.Budget.MaxFalseRollback, 'f', -1, 64)+" %")
}

// AllFailed says the budget counts both versions' failures.
func (b BudgetDoc) AllFailed() bool { return b.Metric == "excess_failed_requests" }

// RecommendTable writes the recommendation for people: the plan in
// CodeDeploy's shapes, then the frontier (all plans with all).
func RecommendTable(w io.Writer, doc Recommended, all bool) error {
	fmt.Fprintf(w, "scenario %s  seed %d  %d runs per plan  %s\n\n", doc.Scenario, doc.Seed, doc.Runs, budgetLine(doc))
	if p := doc.Recommended; p != nil {
		fmt.Fprintf(w, "%s: %s\n\n", p.Strategy, p.Verdict)
		kind := "a custom config"
		switch {
		case p.Predefined:
			kind = "predefined"
		case p.Family != "" && p.Family != "CodeDeploy":
			kind = "the scenario's " + p.Family + " plan"
		}
		fmt.Fprintf(w, "Recommended: %s (%s): planned %s; failed requests it causes p%s %s, mean %s; false rollbacks %s [%s, %s].\n\n", p.Strategy, kind,
			dur(p.PlannedDuration), strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64),
			strconv.FormatFloat(p.BlastRadiusQuantile, 'f', 0, 64), fixed(p.BlastRadius.Mean, 1),
			pc(p.FalseRollbackProbability), pc(p.FalseRollbackCI95[0]), pc(p.FalseRollbackCI95[1]))
		switch {
		case p.AppConfig != nil:
			fmt.Fprintf(w, "An AWS AppConfig deployment strategy (CreateDeploymentStrategy; also a scenario strategy as {DeploymentStrategy: ...}):\n%s\n\n", indent(p.AppConfig))
		case p.ECS != nil:
			fmt.Fprintf(w, "An Amazon ECS deployment (the service's deploymentConfiguration; the whole object is a scenario strategy):\n%s\n\n", indent(p.ECS))
		case p.ArgoRollout != "":
			fmt.Fprintf(w, "An Argo Rollouts plan: the Rollout's spec.strategy, then its AnalysisTemplates (each provider is shiftsim's measure: put your metrics provider's query for it):\n%s\n", p.ArgoRollout)
		case p.FlaggerAnalysis != "":
			fmt.Fprintf(w, "A Flagger plan: the Canary's spec.analysis (a custom metric's provider is shiftsim's measure: in a cluster, a templateRef to your MetricTemplate):\n%s\n", p.FlaggerAnalysis)
		case p.TrafficRoutingConfig == nil:
			fmt.Fprintf(w, "A %s plan: the scenario's strategy %s as written.\n\n", p.Family, p.Strategy)
		}
		if p.TrafficRoutingConfig != nil {
			fmt.Fprintf(w, "TrafficRoutingConfig:\n%s\n\n", indent(p.TrafficRoutingConfig))
		}
		if a := p.Alarm; a != nil {
			fmt.Fprintf(w, "With its alarm: %s %s over %d of %d periods of %d s, TreatMissingData %s (tuned, %s): failed requests expected %.1f, false rollbacks %s.\n\n",
				describeStat(a.Statistic), thresholdText(*a), a.DatapointsToAlarm, a.EvaluationPeriods, a.Period, a.TreatMissingData, a.Method, a.TargetFailed, tunePct(a.FalseRollback))
		} else if doc.WithAlarms {
			fmt.Fprint(w, "With the scenario's own alarm: no alarm of the space keeps false rollbacks within the limit for this plan.\n\n")
		}
		switch {
		case p.TrafficRoutingConfig == nil: // not CodeDeploy's: nothing to create there
		case p.Predefined:
			fmt.Fprintf(w, "Predefined: use DeploymentConfigName %s (SAM DeploymentPreference Type %s).\n\n",
				p.DeploymentConfig.DeploymentConfigName, p.Strategy)
		default:
			fmt.Fprintf(w, "DeploymentConfig (AWS::CodeDeploy::DeploymentConfig properties; also a scenario strategy):\n%s\n\n", indent(p.DeploymentConfig))
			fmt.Fprintf(w, "aws deploy create-deployment-config --cli-input-json:\n%s\n\n", indent(p.CLIInput))
		}
		if p.CloudFormation != "" {
			fmt.Fprintf(w, "The alarm as a CloudFormation resource:\n\n%s\n", p.CloudFormation)
		}
		if len(p.PutMetricAlarm) > 0 {
			fmt.Fprintf(w, "aws cloudwatch put-metric-alarm --cli-input-json:\n%s\n\n", indent(p.PutMetricAlarm))
		}
	} else {
		fmt.Fprint(w, NoPlan(doc))
	}
	if doc.HealthyTarget {
		fmt.Fprint(w, healthyNote)
	}
	title := "Frontier (no plan is both faster and safer on average):"
	if all {
		title = "Every plan, fastest first:"
	}
	fmt.Fprintln(w, title)
	if err := recGrid(doc, all).text(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d plans weighed, fastest first by planned duration; %d skipped as longer than the horizon.\n", len(doc.Candidates), doc.Skipped)
	return err
}

// RecommendMarkdown writes every plan as a Markdown table after the pick.
func RecommendMarkdown(w io.Writer, doc Recommended) error {
	fmt.Fprintf(w, "**%s** · seed %d · %d runs per plan · %s\n\n", doc.Scenario, doc.Seed, doc.Runs, budgetLine(doc))
	if p := doc.Recommended; p != nil {
		var form any = p.DeploymentConfig
		switch {
		case p.AppConfig != nil:
			form = p.AppConfig
		case p.ECS != nil:
			form = p.ECS
		}
		switch {
		case p.ArgoRollout != "":
			fmt.Fprintf(w, "Recommended: **%s** (%s), planned %s.\n\n```yaml\n%s```\n\n", p.Strategy, p.Family, dur(p.PlannedDuration), p.ArgoRollout)
		case p.FlaggerAnalysis != "":
			fmt.Fprintf(w, "Recommended: **%s** (%s), planned %s.\n\n```yaml\n%s```\n\n", p.Strategy, p.Family, dur(p.PlannedDuration), p.FlaggerAnalysis)
		default:
			fmt.Fprintf(w, "Recommended: **%s** (%s), planned %s.\n\n```json\n%s\n```\n\n", p.Strategy, p.Family, dur(p.PlannedDuration), indent(form))
		}
	} else {
		fmt.Fprint(w, NoPlan(doc))
	}
	return recGrid(doc, true).markdown(w)
}

const healthyNote = `Note: the scenario's new version is healthy, so no plan causes failures and the failure budget tests
nothing: the fastest plan that does not roll it back wins. To weigh protection, rehearse a bad release
(faults:, or a higher versions.target.error_rate).

`

// NoPlan says that no plan meets the budget, and which come nearest.
func NoPlan(doc Recommended) string {
	var b strings.Builder
	b.WriteString("No plan meets both the failure budget and the false-rollback limit. Nearest:\n")
	for _, c := range doc.Nearest {
		var miss []string
		if !c.FitsFailures {
			miss = append(miss, fmt.Sprintf("causes %s failed requests at p%s (budget %s)", strconv.FormatFloat(c.BlastRadiusQuantile, 'f', 0, 64),
				strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64), strconv.FormatFloat(doc.Budget.MaxFailed, 'f', -1, 64)))
		}
		if !c.FitsFalseRollback {
			miss = append(miss, fmt.Sprintf("false rollbacks %s (limit %s)", pc(c.FalseRollbackProbability), pc(doc.Budget.MaxFalseRollback)))
		}
		if !c.Finishes {
			miss = append(miss, "ends Paused even on a healthy version (a pause nobody promotes: set deployment.argo_promote_after)")
		}
		fmt.Fprintf(&b, "  %s (planned %s): %s; %s\n", c.Strategy, dur(c.PlannedDuration), strings.Join(miss, ", "), c.Verdict)
	}
	b.WriteString("An alarm that stays quiet on a healthy version (a higher threshold, more datapoints to alarm, an error rate\n" +
		"rather than a count), slower plans, or a hook that tests the new version before traffic may qualify.\n\n")
	return b.String()
}
