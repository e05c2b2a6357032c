package postgres_test

import (
	"reflect"
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
