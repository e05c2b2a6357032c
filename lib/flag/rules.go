package flag

import (
	"math"
	"net/mail"
	"strings"

	"github.com/shopspring/decimal"
)

// ValidEmail reports whether s is a bare, deliverable-looking address:
// net/mail accepts it, it has no display name or angle brackets, no white
// space or control characters (CR/LF would let a tag inject mail headers
// downstream), one @, and a dot inside the domain.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	if strings.Count(s, "@") != 1 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..") && !strings.HasSuffix(domain, ".")
}

// IsCredit reports whether a row is a credit, refund or correction, for
// which a negative BilledCost is expected: ChargeCategory Credit or
// Adjustment, ChargeClass Correction, or a description that says so.
func IsCredit(category, class, description string) bool {
	if strings.EqualFold(category, "Credit") || strings.EqualFold(category, "Adjustment") ||
		strings.EqualFold(class, "Correction") {
		return true
	}
	if description == "" {
		return false
	}
	d := strings.ToLower(description)
	return strings.Contains(d, "refund") || strings.Contains(d, "credit")
}

// Month returns the YYYY-MM of a FOCUS date-time ("2025-01-01T00:00:00Z"),
// a date-only value ("2025-01-01", as OpenChargeback writes them) or a bare
// "2025-01"; ok is false when it is none of these.
func Month(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 7 || (len(s) > 7 && s[7] != '-') {
		return "", false
	}
	for i := 0; i < 7; i++ {
		c := s[i]
		if i == 4 {
			if c != '-' {
				return "", false
			}
			continue
		}
		if c < '0' || c > '9' {
			return "", false
		}
	}
	if m := (s[5]-'0')*10 + s[6] - '0'; m < 1 || m > 12 {
		return "", false
	}
	return s[:7], true
}

// ParseAmount parses a decimal cell. Plain values ("-12.345") take a fast
// path that avoids shopspring's general parser; anything else (exponents,
// long mantissas) goes through decimal.NewFromString. ok is false for text
// that is not a number; an empty cell is (zero, false, true): absent.
func ParseAmount(s string) (d decimal.Decimal, present, ok bool) {
	if s == "" {
		return decimal.Zero, false, true
	}
	if v, exp, fast := parseSimple(s); fast {
		return decimal.New(v, exp), true, true
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return decimal.Zero, true, false
	}
	return d, true, true
}

// amount is a parsed cell: the exact value, and a float64 approximation
// for the statistics and for quick ordering (see greater). A plain decimal
// of at most 18 digits (fast) is v × 10^exp, without a decimal.Decimal:
// making one allocated three big.Ints a row; dec makes it when asked.
type amount struct {
	d           decimal.Decimal // when !fast
	v           int64           // when fast
	exp         int32           // when fast, ≤ 0
	fast        bool
	f           float64
	present, ok bool
}

// dec is the exact value as a decimal.
func (a amount) dec() decimal.Decimal {
	if a.fast {
		return decimal.New(a.v, a.exp)
	}
	return a.d
}

// sign is -1, 0 or +1.
func (a amount) sign() int {
	if a.fast {
		switch {
		case a.v < 0:
			return -1
		case a.v > 0:
			return 1
		}
		return 0
	}
	return a.d.Sign()
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// parseAmount is ParseAmount plus the float64 value.
func parseAmount(s string) amount {
	if s == "" {
		return amount{fast: true, ok: true}
	}
	if v, exp, fast := parseSimple(s); fast {
		return amount{v: v, exp: exp, fast: true, f: float64(v) / pow10[-exp], present: true, ok: true}
	}
	d, present, ok := ParseAmount(s)
	f, _ := d.Float64()
	return amount{d: d, f: f, present: present, ok: ok}
}

// greater reports a > b exactly. The floats decide when they are clearly
// apart (a float64 of a decimal with ≤ 18 digits is within 1e-15 relative,
// so a gap above 1e-9 relative cannot be a rounding artefact); otherwise the
// decimals are compared, which may allocate.
func greater(a, b amount) bool {
	diff, scale := a.f-b.f, math.Max(math.Abs(a.f), math.Abs(b.f))
	if math.Abs(diff) > 1e-9*scale && !math.IsInf(diff, 0) && !math.IsNaN(diff) {
		return diff > 0
	}
	if a.fast && b.fast && a.exp == b.exp {
		return a.v > b.v
	}
	return a.dec().GreaterThan(b.dec())
}

// parseSimple reads [-+]digits[.digits] with at most 18 digits.
func parseSimple(s string) (int64, int32, bool) {
	i, neg := 0, false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	var v int64
	var exp int32
	digits, seenDot := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		digits++
		if digits > 18 {
			return 0, 0, false
		}
		v = v*10 + int64(c-'0')
		if seenDot {
			exp--
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, exp, true
}
