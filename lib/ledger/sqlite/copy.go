package sqlite

// Copy is the dialect's bulk loader (imports, focus-load copy): one cgo
// call per batch instead of one per bound value. Through database/sql
// each bound cell cost about 160 ns (a cgo call and a copy of the
// string), two thirds of SQLite's own time to insert a charge; here the
// rows are packed into one buffer and a C loop binds, steps and resets a
// prepared INSERT for each.

/*
#include <stdint.h>
#include <stdlib.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
extern int sqlite3_prepare_v2(sqlite3*, const char*, int, sqlite3_stmt**, const char**);
extern int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
extern int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int, void(*)(void*));
extern int sqlite3_bind_int64(sqlite3_stmt*, int, int64_t);
extern int sqlite3_bind_null(sqlite3_stmt*, int);
extern int sqlite3_step(sqlite3_stmt*);
extern int sqlite3_reset(sqlite3_stmt*);
extern int sqlite3_finalize(sqlite3_stmt*);
extern int sqlite3_extended_errcode(sqlite3*);
extern const char *sqlite3_errmsg(sqlite3*);

// Kinds of packed values.
enum { K_NULL = 0, K_INT = 1, K_TEXT = 2, K_BLOB = 3 };
#define OCB_DONE 101

// ocb_insert runs stmt once per row. Value v of row r is cell r*ncols+v:
// kinds[i] says what it is; an integer is ints[i]; text or a blob is
// data[offs[i] .. offs[i]+lens[i]]. *failed is the row that failed.
static int ocb_insert(sqlite3_stmt *st, int nrows, int ncols, const unsigned char *kinds,
                      const int64_t *ints, const int32_t *offs, const int32_t *lens,
                      const char *data, int *failed) {
	static const char empty[1] = {0};
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			int i = r * ncols + c, rc;
			switch (kinds[i]) {
			case K_INT: rc = sqlite3_bind_int64(st, c + 1, ints[i]); break;
			case K_TEXT: rc = sqlite3_bind_text(st, c + 1, lens[i] ? data + offs[i] : empty, lens[i], 0); break;
			case K_BLOB: rc = sqlite3_bind_blob(st, c + 1, lens[i] ? data + offs[i] : empty, lens[i], 0); break;
			default: rc = sqlite3_bind_null(st, c + 1);
			}
			if (rc != 0) { *failed = r; sqlite3_reset(st); return rc; }
		}
		int rc = sqlite3_step(st);
		if (rc != OCB_DONE) { *failed = r; sqlite3_reset(st); return rc; }
		sqlite3_reset(st);
	}
	return 0;
}
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// CopyError is SQLite's answer to a failed Copy.
type CopyError struct {
	Code int // extended result code (SQLITE_CONSTRAINT_TRIGGER is 1811)
	Msg  string
	Row  int // index of the failed row in the batch
}

func (e *CopyError) Error() string { return e.Msg }

// Constraint reports whether a constraint or a trigger's RAISE refused the row.
func (e *CopyError) Constraint() bool { return e.Code&0xff == 19 }

// handle is the connection's sqlite3* (mattn/go-sqlite3 keeps it in an
// unexported field and offers no accessor); copy_test.go fails first if
// a new version of the driver moves it.
func handle(c *sqlite3.SQLiteConn) (*C.sqlite3, error) {
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, fmt.Errorf("go-sqlite3's connection has no open db handle (driver changed?)")
	}
	return (*C.sqlite3)(unsafe.Pointer(f.Pointer())), nil
}

// maxPack bounds the bytes packed for one C call (offsets are int32; a
// row of huge cells makes the calls smaller, not the buffer bigger).
const maxPack = 64 << 20

// Copy inserts rows into table(columns) on driverConn (what sql.Conn.Raw
// passes: a *sqlite3.SQLiteConn), inside whatever transaction the
// connection has open. Values may be nil, int, int64, *int64, string,
// *string or []byte.
func Copy(_ context.Context, driverConn any, table string, columns []string, rows [][]any) (int64, error) {
	c, ok := driverConn.(*sqlite3.SQLiteConn)
	if !ok {
		return 0, fmt.Errorf("copy into %s: connection is %T, not go-sqlite3", table, driverConn)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	db, err := handle(c)
	if err != nil {
		return 0, fmt.Errorf("copy into %s: %w", table, err)
	}
	ncols := len(columns)
	p := packs.Get().(*pack)
	defer packs.Put(p) // after the statement, which binds p.data, is finalized
	q := C.CString("INSERT INTO " + table + "(" + strings.Join(columns, ",") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?,", ncols), ",") + ")")
	defer C.free(unsafe.Pointer(q))
	var st *C.sqlite3_stmt
	if rc := C.sqlite3_prepare_v2(db, q, -1, &st, nil); rc != 0 {
		return 0, &CopyError{Code: int(C.sqlite3_extended_errcode(db)), Msg: C.GoString(C.sqlite3_errmsg(db)), Row: -1}
	}
	defer C.sqlite3_finalize(st)
	done := 0
	for done < len(rows) {
		n, err := p.fill(rows[done:], ncols)
		if err != nil {
			return int64(done), fmt.Errorf("copy into %s: row %d: %w", table, done+n, err)
		}
		var failed C.int
		rc := C.ocb_insert(st, C.int(n), C.int(ncols), (*C.uchar)(&p.kinds[0]), (*C.int64_t)(unsafe.Pointer(&p.ints[0])),
			(*C.int32_t)(&p.offs[0]), (*C.int32_t)(&p.lens[0]), (*C.char)(unsafe.Pointer(&p.data[0])), &failed)
		if rc != 0 {
			return int64(done + int(failed)), &CopyError{Code: int(C.sqlite3_extended_errcode(db)), Msg: C.GoString(C.sqlite3_errmsg(db)), Row: done + int(failed)}
		}
		done += n
	}
	return int64(len(rows)), nil
}

// pack is rows laid out for ocb_insert, reused from call to call.
type pack struct {
	kinds      []byte
	ints       []int64
	offs, lens []int32
	data       []byte
}

// packs keeps packs from one Copy to the next: an import's Copy of 4096
// charges packs about 2.3 MB, allocated and cleared afresh 250 times for
// 1M rows before.
var packs = sync.Pool{New: func() any { return new(pack) }}

// fill packs the first rows (at least one, then while the bytes stay
// under maxPack) and returns how many. Sizes are counted first so that
// each slice is allocated once (growing them by append cost an eighth of
// the import's CPU).
func (p *pack) fill(rows [][]any, ncols int) (int, error) {
	n, size := 0, 0
	for _, row := range rows {
		if len(row) != ncols {
			return n, fmt.Errorf("%d values for %d columns", len(row), ncols)
		}
		rs := 0
		for _, v := range row {
			switch v := v.(type) {
			case string:
				rs += len(v)
			case *string:
				rs += len(*v)
			case []byte:
				rs += len(v)
			}
		}
		if n > 0 && size+rs > maxPack {
			break
		}
		if size+rs > math.MaxInt32 {
			return n, fmt.Errorf("a row of %d bytes is too big", rs)
		}
		size += rs
		n++
	}
	cells := n * ncols
	if cap(p.kinds) < cells {
		p.kinds, p.ints, p.offs, p.lens = make([]byte, cells), make([]int64, cells), make([]int32, cells), make([]int32, cells)
	}
	p.kinds, p.ints, p.offs, p.lens = p.kinds[:cells], p.ints[:cells], p.offs[:cells], p.lens[:cells]
	if cap(p.data) < size+1 {
		p.data = make([]byte, 0, size+1)
	}
	p.data = p.data[:0]
	for r, row := range rows[:n] {
		for k, v := range row {
			i := r*ncols + k
			p.kinds[i], p.ints[i], p.offs[i], p.lens[i] = 0, 0, 0, 0
			switch v := v.(type) {
			case nil:
			case int:
				p.kinds[i], p.ints[i] = 1, int64(v)
			case int64:
				p.kinds[i], p.ints[i] = 1, v
			case *int64:
				p.kinds[i], p.ints[i] = 1, *v
			case string:
				p.kinds[i], p.offs[i], p.lens[i] = 2, int32(len(p.data)), int32(len(v))
				p.data = append(p.data, v...)
			case *string:
				p.kinds[i], p.offs[i], p.lens[i] = 2, int32(len(p.data)), int32(len(*v))
				p.data = append(p.data, *v...)
			case []byte:
				p.kinds[i], p.offs[i], p.lens[i] = 3, int32(len(p.data)), int32(len(v))
				p.data = append(p.data, v...)
			default:
				return r, fmt.Errorf("value %T of column %d", v, k+1)
			}
		}
	}
	if len(p.data) == 0 {
		p.data = append(p.data, 0) // &p.data[0] must exist
	}
	return n, nil
}
