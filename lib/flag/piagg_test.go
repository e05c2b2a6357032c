package flag

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// TestPiAggSum holds piAgg's int64 sums to decimal sums: mixed scales,
// signs, amounts near the int64 range (which overflow the accumulator and
// go through decimals) and cells that are not plain decimals.
func TestPiAggSum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cells := []string{"", "0", "-0.5", "1e3", "999999999999999999", "-999999999999999999",
		"0.000000000000000001", "12.345678", "1,5", " 7"}
	for trial := 0; trial < 200; trial++ {
		var a piAgg
		want := decimal.Zero
		for i := 0; i < 50; i++ {
			var s string
			if r.IntN(4) == 0 {
				s = cells[r.IntN(len(cells))]
			} else {
				v := r.Int64N(1 << uint(r.IntN(62)+1))
				if r.IntN(2) == 0 {
					v = -v
				}
				s = strconv.FormatInt(v, 10)
				if d := r.IntN(8); d > 0 && len(s) > d {
					s = s[:len(s)-d] + "." + s[len(s)-d:]
				}
			}
			am := parseAmount(s)
			if !am.ok {
				continue
			}
			want = want.Add(am.dec())
			a.addCost(am)
			if r.IntN(10) == 0 { // totals taken midway keep summing
				if got := a.total(); !got.Equal(want) {
					t.Fatalf("trial %d: midway total %s, want %s", trial, got, want)
				}
			}
		}
		if got := a.total(); !got.Equal(want) {
			t.Fatalf("trial %d: total %s, want %s", trial, got, want)
		}
	}
}

func TestAmountGreater(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"1.10", "1.1", false}, {"1.1000000000000001", "1.1", true}, {"2", "1.99", true},
		{"-1", "0", false}, {"100000000000000000.1", "100000000000000000", true},
	} {
		if got := greater(parseAmount(c.a), parseAmount(c.b)); got != c.want {
			t.Errorf("greater(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := parseAmount(c.a).dec().GreaterThan(parseAmount(c.b).dec()); got != c.want {
			t.Errorf("decimal %s > %s = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
