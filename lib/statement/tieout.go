package statement

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
)

// ExactBilled is the line's exact billed amount: BilledCostExact when the
// statement carries it, else BilledCost (statements written before the
// field, or lines whose exact sum has no more than two decimals). It is an
// error when the exact figure is not a decimal or does not round to
// BilledCost: such a statement was edited or built by another rule.
func (l *Line) ExactBilled() (decimal.Decimal, error) {
	if l.BilledCostExact == "" {
		return l.BilledCost.Decimal, nil
	}
	d, err := decimal.NewFromString(l.BilledCostExact)
	if err != nil {
		return decimal.Zero, fmt.Errorf("billed_cost_exact %q is not a decimal", l.BilledCostExact)
	}
	if !money.Cents(d).Equal(l.BilledCost.Decimal) {
		return decimal.Zero, fmt.Errorf("billed_cost_exact %s does not round to billed_cost %s", l.BilledCostExact, l.BilledCost)
	}
	return d, nil
}

// ExactString is the form BilledCostExact takes for an exact sum: "" when
// the sum has no more than two decimals (the rounded line says it all),
// else the sum without trailing zeros, so the same charges always give the
// same bytes whatever order they were added in.
func ExactString(d decimal.Decimal) string {
	if d.Equal(d.Round(2)) {
		return ""
	}
	return d.String()
}

// TieOut is how a period's statements tie to its source: the source total
// (the imported rows' BilledCost summed exactly and rounded once, plus the
// adjustments) equals the statements' amount due plus the rounding that
// per-line rounding leaves. Statements round each line on its own (so no
// PI's statement moves because another PI's charge moved); the rounding is
// what finance books on the rounding account to see the vendor's total.
type TieOut struct {
	Source     money.Money // round(Σ exact billed) + Σ adjustments
	Statements money.Money // Σ amount_due
	Rounding   money.Money // Source − Statements
}

// Tie computes the tie-out of statements. Statements of several periods
// are tied per period (a month ties to its own source) and the results
// added. Every view that shows the tie-out — focus-journal's summary, the
// dashboard — takes it from here.
func Tie(sts []Statement) (TieOut, error) {
	exact := map[string]decimal.Decimal{}
	var periods []string
	t := TieOut{Source: money.Zero, Statements: money.Zero, Rounding: money.Zero}
	for i := range sts {
		st := &sts[i]
		if _, ok := exact[st.Period]; !ok {
			periods = append(periods, st.Period)
			exact[st.Period] = decimal.Zero
		}
		for k := range st.Lines {
			d, err := st.Lines[k].ExactBilled()
			if err != nil {
				return TieOut{}, fmt.Errorf("statement %s line %d: %w", st.StatementID, k+1, err)
			}
			exact[st.Period] = exact[st.Period].Add(d)
		}
		for _, a := range st.Adjustments {
			t.Source = t.Source.Add(a.Amount)
		}
		t.Statements = t.Statements.Add(st.Totals.AmountDue)
	}
	sort.Strings(periods)
	for _, p := range periods {
		t.Source = t.Source.Add(money.Cents(exact[p]))
	}
	t.Rounding = t.Source.Sub(t.Statements)
	return t, nil
}
