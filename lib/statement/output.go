package statement

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
)

// WriteNDJSON writes one JSON object a line.
func WriteNDJSON(w io.Writer, sts []Statement) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range sts {
		if err := enc.Encode(&sts[i]); err != nil {
			return fmt.Errorf("statement %s: %w", sts[i].StatementID, err)
		}
	}
	return bw.Flush()
}

// ReadNDJSON reads statements written by WriteNDJSON.
func ReadNDJSON(r io.Reader) ([]Statement, error) {
	dec := json.NewDecoder(r)
	var out []Statement
	for n := 1; ; n++ {
		var st Statement
		if err := dec.Decode(&st); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, fmt.Errorf("statement %d: %w", n, err)
		}
		out = append(out, st)
	}
}

// CSVHeader is the column list of WriteCSV: the statement's columns repeated
// on every row, then the line (kind "line") or adjustment (kind
// "adjustment") columns.
var CSVHeader = []string{
	"statement_id", "period", "status", "currency", "pi_email", "pi_name",
	"statement_fund_org", "statement_project_id",
	"total_list_cost", "total_discount", "total_billed_cost", "total_adjustments", "amount_due",
	"kind", "source", "service", "service_category", "project_id", "fund_org",
	"quantity", "unit", "list_cost", "discount", "billed_cost",
	"adjustment", "reason", "account_code", "cost_center", "ref1", "ref2",
	"finalized_at", "pdf", "pdf_sha256",
	// Added at the end (issue 27), line rows only.
	"description", "under_review", "billed_cost_exact",
}

// WriteCSV writes one row per statement line and per adjustment (a
// statement with neither gets one row of kind "none", so none is dropped).
// Text cells that a spreadsheet would run as a formula are prefixed with a
// quote (money cells are numbers and never prefixed).
func WriteCSV(w io.Writer, sts []Statement) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range sts {
		st := &sts[i]
		head := []string{
			st.StatementID, st.Period, st.Status, st.Currency, safe(st.PI.Email), safe(st.PI.Name),
			safe(st.FundOrg), safe(st.ProjectID),
			st.Totals.ListCost.String(), st.Totals.Discount.String(), st.Totals.BilledCost.String(),
			st.Totals.Adjustments.String(), st.Totals.AmountDue.String(),
		}
		tail := []string{st.FinalizedAt, safe(st.PDF), st.PDFSHA256}
		none := []string{"", "", ""}
		extra := none
		row := func(mid ...string) error {
			r := make([]string, 0, len(CSVHeader))
			r = append(append(append(append(r, head...), mid...), tail...), extra...)
			return cw.Write(r)
		}
		for _, l := range st.Lines {
			review := ""
			if l.UnderReview {
				review = "true"
			}
			extra = []string{safe(l.Description), review, l.BilledCostExact}
			if err := row("line", safe(l.Source), safe(l.Service), safe(l.ServiceCategory), safe(l.ProjectID), safe(l.FundOrg),
				l.Quantity, safe(l.Unit), l.ListCost.String(), l.Discount.String(), l.BilledCost.String(),
				"", "", safe(l.AccountCode), safe(l.CostCenter), safe(l.Ref1), safe(l.Ref2)); err != nil {
				return err
			}
		}
		extra = none
		for _, a := range st.Adjustments {
			if err := row("adjustment", "", "", "", safe(a.ProjectID), safe(a.FundOrg),
				"", "", "", "", "", a.Amount.String(), safe(a.Reason), "", "", safe(a.Ref), ""); err != nil {
				return err
			}
		}
		if len(st.Lines)+len(st.Adjustments) == 0 {
			if err := row("none", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell defuses spreadsheet formulas in text cells (=HYPERLINK(...) in a
// tag value must not run when finance opens the file).
func SafeCell(s string) string { return safe(s) }

func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TemplateFuncs are the functions available to --template files.
var TemplateFuncs = template.FuncMap{
	// money formats with thousands separators: {{money .Totals.AmountDue}} → 2,400.00
	"money": func(m money.Money) string { return m.Format() },
	// neg negates an amount: {{money (neg .Totals.Discount)}} is what the institution covered.
	"neg": func(m money.Money) money.Money { return m.Neg() },
	// covered is the "Your institution covered …" sentence figure: "62.5%".
	"covered": func(st Statement) string { return CoveredPercent(st.Totals) },
	// coveredAmount is what the institution covered (never negative).
	"coveredAmount": func(st Statement) money.Money { return Covered(st.Totals) },
	// sentence is the statement's "Your institution covered …" sentence.
	"sentence": func(st Statement) string { return CoveredSentence(&st) },
	"upper":    strings.ToUpper,
	"lower":    strings.ToLower,
	"join":     strings.Join,
	// mdcell escapes text for a Markdown table cell.
	"mdcell": func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	},
}

// ParseTemplate reads a --template file.
func ParseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Funcs(TemplateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return t, nil
}

// WriteTemplate executes t once per statement.
func WriteTemplate(w io.Writer, t *template.Template, sts []Statement) error {
	bw := bufio.NewWriter(w)
	for i := range sts {
		if err := t.Execute(bw, &sts[i]); err != nil {
			return fmt.Errorf("template for statement %s: %w", sts[i].StatementID, err)
		}
	}
	return bw.Flush()
}

// Covered returns what the institution covered: list price minus billed,
// never negative (a surcharge is not "covered") and never more than the
// list price (a net credit is shown as billed below zero, not as coverage).
func Covered(t Totals) money.Money {
	c := t.ListCost.Sub(t.BilledCost)
	if c.IsNegative() {
		return money.Zero
	}
	if t.ListCost.IsPositive() && c.GreaterThan(t.ListCost.Decimal) {
		return t.ListCost
	}
	return c
}

// CoveredPercent is Covered as a share of the list price, floored to one
// decimal and always printed with it ("83.0%", "62.5%"), so that 99.96% is
// shown as 99.9%, never as 100% while something is billed. "100.0%" only
// when nothing is billed; "0.0%" for a zero list price or nothing covered;
// "less than 0.1%" when something, but under 0.1%, is covered.
func CoveredPercent(t Totals) string {
	f, tiny := CoveredShare(t)
	if tiny {
		return "less than 0.1%"
	}
	return f.StringFixed(1) + "%"
}

// CoveredShare is CoveredPercent as a number (floored to one decimal);
// tiny reports a positive share below 0.1 (the number is then 0).
func CoveredShare(t Totals) (pct decimal.Decimal, tiny bool) {
	c := Covered(t)
	if t.ListCost.Sign() <= 0 || c.IsZero() {
		return decimal.Zero, false
	}
	f := c.Decimal.Mul(decimal.NewFromInt(100)).Div(t.ListCost.Decimal).RoundFloor(1)
	if f.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		if t.BilledCost.Sign() > 0 {
			return decimal.RequireFromString("99.9"), false
		}
		return decimal.NewFromInt(100), false
	}
	return f, f.IsZero()
}

// CoveredSentence is the plain sentence on every statement.
func CoveredSentence(st *Statement) string {
	if st.Totals.ListCost.Sign() <= 0 {
		return "No list-priced services were used in this period."
	}
	amt := "$" + Covered(st.Totals).Format()
	if st.Currency != "" && st.Currency != DefaultCurrency {
		amt = st.Currency + " " + Covered(st.Totals).Format()
	}
	return fmt.Sprintf("Your institution covered %s (%s) of the list price of the services you used.",
		amt, CoveredPercent(st.Totals))
}
