package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/openchargeback/ocb/lib/ledger"
)

// copyFrom is the dialect's bulk loader: COPY … FROM STDIN in PostgreSQL's
// binary format, the rows encoded here. pgx's CopyFrom encodes each value
// through its type map, by reflection for a pointer: a quarter of the
// client's CPU in a 1M-row import (the workers hand over *string and
// *int64, see ledger.chargeValues). The ledger's columns are BIGINT,
// INTEGER, TEXT and BYTEA, each a few lines here; a value of another kind
// (focus-load copy of an unexpected column) goes through pgx's CopyFrom.
//
// The rows are checked first (checkCopyRows: every value encodable, so a
// refusal comes before the COPY starts, as it did when the data was built
// whole), then encoded as pgx's sender reads them (copyReader), 64 KiB at
// a time: the server works on the first rows while the rest are encoded,
// instead of waiting for a whole batch (about 1 MB) to be built.
func copyFrom(ctx context.Context, driverConn any, table string, columns []string, rows [][]any) (int64, error) {
	c, ok := driverConn.(*stdlib.Conn)
	if !ok {
		return 0, fmt.Errorf("copy into %s: connection is %T, not pgx", table, driverConn)
	}
	conn := c.Conn()
	types, err := columnTypes(ctx, conn, table, columns)
	if err != nil {
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	err = checkCopyRows(types, rows)
	if errors.Is(err, errNotEncoded) {
		return conn.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	}
	if err != nil {
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	cols := make([]string, len(columns))
	for i, col := range columns {
		cols[i] = pgx.Identifier{col}.Sanitize()
	}
	r := copyReaders.Get().(*copyReader)
	r.reset(types, rows)
	tag, err := conn.PgConn().CopyFrom(ctx, r,
		"COPY "+pgx.Identifier{table}.Sanitize()+" ("+strings.Join(cols, ", ")+") FROM STDIN (FORMAT binary)")
	if err == nil && r.err != nil {
		err = r.err
	}
	if err == nil {
		// pgconn's sender has stopped reading r (after an error that broke
		// the connection it may not have yet: r is then left alone).
		r.reset(nil, nil)
		copyReaders.Put(r)
	}
	return tag.RowsAffected(), err
}

// Type OIDs of the ledger's columns.
const (
	oidBytea = 17
	oidInt8  = 20
	oidInt4  = 23
	oidText  = 25
)

// typeCache holds the type OIDs of a table's columns. The ledger's tables
// are its migrations', alike in every ledger, so one lookup a table serves
// the process.
var typeCache sync.Map // table name → map[string]uint32

func columnTypes(ctx context.Context, conn *pgx.Conn, table string, columns []string) ([]uint32, error) {
	byName, ok := typeCache.Load(table)
	if !ok {
		rows, err := conn.Query(ctx, `SELECT attname, atttypid FROM pg_attribute
			WHERE attrelid = to_regclass(quote_ident($1)) AND attnum > 0 AND NOT attisdropped`, table)
		if err != nil {
			return nil, err
		}
		m := map[string]uint32{}
		for rows.Next() {
			var name string
			var oid uint32
			if err := rows.Scan(&name, &oid); err != nil {
				rows.Close()
				return nil, err
			}
			m[name] = oid
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("no table %s", table)
		}
		byName, _ = typeCache.LoadOrStore(table, m)
	}
	m := byName.(map[string]uint32)
	types := make([]uint32, len(columns))
	for i, col := range columns {
		if types[i], ok = m[col]; !ok {
			return nil, fmt.Errorf("no column %s", col)
		}
	}
	return types, nil
}

// errNotEncoded: a value appendCopyValue does not encode for its column.
var errNotEncoded = errors.New("value not encoded here")

var copyBinaryHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// checkCopyRows reports the first row or value appendCopyValue would
// refuse: errNotEncoded for a kind it does not encode (pgx's CopyFrom
// then takes the rows), another error for a value that fits no column.
//
// A row's last value may be a *ledger.BinaryCells (appendCharge),
// the rest of its columns encoded already: their types must be the
// columns'. Such rows never go to pgx's CopyFrom, which cannot read them.
func checkCopyRows(types []uint32, rows [][]any) error {
	for r, row := range rows {
		row, b := splitEncoded(row)
		n := len(row)
		if b != nil {
			n += len(b.Types)
			if n != len(types) || !slices.Equal(types[len(row):], b.Types) {
				return fmt.Errorf("row %d: encoded values of types %v for columns of types %v", r, b.Types, types[min(len(row), len(types)):])
			}
		}
		if n != len(types) {
			return fmt.Errorf("row %d: %d values for %d columns", r, n, len(types))
		}
		for k, v := range row {
			if err := checkCopyValue(types[k], v); err != nil {
				if errors.Is(err, errNotEncoded) && slices.ContainsFunc(rows, encoded) {
					return fmt.Errorf("row %d: a value of type %T, not encoded here, among rows encoded already", r, v)
				}
				return err
			}
		}
	}
	return nil
}

// encoded reports whether row ends in values encoded already.
func encoded(row []any) bool {
	_, b := splitEncoded(row)
	return b != nil
}

// splitEncoded returns row's plain values and, when its last value stands
// for the rest encoded already (appendCharge), those.
func splitEncoded(row []any) ([]any, *ledger.BinaryCells) {
	if len(row) > 0 {
		if b, ok := row[len(row)-1].(*ledger.BinaryCells); ok {
			return row[:len(row)-1], b
		}
	}
	return row, nil
}

func checkCopyValue(oid uint32, v any) error {
	var n int64
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return checkCopyBytes(oid, len(v))
	case *string:
		return checkCopyBytes(oid, len(*v))
	case []byte:
		return checkCopyBytes(oid, len(v))
	case int:
		n = int64(v)
	case int64:
		n = v
	case *int64:
		n = *v
	default:
		return errNotEncoded
	}
	switch oid {
	case oidInt8:
		return nil
	case oidInt4:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return fmt.Errorf("%d does not fit an INTEGER column", n)
		}
		return nil
	}
	return errNotEncoded
}

