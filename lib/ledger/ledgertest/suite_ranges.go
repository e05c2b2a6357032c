package ledgertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// testPeriodChargesByImportRanges: a period's charges are read as the id
// ranges of its imports (imports.first_charge, last_charge), so the ranges
// must hold each import's charges whatever the order of imports into
// several periods, replacements and removals, and the charge browser must
// give a period's charges, only them, in id order both ways.
func testPeriodChargesByImportRanges(t *testing.T, open Opener) {
	l := open(t)
	month := func(period, service string, n int) string {
		var b strings.Builder
		b.WriteString("BillingPeriodStart,BilledCost,ServiceName,ResourceId,Tags\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%s-01,%d.25,%s,r-%d,\"{\"\"pi_email\"\":\"\"a@x.edu\"\",\"\"fund_org\"\":\"\"F1\"\"}\"\n", period, i+1, service, i)
		}
		return b.String()
	}
	steps := []struct {
		source, period, service string
		n                       int
		replace                 bool
	}{
		{"A", "2025-01", "S1", 3, false},
		{"B", "2025-02", "S2", 4, false},
		{"C", "2025-01", "S3", 2, false},
		{"A", "2025-01", "S4", 5, true}, // replaces A's first import: its ids leave a gap
		{"B", "2025-02", "S5", 1, true},
		{"D", "2025-02", "S6", 2, false},
	}
	for _, s := range steps {
		_, err := l.Import(ctx, tester, strings.NewReader(month(s.period, s.service, s.n)),
			ledger.ImportOptions{Source: s.source, FileName: s.source + ".csv", Replace: s.replace, AllowProviderChange: s.replace, Tags: tagkeys.Default()})
		if err != nil {
			t.Fatalf("import %s %s: %v", s.source, s.period, err)
		}
	}
	// C goes, then D, the highest ids, which E takes again.
	for _, id := range []int64{3, 6} {
		if err := l.RemoveImport(ctx, tester, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Import(ctx, tester, strings.NewReader(month("2025-02", "S7", 3)),
		ledger.ImportOptions{Source: "E", FileName: "E.csv", Tags: tagkeys.Default()}); err != nil {
		t.Fatal(err)
	}
	var bad int
	if err := l.DB().QueryRow(`SELECT count(*) FROM imports i WHERE first_charge IS NULL
		OR first_charge <> (SELECT min(id) FROM charges WHERE import_id = i.id)
		OR last_charge <> (SELECT max(id) FROM charges WHERE import_id = i.id)
		OR last_charge - first_charge + 1 <> (SELECT count(*) FROM charges WHERE import_id = i.id)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d imports whose charge range is not their charges'", bad)
	}
	for _, p := range []struct {
		period   string
		services string
	}{{"2025-01", "S4"}, {"2025-02", "S5 S7"}} {
		want := periodCharges(t, l, p.period)
		for _, desc := range []bool{false, true} {
			rows, total, err := l.BrowseCharges(ctx, ledger.BrowseFilter{Period: p.period, Desc: desc})
			if err != nil {
				t.Fatal(err)
			}
			if total != want || len(rows) != want {
				t.Errorf("%s (desc %v): %d rows, total %d, want %d", p.period, desc, len(rows), total, want)
			}
			for i, r := range rows {
				if r.Period != p.period || !strings.Contains(p.services, r.ServiceName) {
					t.Errorf("%s: charge %d of %s, service %s", p.period, r.ID, r.Period, r.ServiceName)
				}
				if i > 0 && (r.ID > rows[i-1].ID) == desc {
					t.Errorf("%s (desc %v): charge %d after %d", p.period, desc, r.ID, rows[i-1].ID)
				}
			}
		}
		n := 0
		if err := l.EachCharge(ctx, p.period, func(*ledger.Charge) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("EachCharge %s: %d charges, want %d", p.period, n, want)
		}
	}
}

// LoadMonths imports months periods of rows charges each (2025-01…) from
// source BENCH, plus one flagged row a month from source HPC, so that
// query plans are checked on a ledger where one period is a small part of
// the charges. The rows name 50 PIs and 5 services.
func LoadMonths(t *testing.T, l *ledger.Ledger, months, rows int) {
	t.Helper()
	for m := 1; m <= months; m++ {
		period := fmt.Sprintf("2025-%02d", m)
		var b strings.Builder
		b.WriteString("BillingPeriodStart,BilledCost,ServiceName,ResourceId,Tags\n")
		for i := 0; i < rows; i++ {
			fmt.Fprintf(&b, "%s-01,%d.%02d,S%d,r-%d,\"{\"\"pi_email\"\":\"\"pi%d@x.edu\"\",\"\"fund_org\"\":\"\"F%d\"\"}\"\n",
				period, i%97, i%100, i%5, i, i%50, i%7)
		}
		if _, err := l.Import(ctx, tester, strings.NewReader(b.String()),
			ledger.ImportOptions{Source: "BENCH", FileName: "bench.csv", Tags: tagkeys.Default()}); err != nil {
			t.Fatal(err)
		}
		flagged := "BillingPeriodStart,BilledCost,ServiceName,ResourceId,x_Flags,Tags\n" +
			period + `-01,5.00,S1,hpc-1,outlier,"{""pi_email"":""ada@x.edu"",""fund_org"":""F1""}"` + "\n"
		if _, err := l.Import(ctx, tester, strings.NewReader(flagged),
			ledger.ImportOptions{Source: "HPC", FileName: "hpc.csv", Tags: tagkeys.Default()}); err != nil {
			t.Fatal(err)
		}
	}
}
