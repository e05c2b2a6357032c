package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Period returns one period's state.
func (l *Ledger) Period(ctx context.Context, period string) (PeriodInfo, error) {
	row := l.db.QueryRowContext(ctx, `SELECT period, state, coalesce(closed_at,''), coalesce(finalized_at,'') FROM periods WHERE period = ?`, period)
	p, err := scanPeriod(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("period %s: %w", period, ErrNoPeriod)
	}
	return p, err
}

// Periods lists all periods, oldest first.
func (l *Ledger) Periods(ctx context.Context) ([]PeriodInfo, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT period, state, coalesce(closed_at,''), coalesce(finalized_at,'') FROM periods ORDER BY period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PeriodInfo
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanPeriod(s scanner) (PeriodInfo, error) {
	var p PeriodInfo
	var closed, final string
	if err := s.Scan(&p.Period, &p.State, &closed, &final); err != nil {
		return p, err
	}
	p.ClosedAt, _ = time.Parse(time.RFC3339, closed)
	p.FinalizedAt, _ = time.Parse(time.RFC3339, final)
	return p, nil
}

// overrides returns the assigned tag values of a period's charges.
func (l *Ledger) overrides(ctx context.Context, period string) (map[int64]map[string]string, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT charge_id, role, value FROM tag_overrides WHERE period = ?`, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[string]string{}
	for rows.Next() {
		var id int64
		var role, value string
		if err := rows.Scan(&id, &role, &value); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[string]string{}
		}
		out[id][role] = value
	}
	return out, rows.Err()
}

// applyOverride sets an assigned tag role on a charge.
func applyOverride(c *Charge, role, value string) {
	switch role {
	case RolePIEmail:
		c.PIEmail = value
	case RolePIName:
		c.PIName = value
	case RoleFundOrg:
		c.FundOrg = value
	case RoleProjectID:
		c.ProjectID = value
	case RoleCostCenter:
		c.CostCenter = value
	case RoleAccountCode:
		c.AccountCode = value
	case RoleEndDate:
		c.EndDate = value
	case RoleReconciliationEnd:
		c.ReconciliationEnd = value
	}
}

// chargeColumns selects a charge as its id, its import and one text of the
// string fields joined by U+001F. The SQLite backend's driver
// (mattn/go-sqlite3) makes several cgo calls a column; packing 22 columns
// into one cut EachCharge over 1M charges from about 7 s to about 2 s (the
// import strips U+001F from these fields).
const chargeColumnsV5 = `c.id, c.import_id, i.source || x'1f' || c.period || x'1f' || c.pi_email || x'1f' || c.pi_name || x'1f' ||
  c.project_id || x'1f' || c.fund_org || x'1f' || c.cost_center || x'1f' || c.account_code || x'1f' || c.end_date || x'1f' ||
  c.reconciliation_end || x'1f' || c.ref1 || x'1f' || c.ref2 || x'1f' || c.service_name || x'1f' || c.service_category || x'1f' ||
  c.resource_id || x'1f' || c.resource_name || x'1f' || c.quantity || x'1f' || c.unit || x'1f' || c.list_cost || x'1f' ||
  c.billed_cost || x'1f' || c.currency || x'1f' || coalesce(r.status, '')`

// chargeColumns is chargeColumnsV5 and the charge's description (migration
// 11). chargeColumnsV5 alone serves SQLite's migration 5, which runs on
// ledgers that have no description yet; unpackCharge reads both.
const chargeColumns = chargeColumnsV5 + ` || x'1f' || c.description`

const packedFields = 23

// periodCharges joins imports (i) to their charges (c) by each import's
// charge id range (imports.first_charge, last_charge): with a condition on
// i.period, a period's charges are read as one primary-key range an
// import, never by a scan of every charge in the ledger, which has no
// index on charges(period) (SQLite migration 14, PostgreSQL 10). On a year
// of 1M-charge months that scan made /charges and /review?period=P cost
// 2.1-2.7 s against 0.17-0.2 s on a ledger of one month (issue 30).
const periodCharges = ` imports i JOIN charges c ON c.id BETWEEN i.first_charge AND i.last_charge AND c.import_id = i.id `

func scanCharge(rows *sql.Rows, c *Charge) error {
	var packed string
	if err := rows.Scan(&c.ID, &c.ImportID, &packed); err != nil {
		return err
	}
	return unpackCharge(c.ID, packed, c)
}

func unpackCharge(id int64, packed string, c *Charge) error {
	f := strings.SplitN(packed, "\x1f", packedFields)
	if len(f) != packedFields && len(f) != packedFields-1 {
		return fmt.Errorf("charge %d: %d fields, want %d", id, len(f), packedFields)
	}
	if len(f) == packedFields {
		c.Description = f[22]
	}
	c.Source, c.Period, c.PIEmail, c.PIName, c.ProjectID, c.FundOrg = f[0], f[1], f[2], f[3], f[4], f[5]
	c.CostCenter, c.AccountCode, c.EndDate, c.ReconciliationEnd, c.Ref1, c.Ref2 = f[6], f[7], f[8], f[9], f[10], f[11]
	c.ServiceName, c.ServiceCategory, c.ResourceID, c.ResourceName = f[12], f[13], f[14], f[15]
	qty, list, billed := f[16], f[18], f[19]
	c.Unit, c.Currency, c.ReviewStatus = f[17], f[20], f[21]
	var err error
	c.Quantity = decimal.Zero
	if qty != "" {
		if c.Quantity, err = decimal.NewFromString(qty); err != nil {
			return fmt.Errorf("charge %d quantity: %w", c.ID, err)
		}
	}
	if c.ListCost, err = decimal.NewFromString(list); err != nil {
		return fmt.Errorf("charge %d list cost: %w", c.ID, err)
	}
	if c.BilledCost, err = decimal.NewFromString(billed); err != nil {
		return fmt.Errorf("charge %d billed cost: %w", c.ID, err)
	}
	return nil
}

const eachChargeSQL = `SELECT ` + chargeColumns + ` FROM` + periodCharges + `
	LEFT JOIN review r ON r.charge_id = c.id
	LEFT JOIN tag_overrides o ON o.charge_id = c.id AND o.role = 'pi_email'
	WHERE i.period = ? AND coalesce(r.status, '') <> 'rejected'
	ORDER BY coalesce(o.value, c.pi_email), c.id`

// touchedSQL reads the charges review touched in a period (decided or
// assigned) by id, from review and tag_overrides: both small and indexed
// by period, so no charges are scanned.
const touchedSQL = `SELECT ` + chargeColumns + ` FROM charges c
	JOIN imports i ON i.id = c.import_id
	LEFT JOIN review r ON r.charge_id = c.id
	WHERE c.id IN (SELECT charge_id FROM review WHERE period = ? UNION SELECT charge_id FROM tag_overrides WHERE period = ?)`

// EachCharge calls fn for each not rejected charge of the period, ordered
// by PI e-mail (the assigned one where review assigned a PI), then charge id.
func (l *Ledger) EachCharge(ctx context.Context, period string, fn func(*Charge) error) error {
	ov, err := l.overrides(ctx, period)
	if err != nil {
		return err
	}
	rows, err := l.db.QueryContext(ctx, eachChargeSQL, period)
	if err != nil {
		return err
	}
	defer rows.Close()
	var c Charge
	for rows.Next() {
		if err := scanCharge(rows, &c); err != nil {
			return err
		}
		for role, v := range ov[c.ID] {
			applyOverride(&c, role, v)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Adjustments lists the period's adjustments, ordered by PI, then id.
func (l *Ledger) Adjustments(ctx context.Context, period string) ([]Adjustment, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, period, pi_email, project_id, fund_org, amount, reason, ref, created_at, created_by,
		coalesce(void_of, 0), coalesce(charge_id, 0)
		FROM adjustments WHERE period = ? ORDER BY pi_email, id`, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Adjustment
	for rows.Next() {
		var a Adjustment
		var amount, at string
		if err := rows.Scan(&a.ID, &a.Period, &a.PIEmail, &a.ProjectID, &a.FundOrg, &amount, &a.Reason, &a.Ref, &at, &a.CreatedBy, &a.VoidOf, &a.ChargeID); err != nil {
			return nil, err
		}
		if a.Amount, err = decimal.NewFromString(amount); err != nil {
			return nil, fmt.Errorf("adjustment %d: %w", a.ID, err)
		}
		a.CreatedAt, _ = time.Parse(time.RFC3339, at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// MonthlyTotals sums list and billed cost per PI per period, from..to
// inclusive, from the line sums (EachChargeSummed): the chart's history
// reads a few thousand sums a month, not every charge.
func (l *Ledger) MonthlyTotals(ctx context.Context, from, to string) ([]MonthTotal, error) {
	ps, err := l.Periods(ctx)
	if err != nil {
		return nil, err
	}
	var out []MonthTotal
	for _, p := range ps {
		if p.Period < from || p.Period > to {
			continue
		}
		idx := map[string]int{}
		err := l.EachChargeSummed(ctx, p.Period, func(c *Charge) error {
			i, ok := idx[c.PIEmail]
			if !ok {
				i = len(out)
				idx[c.PIEmail] = i
				out = append(out, MonthTotal{Period: p.Period, PIEmail: c.PIEmail, ListCost: decimal.Zero, BilledCost: decimal.Zero})
			}
			out[i].ListCost = out[i].ListCost.Add(c.ListCost)
			out[i].BilledCost = out[i].BilledCost.Add(c.BilledCost)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
