package sqlite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	// Migration 14: every import, the release's and the new one, knows the
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
	// Migration 11: the release's adjustments can be voided, once, the void
	// of the finalized period's going into the open one.
	var adj int64
	var period string
	if err := l.DB().QueryRow(`SELECT id, period FROM adjustments WHERE void_of IS NULL AND charge_id IS NULL ORDER BY period LIMIT 1`).Scan(&adj, &period); err != nil {
		t.Fatal(err)
	}
	voidID, into, err := l.VoidAdjustment(ctx, ledger.Actor{User: "t", Origin: "cli"}, adj, "", "")
	if err != nil || (period == "2025-01") != (into == "2025-12") {
		t.Errorf("void of the release's adjustment %d (%s): %d in %s, %v", adj, period, voidID, into, err)
	}
	if _, _, err := l.VoidAdjustment(ctx, ledger.Actor{User: "t", Origin: "cli"}, adj, "", ""); !ledger.IsRefused(err) {
		t.Errorf("a second void of adjustment %d: %v", adj, err)
	}
	// The finalized period stays immutable through the move, rows included.
	if _, err := l.DB().Exec(`DELETE FROM import_rows WHERE import_id IN (SELECT id FROM imports WHERE period = '2025-01')`); err == nil {
		t.Error("a finalized period's rows could be deleted after the upgrade")
	}
	// Migration 13: a session on record before the idle clock (last_seen
	// NULL) stays valid and starts its clock; an idle one ends.
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := l.DB().Exec(`INSERT INTO web_sessions(id, who, expires) VALUES ('` + sessionKeyForTest("old") + `', 'ada', '2025-03-02T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if ok, err := l.SessionActive(ctx, "old", now, 30*time.Minute); !ok || err != nil {
		t.Errorf("a session from before migration 13: active %v (%v)", ok, err)
	}
	if ok, _ := l.SessionActive(ctx, "old", now.Add(31*time.Minute), 30*time.Minute); ok {
		t.Error("a session idle for 31 minutes is still active")
	}
}

// sessionKeyForTest is how lib/ledger stores a session id (hex SHA-256).
func sessionKeyForTest(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}
