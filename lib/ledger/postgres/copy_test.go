package postgres_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger/postgres"
)

// The binary COPY writes every kind of value the ledger hands over into
// each kind of column it has, NULL included, and a value it does not
// encode itself (a float) still lands, through pgx's CopyFrom.
func TestCopyEncodesEveryKind(t *testing.T) {
	l, _ := open(t)
	db := l.DB()
	if _, err := db.Exec(`CREATE TABLE copy_kinds (big BIGINT, small INTEGER, txt TEXT, bin BYTEA, num NUMERIC)`); err != nil {
		t.Fatal(err)
	}
	s, n := "pointed-to é", int64(-1<<40)
	rows := [][]any{
		{int64(1 << 40), 7, "text", []byte{0, 1, 0xff}, nil},
		{&n, int64(-3), &s, "text into bytea", nil},
		{nil, nil, []byte("bytes into text"), []byte{}, nil},
		{int(5), int64(2147483647), "", nil, nil},
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	copyRows := func(rows [][]any) error {
		return conn.Raw(func(dc any) error {
			got, err := postgres.Dialect.Copy(ctx, dc, "copy_kinds", []string{"big", "small", "txt", "bin", "num"}, rows)
			if err == nil && got != int64(len(rows)) {
				t.Errorf("%d rows copied, want %d", got, len(rows))
			}
			return err
		})
	}
	if err := copyRows(rows); err != nil {
		t.Fatal(err)
	}
	// Rows of more than one read of the sender (64 KiB), read back whole.
	var many [][]any
	var sumBig, sumLen int64
	for i := range 5000 {
		txt := strings.Repeat("é", i%97)
		many = append(many, []any{int64(i), i, txt, []byte(txt), nil})
		sumBig, sumLen = sumBig+int64(i), sumLen+int64(len(txt))
	}
	if _, err := db.Exec(`CREATE TABLE copy_many (LIKE copy_kinds)`); err != nil {
		t.Fatal(err)
	}
	if err := conn.Raw(func(dc any) error {
		got, err := postgres.Dialect.Copy(ctx, dc, "copy_many", []string{"big", "small", "txt", "bin", "num"}, many)
		if err == nil && got != int64(len(many)) {
			t.Errorf("%d rows copied, want %d", got, len(many))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var count, gotBig, gotLen, bad int64
	if err := db.QueryRow(`SELECT count(*), sum(big), sum(octet_length(txt)), count(*) FILTER (WHERE big <> small OR convert_to(txt, 'UTF8') <> bin OR octet_length(txt) <> (big % 97) * 2)
		FROM copy_many`).Scan(&count, &gotBig, &gotLen, &bad); err != nil {
		t.Fatal(err)
	}
	if count != 5000 || gotBig != sumBig || gotLen != sumLen || bad != 0 {
		t.Errorf("5000 rows copied as %d rows, sum %d (want %d), %d bytes of text (want %d), %d rows differ", count, gotBig, sumBig, gotLen, sumLen, bad)
	}
	if err := copyRows([][]any{{int64(9), 9, "float", nil, 1.5}}); err != nil {
		t.Fatalf("a float through pgx: %v", err)
	}
	if err := copyRows([][]any{{int64(1), int64(1 << 31), "too big for INTEGER", nil, nil}}); err == nil {
		t.Error("2^31 went into an INTEGER column")
	}
	type row struct {
		big, small *int64
		txt        *string
		bin        []byte
		num        *string
	}
	var got []row
	res, err := db.Query(`SELECT big, small, txt, bin, num::text FROM copy_kinds ORDER BY coalesce(small, 0), txt`)
	if err != nil {
		t.Fatal(err)
	}
	for res.Next() {
		var r row
		if err := res.Scan(&r.big, &r.small, &r.txt, &r.bin, &r.num); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	i64 := func(v int64) *int64 { return &v }
	str := func(v string) *string { return &v }
	want := []row{
		{i64(-1 << 40), i64(-3), str("pointed-to é"), []byte("text into bytea"), nil},
		{nil, nil, str("bytes into text"), []byte{}, nil},
		{i64(1 << 40), i64(7), str("text"), []byte{0, 1, 0xff}, nil},
		{i64(9), i64(9), str("float"), nil, str("1.5")},
		{i64(5), i64(2147483647), str(""), nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("row %d differs", i)
			}
		}
	}
}
