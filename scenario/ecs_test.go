package scenario

import (
	"strconv"
	"strings"
	"testing"

	"github.com/shiftsim/shiftsim/strategies"
)

// ecsDoc is base with ECS plans in every form a scenario may write them.
const ecsDoc = base + `    - {name: slow, deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 12.5, stepBakeTimeInMinutes: 2}, bakeTimeInMinutes: 5}}
    - deploymentConfiguration:
        strategy: CANARY
        bakeTimeInMinutes: 10
    - deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: 15}
      testTrafficTimeInMinutes: 5
    - ECS.Linear20PercentEvery1MinuteBake3Minutes
`

func TestECSStrategies(t *testing.T) {
	s, err := Parse("ecs.yaml", []byte(ecsDoc))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		typ  strategies.Type
		ecs  strategies.ECSConfig
	}{
		{"slow", strategies.ECSLinear, strategies.ECSConfig{Percent: 12.5, StepBake: 2, Bake: 5}},
		{"ECS.Canary5Percent10MinutesBake10Minutes", strategies.ECSCanary, strategies.ECSConfig{Percent: 5, StepBake: 10, Bake: 10}},
		{"ECS.BlueGreenTest5MinutesBake15Minutes", strategies.ECSBlueGreen, strategies.ECSConfig{Bake: 15, TestTraffic: 5}},
		{"ECS.Linear20PercentEvery1MinuteBake3Minutes", strategies.ECSLinear, strategies.ECSConfig{Percent: 20, StepBake: 1, Bake: 3}},
	}
	if len(s.Strategies) != 2+len(want) {
		t.Fatalf("%d strategies", len(s.Strategies))
	}
	for i, w := range want {
		st := s.Strategies[2+i]
		if st.Name != w.name || st.Config.Type != w.typ || st.Config.ECS != w.ecs {
			t.Errorf("strategy %d: %s %s %+v, want %+v", 2+i, st.Name, st.Config.Type, st.Config.ECS, w)
		}
	}
	// run --strategy finds an ECS plan by its generated name even when the
	// scenario does not list it.
	st, err := s.Strategy("ECS.Canary10Percent3MinutesBake1Minute")
	if err != nil || st.Config.ECS != (strategies.ECSConfig{Percent: 10, StepBake: 3, Bake: 1}) {
		t.Errorf("Strategy: %+v, %v", st, err)
	}
}

// A bad ECS field is reported at its line, with the field's path and the
// accepted range.
func TestECSErrorsNameLineAndField(t *testing.T) {
	line := strings.Count(base, "\n") + 1
	for _, c := range []struct{ entry, want string }{
		{"    - {name: x, deploymentConfiguration: {strategy: LINEAR, linearConfiguration: {stepPercent: 2.9}, bakeTimeInMinutes: 5}}",
			"deployment.strategies[2].deploymentConfiguration.linearConfiguration.stepPercent: 2.9 is below the minimum 3: want 3 to 100"},
		{"    - {deploymentConfiguration: {strategy: CANARY, canaryConfiguration: {canaryPercent: 5.05}, bakeTimeInMinutes: 5}}",
			"deployment.strategies[2].deploymentConfiguration.canaryConfiguration.canaryPercent: 5.05 is not a multiple of 0.1"},
		{"    - {deploymentConfiguration: {strategy: CANARY}}",
			"deployment.strategies[2].deploymentConfiguration.bakeTimeInMinutes: missing (required"},
		{"    - {deploymentConfiguration: {strategy: BLUE_GREEN, bakeTimeInMinutes: 2000}}",
			"deployment.strategies[2].deploymentConfiguration.bakeTimeInMinutes: 2000 is above the maximum 1440"},
		{"    - {deploymentConfiguration: {strategy: LINEAR, bakeTimeInMinutes: 1, linearConfiguration: {stepPercnt: 5}}}",
			"deployment.strategies[2].deploymentConfiguration.linearConfiguration.stepPercnt: unknown field (did you mean stepPercent?)"},
		{"    - {deploymentConfiguration: {strategy: Linear, bakeTimeInMinutes: 1}}",
			`deployment.strategies[2].deploymentConfiguration.strategy: "Linear" is not an ECS deployment strategy (did you mean LINEAR?)`},
		// An entry with the ECS plan's other keys but not deploymentConfiguration,
		// or a name alone, says which key is missing (it said name was not a
		// CodeDeploy field).
		{"    - {name: bg, testTrafficTimeInMinutes: 3}",
			"deployment.strategies[2].deploymentConfiguration: missing: testTrafficTimeInMinutes belongs to an ECS plan"},
		{"    - {name: bg}",
			"deployment.strategies[2]: a named strategy needs its shape beside name: deploymentConfiguration (ECS), canary or blueGreen (Argo Rollouts) or analysis (Flagger)"},
		{"    - ECS.Linear2PercentEvery1MinuteBake3Minutes", "deployment.strategies[2]: \"ECS.Linear2PercentEvery1MinuteBake3Minutes\" is not an ECS plan name"},
		{"    - {deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 1, alarms: {alarmNames: [v2-erors], enable: true, rollback: true}}}",
			`deployment.strategies[2].deploymentConfiguration.alarms.alarmNames[0]: "v2-erors" is not an alarm of the scenario (did you mean v2-errors?)`},
		{"    - {deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 1, alarms: {alarmNames: [v2-errors], enable: true}}}",
			"deployment.strategies[2].deploymentConfiguration.alarms.rollback: missing (required"},
		{"    - {deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 1, alarms: {alarmNames: [], enable: true, rollback: true}}}",
			"deployment.strategies[2].deploymentConfiguration.alarms.alarmNames: missing (required"},
		{"    - {deploymentConfiguration: {strategy: CANARY, bakeTimeInMinutes: 1, alarms: {alarmNames: [v2-errors], enable: true, rollback: true, Enable: true}}}",
			"deployment.strategies[2].deploymentConfiguration.alarms.Enable: unknown field"},
	} {
		_, err := Parse("e.yaml", []byte(base+c.entry+"\n"))
		want := "e.yaml:" + strconv.Itoa(line) + ": " + c.want
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v\nwant %s", err, want)
		}
	}
}
