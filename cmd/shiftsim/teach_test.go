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
