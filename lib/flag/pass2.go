package flag

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

// metaRec is what pass 1 learned about a row (the spool record).
type metaRec struct {
	line, bits, missing, group, pi uint32
	month                          uint16
	lnUnit                         float64
	overMin                        bool
	billed, list, foreign, explain []byte
}

const metaFixed = 4*5 + 2 + 8 + 1

type metaReader struct {
	br    *bufio.Reader
	fixed [metaFixed]byte
	buf   []byte
}

func (m *metaReader) next(r *metaRec) error {
	if _, err := io.ReadFull(m.br, m.fixed[:]); err != nil {
		return err
	}
	f := m.fixed[:]
	u32 := func(i int) uint32 { return binary.LittleEndian.Uint32(f[i:]) }
	r.line, r.bits, r.missing, r.group, r.pi = u32(0), u32(4), u32(8), u32(12), u32(16)
	r.month = binary.LittleEndian.Uint16(f[20:])
	r.lnUnit = math.Float64frombits(binary.LittleEndian.Uint64(f[22:]))
	r.overMin = f[30] == 1
	var err error
	m.buf = m.buf[:0]
	if m.buf, r.billed, err = m.str(m.buf); err != nil {
		return err
	}
	if m.buf, r.list, err = m.str(m.buf); err != nil {
		return err
	}
	if m.buf, r.foreign, err = m.str(m.buf); err != nil {
		return err
	}
	m.buf, r.explain, err = m.str(m.buf)
	return err
}

// str reads a length-prefixed string, appending it to buf (which may move;
// the returned view is taken after the append).
func (m *metaReader) str(buf []byte) ([]byte, []byte, error) {
	n, err := binary.ReadUvarint(m.br)
	if err != nil {
		return buf, nil, err
	}
	start := len(buf)
	buf = slices.Grow(buf, int(n))[:start+int(n)]
	if _, err := io.ReadFull(m.br, buf[start:]); err != nil {
		return buf, nil, err
	}
	return buf, buf[start:], nil
}

