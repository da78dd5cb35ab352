package importer_test

import (
	"fmt"

	"github.com/shiftsim/shiftsim/importer"
	"github.com/shiftsim/shiftsim/strategies"
)

// A custom canary as the AWS CLI creates it (CD-UG:deployment-configurations-create).
func ExampleExport_CLI() {
	e := importer.Export{Config: strategies.Config{Name: "Canary25Percent45Minutes", Type: strategies.Canary, Percentage: 25, Interval: 45}}
	out, _ := e.CLI()
	fmt.Print(string(out))
	// Output:
	// aws deploy create-deployment-config \
	//     --deployment-config-name Canary25Percent45Minutes \
	//     --compute-platform Lambda \
	//     --traffic-routing-config 'type=TimeBasedCanary,timeBasedCanary={canaryPercentage=25,canaryInterval=45}'
}

// Where a template leaves a value to deploy time, the import says where and
// how to supply it.
func ExampleSAM() {
	tmpl := `Parameters:
  Stage: {Type: String}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub orders-${Stage}
      AutoPublishAlias: live
      DeploymentPreference: {Type: Canary10Percent5Minutes}
`
	d, _ := importer.SAM("template.yaml", []byte(tmpl), importer.Options{})
	for _, n := range d.Unresolved() {
		fmt.Println(n)
	}
	d, _ = importer.SAM("template.yaml", []byte(tmpl), importer.Options{Parameters: map[string]string{"Stage": "prod"}})
	fmt.Println(d.Summary())
	// Output:
	// template.yaml:7: Resources.Fn.Properties.FunctionName: !Sub "orders-${Stage}" cannot be resolved offline: parameter Stage has no Default; pass --parameter Stage=VALUE; the scenario calls the function Fn (so does every !Ref Fn)
	// imported function orders-prod:live, strategy Canary10Percent5Minutes, 0 unresolved
}
