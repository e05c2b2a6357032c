package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// TestCorrectionsConservePeriodTotal: on random ledgers (real SQLite
// files), moving charges of a finalized period to other owners and voiding
// adjustments never edits the past and conserves money (issue 26):
//   - the finalized period's statements stay byte for byte what they were;
//   - each move leaves the receiving period's total amount due unchanged,
//     takes the charge's billed amount (rounded once, as every adjustment
//     is) off its last owner's statement and adds it to the new owner's;
//   - each void takes exactly the voided adjustment's amount off its PI's
//     statement in the period that receives it, so an adjustment and its
//     void together weigh nothing.
func TestCorrectionsConservePeriodTotal(t *testing.T) {
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		ctx := context.Background()
		actor := ledger.Actor{User: "prop", Origin: "cli"}
		l, err := ledger.Open(filepath.Join(dir, fmt.Sprintf("ledger-%d.db", n)))
		if err != nil {
			rt.Fatal(err)
		}
		defer l.Close()
		m := ledgertest.RandomLedger(rt, l)
		finalize(rt, l, m.Period)
		const next = "2025-04"
		// The next month opens with one charge of its own.
		if _, err := l.Import(ctx, actor, strings.NewReader("BillingPeriodStart,BilledCost,ServiceName,Tags\n"+
			`2025-04-01T00:00:00Z,1.005,Compute,"{""pi_email"":""ada@uni.edu"",""fund_org"":""NSF-1""}"`+"\n"),
			ledger.ImportOptions{Source: "AWS", FileName: "next.csv", Tags: tagkeys.Default()}); err != nil {
			rt.Fatal(err)
		}
		past := statementsText(rt, l, m.Period)
		due := amountsDue(rt, l, next)
		total := sumDue(due)

		var charges []ledger.Charge
		if err := l.EachCharge(ctx, m.Period, func(c *ledger.Charge) error {
			if !c.BilledCost.IsZero() {
				charges = append(charges, *c)
			}
			return nil
		}); err != nil {
			rt.Fatal(err)
		}
		owner := map[int64]string{} // charge → its last owner's PI
		for _, c := range charges {
			owner[c.ID] = c.PIEmail
		}
		pis := []string{"ada@uni.edu", "grace@uni.edu", "new.pi@uni.edu"}
		funds := []string{"NSF-1", "NIH-2", "NEW-9"}
		steps := rapid.IntRange(1, 8).Draw(rt, "steps")
		for range steps {
			if len(charges) > 0 && rapid.Bool().Draw(rt, "move") {
				c := rapid.SampledFrom(charges).Draw(rt, "charge")
				corr := ledger.Correction{ChargeID: c.ID, Into: next, Reason: "moved", NewPI: true, NewFund: true,
					PIEmail: rapid.SampledFrom(pis).Draw(rt, "to-pi")}
				if rapid.Bool().Draw(rt, "to-fund") {
					corr.FundOrg = rapid.SampledFrom(funds).Draw(rt, "fund")
				}
				res, err := l.CorrectCharge(ctx, actor, corr, func(r string) string { return r })
				if err != nil {
					if ledger.IsRefused(err) && strings.Contains(err.Error(), "nothing to move") {
						continue // already billed to that PI and fund
					}
					rt.Fatalf("correct %+v: %v", corr, err)
				}
				moved := c.BilledCost.Round(2)
				due[owner[c.ID]] = due[owner[c.ID]].Sub(moved)
				due[corr.PIEmail] = due[corr.PIEmail].Add(moved)
				owner[c.ID] = corr.PIEmail
				if !res.Amount.Equal(c.BilledCost) {
					rt.Fatalf("charge %d billed %s, moved %s", c.ID, c.BilledCost, res.Amount)
				}
			} else {
				adjs := voidable(rt, l, m.Period, next)
				if len(adjs) == 0 {
					continue
				}
				a := rapid.SampledFrom(adjs).Draw(rt, "void")
				if _, into, err := l.VoidAdjustment(ctx, actor, a.ID, next, ""); err != nil || into != next {
					rt.Fatalf("void %d: into %s, %v", a.ID, into, err)
				}
				// The void goes into next whichever period a is in: a void of
				// next's own adjustment brings its PI back to where it was.
				due[a.PIEmail] = due[a.PIEmail].Sub(a.Amount.Round(2))
				total = total.Sub(a.Amount.Round(2))
			}
			got := amountsDue(rt, l, next)
			if g := sumDue(got); !g.Equal(total) {
				rt.Fatalf("%s: Σ amount due %s, want %s", next, g, total)
			}
			for pi, want := range due {
				if !got[pi].Equal(want) {
					rt.Fatalf("%s: %s amount due %s, want %s (all: %v)", next, pi, got[pi], want, got)
				}
			}
			if statementsText(rt, l, m.Period) != past {
				rt.Fatalf("the finalized %s statements changed", m.Period)
			}
		}
	})
}

// finalize decides what is pending and finalizes period (if it is not).
func finalize(t *rapid.T, l *ledger.Ledger, period string) {
	ctx := context.Background()
	actor := ledger.Actor{User: "prop", Origin: "cli"}
	info, err := l.Period(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	if info.State == ledger.StateFinalized {
		return
	}
	items, err := l.ReviewItems(ctx, period, "pending")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := l.Approve(ctx, actor, []int64{it.ChargeID}, "ok"); err != nil {
			t.Fatal(err)
		}
	}
	if info.State == ledger.StateOpen {
		if err := l.ClosePeriod(ctx, actor, period); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.FinalizePeriod(ctx, actor, period); err != nil {
		t.Fatal(err)
	}
}

// voidable lists the adjustments of the periods that are neither voids nor
// voided.
func voidable(t *rapid.T, l *ledger.Ledger, periods ...string) []ledger.Adjustment {
	var all []ledger.Adjustment
	voided := map[int64]bool{}
	for _, p := range periods {
		as, err := l.Adjustments(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.VoidOf != 0 {
				voided[a.VoidOf] = true
			}
		}
		all = append(all, as...)
	}
	var out []ledger.Adjustment
	for _, a := range all {
		if a.VoidOf == 0 && !voided[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

// amountsDue is each PI's amount due in period (per-PI statements).
func amountsDue(t *rapid.T, l *ledger.Ledger, period string) map[string]decimal.Decimal {
	sts, _, err := build.Build(context.Background(), l, period, build.Options{By: build.ByPI})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]decimal.Decimal{}
	for _, st := range sts {
		out[st.PI.Email] = st.Totals.AmountDue.Decimal
	}
	return out
}

func sumDue(due map[string]decimal.Decimal) decimal.Decimal {
	var s decimal.Decimal
	for _, d := range due {
		s = s.Add(d)
	}
	return s
}

// statementsText is a period's per-PI statements as NDJSON.
func statementsText(t *rapid.T, l *ledger.Ledger, period string) string {
	sts, _, err := build.Build(context.Background(), l, period, build.Options{By: build.ByPI})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := statement.WriteNDJSON(&b, sts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
