package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/openchargeback/ocb/lib/ledger/sqlite"
)

func open(t *testing.T) (*sql.DB, *sql.Conn) {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t(i INTEGER, s TEXT NOT NULL, b BLOB, n TEXT);
CREATE TRIGGER t_no_neg BEFORE INSERT ON t WHEN NEW.i < 0 BEGIN SELECT RAISE(ABORT, 'negative i refused'); END;`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn
}

func copyRows(conn *sql.Conn, rows [][]any) (n int64, err error) {
	err = conn.Raw(func(dc any) error {
		n, err = sqlite.Copy(context.Background(), dc, "t", []string{"i", "s", "b", "n"}, rows)
		return err
	})
	return n, err
}

func TestCopyStoresEveryKind(t *testing.T) {
	_, conn := open(t)
	rows := [][]any{
		{int64(1), "plain", []byte{0, 1, 2}, nil},
		{2, "", []byte{}, "x"},
		{int64(-0), "nul\x00inside and ünïcode", nil, "=HYPERLINK(\"x\")"},
	}
	if n, err := copyRows(conn, rows); err != nil || n != 3 {
		t.Fatalf("copy: %d, %v", n, err)
	}
	got, err := conn.QueryContext(context.Background(), `SELECT i, typeof(s), s, typeof(b), b, typeof(n), n FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	want := [][]string{
		{"1", "text", "plain", "blob", "\x00\x01\x02", "null", ""},
		{"2", "text", "", "blob", "", "text", "x"},
		{"0", "text", "nul\x00inside and ünïcode", "null", "", "text", "=HYPERLINK(\"x\")"},
	}
	for k := 0; got.Next(); k++ {
		var i int64
		var ts, s, tb, tn string
		var b []byte
		var n sql.NullString
		if err := got.Scan(&i, &ts, &s, &tb, &b, &tn, &n); err != nil {
			t.Fatal(err)
		}
		have := []string{itoa(i), ts, s, tb, string(b), tn, n.String}
		for c := range have {
			if have[c] != want[k][c] {
				t.Errorf("row %d column %d = %q, want %q", k, c, have[c], want[k][c])
			}
		}
	}
}

func TestCopyReportsTheRefusedRow(t *testing.T) {
	db, conn := open(t)
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	_, err := copyRows(conn, [][]any{{1, "a", nil, nil}, {-5, "b", nil, nil}, {3, "c", nil, nil}})
	var e *sqlite.CopyError
	if !errors.As(err, &e) || !e.Constraint() || e.Row != 1 || e.Msg != "negative i refused" {
		t.Fatalf("err = %#v, want the trigger's refusal of row 1", err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows after rollback (%v), want 0", n, err)
	}
	if _, err := copyRows(conn, [][]any{{1, 2.5, nil, nil}}); err == nil {
		t.Fatal("a float64 value was accepted")
	}
	if _, err := copyRows(conn, [][]any{{1, "a", nil}}); err == nil {
		t.Fatal("a row with a missing value was accepted")
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// Rows whose cells add up to more than one packing (maxPack) go in
// several C calls, in order, all of them.
func TestCopySplitsBigBatches(t *testing.T) {
	db, conn := open(t)
	big := strings.Repeat("x", 40<<20)
	rows := [][]any{{1, big, nil, nil}, {2, "small", nil, nil}, {3, big, nil, nil}}
	if n, err := copyRows(conn, rows); err != nil || n != 3 {
		t.Fatalf("copy: %d, %v", n, err)
	}
	var ids string
	var total int64
	if err := db.QueryRow(`SELECT group_concat(i), sum(length(s)) FROM (SELECT i, s FROM t ORDER BY rowid)`).Scan(&ids, &total); err != nil {
		t.Fatal(err)
	}
	if ids != "1,2,3" || total != 2*(40<<20)+5 {
		t.Fatalf("rows %s, %d bytes", ids, total)
	}
}
