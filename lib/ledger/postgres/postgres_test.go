package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/openchargeback/ocb/internal/pgtest"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
	"github.com/openchargeback/ocb/lib/ledger/postgres"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

var ctx = context.Background()
var tester = ledger.Actor{User: "tester", Origin: "cli"}

func open(t *testing.T) (*ledger.Ledger, string) {
	t.Helper()
	dsn := pgtest.DSN(t)
	l, err := ledger.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dsn
}

// TestLedgerSuite runs the ledger suite on PostgreSQL, each subtest in a
// fresh schema; skipped with a message without FOCUS_TEST_POSTGRES.
func TestLedgerSuite(t *testing.T) {
	if pgtest.Base() == "" {
		t.Skip(pgtest.Env + " is not set: the ledger suite on PostgreSQL is skipped (make test-postgres starts a server)")
	}
	ledgertest.Test(t, func(t *testing.T) *ledger.Ledger {
		l, _ := open(t)
		return l
	})
}

// TestOpenUsesTheBackendAsked: a DSN opens a PostgreSQL ledger, and the
// run meant for PostgreSQL does not quietly test SQLite.
func TestOpenUsesTheBackendAsked(t *testing.T) {
	l, _ := open(t)
	if got := l.Dialect().Name; got != "postgres" {
		t.Fatalf("backend %s, want postgres", got)
	}
	if !l.Created() {
		t.Error("a new ledger schema does not report Created")
	}
}

