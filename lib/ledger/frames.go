package ledger

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Each import keeps its rows verbatim once, in zstd frames of frameRows
// records (table import_rows), not as a column of every charge: the
// charges table holds only the columns billing, review and the web filter
// on, and the verbatim rows, which only export reads, compress about 9:1.
// A frame holds frameRows rows of an import, so the rows of an import are
// read back in order, and row k of an import is row k%frameRows of frame
// k/frameRows. How a frame holds them is the import's record_format:
// "columns" (new imports), the cells column by column (appendColumnFrame);
// otherwise records, each a uvarint length and its bytes, a record being
// "cells", each cell a uvarint length and its bytes (imports made before
// "columns"); "json", a JSON array of the cells (building it cost 5% of
// an import's CPU, escaping every byte); "csv", one CSV record (imports
// made before schema version 2).
//
// Measured on the generated 1M-row month (584 MB CSV): the ledger file
// went from 910 MB with a record column to the size `make bench` reports
// (see docs/decisions-load.md).
const frameRows = 1024

// zstd coders of the older record formats, one of each for the process:
// the decoder reads their imports back (export), the encoder writes only
// in migration 4 (frameBuilder), one frame at a time, so one state.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
	zstdErr  error
)

func zstdCoders() (*zstd.Encoder, *zstd.Decoder, error) {
	zstdOnce.Do(func() {
		zstdEnc, zstdErr = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if zstdErr == nil {
			zstdDec, zstdErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		}
	})
	return zstdEnc, zstdDec, zstdErr
}

// frameBuilder collects records into frames.
type frameBuilder struct {
	buf  []byte
	rows int
	next int // number of the next frame
}

// frame is one compressed frame ready to insert.
type frame struct {
	no, rows int
	data     []byte
}

// add appends one record; it returns a frame when frameRows are collected.
func (f *frameBuilder) add(rec []byte) (frame, bool, error) {
	f.buf = binary.AppendUvarint(f.buf, uint64(len(rec)))
	f.buf = append(f.buf, rec...)
	f.rows++
	if f.rows < frameRows {
		return frame{}, false, nil
	}
	fr, err := f.flush()
	return fr, err == nil, err
}

// flush compresses what is collected (the last, partial frame).
func (f *frameBuilder) flush() (frame, error) {
	if f.rows == 0 {
		return frame{}, errors.New("empty frame")
	}
	enc, _, err := zstdCoders()
	if err != nil {
		return frame{}, err
	}
	fr := frame{no: f.next, rows: f.rows, data: enc.EncodeAll(f.buf, nil)}
	f.next++
	f.buf, f.rows = f.buf[:0], 0
	return fr, nil
}

// recordFormat is the record_format of new imports: "columns", each
// frame its rows' cells column by column (appendColumnFrame), compressed
// with S2 (klauspost/compress) instead of zstd: on the generated month's
// column frames S2 ran 3.4 times as fast (2.7 GB/s against 0.79 GB/s on
// one core; zstd was 9% of an import's CPU) for 8.6:1 instead of 15:1,
// 27 MB more in a 1M-row ledger that stays under half the CSV's size.
const recordFormat = "columns"

// columnFrameCoder builds "columns" frames; its buffers are reused.
type columnFrameCoder struct {
	raw, enc []byte
}

// frame makes frame number no of rows (see appendColumnFrame).
func (c *columnFrameCoder) frame(no int, rows [][]string) (frame, error) {
	var err error
	if c.raw, err = appendColumnFrame(c.raw[:0], rows); err != nil {
		return frame{}, err
	}
	c.enc = s2.Encode(c.enc[:cap(c.enc)], c.raw)
	return frame{no: no, rows: len(rows), data: bytes.Clone(c.enc)}, nil
}

// maxColumnFrame bounds what a stored "columns" frame may claim to
// decompress to (one is frameRows rows: about 550 kB for 43 columns).
const maxColumnFrame = 1 << 30

