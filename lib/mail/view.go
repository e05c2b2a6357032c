package mail

import (
	"fmt"
	"time"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// View is what the subject and body templates see. The raw statement is
// there as .Statement (every NDJSON field, by its Go name); the rest is
// ready-formatted so a site's own template does not have to do arithmetic.
type View struct {
	Statement  statement.Statement
	ID         string
	Period     string // "2025-01"
	PeriodName string // "January 2025"
	Draft      bool
	Status     string

	PIName    string // the PI's name, or the address when the statement has none
	PIEmail   string
	FundOrg   string
	ProjectID string

	// Amounts with currency symbol and thousands separators; negative
	// amounts carry a real minus sign ("−$2,400.00").
	ListPrice      string
	Discount       string
	BilledCost     string
	Adjustments    string
	AmountDue      string
	HasAdjustments bool

	// Summary is "List price $X · Discount −$Y · Adjustments −$A · Amount due $Z".
	Summary string
	// Covered is the one sentence of what the institution covered.
	Covered string
	// Credit says in words what a negative amount due is ("Credit of
	// $19.91 to NSF-ATM-2024: …"); "" unless the amount due is negative.
	Credit string
	// UnderReview says what the "under review" mark on lines means; ""
	// when no line is under review.
	UnderReview string
	// ReviewMark is the mark itself ("under review").
	ReviewMark string

	Lines           []LineView
	AdjustmentLines []AdjustmentView
	Notes           []string
	FinalizedAt     string // "2025-02-05 10:00 UTC"; raw in .Statement.FinalizedAt

	AttachmentName string // file name of the attached PDF
	From           string // the sender address, for a signature line

	// Draft mailings (focus-mail --draft) only; "" otherwise.
	Link        string // the PI's statement page (view, dispute), "" without --base-url
	FinalOn     string // "Thursday 20 February 2025": when the draft becomes final
	FinalOnDate string // "2025-02-20"
}

// LineView is one statement line, formatted.
type LineView struct {
	Source, Service, ProjectID, FundOrg string
	Quantity, Unit                      string
	ListPrice, Discount, BilledCost     string
	// Description says what a non-usage line is ("Service credit for
	// outage"); Detail names the keys that tell the line from one that
	// looks the same (statement.Qualifiers); UnderReview marks a draft's
	// line with charges waiting for review.
	Description, Detail string
	UnderReview         bool
}

// AdjustmentView is one adjustment, formatted.
type AdjustmentView struct {
	Amount, Reason string
}

// NewView formats st for the templates.
func NewView(st *statement.Statement, attachmentName, from string) View {
	cur := st.Currency
	t := st.Totals
	v := View{
		Statement:      *st,
		ID:             st.StatementID,
		Period:         st.Period,
		PeriodName:     periodName(st.Period),
		Draft:          st.Status != statement.StatusFinal,
		Status:         st.Status,
		PIName:         st.PI.Name,
		PIEmail:        st.PI.Email,
		FundOrg:        st.FundOrg,
		ProjectID:      st.ProjectID,
		ListPrice:      FormatAmount(t.ListCost, cur),
		Discount:       FormatAmount(t.Discount, cur),
		BilledCost:     FormatAmount(t.BilledCost, cur),
		Adjustments:    FormatAmount(t.Adjustments, cur),
		AmountDue:      FormatAmount(t.AmountDue, cur),
		HasAdjustments: !t.Adjustments.IsZero() || len(st.Adjustments) > 0,
		Notes:          st.Notes,
		FinalizedAt:    displayTime(st.FinalizedAt),
		AttachmentName: attachmentName,
		From:           from,
	}
	if v.PIName == "" {
		v.PIName = st.PI.Email
	}
	// All four figures together, so list + discount + adjustments = amount
	// due reads in one line (as on the PDF and the web pages).
	v.Summary = fmt.Sprintf("List price %s · Discount %s · Adjustments %s · Amount due %s", v.ListPrice, v.Discount, v.Adjustments, v.AmountDue)
	v.Covered = coveredSentence(t, cur)
	v.Credit = statement.CreditSentence(st, func(m money.Money) string { return FormatAmount(m, cur) })
	v.ReviewMark = statement.UnderReviewMark
	if statement.HasUnderReview(st) {
		v.UnderReview = statement.UnderReviewSentence
	}
	quals := statement.Qualifiers(st)
	for i, l := range st.Lines {
		v.Lines = append(v.Lines, LineView{
			Source: l.Source, Service: l.Service, ProjectID: l.ProjectID, FundOrg: l.FundOrg,
			Quantity: l.Quantity, Unit: l.Unit,
			ListPrice: FormatAmount(l.ListCost, cur), Discount: FormatAmount(l.Discount, cur),
			BilledCost:  FormatAmount(l.BilledCost, cur),
			Description: l.Explain(), Detail: quals[i], UnderReview: l.UnderReview,
		})
	}
	for _, a := range st.Adjustments {
		v.AdjustmentLines = append(v.AdjustmentLines, AdjustmentView{Amount: FormatAmount(a.Amount, cur), Reason: a.Reason})
	}
	return v
}

// displayTime shows an RFC 3339 time as "2025-02-05 10:00 UTC"; anything
// else is shown as it is.
func displayTime(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func periodName(p string) string {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return p
	}
	return t.Format("January 2006")
}

// FormatAmount writes m with its currency: "$2,400.00", "−$10.00"
// (money.Display, the form every view uses).
func FormatAmount(m money.Money, currency string) string { return money.Display(m, currency) }

// coveredSentence says what the institution covered, honestly: the share is
// cut (not rounded) to one decimal, so 99.96% is "99.9%" and never "100%"
// while something is still billed.
func coveredSentence(t statement.Totals, cur string) string {
	list := t.ListCost.Decimal
	covered := t.Discount.Decimal.Neg() // the discount is ≤ 0 for a subsidy
	switch {
	case list.IsZero() && t.BilledCost.IsZero():
		return "No list-priced services were used in this period."
	case list.IsZero():
		return fmt.Sprintf("No list price was reported for these services; the amount billed is %s.", FormatAmount(t.BilledCost, cur))
	case covered.IsZero():
		return fmt.Sprintf("Your institution did not cover any of the %s list price this period.", FormatAmount(t.ListCost, cur))
	case covered.IsNegative():
		return fmt.Sprintf("The amount billed is %s above the %s list price.",
			FormatAmount(money.Cents(covered.Neg()), cur), FormatAmount(t.ListCost, cur))
	}
	// The same sentence as on the PDF statement (lib/statement), so the
	// e-mail and its attachment agree word for word.
	return fmt.Sprintf("Your institution covered %s (%s) of the list price of the services you used.",
		FormatAmount(money.Cents(covered), cur), statement.CoveredPercent(t))
}
