package ledger

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/shopspring/decimal"
)

// Statements, the dashboard, the annual report and the history chart read
// sums, not charges. Each import stores, beside its charges, the exact
// sums of its charges grouped by every field a statement reads (table
// import_lines: a few thousand rows for a 1M-row month), written in the
// import's transaction and as immutable as the charges. Reading a period
// then costs its lines plus the few charges review touched: those are
// taken out of their line and given back one by one with their decision
// and assigned tags (a rejected one not at all). Measured on the generated
// 1M-row month: statements for a period read ~2.5k lines instead of 1M
// charges (see docs/decisions-load.md for the figures).

// lineKey is what a statement can tell apart in a charge: every field
// Builder reads except the amounts (which it sums) and the resource.
type lineKey struct {
	piEmail, piName, projectID, fundOrg, costCenter, accountCode string
	endDate, reconciliationEnd, ref1, ref2                       string
	serviceName, serviceCategory, unit, currency                 string
	description                                                  string
}

func keyOf(c *Charge) lineKey {
	return lineKey{c.PIEmail, c.PIName, c.ProjectID, c.FundOrg, c.CostCenter, c.AccountCode,
		c.EndDate, c.ReconciliationEnd, c.Ref1, c.Ref2, c.ServiceName, c.ServiceCategory, c.Unit, c.Currency, c.Description}
}

