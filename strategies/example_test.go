package strategies_test

import (
	"fmt"

	"github.com/shiftsim/shiftsim/strategies"
)

func ExampleLookup() {
	c, err := strategies.Lookup("Linear10PercentEvery3Minutes")
	if err != nil {
		panic(err)
	}
	p := c.Plan(strategies.EndAfterLastInterval)
	fmt.Println(c.Type, c.Percentage, c.Interval)
	fmt.Println("100% at", p.Steps[len(p.Steps)-1].At, "complete at", p.End)

	_, err = strategies.Lookup("Linear10PercentEvery1Minutes")
	fmt.Println(err)
	// Output:
	// TimeBasedLinear 10 3
	// 100% at 27m0s complete at 30m0s
	// unknown Lambda deployment configuration "Linear10PercentEvery1Minutes" (did you mean Linear10PercentEvery1Minute?)
}

func ExampleFromDeploymentConfig() {
	// The CLI example of CD-UG:deployment-configurations-create.
	c, err := strategies.FromDeploymentConfig(strategies.DeploymentConfig{
		DeploymentConfigName: "Canary25Percent45Minutes",
		ComputePlatform:      "Lambda",
		TrafficRoutingConfig: &strategies.TrafficRoutingConfig{
			Type:            "TimeBasedCanary",
			TimeBasedCanary: &strategies.TimeBasedCanary{CanaryPercentage: 25, CanaryInterval: 45},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, s := range c.Plan(strategies.EndAfterLastInterval).Steps {
		fmt.Printf("%v %v%%\n", s.At, s.Percent)
	}

	_, err = strategies.FromDeploymentConfig(strategies.DeploymentConfig{
		TrafficRoutingConfig: &strategies.TrafficRoutingConfig{
			Type:            "TimeBasedCanary",
			TimeBasedCanary: &strategies.TimeBasedCanary{CanaryPercentage: 120, CanaryInterval: 5},
		},
	})
	fmt.Println(err)
	// Output:
	// 0s 25%
	// 45m0s 100%
	// TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage: 120 is out of range 1..99
}
