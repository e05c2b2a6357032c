package sqlite

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// openReleaseLedger opens (so upgrades) a copy of testdata/v2-demo.db, a
// ledger file written by the previous release.
func openReleaseLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	src, err := os.ReadFile("testdata/v2-demo.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestUpgradeReleaseLedger opens a ledger file made by the previous release
// (schema 2, testdata/v2-demo.db: the demo's two periods, one finalized,
// with review decisions, adjustments, an open and a resolved dispute) and
// checks the upgrade to the framed layout keeps everything: ids, decisions,
// adjustments, disputes, audit, and every row byte for byte in export (the
// files beside it were written by that release's focus-load export).
func TestUpgradeReleaseLedger(t *testing.T) {
	l := openReleaseLedger(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := l.DB().QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != len(ms) {
		t.Fatalf("user_version %d (%v), want %d", version, err, len(ms))
	}
	count := func(q string) int {
		var n int
		if err := l.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM charges`:                                                               280,
		`SELECT min(id) + max(id) FROM charges`:                                                      281,
		`SELECT count(*) FROM review WHERE status = 'approved'`:                                      4,
		`SELECT count(*) FROM review WHERE status = 'pending'`:                                       4,
		`SELECT count(*) FROM adjustments`:                                                           2,
		`SELECT count(*) FROM disputes WHERE status = 'open'`:                                        1,
		`SELECT count(*) FROM disputes WHERE status = 'resolved'`:                                    1,
		`SELECT count(*) FROM audit`:                                                                 21,
		`SELECT sum(rows) FROM import_rows`:                                                          280,
		`SELECT count(*) FROM pragma_table_info('charges') WHERE name = 'record'`:                    0,
		`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%AFTER INSERT ON%'`: 4,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	for _, p := range []string{"2025-01", "2025-12"} {
		want, err := os.ReadFile("testdata/v2-demo-export-" + p + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w := focus.NewWriter(&buf, focus.CSV)
		if _, err := l.ExportCharges(ctx, p, w); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("export of %s after the upgrade differs from the release's (%d vs %d bytes)", p, buf.Len(), len(want))
		}
	}
	// A new import beside the upgraded ones is stored as columns; export
	// reads both formats: the release's rows as they were, then the new.
	more := "BillingPeriodStart,BilledCost,ServiceName,ResourceId,Tags\n" +
		`2025-12-01,1.50,New service,new-1,"{""pi_email"":""ada.lovelace@uni.edu"",""fund_org"":""NSF-ATM-2024""}"` + "\n"
	if _, err := l.Import(ctx, ledger.Actor{User: "t", Origin: "cli"}, strings.NewReader(more), ledger.ImportOptions{Source: "New", FileName: "new.csv", Tags: tagkeys.Default()}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := focus.NewWriter(&buf, focus.CSV)
	if _, err := l.ExportCharges(ctx, "2025-12", w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile("testdata/v2-demo-export-2025-12.csv")
	oldRows := strings.Count(string(old), "\n")
	if got := buf.String(); strings.Count(got, "\n") != oldRows+1 || !strings.Contains(got, "New service") || !strings.Contains(got, "new-1") {
		t.Errorf("export of 2025-12 with a new import: %d lines (want %d), new row: %v", strings.Count(got, "\n"), oldRows+1, strings.Contains(got, "new-1"))
	}
	if n := count(`SELECT count(*) FROM imports WHERE record_format = 'columns'`); n != 1 {
		t.Errorf("%d imports stored as columns, want 1", n)
	}
	// Migration 10: the release's imports have no known size; the new one has.
	if n := count(`SELECT count(*) FROM imports WHERE bytes IS NULL`); n != 8 {
		t.Errorf("%d imports without a size, want the release's 8", n)
	}
	if n := count(fmt.Sprintf(`SELECT count(*) FROM imports WHERE bytes = %d`, len(more))); n != 1 {
		t.Errorf("%d imports of %d bytes, want 1", n, len(more))
	}
	// Migration 11: every import, the release's and the new one, knows the
	// range of its charges' ids; imports stay immutable.
	if n := count(`SELECT count(*) FROM imports i WHERE first_charge IS NOT (SELECT min(id) FROM charges WHERE import_id = i.id)
		OR last_charge IS NOT (SELECT max(id) FROM charges WHERE import_id = i.id) OR first_charge IS NULL`); n != 0 {
		t.Errorf("%d imports without their charges' id range", n)
	}
	if _, err := l.DB().Exec(`UPDATE imports SET first_charge = 1`); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("an import's charge range could be changed after the upgrade: %v", err)
	}
	// Migration 9: no charge of a period the ledger does not have.
	if _, err := l.DB().Exec(`INSERT INTO charges(import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency)
		SELECT import_id, '2099-01', line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency FROM charges LIMIT 1`); err == nil || !strings.Contains(err.Error(), "not open") {
		t.Errorf("a charge of an unknown period was added after the upgrade: %v", err)
	}
	// The finalized period stays immutable through the move, rows included.
	if _, err := l.DB().Exec(`DELETE FROM import_rows WHERE import_id IN (SELECT id FROM imports WHERE period = '2025-01')`); err == nil {
		t.Error("a finalized period's rows could be deleted after the upgrade")
	}
}
