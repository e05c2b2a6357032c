package focus

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
)

// csvRecordReader reads CSV records exactly as encoding/csv's Reader does
// with the Reader's settings (Comma ',', no Comment, FieldsPerRecord -1,
// ReuseRecord, LazyQuotes and TrimLeadingSpace off): the same records,
// FieldPos, *csv.ParseError values, input consumed (InputOffset) and
// behaviour after an error. It is faster because it works in its own
// buffer: encoding/csv copies each line out of a bufio.Reader, looks for
// each comma with a call of bytes.IndexRune and for a quote in each field
// with another call, and copies each field into a record buffer. Here a
// line is found with one IndexByte and its first quote with another; the
// commas before it are found eight bytes at a time, and the unquoted fields
// between quoted ones are copied in one piece (not at all when no field is
// quoted: the record's string is then the line's). Since the buffer holds
// each record's input, Raw costs nothing.
//
// Lines are what csv.Reader.readLine makes them: up to and including '\n',
// "\r\n" read as "\n", and a last line without '\n' losing a final '\r'.
// The buffer is never modified in place, so a line's content is kept as a
// slice without its ending plus a flag for the '\n'.
type csvRecordReader struct {
	src    io.Reader
	srcErr error // the error that ended src (io.EOF at its end); src is not read after it

	buf     []byte
	r, w    int  // buf[r:w] is input read from src but not consumed
	start   int  // buf[start:r] is kept: the last record's input (keepRaw), or the current line
	keepRaw bool // whether Raw is wanted: the buffer then holds every record's input whole

	numLine int   // lines consumed, counted as csv.Reader counts them
	offset  int64 // bytes consumed, csv.Reader.InputOffset

	line []byte // the current line's content, without its ending
	nl   bool   // whether the current line ended with '\n'

	scratch []byte     // a record's fields when some are quoted or span lines
	fields  []csvField // the fields of the last record
	record  []string   // the last record, reused like csv.Reader.ReuseRecord

	// Limits (Reader.SetLimits); 0 = none, as encoding/csv. A record
	// whose input passes maxRow bytes is refused and the rest of its
	// physical line skipped, so memory stays bounded by the limit, not
	// by the file; a field longer than maxField refuses its record.
	maxField, maxRow int
}

// csvField is where a field is in its record's string, and where it
// started in the input (csv.Reader.FieldPos).
type csvField struct {
	start, end int
	line, col  int
}

// defaultCSVBufferSize is the buffer of the Reader's CSV records; it grows
// for a record (with the blank lines before it) longer than half of it. It
// is twice the Reader's bufio.Reader: reading that with at least half of
// this buffer free, once its bytes are taken, reads its source directly.
const defaultCSVBufferSize = 512 << 10

// newCSVRecordReader reads records from src. size is the initial buffer
// size (tests make it tiny); keepRaw makes Raw work.
func newCSVRecordReader(src io.Reader, size int, keepRaw bool) *csvRecordReader {
	return &csvRecordReader{src: src, buf: make([]byte, max(size, 2)), keepRaw: keepRaw}
}

// Read returns the next record, as csv.Reader.Read would: its fields are
// substrings of one string, and the slice is reused by the next call. With
// a *csv.ParseError it returns the fields completed before the error; the
// line of the error has been consumed, the next Read starts after it. At
// the end it returns io.EOF. An error from src other than io.EOF is
// returned (without a record) by this and every later Read that needs more
// input.
func (c *csvRecordReader) Read() ([]string, error) {
	c.start = c.r
	// Skip empty lines: "\n", "\r\n", or "\r" at the end of the input.
	for {
		more, err := c.readLine()
		if err == errRowTooLong {
			return nil, c.rowTooLong(c.numLine)
		}
		if err != nil {
			return nil, err
		}
		if !more {
			return nil, io.EOF
		}
		if len(c.line) > 0 {
			break
		}
	}
	return c.parseRecord()
}

// FieldPos is csv.Reader.FieldPos for the last record.
func (c *csvRecordReader) FieldPos(field int) (line, column int) {
	f := &c.fields[field]
	return f.line, f.col
}

// InputOffset is csv.Reader.InputOffset: the bytes consumed so far.
func (c *csvRecordReader) InputOffset() int64 { return c.offset }

// Raw returns the input the last Read consumed, blank lines before its
// record included, when the reader keeps it. It is valid until the next
// Read.
func (c *csvRecordReader) Raw() []byte {
	if !c.keepRaw {
		return nil
	}
	return c.buf[c.start:c.r]
}

