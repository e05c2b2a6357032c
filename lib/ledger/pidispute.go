package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// OriginPI is the audit origin of a change a PI made from their statement
// page (a link from the draft e-mail, no account): today only a dispute.
const OriginPI = "pi"

// Limits of a dispute a PI files from their statement page.
const (
	MaxPIReason       = 2000 // characters of a PI's reason
	MaxPILine         = 500  // characters of the line key text
	MaxPIOpenDisputes = 20   // open disputes one PI may have in one period
)

// PIDispute is a dispute a PI files on their own draft statement. A
// statement line sums several charges (same source, service, project,
// fund, unit …), so a PI names a line, not a charge: Line is the line's key
// text as the statement shows it (statement.LineKey), "" for the whole
// statement. The web checks that the line is on the PI's statement before
// it gets here; the ledger checks the PI is billed in the period.
type PIDispute struct {
	Period, PIEmail, Line, Reason string
}

// OpenPIDispute records a PI's dispute with origin "pi", the PI's e-mail as
// who, and the line it names; it is audited like any dispute
// ("dispute-open"), and finalize waits for it like any open dispute.
func (l *Ledger) OpenPIDispute(ctx context.Context, d PIDispute) (int64, error) {
	if err := ValidPeriod(d.Period); err != nil {
		return 0, err
	}
	d.PIEmail = strings.ToLower(strings.TrimSpace(d.PIEmail))
	d.Reason = strings.TrimSpace(d.Reason)
	d.Line = strings.TrimSpace(d.Line)
	switch {
	case d.PIEmail == "" || !strings.Contains(d.PIEmail, "@"):
		return 0, errors.New("a PI dispute needs the PI's e-mail")
	case d.Reason == "":
		return 0, refused("say what is wrong: the reason is empty")
	case utf8.RuneCountInString(d.Reason) > MaxPIReason:
		return 0, refused("the reason is longer than %d characters", MaxPIReason)
	case utf8.RuneCountInString(d.Line) > MaxPILine || !utf8.ValidString(d.Line+d.Reason):
		return 0, refused("the line named is not a statement line")
	}
	a := Actor{User: d.PIEmail, Origin: OriginPI}
	var id int64
	err := l.withTx(ctx, func(tx *Tx) error {
		state, err := l.periodState(tx, d.Period)
		if err != nil {
			return err
		}
		if state == StateFinalized {
			return refused("period %s is finalized: disputes are closed", d.Period)
		}
		var known int
		if err := tx.QueryRow(`SELECT CASE WHEN EXISTS(SELECT 1 FROM import_lines WHERE period = ? AND lower(pi_email) = ?)
			OR EXISTS(SELECT 1 FROM tag_overrides WHERE period = ? AND role = 'pi_email' AND lower(value) = ?)
			OR EXISTS(SELECT 1 FROM adjustments WHERE period = ? AND pi_email = ?) THEN 1 ELSE 0 END`,
			d.Period, d.PIEmail, d.Period, d.PIEmail, d.Period, d.PIEmail).Scan(&known); err != nil {
			return err
		}
		if known == 0 {
			return refused("%s has no statement in %s", d.PIEmail, d.Period)
		}
		var open int
		if err := tx.QueryRow(`SELECT count(*) FROM disputes WHERE period = ? AND pi_email = ? AND status = 'open'`,
			d.Period, d.PIEmail).Scan(&open); err != nil {
			return err
		}
		if open >= MaxPIOpenDisputes {
			return refused("%d disputes are already open on this statement: wait for the reviewers' answers", open)
		}
		id, err = tx.Insert(`INSERT INTO disputes(period, pi_email, charge_id, reason, status, opened_at, opened_by, line, origin)
			VALUES (?,?,NULL,?,'open',?,?,?,?)`, d.Period, d.PIEmail, d.Reason, l.stamp(), d.PIEmail, d.Line, OriginPI)
		if err != nil {
			return err
		}
		return l.audit(tx, a, "dispute-open", fmt.Sprintf("dispute %d", id), d.Period, nil,
			map[string]any{"pi": d.PIEmail, "line": d.Line}, d.Reason)
	})
	return id, err
}

// Dispute returns one dispute by id.
func (l *Ledger) Dispute(ctx context.Context, id int64) (Dispute, error) {
	var p string
	if err := l.db.QueryRowContext(ctx, `SELECT period FROM disputes WHERE id = ?`, id).Scan(&p); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Dispute{}, refused("dispute %d does not exist", id)
		}
		return Dispute{}, err
	}
	ds, err := l.Disputes(ctx, p)
	if err != nil {
		return Dispute{}, err
	}
	for _, d := range ds {
		if d.ID == id {
			return d, nil
		}
	}
	return Dispute{}, refused("dispute %d does not exist", id)
}
