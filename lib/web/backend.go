package web

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// Actor is who makes a change, as the ledger's audit records it. The web
// always acts with origin "web" and the signed-in user's name.
type Actor struct {
	User   string
	Origin string
}

// ErrRefused marks a change the ledger refused by its rules (a closed or
// finalized period, pending reviews at finalize...). The web shows the
// ledger's own message with 409 Conflict.
var ErrRefused = errors.New("refused")

// ChargeFilter selects charges for the charge browser and review queue.
type ChargeFilter struct {
	Period, PI, Project, Service, Source, Flag string
	Status                                     string // "", "pending", "approved", "rejected", "clean" (not a review item)
	Sort                                       string // id|pi|project|service|source|list|billed
	Desc                                       bool
	Limit, Offset                              int // Limit 0 = all (CSV download)
}

// ChargeRow is a charge as the browser shows it: the read model plus its
// flags and review disposition (rejected charges included).
type ChargeRow struct {
	ledger.Charge
	Flags     string // x_Flags as imported, ";"-separated
	Review    string // "", "pending", "approved", "rejected"
	DecidedBy string
}

// ReviewDecision is a bulk action of the review queue.
type ReviewDecision struct {
	Action string            // approve | reject | assign
	IDs    []int64           // charge ids
	Tags   map[string]string // assign: tag role → value ("pi_email", "fund_org", "project_id")
	Note   string
	// Seen is the review status each charge had on the page the decision
	// was made from ("" = not a review item). A charge whose status has
	// changed since is refused (ErrRefused wrapping a *ledger.StaleError).
	Seen map[int64]string
	// NewPI and NewFund accept a PI e-mail or fund/org the ledger has
	// never seen (the form's "new PI" / "new fund" boxes); without them a
	// typo is refused with the nearest known values.
	NewPI, NewFund bool
	// Remember keeps the assignment as the owner rule of each charge's
	// resource (the form's "remember for this resource" box).
	Remember bool
}

// NewAdjustment is the adjustment form.
type NewAdjustment struct {
	Period, PIEmail, ProjectID, FundOrg, Reason, Ref string
	Amount                                           decimal.Decimal
	NewPI, NewFund                                   bool // see ReviewDecision
}

// Dispute is a PI's objection to a charge or statement.
type Dispute struct {
	ID         int64
	Period     string
	PIEmail    string
	ChargeID   int64 // 0 = the whole statement
	Reason     string
	Status     string // open | resolved
	Note       string // resolution note
	OpenedBy   string
	OpenedAt   time.Time
	ResolvedBy string
	ResolvedAt time.Time
	Line       string // the statement line a PI named on their page ("" = ChargeID or the whole statement)
	Origin     string // cli, web or pi ("" before origins were kept)
}

// NewDispute is the dispute form.
type NewDispute struct {
	Period, PIEmail, Reason string
	ChargeID                int64
	NewPI                   bool // see ReviewDecision
}

// ChargeMove is the charge page's "move to another PI" form (focus-load
// correct): a reassignment while the charge's period is not finalized,
// else a pair of adjustments in an open period.
type ChargeMove struct {
	ChargeID                  int64
	PIEmail, FundOrg, Into    string
	Reason                    string
	NewPI, NewFund, NewPeriod bool // NewPeriod: Into may start a period
}

// Corrector is what a backend offers for correcting entries (issue 26):
// voiding an adjustment and moving a charge to its right owner. The pages
// offer them only when the backend has it.
type Corrector interface {
	// VoidAdjustment posts the reversing entry of adjustment id; it
	// returns the void's id and period.
	VoidAdjustment(ctx context.Context, a Actor, id int64, reason string) (int64, string, error)
	// MoveCharge moves a charge and says what was done, in words.
	MoveCharge(ctx context.Context, a Actor, m ChargeMove) (string, error)
}

// Backend is everything the web interface asks of the ledger beyond the
// read contract: every method that changes something is the same lib/ledger
// function focus-load calls, so the period rules live in one place.
type Backend interface {
	Ledger
	// Charges returns one page of the filtered, sorted charges and the total count.
	Charges(ctx context.Context, f ChargeFilter) ([]ChargeRow, int, error)
	// EachChargeRow streams every charge matching f (CSV download).
	EachChargeRow(ctx context.Context, f ChargeFilter, fn func(*ChargeRow) error) error
	// PeriodAction closes, reopens or finalizes a period.
	PeriodAction(ctx context.Context, a Actor, period, action string) error
	// Decide applies a review decision to charges; it returns how many changed.
	Decide(ctx context.Context, a Actor, d ReviewDecision) (int, error)
	AddAdjustment(ctx context.Context, a Actor, adj NewAdjustment) (int64, error)
	Disputes(ctx context.Context, period string) ([]Dispute, error)
	OpenDispute(ctx context.Context, a Actor, d NewDispute) (int64, error)
	ResolveDispute(ctx context.Context, a Actor, id int64, note string) error
}

// RuleKeeper lists and removes remembered owners (review assign
// --remember); the rules page is offered when the backend has it.
type RuleKeeper interface {
	OwnerRules(ctx context.Context) ([]ledger.OwnerRule, error)
	RemoveRule(ctx context.Context, a Actor, id int64) error
}
