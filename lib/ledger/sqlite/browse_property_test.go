package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
)

// TestBrowseCountsFromLinesProperty: on random ledgers (review decisions
// and assignments included), the charge browser's count and totals, taken
// from the line sums for filters the sums keep, equal the count and sums
// of the charges the same filter lists; and a page in any order is that
// part of the whole list (a page sorted by another key than the id is
// sorted as ids and keys, then read).
func TestBrowseCountsFromLinesProperty(t *testing.T) {
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
		var all []ledger.BrowseRow
		if err := l.EachBrowseRow(ctx, ledger.BrowseFilter{Period: m.Period}, func(r *ledger.BrowseRow) error {
			all = append(all, *r)
			return nil
		}); err != nil {
			rt.Fatal(err)
		}
		fs := []ledger.BrowseFilter{{}, {Status: "clean"}}
		for _, r := range all {
			fs = append(fs, ledger.BrowseFilter{PI: r.PIEmail[:3]}, ledger.BrowseFilter{Source: r.Source, Service: r.ServiceName},
				ledger.BrowseFilter{Project: r.ProjectID, Status: "clean"}, ledger.BrowseFilter{PI: r.PIEmail, Project: r.ProjectID})
		}
		// A page in any order is that part of the whole list in that order.
		for _, sort := range []string{"id", "pi", "project", "service", "source", "list", "billed"} {
			for _, desc := range []bool{false, true} {
				f := ledger.BrowseFilter{Period: m.Period, Sort: sort, Desc: desc}
				var ids []int64
				if err := l.EachBrowseRow(ctx, f, func(r *ledger.BrowseRow) error {
					ids = append(ids, r.ID)
					return nil
				}); err != nil {
					rt.Fatal(err)
				}
				f.Limit, f.Offset = 3, 1
				page, _, err := l.BrowseCharges(ctx, f)
				if err != nil {
					rt.Fatal(err)
				}
				want := ids[min(1, len(ids)):min(4, len(ids))]
				if len(page) != len(want) {
					rt.Fatalf("sort %s desc %v: page of %d, want %d", sort, desc, len(page), len(want))
				}
				for i := range page {
					if page[i].ID != want[i] {
						rt.Fatalf("sort %s desc %v: page %v, want %v", sort, desc, page, want)
					}
				}
			}
		}
		seen := map[ledger.BrowseFilter]bool{}
		for _, f := range fs {
			if seen[f] {
				continue
			}
			seen[f] = true
			f.Period = m.Period
			var k int
			var list, billed decimal.Decimal
			var ids []int64
			if err := l.EachBrowseRow(ctx, f, func(r *ledger.BrowseRow) error {
				k++
				list, billed = list.Add(r.ListCost), billed.Add(r.BilledCost)
				ids = append(ids, r.ID)
				return nil
			}); err != nil {
				rt.Fatal(err)
			}
			f.Limit = 2
			page, total, err := l.BrowseCharges(ctx, f)
			if err != nil {
				rt.Fatal(err)
			}
			for i := range page {
				if i >= len(ids) || page[i].ID != ids[i] {
					rt.Fatalf("%+v: page %v, want the first of %v", f, page, ids)
				}
			}
			if len(page) != min(2, len(ids)) {
				rt.Fatalf("%+v: page of %d, want %d", f, len(page), min(2, len(ids)))
			}
			tl, tb, _, err := l.BrowseTotals(ctx, f)
			if err != nil {
				rt.Fatal(err)
			}
			if total != k || !tl.Equal(list) || !tb.Equal(billed) {
				rt.Fatalf("%+v: count %d, totals %s %s; the charges listed: %d, %s %s", f, total, tl, tb, k, list, billed)
			}
		}
	})
}