// appendTo appends every field of k, each a uvarint length and its bytes:
// two keys are equal exactly when these bytes are (lineIndex).
func (k *lineKey) appendTo(b []byte) []byte {
	for _, f := range [...]string{k.piEmail, k.piName, k.projectID, k.fundOrg, k.costCenter, k.accountCode,
		k.endDate, k.reconciliationEnd, k.ref1, k.ref2, k.serviceName, k.serviceCategory, k.unit, k.currency, k.description} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// lineSum is the running sum of one import's charges of one key.
type lineSum struct {
	firstRow          int // the first row (0-based) of the import with this key
	charges           int
	qty, list, billed fixedSum
}

// lineSums collects an import's sums while it is parsed.
type lineSums map[lineKey]*lineSum

func (s lineSums) add(row int, c *Charge, am *rowAmounts) {
	k := keyOf(c)
	l := s[k]
	if l == nil {
		l = &lineSum{firstRow: row}
		s[k] = l
	}
	l.add(am)
}

func (l *lineSum) add(am *rowAmounts) {
	l.charges++
	l.qty.add(am.qty)
	l.list.add(am.list)
	l.billed.add(am.billed)
}

// lineIndex is lineSums.add for an import's parse workers: it finds a
// row's sum by its key's fields written into one byte string, which is
// one hash and one comparison. Looking up the lineKey itself hashed and
// compared 14 strings one by one, 5% of the import's CPU.
type lineIndex struct {
	sums  lineSums
	byKey map[string]*lineSum
	buf   []byte
}

func newLineIndex() *lineIndex {
	return &lineIndex{sums: lineSums{}, byKey: map[string]*lineSum{}}
}

// add is lineSums.add; rows must come in increasing order.
func (x *lineIndex) add(row int, c *Charge, am *rowAmounts) {
	k := keyOf(c)
	x.buf = k.appendTo(x.buf[:0])
	l := x.byKey[string(x.buf)]
	if l == nil {
		l = &lineSum{firstRow: row}
		x.byKey[string(x.buf)] = l
		x.sums[k] = l
	}
	l.add(am)
}

const insertLineSQL = `INSERT INTO import_lines(import_id, period, first_row, charges, pi_email, pi_name, project_id, fund_org,
  cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, unit, currency,
  quantity, list_cost, billed_cost, description) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

const insertLineSQLV5 = `INSERT INTO import_lines(import_id, period, first_row, charges, pi_email, pi_name, project_id, fund_org,
  cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category, unit, currency,
  quantity, list_cost, billed_cost) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

// write stores the sums of one import. v5 writes without the description,
// for SQLite's migration 5, which runs before the column exists (its
// charges have none).
func (s lineSums) write(tx *Tx, importID int64, period string, v5 bool) error {
	q := insertLineSQL
	if v5 {
		q = insertLineSQLV5
	}
	st, err := tx.Prepare(q)
	if err != nil {
		return err
	}
	defer st.Close()
	for k, l := range s {
		args := []any{importID, period, l.firstRow, l.charges, k.piEmail, k.piName, k.projectID, k.fundOrg,
			k.costCenter, k.accountCode, k.endDate, k.reconciliationEnd, k.ref1, k.ref2, k.serviceName, k.serviceCategory,
			k.unit, k.currency, l.qty.Decimal().String(), l.list.Decimal().String(), l.billed.Decimal().String()}
		if !v5 {
			args = append(args, k.description)
		}
		if _, err := st.Exec(args...); err != nil {
			return fmt.Errorf("import %d line sums: %w", importID, err)
		}
	}
	return nil
}

// linesSchema is migration 5's table and its guards.
const linesSchema = `
CREATE TABLE import_lines (
  import_id          INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  period             TEXT NOT NULL,
  first_row          INTEGER NOT NULL,
  charges            INTEGER NOT NULL,
  pi_email TEXT NOT NULL, pi_name TEXT NOT NULL, project_id TEXT NOT NULL, fund_org TEXT NOT NULL,
  cost_center TEXT NOT NULL, account_code TEXT NOT NULL, end_date TEXT NOT NULL, reconciliation_end TEXT NOT NULL,
  ref1 TEXT NOT NULL, ref2 TEXT NOT NULL, service_name TEXT NOT NULL, service_category TEXT NOT NULL,
  unit TEXT NOT NULL, currency TEXT NOT NULL,
  quantity TEXT NOT NULL, list_cost TEXT NOT NULL, billed_cost TEXT NOT NULL  -- exact decimal sums
);
CREATE INDEX import_lines_period ON import_lines(period);
`

const linesGuards = `
CREATE TRIGGER import_lines_no_update BEFORE UPDATE ON import_lines
  BEGIN SELECT RAISE(ABORT, 'imported rows are immutable facts'); END;
CREATE TRIGGER import_lines_open_insert BEFORE INSERT ON import_lines
  WHEN (SELECT state FROM periods WHERE period = NEW.period) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
CREATE TRIGGER import_lines_delete_open_only BEFORE DELETE ON import_lines
  WHEN (SELECT state FROM periods WHERE period = OLD.period) <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: charges cannot be removed'); END;
`

// migrateLines is migration 5: the sums of every existing import.
func migrateLines(tx *Tx) error {
	if _, err := tx.Exec(linesSchema); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT ` + chargeColumnsV5 + ` FROM charges c JOIN imports i ON i.id = c.import_id
		LEFT JOIN review r ON r.charge_id = c.id ORDER BY c.import_id, c.id`)
	if err != nil {
		return err
	}
	type imp struct {
		id     int64
		period string
		sums   lineSums
	}
	var imps []*imp
	var cur *imp
	row := 0
	var c Charge
	for rows.Next() {
		if err := scanCharge(rows, &c); err != nil {
			rows.Close()
			return err
		}
		if cur == nil || cur.id != c.ImportID {
			cur = &imp{id: c.ImportID, period: c.Period, sums: lineSums{}}
			imps = append(imps, cur)
			row = 0
		}
		cur.sums.add(row, &c, &rowAmounts{billed: amount{dec: c.BilledCost}, list: amount{dec: c.ListCost}, qty: amount{dec: c.Quantity}})
		row++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, im := range imps {
		if err := im.sums.write(tx, im.id, im.period, true); err != nil {
			return err
		}
	}
	_, err = tx.Exec(linesGuards)
	return err
}

// LineReader is the optional fast path of StatementReader: EachChargeSummed
// gives the period's charges as statements see them (rejected ones left
// out, review assignments applied), charges that agree on every field a
// statement reads merged into one with summed Quantity, ListCost and
// BilledCost, Count charges, and no ID, ResourceID or ResourceName.
// Ordered by PI e-mail.
type LineReader interface {
	EachChargeSummed(ctx context.Context, period string, fn func(*Charge) error) error
}

var _ LineReader = (*Ledger)(nil)

// EachChargeSummed implements LineReader from import_lines.
func (l *Ledger) EachChargeSummed(ctx context.Context, period string, fn func(*Charge) error) error {
	type aggKey struct {
		importID int64
		k        lineKey
	}
	type agg struct {
		c        Charge
		firstRow int
	}
	sums := map[aggKey]*agg{}
	rows, err := l.db.QueryContext(ctx, `SELECT s.import_id, i.source, s.first_row, s.charges, s.pi_email, s.pi_name, s.project_id, s.fund_org,
		s.cost_center, s.account_code, s.end_date, s.reconciliation_end, s.ref1, s.ref2, s.service_name, s.service_category,
		s.unit, s.currency, s.quantity, s.list_cost, s.billed_cost, s.description
		FROM import_lines s JOIN imports i ON i.id = s.import_id WHERE s.period = ?`, period)
	if err != nil {
		return fmt.Errorf("line sums of %s: %w", period, err)
	}
	for rows.Next() {
		a := &agg{}
		c := &a.c
		var qty, list, billed string
		if err := rows.Scan(&c.ImportID, &c.Source, &a.firstRow, &c.Count, &c.PIEmail, &c.PIName, &c.ProjectID, &c.FundOrg,
			&c.CostCenter, &c.AccountCode, &c.EndDate, &c.ReconciliationEnd, &c.Ref1, &c.Ref2, &c.ServiceName, &c.ServiceCategory,
			&c.Unit, &c.Currency, &qty, &list, &billed, &c.Description); err != nil {
			rows.Close()
			return err
		}
		c.Period = period
		var e1, e2, e3 error
		c.Quantity, e1 = decimal.NewFromString(qty)
		c.ListCost, e2 = decimal.NewFromString(list)
		c.BilledCost, e3 = decimal.NewFromString(billed)
		if e1 != nil || e2 != nil || e3 != nil {
			rows.Close()
			return fmt.Errorf("line sums of import %d: a stored sum is not a decimal", c.ImportID)
		}
		sums[aggKey{c.ImportID, keyOf(c)}] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// The charges review touched leave their line and come back one by one
	// (looked up by id from review and tag_overrides, both small: no scan of
	// the charges).
	ov, err := l.overrides(ctx, period)
	if err != nil {
		return err
	}
	var singles []Charge
	srows, err := l.db.QueryContext(ctx, touchedSQL, period, period)
	if err != nil {
		return fmt.Errorf("reviewed charges of %s: %w", period, err)
	}
	for srows.Next() {
		var c Charge
		if err := scanCharge(srows, &c); err != nil {
			srows.Close()
			return err
		}
		a := sums[aggKey{c.ImportID, keyOf(&c)}]
		if a == nil || a.c.Count == 0 {
			srows.Close()
			return fmt.Errorf("charge %d is in no line sum of import %d: the ledger's sums and charges disagree", c.ID, c.ImportID)
		}
		a.c.Count--
		a.c.Quantity = a.c.Quantity.Sub(c.Quantity)
		a.c.ListCost = a.c.ListCost.Sub(c.ListCost)
		a.c.BilledCost = a.c.BilledCost.Sub(c.BilledCost)
		if c.ReviewStatus == "rejected" {
			continue
		}
		for role, v := range ov[c.ID] {
			applyOverride(&c, role, v)
		}
		c.Count = 1
		singles = append(singles, c)
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return err
	}

	// By PI, then as imported: a sum at its first row, a single charge
	// after its import's sums (then by id).
	type entry struct {
		c        *Charge
		imp, row int64
	}
	out := make([]entry, 0, len(sums)+len(singles))
	for _, a := range sums {
		if a.c.Count > 0 {
			out = append(out, entry{&a.c, a.c.ImportID, int64(a.firstRow)})
		}
	}
	for i := range singles {
		out = append(out, entry{&singles[i], singles[i].ImportID, math.MaxInt64})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.c.PIEmail != b.c.PIEmail {
			return a.c.PIEmail < b.c.PIEmail
		}
		if a.imp != b.imp {
			return a.imp < b.imp
		}
		if a.row != b.row {
			return a.row < b.row
		}
		return a.c.ID < b.c.ID
	})
	for _, e := range out {
		if err := fn(e.c); err != nil {
			return err
		}
	}
	return nil
}
