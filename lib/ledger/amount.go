package ledger

import (
	"math"
	"strconv"

	"github.com/shopspring/decimal"
)

// The import adds up three amounts a row (list, billed, quantity) in
// several sums. As shopspring decimals every value and every addition
// allocates a big.Int; almost every cell of a real export is a plain
// decimal of at most 18 digits, which fits an int64 at its own scale.
// Those are added as integers; anything else (exponents, longer numbers,
// a sum that would overflow) goes through decimal, so results are exact
// either way.

// amount is one decimal cell of a row being imported.
type amount struct {
	text  string // the cell, checked
	plain bool   // mant and scale hold it; else dec does
	scale uint8  // digits after the point
	mant  int64
	dec   decimal.Decimal
}

// maxScale bounds the scales summed as integers (a plain cell has at most
// 18 digits).
const maxScale = 18

// parseAmount reads a decimal cell; column names it in the error.
func parseAmount(column, s string) (amount, error) {
	if a, ok := plainAmount(s); ok {
		return a, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return amount{}, errNotDecimal(column, s)
	}
	return amount{text: s, dec: d}, nil
}

func errNotDecimal(column, s string) error {
	return &notDecimalError{column, s}
}

type notDecimalError struct{ column, s string }

func (e *notDecimalError) Error() string {
	return e.column + ": " + strconv.Quote(e.s) + " is not a decimal"
}

// plainAmount reads an optional minus, digits, an optional point and
// digits: at least one digit, at most 18.
func plainAmount(s string) (amount, bool) {
	a := amount{text: s, plain: true}
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		neg, i = true, 1
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 18 {
				return amount{}, false
			}
			a.mant = a.mant*10 + int64(c-'0')
			if point {
				a.scale++
			}
		case c == '.' && !point:
			point = true
		default:
			return amount{}, false
		}
	}
	if digits == 0 {
		return amount{}, false
	}
	if neg {
		a.mant = -a.mant
	}
	return a, true
}

// Decimal is the amount as a decimal.
func (a amount) Decimal() decimal.Decimal {
	if a.plain {
		return decimal.New(a.mant, -int32(a.scale))
	}
	return a.dec
}

// String is the amount as decimal.String writes it (no trailing zeros
// after the point, "0" for zero): the fingerprint's form of a value.
func (a amount) String() string {
	if !a.plain {
		return a.dec.String()
	}
	var buf [24]byte
	return string(a.appendString(buf[:0]))
}

// appendString appends String's text to b (without allocating for a
// plain amount).
func (a amount) appendString(b []byte) []byte {
	if !a.plain {
		return append(b, a.dec.String()...)
	}
	m, s := a.mant, a.scale
	for s > 0 && m%10 == 0 {
		m /= 10
		s--
	}
	if s == 0 {
		return strconv.AppendInt(b, m, 10)
	}
	u := uint64(m)
	if m < 0 {
		b = append(b, '-')
		u = uint64(-m)
	}
	p := uint64(1)
	for range s {
		p *= 10
	}
	b = strconv.AppendUint(b, u/p, 10)
	b = append(b, '.')
	frac := u % p
	for q := p / 10; q > frac && q > 1; q /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, frac, 10)
}

// stored is the amount's text in the ledger: the checked cell where it is
// a plain decimal, else the decimal's own form.
func (a amount) stored() string {
	if a.plain {
		return a.text
	}
	return decText(a.text, a.dec)
}

// fixedSum adds amounts exactly: an int64 per scale while they fit, a
// decimal for the rest.
type fixedSum struct {
	by   [maxScale + 1]int64
	used uint32 // bit s: by[s] may be non-zero
	rest decimal.Decimal
}

func (f *fixedSum) add(a amount) {
	if !a.plain {
		f.rest = f.rest.Add(a.dec)
		return
	}
	s := a.scale
	x, y := f.by[s], a.mant
	if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
		f.rest = f.rest.Add(decimal.New(x, -int32(s)))
		x = 0
	}
	f.by[s] = x + y
	f.used |= 1 << s
}

// merge adds o's sum.
func (f *fixedSum) merge(o *fixedSum) {
	for s := range o.by {
		if o.used&(1<<s) != 0 {
			f.add(amount{plain: true, scale: uint8(s), mant: o.by[s]})
		}
	}
	f.rest = f.rest.Add(o.rest)
}

// Decimal is the sum.
func (f *fixedSum) Decimal() decimal.Decimal {
	d := f.rest
	for s := range f.by {
		if f.used&(1<<s) != 0 {
			d = d.Add(decimal.New(f.by[s], -int32(s)))
		}
	}
	return d
}
