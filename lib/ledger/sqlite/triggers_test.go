package sqlite

import (
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