// objects counts the tables, indexes and functions of the test's schema.
func objects(t *testing.T, l *ledger.Ledger) int {
	t.Helper()
	var n int
	if err := l.DB().QueryRow(`SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace) +
  (SELECT count(*) FROM pg_proc WHERE pronamespace = current_schema()::regnamespace)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A refused first import into an empty database leaves nothing behind
// once focus-load drops the schema its Open created (DropIfEmpty), as a
// refused first import leaves no SQLite file: no tables, no functions,
// and OpenExisting says the database holds no ledger.
func TestRefusedFirstImportLeavesNothing(t *testing.T) {
	l, dsn := open(t)
	if _, err := importCSV(t, l, "X", "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,x,S,\n"); !ledger.IsRefused(err) {
		t.Fatalf("bad row: %v, want a refusal", err)
	}
	dropped, err := l.DropIfEmpty(ctx)
	if err != nil || !dropped {
		t.Fatalf("DropIfEmpty: %v %v", dropped, err)
	}
	if n := objects(t, l); n != 0 {
		t.Errorf("%d tables, indexes or functions left behind (dropSQL misses some)", n)
	}
	if _, err := ledger.OpenExisting(dsn); err == nil || !strings.Contains(err.Error(), "holds no ledger") {
		t.Fatalf("OpenExisting after the drop: %v", err)
	}
}

// DropIfEmpty keeps a ledger that holds anything.
func TestDropIfEmptyKeepsALedgerInUse(t *testing.T) {
	l, _ := open(t)
	if _, err := importCSV(t, l, "X", csvOf("a@uni.edu", 2)); err != nil {
		t.Fatal(err)
	}
	before := objects(t, l)
	if dropped, err := l.DropIfEmpty(ctx); dropped || err != nil {
		t.Fatalf("DropIfEmpty on a ledger with an import: %v %v", dropped, err)
	}
	if objects(t, l) != before {
		t.Fatal("objects changed")
	}
	if imps, err := l.Imports(ctx, "2025-01"); err != nil || len(imps) != 1 {
		t.Fatalf("imports %v %v", imps, err)
	}
}

func csvOf(pi string, n int) string {
	var b strings.Builder
	b.WriteString("BillingPeriodStart,BilledCost,ListCost,ServiceName,ResourceId,Tags\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `2025-01-01,1.25,2.50,S,r%d,"{""pi_email"":""%s"",""fund_org"":""F-1""}"`+"\n", i, pi)
	}
	return b.String()
}

func importCSV(t *testing.T, l *ledger.Ledger, source, data string) (ledger.ImportResult, error) {
	t.Helper()
	return l.Import(ctx, tester, strings.NewReader(data), ledger.ImportOptions{Source: source, FileName: source + ".csv", Tags: tagkeys.Default()})
}

func TestRewrite(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT a FROM t WHERE b = ? AND c = ?`:         `SELECT a FROM t WHERE b = $1 AND c = $2`,
		`SELECT 'what?' || x'1f' || b FROM t WHERE c=?`: `SELECT 'what?' || chr(31) || b FROM t WHERE c=$1`,
		`SELECT 1 WHERE a = ?1 OR b = ?1`:               `SELECT 1 WHERE a = $1 OR b = $1`,
		`WHERE a LIKE ? ORDER BY CAST(x AS REAL)`:       `WHERE a ILIKE $1 ORDER BY CAST(x AS NUMERIC)`,
	} {
		if got := postgres.Rewrite(in); got != want {
			t.Errorf("Rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDSNs(t *testing.T) {
	for dsn, pg := range map[string]bool{
		"postgres://u@h/db": true, "postgresql:///db?host=/run/postgresql": true,
		"host=/run/postgresql dbname=ledger": true, "dbname=x": true,
		"ledger.db": false, "/srv/billing/ledger.db": false, "my ledger=1.db": false,
	} {
		if ledger.IsPostgresDSN(dsn) != pg {
			t.Errorf("IsPostgresDSN(%q) = %v", dsn, !pg)
		}
	}
	if got := ledger.Redact("postgres://bill:s3cret@h/db"); strings.Contains(got, "s3cret") {
		t.Errorf("Redact: %s", got)
	}
}

// An UPDATE on a finalized period's charge fails in the database itself,
// with SQLite's message, whoever sends it (psql included).
func TestTriggersRefuseRawChanges(t *testing.T) {
	l, dsn := open(t)
	if _, err := importCSV(t, l, "X", csvOf("a@uni.edu", 3)); err != nil {
		t.Fatal(err)
	}
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if err := l.FinalizePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	for q, msg := range map[string]string{
		`UPDATE charges SET billed_cost = '0' WHERE id = 1`: "charges are immutable facts",
		`DELETE FROM charges`:                               "period is not open: charges cannot be removed",
		`UPDATE periods SET state = 'open'`:                 "period is finalized: it cannot change",
		`DELETE FROM audit`:                                 "the audit log is append-only",
		`UPDATE import_rows SET rows = 0`:                   "imported rows are immutable facts",
		`UPDATE import_lines SET billed_cost = '0'`:         "imported rows are immutable facts",
		`INSERT INTO adjustments(period, pi_email, project_id, fund_org, amount, reason, ref, created_at, created_by) VALUES ('2025-01','a@uni.edu','','F','1','x','','t','u')`: "period is finalized: it cannot change",
		`UPDATE review SET status = 'rejected'`: "", // no review rows: nothing to refuse
		// A period the ledger does not have (migration 5).
		`INSERT INTO charges(id, import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency)
			SELECT 1000, import_id, '2099-01', line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency FROM charges WHERE id = 1`: "period is not open: imports are refused",
	} {
		_, err := l.DB().Exec(q)
		if msg == "" {
			continue
		}
		var r *ledger.RefusedError
		if !errors.As(err, &r) || !strings.HasPrefix(r.Msg, msg) || !ledger.IsRefused(err) {
			t.Errorf("%s: %v, want refusal %q", q, err, msg)
		}
	}
	if psql, err := exec.LookPath("psql"); err == nil {
		out, err := exec.Command(psql, dsn, "-v", "ON_ERROR_STOP=1", "-c", `UPDATE charges SET billed_cost = '0' WHERE id = 1`).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "charges are immutable facts") {
			t.Errorf("psql UPDATE on a finalized charge: %v\n%s", err, out)
		}
	}
}

// Two imports into one new period at once both land (the period row is
// created once, then locked by each in turn), with every row, one
// period-open audit record and distinct ids.
func TestConcurrentImportsBothLand(t *testing.T) {
	l, dsn := open(t)
	l2, err := ledger.Open(dsn) // a second process
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lx := l
			if i%2 == 1 {
				lx = l2
			}
			_, errs[i] = importCSV(t, lx, fmt.Sprintf("S%d", i), csvOf(fmt.Sprintf("p%d@uni.edu", i), 2000+i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("import %d: %v", i, err)
		}
	}
	imps, err := l.Imports(ctx, "2025-01")
	if err != nil || len(imps) != 4 {
		t.Fatalf("imports %v %v", imps, err)
	}
	n := 0
	if err := l.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 2000+2001+2002+2003 {
		t.Fatalf("%d charges", n)
	}
	var opens int
	if err := l.DB().QueryRow(`SELECT count(*) FROM audit WHERE action = 'period-open'`).Scan(&opens); err != nil || opens != 1 {
		t.Fatalf("period-open audit records: %d %v", opens, err)
	}
}

func TestOpenExistingRefusesADatabaseWithoutLedger(t *testing.T) {
	dsn := pgtest.DSN(t)
	_, err := ledger.OpenExisting(dsn)
	if err == nil || !strings.Contains(err.Error(), "holds no ledger") {
		t.Fatalf("OpenExisting on an empty schema: %v", err)
	}
	l, err := ledger.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	// Migrating again is a no-op.
	l, err = ledger.OpenExisting(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var v int
	if err := l.DB().QueryRow(`SELECT max(version) FROM ledger_schema_version`).Scan(&v); err != nil || v < 1 {
		t.Fatalf("schema version %d %v", v, err)
	}
}

// Charges keep to their import without a per-row foreign key (migration
// 3): a charge naming no import is refused, and removing an import
// removes its charges (and their review items).
func TestChargesBelongToTheirImport(t *testing.T) {
	l, _ := open(t)
	res, err := importCSV(t, l, "X", csvOf("", 4)) // no PI: every row is reviewed
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.DB().Exec(`INSERT INTO charges SELECT id + 100, 999, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code,
		end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency
		FROM charges`)
	var r *ledger.RefusedError
	if !errors.As(err, &r) || !strings.Contains(r.Msg, "names no import") {
		t.Fatalf("charges of import 999: %v, want a refusal", err)
	}
	count := func(table string) int {
		var n int
		if err := l.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("charges") != 4 || count("review") != 4 {
		t.Fatalf("%d charges, %d review items, want 4 and 4", count("charges"), count("review"))
	}
	if _, err := l.DB().Exec(`DELETE FROM imports WHERE id = ?`, res.ImportID); err != nil {
		t.Fatal(err)
	}
	if count("charges") != 0 || count("review") != 0 || count("import_rows") != 0 {
		t.Fatalf("after removing the import: %d charges, %d review items, %d frames", count("charges"), count("review"), count("import_rows"))
	}
}
