package web

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// TestDashboardAgreesWithStatementsProperty: on random ledgers (real SQLite
// files), the dashboard's totals equal the statements page's (the same
// statements, summed), both equal the model's figures under the rounding
// rule, each breakdown (by source, service, PI) sums to the totals, and the
// tie-out (source total = statements + rounding) holds against the model.
func TestDashboardAgreesWithStatementsProperty(t *testing.T) {
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		l, err := ledger.Open(filepath.Join(dir, fmt.Sprintf("l%d.db", n)))
		if err != nil {
			rt.Fatal(err)
		}
		defer l.Close()
		m := ledgertest.RandomLedger(rt, l)
		var d dashData
		if err := periodFigures(context.Background(), l, m.Period, &d); err != nil {
			rt.Fatal(err)
		}
		sts, _, err := build.Build(context.Background(), l, m.Period, build.Options{})
		if err != nil {
			rt.Fatal(err)
		}
		page := statement.Sum(sts) // what the statements page shows
		wantList, wantBilled, wantAdj := m.Expected()
		if !d.Total.List.Equal(page.ListCost.Decimal) || !d.Total.Billed.Equal(page.BilledCost.Decimal) ||
			!d.Totals.Adjustments.Equal(page.Adjustments.Decimal) || !d.Totals.AmountDue.Equal(page.AmountDue.Decimal) {
			rt.Fatalf("dashboard list %s billed %s adj %s due %s; statements page %+v", d.Total.List, d.Total.Billed, d.Totals.Adjustments, d.Totals.AmountDue, page)
		}
		if !page.ListCost.Equal(wantList) || !page.BilledCost.Equal(wantBilled) || !page.Adjustments.Equal(wantAdj) {
			rt.Fatalf("statements %+v; model list %s billed %s adjustments %s", page, wantList, wantBilled, wantAdj)
		}
		// The tie-out card: the rows' exact billed total rounded once plus
		// the adjustments = the statements + the rounding.
		exact := decimal.Zero
		for _, c := range m.Charges {
			if !c.Rejected {
				exact = exact.Add(c.Billed)
			}
		}
		wantSource := exact.Round(2).Add(wantAdj)
		if !d.Tie.Source.Equal(wantSource) || !d.Tie.Statements.Equal(page.AmountDue.Decimal) || !d.Tie.Rounding.Equal(wantSource.Sub(page.AmountDue.Decimal)) {
			rt.Fatalf("dashboard tie-out %+v; model source %s, statements %s", d.Tie, wantSource, page.AmountDue)
		}
		for name, gs := range map[string][]group{"source": d.Sources, "service": d.Services} {
			var list, billed decimal.Decimal
			for _, g := range gs {
				list, billed = list.Add(g.List), billed.Add(g.Billed)
			}
			if !list.Equal(d.Total.List) || !billed.Equal(d.Total.Billed) {
				rt.Fatalf("by %s: list %s billed %s, totals %s %s", name, list, billed, d.Total.List, d.Total.Billed)
			}
		}
	})
}

// TestChargeTotalsProperty: the charge browser's total of a filter, taken
// from the ledger's line sums, equals the sum of streaming every matching
// charge, on random ledgers and random filters.
func TestChargeTotalsProperty(t *testing.T) {
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		l, err := ledger.Open(filepath.Join(dir, fmt.Sprintf("t%d.db", n)))
		if err != nil {
			rt.Fatal(err)
		}
		defer l.Close()
		m := ledgertest.RandomLedger(rt, l)
		b := &LedgerBackend{Ledger: l}
		for range 5 {
			f := ChargeFilter{Period: m.Period,
				PI:      rapid.SampledFrom([]string{"", "ada", "grace@", "uni.edu", "nobody"}).Draw(rt, "f-pi"),
				Project: rapid.SampledFrom([]string{"", "climate", "ocean"}).Draw(rt, "f-project"),
				Service: rapid.SampledFrom([]string{"", "Compute", "GPU"}).Draw(rt, "f-service"),
				Source:  rapid.SampledFrom([]string{"", "AWS", "HPC"}).Draw(rt, "f-source"),
				Status:  rapid.SampledFrom([]string{"", "clean", "pending", "approved", "rejected"}).Draw(rt, "f-status"),
				Flag:    rapid.SampledFrom([]string{"", "", "watch"}).Draw(rt, "f-flag"),
			}
			list, billed, _, err := b.ChargeTotals(context.Background(), f)
			if err != nil {
				rt.Fatal(err)
			}
			var wl, wb decimal.Decimal
			if err := b.EachChargeRow(context.Background(), f, func(c *ChargeRow) error {
				wl, wb = wl.Add(c.ListCost), wb.Add(c.BilledCost)
				return nil
			}); err != nil {
				rt.Fatal(err)
			}
			if !list.Equal(wl) || !billed.Equal(wb) {
				rt.Fatalf("filter %+v: totals list %s billed %s, streaming gives %s %s", f, list, billed, wl, wb)
			}
		}
	})
}
