package validate

import (
	"errors"
	"io"

	"github.com/openchargeback/ocb/lib/focus"
)

// readAhead parses the input in its own goroutine, in batches, so that CSV
// parsing (most of the cost) runs beside the checks on a second core. Memory
// stays constant: a fixed pool of batches circulates between the two.
type readAhead struct {
	ch   chan *batch
	free chan *batch
	done chan struct{}
	cur  *batch
	pos  int
}

const (
	batchRows  = 256
	numBatches = 4
)

type batch struct {
	items []batchItem
	strs  []string // values of all rows, flat
	raw   []byte   // raw records, flat
	err   error    // a non-parse error after the items (I/O): stops reading
}

type batchItem struct {
	line   int
	s0, s1 int // values: strs[s0:s1]
	r0, r1 int // raw record: raw[r0:r1]
	hasRaw bool
	err    error // *focus.ParseError for this row
}

func newReadAhead(rd *focus.Reader) *readAhead {
	a := &readAhead{ch: make(chan *batch, numBatches), free: make(chan *batch, numBatches), done: make(chan struct{})}
	for i := 0; i < numBatches; i++ {
		a.free <- &batch{}
	}
	go a.produce(rd)
	return a
}

func (a *readAhead) produce(rd *focus.Reader) {
	defer close(a.ch)
	for {
		var b *batch
		select {
		case b = <-a.free:
		case <-a.done:
			return
		}
		b.items, b.strs, b.raw, b.err = b.items[:0], b.strs[:0], b.raw[:0], nil
		eof := false
		for len(b.items) < batchRows {
			row, err := rd.Read()
			if err == io.EOF {
				eof = true
				break
			}
			var pe *focus.ParseError
			if err != nil && !errors.As(err, &pe) {
				b.err = err
				eof = true
				break
			}
			it := batchItem{line: row.Line, s0: len(b.strs), err: err}
			b.strs = append(b.strs, row.Values...)
			it.s1 = len(b.strs)
			if raw := rd.Raw(); raw != nil {
				it.r0 = len(b.raw)
				b.raw = append(b.raw, raw...)
				it.r1, it.hasRaw = len(b.raw), true
			}
			b.items = append(b.items, it)
		}
		select {
		case a.ch <- b:
		case <-a.done:
			return
		}
		if eof {
			return
		}
	}
}

// Next returns the next row as focus.Reader.Read would, and its raw record
// (nil when none). Both are valid until the next call.
func (a *readAhead) Next() (focus.Row, []byte, error) {
	for a.cur == nil || a.pos >= len(a.cur.items) {
		if a.cur != nil {
			if err := a.cur.err; err != nil {
				a.cur.err = nil
				return focus.Row{}, nil, err
			}
			a.free <- a.cur
			a.cur = nil
		}
		b, ok := <-a.ch
		if !ok {
			return focus.Row{}, nil, io.EOF
		}
		a.cur, a.pos = b, 0
	}
	it := &a.cur.items[a.pos]
	a.pos++
	row := focus.Row{Line: it.line, Values: a.cur.strs[it.s0:it.s1:it.s1]}
	var raw []byte
	if it.hasRaw {
		raw = a.cur.raw[it.r0:it.r1:it.r1]
	}
	return row, raw, it.err
}

// Close stops the producer (it may be blocked on a full channel).
func (a *readAhead) Close() {
	close(a.done)
	for range a.ch {
	}
}
