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
// seconds on a year-long ledger). A page in id order is read in that
// order: no sort of the period.
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
		// A page in id order: read in order, no sort of the period.
		if q.InOrder && strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s sorts the period's charges:\n%s\n%s", q.Name, plan, q.SQL)
		}
	}
}