// parseRecord parses the record that starts on the current line, as
// csv.Reader.readRecord does after its blank-line loop. Unquoted fields are
// not copied one by one: they stay in the line until a quoted field or the
// end of the record, and are then copied (with the commas between them) in
// one piece, or not at all for a record without quoted fields.
func (c *csvRecordReader) parseRecord() ([]string, error) {
	recLine := c.numLine
	line, nl := c.line, c.nl
	c.scratch = c.scratch[:0]
	c.fields = c.fields[:0]
	p := 0                          // the parse position in line
	run := 0                        // line[run:p] is unquoted fields not in scratch yet; -1 for none
	posLine, posCol := c.numLine, 1 // csv.Reader's pos: the column is a byte column in posLine
	var err error
parse:
	for {
		if p == len(line) || line[p] != '"' {
			// Unquoted fields, up to the next quote or the end of the
			// line, end at commas. The end of the line ends the last
			// one and the record; a quote must be the first byte of a
			// field, which is then quoted.
			q := indexFrom(line, p, '"')
			base := len(c.scratch) - run // line[run:] goes to scratch[len(scratch):]
			start := p
			i := p
			for ; i+8 <= q; i += 8 {
				for m := commaBits(binary.LittleEndian.Uint64(line[i:])); m != 0; m &= m - 1 {
					end := i + bits.TrailingZeros64(m)/8
					c.addField(base+start, base+end, posLine, posCol)
					posCol += end + 1 - start
					start = end + 1
				}
			}
			for ; i < q; i++ {
				if line[i] == ',' {
					c.addField(base+start, base+i, posLine, posCol)
					posCol += i + 1 - start
					start = i + 1
				}
			}
			p = start
			if q == len(line) {
				c.addField(base+start, base+q, posLine, posCol)
				p = q
				break
			}
			if start < q {
				err = &csv.ParseError{StartLine: recLine, Line: c.numLine, Column: posCol + q - start, Err: csv.ErrBareQuote}
				break
			}
		}
		// A quoted field: "" is a quote, and a line ending inside it is
		// part of it (as "\n"). The closing quote must be followed by a
		// comma or the end of the line.
		c.scratch = append(c.scratch, line[run:p]...)
		run = -1
		start, fieldLine, fieldCol := len(c.scratch), posLine, posCol
		p++
		posCol++
		for {
			if i := bytes.IndexByte(line[p:], '"'); i >= 0 {
				c.scratch = append(c.scratch, line[p:p+i]...)
				p += i + 1
				posCol += i + 1
				switch {
				case p < len(line) && line[p] == '"':
					c.scratch = append(c.scratch, '"')
					p++
					posCol++
				case p < len(line) && line[p] == ',':
					p++
					posCol++
					c.addField(start, len(c.scratch), fieldLine, fieldCol)
					run = p
					continue parse
				case p == len(line):
					c.addField(start, len(c.scratch), fieldLine, fieldCol)
					break parse
				default:
					err = &csv.ParseError{StartLine: recLine, Line: c.numLine, Column: posCol - 1, Err: csv.ErrQuote}
					break parse
				}
			} else if p < len(line) || nl {
				c.scratch = append(c.scratch, line[p:]...)
				posCol += len(line) - p
				if nl {
					c.scratch = append(c.scratch, '\n')
					posCol++
				}
				if c.maxRow > 0 && len(c.scratch) > c.maxRow {
					// A quoted field over many lines: each line is
					// short, the record is not.
					return nil, c.rowTooLong(recLine)
				}
				if _, rerr := c.readLine(); rerr == errRowTooLong {
					return nil, c.rowTooLong(recLine)
				} else if rerr != nil {
					return nil, rerr
				}
				line, nl, p = c.line, c.nl, 0
				if len(line) > 0 || nl {
					posLine++
					posCol = 1
				}
			} else {
				// The input ended inside the quotes.
				err = &csv.ParseError{StartLine: recLine, Line: posLine, Column: posCol, Err: csv.ErrQuote}
				break parse
			}
		}
	}

	// One string for the record, as encoding/csv makes; the line itself
	// when no field was quoted.
	var s string
	if run == 0 && len(c.scratch) == 0 {
		s = string(line[:p])
	} else {
		if run >= 0 {
			c.scratch = append(c.scratch, line[run:p]...)
		}
		s = string(c.scratch)
	}
	if cap(c.record) < len(c.fields) {
		c.record = make([]string, len(c.fields))
	}
	c.record = c.record[:len(c.fields)]
	for i, f := range c.fields {
		c.record[i] = s[f.start:f.end]
	}
	// One comparison a record: only a record longer than the limit can
	// hold a field longer than it.
	if c.maxField > 0 && len(s) > c.maxField && err == nil {
		for i, f := range c.fields {
			if f.end-f.start > c.maxField {
				return c.record, &csv.ParseError{StartLine: recLine, Line: f.line, Column: f.col, Err: &LimitError{What: "field", Limit: c.maxField, Field: i + 1}}
			}
		}
	}
	return c.record, err
}

