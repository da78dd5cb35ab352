package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// run --explain narrates what CodeDeploy did and what it cost, in words.
func TestRunExplain(t *testing.T) {
	code, out, errs := runCLI("run", "../../scenarios/bad-canary.yaml", "-s", "Canary10Percent5Minutes", "--explain")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Seed 42 draws poll phase 22s: CloudWatch's minutes end at 22 s past
	// each minute of the clock, so the alarm first evaluates 22 s into the
	// window (t-4m38s: times count from the deployment start, 5m in) and
	// sees the canary's second full minute at t+2m22s.
	for _, re := range []string{
		`Poll phase 22s \(drawn from the seed: monitoring.poll_phase is random\)`,
		`t\+0m00s +CodeDeploy sends 10 % of the requests to version 2; version 1 keeps 90 % — alarm orders-live-v2-errors has been OK since t-4m38s\.`,
		`CloudWatch moves alarm orders-live-v2-errors from OK to ALARM: .*breach`,
		`CodeDeploy rolls back: the alias sends every request to version 1 again\. In the 2m22s at 10 %, version 2 served [\d,]+ requests and [\d,]+ of them failed`,
		`The deployment ends with status Stopped \(alarm:orders-live-v2-errors\)\.`,
		`The problem was detected at t\+2m22s`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the narration lacks %q:\n%s", re, out)
		}
	}
	_, out, _ = runCLI("run", "../../scenarios/bad-canary.yaml", "-s", "AllAtOnce", "--explain")
	if !strings.Contains(out, "too late to roll back") || !strings.Contains(out, "CodeDeploy moves 100 % of the traffic to version 2") {
		t.Errorf("AllAtOnce narration:\n%s", out)
	}
}

// The demo plays the narration at --speed: the waits add up to the
// simulated window divided by the speed, and nothing else waits.
func TestDemoPlaysAtSpeed(t *testing.T) {
	var slept time.Duration
	sleep = func(d time.Duration) { slept += d }
	defer func() { sleep = time.Sleep }()
	code, out, errs := runCLI("demo", "bad-canary", "--speed", "120")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := 30 * time.Minute / 120; slept != want {
		t.Errorf("slept %v, want %v (30 virtual minutes at 120x)", slept, want)
	}
	for _, want := range []string{"[##..................]  10%", "CodeDeploy rolls back", "end of the simulated window"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	slept = 0
	if code, _, _ := runCLI("demo", "hook-catches.yaml", "--speed", "0"); code != 0 || slept != 0 {
		t.Errorf("--speed 0: exit %d, slept %v", code, slept)
	}
	if code, _, errs := runCLI("demo", "no-such-scenario"); code != 2 || !strings.Contains(errs, "bad-canary") {
		t.Errorf("unknown scenario: exit %d, %s", code, errs)
	}
}

// run --explain tells each family's plan in that family's words: the alias
// operations are the same, but Argo Rollouts sets weights and aborts,
// Flagger advances the canary weight and rolls back, ECS shifts the green
// revision and bakes, AppConfig logs its events and states. None of them
// is called CodeDeploy.
func TestRunExplainSpeaksEachFamily(t *testing.T) {
	for _, c := range []struct {
		path, strategy string
		want           []string
	}{
		{"../../examples/argo.yaml", "argo-canary", []string{
			"Scenario argo (seed 1), Argo Rollouts strategy argo-canary.",
			"t+0m00s     Argo Rollouts starts the rollout (argo-canary): orders:live moves from the stable version 1 to version 2.",
			"t+0m00s     A setWeight step sends 10 % of the requests to the canary, version 2; the stable version 1 keeps 90 % — no alarm has reported yet.",
			"t+4m00s     Argo Rollouts aborts the rollout: the alias sends every request to the stable version 1 again. In the 4m00s at 10 %, version 2 served 1,202 requests and 38 of them failed (3.16%).",
			"t+4m00s     The rollout ends aborted (Argo's phase Degraded; status Stopped, gate:error-rate).",
		}},
		{"../../examples/argo.yaml", "argo-blue-green", []string{
			"t+0m00s     Argo Rollouts promotes version 2: the active Service switches to it, and it takes 100 % of the traffic — no alarm has reported yet.",
		}},
		{"../../examples/flagger.yaml", "flagger-sequential", []string{
			"Scenario flagger (seed 1), Flagger canary analysis flagger-sequential.",
			"t+0m30s     Flagger advances the canary weight to 5 %: the canary, version 2, gets 5 % of the requests and the primary, version 1, keeps 95 % — no alarm has reported yet.",
			"t+1m00s     Flagger advances the canary weight from 5 % to 10 % — no alarm has reported yet.",
			"t+2m30s     Flagger rolls the canary back: the alias sends every request to the primary, version 1, again.",
			"t+2m30s     The canary analysis fails (Flagger's phase Failed; status Stopped, gate:sequential).",
		}},
		{"../../scenarios/peers.yaml", "ecs-linear", []string{
			"Scenario peers (seed 11), ECS deploymentConfiguration ecs-linear.",
			"ECS's alarm polls (if on an interval) 19s into each interval",
			"t+0m00s     ECS starts the LINEAR deployment (ecs-linear): orders:live moves from the blue revision, version 1, to the green revision, version 2.",
			"t+2m00s     ECS shifts the green version 2 from 12.5 % to 25 % of production traffic (a LINEAR step; its step bake, stepBakeTimeInMinutes, is 2 min)",
			"ECS fails the deployment and rolls back when it next reads the alarm's state.",
			"t+2m19s     ECS rolls back: the deployment fails and production traffic returns to the blue revision, version 1.",
			"t+2m19s     The deployment ends rolled back (ECS's ROLLBACK_SUCCESSFUL; status Stopped, alarm:orders-live-v2-errors).",
		}},
		{"../../scenarios/peers.yaml", "ecs-canary", []string{
			"t+0m00s     ECS shifts 5 % of production traffic to the green version 2 (the CANARY; canaryBakeTimeInMinutes is 10 min); the blue version 1 keeps 95 %",
		}},
		{"../../scenarios/peers.yaml", "AppConfig.Linear20PercentEvery6Minutes", []string{
			"Scenario peers (seed 11), AppConfig deployment strategy AppConfig.Linear20PercentEvery6Minutes.",
			"t+0m00s     AppConfig starts the deployment (AppConfig.Linear20PercentEvery6Minutes): orders:live moves from version 1 to 2. AppConfig logs DEPLOYMENT_STARTED; the deployment is DEPLOYING.",
			"t+6m00s     AppConfig deploys version 2 to 20 % of the requests; version 1 keeps 80 % — alarm orders-live-v2-errors has been OK since t-4m41s. AppConfig logs PERCENTAGE_UPDATED; the deployment is DEPLOYING.",
			"t+8m19s     AppConfig rolls back: the alias sends every request to version 1 again. AppConfig logs ROLLBACK_STARTED; the deployment is ROLLING_BACK.",
			"AppConfig logs ROLLBACK_COMPLETED; the deployment is ROLLED_BACK.",
		}},
	} {
		code, out, errs := runCLI("run", c.path, "-s", c.strategy, "--explain")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.strategy, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the narration lacks %q:\n%s", c.strategy, w, out)
			}
		}
		if strings.Contains(out, "CodeDeploy") {
			t.Errorf("%s: a %s plan narrated as CodeDeploy's:\n%s", c.strategy, c.path, out)
		}
	}
}
