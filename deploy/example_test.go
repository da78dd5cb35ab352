package deploy_test

import (
	"fmt"
	"time"

	"github.com/shiftsim/shiftsim/deploy"
	"github.com/shiftsim/shiftsim/strategies"
)

// The caller owns time: it delivers a Tick at each Deadline and the other
// events as they happen, and carries out the returned actions.
func Example() {
	sc, _ := strategies.Lookup("Canary10Percent5Minutes")
	c, err := deploy.New(deploy.Config{
		Plan:         sc.Plan(strategies.EndAfterLastInterval),
		Hooks:        []deploy.Hook{deploy.BeforeAllowTraffic},
		Alarms:       []string{"Errors"},
		AutoRollback: true,
	})
	if err != nil {
		panic(err)
	}
	step := func(now time.Duration, ev deploy.Event) {
		for _, a := range c.Step(now, ev) {
			fmt.Printf("%v %v -> %v\n", now, ev, a)
		}
	}
	step(0, deploy.Event{Kind: deploy.AlarmState, Alarm: 0, InAlarm: false})
	step(0, deploy.Event{Kind: deploy.Start})
	step(20*time.Second, deploy.Event{Kind: deploy.HookResult, Hook: deploy.BeforeAllowTraffic, Succeeded: true})
	at, _ := c.Deadline()
	fmt.Println("next deadline", at)
	step(3*time.Minute, deploy.Event{Kind: deploy.AlarmState, Alarm: 0, InAlarm: true})
	fmt.Println(c.Status())
	// Output:
	// 0s Start -> InvokeHook BeforeAllowTraffic
	// 20s HookResult BeforeAllowTraffic Succeeded -> SetWeight 10
	// next deadline 5m20s
	// 3m0s AlarmState 0 ALARM -> Rollback
	// 3m0s AlarmState 0 ALARM -> Finish Stopped ALARM_ACTIVE alarm:Errors weight=0
	// Stopped
}
