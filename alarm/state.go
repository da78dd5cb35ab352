package alarm

import (
	"fmt"
	"strings"
)

// State is the state of a metric alarm. The zero value is OK; a newly
// created CloudWatch alarm starts in InsufficientData ("the alarm state is
// immediately set to INSUFFICIENT_DATA", PutMetricAlarm API reference).
type State uint8

// The alarm states, as in the CloudWatch StateValue enum.
const (
	OK State = iota
	Alarm
	InsufficientData
)

var stateNames = [...]string{OK: "OK", Alarm: "ALARM", InsufficientData: "INSUFFICIENT_DATA"}

// String returns the AWS word for s: "OK", "ALARM" or "INSUFFICIENT_DATA".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// ParseState parses an AWS state word ("OK", "ALARM", "INSUFFICIENT_DATA"),
// ignoring case.
func ParseState(s string) (State, error) {
	for i, name := range stateNames {
		if strings.EqualFold(s, name) {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown alarm state %q (want OK, ALARM or INSUFFICIENT_DATA)", s)
}

// MarshalText encodes s as its AWS word.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("invalid alarm state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes an AWS state word with ParseState.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Comparison is a CloudWatch ComparisonOperator for static thresholds. The
// statistic is the first operand: GreaterThanThreshold means value > threshold.
type Comparison uint8

// The static-threshold comparison operators of PutMetricAlarm.
const (
	GreaterThanOrEqualToThreshold Comparison = iota
	GreaterThanThreshold
	LessThanThreshold
	LessThanOrEqualToThreshold
)

var comparisonNames = [...]string{
	GreaterThanOrEqualToThreshold: "GreaterThanOrEqualToThreshold",
	GreaterThanThreshold:          "GreaterThanThreshold",
	LessThanThreshold:             "LessThanThreshold",
	LessThanOrEqualToThreshold:    "LessThanOrEqualToThreshold",
}

var comparisonSymbols = [...]string{
	GreaterThanOrEqualToThreshold: ">=",
	GreaterThanThreshold:          ">",
	LessThanThreshold:             "<",
	LessThanOrEqualToThreshold:    "<=",
}

// String returns the AWS name of c, such as "GreaterThanThreshold".
func (c Comparison) String() string {
	if int(c) < len(comparisonNames) {
		return comparisonNames[c]
	}
	return fmt.Sprintf("Comparison(%d)", uint8(c))
}

// Symbol returns the operator of c as a symbol: ">=", ">", "<" or "<=".
func (c Comparison) Symbol() string {
	if int(c) < len(comparisonSymbols) {
		return comparisonSymbols[c]
	}
	return "?"
}

// ParseComparison parses an AWS ComparisonOperator name, ignoring case, or
// one of the symbols >=, >, <, <=. The anomaly-detection operators
// (LessThanLowerOrGreaterThanUpperThreshold and friends) need a model band
// that shiftsim does not have, so they are rejected with an error.
func ParseComparison(s string) (Comparison, error) {
	for i, name := range comparisonNames {
		if strings.EqualFold(s, name) || s == comparisonSymbols[i] {
			return Comparison(i), nil
		}
	}
	switch strings.ToLower(s) {
	case "lessthanlowerorgreaterthanupperthreshold", "lessthanlowerthreshold", "greaterthanupperthreshold":
		return 0, fmt.Errorf("comparison operator %q is for anomaly-detection alarms, which are not supported by shiftsim (use a static threshold)", s)
	}
	return 0, fmt.Errorf("unknown comparison operator %q (want GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold, or >=, >, <, <=)", s)
}

// MarshalText encodes c as its AWS name.
func (c Comparison) MarshalText() ([]byte, error) {
	if int(c) >= len(comparisonNames) {
		return nil, fmt.Errorf("invalid comparison operator %d", uint8(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText decodes a comparison operator with ParseComparison.
func (c *Comparison) UnmarshalText(b []byte) error {
	v, err := ParseComparison(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Breaches reports whether the datapoint v breaches threshold under c.
// A missing datapoint (NaN) never breaches: what a missing datapoint means is
// decided by TreatMissing, not here.
func (c Comparison) Breaches(v, threshold float64) bool {
	switch c {
	case GreaterThanOrEqualToThreshold:
		return v >= threshold
	case GreaterThanThreshold:
		return v > threshold
	case LessThanThreshold:
		return v < threshold
	case LessThanOrEqualToThreshold:
		return v <= threshold
	}
	return false
}

// TreatMissing is the TreatMissingData setting of an alarm. The zero value,
// Missing, is CloudWatch's default.
type TreatMissing uint8

// The TreatMissingData values of PutMetricAlarm.
const (
	Missing TreatMissing = iota
	Ignore
	Breaching
	NotBreaching
)

var treatNames = [...]string{Missing: "missing", Ignore: "ignore", Breaching: "breaching", NotBreaching: "notBreaching"}

// String returns the AWS word for t: "missing", "ignore", "breaching" or
// "notBreaching".
func (t TreatMissing) String() string {
	if int(t) < len(treatNames) {
		return treatNames[t]
	}
	return fmt.Sprintf("TreatMissing(%d)", uint8(t))
}

// ParseTreatMissing parses a TreatMissingData word, ignoring case; the empty
// string is Missing, as when the field is omitted from PutMetricAlarm.
func ParseTreatMissing(s string) (TreatMissing, error) {
	if s == "" {
		return Missing, nil
	}
	for i, name := range treatNames {
		if strings.EqualFold(s, name) {
			return TreatMissing(i), nil
		}
	}
	return 0, fmt.Errorf("unknown TreatMissingData %q (want missing, ignore, breaching or notBreaching)", s)
}

// MarshalText encodes t as its AWS word.
func (t TreatMissing) MarshalText() ([]byte, error) {
	if int(t) >= len(treatNames) {
		return nil, fmt.Errorf("invalid TreatMissingData %d", uint8(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes a TreatMissingData word with ParseTreatMissing.
func (t *TreatMissing) UnmarshalText(b []byte) error {
	v, err := ParseTreatMissing(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
