package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// copyTables are the ledger's tables in the order Copy writes them (each
// after those it references) with every column, the same on every backend.
var copyTables = []struct{ name, columns, order string }{
	{"imports", "id, period, source, file_name, sha256, header, rows, flagged, list_total, billed_total, imported_at, imported_by, record_format, bytes, providers, first_charge, last_charge", "id"},
	{"charges", "id, import_id, period, line, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency, description", "id"},
	{"review", "charge_id, period, flags, status, decided_by, decided_at, note", "charge_id"},
	{"tag_overrides", "charge_id, period, role, value", "charge_id, role"},
	{"import_prints", "import_id, prints", "import_id"},
	{"import_rows", "import_id, frame, rows, data", "import_id, frame"},
	{"import_lines", "import_id, period, first_row, charges, pi_email, pi_name, project_id, fund_org, cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, unit, currency, quantity, list_cost, billed_cost, description", "import_id, first_row"},
	{"adjustments", "id, period, pi_email, project_id, fund_org, amount, reason, ref, created_at, created_by, void_of, charge_id", "id"},
	{"disputes", "id, period, pi_email, charge_id, reason, status, note, opened_at, opened_by, resolved_at, resolved_by, line, origin", "id"},
	{"audit", "id, at, who, origin, action, record, period, before, after, reason", "id"},
	{"owner_rules", "id, resource_id, pi_email, fund_org, created_at, created_by, uses, last_used_at", "id"},
}

// PeriodCount is what Copy compares of one period on both sides.
type PeriodCount struct {
	Period, State                          string
	Imports, Charges, Review, Adjustments  int
	Disputes, Audit                        int
	ListCost, BilledCost, AdjustmentsTotal decimal.Decimal
	ClosedAt, FinalizedAt                  string
}

// Equal reports whether two counts agree in every figure.
func (p PeriodCount) Equal(q PeriodCount) bool {
	return p.Period == q.Period && p.State == q.State && p.Imports == q.Imports && p.Charges == q.Charges &&
		p.Review == q.Review && p.Adjustments == q.Adjustments && p.Disputes == q.Disputes && p.Audit == q.Audit &&
		p.ListCost.Equal(q.ListCost) && p.BilledCost.Equal(q.BilledCost) && p.AdjustmentsTotal.Equal(q.AdjustmentsTotal) &&
		p.ClosedAt == q.ClosedAt && p.FinalizedAt == q.FinalizedAt
}

// Counts returns the per-period figures Copy compares, oldest first (the
// audit records of no period, web sign-ins, under period "").
func (l *Ledger) Counts(ctx context.Context) ([]PeriodCount, error) {
	ps, err := periodsOf(func(q string) (*sql.Rows, error) { return l.db.QueryContext(ctx, q) })
	if err != nil {
		return nil, err
	}
	out := make([]PeriodCount, 0, len(ps)+1)
	idx := map[string]int{}
	for _, p := range ps {
		idx[p.Period] = len(out)
		out = append(out, PeriodCount{Period: p.Period, State: p.State, ClosedAt: p.ClosedAt, FinalizedAt: p.FinalizedAt})
	}
	idx[""] = len(out)
	out = append(out, PeriodCount{State: "-"})
	count := func(q string, set func(*PeriodCount, int)) error {
		rows, err := l.db.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			var n int
			if err := rows.Scan(&p, &n); err != nil {
				return err
			}
			if i, ok := idx[p]; ok {
				set(&out[i], n)
			}
		}
		return rows.Err()
	}
	for q, set := range map[string]func(*PeriodCount, int){
		`SELECT period, count(*) FROM imports GROUP BY period`:     func(p *PeriodCount, n int) { p.Imports = n },
		`SELECT period, count(*) FROM charges GROUP BY period`:     func(p *PeriodCount, n int) { p.Charges = n },
		`SELECT period, count(*) FROM review GROUP BY period`:      func(p *PeriodCount, n int) { p.Review = n },
		`SELECT period, count(*) FROM adjustments GROUP BY period`: func(p *PeriodCount, n int) { p.Adjustments = n },
		`SELECT period, count(*) FROM disputes GROUP BY period`:    func(p *PeriodCount, n int) { p.Disputes = n },
		`SELECT period, count(*) FROM audit GROUP BY period`:       func(p *PeriodCount, n int) { p.Audit = n },
	} {
		if err := count(q, set); err != nil {
			return nil, fmt.Errorf("count: %w", err)
		}
	}
	// Money is summed exactly, in Go, from the text the ledger keeps.
	sum := func(q string, add func(*PeriodCount, decimal.Decimal, decimal.Decimal)) error {
		rows, err := l.db.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p, a, b string
			if err := rows.Scan(&p, &a, &b); err != nil {
				return err
			}
			x, err := decimal.NewFromString(a)
			if err != nil {
				return err
			}
			y, err := decimal.NewFromString(b)
			if err != nil {
				return err
			}
			if i, ok := idx[p]; ok {
				add(&out[i], x, y)
			}
		}
		return rows.Err()
	}
	if err := sum(`SELECT period, list_cost, billed_cost FROM charges`, func(p *PeriodCount, x, y decimal.Decimal) {
		p.ListCost, p.BilledCost = p.ListCost.Add(x), p.BilledCost.Add(y)
	}); err != nil {
		return nil, fmt.Errorf("sum charges: %w", err)
	}
	if err := sum(`SELECT period, amount, amount FROM adjustments`, func(p *PeriodCount, x, _ decimal.Decimal) {
		p.AdjustmentsTotal = p.AdjustmentsTotal.Add(x)
	}); err != nil {
		return nil, fmt.Errorf("sum adjustments: %w", err)
	}
	return out, nil
}