func (e *engine) pass2(w io.Writer) error {
	if len(e.header) == 0 {
		return nil // only empty inputs: nothing to write
	}
	if _, err := e.metaFile.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind spool: %w", err)
	}
	mr := &metaReader{br: bufio.NewReaderSize(e.metaFile, 256<<10)}
	outFmt := focus.CSV
	if e.cfg.Out != nil {
		outFmt = *e.cfg.Out
	} else {
		for _, s := range e.sources {
			if s.header != nil {
				outFmt = s.format
				break
			}
		}
	}
	outHeader := e.header
	flagPos := slices.Index(outHeader, ColumnFlags)
	if flagPos < 0 {
		flagPos = len(outHeader)
		outHeader = append(slices.Clip(outHeader), ColumnFlags)
	}
	// Fast path: CSV in and out with one header and no x_Flags yet, the
	// common case and the 1M-row benchmark. Each record's bytes are copied
	// as read and the flags appended, instead of parsing and re-encoding
	// (which would cost more than all the rules).
	fast := outFmt == focus.CSV && flagPos == len(e.header)
	// NDJSON in and out: each line is an object; drop its closing brace
	// and append "x_Flags". Rows need not share keys.
	fastND := outFmt == focus.NDJSON && flagPos == len(e.header)
	if e.cfg.parsedOnly {
		fast, fastND = false, false
	}
	for _, s := range e.sources {
		if s.header != nil && (s.format != focus.CSV || s.utf16 || !slices.Equal(s.header, e.header)) {
			fast = false
		}
		if s.header != nil && (s.format != focus.NDJSON || s.utf16) {
			fastND = false
		}
	}
	fw := focus.NewWriter(w, outFmt)
	if err := fw.WriteHeader(outHeader); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	var idx uint32
	if fast || fastND {
		if err := fw.Flush(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		bw := bufio.NewWriterSize(w, 256<<10)
		for _, s := range e.sources {
			if s.header == nil {
				continue
			}
			copyFn := e.copyRaw
			if fastND {
				copyFn = e.copyRawNDJSON
			}
			if err := copyFn(s, mr, bw, &idx); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	} else {
		for _, s := range e.sources {
			if s.header == nil {
				continue
			}
			if err := e.copyParsed(s, mr, fw, outHeader, flagPos, &idx); err != nil {
				return err
			}
		}
		if err := fw.Flush(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if idx != e.rows {
		return fmt.Errorf("internal error: second pass read %d rows, first pass %d", idx, e.rows)
	}
	return nil
}

// flags computes a row's x_Flags from its spool record and the decisions,
// and counts them for the summary.
func (e *engine) flags(name string, idx uint32, m *metaRec) []byte {
	bits := m.bits
	if len(e.aggFlags) > 0 {
		bits |= e.aggFlags[idx]
	}
	unitOutlier := false
	if m.overMin && !math.IsNaN(m.lnUnit) && int(m.group) < len(e.unitStats) {
		if st := e.unitStats[m.group]; st.spread > 0 && math.Abs(st.z(m.lnUnit)) > e.cfg.OutlierZ {
			bits |= bitOutlier
			unitOutlier = true
		}
	}
	if m.month != 0 && e.target != 0 && m.month != e.target {
		bits |= bitPeriodMismatch
	}
	e.flagBuf = appendFlags(e.flagBuf, string(m.foreign), m.missing, e.missingCodes, bits)
	if e.cfg.Explain != nil {
		e.explainPass2(name, idx, m, bits, unitOutlier)
	}
	e.sum.Rows++
	if len(e.flagBuf) > 0 {
		e.sum.Flagged++
		for i := 0; i < numBits; i++ {
			if bits&(1<<uint(i)) != 0 {
				e.sum.bits[i]++
			}
		}
		for i := range e.missingCodes {
			if m.missing&(1<<uint(i)) != 0 {
				e.sum.missing[i]++
			}
		}
		pc := e.sum.piCost[m.pi]
		if pc == nil {
			pc = &PICost{PI: e.piNames[m.pi], Billed: decimal.Zero, List: decimal.Zero}
			e.sum.piCost[m.pi] = pc
		}
		pc.Rows++
		if d, present, ok := ParseAmount(string(m.billed)); present && ok {
			pc.Billed = pc.Billed.Add(d)
		}
		if d, present, ok := ParseAmount(string(m.list)); present && ok {
			pc.List = pc.List.Add(d)
		}
	}
	return e.flagBuf
}

func (e *engine) copyParsed(s source, mr *metaReader, fw *focus.Writer, outHeader []string, flagPos int, idx *uint32) error {
	f, closeFn, err := s.reopen()
	if err != nil {
		return err
	}
	defer closeFn()
	r, err := focus.NewReader(f, s.name)
	if err != nil {
		return err
	}
	pos := make([]int, len(r.Header()))
	for i, h := range r.Header() {
		pos[i] = slices.Index(outHeader, h)
	}
	out := make([]string, len(outHeader))
	var m metaRec
	for {
		row, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("second pass: %w", err)
		}
		if err := mr.next(&m); err != nil || int(m.line) != row.Line {
			return fmt.Errorf("internal error: %s:%d: spool out of step", s.name, row.Line)
		}
		flags := e.flags(s.name, *idx, &m)
		*idx++
		if e.cfg.OnlyFlagged && len(flags) == 0 {
			continue
		}
		for i := range out {
			out[i] = ""
		}
		for i, v := range row.Values {
			out[pos[i]] = v
		}
		out[flagPos] = string(flags)
		if err := fw.Write(out); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}

func (e *engine) copyRaw(s source, mr *metaReader, bw *bufio.Writer, idx *uint32) error {
	f, closeFn, err := s.reopen()
	if err != nil {
		return err
	}
	defer closeFn()
	sc := newRawCSV(f)
	if _, _, err := sc.next(); err != nil { // the header
		return fmt.Errorf("second pass %s: %w", s.name, err)
	}
	var m metaRec
	for {
		rec, line, err := sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("second pass %s: %w", s.name, err)
		}
		if err := mr.next(&m); err != nil || int(m.line) != line {
			return fmt.Errorf("internal error: %s:%d: spool out of step", s.name, line)
		}
		flags := e.flags(s.name, *idx, &m)
		*idx++
		if e.cfg.OnlyFlagged && len(flags) == 0 {
			continue
		}
		bw.Write(rec)
		bw.WriteByte(',')
		writeCSVField(bw, flags)
		if err := bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}

func (e *engine) copyRawNDJSON(s source, mr *metaReader, bw *bufio.Writer, idx *uint32) error {
	f, closeFn, err := s.reopen()
	if err != nil {
		return err
	}
	defer closeFn()
	sc := &rawLines{br: bufio.NewReaderSize(f, 1<<20)}
	var m metaRec
	for {
		obj, line, err := sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("second pass %s: %w", s.name, err)
		}
		if err := mr.next(&m); err != nil || int(m.line) != line {
			return fmt.Errorf("internal error: %s:%d: spool out of step", s.name, line)
		}
		flags := e.flags(s.name, *idx, &m)
		*idx++
		if e.cfg.OnlyFlagged && len(flags) == 0 {
			continue
		}
		if obj[len(obj)-1] != '}' || !json.Valid(obj) {
			// lib/focus reads past some junk after the object (e.g.
			// `{...}}0`); write what it read, re-encoded, never the junk.
			if obj, err = normalizeObject(obj, s.name, line); err != nil {
				return err
			}
		}
		body := bytes.TrimSpace(obj[:len(obj)-1])
		bw.Write(body)
		if len(body) > 1 { // not "{": the object has members
			bw.WriteByte(',')
		}
		bw.WriteString(`"` + ColumnFlags + `":`)
		if len(flags) == 0 {
			bw.WriteString("null")
		} else {
			q, _ := json.Marshal(string(flags))
			bw.Write(q)
		}
		if _, err := bw.WriteString("}\n"); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}

// normalizeObject re-encodes one NDJSON line as lib/focus reads it.
func normalizeObject(line []byte, name string, n int) ([]byte, error) {
	r, err := focus.NewReader(bytes.NewReader(line), name)
	if err != nil {
		return nil, fmt.Errorf("second pass %s:%d: %w", name, n, err)
	}
	row, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("second pass %s:%d: %w", name, n, err)
	}
	var buf bytes.Buffer
	w := focus.NewWriter(&buf, focus.NDJSON)
	w.WriteHeader(r.Header())
	if err := w.Write(row.Values); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// rawLines returns the non-blank lines of an NDJSON stream, trimmed, with
// their physical line numbers, as focus.Reader counts them.
type rawLines struct {
	br      *bufio.Reader
	line    int
	buf     []byte
	started bool
}

func (s *rawLines) next() ([]byte, int, error) {
	if !s.started {
		s.started = true
		if b, _ := s.br.Peek(3); bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
			s.br.Discard(3)
		}
	}
	for {
		s.line++
		b, err := s.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			s.buf = append(s.buf[:0], b...)
			for err == bufio.ErrBufferFull {
				b, err = s.br.ReadSlice('\n')
				s.buf = append(s.buf, b...)
			}
			b = s.buf
		}
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			return t, s.line, nil
		}
		if err == io.EOF {
			return nil, 0, io.EOF
		}
	}
}

