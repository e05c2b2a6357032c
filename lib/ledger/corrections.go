package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/flag"
)

// Correcting entries (issue 26): the past is never edited. A mistake is
// undone by entries in a period that is not finalized, each naming what
// it corrects, so a finalized statement stays what was sent and the
// period that receives the entries still adds up.

// RemovePeriod removes an open period that holds nothing: no import, no
// adjustment and no dispute (a period started by mistake, e.g. by a
// mistyped `adjust --period`). The removal is audited.
func (l *Ledger) RemovePeriod(ctx context.Context, a Actor, period string) error {
	if err := ValidPeriod(period); err != nil {
		return err
	}
	return l.withTx(ctx, func(tx *Tx) error {
		state, err := l.periodState(tx, period)
		if errors.Is(err, ErrNoPeriod) {
			return noPeriodRefusal(tx, period)
		}
		if err != nil {
			return err
		}
		if state != StateOpen {
			return refused("cannot remove period %s: it is %s; only an open period that holds nothing can be removed", period, state)
		}
		var imports, adjustments, disputes int
		if err := tx.QueryRow(`SELECT (SELECT count(*) FROM imports WHERE period = ?1), (SELECT count(*) FROM adjustments WHERE period = ?1),
			(SELECT count(*) FROM disputes WHERE period = ?1)`, period).Scan(&imports, &adjustments, &disputes); err != nil {
			return fmt.Errorf("remove period %s: %w", period, err)
		}
		var held []string
		if imports > 0 {
			held = append(held, fmt.Sprintf("%d import(s): `focus-load remove ID` (see `focus-load imports --period %s`)", imports, period))
		}
		if adjustments > 0 {
			held = append(held, fmt.Sprintf("%d adjustment(s), which are never deleted (a mistaken one is undone by `focus-load adjust void ID`, and the period stays)", adjustments))
		}
		if disputes > 0 {
			held = append(held, fmt.Sprintf("%d dispute(s) (`focus-load dispute list`)", disputes))
		}
		if len(held) > 0 {
			return refused("cannot remove period %s: it holds %s", period, strings.Join(held, "; "))
		}
		if _, err := tx.Exec(`DELETE FROM periods WHERE period = ?`, period); err != nil {
			return fmt.Errorf("remove period %s: %w", period, err)
		}
		return l.audit(tx, a, "period-remove", "period "+period, period, map[string]string{"state": state}, nil, "")
	})
}

// VoidAdjustment posts the reversing entry of adjustment id: the same PI,
// project and fund, the opposite amount, linked to it (void_of) and
// audited as "adjust-void". It goes into the original's period while that
// is not finalized, else into `into` (or, when "", the one open period
// after it). An adjustment is voided at most once, and a void is not voided:
// enter a new adjustment instead. It returns the void's id and period.
func (l *Ledger) VoidAdjustment(ctx context.Context, a Actor, id int64, into, reason string) (int64, string, error) {
	if into != "" {
		if err := ValidPeriod(into); err != nil {
			return 0, "", err
		}
	}
	var voidID int64
	var period string
	err := l.withTx(ctx, func(tx *Tx) error {
		var orig Adjustment
		var amount string
		err := tx.QueryRow(`SELECT period, pi_email, project_id, fund_org, amount, reason, coalesce(void_of, 0) FROM adjustments WHERE id = ?`, id).
			Scan(&orig.Period, &orig.PIEmail, &orig.ProjectID, &orig.FundOrg, &amount, &orig.Reason, &orig.VoidOf)
		if errors.Is(err, sql.ErrNoRows) {
			return refused("adjustment %d does not exist (see the adjustments page or `focus-load audit`)", id)
		}
		if err != nil {
			return fmt.Errorf("void adjustment %d: %w", id, err)
		}
		if orig.VoidOf != 0 {
			return refused("adjustment %d is itself the void of adjustment %d: enter a new adjustment (`focus-load adjust`) instead of voiding a void", id, orig.VoidOf)
		}
		var by int64
		err = tx.QueryRow(`SELECT id FROM adjustments WHERE void_of = ?`, id).Scan(&by)
		if err == nil {
			return refused("adjustment %d is already voided by adjustment %d", id, by)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("void adjustment %d: %w", id, err)
		}
		if orig.Amount, err = decimal.NewFromString(amount); err != nil {
			return fmt.Errorf("adjustment %d: %w", id, err)
		}
		period = into
		if period == "" {
			state, err := l.periodState(tx, orig.Period)
			if err != nil {
				return err
			}
			if state != StateFinalized {
				period = orig.Period
			} else if period, err = openPeriodAfter(tx, orig.Period, "adjustment "+fmt.Sprint(id)); err != nil {
				return err
			}
		}
		why := strings.TrimSpace(reason)
		if why == "" {
			why = fmt.Sprintf("void of adjustment %d (%s)", id, orig.Reason)
		}
		voidID, err = l.adjustTx(tx, a, "adjust-void", Adjustment{
			Period: period, PIEmail: orig.PIEmail, ProjectID: orig.ProjectID, FundOrg: orig.FundOrg,
			Amount: orig.Amount.Neg(), Reason: why, Ref: fmt.Sprintf("void of adjustment %d (%s)", id, orig.Period), VoidOf: id,
		})
		return err
	})
	return voidID, period, err
}

