package sweep

import (
	"testing"
)

func TestParseVaryAndGrid(t *testing.T) {
	a, err := ParseVary("traffic.rate=10, 100,1000")
	if err != nil || a.Path != "traffic.rate" || len(a.Values) != 3 || a.Values[1] != "100" {
		t.Fatalf("%+v %v", a, err)
	}
	b, _ := ParseVary("faults[0].error_rate=0.01,0.05")
	g := Grid([]Vary{a, b})
	if len(g) != 6 || Label(g[0]) != "traffic.rate=10 faults[0].error_rate=0.01" || Label(g[5]) != "traffic.rate=1000 faults[0].error_rate=0.05" {
		t.Errorf("grid %v", g)
	}
	for _, bad := range []string{"traffic.rate", "=1", "x=", "a=1,,2"} {
		if _, err := ParseVary(bad); err == nil {
			t.Errorf("ParseVary(%q) accepted", bad)
		}
	}
}