// writeCSVField writes one field, quoted when RFC 4180 needs it.
func writeCSVField(bw *bufio.Writer, f []byte) {
	if len(f) > 0 && (bytes.ContainsAny(f, ",\"\r\n") || f[0] == ' ' || f[0] == '\t') {
		bw.WriteByte('"')
		for _, c := range f {
			if c == '"' {
				bw.WriteByte('"')
			}
			bw.WriteByte(c)
		}
		bw.WriteByte('"')
		return
	}
	bw.Write(f)
}

// rawCSV splits a CSV stream into records without decoding fields, the way
// encoding/csv (as configured by focus.Reader) splits it: a record ends at a
// newline outside quotes, blank lines are skipped, CRLF is accepted, and a
// UTF-8 BOM and leading blank space before the header are skipped. Pass 1
// parsed the same bytes with focus.Reader, so they are well-formed; each
// record's start line is checked against the spool to be sure.
type rawCSV struct {
	br    *bufio.Reader
	line  int // physical lines consumed
	buf   []byte
	first bool
}

func newRawCSV(r io.Reader) *rawCSV {
	return &rawCSV{br: bufio.NewReaderSize(r, 1<<20), first: true}
}

func (s *rawCSV) next() ([]byte, int, error) {
	if s.first {
		s.first = false
		if b, _ := s.br.Peek(3); bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
			s.br.Discard(3)
		}
		for {
			b, err := s.br.Peek(1)
			if err != nil {
				break
			}
			if b[0] == '\n' {
				s.line++
			} else if b[0] != ' ' && b[0] != '\t' && b[0] != '\r' {
				break
			}
			s.br.Discard(1)
		}
	}
	for {
		start := s.line + 1
		chunk, err := s.br.ReadSlice('\n')
		if len(chunk) == 0 && err != nil {
			if err == io.EOF {
				return nil, 0, io.EOF
			}
			return nil, 0, err
		}
		rec := chunk
		quotes := bytes.Count(chunk, []byte{'"'})
		if err == nil && quotes%2 == 0 {
			s.line++ // the common case: one line, no copy
		} else {
			s.buf = append(s.buf[:0], chunk...)
			if err == nil {
				s.line++
			}
			for err == bufio.ErrBufferFull || (err == nil && quotes%2 == 1) {
				chunk, err = s.br.ReadSlice('\n')
				quotes += bytes.Count(chunk, []byte{'"'})
				s.buf = append(s.buf, chunk...)
				if err == nil {
					s.line++
				}
			}
			if err != nil && err != io.EOF {
				return nil, 0, err
			}
			rec = s.buf
		}
		rec = bytes.TrimSuffix(rec, []byte{'\n'})
		rec = bytes.TrimSuffix(rec, []byte{'\r'})
		if len(rec) == 0 {
			if err == io.EOF {
				return nil, 0, io.EOF
			}
			continue // blank line
		}
		return rec, start, nil
	}
}
