package sqlite

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/ledger"
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
	// The finalized period stays immutable through the move, rows included.
	if _, err := l.DB().Exec(`DELETE FROM import_rows WHERE import_id IN (SELECT id FROM imports WHERE period = '2025-01')`); err == nil {
		t.Error("a finalized period's rows could be deleted after the upgrade")
	}
}
