// Package focus reads and writes FOCUS charge streams: CSV (RFC 4180, PascalCase
// header, Tags as a JSON object in one cell) or NDJSON (one JSON object a row).
// Rows are passed as strings aligned with the header so that every column,
// including x_ custom columns, round-trips untouched.
package focus

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Format is the encoding of a charge stream.
type Format int

const (
	CSV Format = iota
	NDJSON
)

func (f Format) String() string {
	if f == NDJSON {
		return "ndjson"
	}
	return "csv"
}

// ParseFormat reads "csv" or "ndjson" (case-insensitive).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "csv":
		return CSV, nil
	case "ndjson", "jsonl", "json":
		return NDJSON, nil
	}
	return CSV, fmt.Errorf("unknown format %q (want csv or ndjson)", s)
}

// Row is one charge row. Values are aligned with the reader's header; a null
// is the empty string. Line is the physical line (1-based) where the row starts.
type Row struct {
	Line   int
	Values []string
}

// ParseError is a syntax error in the stream, positioned for GNU-style diagnostics.
type ParseError struct {
	File   string
	Line   int
	Column int    // 1-based byte column, 0 when unknown
	Field  string // column name, when known
	Err    error
}

func (e *ParseError) Error() string {
	loc := fmt.Sprintf("%s:%d", e.File, e.Line)
	if e.Column > 0 {
		loc += fmt.Sprintf(":%d", e.Column)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", loc, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", loc, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrUTF16NoBOM is returned for input that looks like UTF-16 without a byte order mark.
var ErrUTF16NoBOM = errors.New("input looks like UTF-16 without a byte order mark; convert it to UTF-8 (iconv -f UTF-16LE -t UTF-8)")

// Reader streams rows from a CSV or NDJSON source, detected from the first
// bytes. It strips a UTF-8 BOM, converts UTF-16 with a BOM, and accepts CRLF.
type Reader struct {
	name   string
	format Format
	header []string
	index  map[string]int

	csv *csvRecordReader
	raw []byte // NewRawReader: the input bytes of the last CSV record (a slice of csv's buffer)

	headerLine int

	br      *bufio.Reader
	line    int // NDJSON: last physical line read; CSV: header line
	skipped int // CSV: blank lines skipped before the CSV record reader started
	pending *Row
	values  []string
	limits  Limits
}

// MaxLineBytes bounds one NDJSON line whatever the limits.
const MaxLineBytes = 64 << 20

// Limits bound what one row may hold (SetLimits), so a hostile or broken
// file (a 200 MB cell) costs the limit in memory, not its size. A row
// over a limit is refused with its line and column, as a syntax error,
// and reading goes on after it.
type Limits struct {
	MaxField int // bytes of one field (CSV) or value (NDJSON); 0 = no limit
	MaxRow   int // bytes of one row's input; 0 = no limit
}

// DefaultLimits are far beyond any real export (a Tags cell of a few
// kilobytes is large) and well within memory.
var DefaultLimits = Limits{MaxField: 1 << 20, MaxRow: 8 << 20}

// SetLimits replaces the reader's limits (DefaultLimits from NewReader)
// for the rows still to read.
func (r *Reader) SetLimits(l Limits) {
	r.limits = l
	if r.csv != nil {
		r.csv.maxField, r.csv.maxRow = l.MaxField, l.MaxRow
	}
}

// NewReader detects the format and reads the header. name is used in errors
// ("-" or "" means stdin).
func NewReader(r io.Reader, name string) (*Reader, error) {
	return newReader(r, name, false)
}

func newReader(r io.Reader, name string, keepRaw bool) (*Reader, error) {
	if name == "" || name == "-" {
		name = "<stdin>"
	}
	br := bufio.NewReaderSize(r, 256<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		// UTF-16 with BOM: convert to UTF-8 (the decoder consumes the BOM).
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 256<<10)
		keepRaw = false // the record bytes are UTF-16: rows are re-encoded
	case len(head) >= 2 && (head[0] == 0 || head[1] == 0):
		return nil, &ParseError{File: name, Line: 1, Err: ErrUTF16NoBOM}
	}
	fr := &Reader{name: name, br: br, limits: DefaultLimits}
	// Skip leading blank space to find '{' (NDJSON) or a header (CSV).
	for {
		b, err := br.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil, &ParseError{File: name, Line: 1, Err: errors.New("empty input: no header row")}
			}
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if b[0] == '{' {
			fr.format = NDJSON
			break
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			if b[0] == '\n' {
				fr.line++
			}
			br.Discard(1)
			continue
		}
		fr.format = CSV
		break
	}
	if fr.format == NDJSON {
		err := fr.readNDJSONHeader()
		fr.headerLine = fr.line
		return fr, err
	}
	fr.csv = newCSVRecordReader(br, defaultCSVBufferSize, keepRaw)
	fr.SetLimits(fr.limits)
	err := fr.readCSVHeader()
	fr.headerLine = fr.line
	return fr, err
}

// Name is the file name used in diagnostics.
func (r *Reader) Name() string { return r.name }

// Format is the detected stream format.
func (r *Reader) Format() Format { return r.format }

// Header returns the column names in input order.
func (r *Reader) Header() []string { return r.header }

// Index returns the position of a column, or -1.
func (r *Reader) Index(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	return -1
}

