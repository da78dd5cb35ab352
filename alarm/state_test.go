package alarm

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseState(t *testing.T) {
	for in, want := range map[string]State{
		"OK": OK, "ALARM": Alarm, "INSUFFICIENT_DATA": InsufficientData,
		"ok": OK, "Alarm": Alarm, "insufficient_data": InsufficientData,
	} {
		got, err := ParseState(in)
		if err != nil || got != want {
			t.Errorf("ParseState(%q) = %v, %v; want %v", in, got, err, want)
		}
		if strings.ToUpper(in) == in && got.String() != in {
			t.Errorf("String() = %q, want %q", got.String(), in)
		}
	}
	for _, bad := range []string{"", "INSUFFICIENT DATA", "alarmed", "OK "} {
		_, err := ParseState(bad)
		if err == nil || !strings.Contains(err.Error(), "OK, ALARM or INSUFFICIENT_DATA") {
			t.Errorf("ParseState(%q): %v", bad, err)
		}
	}
}

func TestParseComparison(t *testing.T) {
	for in, want := range map[string]Comparison{
		"GreaterThanOrEqualToThreshold": GreaterThanOrEqualToThreshold, ">=": GreaterThanOrEqualToThreshold,
		"GreaterThanThreshold": GreaterThanThreshold, ">": GreaterThanThreshold,
		"LessThanThreshold": LessThanThreshold, "<": LessThanThreshold,
		"LessThanOrEqualToThreshold": LessThanOrEqualToThreshold, "<=": LessThanOrEqualToThreshold,
		"greaterthanthreshold": GreaterThanThreshold,
	} {
		got, err := ParseComparison(in)
		if err != nil || got != want {
			t.Errorf("ParseComparison(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, c := range allComparisons {
		if got, _ := ParseComparison(c.String()); got != c {
			t.Errorf("round trip %s", c)
		}
	}
	for _, anomaly := range []string{"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"} {
		if _, err := ParseComparison(anomaly); err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: %v", anomaly, err)
		}
	}
	if _, err := ParseComparison("=="); err == nil || !strings.Contains(err.Error(), "GreaterThanThreshold") {
		t.Errorf("==: %v", err)
	}
}

func TestParseTreatMissing(t *testing.T) {
	for in, want := range map[string]TreatMissing{
		"": Missing, "missing": Missing, "ignore": Ignore, "breaching": Breaching, "notBreaching": NotBreaching, "NOTBREACHING": NotBreaching,
	} {
		got, err := ParseTreatMissing(in)
		if err != nil || got != want {
			t.Errorf("ParseTreatMissing(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, tm := range allTreat {
		if got, _ := ParseTreatMissing(tm.String()); got != tm {
			t.Errorf("round trip %s", tm)
		}
	}
	if _, err := ParseTreatMissing("not_breaching"); err == nil || !strings.Contains(err.Error(), "notBreaching") {
		t.Errorf("not_breaching: %v", err)
	}
	var zero TreatMissing
	if zero != Missing {
		t.Error("zero TreatMissing is not Missing, CloudWatch's default")
	}
}

func TestTextMarshaling(t *testing.T) {
	type doc struct {
		State State
		Op    Comparison
		Treat TreatMissing
	}
	in := doc{InsufficientData, LessThanThreshold, NotBreaching}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"State":"INSUFFICIENT_DATA","Op":"LessThanThreshold","Treat":"notBreaching"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip: %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"State":"FIRING"}`), &out); err == nil {
		t.Error("bad state accepted")
	}
	if _, err := json.Marshal(doc{State: 7}); err == nil {
		t.Error("invalid state marshaled")
	}
}
