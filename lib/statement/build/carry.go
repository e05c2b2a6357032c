package build

import (
	"fmt"
	"github.com/openchargeback/ocb/lib/statement"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

// CarryCredits returns, for a site that carries credits forward instead of
// crediting the fund, the adjustments that move each negative amount due
// of sts (per-PI statements of one period) into period to: a charge of the
// credit on the statement itself (its amount due becomes 0.00) and the same
// credit in period to, with a ref naming the statement. The pair nets to
// zero across the two periods, so no money is dropped; each is an audited
// adjustment like any other (focus-load carry-credits).
func CarryCredits(sts []statement.Statement, to string) []ledger.Adjustment {
	var out []ledger.Adjustment
	for i := range sts {
		st := &sts[i]
		if !st.Totals.AmountDue.IsNegative() {
			continue
		}
		credit := st.Totals.AmountDue.Neg()
		fund := st.FundOrg
		if fund == "" {
			if fc := statement.FundCredits(st); len(fc) > 0 {
				fund = fc[0].Fund
			}
		}
		out = append(out,
			ledger.Adjustment{Period: st.Period, PIEmail: st.PI.Email, FundOrg: fund, Amount: credit.Decimal,
				Reason: fmt.Sprintf("credit of %s carried to %s", money.Display(credit, st.Currency), to), Ref: "carried to " + to},
			ledger.Adjustment{Period: to, PIEmail: st.PI.Email, FundOrg: fund, Amount: credit.Neg().Decimal,
				Reason: fmt.Sprintf("credit carried from %s", st.Period), Ref: st.Period + " statement " + st.StatementID})
	}
	return out
}
