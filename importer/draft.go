package importer

import (
	"time"

	"github.com/shiftsim/shiftsim/scenario"
	"github.com/shiftsim/shiftsim/strategies"
)

// Draft is what one import found: the parts of a scenario its source
// determines, where each came from, and the notes. Scenario renders it as a
// complete scenario, MergeInto adds it to an existing one.
type Draft struct {
	// Command is the command line that made the draft, for the header.
	Command string
	// Source is the file imported; Origin says which part of it, e.g.
	// "Resources.MyFunction (AWS::Serverless::Function)".
	Source, Origin string
	Name           string
	Function       *Function
	Versions       *Versions
	Strategies     []Strategy
	Alarms         []Alarm
	Hooks          []Hook
	AutoRollback   *bool
	RollbackFrom   string
	// Application and DeploymentGroup are the CodeDeploy application and
	// deployment group that deploy the function, where the source says;
	// the From fields say where, or start with "DEFAULT:" for a name
	// CloudFormation generates at deploy time.
	Application, ApplicationFrom         string
	DeploymentGroup, DeploymentGroupFrom string
	Notes                                []Note
	// Ignored lists what the source holds that has no effect on a
	// simulation (e.g. DeploymentPreference.Role), for the header.
	Ignored []string
}

// Function is the Lambda function and alias being deployed.
type Function struct {
	Name, Alias         string
	NameFrom, AliasFrom string
}

// Versions are the version numbers and timeout the source gives; empty
// fields are left to defaults.
type Versions struct {
	Current, Target         string
	CurrentFrom, TargetFrom string
	Timeout                 *time.Duration
	TimeoutFrom             string
}

// Strategy is a predefined configuration's name or a custom configuration.
type Strategy struct {
	Name   string
	Custom *strategies.DeploymentConfig
	From   string
}

// Key names the strategy as the scenario does: the name, or the custom
// configuration's DeploymentConfigName.
func (s Strategy) Key() string {
	if s.Custom != nil {
		return s.Custom.DeploymentConfigName
	}
	return s.Name
}

// Alarm is a CloudWatch alarm in the scenario's shape and where it came from.
type Alarm struct {
	Props scenario.Alarm
	From  string
	// Disabled, when set, says why the alarm cannot be simulated: it is
	// written commented out, with this reason.
	Disabled string
	// base is the source path of the alarm's properties, line its line and
	// lines the line of each property path below base.
	base  string
	line  int
	lines map[string]int
}

// Hook is a lifecycle hook the source declares: the event
// (BeforeAllowTraffic, AfterAllowTraffic) and the hook function's name.
type Hook struct {
	Event    string
	Function string
	From     string
	// Generated says the function's name is a stand-in (its logical ID):
	// the template lets CloudFormation name it at deploy time.
	Generated bool
}

// Unresolved returns the notes about values that could not be determined.
func (d *Draft) Unresolved() []Note {
	var out []Note
	for _, n := range d.Notes {
		if n.Unresolved {
			out = append(out, n)
		}
	}
	return out
}

func (d *Draft) note(n Note) { d.Notes = append(d.Notes, n) }
