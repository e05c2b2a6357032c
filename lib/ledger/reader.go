package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

const chargeColumns = `c.id, c.import_id, i.source, c.period, c.pi_email, c.pi_name, c.project_id, c.fund_org,
  c.cost_center, c.account_code, c.end_date, c.reconciliation_end, c.ref1, c.ref2, c.service_name,
  c.service_category, c.resource_id, c.resource_name, c.quantity, c.unit, c.list_cost, c.billed_cost,
  c.currency, coalesce(r.status, '')`

func scanCharge(rows *sql.Rows, c *Charge) error {
	var qty, list, billed string
	if err := rows.Scan(&c.ID, &c.ImportID, &c.Source, &c.Period, &c.PIEmail, &c.PIName, &c.ProjectID, &c.FundOrg,
		&c.CostCenter, &c.AccountCode, &c.EndDate, &c.ReconciliationEnd, &c.Ref1, &c.Ref2, &c.ServiceName,
		&c.ServiceCategory, &c.ResourceID, &c.ResourceName, &qty, &c.Unit, &list, &billed, &c.Currency, &c.ReviewStatus); err != nil {
		return err
	}
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

// EachCharge calls fn for each not rejected charge of the period, ordered
// by PI e-mail (the assigned one where review assigned a PI), then charge id.
func (l *Ledger) EachCharge(ctx context.Context, period string, fn func(*Charge) error) error {
	ov, err := l.overrides(ctx, period)
	if err != nil {
		return err
	}
	rows, err := l.db.QueryContext(ctx, `SELECT `+chargeColumns+` FROM charges c
		JOIN imports i ON i.id = c.import_id
		LEFT JOIN review r ON r.charge_id = c.id
		LEFT JOIN tag_overrides o ON o.charge_id = c.id AND o.role = 'pi_email'
		WHERE c.period = ? AND coalesce(r.status, '') <> 'rejected'
		ORDER BY coalesce(o.value, c.pi_email), c.id`, period)
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
	rows, err := l.db.QueryContext(ctx, `SELECT id, period, pi_email, project_id, fund_org, amount, reason, ref, created_at, created_by
		FROM adjustments WHERE period = ? ORDER BY pi_email, id`, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Adjustment
	for rows.Next() {
		var a Adjustment
		var amount, at string
		if err := rows.Scan(&a.ID, &a.Period, &a.PIEmail, &a.ProjectID, &a.FundOrg, &amount, &a.Reason, &a.Ref, &at, &a.CreatedBy); err != nil {
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

// MonthlyTotals sums list and billed cost per PI per period, from..to inclusive.
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
		err := l.EachCharge(ctx, p.Period, func(c *Charge) error {
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
