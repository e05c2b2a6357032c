package postgres_test

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
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

// A row may end in columns encoded already (ledger.BinaryCells, as an
// import's parse workers encode charges): they land as the plain values
// would, beside plain rows; encoded values of other types than the
// columns', or a value pgx would have to take among encoded rows, are
// refused before the COPY.
func TestCopyTakesEncodedCells(t *testing.T) {
	l, _ := open(t)
	db := l.DB()
	if _, err := db.Exec(`CREATE TABLE copy_enc (big BIGINT, small INTEGER, txt TEXT, num NUMERIC)`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	copyRows := func(cols []string, rows [][]any) error {
		return conn.Raw(func(dc any) error {
			_, err := postgres.Dialect.Copy(ctx, dc, "copy_enc", cols, rows)
			return err
		})
	}
	enc := func(small int32, txt string) *ledger.BinaryCells {
		b := binary.BigEndian.AppendUint32(nil, 4)
		b = binary.BigEndian.AppendUint32(b, uint32(small))
		b = binary.BigEndian.AppendUint32(b, uint32(len(txt)))
		return &ledger.BinaryCells{Types: []uint32{23, 25}, Data: append(b, txt...)}
	}
	cols := []string{"big", "small", "txt"}
	if postgres.Dialect.EncodeCharge == nil {
		t.Fatal("PostgreSQL's Copy does not say it takes encoded cells")
	}
	if err := copyRows(cols, [][]any{{int64(1), enc(-7, "encoded é")}, {int64(2), 8, "plain"}, {nil, enc(9, "")}}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRow(`SELECT string_agg(concat_ws('|', big, small, txt), ';' ORDER BY small) FROM copy_enc`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "1|-7|encoded é;2|8|plain;9|"; got != want {
		t.Errorf("copied %q, want %q", got, want)
	}
	if err := copyRows([]string{"big", "txt", "small"}, [][]any{{int64(3), enc(1, "x")}}); err == nil {
		t.Error("cells encoded as INTEGER, TEXT went into TEXT, INTEGER columns")
	}
	if err := copyRows([]string{"num", "small", "txt"}, [][]any{{1.5, enc(1, "x")}}); err == nil {
		t.Error("a float went to pgx among encoded cells")
	}
	if err := copyRows(cols, [][]any{{int64(4), int64(1 << 31), "too big"}, {int64(5), enc(1, "x")}}); err == nil || strings.Contains(err.Error(), "among") {
		t.Errorf("2^31 into INTEGER beside encoded rows: %v", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM copy_enc`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d rows after the refusals (%v), want 3", n, err)
	}
}
