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
