package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// BrowseFilter selects charges for the web charge browser and review queue.
type BrowseFilter struct {
	Period, PI, Project, Service, Source, Flag string
	Status                                     string // "", pending, approved, rejected, clean (no review item)
	Sort                                       string // id|pi|project|service|source|list|billed
	Desc                                       bool
	Limit, Offset                              int // Limit 0 = all

	// span is the period's imports (of the source filtered on) and the
	// first and last of their charge ids, set by withSpan for a page in
	// id order.
	span *span
}

// BrowseRow is a charge with its review state (rejected charges included).
type BrowseRow struct {
	Charge
	Flags     string
	DecidedBy string
}

var browseSort = map[string]string{
	"": "c.id", "id": "c.id", "pi": "pi_email", "project": "project_id", "service": "c.service_name",
	"source": "i.source",
	// Ordering only: a REAL cast orders decimal text correctly enough to sort
	// by; no money is computed from it.
	"list": "CAST(c.list_cost AS REAL)", "billed": "CAST(c.billed_cost AS REAL)",
}

// span is the imports a page in id order reads and their charge ids.
type span struct {
	lo, hi  int64
	imports []int64
}

// where returns f's conditions. With a span, its imports stand for the
// period and the source.
func (f BrowseFilter) where() (string, []any, error) {
	conds := []string{"i.period = ?"}
	args := []any{f.Period}
	if f.span != nil {
		ids := make([]string, len(f.span.imports))
		for i, id := range f.span.imports {
			ids[i] = strconv.FormatInt(id, 10)
		}
		if len(ids) == 0 {
			ids = []string{"0"} // no import: no charge
		}
		conds, args = []string{"c.import_id IN (" + strings.Join(ids, ", ") + ")"}, nil
	}
	if f.Flag != "" || (f.Status != "" && f.Status != "clean") {
		// Only review items match: the period's ones are found by the
		// review_period index, not by reading the period's charges.
		conds = append(conds, "r.period = ?")
		args = append(args, f.Period)
	}
	like := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" LIKE ? ESCAPE '\\'")
			args = append(args, "%"+strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(v)+"%")
		}
	}
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" = ?")
			args = append(args, v)
		}
	}
	like("coalesce(op.value, c.pi_email)", strings.ToLower(f.PI))
	eq("coalesce(oj.value, c.project_id)", f.Project)
	eq("c.service_name", f.Service)
	if f.span == nil {
		eq("i.source", f.Source)
	}
	like("r.flags", f.Flag)
	switch f.Status {
	case "":
	case "clean":
		conds = append(conds, "r.charge_id IS NULL")
	case "pending", "approved", "rejected":
		eq("r.status", f.Status)
	default:
		return "", nil, fmt.Errorf("status %q: want pending, approved, rejected or clean", f.Status)
	}
	return strings.Join(conds, " AND "), args, nil
}

const browseFrom = ` FROM` + periodCharges + browseJoins

const browseJoins = `
	LEFT JOIN review r ON r.charge_id = c.id
	LEFT JOIN tag_overrides op ON op.charge_id = c.id AND op.role = 'pi_email'
	LEFT JOIN tag_overrides oj ON oj.charge_id = c.id AND oj.role = 'project_id' `

