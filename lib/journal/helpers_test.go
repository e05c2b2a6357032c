package journal

import (
	"os"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

func m(s string) money.Money {
	v, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// line is a statement line with list = billed (no discount) unless set.
func line(source, service, fund, billed string) statement.Line {
	return statement.Line{Source: source, Service: service, FundOrg: fund, ProjectID: "proj",
		ListCost: m(billed), BilledCost: m(billed)}
}

// stmt builds a statement whose totals follow lib/statement's rules.
func stmt(id, status string, lines []statement.Line, adjs ...statement.Adjustment) statement.Statement {
	st := statement.Statement{StatementID: id, Period: "2025-01", Status: status, Currency: "USD",
		PI: statement.Person{Email: "ada@uni.edu", Name: "Ada Lovelace"}, Lines: lines, Adjustments: adjs}
	funds := map[string]bool{}
	t := statement.Totals{ListCost: money.Zero, Discount: money.Zero, BilledCost: money.Zero, Adjustments: money.Zero}
	for _, l := range lines {
		t.ListCost = t.ListCost.Add(l.ListCost)
		t.Discount = t.Discount.Add(l.Discount)
		t.BilledCost = t.BilledCost.Add(l.BilledCost)
		funds[l.FundOrg] = true
	}
	for _, a := range adjs {
		t.Adjustments = t.Adjustments.Add(a.Amount)
	}
	t.AmountDue = t.BilledCost.Add(t.Adjustments)
	st.Totals = t
	if len(funds) == 1 {
		for f := range funds {
			st.FundOrg = f
		}
	}
	return st
}

func inputs(sts ...statement.Statement) []Input {
	var in []Input
	for i, s := range sts {
		in = append(in, Input{Statement: s, File: "test.ndjson", Line: i + 1})
	}
	return in
}

func sampleAccounts(t testing.TB) *Accounts {
	t.Helper()
	f, err := os.Open("../../testdata/accounts.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := ReadAccounts(f, "accounts.csv")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func accountsFrom(t testing.TB, csv string) *Accounts {
	t.Helper()
	a, err := ReadAccounts(strings.NewReader(csv), "accts.csv")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// refused asserts err is a *RefusedError with a problem of the rule and
// returns the problems' text.
func refused(t *testing.T, err error, rule string) string {
	t.Helper()
	re, ok := err.(*RefusedError)
	if !ok {
		t.Fatalf("want *RefusedError with [%s], got %v", rule, err)
	}
	for _, p := range re.Problems {
		if p.Rule == rule {
			return re.Error()
		}
	}
	t.Fatalf("no [%s] problem in:\n%v", rule, re)
	return ""
}
