package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/shiftsim/shiftsim/strategies"
	"github.com/shiftsim/shiftsim/sweep"
)

// Recommended is the document of `shiftsim recommend`.
type Recommended struct {
	Scenario    string       `json:"scenario"`
	Seed        uint64       `json:"seed"`
	Runs        int          `json:"runs"`
	Budget      BudgetDoc    `json:"budget"`
	Recommended *Plan        `json:"recommended"` // null when no plan fits
	Candidates  []PlanResult `json:"candidates"`  // fastest first
	Skipped     int          `json:"skipped"`     // plans longer than the horizon
}

// BudgetDoc is the failure budget as given.
type BudgetDoc struct {
	MaxFailed  float64 `json:"max_failed"`
	Confidence float64 `json:"confidence"`
	Metric     string  `json:"metric"` // "target_failed_requests" or "failed_requests"
}

// Plan is the recommended configuration, in CodeDeploy's shapes.
type Plan struct {
	Strategy   string `json:"strategy"`
	Predefined bool   `json:"predefined"`
	// TrafficRoutingConfig and DeploymentConfig are CloudFormation's
	// property shapes (AWS::CodeDeploy::DeploymentConfig), which a
	// scenario's deployment.strategies also accepts.
	TrafficRoutingConfig strategies.TrafficRoutingConfig `json:"TrafficRoutingConfig"`
	DeploymentConfig     strategies.DeploymentConfig     `json:"DeploymentConfig"`
	// CLIInput is `aws deploy create-deployment-config --cli-input-json`'s
	// document (the API's lower-case field names).
	CLIInput strategies.APIDeploymentConfig `json:"cli_input_json"`
	PlanResult
}

// PlanResult is one candidate plan against the budget.
type PlanResult struct {
	Strategy            string   `json:"strategy"`
	Type                string   `json:"type"`
	Percentage          int      `json:"percentage,omitempty"`
	Interval            int      `json:"interval_minutes,omitempty"`
	PlannedDuration     float64  `json:"planned_duration_s"`
	BlastRadiusQuantile float64  `json:"blast_radius_quantile"`
	BlastRadius         Dist     `json:"blast_radius"`
	RollbackProbability float64  `json:"rollback_probability"`
	FaultAtFull         *float64 `json:"fault_at_full_before_detection"`
	Fits                bool     `json:"fits"`
	OnFrontier          bool     `json:"on_frontier"`
}

// FromRecommendation converts sweep.Recommend's outcome.
func FromRecommendation(scenario string, seed uint64, rec *sweep.Recommendation) Recommended {
	metric := "target_failed_requests"
	if rec.Budget.AllFailed {
		metric = "failed_requests"
	}
	doc := Recommended{Scenario: scenario, Seed: seed, Runs: rec.Runs, Skipped: rec.Skipped,
		Budget: BudgetDoc{MaxFailed: rec.Budget.MaxFailed, Confidence: rec.Budget.Confidence, Metric: metric}}
	for _, c := range rec.Candidates {
		cfg := c.Strategy.Config
		pr := PlanResult{Strategy: c.Strategy.Name, Type: string(cfg.Type), Percentage: cfg.Percentage, Interval: cfg.Interval,
			PlannedDuration: c.Stats.Planned.Seconds(), BlastRadiusQuantile: c.Quantile, BlastRadius: dist(c.BlastRadius),
			RollbackProbability: c.Stats.RolledBack.P, Fits: c.Fits, OnFrontier: c.OnFrontier}
		if p := c.Stats.FaultAtFull; p != nil {
			pr.FaultAtFull = num(p.P)
		}
		doc.Candidates = append(doc.Candidates, pr)
	}
	if rec.Best >= 0 {
		c := rec.Candidates[rec.Best]
		cfg := c.Strategy.Config
		cfg.Name = c.Strategy.Name
		if n, ok := strategies.PredefinedName(cfg); ok && c.Predefined {
			cfg.Name = n
		}
		d := cfg.DeploymentConfig()
		doc.Recommended = &Plan{Strategy: c.Strategy.Name, Predefined: c.Predefined, TrafficRoutingConfig: *d.TrafficRoutingConfig,
			DeploymentConfig: d, CLIInput: d.API(), PlanResult: doc.Candidates[rec.Best]}
	}
	return doc
}

