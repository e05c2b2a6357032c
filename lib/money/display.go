package money

import "strings"

// symbols covers the currencies research institutions bill in; any other
// code is written before the amount ("CHF 12.00").
var symbols = map[string]string{"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// Display writes m as people read money: currency symbol (or ISO code),
// thousands separators, cents, and a real minus sign (U+2212) for a
// negative amount: "$106,362.89", "−$12.50", "CHF 1,000.00". An empty
// currency is USD.
func Display(m Money, currency string) string {
	s := m.Format()
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
