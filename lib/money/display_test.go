package money

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestDisplay(t *testing.T) {
	for _, c := range []struct{ in, cur, want string }{
		{"106362.885", "", "$106,362.89"},
		{"-12.5", "USD", "\u2212$12.50"},
		{"1000", "chf", "CHF 1,000.00"},
		{"-0.001", "EUR", "€0.00"},
		{"1234567.1", "GBP", "£1,234,567.10"},
	} {
		if got := Display(Cents(decimal.RequireFromString(c.in)), c.cur); got != c.want {
			t.Errorf("Display(%s, %q) = %q, want %q", c.in, c.cur, got, c.want)
		}
	}
}

func TestDisplayExactAndCount(t *testing.T) {
	if s := DisplayExact(decimal.RequireFromString("-107377.0712"), ""); s != "−$107,377.0712" {
		t.Errorf("DisplayExact = %q", s)
	}
	if s := DisplayExact(decimal.RequireFromString("5"), "EUR"); s != "€5.00" {
		t.Errorf("DisplayExact = %q", s)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1200: "-1,200"} {
		if s := Count(n); s != want {
			t.Errorf("Count(%d) = %q, want %q", n, s, want)
		}
	}
}
