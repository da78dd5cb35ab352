package strategies

import "testing"

// Every predefined config's parameters give back its SAM short name: the
// pattern is CodeDeploy's own (CD-UG:deployment-configurations).
func TestGeneratedNameOfPredefined(t *testing.T) {
	for _, c := range Predefined() {
		if got, want := GeneratedName(c), ShortName(c); got != want {
			t.Errorf("GeneratedName(%s) = %s, want %s", c.Name, got, want)
		}
	}
}

func TestParseName(t *testing.T) {
	for _, tt := range []struct {
		name string
		want Config
		ok   bool
	}{
		{"Canary5Percent5Minutes", Config{Type: Canary, Percentage: 5, Interval: 5}, true},
		{"Linear20PercentEvery3Minutes", Config{Type: Linear, Percentage: 20, Interval: 3}, true},
		{"Linear50PercentEvery1Minute", Config{Type: Linear, Percentage: 50, Interval: 1}, true},
		{"Canary10Percent1Minute", Config{Type: Canary, Percentage: 10, Interval: 1}, true},
		{"Canary100Percent5Minutes", Config{}, false},     // 100 % is out of 1..99
		{"Linear1PercentEvery30Minutes", Config{}, false}, // 100 × 30 min > 2880
		{"Canary05Percent5Minutes", Config{}, false},
		{"Canary10Percent5Minute", Config{}, false},       // a typo of a predefined name, not a custom config
		{"Linear50PercentEvery1Minutes", Config{}, false}, // CodeDeploy spells it Every1Minute
		{"Canary5Percent5", Config{}, false},
		{"Linear5Percent5Minutes", Config{}, false}, // no Every
		{"Canary5PercentEvery5Minutes", Config{}, false},
		{"Blue", Config{}, false},
		{"Canary-5Percent5Minutes", Config{}, false},
		{"Canary99999999999999999999Percent5Minutes", Config{}, false},
	} {
		got, ok := ParseName(tt.name)
		if ok != tt.ok {
			t.Errorf("ParseName(%q) ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		tt.want.Name = tt.name
		if got != tt.want {
			t.Errorf("ParseName(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
		// The round trip: the generated name of the parsed config.
		if g := GeneratedName(got); g != tt.name {
			t.Errorf("GeneratedName(ParseName(%q)) = %q", tt.name, g)
		}
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"Canary5Percent5Minutes", "Linear10PercentEvery1Minute", "Canary", "Linear1PercentEvery"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c, ok := ParseName(name)
		if !ok {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseName(%q) accepted an invalid config: %v", name, err)
		}
		again, ok := ParseName(GeneratedName(c))
		if !ok || again.Type != c.Type || again.Percentage != c.Percentage || again.Interval != c.Interval {
			t.Fatalf("round trip of %q: %+v, %v", name, again, ok)
		}
	})
}

func TestPredefinedName(t *testing.T) {
	for _, c := range Predefined() {
		c2 := c
		c2.Name = "Mine"
		if n, ok := PredefinedName(c2); !ok || n != c.Name {
			t.Errorf("PredefinedName(%+v) = %q, %v; want %s", c2, n, ok, c.Name)
		}
	}
	if n, ok := PredefinedName(Config{Type: Canary, Percentage: 5, Interval: 5}); ok {
		t.Errorf("custom canary named predefined %s", n)
	}
}

// The API wire form and the CLI shorthand carry the same schedule as the
// CloudFormation shape (CD-UG:deployment-configurations-create shows both).
func TestAPIForms(t *testing.T) {
	d := Config{Name: "Linear20PercentEvery2Minutes", Type: Linear, Percentage: 20, Interval: 2}.DeploymentConfig()
	a := d.API()
	if a.DeploymentConfigName != "Linear20PercentEvery2Minutes" || a.ComputePlatform != "Lambda" || a.TrafficRoutingConfig.Type != "TimeBasedLinear" ||
		a.TrafficRoutingConfig.TimeBasedLinear == nil || *a.TrafficRoutingConfig.TimeBasedLinear != (APILinear{20, 2}) || a.TrafficRoutingConfig.TimeBasedCanary != nil {
		t.Errorf("%+v", a)
	}
	if got, want := d.TrafficRoutingConfig.Shorthand(), "type=TimeBasedLinear,timeBasedLinear={linearPercentage=20,linearInterval=2}"; got != want {
		t.Errorf("shorthand %q, want %q", got, want)
	}
	if got := (Config{Type: AllAtOnce}).DeploymentConfig().TrafficRoutingConfig.Shorthand(); got != "type=AllAtOnce" {
		t.Errorf("AllAtOnce shorthand %q", got)
	}
}
