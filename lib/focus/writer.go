package focus

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// Writer writes rows in one format. Call WriteHeader once, then Write for
// each row, then Flush.
type Writer struct {
	format Format
	bw     *bufio.Writer
	csv    *csv.Writer
	header []string
	// rawJSON marks columns written as JSON objects in NDJSON (Tags and the
	// other key-value columns), when the cell holds a JSON object.
	rawJSON []bool
	buf     []byte
}

// NewWriter returns a writer of format f on w.
func NewWriter(w io.Writer, f Format) *Writer {
	bw := bufio.NewWriterSize(w, 256<<10)
	fw := &Writer{format: f, bw: bw}
	if f == CSV {
		fw.csv = csv.NewWriter(bw)
	}
	return fw
}

// JSONColumns are FOCUS columns whose cells hold a JSON object.
var JSONColumns = map[string]bool{
	"Tags": true, "SkuPriceDetails": true, "AllocatedTags": true,
	"AllocatedMethodDetails": true, "ContractApplied": true,
}

// WriteHeader sets the columns. In CSV it writes the header line.
func (w *Writer) WriteHeader(h []string) error {
	w.header = append([]string(nil), h...)
	w.rawJSON = make([]bool, len(h))
	for i, n := range h {
		w.rawJSON[i] = JSONColumns[n]
	}
	if w.format == CSV {
		return w.csv.Write(w.header)
	}
	return nil
}

// Write writes one row; values align with the header.
func (w *Writer) Write(values []string) error {
	if len(values) != len(w.header) {
		return fmt.Errorf("write row: %d values for %d columns", len(values), len(w.header))
	}
	if w.format == CSV {
		return w.csv.Write(values)
	}
	b := w.buf[:0]
	b = append(b, '{')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, w.header[i])
		b = append(b, ':')
		switch {
		case v == "":
			b = append(b, "null"...)
		case w.rawJSON[i] && len(v) > 0 && v[0] == '{' && json.Valid([]byte(v)):
			b = append(b, v...)
		default:
			b = appendJSONString(b, v)
		}
	}
	b = append(b, '}', '\n')
	w.buf = b
	_, err := w.bw.Write(b)
	return err
}

// Flush writes buffered data out.
func (w *Writer) Flush() error {
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

// appendJSONString appends s as a JSON string. encoding/json escapes <, >
// and & for HTML; these streams are not HTML, so they are left as they are.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			continue
		}
		if c >= 0x80 {
			// Multi-byte UTF-8 passes through; invalid bytes become U+FFFD.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == 0xFFFD && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				start = i + 1
			} else if r == 0x2028 || r == 0x2029 {
				b = append(b, s[start:i]...)
				b = append(b, `\u202`...)
				b = append(b, hex[r&0xF])
				start = i + size
			}
			i += size - 1
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// WriteRaw writes one CSV record exactly as given (a record from
// Reader.Raw that needs no change), adding a final newline when it has none.
// It is for CSV writers only; for NDJSON it returns an error.
func (w *Writer) WriteRaw(record []byte) error {
	if w.format != CSV {
		return fmt.Errorf("write raw record: the output is %s", w.format)
	}
	// csv.Writer writes straight into w.bw (bufio.NewWriter returns a
	// large-enough *bufio.Writer as is), so the two interleave in order.
	if _, err := w.bw.Write(record); err != nil {
		return err
	}
	if len(record) == 0 || record[len(record)-1] != '\n' {
		return w.bw.WriteByte('\n')
	}
	return nil
}
