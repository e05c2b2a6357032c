package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// ImportOptions describe one import of one file.
type ImportOptions struct {
	Source   string // e.g. "AWS", "HPC"
	Period   string // YYYY-MM; "" = from the rows' BillingPeriodStart
	FileName string // for messages and the imports list
	Replace  bool   // replace the source's earlier import(s) for the period
	Tags     tagkeys.Keys
	Currency string // when BillingCurrency is absent; default USD
}

// ImportResult summarises an import.
type ImportResult struct {
	ImportID   int64
	Period     string
	State      string
	Rows       int
	Flagged    int
	ListCost   decimal.Decimal
	BilledCost decimal.Decimal
	NoOp       bool    // the same bytes were imported before
	Replaced   []int64 // import ids replaced
	SHA256     string
}

// Import reads one FOCUS file into the ledger in one transaction: either
// every row lands or none does. Rows with a non-empty x_Flags cell become
// pending review items.
func (l *Ledger) Import(ctx context.Context, a Actor, r io.Reader, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if strings.TrimSpace(opt.Source) == "" {
		return res, errors.New("import: --source is required (e.g. AWS, HPC)")
	}
	if opt.Currency == "" {
		opt.Currency = "USD"
	}
	if opt.FileName == "" {
		opt.FileName = "<stdin>"
	}
	if opt.Period != "" {
		if err := ValidPeriod(opt.Period); err != nil {
			return res, err
		}
	}
	h := sha256.New()
	fr, err := focus.NewReader(io.TeeReader(r, h), opt.FileName)
	if err != nil {
		return res, refused("import %s: %v", opt.FileName, err)
	}
	cols := columnsOf(fr)
	if cols.billed < 0 {
		return res, refused("import %s: no BilledCost column (run focus-validate first)", opt.FileName)
	}
	if opt.Period == "" && cols.periodStart < 0 {
		return res, refused("import %s: no BillingPeriodStart column: give --period YYYY-MM", opt.FileName)
	}
	header, _ := json.Marshal(fr.Header())

	// Rows are parsed and encoded in one goroutine and inserted in another,
	// in batches: parsing and SQLite's inserts each take about half the time,
	// so on two cores the import takes about as long as the slower one.
	batches := make(chan *rowBatch, 4)
	stop := make(chan struct{})
	var list, billed decimal.Decimal
	go func() {
		defer close(batches)
		list, billed = cols.produce(fr, &opt, batches, stop)
	}()
	defer func() {
		close(stop)
		for range batches {
		}
	}()

	err = l.withTx(ctx, func(tx *sql.Tx) error {
		var ins, review *sql.Stmt
		var importID int64
		var old []int64
		// A period that is not open refuses the import, unless these are the
		// same bytes imported before (a nightly re-run after close): then the
		// rest is read only to hash it.
		var notOpen error
		for batch := range batches {
			if batch.err != nil {
				return batch.err
			}
			if notOpen != nil {
				continue
			}
			if importID == 0 {
				if importID, old, err = l.beginImport(tx, a, opt, string(header)); err != nil {
					if !errors.As(err, new(*periodNotOpen)) {
						return err
					}
					notOpen = err
					continue
				}
				if ins, err = tx.Prepare(insertCharge); err != nil {
					return err
				}
				defer ins.Close()
				if review, err = tx.Prepare(`INSERT INTO review(charge_id, period, flags, status) VALUES (?,?,?,'pending')`); err != nil {
					return err
				}
				defer review.Close()
			}
			for i := range batch.rows {
				pr := &batch.rows[i]
				pr.args[0] = importID
				out, err := ins.Exec(pr.args[:]...)
				if err != nil {
					return fmt.Errorf("%s:%d: %w", opt.FileName, pr.line, err)
				}
				if pr.flags != "" {
					id, _ := out.LastInsertId()
					if _, err := review.Exec(id, opt.Period, pr.flags); err != nil {
						return err
					}
					res.Flagged++
				}
				res.Rows++
			}
		}
		// Drain what the CSV reader did not need so the hash covers every byte.
		if _, err := io.Copy(io.Discard, io.TeeReader(r, h)); err != nil {
			return fmt.Errorf("read %s: %w", opt.FileName, err)
		}
		res.SHA256 = hex.EncodeToString(h.Sum(nil))
		if notOpen != nil {
			var prior int64
			if tx.QueryRow(`SELECT id FROM imports WHERE period = ? AND source = ? AND sha256 = ?`, opt.Period, opt.Source, res.SHA256).Scan(&prior) == nil {
				res.NoOp, res.ImportID = true, prior
				return errNoOp
			}
			return notOpen
		}
		if importID == 0 {
			return refused("import %s: no rows", opt.FileName)
		}
		var prior int64
		err := tx.QueryRow(`SELECT id FROM imports WHERE period = ? AND source = ? AND sha256 = ?`, opt.Period, opt.Source, res.SHA256).Scan(&prior)
		if err == nil {
			res.NoOp, res.ImportID = true, prior
			return errNoOp
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var otherSource string
		if tx.QueryRow(`SELECT id, source FROM imports WHERE period = ? AND sha256 = ? AND id <> ?`, opt.Period, res.SHA256, importID).Scan(&prior, &otherSource) == nil {
			return refused("%s: the same bytes were imported as source %s (import %d): importing them as %s too would bill every row twice", opt.FileName, otherSource, prior, opt.Source)
		}
		if len(old) > 0 {
			if !opt.Replace {
				return refused("source %s already has import %d for period %s with different content: use --replace to replace it (or `focus-load remove %d`)", opt.Source, old[0], opt.Period, old[0])
			}
			for _, o := range old {
				if _, err := tx.Exec(`DELETE FROM imports WHERE id = ?`, o); err != nil {
					return fmt.Errorf("replace import %d: %w", o, err)
				}
			}
			res.Replaced = old
		}
		res.ListCost, res.BilledCost = list, billed // the producer has finished: batches is closed
		res.ImportID, res.Period, res.State = importID, opt.Period, StateOpen
		if _, err := tx.Exec(`UPDATE imports SET sha256 = ?, rows = ?, flagged = ?, list_total = ?, billed_total = ? WHERE id = ?`,
			res.SHA256, res.Rows, res.Flagged, list.String(), billed.String(), importID); err != nil {
			return err
		}
		return l.audit(tx, a, "import", fmt.Sprintf("import %d", importID), opt.Period, nil,
			map[string]any{"source": opt.Source, "file": opt.FileName, "sha256": res.SHA256, "rows": res.Rows,
				"flagged": res.Flagged, "list_cost": list.String(), "billed_cost": billed.String(), "replaced": res.Replaced}, "")
	})
	if errors.Is(err, errNoOp) {
		res.Period = opt.Period
		res.Rows, res.Flagged, res.Replaced = 0, 0, nil
		return res, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

var errNoOp = errors.New("no-op")

// beginImport checks the period's state, opening a new period on its first
// import, and inserts the import record (its hash and totals are set at the
// end). It returns the source's earlier imports for the period.
func (l *Ledger) beginImport(tx *sql.Tx, a Actor, opt ImportOptions, header string) (int64, []int64, error) {
	state, err := l.periodState(tx, opt.Period)
	if errors.Is(err, ErrNoPeriod) {
		if _, err := tx.Exec(`INSERT INTO periods(period) VALUES (?)`, opt.Period); err != nil {
			return 0, nil, err
		}
		if err := l.audit(tx, a, "period-open", "period "+opt.Period, opt.Period, nil, map[string]string{"state": StateOpen}, "first import"); err != nil {
			return 0, nil, err
		}
		state = StateOpen
	} else if err != nil {
		return 0, nil, err
	}
	switch state {
	case StateClosed:
		return 0, nil, periodRefusal("period %s is closed: imports are refused (reopen it with `focus-load periods reopen %s` first)", opt.Period, opt.Period)
	case StateFinalized:
		return 0, nil, periodRefusal("period %s is finalized: it cannot change; record late usage or corrections as an adjustment in the next open period (`focus-load adjust --period NEXT --pi EMAIL --amount X --reason ... --ref \"%s ...\"`)", opt.Period, opt.Period)
	}
	rows, err := tx.Query(`SELECT id FROM imports WHERE period = ? AND source = ? ORDER BY id`, opt.Period, opt.Source)
	if err != nil {
		return 0, nil, err
	}
	var old []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, nil, err
		}
		old = append(old, id)
	}
	rows.Close()
	out, err := tx.Exec(`INSERT INTO imports(period, source, file_name, sha256, header, rows, flagged, list_total, billed_total, imported_at, imported_by)
		VALUES (?,?,?,'pending',?,0,0,'0','0',?,?)`, opt.Period, opt.Source, opt.FileName, header, l.stamp(), a.User)
	if err != nil {
		return 0, nil, err
	}
	id, _ := out.LastInsertId()
	return id, old, nil
}

// periodNotOpen is the refusal of an import into a closed or finalized period.
type periodNotOpen struct{ RefusedError }

func (p *periodNotOpen) Unwrap() error { return &p.RefusedError }

func periodRefusal(format string, a ...any) error {
	return &periodNotOpen{RefusedError{fmt.Sprintf(format, a...)}}
}

type preparedRow struct {
	line  int
	flags string
	args  [23]any // insertCharge's arguments; args[0], the import id, is set by the inserter
}

type rowBatch struct {
	rows []preparedRow
	err  error
}

const batchSize = 512

// produce reads, checks and encodes rows into batches. It settles
// opt.Period from the first row when it is not given; the inserter reads it
// only after the first batch arrives. It returns the exact list and billed sums.
func (c columns) produce(fr *focus.Reader, opt *ImportOptions, out chan<- *rowBatch, stop <-chan struct{}) (list, billed decimal.Decimal) {
	send := func(b *rowBatch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	fail := func(err error) { send(&rowBatch{err: err}) }
	var rec bytes.Buffer
	cw := csv.NewWriter(&rec)
	batch := &rowBatch{rows: make([]preparedRow, 0, batchSize)}
	for {
		row, err := fr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(refused("import refused, nothing loaded: %v (run focus-validate first)", err))
			return
		}
		v := row.Values
		if c.periodStart >= 0 && v[c.periodStart] != "" {
			p := periodOf(v[c.periodStart])
			if opt.Period == "" {
				if err := ValidPeriod(p); err != nil {
					fail(refused("%s:%d: BillingPeriodStart: %v", opt.FileName, row.Line, err))
					return
				}
				opt.Period = p
			} else if p != opt.Period {
				fail(refused("%s:%d: BillingPeriodStart: row is in period %s, the import is for %s; import each period's rows separately", opt.FileName, row.Line, p, opt.Period))
				return
			}
		}
		if opt.Period == "" {
			fail(refused("%s:%d: BillingPeriodStart is empty: give --period YYYY-MM", opt.FileName, row.Line))
			return
		}
		ch, flags, err := c.extract(v, *opt)
		if err != nil {
			fail(refused("%s:%d: %v (run focus-validate first)", opt.FileName, row.Line, err))
			return
		}
		list = list.Add(ch.ListCost)
		billed = billed.Add(ch.BilledCost)
		rec.Reset()
		cw.Write(v)
		cw.Flush()
		record := rec.String()
		batch.rows = append(batch.rows, preparedRow{line: row.Line, flags: flags, args: [23]any{
			nil, opt.Period, row.Line, record[:len(record)-1],
			ch.PIEmail, ch.PIName, ch.ProjectID, ch.FundOrg, ch.CostCenter, ch.AccountCode, ch.EndDate, ch.ReconciliationEnd,
			ch.Ref1, ch.Ref2, ch.ServiceName, ch.ServiceCategory, ch.ResourceID, ch.ResourceName,
			decString(ch.Quantity, c.quantity >= 0 && v[c.quantity] != ""), ch.Unit,
			ch.ListCost.String(), ch.BilledCost.String(), ch.Currency,
		}})
		if len(batch.rows) == batchSize {
			if !send(batch) {
				return
			}
			batch = &rowBatch{rows: make([]preparedRow, 0, batchSize)}
		}
	}
	if len(batch.rows) > 0 {
		send(batch)
	}
	return
}

const insertCharge = `INSERT INTO charges(import_id, period, line, record, pi_email, pi_name, project_id, fund_org,
  cost_center, account_code, end_date, reconciliation_end, ref1, ref2, service_name, service_category,
  resource_id, resource_name, quantity, unit, list_cost, billed_cost, currency)
  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

func decString(d decimal.Decimal, present bool) string {
	if !present {
		return ""
	}
	return d.String()
}

// periodOf returns YYYY-MM of a FOCUS date or date-time.
func periodOf(s string) string {
	if len(s) >= 7 {
		return s[:7]
	}
	return s
}

type columns struct {
	billed, list, periodStart, service, category, resID, resName, quantity, unit, currency, tags, flags int
}

func columnsOf(r *focus.Reader) columns {
	return columns{
		billed: r.Index("BilledCost"), list: r.Index("ListCost"), periodStart: r.Index("BillingPeriodStart"),
		service: r.Index("ServiceName"), category: r.Index("ServiceCategory"), resID: r.Index("ResourceId"),
		resName: r.Index("ResourceName"), quantity: r.Index("ConsumedQuantity"), unit: r.Index("ConsumedUnit"),
		currency: r.Index("BillingCurrency"), tags: r.Index("Tags"), flags: r.Index("x_Flags"),
	}
}

func cell(v []string, i int) string {
	if i < 0 {
		return ""
	}
	return v[i]
}

// field drops U+001F, the separator of the packed read (see chargeColumns),
// from a value stored in an extracted column; the record keeps it.
func field(s string) string {
	if strings.IndexByte(s, 0x1f) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x1f", "")
}

func (c columns) extract(v []string, opt ImportOptions) (Charge, string, error) {
	var ch Charge
	var err error
	if ch.BilledCost, err = decimal.NewFromString(v[c.billed]); err != nil {
		return ch, "", fmt.Errorf("BilledCost: %q is not a decimal", v[c.billed])
	}
	if s := cell(v, c.list); s != "" {
		if ch.ListCost, err = decimal.NewFromString(s); err != nil {
			return ch, "", fmt.Errorf("ListCost: %q is not a decimal", s)
		}
	} else {
		ch.ListCost = ch.BilledCost // no list price: no discount shown (focus-flag flags it)
	}
	if s := cell(v, c.quantity); s != "" {
		if ch.Quantity, err = decimal.NewFromString(s); err != nil {
			return ch, "", fmt.Errorf("ConsumedQuantity: %q is not a decimal", s)
		}
	}
	tags, err := focus.ParseTags(cell(v, c.tags))
	if err != nil {
		return ch, "", err
	}
	for k, val := range tags {
		tags[k] = field(val)
	}
	k := opt.Tags
	ch.PIEmail = strings.ToLower(strings.TrimSpace(tags[k.PIEmail]))
	ch.PIName = tags[k.PIName]
	ch.ProjectID = tags[k.ProjectID]
	ch.FundOrg = tags[k.FundOrg]
	ch.CostCenter = tags[k.CostCenter]
	ch.AccountCode = tags[k.AccountCode]
	ch.EndDate = tags[k.EndDate]
	ch.ReconciliationEnd = tags[k.ReconciliationEnd]
	if k.Ref1 != "" {
		ch.Ref1 = tags[k.Ref1]
	}
	if k.Ref2 != "" {
		ch.Ref2 = tags[k.Ref2]
	}
	ch.ServiceName = field(cell(v, c.service))
	ch.ServiceCategory = field(cell(v, c.category))
	ch.ResourceID = field(cell(v, c.resID))
	ch.ResourceName = field(cell(v, c.resName))
	ch.Unit = field(cell(v, c.unit))
	ch.Currency = field(cell(v, c.currency))
	if ch.Currency == "" {
		ch.Currency = opt.Currency
	}
	return ch, strings.TrimSpace(cell(v, c.flags)), nil
}
