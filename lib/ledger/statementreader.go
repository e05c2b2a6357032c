package ledger

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// This file is the read side of the ledger that lib/statement (and the web
// interface) build on. *Ledger implements StatementReader
// (statementreader_sql.go).

// Period states: open → closed → finalized (reopen: closed → open only).
const (
	StateOpen      = "open"
	StateClosed    = "closed"
	StateFinalized = "finalized"
)

// PeriodInfo is one billing period ("2025-01") and its state.
type PeriodInfo struct {
	Period      string
	State       string
	ClosedAt    time.Time // zero unless closed or finalized
	FinalizedAt time.Time // zero unless finalized
}

// Charge is one imported, not rejected charge row as statements need it.
// Money fields are exact decimals as imported (not rounded).
type Charge struct {
	ID                int64
	ImportID          int64
	Source            string // --source of the import, e.g. "AWS", "HPC"
	Period            string // YYYY-MM
	PIEmail           string // from the pi_email tag (or its renamed key), lower-cased
	PIName            string
	ProjectID         string
	FundOrg           string
	CostCenter        string
	AccountCode       string
	EndDate           string // YYYY-MM-DD or ""
	ReconciliationEnd string
	Ref1, Ref2        string
	ServiceName       string
	ServiceCategory   string
	ResourceID        string
	ResourceName      string
	Quantity          decimal.Decimal // ConsumedQuantity (zero when absent)
	Unit              string          // ConsumedUnit
	ListCost          decimal.Decimal // ListCost (BilledCost when absent)
	BilledCost        decimal.Decimal
	Currency          string
	ReviewStatus      string // "", "pending", "approved" (rejected charges are never returned)
	// Description is the FOCUS ChargeDescription of a charge that is not
	// usage (ChargeCategory Credit, Adjustment, Purchase, Tax, …) or is a
	// correction (ChargeClass Correction), what a statement shows to say
	// what the line is; "" for usage.
	Description string
	// Count is how many charges this one stands for: 0 or 1 from
	// EachCharge, more from LineReader.EachChargeSummed (which merges
	// charges a statement cannot tell apart and sums their amounts).
	Count int
}

// Adjustment is a manual amount on a PI's statement for a period.
type Adjustment struct {
	ID        int64
	Period    string
	PIEmail   string
	ProjectID string // "" = not tied to a project
	FundOrg   string
	Amount    decimal.Decimal
	Reason    string
	Ref       string // what it corrects, e.g. "2025-01 charge 1234"
	CreatedAt time.Time
	CreatedBy string
	// NewPI accepts a PI e-mail the ledger has never seen (when adding).
	NewPI bool
	// NewFund accepts a fund/org the ledger has never seen (when adding).
	NewFund bool
	// NewPeriod lets an adjustment create a period the ledger does not
	// have (when adding); without it a mistyped period is refused.
	NewPeriod bool
	// VoidOf is the adjustment this one reverses (adjust void), 0 if none.
	VoidOf int64
	// ChargeID is the charge a correction moves (correct --charge), 0 if none.
	ChargeID int64
}

// MonthTotal is a PI's list and billed totals for one period (statement history chart).
type MonthTotal struct {
	Period     string
	PIEmail    string
	ListCost   decimal.Decimal
	BilledCost decimal.Decimal
}

// StatementReader is what lib/statement reads from the ledger.
type StatementReader interface {
	// Period returns one period's state; an unknown period is an error
	// wrapping ErrNoPeriod.
	Period(ctx context.Context, period string) (PeriodInfo, error)
	// Periods lists all periods, oldest first.
	Periods(ctx context.Context) ([]PeriodInfo, error)
	// EachCharge calls fn for every charge of the period that is not
	// rejected, ordered by PI e-mail, then charge id. The *Charge is reused.
	EachCharge(ctx context.Context, period string, fn func(*Charge) error) error
	// Adjustments lists the period's adjustments, ordered by PI, then id.
	Adjustments(ctx context.Context, period string) ([]Adjustment, error)
	// MonthlyTotals sums list and billed cost per PI per period for the
	// periods from..to inclusive (YYYY-MM), rejected charges excluded.
	MonthlyTotals(ctx context.Context, from, to string) ([]MonthTotal, error)
}
