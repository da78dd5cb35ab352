package strategies

import (
	"fmt"
	"strconv"
	"strings"
)

// GeneratedName names c by its parameters in CodeDeploy's own pattern, the
// one the predefined configs follow: "Canary5Percent15Minutes",
// "Linear20PercentEvery2Minutes", "AllAtOnce"; a one-minute interval is
// singular, as in Linear10PercentEvery1Minute. A predefined schedule gets
// its SAM short name. It is the name `recommend` gives the plans it weighs,
// and ParseName reads it back (docs/strategy-names.md).
func GeneratedName(c Config) string {
	minutes := func(n int) string {
		if n == 1 {
			return "1Minute"
		}
		return strconv.Itoa(n) + "Minutes"
	}
	switch c.Type {
	case Canary:
		return fmt.Sprintf("Canary%dPercent%s", c.Percentage, minutes(c.Interval))
	case Linear:
		return fmt.Sprintf("Linear%dPercentEvery%s", c.Percentage, minutes(c.Interval))
	case AppConfig, ArgoCanary, ArgoBlueGreen, FlaggerType: // their own names follow no such pattern
		return c.Name
	case ECSLinear, ECSCanary, ECSBlueGreen:
		return ecsName(c)
	}
	return string(AllAtOnce)
}

// ParseName reads a name GeneratedName writes back into a config named
// name, validated: "Canary5Percent15Minutes" is a canary of 5 % for 15
// minutes. Only GeneratedName's exact spelling is accepted, so that a typo
// of a predefined name ("Canary10Percent5Minute") is not taken for a
// custom config; predefined names, short or full, are Lookup's.
func ParseName(name string) (Config, bool) {
	var c Config
	var rest string
	switch {
	case strings.HasPrefix(name, "Canary"):
		c.Type, rest = Canary, name[len("Canary"):]
	case strings.HasPrefix(name, "Linear"):
		c.Type, rest = Linear, name[len("Linear"):]
	default:
		return Config{}, false
	}
	pct, rest, ok := leadingInt(rest)
	if !ok {
		return Config{}, false
	}
	if rest, ok = strings.CutPrefix(rest, "Percent"); !ok {
		return Config{}, false
	}
	if c.Type == Linear {
		if rest, ok = strings.CutPrefix(rest, "Every"); !ok {
			return Config{}, false
		}
	}
	iv, rest, ok := leadingInt(rest)
	if !ok || rest != "Minutes" && rest != "Minute" {
		return Config{}, false
	}
	c.Name, c.Percentage, c.Interval = name, pct, iv
	if GeneratedName(c) != name || c.Validate() != nil {
		return Config{}, false
	}
	return c, true
}

// leadingInt splits a decimal number without sign or leading zero off s.
func leadingInt(s string) (int, string, bool) {
	i := 0
	for i < len(s) && i < 6 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || s[0] == '0' {
		return 0, s, false
	}
	n, err := strconv.Atoi(s[:i])
	return n, s[i:], err == nil
}
