package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Adjust adds a manual amount (negative = credit) to a PI's statement in an
// open or closed period. Late usage or a correction for a finalized period
// goes into the next open period with ref naming the original.
func (l *Ledger) Adjust(ctx context.Context, a Actor, adj Adjustment) (int64, error) {
	ids, err := l.AdjustAll(ctx, a, "adjust", []Adjustment{adj})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// AdjustAll enters several adjustments in one transaction (all or none),
// each checked and audited as Adjust does, under the audit action given
// ("adjust", or "carry-credit" for a credit carried between periods).
func (l *Ledger) AdjustAll(ctx context.Context, a Actor, action string, adjs []Adjustment) ([]int64, error) {
	for i := range adjs {
		adj := &adjs[i]
		if err := ValidPeriod(adj.Period); err != nil {
			return nil, err
		}
		adj.PIEmail = strings.ToLower(strings.TrimSpace(adj.PIEmail))
		if adj.PIEmail == "" || !strings.Contains(adj.PIEmail, "@") {
			return nil, fmt.Errorf("--pi %q: want the PI's e-mail", adj.PIEmail)
		}
		if strings.TrimSpace(adj.Reason) == "" {
			return nil, errors.New("--reason is required: the PI reads it on the statement")
		}
		if adj.Amount.IsZero() {
			return nil, errors.New("--amount is zero")
		}
	}
	var ids []int64
	err := l.withTx(ctx, func(tx *Tx) error {
		ids = ids[:0]
		for _, adj := range adjs {
			id, err := l.adjustTx(tx, a, action, adj)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

func (l *Ledger) adjustTx(tx *Tx, a Actor, action string, adj Adjustment) (int64, error) {
	state, err := l.periodState(tx, adj.Period)
	if errors.Is(err, ErrNoPeriod) {
		if !adj.NewPeriod {
			return 0, noPeriodRefusal(tx, adj.Period)
		}
		if _, err := tx.Exec(`INSERT INTO periods(period) VALUES (?)`, adj.Period); err != nil {
			return 0, err
		}
		state = StateOpen
	} else if err != nil {
		return 0, err
	}
	if state == StateFinalized {
		return 0, refused("period %s is finalized: put the adjustment in the next open period with --ref \"%s ...\"", adj.Period, adj.Period)
	}
	if err := knownPI(tx, adj.PIEmail, adj.NewPI); err != nil {
		return 0, err
	}
	if adj.FundOrg = strings.TrimSpace(adj.FundOrg); adj.FundOrg == "" {
		if adj.FundOrg, err = adjustmentFund(tx, adj.Period, adj.PIEmail, adj.ProjectID); err != nil {
			return 0, err
		}
	} else if err := knownFund(tx, adj.FundOrg, adj.NewFund); err != nil {
		return 0, err
	}
	var voidOf, chargeID any
	after := map[string]string{"pi": adj.PIEmail, "amount": adj.Amount.String(), "project_id": adj.ProjectID, "fund_org": adj.FundOrg, "ref": adj.Ref}
	if adj.VoidOf != 0 {
		voidOf = adj.VoidOf
		after["void_of"] = fmt.Sprint(adj.VoidOf)
	}
	if adj.ChargeID != 0 {
		chargeID = adj.ChargeID
		after["charge"] = fmt.Sprint(adj.ChargeID)
	}
	id, err := tx.Insert(`INSERT INTO adjustments(period, pi_email, project_id, fund_org, amount, reason, ref, created_at, created_by, void_of, charge_id)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`, adj.Period, adj.PIEmail, adj.ProjectID, adj.FundOrg, adj.Amount.String(), adj.Reason, adj.Ref, l.stamp(), a.User, voidOf, chargeID)
	if err != nil {
		return 0, fmt.Errorf("adjustment for %s in %s: %w", adj.PIEmail, adj.Period, err)
	}
	return id, l.audit(tx, a, action, fmt.Sprintf("adjustment %d", id), adj.Period, nil, after, adj.Reason)
}

// noPeriodRefusal refuses an entry for a period the ledger does not have,
// naming the latest one it has: a mistyped period (2052-01) would otherwise
// become an open period of its own, and the dashboard's default.
func noPeriodRefusal(tx *Tx, period string) error {
	var latest string
	if err := tx.QueryRow(`SELECT coalesce(max(period), '') FROM periods`).Scan(&latest); err != nil {
		return fmt.Errorf("look up periods: %w", err)
	}
	have := "the ledger has no period yet"
	if latest != "" {
		have = "the latest is " + latest
	}
	return refused("period %s is not in the ledger (%s): check --period, or give --new-period to start it with this entry", period, have)
}

// Dispute is a PI's objection to a statement or a charge.
type Dispute struct {
	ID         int64
	Period     string
	PIEmail    string
	ChargeID   int64 // 0 = the whole statement
	Reason     string
	Status     string // open | resolved
	NewPI      bool   // accept a PI e-mail the ledger has never seen
	Note       string
	OpenedAt   string
	OpenedBy   string
	ResolvedAt string
	ResolvedBy string
	Line       string // the statement line a PI named (pidispute.go); "" = ChargeID or the whole statement
	Origin     string // cli, web or pi; "" for disputes recorded before origins were kept
}

// OpenDispute records a dispute; finalize is refused while it is open.
func (l *Ledger) OpenDispute(ctx context.Context, a Actor, d Dispute) (int64, error) {
	if err := ValidPeriod(d.Period); err != nil {
		return 0, err
	}
	d.PIEmail = strings.ToLower(strings.TrimSpace(d.PIEmail))
	if d.PIEmail == "" || strings.TrimSpace(d.Reason) == "" {
		return 0, errors.New("a dispute needs --pi and --reason")
	}
	var id int64
	err := l.withTx(ctx, func(tx *Tx) error {
		state, err := l.periodState(tx, d.Period)
		if err != nil {
			return err
		}
		if state == StateFinalized {
			return refused("period %s is finalized: a dispute about it is settled by an adjustment in the next open period", d.Period)
		}
		if err := knownPI(tx, d.PIEmail, d.NewPI); err != nil {
			return err
		}
		var charge any
		if d.ChargeID != 0 {
			var p, pi string
			if err := tx.QueryRow(`SELECT period, coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = 'pi_email'), c.pi_email)
				FROM charges c WHERE id = ?`, d.ChargeID).Scan(&p, &pi); err != nil || p != d.Period {
				return refused("charge %d is not in period %s", d.ChargeID, d.Period)
			}
			if pi != d.PIEmail {
				who := pi
				if who == "" {
					who = "no PI"
				}
				return refused("charge %d belongs to %s, not %s: check the charge id (`focus-load export --period %s`) or the --pi", d.ChargeID, who, d.PIEmail, d.Period)
			}
			charge = d.ChargeID
		}
		id, err = tx.Insert(`INSERT INTO disputes(period, pi_email, charge_id, reason, status, opened_at, opened_by, origin) VALUES (?,?,?,?,'open',?,?,?)`,
			d.Period, d.PIEmail, charge, d.Reason, l.stamp(), a.User, a.Origin)
		if err != nil {
			return err
		}
		return l.audit(tx, a, "dispute-open", fmt.Sprintf("dispute %d", id), d.Period, nil,
			map[string]any{"pi": d.PIEmail, "charge": d.ChargeID}, d.Reason)
	})
	return id, err
}

// ResolveDispute closes a dispute with a note.
func (l *Ledger) ResolveDispute(ctx context.Context, a Actor, id int64, note string) error {
	if strings.TrimSpace(note) == "" {
		return errors.New("--note is required: say how the dispute was settled")
	}
	return l.withTx(ctx, func(tx *Tx) error {
		var period, status string
		err := tx.QueryRow(`SELECT period, status FROM disputes WHERE id = ?`+l.d.LockPeriod, id).Scan(&period, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return refused("dispute %d does not exist", id)
		}
		if err != nil {
			return err
		}
		if status != "open" {
			return refused("dispute %d is already %s", id, status)
		}
		if _, err := tx.Exec(`UPDATE disputes SET status = 'resolved', note = ?, resolved_at = ?, resolved_by = ? WHERE id = ?`,
			note, l.stamp(), a.User, id); err != nil {
			return err
		}
		return l.audit(tx, a, "dispute-resolve", fmt.Sprintf("dispute %d", id), period,
			map[string]string{"status": "open"}, map[string]string{"status": "resolved"}, note)
	})
}

// Disputes lists disputes, of one period or all ("").
func (l *Ledger) Disputes(ctx context.Context, period string) ([]Dispute, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, period, pi_email, coalesce(charge_id,0), reason, status, note, opened_at, opened_by,
		coalesce(resolved_at,''), coalesce(resolved_by,''), line, origin FROM disputes WHERE ? = '' OR period = ? ORDER BY id`, period, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dispute
	for rows.Next() {
		var d Dispute
		if err := rows.Scan(&d.ID, &d.Period, &d.PIEmail, &d.ChargeID, &d.Reason, &d.Status, &d.Note, &d.OpenedAt, &d.OpenedBy, &d.ResolvedAt, &d.ResolvedBy, &d.Line, &d.Origin); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ParseAmount reads an exact decimal amount.
func ParseAmount(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return d, fmt.Errorf("amount %q is not a decimal number (e.g. -12.50)", s)
	}
	return d, nil
}