// appendColumnFrame appends rows, which have the same number of cells,
// as a "columns" frame: the number of rows and of cells a row (uvarints),
// the length of every cell (uvarints) column by column — cell 0 of every
// row, then cell 1 … — and the cells in that order. The values of one
// column look alike, so a compressor finds long matches: on the generated
// month zstd compressed a frame 1.4 times faster, and 1.4 times smaller,
// than the same cells row by row ("cells").
func appendColumnFrame(dst []byte, rows [][]string) ([]byte, error) {
	ncols := len(rows[0])
	dst = binary.AppendUvarint(dst, uint64(len(rows)))
	dst = binary.AppendUvarint(dst, uint64(ncols))
	size := 0
	for _, r := range rows {
		if len(r) != ncols {
			return dst, fmt.Errorf("a frame's rows have %d and %d cells", ncols, len(r))
		}
		for _, v := range r {
			size += len(v)
		}
	}
	dst = slices.Grow(dst, size+2*len(rows)*ncols)
	for c := range ncols {
		for _, r := range rows {
			dst = binary.AppendUvarint(dst, uint64(len(r[c])))
		}
	}
	for c := range ncols {
		for _, r := range rows {
			dst = append(dst, r[c]...)
		}
	}
	return dst, nil
}

// decodeColumnFrame returns the rows of a "columns" frame. Their cells
// share one string (one allocation a frame).
func decodeColumnFrame(raw []byte) ([][]string, error) {
	corrupt := errors.New("corrupt row frame")
	nrows, k := binary.Uvarint(raw)
	if k <= 0 {
		return nil, corrupt
	}
	raw = raw[k:]
	ncols, k := binary.Uvarint(raw)
	// Every cell has at least a one-byte length: this bounds the counts
	// before anything is allocated for them.
	if k <= 0 || ncols == 0 || nrows > uint64(len(raw)) || ncols > uint64(len(raw)) || nrows*ncols > uint64(len(raw)) {
		return nil, corrupt
	}
	raw = raw[k:]
	n := int(nrows * ncols)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		l, k := binary.Uvarint(raw)
		if k <= 0 || l > uint64(len(raw)) {
			return nil, corrupt
		}
		lens[i], total, raw = int(l), total+int(l), raw[k:]
	}
	if total != len(raw) {
		return nil, corrupt
	}
	text := string(raw)
	cells := make([]string, n) // row r is cells[r*ncols:][:ncols]
	at := 0
	for c := range int(ncols) {
		for r := range int(nrows) {
			l := lens[c*int(nrows)+r]
			cells[r*int(ncols)+c] = text[at : at+l]
			at += l
		}
	}
	rows := make([][]string, nrows)
	for r := range rows {
		rows[r] = cells[r*int(ncols) : (r+1)*int(ncols) : (r+1)*int(ncols)]
	}
	return rows, nil
}

// decodeCells reads a "cells" record.
func decodeCells(rec []byte) ([]string, error) {
	var vals []string
	for len(rec) > 0 {
		n, k := binary.Uvarint(rec)
		if k <= 0 || uint64(len(rec)-k) < n {
			return nil, errors.New("corrupt stored row")
		}
		vals = append(vals, string(rec[k:k+int(n)]))
		rec = rec[k+int(n):]
	}
	return vals, nil
}

// decodeRecord reads a "json" record: a JSON array of strings.
func decodeRecord(rec []byte) ([]string, error) {
	var vals []string
	if err := json.Unmarshal(rec, &vals); err != nil {
		return nil, fmt.Errorf("stored record is not a JSON array of strings: %w", err)
	}
	return vals, nil
}

