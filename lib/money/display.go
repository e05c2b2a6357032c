package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// symbols covers the currencies research institutions bill in; any other
// code is written before the amount ("CHF 12.00").
var symbols = map[string]string{"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// Display writes m as people read money: currency symbol (or ISO code),
// thousands separators, cents, and a real minus sign (U+2212) for a
// negative amount: "$106,362.89", "−$12.50", "CHF 1,000.00". An empty
// currency is USD.
func Display(m Money, currency string) string { return withCurrency(m.Format(), currency) }

// withCurrency puts the currency on a formatted amount ("-1,234.50") and
// turns its minus into U+2212.
func withCurrency(s, currency string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	cur := strings.ToUpper(strings.TrimSpace(currency))
	if cur == "" {
		cur = "USD"
	}
	if sym, ok := symbols[cur]; ok {
		s = sym + s
	} else {
		s = cur + " " + s
	}
	if neg {
		s = "\u2212" + s
	}
	return s
}

// DisplayExact is Display for an exact sum that is not rounded to cents
// (an import's raw rows, labelled "before rounding" where shown): every
// decimal it has, at least two: "$107,377.0712".
func DisplayExact(d decimal.Decimal, currency string) string {
	return withCurrency(FormatExact(d), currency)
}

// Count writes a count with thousands separators: "1,000,000".
func Count(n int) string {
	s := Money{decimal.NewFromInt(int64(n))}.Format()
	return strings.TrimSuffix(s, ".00")
}