// BrowseCharges returns one page of matching charges and how many match.
func (l *Ledger) BrowseCharges(ctx context.Context, f BrowseFilter) ([]BrowseRow, int, error) {
	f, err := l.withSpan(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	count, args, _, _, err := f.sql()
	if err != nil {
		return nil, 0, err
	}
	var total int
	if f.fromLines() {
		total, _, _, _, err = l.lineTotals(ctx, f)
	} else {
		err = l.db.QueryRowContext(ctx, count, args...).Scan(&total)
	}
	if err != nil {
		return nil, 0, err
	}
	var out []BrowseRow
	err = l.EachBrowseRow(ctx, f, func(r *BrowseRow) error {
		out = append(out, *r)
		return nil
	})
	return out, total, err
}

// sql returns the queries of f: how many charges match, and the matching
// charges in order (one page of them when f.Limit is set).
func (f BrowseFilter) sql() (count string, args []any, rows string, rowArgs []any, err error) {
	all := f
	all.span = nil
	where, args, err := all.where()
	if err != nil {
		return "", nil, "", nil, err
	}
	rowArgs = args
	order, ok := browseSort[f.Sort]
	if !ok {
		return "", nil, "", nil, fmt.Errorf("sort %q: want one of id, pi, project, service, source, list, billed", f.Sort)
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	if order == "c.id" {
		// The period's imports in id order, each one's charges in id
		// order: charge id order (an import's charges have consecutive
		// ids, after those of every earlier import), read without sorting
		// the period's charges.
		order = "i.id"
	}
	const columns = `SELECT ` + chargeColumns + `, coalesce(r.flags, ''), coalesce(r.decided_by, ''),
		coalesce(op.value, c.pi_email) AS pi_email, coalesce(oj.value, c.project_id) AS project_id`
	count = `SELECT count(*)` + browseFrom + `WHERE ` + where
	page := fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	const pageRows = `
	JOIN charges c ON c.id = p.id JOIN imports i ON i.id = c.import_id
	LEFT JOIN review r ON r.charge_id = c.id
	LEFT JOIN tag_overrides op ON op.charge_id = c.id AND op.role = 'pi_email'
	LEFT JOIN tag_overrides oj ON oj.charge_id = c.id AND oj.role = 'project_id'
	ORDER BY p.k `
	switch {
	case f.Limit > 0 && order != "i.id":
		// One page in another order: the period's matching charges are
		// sorted as ids and keys only, and the page's hundred rows are
		// read after. Sorting whole rows built every row's columns first
		// (sort by billed cost on 100k charges: 36 ms of CPU against 20).
		key := map[string]string{"pi_email": "coalesce(op.value, c.pi_email)", "project_id": "coalesce(oj.value, c.project_id)"}[order]
		if key == "" {
			key = order
		}
		rows = columns + ` FROM (SELECT c.id AS id, ` + key + ` AS k` + browseFrom + `WHERE ` + where +
			` ORDER BY k ` + dir + `, c.id ` + dir + page + `) p` + pageRows + dir + `, c.id ` + dir
	case f.Limit > 0 && f.fromLines():
		// One page in id order: the charges are read in id order from
		// the first to the last charge of the period's imports and the
		// read stops at the page, on both backends (PostgreSQL cannot
		// tell that imports in id order, each one's charges in id order,
		// is id order, and sorted the period's first import whole: 0.55 s
		// for 300k charges). Other periods' charges between them (an
		// import into a period still open after the next one began) are
		// passed over. Not for review filters: there the review items
		// lead. CROSS JOIN keeps SQLite from reading charges per import.
		// A source filter spans that source's imports only (31 charges of
		// a source beside 1M of another: 0.2 s through the period's span).
		// The span and its imports are read first (withSpan) and given
		// as numbers, the imports for the period and the source: with
		// the span as subqueries PostgreSQL guessed a thousand charges in
		// it, hash-joined and sorted the period (0.2-0.47 s for page 50
		// of a 200k-charge month in a year, 16 ms alone), and with a
		// condition on imports it guessed a fraction of the span's
		// charges in the period and sorted for a page past that.
		if f.span == nil {
			return "", nil, "", nil, fmt.Errorf("browse %s: the period's charge span was not read", f.Period)
		}
		spanWhere, spanArgs, err := f.where()
		if err != nil {
			return "", nil, "", nil, err
		}
		rows = columns + ` FROM charges c CROSS JOIN imports i` + browseJoins +
			`WHERE c.id BETWEEN ? AND ? AND i.id = c.import_id AND ` + spanWhere + ` ORDER BY c.id ` + dir + page
		rowArgs = append([]any{f.span.lo, f.span.hi}, spanArgs...)
	case f.Limit > 0:
		rows = columns + browseFrom + `WHERE ` + where + ` ORDER BY ` + order + ` ` + dir + `, c.id ` + dir + page
	default:
		rows = columns + browseFrom + `WHERE ` + where + ` ORDER BY ` + order + ` ` + dir + `, c.id ` + dir
	}
	return count, args, rows, rowArgs, nil
}

// withSpan returns f with the first and last charge id of its period's
// imports (of its source, when it has one) when its page is read as a
// span of charge ids (sql): none, if they have no charges, is 1 to 0.
func (l *Ledger) withSpan(ctx context.Context, f BrowseFilter) (BrowseFilter, error) {
	if f.Limit <= 0 || !f.fromLines() || (f.Sort != "" && f.Sort != "id") {
		return f, nil
	}
	q, args := `SELECT id, first_charge, last_charge FROM imports WHERE period = ?`, []any{f.Period}
	if f.Source != "" {
		q, args = q+` AND source = ?`, append(args, f.Source)
	}
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	sp := &span{lo: 1, hi: 0}
	for rows.Next() {
		var id int64
		var lo, hi sql.NullInt64
		if err := rows.Scan(&id, &lo, &hi); err != nil {
			return f, err
		}
		sp.imports = append(sp.imports, id)
		if lo.Valid && hi.Valid {
			if sp.lo > sp.hi {
				sp.lo, sp.hi = lo.Int64, hi.Int64
			}
			sp.lo, sp.hi = min(sp.lo, lo.Int64), max(sp.hi, hi.Int64)
		}
	}
	f.span = sp
	return f, rows.Err()
}

// EachBrowseRow streams matching charges (the CSV download of a view).
func (l *Ledger) EachBrowseRow(ctx context.Context, f BrowseFilter, fn func(*BrowseRow) error) error {
	var err error
	if f.span == nil {
		if f, err = l.withSpan(ctx, f); err != nil {
			return err
		}
	}
	_, _, q, args, err := f.sql()
	if err != nil {
		return err
	}
	ov, err := l.overrides(ctx, f.Period)
	if err != nil {
		return err
	}
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r BrowseRow
	for rows.Next() {
		var packed, pi, proj string
		if err := rows.Scan(&r.ID, &r.ImportID, &packed, &r.Flags, &r.DecidedBy, &pi, &proj); err != nil {
			return err
		}
		if err := unpackCharge(r.ID, packed, &r.Charge); err != nil {
			return err
		}
		for role, v := range ov[r.ID] {
			applyOverride(&r.Charge, role, v)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// BrowseTotals sums the list and billed cost of the charges f matches (all
// of them, not one page) and returns the first currency. Without a flag or
// review-status filter (or with status "clean") it reads the import line
// sums and corrects them by the few charges review touched, so the charge
// browser's total costs milliseconds on a 1M-charge month instead of a
// pass over every charge; otherwise the matches are review items, and few.
func (l *Ledger) BrowseTotals(ctx context.Context, f BrowseFilter) (list, billed decimal.Decimal, currency string, err error) {
	if !f.fromLines() {
		f.Limit, f.Offset = 0, 0
		err = l.EachBrowseRow(ctx, f, func(r *BrowseRow) error {
			list, billed = list.Add(r.ListCost), billed.Add(r.BilledCost)
			if currency == "" {
				currency = r.Currency
			}
			return nil
		})
		return list, billed, currency, err
	}
	_, list, billed, currency, err = l.lineTotals(ctx, f)
	return list, billed, currency, err
}

// fromLines tells whether what f matches can be counted and summed from
// the line sums: filters on fields the sums keep (PI, project, service,
// source), not on review items.
func (f BrowseFilter) fromLines() bool {
	return f.Flag == "" && (f.Status == "" || f.Status == "clean")
}

// lineTotals counts and sums the charges f matches (f.fromLines) from the
// period's import line sums, corrected by the charges review touched: out
// as imported, back in as assigned (unless the filter wants clean charges
// only). A few thousand sums a month instead of every charge: the count
// of the charge browser took 15 ms of CPU per 100k charges.
func (l *Ledger) lineTotals(ctx context.Context, f BrowseFilter) (n int, list, billed decimal.Decimal, currency string, err error) {
	pi := strings.ToLower(f.PI)
	match := func(c *Charge) bool {
		return strings.Contains(strings.ToLower(c.PIEmail), pi) &&
			(f.Project == "" || c.ProjectID == f.Project) && (f.Service == "" || c.ServiceName == f.Service) &&
			(f.Source == "" || c.Source == f.Source)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT i.source, s.pi_email, s.project_id, s.service_name, s.currency, s.charges, s.list_cost, s.billed_cost
		FROM import_lines s JOIN imports i ON i.id = s.import_id WHERE s.period = ?`, f.Period)
	if err != nil {
		return 0, list, billed, "", err
	}
	for rows.Next() {
		var c Charge
		var k int
		var l, b string
		if err := rows.Scan(&c.Source, &c.PIEmail, &c.ProjectID, &c.ServiceName, &c.Currency, &k, &l, &b); err != nil {
			rows.Close()
			return 0, list, billed, "", err
		}
		if !match(&c) {
			continue
		}
		ld, err1 := decimal.NewFromString(l)
		bd, err2 := decimal.NewFromString(b)
		if err1 != nil || err2 != nil {
			rows.Close()
			return 0, list, billed, "", fmt.Errorf("line sums of %s: a stored sum is not a decimal", f.Period)
		}
		n += k
		list, billed = list.Add(ld), billed.Add(bd)
		if currency == "" {
			currency = c.Currency
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, list, billed, "", err
	}
	ov, err := l.overrides(ctx, f.Period)
	if err != nil {
		return 0, list, billed, "", err
	}
	srows, err := l.db.QueryContext(ctx, touchedSQL, f.Period, f.Period)
	if err != nil {
		return 0, list, billed, "", err
	}
	defer srows.Close()
	for srows.Next() {
		var c Charge
		if err := scanCharge(srows, &c); err != nil {
			return 0, list, billed, "", err
		}
		if match(&c) {
			n--
			list, billed = list.Sub(c.ListCost), billed.Sub(c.BilledCost)
		}
		if f.Status == "clean" && c.ReviewStatus != "" {
			continue
		}
		for role, v := range ov[c.ID] {
			applyOverride(&c, role, v)
		}
		if match(&c) {
			n++
			list, billed = list.Add(c.ListCost), billed.Add(c.BilledCost)
		}
	}
	return n, list, billed, currency, srows.Err()
}
