package build

import (
	"bytes"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
)

// TestNoStatementMovesForAnother: per-line rounding is what keeps each PI's
// statement its own (issue 27): adding, changing or removing another PI's
// charges never moves a PI's statement by a cent or a byte, per PI or per
// project (the rounding that ties the period to its source is the
// journal's, on its own account).
func TestNoStatementMovesForAnother(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		by := rapid.SampledFrom([]string{ByPI, ByProject}).Draw(rt, "by")
		pis := []string{"a@u.edu", "b@u.edu", "c@u.edu"}
		amount := rapid.Custom(func(t *rapid.T) decimal.Decimal {
			return decimal.New(rapid.Int64Range(-5_000_000, 50_000_000).Draw(t, "units"), -int32(rapid.IntRange(0, 6).Draw(t, "places")))
		})
		gen := func(t *rapid.T, label string, pi string) []ledger.Charge {
			n := rapid.IntRange(0, 8).Draw(t, label+"-n")
			out := make([]ledger.Charge, n)
			for i := range out {
				out[i] = ledger.Charge{ID: int64(i + 1), Source: "HPC", PIEmail: pi,
					ProjectID:   rapid.SampledFrom([]string{"p1", "p2"}).Draw(t, label+"-project"),
					FundOrg:     "F-" + pi[:1],
					ServiceName: rapid.SampledFrom([]string{"Compute", "GPU"}).Draw(t, label+"-service"),
					BilledCost:  amount.Draw(t, label+"-billed"), ListCost: amount.Draw(t, label+"-list")}
			}
			return out
		}
		mine := gen(rt, "mine", pis[0])
		before := append(gen(rt, "others", pis[1]), gen(rt, "others2", pis[2])...)
		after := append(gen(rt, "moved", pis[1]), gen(rt, "moved2", pis[2])...)
		adj := []ledger.Adjustment{{ID: 1, PIEmail: pis[0], Amount: amount.Draw(rt, "adj"), FundOrg: "F-a", Reason: "r"}}

		run := func(others []ledger.Charge) string {
			b, err := NewBuilder(ledger.PeriodInfo{Period: "2025-01", State: ledger.StateFinalized}, Options{By: by})
			if err != nil {
				rt.Fatal(err)
			}
			for _, cs := range [][]ledger.Charge{others, mine} {
				for i := range cs {
					if err := b.Add(&cs[i]); err != nil {
						rt.Fatal(err)
					}
				}
			}
			b.AddAdjustments(adj)
			sts, err := b.Statements()
			if err != nil {
				rt.Fatal(err)
			}
			var buf bytes.Buffer
			for i := range sts {
				if sts[i].PI.Email == pis[0] {
					if err := statement.WriteNDJSON(&buf, sts[i:i+1]); err != nil {
						rt.Fatal(err)
					}
				}
			}
			return buf.String()
		}
		if a, b := run(before), run(after); a != b {
			rt.Fatalf("%s's statements moved when other PIs' charges did:\n%s\n%s", pis[0], a, b)
		}
		if len(mine) > 0 && run(nil) != run(before) {
			rt.Fatalf("%s's statements depend on whether other PIs exist", pis[0])
		}
	})
}