// openPeriodAfter is the one open period after period, where a
// correction of a finalized period goes when no period is named.
func openPeriodAfter(tx *Tx, period, what string) (string, error) {
	open, err := stringColumn(tx, `SELECT period FROM periods WHERE state = 'open' AND period > ? ORDER BY period`, period)
	if err != nil {
		return "", fmt.Errorf("open periods after %s: %w", period, err)
	}
	switch len(open) {
	case 1:
		return open[0], nil
	case 0:
		return "", refused("%s is in finalized period %s and no later period is open: give --into PERIOD (with --new-period to start it)", what, period)
	}
	return "", refused("%s is in finalized period %s and %d later periods are open (%s): say which with --into", what, period, len(open), strings.Join(open, ", "))
}

// Correction moves a charge to its right owner (correct --charge).
type Correction struct {
	ChargeID  int64
	PIEmail   string // the new PI; "" keeps the PI
	FundOrg   string // the new fund/org; "" keeps the fund
	Into      string // the period that receives the pair; "" = see CorrectCharge
	Reason    string
	NewPI     bool // accept a PI e-mail the ledger has never seen
	NewFund   bool // accept a fund/org the ledger has never seen
	NewPeriod bool // let Into start a period the ledger does not have
}

// CorrectionResult says what CorrectCharge did.
type CorrectionResult struct {
	// Reassigned: the charge's period was not finalized, so its tags were
	// simply assigned (Changes lists them, as review assign does).
	Reassigned bool
	Changes    []string
	// Otherwise the pair posted: Minus for the old owner, Plus for the
	// new, in Period, each for Amount (the charge's billed cost).
	Period      string
	Minus, Plus int64
	Amount      decimal.Decimal
	From, To    string // "pi (fund)"
}

