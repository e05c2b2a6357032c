package statement

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
)

func cents(s string) money.Money { return money.Cents(decimal.RequireFromString(s)) }

func TestQualifiersOnlyForLookAlikes(t *testing.T) {
	st := &Statement{Lines: []Line{
		{Source: "HPC", Service: "Compute", ProjectID: "p", FundOrg: "F", CostCenter: "CC-1", AccountCode: "6100"},
		{Source: "HPC", Service: "Compute", ProjectID: "p", FundOrg: "F"},
		{Source: "HPC", Service: "Compute", ProjectID: "p", FundOrg: "F", Ref1: "G-1"},
		{Source: "HPC", Service: "GPU", ProjectID: "p", FundOrg: "F", CostCenter: "CC-9"},
		{Source: "HPC", Service: "Compute", ProjectID: "p", FundOrg: "F", Description: "credit", CostCenter: "CC-1"},
	}}
	got := strings.Join(Qualifiers(st), "|")
	want := "cost centre CC-1 · account 6100|no cost centre, account or ref|ref G-1||"
	if got != want {
		t.Errorf("Qualifiers = %q, want %q", got, want)
	}
}

func TestExactStringAndTie(t *testing.T) {
	for in, want := range map[string]string{"1.50": "", "2": "", "1.2300": "", "1.2345000": "1.2345", "-0.005": "-0.005"} {
		if got := ExactString(decimal.RequireFromString(in)); got != want {
			t.Errorf("ExactString(%s) = %q, want %q", in, got, want)
		}
	}
	line := func(exact string) Line {
		d := decimal.RequireFromString(exact)
		return Line{BilledCost: money.Cents(d), BilledCostExact: ExactString(d)}
	}
	st := func(period string, adj string, ls ...Line) Statement {
		s := Statement{Period: period, Lines: ls}
		for _, l := range ls {
			s.Totals.AmountDue = s.Totals.AmountDue.Add(l.BilledCost)
		}
		if adj != "" {
			s.Adjustments = []Adjustment{{Amount: cents(adj)}}
			s.Totals.AmountDue = s.Totals.AmountDue.Add(cents(adj))
		}
		return s
	}
	// Each period ties to its own source, rounded once per period:
	// 2025-01 rows 0.015 → 0.02 against lines of 0.01 each (0.03): −0.01;
	// 2025-02 rows 0.008 → 0.01 against lines of 0.00: +0.01. Together
	// with the −1.00 adjustment: source −0.97 = statements −0.97 + 0.00.
	sts := []Statement{
		st("2025-01", "-1.00", line("0.005"), line("0.005")),
		st("2025-01", "", line("0.005")),
		st("2025-02", "", line("0.004"), line("0.004")),
	}
	tie, err := Tie(sts)
	if err != nil {
		t.Fatal(err)
	}
	if tie.Source.String() != "-0.97" || tie.Statements.String() != "-0.97" || tie.Rounding.String() != "0.00" {
		t.Errorf("tie %+v", tie)
	}
	sts = append(sts, st("2025-02", "", line("0.004")))
	if tie, _ = Tie(sts); tie.Source.String() != "-0.97" || tie.Statements.String() != "-0.97" {
		t.Errorf("tie %+v", tie)
	}
	sts = append(sts, st("2025-03", "", line("0.0049"), line("0.0049")))
	if tie, _ = Tie(sts); tie.Source.String() != "-0.96" || tie.Rounding.String() != "0.01" {
		t.Errorf("tie %+v (0.0098 rounds to 0.01, the lines to 0.00 each)", tie)
	}
	bad := st("2025-01", "", Line{BilledCost: cents("1.00"), BilledCostExact: "1.2"})
	if _, err := Tie([]Statement{bad}); err == nil || !strings.Contains(err.Error(), "does not round to billed_cost 1.00") {
		t.Errorf("err = %v", err)
	}
}

func TestExplainEveryCredit(t *testing.T) {
	for _, c := range []struct {
		l    Line
		want string
	}{
		{Line{BilledCost: cents("5")}, ""},
		{Line{BilledCost: cents("-5"), Description: "Outage credit"}, "Outage credit"},
		{Line{BilledCost: cents("-5")}, NoDescriptionCredit},
		{Line{BilledCost: cents("0"), ListCost: cents("-2")}, NoDescriptionCredit},
		{Line{BilledCost: cents("3"), Description: "Tax"}, "Tax"},
	} {
		if got := c.l.Explain(); got != c.want {
			t.Errorf("%+v: Explain = %q, want %q", c.l, got, c.want)
		}
	}
}