// eachRow calls fn with the cells of every row of a frame, in order, as
// stored by an import of record_format format.
func eachRow(data []byte, format string, fn func(vals []string) error) error {
	if format != "columns" {
		return eachRecord(data, func(rec []byte) error {
			vals, err := decodeStored(rec, format)
			if err != nil {
				return err
			}
			return fn(vals)
		})
	}
	if n, err := s2.DecodedLen(data); err != nil || n > maxColumnFrame {
		return errors.New("decompress rows: corrupt row frame")
	}
	raw, err := s2.Decode(nil, data)
	if err != nil {
		return fmt.Errorf("decompress rows: %w", err)
	}
	rows, err := decodeColumnFrame(raw)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func decompress(data []byte) ([]byte, error) {
	_, dec, err := zstdCoders()
	if err != nil {
		return nil, err
	}
	raw, err := dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress rows: %w", err)
	}
	return raw, nil
}

// eachRecord calls fn for every record of a frame, in order.
func eachRecord(data []byte, fn func(rec []byte) error) error {
	raw, err := decompress(data)
	if err != nil {
		return err
	}
	for len(raw) > 0 {
		n, k := binary.Uvarint(raw)
		if k <= 0 || uint64(len(raw)-k) < n {
			return errors.New("corrupt row frame")
		}
		if err := fn(raw[k : k+int(n)]); err != nil {
			return err
		}
		raw = raw[k+int(n):]
	}
	return nil
}

const insertFrameSQL = `INSERT INTO import_rows(import_id, frame, rows, data) VALUES (?,?,?,?)`

// frameSchema is migration 4's table and its guards: the verbatim rows are
// as immutable as the charges, and as bound to their period's state.
const frameSchema = `
CREATE TABLE import_rows (
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  frame     INTEGER NOT NULL,
  rows      INTEGER NOT NULL,
  data      BLOB NOT NULL,   -- zstd: per record a uvarint length and the record
  PRIMARY KEY (import_id, frame)
);`

const frameGuards = `
CREATE TRIGGER import_rows_no_update BEFORE UPDATE ON import_rows
  BEGIN SELECT RAISE(ABORT, 'imported rows are immutable facts'); END;
CREATE TRIGGER import_rows_open_insert BEFORE INSERT ON import_rows
  WHEN (SELECT p.state FROM imports i JOIN periods p ON p.period = i.period WHERE i.id = NEW.import_id) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
CREATE TRIGGER import_rows_delete_open_only BEFORE DELETE ON import_rows
  WHEN (SELECT p.state FROM imports i JOIN periods p ON p.period = i.period WHERE i.id = OLD.import_id) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: charges cannot be removed'); END;
`

// migrateFrames is migration 4: each import's records move from the
// charges' record column into frames (ids, order and bytes kept), the
// column is dropped, and the frames get their guards (after the move, so
// finalized periods' rows can be written once).
func migrateFrames(tx *Tx) error {
	if _, err := tx.Exec(frameSchema); err != nil {
		return err
	}
	ids, err := func() ([]int64, error) {
		rows, err := tx.Query(`SELECT id FROM imports ORDER BY id`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}()
	if err != nil {
		return err
	}
	ins, err := tx.Prepare(insertFrameSQL)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, id := range ids {
		var fb frameBuilder
		put := func(fr frame) error {
			_, err := ins.Exec(id, fr.no, fr.rows, fr.data)
			return err
		}
		rows, err := tx.Query(`SELECT record FROM charges WHERE import_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rec []byte
			if err := rows.Scan(&rec); err != nil {
				rows.Close()
				return err
			}
			if fr, full, err := fb.add(rec); err != nil {
				rows.Close()
				return err
			} else if full {
				if err := put(fr); err != nil {
					rows.Close()
					return fmt.Errorf("import %d rows: %w", id, err)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if fb.rows > 0 {
			fr, err := fb.flush()
			if err == nil {
				err = put(fr)
			}
			if err != nil {
				return fmt.Errorf("import %d rows: %w", id, err)
			}
		}
	}
	if _, err := tx.Exec(`ALTER TABLE charges DROP COLUMN record`); err != nil {
		return fmt.Errorf("drop the record column: %w", err)
	}
	_, err = tx.Exec(frameGuards)
	return err
}