func (r *Reader) setHeader(h []string) error {
	r.header = h
	r.index = make(map[string]int, len(h))
	for i, n := range h {
		if _, dup := r.index[n]; dup {
			return &ParseError{File: r.name, Line: r.line, Column: 0, Field: n, Err: fmt.Errorf("duplicate column %q in header (column %d)", n, i+1)}
		}
		r.index[n] = i
	}
	return nil
}

func (r *Reader) readCSVHeader() error {
	r.skipped = r.line
	rec, err := r.csv.Read()
	if err != nil {
		return r.csvError(err)
	}
	line, _ := r.csv.FieldPos(0)
	r.line = r.skipped + line
	h := make([]string, len(rec))
	for i, s := range rec {
		h[i] = strings.TrimSpace(s)
		if h[i] == "" {
			return &ParseError{File: r.name, Line: r.line, Column: i + 1, Err: fmt.Errorf("header column %d has no name", i+1)}
		}
	}
	return r.setHeader(h)
}

func (r *Reader) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		var name string
		if le, ok := pe.Err.(*LimitError); ok && le.Field > 0 && le.Field <= len(r.header) {
			name = r.header[le.Field-1] // the column a diagnostic names
		}
		return &ParseError{File: r.name, Line: pe.Line + r.skipped, Column: pe.Column, Field: name, Err: pe.Err}
	}
	if err == io.EOF {
		return io.EOF
	}
	return fmt.Errorf("read %s: %w", r.name, err)
}

// Read returns the next row. The returned Values slice is reused by the next
// call: copy it to keep it. At the end it returns io.EOF. A row whose field
// count differs from the header is returned with a *ParseError; reading can
// continue after it.
func (r *Reader) Read() (Row, error) {
	if r.format == NDJSON {
		return r.readNDJSON()
	}
	rec, err := r.csv.Read()
	r.raw = nil
	if raw := r.csv.Raw(); err != io.EOF && len(raw) > 0 { // Raw is nil unless kept
		r.raw = raw
	}
	if err != nil {
		if err == io.EOF {
			return Row{}, io.EOF
		}
		return Row{}, r.csvError(err)
	}
	line, _ := r.csv.FieldPos(0)
	line += r.skipped
	if len(rec) != len(r.header) {
		_, col := r.csv.FieldPos(len(rec) - 1)
		return Row{Line: line, Values: rec}, &ParseError{File: r.name, Line: line, Column: col,
			Err: fmt.Errorf("row has %d fields, header has %d", len(rec), len(r.header))}
	}
	return Row{Line: line, Values: rec}, nil
}

func (r *Reader) readNDJSONHeader() error {
	// The first object's keys, in order, are the header. Later objects may
	// omit keys (null) but may not add new ones: a stream has one schema.
	line, n, err := r.nextLine()
	if err != nil {
		if err == io.EOF {
			return &ParseError{File: r.name, Line: 1, Err: errors.New("empty input: no rows")}
		}
		return err
	}
	keys, vals, err := decodeObject(line, nil, nil)
	if err != nil {
		return &ParseError{File: r.name, Line: n, Err: err}
	}
	if err := r.setHeader(keys); err != nil {
		return err
	}
	r.pending = &Row{Line: n, Values: vals}
	return nil
}

func (r *Reader) nextLine() ([]byte, int, error) {
	for {
		r.line++
		b, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Long line: accumulate.
			buf := append([]byte(nil), b...)
			for err == bufio.ErrBufferFull {
				if len(buf) > MaxLineBytes {
					return nil, r.line, &ParseError{File: r.name, Line: r.line, Err: fmt.Errorf("line longer than %d bytes", MaxLineBytes)}
				}
				if r.limits.MaxRow > 0 && len(buf) > r.limits.MaxRow {
					n := r.line
					for err == bufio.ErrBufferFull { // skip the rest of the line
						_, err = r.br.ReadSlice('\n')
					}
					return nil, n, &ParseError{File: r.name, Line: n, Column: r.limits.MaxRow + 1, Err: &LimitError{What: "row", Limit: r.limits.MaxRow}}
				}
				b, err = r.br.ReadSlice('\n')
				buf = append(buf, b...)
			}
			b = buf
		}
		if err != nil && err != io.EOF {
			return nil, r.line, fmt.Errorf("read %s: %w", r.name, err)
		}
		t := bytes.TrimSpace(b)
		if len(t) > 0 {
			return t, r.line, nil
		}
		if err == io.EOF {
			return nil, r.line, io.EOF
		}
	}
}

func (r *Reader) readNDJSON() (Row, error) {
	if r.pending != nil {
		row := *r.pending
		r.pending = nil
		return row, nil
	}
	line, n, err := r.nextLine()
	if err != nil {
		return Row{}, err
	}
	if r.values == nil {
		r.values = make([]string, len(r.header))
	}
	for i := range r.values {
		r.values[i] = ""
	}
	if _, _, err := decodeObject(line, r.index, r.values); err != nil {
		return Row{Line: n, Values: r.values}, &ParseError{File: r.name, Line: n, Err: err}
	}
	if max := r.limits.MaxField; max > 0 && len(line) > max {
		for i, v := range r.values {
			if len(v) > max {
				return Row{}, &ParseError{File: r.name, Line: n, Field: r.header[i], Err: &LimitError{What: "field", Limit: max}}
			}
		}
	}
	return Row{Line: n, Values: r.values}, nil
}

// jsonValueText turns a JSON value into the cell text a CSV would carry:
// strings unquoted, numbers as written, null as empty, objects compact.
func jsonValueText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case '{', '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return "", err
		}
		return buf.String(), nil
	default:
		return string(raw), nil
	}
}
