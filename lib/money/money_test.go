package money

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
)

func TestCentsHalfAwayFromZero(t *testing.T) {
	for in, want := range map[string]string{
		"2.345": "2.35", "-2.345": "-2.35", "2.344": "2.34", "0.005": "0.01", "-0.005": "-0.01", "1e3": "1000.00",
	} {
		if got := Cents(decimal.RequireFromString(in)).String(); got != want {
			t.Errorf("Cents(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[string]string{
		"2400": "2,400.00", "-1234567.891": "-1,234,567.89", "0": "0.00", "999.999": "1,000.00", "-0.001": "0.00", "12": "12.00",
	} {
		m, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Format(); got != want {
			t.Errorf("Format(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestJSON(t *testing.T) {
	b, _ := json.Marshal(struct{ A Money }{Cents(decimal.RequireFromString("2400"))})
	if string(b) != `{"A":"2400.00"}` {
		t.Fatal(string(b))
	}
	var v struct{ A, B Money }
	if err := json.Unmarshal([]byte(`{"A":"-10.005","B":3.1}`), &v); err != nil || v.A.String() != "-10.01" || v.B.String() != "3.10" {
		t.Fatal(v, err)
	}
}

func TestFormatExact(t *testing.T) {
	for in, want := range map[string]string{
		"107377.0712": "107,377.0712", "1.5": "1.50", "0": "0.00", "-0.125": "-0.125",
		"-1234567.1": "-1,234,567.10", "999": "999.00", "0.000001": "0.000001",
	} {
		if got := FormatExact(decimal.RequireFromString(in)); got != want {
			t.Errorf("FormatExact(%s) = %q, want %q", in, got, want)
		}
	}
}
