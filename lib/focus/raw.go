package focus

import "io"

// NewRawReader is NewReader that also keeps the exact input bytes of each
// CSV record (Raw), so that a filter which leaves a row unchanged can copy
// it out instead of re-encoding it (focus-validate: most of its time would
// otherwise go to encoding/csv's Writer).
func NewRawReader(r io.Reader, name string) (*Reader, error) {
	return newReader(r, name, true)
}

// Raw returns the input bytes of the record the last Read returned: the
// record with its line ending, possibly preceded by blank lines the CSV
// reader skipped. After a *ParseError it holds the bytes the CSV reader
// consumed for the unparseable record, so a caller can keep them. It is nil
// at io.EOF, for NDJSON, for UTF-16 input, and for readers not made by
// NewRawReader. The slice is valid until the next Read.
func (r *Reader) Raw() []byte { return r.raw.last }

// rawTee records the bytes the bufio.Reader pulls from its source.
type rawTee struct {
	src   io.Reader
	buf   []byte // input from absolute offset base
	base  int64
	total int64 // bytes read from src
}

func (t *rawTee) Read(p []byte) (int, error) {
	n, err := t.src.Read(p)
	t.buf = append(t.buf, p[:n]...)
	t.total += int64(n)
	return n, err
}

// rawState maps csv.Reader.InputOffset (bytes consumed by the CSV reader)
// to absolute positions in the tee.
type rawState struct {
	tee     *rawTee
	csvBase int64 // absolute offset where the csv.Reader started
	prev    int64 // absolute end of the previous record
	last    []byte
}

// start is called after the header: csv.Reader reads r.br directly (its
// bufio.NewReader returns our larger buffered reader as is), so bytes it
// consumed are tee.total minus what br still buffers.
func (s *rawState) start(r *Reader) {
	if s.tee == nil {
		return
	}
	s.csvBase = s.tee.total - int64(r.br.Buffered()) - r.csv.InputOffset()
	s.prev = s.csvBase + r.csv.InputOffset()
}

// discard drops input before the previous record (whose bytes the caller
// may still hold until this Read).
func (s *rawState) discard() {
	s.last = nil
	t := s.tee
	if t == nil {
		return
	}
	if k := s.prev - t.base; k > 256<<10 && k > int64(len(t.buf))/2 {
		n := copy(t.buf, t.buf[k:])
		t.buf = t.buf[:n]
		t.base += k
	}
}

func (s *rawState) record(r *Reader, err error) {
	if s.tee == nil {
		return
	}
	end := s.csvBase + r.csv.InputOffset()
	if err != io.EOF && end > s.prev {
		s.last = s.tee.buf[s.prev-s.tee.base : end-s.tee.base]
	}
	s.prev = end
}

// HeaderLine is the physical line of the header (CSV) or of the first
// object (NDJSON), for diagnostics about the header.
func (r *Reader) HeaderLine() int { return r.headerLine }
