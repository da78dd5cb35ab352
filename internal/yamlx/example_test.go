package yamlx_test

import (
	"fmt"

	"github.com/shiftsim/shiftsim/internal/yamlx"
)

type alarm struct {
	AlarmName          string
	Threshold          float64
	ComparisonOperator string
}

type file struct {
	Alarms []alarm `yaml:"alarms"`
}

func ExampleDecode() {
	doc := []byte(`alarms:
  - AlarmName: errors
    Threshold: 5
    ComparisonOperatr: GreaterThanThreshold
`)
	var f file
	_, err := yamlx.Decode("scenarios/bad.yaml", doc, &f)
	fmt.Println(err)
	// Output:
	// scenarios/bad.yaml:4: alarms[0].ComparisonOperatr: unknown field (did you mean ComparisonOperator?)
}

func ExamplePositions_Errorf() {
	doc := []byte(`alarms:
  - AlarmName: errors
    Threshold: -1
    ComparisonOperator: GreaterThanThreshold
`)
	var f file
	pos, err := yamlx.Decode("scenario.yaml", doc, &f)
	if err != nil {
		panic(err)
	}
	// Semantic checks come after decoding and still point at the line.
	for i, a := range f.Alarms {
		if a.Threshold < 0 {
			fmt.Println(pos.Errorf(yamlx.Key(yamlx.Index("alarms", i), "Threshold"), "must not be negative, got %g", a.Threshold))
		}
	}
	// Output:
	// scenario.yaml:3: alarms[0].Threshold: must not be negative, got -1
}
