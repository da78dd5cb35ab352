package strategies

import (
	"reflect"
	"testing"
	"time"
)

// FuzzFromDeploymentConfig checks, for any pasted config that parses: it is
// valid, it round-trips through DeploymentConfig, and under both linear models
// its Plan passes Plan.Validate and keeps the invariants the controller relies
// on (percent nondecreasing, last = 100, End >= last step, span <= 2880 min).
func FuzzFromDeploymentConfig(f *testing.F) {
	f.Add("Canary25Percent45Minutes", "Lambda", "TimeBasedCanary", true, false, 25, 45, 0, 0)
	f.Add("", "", "TimeBasedLinear", false, true, 0, 0, 30, 2)
	f.Add("x", "Lambda", "TimeBasedLinear", false, true, 0, 0, 1, 28)
	f.Add("x", "Lambda", "TimeBasedLinear", false, true, 0, 0, 99, 1440)
	f.Add("all", "Lambda", "AllAtOnce", false, false, 0, 0, 0, 0)
	f.Add("CodeDeployDefault.LambdaLinear10PercentEvery3Minutes", "Lambda", "TimeBasedLinear", false, true, 0, 0, 10, 3)
	f.Add("x", "ECS", "TimeBasedFlexible", true, true, -1, -1, 1<<62, 1<<62)
	f.Fuzz(func(t *testing.T, name, platform, typ string, hasCanary, hasLinear bool, cp, ci, lp, li int) {
		d := DeploymentConfig{DeploymentConfigName: name, ComputePlatform: platform,
			TrafficRoutingConfig: &TrafficRoutingConfig{Type: typ}}
		if hasCanary {
			d.TrafficRoutingConfig.TimeBasedCanary = &TimeBasedCanary{cp, ci}
		}
		if hasLinear {
			d.TrafficRoutingConfig.TimeBasedLinear = &TimeBasedLinear{lp, li}
		}
		c, err := FromDeploymentConfig(d)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config %+v fails Validate: %v", c, err)
		}
		back, err := FromDeploymentConfig(c.DeploymentConfig())
		if err != nil || back != c {
			t.Fatalf("round trip of %+v: %+v, %v", c, back, err)
		}
		for _, m := range []LinearModel{EndAfterLastInterval, EndAtLastShift} {
			p := c.Plan(m)
			if err := p.Validate(); err != nil {
				t.Fatalf("%+v.Plan(%v) invalid: %v", c, m, err)
			}
			for i := 1; i < len(p.Steps); i++ {
				if p.Steps[i].Percent < p.Steps[i-1].Percent || p.Steps[i].At < p.Steps[i-1].At {
					t.Fatalf("%+v.Plan(%v) decreases at step %d: %v", c, m, i, p.Steps)
				}
			}
			last := p.Steps[len(p.Steps)-1]
			if last.Percent != 100 || p.End < last.At || p.End > MaxSpanMinutes*time.Minute {
				t.Fatalf("%+v.Plan(%v): last %v end %v", c, m, last, p.End)
			}
			if p.PercentAt(p.End) != 100 || p.PercentAt(-1) != 0 {
				t.Fatalf("%+v.Plan(%v): PercentAt wrong at the ends", c, m)
			}
			if !reflect.DeepEqual(p, c.Plan(m)) {
				t.Fatal("Plan is not deterministic")
			}
		}
	})
}

// FuzzLookup checks that any name either resolves (keeping the name as given)
// or yields a *NameError whose suggestions are all names Lookup accepts.
func FuzzLookup(f *testing.F) {
	for _, n := range names() {
		f.Add(n)
	}
	f.Add("Linear10PercentEvery1Minutes")
	f.Add("CodeDeployDefault.ECSAllAtOnce")
	f.Fuzz(func(t *testing.T, name string) {
		c, err := Lookup(name)
		if err == nil {
			if c.Name != name || c.Validate() != nil {
				t.Fatalf("Lookup(%q) = %+v", name, c)
			}
			return
		}
		ne, ok := err.(*NameError)
		if !ok || err.Error() == "" {
			t.Fatalf("Lookup(%q) error %v is not a *NameError", name, err)
		}
		for _, s := range ne.Suggestions {
			if _, err := Lookup(s); err != nil {
				t.Fatalf("suggestion %q for %q is not a known name", s, name)
			}
		}
	})
}
