package postgres_test

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
	"github.com/openchargeback/ocb/lib/ledger/postgres"
)

// TestPeriodQueriesUseTheIndex: with statistics of a ledger where one
// period is a quarter of the charges, every query that reads one period's
// charges (charge browser, review queue, statements, adjustments) reads
// them through charges' primary key, one id range an import, never by a
// sequential scan of charges (issue 30); a page in id order is read in
// that order, with no sort of the period.
func TestPeriodQueriesUseTheIndex(t *testing.T) {
	l, _ := open(t)
	ledgertest.LoadMonths(t, l, 4, 3000)
	if _, err := l.DB().Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	// Pages of 20 on 12k charges: the ratio of a web page (100) to a
	// ledger of 60k charges. With 100 on 12k the planner rightly reads the
	// whole small table instead of 100 ids through the index.
	qs, err := l.PeriodQueries("2025-02", 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		plan, err := l.Explain(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if strings.Contains(plan, "Seq Scan on charges") || !strings.Contains(plan, "charges_pkey on charges") {
			t.Errorf("%s does not read charges by their primary key:\n%s\n%s", q.Name, plan, q.SQL)
		}
		// A page in id order is read in that order: no sort of the period.
		if q.InOrder && strings.Contains(plan, "Sort Key: c.id") {
			t.Errorf("%s sorts the period's charges:\n%s\n%s", q.Name, plan, q.SQL)
		}
	}
}

// TestMigrationTenFillsChargeRanges: a ledger of schema 9 with imports
// in two periods gets each import's charge id range from migration 10,
// and its imports stay immutable (the guard disabled for the fill is back).
func TestMigrationTenFillsChargeRanges(t *testing.T) {
	l, dsn := open(t)
	ledgertest.LoadMonths(t, l, 2, 5)
	for _, q := range []string{
		`DROP INDEX imports_period`, `DROP INDEX tag_overrides_period`,
		`ALTER TABLE imports DROP COLUMN first_charge, DROP COLUMN last_charge`,
		`DELETE FROM ledger_schema_version WHERE version >= 10`, // 11 and later run again too
	} {
		if _, err := l.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := postgres.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var bad, n int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE first_charge IS DISTINCT FROM (SELECT min(id) FROM charges WHERE import_id = i.id)
		OR last_charge IS DISTINCT FROM (SELECT max(id) FROM charges WHERE import_id = i.id)), count(*) FROM imports i`).Scan(&bad, &n); err != nil {
		t.Fatal(err)
	}
	if bad != 0 || n != 4 {
		t.Errorf("%d of %d imports without their charges' id range after migration 10", bad, n)
	}
	if _, err := l.DB().Exec(`UPDATE imports SET first_charge = 1`); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("imports could be changed after migration 10: %v", err)
	}
}