// CorrectCharge moves a charge to another PI and/or fund. While the
// charge's period is not finalized this is a reassignment (AssignTags,
// any review status). After finalize the past stays as billed: a pair of
// adjustments goes into an open period — minus the charge's billed cost
// for its old PI and fund, plus it for the new — each naming the charge,
// audited as "correct", so the period's total amount due does not move. A
// charge moved before is moved on from its last owner.
func (l *Ledger) CorrectCharge(ctx context.Context, a Actor, c Correction, tagKey func(string) string) (CorrectionResult, error) {
	var res CorrectionResult
	c.PIEmail = strings.ToLower(strings.TrimSpace(c.PIEmail))
	c.FundOrg = strings.TrimSpace(c.FundOrg)
	if c.PIEmail == "" && c.FundOrg == "" {
		return res, errors.New("nothing to move: give --tag pi_email=… and/or --tag fund_org=…")
	}
	if c.PIEmail != "" && !flag.ValidEmail(c.PIEmail) {
		return res, refused("pi_email %q is not an e-mail address: give the PI's address, e.g. --tag pi_email=ada.lovelace@uni.edu", c.PIEmail)
	}
	if strings.TrimSpace(c.Reason) == "" {
		return res, errors.New("--reason is required: both PIs read it on their statements")
	}
	if c.Into != "" {
		if err := ValidPeriod(c.Into); err != nil {
			return res, err
		}
	}
	var period string
	var billed string
	err := l.db.QueryRowContext(ctx, `SELECT period, billed_cost FROM charges WHERE id = ?`, c.ChargeID).Scan(&period, &billed)
	if errors.Is(err, sql.ErrNoRows) {
		return res, refused("charge %d does not exist (see `focus-load export --period P` or the web's charges page)", c.ChargeID)
	}
	if err != nil {
		return res, fmt.Errorf("charge %d: %w", c.ChargeID, err)
	}
	info, err := l.Period(ctx, period)
	if err != nil {
		return res, err
	}
	if info.State != StateFinalized {
		if c.Into != "" && c.Into != period {
			return res, refused("charge %d is in %s, which is %s: it is reassigned there, not moved into %s; leave out --into", c.ChargeID, period, info.State, c.Into)
		}
		values := map[string]string{}
		if c.PIEmail != "" {
			values[RolePIEmail] = c.PIEmail
		}
		if c.FundOrg != "" {
			values[RoleFundOrg] = c.FundOrg
		}
		res.Reassigned = true
		res.Period = period
		res.Changes, err = l.AssignTags(ctx, a, []int64{c.ChargeID}, values, tagKey,
			DecideOptions{Note: c.Reason, Any: true, NewPI: c.NewPI, NewFund: c.NewFund})
		return res, err
	}
	amount, err := decimal.NewFromString(billed)
	if err != nil {
		return res, fmt.Errorf("charge %d: %w", c.ChargeID, err)
	}
	if amount.IsZero() {
		return res, refused("charge %d was billed 0 in %s: there is no amount to move (its list price stays on the finalized statement); note it in a dispute or an adjustment of its own", c.ChargeID, period)
	}
	err = l.withTx(ctx, func(tx *Tx) error {
		var rejected int
		if err := tx.QueryRow(`SELECT count(*) FROM review WHERE charge_id = ? AND status = 'rejected'`, c.ChargeID).Scan(&rejected); err != nil {
			return fmt.Errorf("charge %d: %w", c.ChargeID, err)
		}
		if rejected > 0 {
			return refused("charge %d was rejected: it was billed to nobody in %s, so there is nothing to move", c.ChargeID, period)
		}
		var oldPI, oldFund, project string
		if err := tx.QueryRow(`SELECT coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = 'pi_email'), c.pi_email),
			coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = 'fund_org'), c.fund_org),
			coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = 'project_id'), c.project_id)
			FROM charges c WHERE c.id = ?`, c.ChargeID).Scan(&oldPI, &oldFund, &project); err != nil {
			return fmt.Errorf("charge %d: %w", c.ChargeID, err)
		}
		// A charge moved before belongs to the plus side of its last move.
		var lastPI, lastFund string
		err := tx.QueryRow(`SELECT pi_email, fund_org FROM adjustments WHERE charge_id = ? AND void_of IS NULL AND amount = ?
			ORDER BY id DESC LIMIT 1`, c.ChargeID, amount.String()).Scan(&lastPI, &lastFund)
		if err == nil {
			oldPI, oldFund = lastPI, lastFund
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("charge %d: %w", c.ChargeID, err)
		}
		newPI, newFund := oldPI, oldFund
		if c.PIEmail != "" {
			newPI = c.PIEmail
			if err := knownPI(tx, newPI, c.NewPI); err != nil {
				return err
			}
		}
		if c.FundOrg != "" {
			newFund = c.FundOrg
			if err := knownFund(tx, newFund, c.NewFund); err != nil {
				return err
			}
		}
		if newPI == oldPI && newFund == oldFund {
			return refused("charge %d is already billed to %s (%s): nothing to move", c.ChargeID, oldPI, oldFund)
		}
		into := c.Into
		if into == "" {
			if into, err = openPeriodAfter(tx, period, fmt.Sprintf("charge %d", c.ChargeID)); err != nil {
				return err
			}
		}
		ref := fmt.Sprintf("%s charge %d", period, c.ChargeID)
		base := Adjustment{Period: into, ProjectID: project, Ref: ref, ChargeID: c.ChargeID, NewPeriod: c.NewPeriod,
			// The old owner was billed for this charge, so it is known;
			// the new one was checked above.
			NewPI: true, NewFund: true}
		minus, plus := base, base
		minus.PIEmail, minus.FundOrg, minus.Amount = oldPI, oldFund, amount.Neg()
		minus.Reason = fmt.Sprintf("%s (charge %d of %s moved to %s)", c.Reason, c.ChargeID, period, newPI)
		plus.PIEmail, plus.FundOrg, plus.Amount = newPI, newFund, amount
		plus.Reason = fmt.Sprintf("%s (charge %d of %s moved from %s)", c.Reason, c.ChargeID, period, oldPI)
		if res.Minus, err = l.adjustTx(tx, a, "correct", minus); err != nil {
			return err
		}
		if res.Plus, err = l.adjustTx(tx, a, "correct", plus); err != nil {
			return err
		}
		res.Period, res.Amount = into, amount
		res.From, res.To = fmt.Sprintf("%s (%s)", oldPI, oldFund), fmt.Sprintf("%s (%s)", newPI, newFund)
		return nil
	})
	return res, err
}
