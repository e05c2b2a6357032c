package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/journal"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// TestMoneyConservedProperty holds every money view of random ledgers (real
// SQLite files) to the model they were generated from, under the one
// rounding rule. `make test` runs rapid's default 100 cases; `make fuzz`
// runs many more (-rapid.checks).
//
// For both --by pi and --by project:
//   - Σ amount_due = Σ billed of the statement lines + Σ adjustments, equal
//     to the model's figures to the cent, and the same in both groupings;
//   - every statement's lines and adjustments sum to its totals, and
//     amount_due = billed + adjustments exactly (never clamped);
//   - the annual report for the year agrees with the statements;
//   - focus-journal's debits equal its credits, and the net charged to
//     funds equals Σ amount_due;
//   - the journal ties to the source: income nets to the rows' exact
//     billed total rounded once plus the adjustments, the rounding account
//     to the difference, and each PI's statements carry the exact sum of
//     the PI's rows (issue 27).
func TestMoneyConservedProperty(t *testing.T) {
	accounts, err := os.Open(filepath.Join("..", "testdata", "accounts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	accts, err := journal.ReadAccounts(accounts, "accounts.csv")
	accounts.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	forBatches(t, func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) {
			n++
			l, err := ledger.Open(filepath.Join(dir, fmt.Sprintf("ledger-%d.db", n)))
			if err != nil {
				rt.Fatal(err)
			}
			defer l.Close()
			m := ledgertest.RandomLedger(rt, l)
			ctx := context.Background()
			wantList, wantBilled, wantAdj := m.Expected()
			wantDue := wantBilled.Add(wantAdj)
			exactBilled := decimal.Zero
			exactByPI := map[string]decimal.Decimal{}
			for _, c := range m.Charges {
				if !c.Rejected {
					exactBilled = exactBilled.Add(c.Billed)
					exactByPI[strings.ToLower(c.PI)] = exactByPI[strings.ToLower(c.PI)].Add(c.Billed)
				}
			}

			var sums []statement.Totals
			for _, by := range []string{build.ByPI, build.ByProject} {
				sts, _, err := build.Build(ctx, l, m.Period, build.Options{By: by})
				if err != nil {
					rt.Fatalf("--by %s: %v", by, err)
				}
				for i := range sts {
					checkStatementSums(rt, by, &sts[i])
				}
				// The ledger's line sums (LineReader) give the very statements
				// that reading every charge gives.
				slow, _, err := build.Build(ctx, chargesOnly{l}, m.Period, build.Options{By: by})
				if err != nil {
					rt.Fatal(err)
				}
				if a, b := statementText(rt, sts), statementText(rt, slow); a != b {
					rt.Fatalf("--by %s: statements from line sums differ from statements from charges:\n%s\n%s", by, a, b)
				}
				sum := statement.Sum(sts)
				sums = append(sums, sum)
				for _, c := range []struct {
					what      string
					got, want decimal.Decimal
				}{{"list", sum.ListCost.Decimal, wantList}, {"billed", sum.BilledCost.Decimal, wantBilled},
					{"adjustments", sum.Adjustments.Decimal, wantAdj}, {"amount due", sum.AmountDue.Decimal, wantDue}} {
					if !c.got.Equal(c.want) {
						rt.Fatalf("--by %s: Σ %s %s, the model gives %s", by, c.what, c.got, c.want)
					}
				}

				// The journal of exactly these statements balances and charges
				// the funds Σ amount_due, credits included.
				if len(sts) == 0 {
					continue // every charge rejected, no adjustment: no statement, no journal (it refuses an empty input)
				}
				ins := make([]journal.Input, len(sts))
				for i := range sts {
					ins[i] = journal.Input{Statement: sts[i], File: "prop", Line: i + 1}
				}
				j, err := journal.Build(ins, accts, journal.Options{AllowDraft: true})
				if err != nil {
					rt.Fatalf("--by %s: journal: %v", by, err)
				}
				if !j.TotalDebit.Equal(j.TotalCredit.Decimal) {
					rt.Fatalf("--by %s: journal debits %s ≠ credits %s", by, j.TotalDebit, j.TotalCredit)
				}
				if !j.NetCharged.Equal(sum.AmountDue.Decimal) || !j.ControlTotal.Equal(sum.AmountDue.Decimal) {
					rt.Fatalf("--by %s: journal net %s control %s, Σ amount_due %s", by, j.NetCharged, j.ControlTotal, sum.AmountDue)
				}
				// The month ties to the source: income is credited the rows'
				// exact billed total rounded once plus the adjustments, the
				// funds are debited the statements, and the rounding account
				// carries the difference.
				wantSource := exactBilled.Round(2).Add(wantAdj)
				if !j.Tie.Source.Equal(wantSource) || !j.NetIncome.Equal(wantSource) || !j.Tie.Statements.Equal(wantDue) ||
					!j.Tie.Rounding.Equal(wantSource.Sub(wantDue)) {
					rt.Fatalf("--by %s: tie-out %+v, net income %s; the model gives source %s, statements %s", by, j.Tie, j.NetIncome, wantSource, wantDue)
				}
				rounding := decimal.Zero
				for _, ln := range j.Lines {
					if ln.Party == journal.PartyRounding {
						rounding = rounding.Add(ln.Debit().Decimal).Sub(ln.Credit().Decimal)
					}
				}
				if !rounding.Equal(wantSource.Sub(wantDue)) {
					rt.Fatalf("--by %s: rounding account debited %s net, want source − statements %s", by, rounding, wantSource.Sub(wantDue))
				}
				// Per PI: the exact figures the statements carry are the
				// PI's rows summed exactly, whatever the grouping.
				perPI := map[string]decimal.Decimal{}
				for i := range sts {
					for k := range sts[i].Lines {
						d, err := sts[i].Lines[k].ExactBilled()
						if err != nil {
							rt.Fatal(err)
						}
						perPI[sts[i].PI.Email] = perPI[sts[i].PI.Email].Add(d)
					}
				}
				for pi, want := range exactByPI {
					if !perPI[pi].Equal(want) {
						rt.Fatalf("--by %s: %s's statements carry exact billed %s, the model's rows %s", by, pi, perPI[pi], want)
					}
				}
			}
			if !totalsEqual(sums[0], sums[1]) {
				rt.Fatalf("per PI %+v ≠ per project %+v", sums[0], sums[1])
			}

			rep, err := build.AnnualReport(ctx, l, 2025)
			if err != nil {
				rt.Fatal(err)
			}
			r := rep.Totals
			got := statement.Totals{ListCost: r.ListCost, Discount: r.Discount, BilledCost: r.BilledCost, Adjustments: r.Adjustments, AmountDue: r.AmountDue}
			if !totalsEqual(got, sums[0]) {
				rt.Fatalf("annual report %+v ≠ statements %+v", got, sums[0])
			}
			// Its charts: the months are the periods' statements summed, and
			// the service categories add up to the year's lines.
			var months statement.Totals
			for _, m := range rep.Months {
				months = months.Add(m.Totals)
			}
			var cats statement.Totals
			for _, c := range rep.Categories {
				cats.ListCost, cats.Discount, cats.BilledCost = cats.ListCost.Add(c.ListCost), cats.Discount.Add(c.Discount), cats.BilledCost.Add(c.BilledCost)
			}
			if !totalsEqual(months, sums[0]) || !cats.ListCost.Equal(got.ListCost.Decimal) || !cats.Discount.Equal(got.Discount.Decimal) || !cats.BilledCost.Equal(got.BilledCost.Decimal) {
				rt.Fatalf("report months %+v, categories %+v; statements %+v", months, cats, sums[0])
			}
		})
	})
}

