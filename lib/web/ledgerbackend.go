package web

import (
	"context"
	"fmt"
	"github.com/shopspring/decimal"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// LedgerBackend is the Backend of a real ledger: every change is the same
// lib/ledger method focus-load calls, so the period rules are one piece of code.
type LedgerBackend struct {
	*ledger.Ledger
	Keys tagkeys.Keys
}

var (
	_ Backend = (*LedgerBackend)(nil)
	_ Auditor = (*LedgerBackend)(nil)
)

// refusal marks the ledger's refusals for the web (409 with its message).
func refusal(err error) error {
	if err != nil && ledger.IsRefused(err) {
		return ledgerRefusal{err}
	}
	return err
}

// ledgerRefusal is a ledger refusal that errors.Is reports as ErrRefused,
// keeping the ledger's own message.
type ledgerRefusal struct{ error }

func (ledgerRefusal) Is(target error) bool { return target == ErrRefused }

func (e ledgerRefusal) Unwrap() error { return e.error }

func (b *LedgerBackend) actor(a Actor) ledger.Actor {
	return ledger.Actor{User: a.User, Origin: a.Origin}
}

func browseFilter(f ChargeFilter) ledger.BrowseFilter {
	return ledger.BrowseFilter{Period: f.Period, PI: f.PI, Project: f.Project, Service: f.Service, Source: f.Source,
		Flag: f.Flag, Status: f.Status, Sort: f.Sort, Desc: f.Desc, Limit: f.Limit, Offset: f.Offset}
}

func chargeRow(r *ledger.BrowseRow) ChargeRow {
	return ChargeRow{Charge: r.Charge, Flags: r.Flags, Review: r.ReviewStatus, DecidedBy: r.DecidedBy}
}

// Charges returns one page of the filtered charges and the total count.
func (b *LedgerBackend) Charges(ctx context.Context, f ChargeFilter) ([]ChargeRow, int, error) {
	rows, n, err := b.BrowseCharges(ctx, browseFilter(f))
	if err != nil {
		return nil, 0, err
	}
	out := make([]ChargeRow, len(rows))
	for i := range rows {
		out[i] = chargeRow(&rows[i])
	}
	return out, n, nil
}

// ChargeTotals sums the list and billed cost of every charge f matches
// (ledger.BrowseTotals: from the line sums, not a pass over the charges).
func (b *LedgerBackend) ChargeTotals(ctx context.Context, f ChargeFilter) (list, billed decimal.Decimal, currency string, err error) {
	return b.BrowseTotals(ctx, browseFilter(f))
}

// EachChargeRow streams the filtered charges.
func (b *LedgerBackend) EachChargeRow(ctx context.Context, f ChargeFilter, fn func(*ChargeRow) error) error {
	return b.EachBrowseRow(ctx, browseFilter(f), func(r *ledger.BrowseRow) error {
		c := chargeRow(r)
		return fn(&c)
	})
}

// PeriodAction closes, reopens or finalizes a period.
func (b *LedgerBackend) PeriodAction(ctx context.Context, a Actor, period, action string) error {
	var err error
	switch action {
	case "close":
		err = b.ClosePeriod(ctx, b.actor(a), period)
	case "reopen":
		err = b.ReopenPeriod(ctx, b.actor(a), period)
	case "finalize":
		err = b.FinalizePeriod(ctx, b.actor(a), period)
	default:
		return fmt.Errorf("unknown period action %q", action)
	}
	return refusal(err)
}

// Decide approves, rejects or assigns tags to charges.
func (b *LedgerBackend) Decide(ctx context.Context, a Actor, d ReviewDecision) (int, error) {
	var err error
	switch d.Action {
	case "approve":
		err = b.ApproveSeen(ctx, b.actor(a), d.IDs, d.Note, d.Seen)
	case "reject":
		err = b.RejectSeen(ctx, b.actor(a), d.IDs, d.Note, d.Seen)
	case "assign":
		tags := map[string]string{}
		for k, v := range d.Tags {
			if strings.TrimSpace(v) != "" {
				tags[k] = strings.TrimSpace(v)
			}
		}
		_, err = b.AssignTags(ctx, b.actor(a), d.IDs, tags, b.tagKey,
			ledger.DecideOptions{Note: d.Note, Any: true, Seen: d.Seen, NewPI: d.NewPI, NewFund: d.NewFund, Remember: d.Remember})
	default:
		return 0, fmt.Errorf("unknown review action %q", d.Action)
	}
	if err != nil {
		return 0, refusal(err)
	}
	return len(d.IDs), nil
}

func (b *LedgerBackend) tagKey(role string) string {
	switch role {
	case ledger.RolePIEmail:
		return b.Keys.PIEmail
	case ledger.RoleFundOrg:
		return b.Keys.FundOrg
	case ledger.RoleProjectID:
		return b.Keys.ProjectID
	}
	return role
}

// AddAdjustment records an adjustment.
func (b *LedgerBackend) AddAdjustment(ctx context.Context, a Actor, adj NewAdjustment) (int64, error) {
	id, err := b.Adjust(ctx, b.actor(a), ledger.Adjustment{Period: adj.Period, PIEmail: adj.PIEmail, ProjectID: adj.ProjectID,
		FundOrg: adj.FundOrg, Amount: adj.Amount, Reason: adj.Reason, Ref: adj.Ref, NewPI: adj.NewPI, NewFund: adj.NewFund})
	return id, refusal(err)
}

// Disputes lists a period's disputes.
func (b *LedgerBackend) Disputes(ctx context.Context, period string) ([]Dispute, error) {
	ds, err := b.Ledger.Disputes(ctx, period)
	if err != nil {
		return nil, err
	}
	out := make([]Dispute, len(ds))
	for i, d := range ds {
		out[i] = Dispute{ID: d.ID, Period: d.Period, PIEmail: d.PIEmail, ChargeID: d.ChargeID, Reason: d.Reason,
			Status: d.Status, Note: d.Note, OpenedBy: d.OpenedBy, ResolvedBy: d.ResolvedBy, Line: d.Line, Origin: d.Origin}
		out[i].OpenedAt, _ = parseStamp(d.OpenedAt)
		out[i].ResolvedAt, _ = parseStamp(d.ResolvedAt)
	}
	return out, nil
}

// OpenDispute records a dispute.
func (b *LedgerBackend) OpenDispute(ctx context.Context, a Actor, d NewDispute) (int64, error) {
	id, err := b.Ledger.OpenDispute(ctx, b.actor(a), ledger.Dispute{Period: d.Period, PIEmail: d.PIEmail, ChargeID: d.ChargeID, Reason: d.Reason, NewPI: d.NewPI})
	return id, refusal(err)
}

// ResolveDispute resolves a dispute.
func (b *LedgerBackend) ResolveDispute(ctx context.Context, a Actor, id int64, note string) error {
	return refusal(b.Ledger.ResolveDispute(ctx, b.actor(a), id, note))
}

func parseStamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

var _ Corrector = (*LedgerBackend)(nil)

// VoidAdjustment posts the reversing entry of an adjustment (adjust void).
func (b *LedgerBackend) VoidAdjustment(ctx context.Context, a Actor, id int64, reason string) (int64, string, error) {
	voidID, period, err := b.Ledger.VoidAdjustment(ctx, b.actor(a), id, "", reason)
	return voidID, period, refusal(err)
}

// MoveCharge moves a charge to another PI or fund (correct --charge).
func (b *LedgerBackend) MoveCharge(ctx context.Context, a Actor, m ChargeMove) (string, error) {
	res, err := b.CorrectCharge(ctx, b.actor(a), ledger.Correction{ChargeID: m.ChargeID, PIEmail: m.PIEmail, FundOrg: m.FundOrg,
		Into: m.Into, Reason: m.Reason, NewPI: m.NewPI, NewFund: m.NewFund, NewPeriod: m.NewPeriod}, b.tagKey)
	if err != nil {
		return "", refusal(err)
	}
	if res.Reassigned {
		return fmt.Sprintf("Charge %d reassigned in %s: %s.", m.ChargeID, res.Period, strings.Join(res.Changes, "; ")), nil
	}
	return fmt.Sprintf("Charge %d moved in %s: adjustment %d takes %s off %s, adjustment %d bills it to %s.",
		m.ChargeID, res.Period, res.Minus, money.DisplayExact(res.Amount, ""), res.From, res.Plus, res.To), nil
}

var _ RuleKeeper = (*LedgerBackend)(nil)

// RemoveRule forgets a remembered owner (focus-load rules remove).
func (b *LedgerBackend) RemoveRule(ctx context.Context, a Actor, id int64) error {
	return refusal(b.RemoveOwnerRule(ctx, b.actor(a), id))
}
