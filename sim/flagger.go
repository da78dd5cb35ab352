package sim

import "github.com/shiftsim/shiftsim/strategies"

// flaggerOf is c's Flagger analysis, nil for any other plan. The controller
// runs it tick by tick and asks for its metric checks as gates (gate.go).
func flaggerOf(c strategies.Config) *strategies.FlaggerPlan {
	if c.Type == strategies.FlaggerType {
		return c.Flagger
	}
	return nil
}