// forBatches runs a property in three batches of rapid's default 100
// cases (each batch with its own random seed): a few hundred cases in
// `make test`. Given -rapid.checks (make fuzz), it runs once with that.
func forBatches(t *testing.T, run func(*testing.T)) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() != f.DefValue {
		run(t)
		return
	}
	for i := range 3 {
		t.Run(fmt.Sprintf("batch%d", i+1), run)
	}
}

// statementText is the statements' NDJSON and each line's charge count:
// what must agree (decimals compared by value, not representation).
func statementText(t *rapid.T, sts []statement.Statement) string {
	var b strings.Builder
	if err := statement.WriteNDJSON(&b, sts); err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		for _, l := range st.Lines {
			fmt.Fprintf(&b, "%d ", l.Charges)
		}
	}
	return b.String()
}

// chargesOnly hides the ledger's LineReader: statements read every charge.
type chargesOnly struct{ ledger.StatementReader }

func checkStatementSums(t *rapid.T, by string, st *statement.Statement) {
	var list, disc, billed, adj decimal.Decimal
	for _, l := range st.Lines {
		list, disc, billed = list.Add(l.ListCost.Decimal), disc.Add(l.Discount.Decimal), billed.Add(l.BilledCost.Decimal)
		if !l.Discount.Equal(l.BilledCost.Sub(l.ListCost).Decimal) {
			t.Fatalf("--by %s %s: line discount %s ≠ billed − list", by, st.StatementID, l.Discount)
		}
	}
	for _, a := range st.Adjustments {
		adj = adj.Add(a.Amount.Decimal)
	}
	tt := st.Totals
	if !tt.ListCost.Equal(list) || !tt.Discount.Equal(disc) || !tt.BilledCost.Equal(billed) || !tt.Adjustments.Equal(adj) {
		t.Fatalf("--by %s %s: totals %+v do not sum its lines and adjustments", by, st.StatementID, tt)
	}
	if !tt.AmountDue.Equal(billed.Add(adj)) {
		t.Fatalf("--by %s %s: amount due %s ≠ billed %s + adjustments %s", by, st.StatementID, tt.AmountDue, billed, adj)
	}
}

func totalsEqual(a, b statement.Totals) bool {
	return a.ListCost.Equal(b.ListCost.Decimal) && a.Discount.Equal(b.Discount.Decimal) &&
		a.BilledCost.Equal(b.BilledCost.Decimal) && a.Adjustments.Equal(b.Adjustments.Decimal) && a.AmountDue.Equal(b.AmountDue.Decimal)
}
