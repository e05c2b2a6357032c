package journal

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// exactLine is a statement line whose charges summed to exact (rounded to
// cents as the statement shows it).
func exactLine(source, service, fund, exact string) statement.Line {
	d := decimal.RequireFromString(exact)
	l := line(source, service, fund, money.Cents(d).String())
	l.BilledCostExact = statement.ExactString(d)
	return l
}

// partyNet is the net of a party's lines, credits positive.
func partyNet(j *Journal, party string) money.Money {
	n := money.Zero
	for _, l := range j.Lines {
		if l.Party == party {
			n = n.Add(l.Credit()).Sub(l.Debit())
		}
	}
	return n
}

func TestRoundingTiesIncomeToSource(t *testing.T) {
	// Three PIs with half a cent each: every statement shows 0.01 (each
	// line rounded once), the rows total 0.015, rounded once 0.02.
	var sts []statement.Statement
	for i, pi := range []string{"a@uni.edu", "b@uni.edu", "c@uni.edu"} {
		st := stmt("2025-01-000"+string(rune('1'+i)), statement.StatusFinal, []statement.Line{exactLine("HPC", "HPC GPU", "F1", "0.005")})
		st.PI.Email = pi
		sts = append(sts, st)
	}
	j, err := Build(inputs(sts...), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Tie.Source.String() != "0.02" || j.Tie.Statements.String() != "0.03" || j.Tie.Rounding.String() != "-0.01" {
		t.Fatalf("tie-out = %+v", j.Tie)
	}
	if got := partyNet(j, PartyIncome); got.String() != "0.02" {
		t.Errorf("income net %s, want the source total 0.02", got)
	}
	if got := partyNet(j, PartyFund); got.String() != "-0.03" {
		t.Errorf("funds net %s, want debited the statements' 0.03", got)
	}
	if got := partyNet(j, PartyRounding); got.String() != "0.01" {
		t.Errorf("rounding account net %s, want credited 0.01", got)
	}
	if !j.TotalDebit.Equal(j.TotalCredit.Decimal) {
		t.Errorf("unbalanced: %s vs %s", j.TotalDebit, j.TotalCredit)
	}
	last := j.Lines[len(j.Lines)-2:]
	if last[0].Kind != KindRounding || last[0].Side != Debit || last[0].Party != PartyIncome || last[0].Account != "48120" ||
		last[1].Side != Credit || last[1].Party != PartyRounding || last[1].Account != "48990" || last[1].Fund != "SC-RESCOMP" {
		t.Errorf("rounding pair = %+v", last)
	}
	// Every format balances with the rounding pair in it.
	for _, f := range []string{"generic", "workday", "peoplesoft", "banner"} {
		src, err := BuiltinTemplate(f)
		if err != nil {
			t.Fatal(err)
		}
		tm, err := ParseTemplate(f, src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Render(tm, j)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out, []byte("48990")) {
			t.Errorf("%s: no line on the rounding account:\n%s", f, out)
		}
	}
}

func TestRoundingOfLinesThatRoundToZero(t *testing.T) {
	// Two lines of 0.004 show as $0 (and are not posted), yet the rows
	// add up to a cent: income gets it, from the rounding account.
	a := exactLine("HPC", "HPC GPU", "F1", "0.004")
	b := exactLine("HPC", "HPC GPU", "F2", "0.004")
	c := line("HPC", "HPC Compute", "F1", "5.00")
	j, err := Build(inputs(stmt("2025-01-0001", statement.StatusFinal, []statement.Line{a, b, c})), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Tie.Source.String() != "5.01" || j.Tie.Rounding.String() != "0.01" || j.Skipped != 2 {
		t.Fatalf("tie-out %+v, skipped %d", j.Tie, j.Skipped)
	}
	if got := partyNet(j, PartyRounding); got.String() != "-0.01" {
		t.Errorf("rounding account net %s, want debited 0.01", got)
	}
	if got := partyNet(j, PartyIncome); got.String() != "5.01" {
		t.Errorf("income net %s", got)
	}
}

func TestRoundingSharedPerIncomeAccount(t *testing.T) {
	// Each income account gets its exact share rounded once; the cents
	// the period still lacks go where the rounding cut most.
	sts := []statement.Statement{
		stmt("2025-01-0001", statement.StatusFinal, []statement.Line{exactLine("HPC", "HPC GPU", "F1", "1.0049"), exactLine("HPC", "HPC Compute", "F1", "2.0046")}),
		stmt("2025-01-0002", statement.StatusFinal, []statement.Line{exactLine("HPC", "HPC GPU", "F2", "1.0049"), exactLine("HPC", "HPC Compute", "F2", "2.0046")}),
	}
	sts[1].PI.Email = "b@uni.edu"
	j, err := Build(inputs(sts...), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// exact 6.019 → 6.02; statements 1.00+2.00+1.00+2.00 = 6.00.
	if j.Tie.Source.String() != "6.02" || j.Tie.Statements.String() != "6.00" {
		t.Fatalf("tie-out %+v", j.Tie)
	}
	got := map[string]money.Money{}
	for _, l := range j.Lines {
		if l.Party == PartyIncome {
			got[l.Account] = got[l.Account].Add(l.Credit()).Sub(l.Debit())
		}
	}
	// GPU 2.0098 → 2.01, Compute 4.0092 → 4.01: both rounded up by the
	// shares, which add to 6.02.
	if got["48120"].String() != "2.01" || got["48110"].String() != "4.01" {
		t.Errorf("income per account = %v", got)
	}
}

func TestRoundingNeedsAnAccount(t *testing.T) {
	noRounding := "source,service,service_category,income_account,expense_account\nHPC,HPC GPU,,48120,62120\n"
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{exactLine("HPC", "HPC GPU", "F1", "0.005"), exactLine("HPC", "HPC GPU", "F2", "0.005")})
	_, err := Build(inputs(st), accountsFrom(t, noRounding), Options{})
	msg := refused(t, err, "no-rounding-account")
	if !strings.Contains(msg, "kind=rounding") {
		t.Errorf("message does not say how to fix it: %s", msg)
	}
	// Without sub-cent amounts nothing needs rounding, and old accounts
	// files keep working.
	if _, err := Build(inputs(stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "3.00")})), accountsFrom(t, noRounding), Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestExactThatDoesNotRoundToTheLine(t *testing.T) {
	l := exactLine("HPC", "HPC GPU", "F1", "1.004")
	l.BilledCostExact = "1.2345"
	_, err := Build(inputs(stmt("2025-01-0001", statement.StatusFinal, []statement.Line{l})), sampleAccounts(t), Options{})
	msg := refused(t, err, "bad-totals")
	if !strings.Contains(msg, "does not round to billed_cost 1.00") {
		t.Error(msg)
	}
}

func TestRoundingAccountsRows(t *testing.T) {
	head := "source,service,service_category,income_account,expense_account,kind\n"
	for _, c := range []struct{ csv, want string }{
		{head + ",,,,,rounding\n", "income_account: empty (the rounding row"},
		{head + "HPC,,,48990,,rounding\n", "a rounding row selects no source"},
		{head + ",,,48990,,rounding\n,,,48991,,rounding\n", "a second rounding row (the first is line 2)"},
		{head + ",,,48990,,roundng\n", `"roundng" is not a kind`},
	} {
		_, err := ReadAccounts(strings.NewReader(c.csv), "a.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want %q", c.csv, err, c.want)
		}
	}
	a := accountsFrom(t, head+",,,48990,,Rounding\n,,,48000,62000,\n")
	if r := a.Rounding(); r == nil || r.IncomeAccount != "48990" {
		t.Errorf("rounding row = %+v", r)
	}
	if acc, ok := a.Lookup("X", "Y", ""); !ok || acc.IncomeAccount != "48000" {
		t.Errorf("the rounding row must not match services: %+v", acc)
	}
}

