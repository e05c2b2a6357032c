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
func (r *Reader) Raw() []byte { return r.raw }

// HeaderLine is the physical line of the header (CSV) or of the first
// object (NDJSON), for diagnostics about the header.
func (r *Reader) HeaderLine() int { return r.headerLine }
