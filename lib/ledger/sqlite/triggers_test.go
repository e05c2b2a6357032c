package sqlite

import (
	"database/sql"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// A finalized period refuses every change from the real sqlite3 shell, not
// only through this package; open and closed periods follow their rules.
func TestFinalizedPeriodImmutableFromSQLiteShell(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	l, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags,x_Flags\n" +
		`2025-01-01,1,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}",outlier` + "\n" +
		`2025-01-01,2,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}",` + "\n"
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	if err := l.Assign(ctx, tester, []int64{1}, map[string]string{ledger.RoleProjectID: "p"}, func(r string) string { return r }); err != nil {
		t.Fatal(err)
	}
	if err := l.Approve(ctx, tester, []int64{1}, ""); err != nil {
		t.Fatal(err)
	}
	adj := ledger.Adjustment{Period: "2025-01", PIEmail: "a@uni.edu", Reason: "credit"}
	adj.Amount = decimal.RequireFromString("-1.5")
	if _, err := l.Adjust(ctx, tester, adj); err != nil {
		t.Fatal(err)
	}
	did, err := l.OpenDispute(ctx, tester, ledger.Dispute{Period: "2025-01", PIEmail: "a@uni.edu", Reason: "why"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.ResolveDispute(ctx, tester, did, "ok"); err != nil {
		t.Fatal(err)
	}
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	// Nor into a period the ledger does not have (the shell enforces no
	// foreign keys).
	if out, err := exec.Command("sqlite3", path, `INSERT INTO charges(import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency) SELECT 99, '2099-01', line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency FROM charges WHERE id = 2`).CombinedOutput(); err == nil || !strings.Contains(string(out), "not open") {
		t.Fatalf("unknown period: charge insert from the shell: %v %s", err, out)
	}
	if out, err := exec.Command("sqlite3", path, `INSERT INTO charges(import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency) SELECT import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency FROM charges WHERE id = 2`).CombinedOutput(); err == nil || !strings.Contains(string(out), "not open") {
		t.Fatalf("closed period: charge insert from the shell: %v %s", err, out)
	}
	if err := l.FinalizePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	l.Close()

	for _, stmt := range []string{
		`UPDATE periods SET state = 'open' WHERE period = '2025-01'`,
		`UPDATE periods SET finalized_at = '2030-01-01T00:00:00Z'`,
		`DELETE FROM periods`,
		`UPDATE charges SET billed_cost = '0'`,
		`DELETE FROM charges`,
		`INSERT INTO imports(period, source, file_name, sha256, header, rows, flagged, list_total, billed_total, imported_at, imported_by) VALUES ('2025-01','Y','y','abc','[]',0,0,'0','0','t','u')`,
		`UPDATE imports SET rows = 0`,
		`DELETE FROM imports`,
		`UPDATE review SET status = 'rejected'`,
		`DELETE FROM review`,
		`INSERT INTO review(charge_id, period, flags, status) VALUES (2, '2025-01', '', 'rejected')`,
		`UPDATE tag_overrides SET value = 'q'`,
		`DELETE FROM tag_overrides`,
		`INSERT INTO tag_overrides(charge_id, period, role, value) VALUES (2, '2025-01', 'pi_email', 'b@uni.edu')`,
		`UPDATE adjustments SET amount = '-1000'`,
		`DELETE FROM adjustments`,
		`INSERT INTO adjustments(period, pi_email, project_id, fund_org, amount, reason, ref, created_at, created_by) VALUES ('2025-01','a@uni.edu','','','5','late','','t','u')`,
		`UPDATE disputes SET status = 'open'`,
		`DELETE FROM disputes`,
		`INSERT INTO disputes(period, pi_email, reason, status, opened_at, opened_by) VALUES ('2025-01','a@uni.edu','x','open','t','u')`,
		`UPDATE audit SET who = 'nobody'`,
		`DELETE FROM audit`,
		`UPDATE import_rows SET data = x'00'`,
		`DELETE FROM import_rows`,
		`INSERT INTO import_rows(import_id, frame, rows, data) SELECT import_id, 99, rows, data FROM import_rows`,
	} {
		out, err := exec.Command("sqlite3", path, stmt).CombinedOutput()
		if err == nil {
			t.Errorf("sqlite3 %q was accepted", stmt)
			continue
		}
		msg := string(out)
		if !strings.Contains(msg, "finalized") && !strings.Contains(msg, "immutable") && !strings.Contains(msg, "not open") && !strings.Contains(msg, "append-only") {
			t.Errorf("sqlite3 %q: unexpected error %s", stmt, msg)
		}
	}
	// Nothing changed.
	out, err := exec.Command("sqlite3", path, `SELECT (SELECT count(*) FROM charges) || ' ' || (SELECT group_concat(status) FROM review) || ' ' || (SELECT amount FROM adjustments) || ' ' || (SELECT state FROM periods)`).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "2 approved -1.5 finalized" {
		t.Fatalf("after the attempts: %s %v", out, err)
	}
}

// An import lifts the charges' insert guard inside its transaction (one
// trigger run a row was a tenth of its CPU): every import, landed or
// refused after its rows were written, leaves the guard as the migration
// made it, and another connection never sees it missing.
func TestImportRestoresChargesGuard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	l, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	guard := func() string {
		t.Helper()
		var def string
		if err := l.DB().QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'charges_open_insert'`).Scan(&def); err != nil {
			t.Fatalf("the charges' insert guard is gone: %v", err)
		}
		return def
	}
	want := guard()
	if !strings.Contains(want, "AFTER INSERT ON charges") {
		t.Fatalf("guard: %s", want)
	}
	var rows strings.Builder
	rows.WriteString("BillingPeriodStart,BilledCost,ServiceName,ResourceId,Tags\n")
	for i := range 3000 {
		fmt.Fprintf(&rows, `2025-01-01,%d.25,S,r-%d,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}"`+"\n", i, i)
	}
	data := rows.String()
	// A reader (another connection) holds a snapshot while the import runs.
	rdb, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rtx, err := rdb.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'charges_open_insert'`).Scan(&n); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	if err := rtx.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'charges_open_insert'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("a reader saw %d guards during the import (%v)", n, err)
	}
	rtx.Rollback()
	if got := guard(); got != want {
		t.Errorf("after an import the guard is\n%s\nwant\n%s", got, want)
	}
	// Refused at the end, after its rows were written: the same bytes
	// under a second source, and rows already imported.
	if _, err := importString(t, l, "Y", data); err == nil {
		t.Fatal("the same file under a second source was imported")
	}
	if _, err := importString(t, l, "Z", strings.Replace(data, "S,r-0,", "S,r-new,", 1)); err == nil {
		t.Fatal("an overlapping file was imported")
	}
	if got := guard(); got != want {
		t.Errorf("after refused imports the guard is\n%s\nwant\n%s", got, want)
	}
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DB().Exec(`INSERT INTO charges(import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency)
		VALUES (1, '2025-01', 1, 'a@uni.edu', '', '', 'F', '', '', '', '', '', '', 'S', '', 'r', '', '', '', '1', '1', 'USD')`); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("a charge of a closed period was inserted: %v", err)
	}
}
