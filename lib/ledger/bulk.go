package ledger

import (
	"fmt"
)

// bulkLoad writes an import's batches with the backend's bulk load
// (PostgreSQL COPY, Dialect.Copy) instead of one INSERT a row: the charges
// get ids reserved from their sequence first, so that the review items of
// flagged rows can name them.
type bulkLoad struct {
	tx       *Tx
	importID int64
	period   string
	file     string
	charges  [][]any
	review   [][]any
	frames   [][]any
}

var (
	chargeCopyColumns = []string{"id", "import_id", "period", "line", "pi_email", "pi_name", "project_id", "fund_org",
		"service_name", "service_category", "resource_id", "resource_name", "quantity", "unit", "list_cost", "billed_cost", "currency",
		"cost_center", "account_code", "end_date", "reconciliation_end", "ref1", "ref2"}
	reviewCopyColumns = []string{"charge_id", "period", "flags", "status"}
	frameCopyColumns  = []string{"import_id", "frame", "rows", "data"}
)

// load writes one batch; it returns the rows and the flagged rows written.
func (b *bulkLoad) load(batch *rowBatch) (rows, flagged int, err error) {
	tx := b.tx
	if len(batch.frames) > 0 {
		b.frames = b.frames[:0]
		for _, fr := range batch.frames {
			b.frames = append(b.frames, []any{b.importID, fr.no, fr.rows, fr.data})
		}
		if err := tx.Copy("import_rows", frameCopyColumns, b.frames); err != nil {
			return 0, 0, fmt.Errorf("%s: rows %d..: %w", b.file, batch.frames[0].no*frameRows+1, err)
		}
	}
	if len(batch.rows) == 0 {
		return 0, 0, nil
	}
	ids, err := b.reserve(len(batch.rows))
	if err != nil {
		return 0, 0, err
	}
	b.charges, b.review = b.charges[:0], b.review[:0]
	for i := range batch.rows {
		pr := &batch.rows[i]
		row := make([]any, 0, len(chargeCopyColumns))
		row = append(row, ids[i], b.importID, b.period)
		row = append(row, pr.args[:leanArgs]...)
		if pr.lean {
			row = append(row, "", "", "", "", "", "")
		} else {
			row = append(row, pr.args[leanArgs:]...)
		}
		b.charges = append(b.charges, row)
		if pr.flags != "" {
			b.review = append(b.review, []any{ids[i], b.period, pr.flags, "pending"})
		}
	}
	if err := tx.Copy("charges", chargeCopyColumns, b.charges); err != nil {
		return 0, 0, fmt.Errorf("%s:%d..: %w", b.file, batch.rows[0].line, err)
	}
	if len(b.review) > 0 {
		if err := tx.Copy("review", reviewCopyColumns, b.review); err != nil {
			return 0, 0, fmt.Errorf("%s: review items: %w", b.file, err)
		}
	}
	return len(batch.rows), len(b.review), nil
}

func (b *bulkLoad) reserve(n int) ([]int64, error) {
	return b.tx.NewIDs("charges", n)
}
