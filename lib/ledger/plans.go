package ledger

import (
	"context"
	"strings"
)

// PeriodQuery is a query that reads one period's charges, in the ledger's
// SQL (the backend's DB rewrites it), with its arguments.
type PeriodQuery struct {
	Name string
	SQL  string
	Args []any
	// InOrder: a page in id order, read in that order and stopped at the
	// page, with no sort of the period's charges.
	InOrder bool
}

// PeriodQueries returns the queries the charge browser, the review queue,
// statements and adjustments run on one period's charges, for tests that
// check their plans: none may read every charge of the ledger (issue 30:
// a scan of every charge made the busiest pages grow with the ledger).
// Pages are of page charges (the web's are 100).
func (l *Ledger) PeriodQueries(period string, page int) ([]PeriodQuery, error) {
	var out []PeriodQuery
	var err error
	add := func(name, q string, args ...any) {
		out = append(out, PeriodQuery{Name: name, SQL: q, Args: args})
	}
	for _, f := range []struct {
		name string
		f    BrowseFilter
	}{
		{"charges", BrowseFilter{Limit: page}},
		{"charges, page 50", BrowseFilter{Limit: page, Offset: 49 * page}},
		{"charges, last page", BrowseFilter{Desc: true, Limit: page, Offset: 49 * page}},
		{"charges by billed", BrowseFilter{Sort: "billed", Desc: true, Limit: page}},
		{"charges by billed, page 50", BrowseFilter{Sort: "billed", Limit: page, Offset: 49 * page}},
		{"charges by PI", BrowseFilter{Sort: "pi", Limit: page}},
		{"charges by PI, descending, page 50", BrowseFilter{Sort: "pi", Desc: true, Limit: page, Offset: 49 * page}},
		{"charges of a service by billed", BrowseFilter{Service: "S", Sort: "billed", Desc: true, Limit: page}},
		{"charges of a PI by project", BrowseFilter{PI: "ada", Sort: "project", Limit: page}},
		{"charges of a PI", BrowseFilter{PI: "ada", Limit: page}},
		{"charges of a source and service", BrowseFilter{Source: "HPC", Service: "S", Limit: page}},
		{"charges, clean", BrowseFilter{Status: "clean", Limit: page}},
		{"review queue", BrowseFilter{Status: "pending", Limit: page}},
		{"charges, flag", BrowseFilter{Flag: "outlier", Limit: page}},
	} {
		f.f.Period = period
		f.f, err = l.withSpan(context.Background(), f.f)
		if err != nil {
			return nil, err
		}
		count, args, rows, rowArgs, err := f.f.sql()
		if err != nil {
			return nil, err
		}
		add(f.name+", count", count, args...)
		add(f.name, rows, rowArgs...)
		out[len(out)-1].InOrder = f.f.span != nil
	}
	add("statement charges", eachChargeSQL, period)
	add("charges review touched", touchedSQL, period, period)
	add("funds of a PI", chargeFundsSQL, RolePIEmail, RoleProjectID, RoleFundOrg, period, "ada@x.edu", "", "")
	return out, nil
}

// Explain returns the backend's plan of q as text: EXPLAIN QUERY PLAN's
// details on SQLite, one line each; EXPLAIN's lines on PostgreSQL.
func (l *Ledger) Explain(ctx context.Context, q PeriodQuery) (string, error) {
	prefix := "EXPLAIN "
	if l.d.Name == "sqlite" {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := l.db.QueryContext(ctx, prefix+q.SQL, q.Args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	vals := make([]any, len(cols))
	for rows.Next() {
		ptrs := make([]any, len(cols))
		for i := range ptrs {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		// The plan text is the last column (SQLite: id, parent, notused,
		// detail; PostgreSQL: QUERY PLAN).
		switch v := vals[len(vals)-1].(type) {
		case string:
			b.WriteString(v)
		case []byte:
			b.Write(v)
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}
