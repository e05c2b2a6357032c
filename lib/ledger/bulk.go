package ledger

import (
	"fmt"
)

// bulkLoad writes an import's batches with the backend's bulk load
// (Dialect.Copy: COPY on PostgreSQL, one cgo call a batch on SQLite)
// instead of one INSERT a row: the charges get their ids first (max+1…,
// under the write lock), so that the review items of flagged rows can name
// them.
type bulkLoad struct {
	tx       *Tx
	importID int64
	period   string
	file     string
	charges  [][]any
	review   [][]any
	frames   [][]any
	first    int   // line of the first charge collected
	start    int64 // id of the import's first charge (0: none yet)
	next     int64 // id of the next charge

	slabs []*cellSlab // the cells of charges
}

var (
	chargeCopyColumns = []string{"id", "import_id", "period", "line", "pi_email", "pi_name", "project_id", "fund_org",
		"service_name", "service_category", "resource_id", "resource_name", "quantity", "unit", "list_cost", "billed_cost", "currency",
		"cost_center", "account_code", "end_date", "reconciliation_end", "ref1", "ref2", "description"}
	reviewCopyColumns = []string{"charge_id", "period", "flags", "status"}
	frameCopyColumns  = []string{"import_id", "frame", "rows", "data"}
)

// copyRows is how many charges are collected before one Copy: four parse
// batches. With one parse goroutine, chunks of 512 rows measured best
// (bigger ones left the parser waiting on a long COPY); with the parallel
// parse the chunk size was not measured again, and a writer goroutine
// overlapping the Copy calls with parsing gained nothing (the two cores
// are busy either way).
const copyRows = 4096

// load takes one batch; it returns the rows and the flagged rows taken.
// The rows reach the database at the next flush.
func (b *bulkLoad) load(batch *rowBatch) (rows, flagged int, err error) {
	for _, fr := range batch.frames {
		b.frames = append(b.frames, []any{b.importID, fr.no, fr.rows, fr.data})
	}
	if len(batch.rows) == 0 {
		return 0, 0, nil
	}
	ids, err := b.reserve(len(batch.rows))
	if err != nil {
		return 0, 0, err
	}
	n := len(b.review)
	// Boxed once: an int64 or a string put in an interface is allocated.
	importID, period := any(b.importID), any(b.period)
	for i := range batch.rows {
		pr := &batch.rows[i]
		row := pr.cells
		row[0], row[1], row[2] = &ids[i], importID, period
		b.charges = append(b.charges, row)
		if pr.flags != "" {
			b.review = append(b.review, []any{&ids[i], period, pr.flags, "pending"})
		}
	}
	if batch.slab != nil {
		b.slabs = append(b.slabs, batch.slab)
	}
	if b.first == 0 {
		b.first = batch.rows[0].line
	}
	if len(b.charges) >= copyRows {
		if err := b.flush(); err != nil {
			return 0, 0, err
		}
	}
	return len(batch.rows), len(b.review) - n, nil
}

// flush writes what load collected: frames, charges, then their review
// items (which reference the charges).
func (b *bulkLoad) flush() error {
	tx := b.tx
	if len(b.frames) > 0 {
		if err := tx.Copy("import_rows", frameCopyColumns, b.frames); err != nil {
			return fmt.Errorf("%s: rows: %w", b.file, err)
		}
		b.frames = b.frames[:0]
	}
	if len(b.charges) > 0 {
		if err := tx.Copy("charges", chargeCopyColumns, b.charges); err != nil {
			return fmt.Errorf("%s:%d..: %w", b.file, b.first, err)
		}
		b.charges, b.first = b.charges[:0], 0
		// Written: the cells are free for the next batches (not after an
		// error: a broken COPY's sender may still read them).
		putSlab(b.slabs)
		clear(b.slabs)
		b.slabs = b.slabs[:0]
	}
	if len(b.review) > 0 {
		if err := tx.Copy("review", reviewCopyColumns, b.review); err != nil {
			return fmt.Errorf("%s: review items: %w", b.file, err)
		}
		b.review = b.review[:0]
	}
	return nil
}

// reserve returns the ids of the next n charges: after the last written
// and the collected ones (the write lock keeps them ours).
func (b *bulkLoad) reserve(n int) ([]int64, error) {
	if b.next == 0 {
		ids, err := b.tx.NewIDs("charges", 1)
		if err != nil {
			return nil, err
		}
		b.start, b.next = ids[0], ids[0]
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = b.next + int64(i)
	}
	b.next += int64(n)
	return ids, nil
}

// span is the import's first and last charge id (imports.first_charge and
// last_charge: a period's charges are read as the id ranges of its
// imports), nil for an import without charges.
func (b *bulkLoad) span() (first, last any) {
	if b == nil || b.start == 0 {
		return nil, nil
	}
	return b.start, b.next - 1
}
