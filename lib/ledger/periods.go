package ledger

import (
	"context"
	"fmt"
	"strings"
)

// ClosePeriod moves an open period to closed: no more imports; review,
// adjustments and disputes go on.
func (l *Ledger) ClosePeriod(ctx context.Context, a Actor, period string) error {
	return l.transition(ctx, a, period, StateOpen, StateClosed, "close")
}

// ReopenPeriod moves a closed period back to open.
func (l *Ledger) ReopenPeriod(ctx context.Context, a Actor, period string) error {
	return l.transition(ctx, a, period, StateClosed, StateOpen, "reopen")
}

// FinalizePeriod makes a closed period permanent. It is refused while
// review items are pending or disputes are open; the message lists them.
func (l *Ledger) FinalizePeriod(ctx context.Context, a Actor, period string) error {
	return l.transition(ctx, a, period, StateClosed, StateFinalized, "finalize")
}

func (l *Ledger) transition(ctx context.Context, a Actor, period, from, to, action string) error {
	return l.withTx(ctx, func(tx *Tx) error {
		state, err := l.periodState(tx, period)
		if err != nil {
			return err
		}
		if state != from {
			hint := ""
			switch {
			case state == StateFinalized:
				hint = ": it is finalized and cannot change"
			case action == "finalize" && state == StateOpen:
				hint = fmt.Sprintf(": close it first (`focus-load periods close %s`)", period)
			}
			return refused("cannot %s period %s: it is %s, not %s%s", action, period, state, from, hint)
		}
		if to == StateFinalized {
			if msg, err := blockers(tx, period); err != nil {
				return err
			} else if msg != "" {
				return refused("cannot finalize period %s:\n%s", period, msg)
			}
		}
		now := l.stamp()
		switch to {
		case StateClosed:
			_, err = tx.Exec(`UPDATE periods SET state = ?, closed_at = ? WHERE period = ?`, to, now, period)
		case StateOpen:
			_, err = tx.Exec(`UPDATE periods SET state = ?, closed_at = NULL WHERE period = ?`, to, period)
		case StateFinalized:
			_, err = tx.Exec(`UPDATE periods SET state = ?, finalized_at = ? WHERE period = ?`, to, now, period)
		}
		if err != nil {
			return err
		}
		return l.audit(tx, a, "period-"+action, "period "+period, period, map[string]string{"state": from}, map[string]string{"state": to}, "")
	})
}

// blockers lists pending review items and open disputes of a period.
func blockers(tx *Tx, period string) (string, error) {
	var b strings.Builder
	rows, err := tx.Query(`SELECT r.charge_id, r.flags, c.resource_id FROM review r JOIN charges c ON c.id = r.charge_id
		WHERE r.period = ? AND r.status = 'pending' ORDER BY r.charge_id`, period)
	if err != nil {
		return "", err
	}
	n := 0
	for rows.Next() {
		var id int64
		var flags, res string
		rows.Scan(&id, &flags, &res)
		if n < 20 {
			fmt.Fprintf(&b, "  review item %d pending (%s) resource %s\n", id, flags, res)
		}
		n++
	}
	rows.Close()
	if n > 20 {
		fmt.Fprintf(&b, "  … and %d more pending review items\n", n-20)
	}
	if n > 0 {
		fmt.Fprintf(&b, "  approve, reject or assign them: `focus-load review list --period %s --status pending`\n", period)
	}
	rows, err = tx.Query(`SELECT id, pi_email, reason FROM disputes WHERE period = ? AND status = 'open' ORDER BY id`, period)
	if err != nil {
		return "", err
	}
	d := 0
	for rows.Next() {
		var id int64
		var pi, reason string
		rows.Scan(&id, &pi, &reason)
		fmt.Fprintf(&b, "  dispute %d open (%s: %s)\n", id, pi, reason)
		d++
	}
	rows.Close()
	if d > 0 {
		fmt.Fprintf(&b, "  resolve them: `focus-load dispute resolve --note TEXT ID`\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}