// LimitError is a record refused for its size (Reader.SetLimits).
type LimitError struct {
	What  string // "field" or "row"
	Limit int    // bytes
	Field int    // the field's number in its row (1-based); 0 for a row
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s longer than %s bytes: refused (a real export never has one; if this file is right, raise the limit with --max-%s)", e.What, groupDigits(e.Limit), e.What)
}

// groupDigits writes n with thousands separators (1048576 → 1,048,576).
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// errRowTooLong is readLine's word that the line under way passed maxRow
// and was skipped to its end.
var errRowTooLong = errors.New("row too long")

func (c *csvRecordReader) rowTooLong(startLine int) error {
	c.fields = c.fields[:0]
	return &csv.ParseError{StartLine: startLine, Line: c.numLine, Column: c.maxRow + 1, Err: &LimitError{What: "row", Limit: c.maxRow}}
}

// addField records a field of the record being parsed.
func (c *csvRecordReader) addField(start, end, line, col int) {
	c.fields = append(c.fields, csvField{start: start, end: end, line: line, col: col})
}

// commaBits marks the commas in w, eight bytes of input (little-endian):
// the high bit of a byte of the result is set when that byte is ','.
func commaBits(w uint64) uint64 {
	const ones, low7, high = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	x := w ^ (ones * ',') // a comma is now a zero byte
	// Adding 0x7f to the low seven bits of a byte carries into its high
	// bit unless they are zero; or'ed with the byte, the high bit is then
	// clear in exactly the zero bytes.
	return ^((x&low7 + low7) | x) & high
}

// indexFrom is the index of the first b in s[from:], or len(s).
func indexFrom(s []byte, from int, b byte) int {
	if i := bytes.IndexByte(s[from:], b); i >= 0 {
		return from + i
	}
	return len(s)
}

// readLine consumes the next line, as csv.Reader.readLine does, into c.line
// and c.nl. It returns false when the input had nothing left; it counts a
// line even then, as csv.Reader does.
func (c *csvRecordReader) readLine() (bool, error) {
	if !c.keepRaw {
		c.start = c.r
	}
	from := c.r // where '\n' is looked for: buf[r:from] has none
	for {
		if i := bytes.IndexByte(c.buf[from:c.w], '\n'); i >= 0 {
			end := from + i + 1
			if c.maxRow > 0 && end-c.start > c.maxRow+1 {
				return false, c.skipLine()
			}
			c.line, c.nl = trimCR(c.buf[c.r:end-1]), true
			c.numLine++
			c.offset += int64(end - c.r)
			c.r = end
			return true, nil
		}
		from = c.w
		if c.srcErr != nil {
			c.line, c.nl = nil, false
			c.numLine++
			if c.srcErr != io.EOF {
				return false, c.srcErr
			}
			if c.r == c.w {
				return false, nil
			}
			c.line = trimCR(c.buf[c.r:c.w])
			c.offset += int64(c.w - c.r)
			c.r = c.w
			return true, nil
		}
		if c.maxRow > 0 && c.w-c.start > c.maxRow {
			return false, c.skipLine()
		}
		from -= c.fill()
	}
}

// skipLine consumes the rest of the current physical line without
// keeping it (the record under way is refused: errRowTooLong).
func (c *csvRecordReader) skipLine() error {
	for {
		if i := bytes.IndexByte(c.buf[c.r:c.w], '\n'); i >= 0 {
			c.offset += int64(i + 1)
			c.r += i + 1
			break
		}
		c.offset += int64(c.w - c.r)
		c.r, c.start = c.w, c.w
		if c.srcErr != nil {
			break
		}
		c.fill()
	}
	c.numLine++
	c.start = c.r
	c.line, c.nl = nil, false
	return errRowTooLong
}

// trimCR drops one final '\r': of a "\r\n" ending, or at the end of input.
func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// fill reads from src after buf[:w], first moving buf[start:w] to the front
// (or into a buffer twice as large when it fills more than half of buf, so
// that every read has room). It returns how far indexes into buf moved.
func (c *csvRecordReader) fill() int {
	shift := c.start
	if keep := c.w - c.start; keep > len(c.buf)/2 {
		b := make([]byte, 2*len(c.buf))
		copy(b, c.buf[c.start:c.w])
		c.buf = b
	} else if shift > 0 {
		copy(c.buf, c.buf[c.start:c.w])
	}
	c.start -= shift
	c.r -= shift
	c.w -= shift
	// Like bufio.Reader, give up on a source that returns nothing, and no
	// error, too many times.
	for range 100 {
		n, err := c.src.Read(c.buf[c.w:])
		c.w += n
		if err != nil {
			c.srcErr = err
			return shift
		}
		if n > 0 {
			return shift
		}
	}
	c.srcErr = io.ErrNoProgress
	return shift
}
