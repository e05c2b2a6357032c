package ledger

import (
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// decimalText draws cells as exports write them: signs, leading and
// trailing zeros, bare points, long fractions, exponents.
func decimalText(t *rapid.T) string {
	s := rapid.StringMatching(`-?[0-9]{0,20}(\.[0-9]{0,20})?`).Draw(t, "cell")
	if rapid.IntRange(0, 9).Draw(t, "exp") == 0 {
		s += "e" + rapid.StringMatching(`-?[0-9]{1,2}`).Draw(t, "e")
	}
	return s
}

// TestAmountIsDecimal: an amount reads, prints and stores as shopspring's
// decimal would (the fingerprint of a row depends on String).
func TestAmountIsDecimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := decimalText(t)
		want, werr := decimal.NewFromString(s)
		a, err := parseAmount("BilledCost", s)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: err %v, decimal's %v", s, err, werr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "BilledCost: ") {
				t.Fatalf("%q: error %q does not name the column", s, err)
			}
			return
		}
		if !a.Decimal().Equal(want) || a.String() != want.String() {
			t.Fatalf("%q: %s (%s), want %s", s, a.Decimal(), a.String(), want)
		}
		if a.stored() != decText(s, want) {
			t.Fatalf("%q: stored %q, want %q", s, a.stored(), decText(s, want))
		}
	})
}

// TestFixedSumIsExact: sums of integers by scale, overflow and merges
// included, equal decimal's sums.
func TestFixedSumIsExact(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var f, g fixedSum
		want := decimal.Zero
		n := rapid.IntRange(0, 50).Draw(t, "n")
		for i := range n {
			var a amount
			if rapid.Bool().Draw(t, "big") {
				a = amount{plain: true, scale: uint8(rapid.IntRange(0, maxScale).Draw(t, "scale")),
					mant: rapid.Int64Range(math.MinInt64+1, math.MaxInt64).Draw(t, "mant")}
			} else {
				var err error
				if a, err = parseAmount("x", decimalText(t)); err != nil {
					continue
				}
			}
			want = want.Add(a.Decimal())
			if i%2 == 0 {
				f.add(a)
			} else {
				g.add(a)
			}
		}
		f.merge(&g)
		if got := f.Decimal(); !got.Equal(want) {
			t.Fatalf("sum %s, want %s", got, want)
		}
	})
}

// FuzzParseAmount: any cell reads as shopspring reads it, or is refused
// as shopspring refuses it.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "-0.00", "12.50", ".5", "5.", "-", "", "1e5", "123456789012345678", "1234567890123456789", "+1", "1.2.3", "−5", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := decimal.NewFromString(s)
		a, err := parseAmount("ListCost", s)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: err %v, decimal's %v", s, err, werr)
		}
		if err == nil && (!a.Decimal().Equal(want) || a.String() != want.String()) {
			t.Fatalf("%q: %s (%s), want %s", s, a.Decimal(), a.String(), want)
		}
	})
}