func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func recGrid(doc Recommended, all bool) *grid {
	g := &grid{head: []string{"plan", "planned", "failed p" + strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64),
		"failed mean [95% CI]", "P(rollback)", "within budget", "frontier"},
		right: []bool{false, true, true, true, true, false, false}}
	for _, c := range doc.Candidates {
		if !all && !c.OnFrontier && !(doc.Recommended != nil && c.Strategy == doc.Recommended.Strategy) {
			continue
		}
		yes := func(b bool) string {
			if b {
				return "yes"
			}
			return ""
		}
		b := c.BlastRadius
		g.add(c.Strategy, dur(c.PlannedDuration), strconv.FormatFloat(c.BlastRadiusQuantile, 'f', -1, 64),
			fmt.Sprintf("%s [%s, %s]", fixed(b.Mean, 1), fixed(b.CI95Low, 1), fixed(b.CI95High, 1)),
			percent(c.RollbackProbability), yes(c.Fits), yes(c.OnFrontier))
	}
	return g
}

func budgetLine(doc Recommended) string {
	what := "failed requests on the new version"
	if doc.Budget.AllFailed() {
		what = "failed requests (both versions)"
	}
	return fmt.Sprintf("budget: at most %s %s in %s of runs", strconv.FormatFloat(doc.Budget.MaxFailed, 'f', -1, 64), what,
		strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64)+" %")
}

// AllFailed says the budget counts both versions' failures.
func (b BudgetDoc) AllFailed() bool { return b.Metric == "failed_requests" }

// RecommendTable writes the recommendation for people: the plan in
// CodeDeploy's shapes, then the frontier (all plans with all).
func RecommendTable(w io.Writer, doc Recommended, all bool) error {
	fmt.Fprintf(w, "scenario %s  seed %d  %d runs per plan  %s\n\n", doc.Scenario, doc.Seed, doc.Runs, budgetLine(doc))
	if p := doc.Recommended; p != nil {
		kind := "a custom config"
		if p.Predefined {
			kind = "predefined"
		}
		fmt.Fprintf(w, "Recommended: %s (%s): planned %s; failed requests p%s %s, mean %s.\n\n", p.Strategy, kind,
			dur(p.PlannedDuration), strconv.FormatFloat(100*doc.Budget.Confidence, 'f', -1, 64),
			strconv.FormatFloat(p.BlastRadiusQuantile, 'f', -1, 64), fixed(p.BlastRadius.Mean, 1))
		fmt.Fprintf(w, "TrafficRoutingConfig:\n%s\n\n", indent(p.TrafficRoutingConfig))
		if p.Predefined {
			fmt.Fprintf(w, "Predefined: use DeploymentConfigName %s (SAM DeploymentPreference Type %s).\n\n",
				p.DeploymentConfig.DeploymentConfigName, p.Strategy)
		} else {
			fmt.Fprintf(w, "DeploymentConfig (AWS::CodeDeploy::DeploymentConfig properties; also a scenario strategy):\n%s\n\n", indent(p.DeploymentConfig))
			fmt.Fprintf(w, "aws deploy create-deployment-config --cli-input-json:\n%s\n\n", indent(p.CLIInput))
		}
	} else {
		fmt.Fprintf(w, "No plan keeps within the budget: even the safest fails it. Slower plans, a faster alarm (shorter\nperiods, fewer datapoints), or a hook that tests the new version before traffic may.\n\n")
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
		fmt.Fprintf(w, "Recommended: **%s**, planned %s.\n\n```json\n%s\n```\n\n", p.Strategy, dur(p.PlannedDuration), indent(p.DeploymentConfig))
	} else {
		fmt.Fprintf(w, "No plan keeps within the budget.\n\n")
	}
	return recGrid(doc, true).markdown(w)
}
