package statement

import (
	"fmt"
	"sort"
	"strings"

	"github.com/openchargeback/ocb/lib/money"
)

// Add returns t + o, field by field.
func (t Totals) Add(o Totals) Totals {
	return Totals{
		ListCost:    t.ListCost.Add(o.ListCost),
		Discount:    t.Discount.Add(o.Discount),
		BilledCost:  t.BilledCost.Add(o.BilledCost),
		Adjustments: t.Adjustments.Add(o.Adjustments),
		AmountDue:   t.AmountDue.Add(o.AmountDue),
	}
}

// Sum is the total of statements under the one rounding rule (each line
// rounded once, every figure a sum of rounded lines). Every view that shows
// a period's total — focus-statement's summary, the web statements page and
// dashboard, the annual report — takes it from here, so no two views of one
// ledger differ by a cent.
func Sum(sts []Statement) Totals {
	t := Totals{ListCost: money.Zero, Discount: money.Zero, BilledCost: money.Zero, Adjustments: money.Zero, AmountDue: money.Zero}
	for i := range sts {
		t = t.Add(sts[i].Totals)
	}
	return t
}

// FundCredits returns the funds a statement credits on balance, with the
// amounts (positive), largest first: each line's billed cost goes to its
// fund and each adjustment to its fund (the statement's shared fund when
// it names none), as focus-journal posts them. A statement with a negative
// amount due credits at least one fund.
func FundCredits(st *Statement) []FundAmount {
	net := map[string]money.Money{}
	for _, l := range st.Lines {
		f := firstNonEmpty(l.FundOrg, st.FundOrg)
		net[f] = net[f].Add(l.BilledCost)
	}
	for _, a := range st.Adjustments {
		f := firstNonEmpty(a.FundOrg, st.FundOrg)
		net[f] = net[f].Add(a.Amount)
	}
	var out []FundAmount
	for f, m := range net {
		if m.IsNegative() {
			out = append(out, FundAmount{Fund: f, Amount: m.Neg()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := out[i].Amount.Cmp(out[j].Amount.Decimal); c != 0 {
			return c > 0
		}
		return out[i].Fund < out[j].Fund
	})
	return out
}

// FundAmount is an amount for one fund/org.
type FundAmount struct {
	Fund   string
	Amount money.Money
}

// CreditSentence says in words what a negative amount due means, e.g.
// "Credit of $19.91 to NSF-ATM-2024: the adjustments exceed this period's
// charges." It is "" when the amount due is not negative. format writes an
// amount with its currency (the PDF's and the e-mail's own formatter).
func CreditSentence(st *Statement, format func(money.Money) string) string {
	if !st.Totals.AmountDue.IsNegative() {
		return ""
	}
	var funds []string
	for _, fc := range FundCredits(st) {
		if fc.Fund != "" {
			funds = append(funds, fc.Fund)
		}
	}
	to := "to your fund"
	if len(funds) == 1 {
		to = "to " + funds[0]
	} else if len(funds) > 1 {
		to = "to " + strings.Join(funds, ", ")
	}
	return fmt.Sprintf("Credit of %s %s: the adjustments exceed this period's charges, so nothing is due and the difference is credited back.",
		format(st.Totals.AmountDue.Neg()), to)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
