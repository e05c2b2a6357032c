package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

var ctx = context.Background()
var tester = ledger.Actor{User: "tester", Origin: "cli"}

// open returns a new empty ledger file, opened by DSN through the
// registry as the commands open it.
func open(t *testing.T) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func importString(t *testing.T, l *ledger.Ledger, source, data string) (ledger.ImportResult, error) {
	t.Helper()
	return l.Import(ctx, tester, strings.NewReader(data), ledger.ImportOptions{Source: source, FileName: source + ".csv", Tags: tagkeys.Default()})
}

// TestLedgerSuite runs the ledger suite on SQLite, in every `make test`.
func TestLedgerSuite(t *testing.T) {
	ledgertest.Test(t, open)
}

// TestOpenUsesTheBackendAsked: a file path opens a SQLite ledger, and a
// new one says it was created.
func TestOpenUsesTheBackendAsked(t *testing.T) {
	l := open(t)
	if got := l.Dialect().Name; got != "sqlite" {
		t.Fatalf("backend %s, want sqlite", got)
	}
	if !l.Created() {
		t.Error("a new ledger file does not report Created")
	}
	if dropped, err := l.DropIfEmpty(ctx); dropped || err != nil {
		t.Errorf("DropIfEmpty on SQLite: %v %v, want nothing dropped", dropped, err)
	}
}

// The migration files are numbered 1…n without a gap (user_version n),
// and the Go steps are where the files say.
func TestMigrationFiles(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if (m.step != nil) != onlyComments(m.SQL) {
			t.Errorf("%s: a migration is either SQL or a Go step (step %v, SQL %q)", m.Name, m.step != nil, m.SQL)
		}
	}
	if len(ms) != 14 {
		t.Errorf("%d migrations; a new one needs a test of the upgrade of the previous release's file", len(ms))
	}
}

// A refused trigger change is a *ledger.RefusedError carrying the
// trigger's message, with the driver's error kept as Err.
func TestTranslateKeepsTheDriverError(t *testing.T) {
	l := open(t)
	if _, err := importString(t, l, "X", "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1,S,\n"); err != nil {
		t.Fatal(err)
	}
	_, err := l.DB().Exec(`UPDATE charges SET billed_cost = '0'`)
	r, ok := err.(*ledger.RefusedError)
	if !ok || r.Err == nil || r.Msg != "charges are immutable facts: record a review disposition or an adjustment" || !ledger.IsRefused(err) {
		t.Fatalf("%#v", err)
	}
}

// An import keeps its input's size (migration 10): a re-run of the same
// regular file is still recognised before it is parsed, and a file of
// another size is imported without being hashed first.
func TestImportKeepsItsSize(t *testing.T) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n" +
		`2025-01-01,1.50,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}"` + "\n"
	path := filepath.Join(t.TempDir(), "x.csv")
	importFile := func(content string, replace bool) ledger.ImportResult {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := l.Import(ctx, tester, f, ledger.ImportOptions{Source: "X", FileName: "x.csv", Tags: tagkeys.Default(), Replace: replace})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := importFile(data, false)
	var size int64
	if err := l.DB().QueryRow(`SELECT bytes FROM imports WHERE id = ?`, first.ImportID).Scan(&size); err != nil || size != int64(len(data)) {
		t.Fatalf("bytes = %d (%v), want %d", size, err, len(data))
	}
	if again := importFile(data, false); !again.NoOp || again.ImportID != first.ImportID {
		t.Errorf("the same file again: %+v", again)
	}
	more := data + `2025-01-01,2.50,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}"` + "\n"
	if next := importFile(more, true); next.NoOp || next.Rows != 2 || len(next.Replaced) != 1 {
		t.Errorf("a longer file: %+v", next)
	}
}