// CopyTo copies the whole ledger into dst, which must be empty: every
// table row for row with its ids, the periods with their states and
// timestamps. dst is written in one transaction: the periods are created
// open, filled, then moved through closed to finalized as the source has
// them, so dst's triggers hold throughout and afterwards.
func (l *Ledger) CopyTo(ctx context.Context, dst *Ledger) error {
	var n int
	if err := dst.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM periods) + (SELECT count(*) FROM imports) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM adjustments) + (SELECT count(*) FROM disputes)`).Scan(&n); err != nil {
		return fmt.Errorf("copy: target: %w", err)
	}
	if n > 0 {
		return refused("copy: the target ledger is not empty (%d periods, imports, adjustments, disputes and audit records): copy only into a new ledger", n)
	}
	// One snapshot of the source.
	opts := &sql.TxOptions{ReadOnly: true}
	if l.d.Name != "sqlite" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	src, err := l.db.DB.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("copy: read the source: %w", err)
	}
	defer src.Rollback()
	srcTx := &Tx{Tx: src, ctx: ctx, d: l.d}
	ps, err := periodsOf(func(q string) (*sql.Rows, error) { return srcTx.Query(q) })
	if err != nil {
		return err
	}
	return dst.withTx(ctx, func(tx *Tx) error {
		for _, p := range ps {
			if _, err := tx.Exec(`INSERT INTO periods(period, state) VALUES (?, 'open')`, p.Period); err != nil {
				return fmt.Errorf("copy period %s: %w", p.Period, err)
			}
		}
		for _, t := range copyTables {
			if err := copyTable(srcTx, tx, t.name, t.columns, t.order); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
		for _, p := range ps {
			var err error
			switch p.State {
			case StateOpen:
				_, err = tx.Exec(`UPDATE periods SET closed_at = ?, finalized_at = ? WHERE period = ?`, null(p.ClosedAt), null(p.FinalizedAt), p.Period)
			case StateClosed:
				_, err = tx.Exec(`UPDATE periods SET state = 'closed', closed_at = ?, finalized_at = ? WHERE period = ?`, null(p.ClosedAt), null(p.FinalizedAt), p.Period)
			case StateFinalized:
				if _, err = tx.Exec(`UPDATE periods SET state = 'closed' WHERE period = ?`, p.Period); err == nil {
					_, err = tx.Exec(`UPDATE periods SET state = 'finalized', closed_at = ?, finalized_at = ? WHERE period = ?`, null(p.ClosedAt), null(p.FinalizedAt), p.Period)
				}
			}
			if err != nil {
				return fmt.Errorf("copy period %s state %s: %w", p.Period, p.State, err)
			}
		}
		return nil
	})
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rawPeriod is a period's row as stored.
type rawPeriod struct{ Period, State, ClosedAt, FinalizedAt string }

func periodsOf(query func(string) (*sql.Rows, error)) ([]rawPeriod, error) {
	rows, err := query(`SELECT period, state, coalesce(closed_at,''), coalesce(finalized_at,'') FROM periods ORDER BY period`)
	if err != nil {
		return nil, fmt.Errorf("copy: periods: %w", err)
	}
	defer rows.Close()
	var ps []rawPeriod
	for rows.Next() {
		var p rawPeriod
		if err := rows.Scan(&p.Period, &p.State, &p.ClosedAt, &p.FinalizedAt); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// copyBatch rows go to the target in one bulk load (Dialect.Copy) at a time.
const copyBatch = 20000

func copyTable(src, dst *Tx, table, columns, order string) error {
	rows, err := src.Query(`SELECT ` + columns + ` FROM ` + table + ` ORDER BY ` + order)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := strings.Split(columns, ", ")
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := dst.Copy(table, cols, batch)
		batch = batch[:0]
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok && !isBlob(table, cols[i]) {
				vals[i] = string(b) // text the driver handed over as bytes
			}
		}
		if batch = append(batch, vals); len(batch) == copyBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

func isBlob(table, column string) bool {
	return (table == "import_rows" && column == "data") || (table == "import_prints" && column == "prints")
}