// TestRoundingProperty: over random statements (exact sums with up to six
// decimals, credits, lines that round to $0, adjustments, three income
// accounts), the journal balances, the funds carry the statements, income
// the source total, and each income account is less than a cent from its
// exact share.
func TestRoundingProperty(t *testing.T) {
	accts := sampleAccounts(t)
	services := []string{"HPC Compute", "HPC GPU", "Research Storage"}
	income := map[string]string{"HPC Compute": "48110", "HPC GPU": "48120", "Research Storage": "48210"}
	rapid.Check(t, func(rt *rapid.T) {
		var sts []statement.Statement
		exact := decimal.Zero
		adj := decimal.Zero
		share := map[string]decimal.Decimal{}
		for p := range rapid.IntRange(1, 6).Draw(rt, "pis") {
			var lines []statement.Line
			for i := range rapid.IntRange(0, 5).Draw(rt, "lines") {
				d := decimal.New(rapid.Int64Range(-2_000_000, 9_000_000).Draw(rt, "units"), -int32(rapid.IntRange(0, 6).Draw(rt, "places")))
				svc := rapid.SampledFrom(services).Draw(rt, "service")
				src := "HPC"
				if svc == "Research Storage" {
					src = "Storage"
				}
				l := exactLine(src, svc, fmt.Sprintf("F%d", i%2), d.String())
				lines = append(lines, l)
				exact = exact.Add(d)
				share[income[svc]] = share[income[svc]].Add(d)
			}
			var adjs []statement.Adjustment
			if rapid.Bool().Draw(rt, "adj") {
				a := money.Cents(decimal.New(rapid.Int64Range(-50_000, 50_000).Draw(rt, "adj-cents"), -2))
				adjs = append(adjs, statement.Adjustment{Amount: a, Reason: "r", FundOrg: "F0"})
				adj = adj.Add(a.Decimal)
			}
			st := stmt(fmt.Sprintf("2025-01-%04d", p), statement.StatusFinal, lines, adjs...)
			st.PI.Email = fmt.Sprintf("pi%d@uni.edu", p)
			sts = append(sts, st)
		}
		j, err := Build(inputs(sts...), accts, Options{})
		if err != nil {
			rt.Fatal(err)
		}
		source := exact.Round(2).Add(adj)
		if !partyNet(j, PartyIncome).Equal(source) || !j.Tie.Source.Equal(source) {
			rt.Fatalf("income %s, tie %+v; want source %s", partyNet(j, PartyIncome), j.Tie, source)
		}
		if !partyNet(j, PartyFund).Neg().Equal(j.ControlTotal.Decimal) || !j.TotalDebit.Equal(j.TotalCredit.Decimal) {
			rt.Fatalf("funds %s control %s; debits %s credits %s", partyNet(j, PartyFund), j.ControlTotal, j.TotalDebit, j.TotalCredit)
		}
		if !partyNet(j, PartyRounding).Equal(j.ControlTotal.Sub(money.Money{Decimal: source}).Decimal) {
			rt.Fatalf("rounding account %s, want statements − source", partyNet(j, PartyRounding))
		}
		got := map[string]decimal.Decimal{}
		for _, l := range j.Lines {
			if l.Party == PartyIncome && l.Account != "48900" {
				got[l.Account] = got[l.Account].Add(l.Credit().Decimal).Sub(l.Debit().Decimal)
			}
		}
		for acct, e := range share {
			if got[acct].Sub(e).Abs().GreaterThanOrEqual(decimal.New(1, -2)) {
				rt.Fatalf("account %s credited %s, its exact share %s", acct, got[acct], e)
			}
		}
	})
}

// TestZeroLineNeedsNoFund: a line that rounds to $0 posts nothing to a
// fund, so a missing fund_org is not a problem; its exact share still
// reaches income through the rounding pair.
func TestZeroLineNeedsNoFund(t *testing.T) {
	a := exactLine("HPC", "HPC GPU", "", "0.004")
	b := exactLine("HPC", "HPC GPU", "F1", "0.004")
	c := line("HPC", "HPC GPU", "F1", "1.00")
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{a, b, c})
	st.FundOrg = ""
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Tie.Source.String() != "1.01" || partyNet(j, PartyIncome).String() != "1.01" {
		t.Errorf("tie %+v income %s", j.Tie, partyNet(j, PartyIncome))
	}
}