func checkCopyBytes(oid uint32, n int) error {
	if oid != oidText && oid != oidBytea {
		return errNotEncoded
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("a value of %d bytes is too big", n)
	}
	return nil
}

// copyReader is the data of a binary COPY of rows (checked by
// checkCopyRows), encoded as it is read: the header, each row its field
// count and each field its length (-1 for NULL) and bytes, then the
// trailer. Its buffer holds about one Read's worth and is reused.
type copyReader struct {
	types  []uint32
	rows   [][]any
	next   int    // the next row to encode
	buf    []byte // encoded; buf[off:] not read yet
	off    int
	header bool // written
	done   bool // the trailer is written
	err    error
}

var copyReaders = sync.Pool{New: func() any { return new(copyReader) }}

func (r *copyReader) reset(types []uint32, rows [][]any) {
	r.types, r.rows, r.next, r.buf, r.off, r.header, r.done, r.err = types, rows, 0, r.buf[:0], 0, false, false, nil
}

func (r *copyReader) Read(p []byte) (int, error) {
	if r.off == len(r.buf) {
		if r.done || r.err != nil {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		if !r.header {
			r.buf, r.header = append(r.buf, copyBinaryHeader...), true
		}
		for len(r.buf) < len(p) && r.next < len(r.rows) {
			row, enc := splitEncoded(r.rows[r.next])
			r.next++
			r.buf = binary.BigEndian.AppendUint16(r.buf, uint16(len(r.types)))
			for k, v := range row {
				var err error
				if r.buf, err = appendCopyValue(r.buf, r.types[k], v); err != nil {
					// Not after checkCopyRows; the COPY fails rather than
					// sending a row cut short.
					r.err = err
					return 0, err
				}
			}
			if enc != nil {
				r.buf = append(r.buf, enc.Data...)
			}
		}
		if r.next == len(r.rows) {
			r.buf, r.done = binary.BigEndian.AppendUint16(r.buf, 0xffff), true
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

func appendCopyValue(dst []byte, oid uint32, v any) ([]byte, error) {
	var n int64
	switch v := v.(type) {
	case nil:
		return binary.BigEndian.AppendUint32(dst, math.MaxUint32), nil // -1: NULL
	case string:
		return appendCopyBytes(dst, oid, v)
	case *string:
		return appendCopyBytes(dst, oid, *v)
	case []byte:
		return appendCopyBytes(dst, oid, v)
	case int:
		n = int64(v)
	case int64:
		n = v
	case *int64:
		n = *v
	default:
		return nil, errNotEncoded
	}
	return appendCopyInt(dst, oid, n)
}

// appendCopyInt appends n into a BIGINT or INTEGER column.
func appendCopyInt(dst []byte, oid uint32, n int64) ([]byte, error) {
	switch oid {
	case oidInt8:
		dst = binary.BigEndian.AppendUint32(dst, 8)
		return binary.BigEndian.AppendUint64(dst, uint64(n)), nil
	case oidInt4:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, fmt.Errorf("%d does not fit an INTEGER column", n)
		}
		dst = binary.BigEndian.AppendUint32(dst, 4)
		return binary.BigEndian.AppendUint32(dst, uint32(int32(n))), nil
	}
	return nil, errNotEncoded
}

// appendCopyBytes appends text or bytes into a TEXT or BYTEA column (the
// binary format of both is the bytes).
func appendCopyBytes[T string | []byte](dst []byte, oid uint32, s T) ([]byte, error) {
	if oid != oidText && oid != oidBytea {
		return nil, errNotEncoded
	}
	if len(s) > math.MaxInt32 {
		return nil, fmt.Errorf("a value of %d bytes is too big", len(s))
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...), nil
}

// chargeTypes are the types appendCharge encodes: a charge's line, then
// its text columns (ledger.Dialect.EncodedChargeTypes).
var chargeTypes = func() []uint32 {
	t := make([]uint32, 21)
	t[0] = oidInt4
	for i := 1; i < len(t); i++ {
		t[i] = oidText
	}
	return t
}()

// appendCharge appends a charge's line and text columns to dst as binary
// COPY fields, as appendCopyValue would (the import's parse workers call
// it: ledger.Dialect.EncodeCharge). false, dst unchanged in content, when
// a value does not fit its column.
func appendCharge(dst []byte, line int64, text []string) ([]byte, bool) {
	if len(text) != len(chargeTypes)-1 {
		return dst, false
	}
	out, err := appendCopyInt(dst, oidInt4, line)
	for _, t := range text {
		if err != nil {
			break
		}
		out, err = appendCopyBytes(out, oidText, t)
	}
	if err != nil {
		return dst, false
	}
	return out, true
}
