// Package money is exact decimal money for statements, journals and mail:
// sums are exact, each statement line is rounded to cents half away from
// zero, and totals are sums of rounded lines, so every tool agrees to the cent.
package money

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an amount rounded to cents. Its JSON form is a decimal string
// with two places ("2400.00").
type Money struct{ decimal.Decimal }

// Zero is 0.00.
var Zero = Money{decimal.Zero}

// Cents rounds d to cents, half away from zero.
func Cents(d decimal.Decimal) Money { return Money{d.Round(2)} }

// Parse reads a decimal string and rounds it to cents.
func Parse(s string) (Money, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return Zero, fmt.Errorf("not a decimal amount: %q", s)
	}
	return Cents(d), nil
}

// Add returns m + o.
func (m Money) Add(o Money) Money { return Money{m.Decimal.Add(o.Decimal)} }

// Sub returns m - o.
func (m Money) Sub(o Money) Money { return Money{m.Decimal.Sub(o.Decimal)} }

// Neg returns -m.
func (m Money) Neg() Money { return Money{m.Decimal.Neg()} }

// String is the plain form, "-1234.50".
func (m Money) String() string { return m.StringFixed(2) }

// Format is the display form with thousands separators, "-1,234.50".
func (m Money) Format() string {
	s := m.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg && !m.IsZero() {
		out = "-" + out
	}
	return out
}

// FormatExact is d with thousands separators and every decimal it has (at
// least two): "107,377.0712". For sums that are not rounded to cents, such
// as an import's raw rows, labelled as before rounding where they are shown.
func FormatExact(d decimal.Decimal) string {
	places := max(-d.Exponent(), 2)
	whole := Money{d.Truncate(0)}.Format()
	whole = strings.TrimSuffix(whole, ".00")
	frac := d.Abs().Sub(d.Abs().Truncate(0)).StringFixed(places)
	if whole == "0" && d.IsNegative() {
		whole = "-0"
	}
	return whole + strings.TrimPrefix(frac, "0")
}

// MarshalJSON writes the two-place decimal string.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.StringFixed(2)) }

// UnmarshalJSON accepts a decimal string or a JSON number.
func (m *Money) UnmarshalJSON(b []byte) error {
	var d decimal.Decimal
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	*m = Cents(d)
	return nil
}
