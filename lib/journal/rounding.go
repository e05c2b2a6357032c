package journal

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
)

// The month ties to the source. Statements round each line once (so a
// PI's statement never moves because another PI's charge moved), which
// leaves the period's statements up to half a cent per line away from the
// imported rows' exactly rounded total — the figure on the vendor's
// invoice. The journal debits the funds what the statements say and
// credits income the source total; the difference is posted as explicit
// rounding pairs between each income account and the accounts file's
// kind=rounding account, so a clerk sees it named instead of hidden.

// incomeKey is one income account of one period: the rounding is shared
// out per account, so each account's income is its own exact share rounded
// once (largest remainder), and their sum is the period's source total.
type incomeKey struct {
	period, fund, costCenter, account string
}

type incomeSum struct {
	exact  decimal.Decimal // Σ the lines' exact billed cost
	posted decimal.Decimal // Σ the lines' rounded billed cost (what is posted)
}

// roundingSums collects, per period and income account, the exact and the
// rounded billed cost of the statement lines posted to it. Adjustments are
// left out: they are cents already, so they round to themselves.
type roundingSums map[incomeKey]*incomeSum

func (rs roundingSums) add(period string, acct *Account, exact decimal.Decimal, posted money.Money) {
	k := incomeKey{period, acct.IncomeFund, acct.CostCenter, acct.IncomeAccount}
	s := rs[k]
	if s == nil {
		s = &incomeSum{}
		rs[k] = s
	}
	s.exact = s.exact.Add(exact)
	s.posted = s.posted.Add(posted.Decimal)
}

// targets returns, per income account, the amount it must be credited so
// that every account gets its exact share rounded to cents and the period
// gets its exact total rounded once: each account is rounded, then the
// cents the period still lacks (or has too many) go to the accounts whose
// exact share was rounded furthest the other way (ties by account, so the
// result is the same every run).
func (rs roundingSums) targets() map[incomeKey]decimal.Decimal {
	byPeriod := map[string][]incomeKey{}
	for k := range rs {
		byPeriod[k.period] = append(byPeriod[k.period], k)
	}
	out := make(map[incomeKey]decimal.Decimal, len(rs))
	cent := decimal.New(1, -2)
	for _, keys := range byPeriod {
		total, sum := decimal.Zero, decimal.Zero
		for _, k := range keys {
			t := rs[k].exact.Round(2)
			out[k] = t
			total = total.Add(rs[k].exact)
			sum = sum.Add(t)
		}
		missing := total.Round(2).Sub(sum).Div(cent).IntPart() // whole cents, |missing| ≤ len(keys)/2
		if missing == 0 {
			continue
		}
		step := cent
		if missing < 0 {
			step, missing = cent.Neg(), -missing
		}
		// residual = exact − rounded: the accounts rounded down the most
		// take a cent first when cents are missing, and the other way round.
		sort.Slice(keys, func(a, b int) bool {
			ra := rs[keys[a]].exact.Sub(out[keys[a]])
			rb := rs[keys[b]].exact.Sub(out[keys[b]])
			if c := ra.Cmp(rb); c != 0 {
				return (c > 0) == step.IsPositive()
			}
			return keyLess(keys[a], keys[b])
		})
		for i := int64(0); i < missing; i++ {
			k := keys[i%int64(len(keys))]
			out[k] = out[k].Add(step)
		}
	}
	return out
}

func keyLess(a, b incomeKey) bool {
	if a.period != b.period {
		return a.period < b.period
	}
	if a.fund != b.fund {
		return a.fund < b.fund
	}
	if a.costCenter != b.costCenter {
		return a.costCenter < b.costCenter
	}
	return a.account < b.account
}

// post appends the rounding pairs to j: for each income account whose
// target differs from what its lines posted, the difference moves between
// it and the kind=rounding account. Statements below the source (income
// short) debit the rounding account and credit income; above it, the
// reverse. A difference with no rounding account in the accounts file is a
// problem: the journal would not tie.
func (rs roundingSums) post(j *Journal, accts *Accounts, currency string) []Problem {
	targets := rs.targets()
	keys := make([]incomeKey, 0, len(targets))
	for k := range targets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keyLess(keys[a], keys[b]) })
	r := accts.Rounding()
	for _, k := range keys {
		delta := money.Money{Decimal: targets[k].Sub(rs[k].posted)}
		if delta.IsZero() {
			continue
		}
		if r == nil {
			return []Problem{{File: accts.name, Column: "kind",
				Msg: fmt.Sprintf("per-line rounding leaves income account %s (fund %q) %s off its exact share of the %s source total, and the accounts file names no account for the difference: add a row with kind=rounding and its income_account",
					k.account, k.fund, delta, k.period),
				Rule: "no-rounding-account"}}
		}
		base := Line{Kind: KindRounding, Period: k.period, Currency: currency,
			Service: "Rounding", Description: k.period + " per-line rounding to source total"}
		inc, rnd := base, base
		inc.Party, inc.Fund, inc.CostCenter, inc.Account = PartyIncome, k.fund, k.costCenter, k.account
		rnd.Party, rnd.Fund, rnd.CostCenter, rnd.Account = PartyRounding, r.IncomeFund, r.CostCenter, r.IncomeAccount
		d, c := rnd, inc // income short of the source: credit it
		if delta.IsNegative() {
			d, c = inc, rnd
			delta = delta.Neg()
		}
		d.Side, c.Side = Debit, Credit
		d.Amount, c.Amount = delta, delta
		d.PartnerFund, d.PartnerAccount = c.Fund, c.Account
		c.PartnerFund, c.PartnerAccount = d.Fund, d.Account
		j.Lines = append(j.Lines, d, c)
	}
	return nil
}

// TieOutLine is the tie-out a clerk puts beside the vendor's invoice, as
// focus-journal's summary prints it: "source total $X = statements $Y +
// rounding $Z" (the rows' total rounded once, what the statements say, and
// where per-line rounding went).
func (j *Journal) TieOutLine() string {
	return fmt.Sprintf("source total %s = statements %s + rounding %s",
		money.Display(j.Tie.Source, j.Currency), money.Display(j.Tie.Statements, j.Currency), money.Display(j.Tie.Rounding, j.Currency))
}
