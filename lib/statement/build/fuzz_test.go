package build

import (
	"github.com/openchargeback/ocb/lib/statement"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

// FuzzCoveredPercent: the percentage is honest — never 100% while something
// is billed, never above 100%, and 0% when nothing is covered.
func FuzzCoveredPercent(f *testing.F) {
	for _, s := range [][2]int64{{240000, 0}, {100000, 50}, {100000, 1}, {0, 0}, {100, 120}, {-50, 0}, {1, 1}, {3, 1}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, list, billed int64) {
		tot := statement.Totals{ListCost: money.Money{Decimal: decimal.New(list, -2)}, BilledCost: money.Money{Decimal: decimal.New(billed, -2)}}
		p := statement.CoveredPercent(tot)
		if !strings.HasSuffix(p, "%") {
			t.Fatalf("%q has no %%", p)
		}
		if !strings.HasSuffix(p, "less than 0.1%") && !regexp.MustCompile(`^\d+\.\d%$`).MatchString(p) {
			t.Fatalf("%q is not one decimal", p)
		}
		if p == "100.0%" && billed > 0 {
			t.Fatalf("list %d billed %d: 100%% while something is billed", list, billed)
		}
		if p != "less than 0.1%" {
			v, err := decimal.NewFromString(strings.TrimSuffix(p, "%"))
			if err != nil || v.IsNegative() || v.GreaterThan(decimal.NewFromInt(100)) {
				t.Fatalf("list %d billed %d: %q", list, billed, p)
			}
			if v.IsZero() && list > 0 && billed < list {
				t.Fatalf("list %d billed %d: something covered but 0%%", list, billed)
			}
			if c := statement.Covered(tot); c.IsNegative() || (list > 0 && c.GreaterThan(tot.ListCost.Decimal)) {
				t.Fatalf("list %d billed %d: covered %s", list, billed, c)
			}
		}
	})
}

// FuzzBuilder: whatever the amounts, totals are the sums of the rounded
// lines, discount = billed - list, and amount due = max(0, billed + adj).
func FuzzBuilder(f *testing.F) {
	f.Add("1.005", "0.004", "-2.5", "a@u.edu", "p")
	f.Add("2400", "0", "0", "b@u.edu", "")
	f.Fuzz(func(t *testing.T, a, b, adj, pi, project string) {
		da, err1 := decimal.NewFromString(a)
		db, err2 := decimal.NewFromString(b)
		dj, err3 := decimal.NewFromString(adj)
		if err1 != nil || err2 != nil || err3 != nil || da.Exponent() < -12 || db.Exponent() < -12 || dj.Exponent() < -12 {
			return
		}
		for _, by := range []string{ByPI, ByProject} {
			bl, err := NewBuilder(ledger.PeriodInfo{Period: "2025-01"}, Options{By: by})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range []ledger.Charge{
				{ID: 1, PIEmail: pi, ProjectID: project, Source: "S", ServiceName: "x", ListCost: da, BilledCost: db},
				{ID: 2, PIEmail: pi, ProjectID: project, Source: "S", ServiceName: "y", ListCost: db, BilledCost: da},
				{ID: 3, PIEmail: pi, ProjectID: "other", Source: "S", ServiceName: "x", ListCost: da, BilledCost: da},
			} {
				c.ID = int64(i + 1)
				if err := bl.Add(&c); err != nil {
					t.Fatal(err)
				}
			}
			bl.AddAdjustments([]ledger.Adjustment{{ID: 1, PIEmail: pi, Amount: dj}})
			sts, err := bl.Statements()
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, st := range sts {
				if ids[st.StatementID] {
					t.Fatalf("duplicate id %s", st.StatementID)
				}
				ids[st.StatementID] = true
				var l, d, bsum, j money.Money
				for _, ln := range st.Lines {
					if !ln.Discount.Equal(ln.BilledCost.Sub(ln.ListCost).Decimal) {
						t.Fatalf("line discount %s", ln.Discount)
					}
					l, d, bsum = l.Add(ln.ListCost), d.Add(ln.Discount), bsum.Add(ln.BilledCost)
				}
				for _, aj := range st.Adjustments {
					j = j.Add(aj.Amount)
				}
				due := bsum.Add(j)
				if !st.Totals.ListCost.Equal(l.Decimal) || !st.Totals.Discount.Equal(d.Decimal) || !st.Totals.BilledCost.Equal(bsum.Decimal) ||
					!st.Totals.Adjustments.Equal(j.Decimal) || !st.Totals.AmountDue.Equal(due.Decimal) {
					t.Fatalf("totals %+v do not match lines", st.Totals)
				}
			}
		}
	})
}
