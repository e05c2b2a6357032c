package sqlite

import (
	"regexp"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
)

// TestPeriodQueriesUseTheRowid: every query that reads one period's
// charges (charge browser, review queue, statements, adjustments) reads
// them by rowid range, one per import of the period, never by a scan of
// the charges table (issue 30: such scans made /charges and /review cost
// seconds on a year-long ledger). A page of the whole period sorted by
// billed cost or by PI reads its keys from their index instead.
func TestPeriodQueriesUseTheRowid(t *testing.T) {
	l := open(t)
	ledgertest.LoadMonths(t, l, 3, 200)
	qs, err := l.PeriodQueries("2025-02", 100)
	if err != nil {
		t.Fatal(err)
	}
	scan := regexp.MustCompile(`(?m)^SCAN c\b`)
	for _, q := range qs {
		plan, err := l.Explain(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if scan.MatchString(plan) || !strings.Contains(plan, "SEARCH c USING INTEGER PRIMARY KEY") {
			t.Errorf("%s reads charges by a scan:\n%s\n%s", q.Name, plan, q.SQL)
		}
		// A page of the period by billed cost or by PI: the keys are read
		// in order from the index alone, no sort of the period's charges.
		if q.InOrder && strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s sorts the period's charges:\n%s\n%s", q.Name, plan, q.SQL)
		}
		if q.Index != "" && !strings.Contains(plan, "SEARCH c USING COVERING INDEX "+q.Index+" (period=?)") {
			t.Errorf("%s does not read the keys from %s:\n%s\n%s", q.Name, q.Index, plan, q.SQL)
		}
	}
}

// TestUpgradedLedgerSortsByIndex: a ledger of the previous release gets
// the sort indexes from migration 15, and its sorted pages use them.
func TestUpgradedLedgerSortsByIndex(t *testing.T) {
	l := openReleaseLedger(t)
	qs, err := l.PeriodQueries("2025-12", 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		if q.Index == "" {
			continue
		}
		n++
		plan, err := l.Explain(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if !strings.Contains(plan, "USING COVERING INDEX "+q.Index) {
			t.Errorf("%s does not read %s after the upgrade:\n%s", q.Name, q.Index, plan)
		}
	}
	if n != 4 {
		t.Errorf("%d sorted pages, want 4", n)
	}
}
