// Package statement is the statement NDJSON contract: the schema, its
// readers and writers (NDJSON, CSV, text templates) and the sums every view
// shares. It imports no ledger, so focus-journal and focus-mail link no
// database driver; building statements from a ledger is lib/statement/build.
// Fields are added, never renamed: downstream templates depend on them.
package statement

import (
	"github.com/openchargeback/ocb/lib/money"
)

// DefaultCurrency is used when the ledger has no currency for a charge.
const DefaultCurrency = "USD"

// Status of a statement: draft until its period is finalized.
const (
	StatusDraft = "draft"
	StatusFinal = "final"
)

// Statement is one PI's (or, with --by project, one PI and project's)
// statement for one period: one NDJSON object, one PDF.
type Statement struct {
	StatementID string       `json:"statement_id"`
	Period      string       `json:"period"` // YYYY-MM
	Status      string       `json:"status"` // draft | final
	Currency    string       `json:"currency"`
	PI          Person       `json:"pi"`
	FundOrg     string       `json:"fund_org,omitempty"`   // set when all lines share one
	ProjectID   string       `json:"project_id,omitempty"` // set when all lines share one
	Lines       []Line       `json:"lines"`
	Adjustments []Adjustment `json:"adjustments"`
	Totals      Totals       `json:"totals"`
	PDF         string       `json:"pdf,omitempty"`
	PDFSHA256   string       `json:"pdf_sha256,omitempty"`

	// Additions (DESIGN.md: fields are added, never renamed).
	FinalizedAt string   `json:"finalized_at,omitempty"` // RFC 3339, final statements only
	Notes       []string `json:"notes,omitempty"`        // e.g. project end-date warnings
}

// Person is the billed PI.
type Person struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Line is the charges of one source, service, project and fund, summed
// exactly and then rounded to cents. Discount = BilledCost - ListCost (≤ 0
// for a subsidy).
type Line struct {
	Source     string      `json:"source"`
	Service    string      `json:"service"`
	ProjectID  string      `json:"project_id"`
	FundOrg    string      `json:"fund_org"`
	Quantity   string      `json:"quantity,omitempty"` // exact decimal, as summed
	Unit       string      `json:"unit,omitempty"`
	ListCost   money.Money `json:"list_cost"`
	Discount   money.Money `json:"discount"`
	BilledCost money.Money `json:"billed_cost"`

	// Additions.
	ServiceCategory string `json:"service_category,omitempty"`
	CostCenter      string `json:"cost_center,omitempty"`
	AccountCode     string `json:"account_code,omitempty"` // GL account override from tags
	Ref1            string `json:"ref1,omitempty"`         // --tag-ref1 value, e.g. a grant number
	Ref2            string `json:"ref2,omitempty"`
	// BilledCostExact is the exact, unrounded sum of the line's charges'
	// BilledCost (a decimal string), present only when it has more than
	// two decimals: it is what focus-journal ties the month to the source
	// with (the rows' exactly rounded total), while BilledCost stays the
	// line rounded once. Absent means BilledCost is exact.
	BilledCostExact string `json:"billed_cost_exact,omitempty"`
	// Description says what the line is, in the provider's words: the
	// FOCUS ChargeDescription of its charges when they are not usage (a
	// credit, refund, adjustment, purchase, tax: ChargeCategory other than
	// Usage; or a correction, ChargeClass Correction), e.g. "Service credit
	// for outage". Usage lines have none (a
	// provider writes one per row, such as a unit price, which would split
	// every line). Part of what makes a line: two credits with different
	// descriptions are two lines.
	Description string `json:"description,omitempty"`
	// UnderReview is set on a draft's line when some of its charges wait
	// for a reviewer (pending review items): they may still change or be
	// removed before the statement is final.
	UnderReview bool `json:"under_review,omitempty"`

	// Charges is how many ledger charges the line sums (views count with
	// it; not part of the NDJSON contract).
	Charges int `json:"-"`
}

// Adjustment is a manual credit or charge on the statement.
type Adjustment struct {
	Amount money.Money `json:"amount"`
	Reason string      `json:"reason"`

	// Additions.
	ID        int64  `json:"id,omitempty"`
	FundOrg   string `json:"fund_org,omitempty"`
	ProjectID string `json:"project_id,omitempty"`
	Ref       string `json:"ref,omitempty"` // the original period/charge it corrects
}

// Totals are sums of the rounded lines (the one rounding rule: exact sums per
// line, each line rounded once to cents, totals summed from rounded lines).
// AmountDue = BilledCost + Adjustments, exactly, always: a negative amount
// due is a credit to the PI's fund, never clamped to zero.
type Totals struct {
	ListCost    money.Money `json:"list_cost"`
	Discount    money.Money `json:"discount"`
	BilledCost  money.Money `json:"billed_cost"`
	Adjustments money.Money `json:"adjustments"`
	AmountDue   money.Money `json:"amount_due"`
}
