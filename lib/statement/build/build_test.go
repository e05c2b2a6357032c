package build

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/openchargeback/ocb/lib/statement"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

var ctx = context.Background()

func open(p string) ledger.PeriodInfo { return ledger.PeriodInfo{Period: p, State: ledger.StateOpen} }

func build(t *testing.T, r *memReader, period string, opts Options) []statement.Statement {
	t.Helper()
	sts, _, err := Build(ctx, r, period, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sts
}

func byPI(sts []statement.Statement) map[string]*statement.Statement {
	m := map[string]*statement.Statement{}
	for i := range sts {
		m[sts[i].PI.Email] = &sts[i]
	}
	return m
}

func eq(t *testing.T, what string, got money.Money, want string) {
	t.Helper()
	if got.String() != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestZeroDollarStatementIncludedAndRejectedExcluded(t *testing.T) {
	r := &memReader{
		PeriodList: []ledger.PeriodInfo{open("2025-01")},
		ChargeList: []ledger.Charge{
			charge(1, "2025-01", "ada@uni.edu", "climate", "NSF-1", "HPC", "HPC Compute", "2400", "0"),
			charge(2, "2025-01", "bob@uni.edu", "genome", "NIH-2", "AWS", "Amazon EC2", "100", "80"),
			charge(3, "2025-01", "bob@uni.edu", "genome", "NIH-2", "AWS", "Amazon EC2", "1000", "1000"), // rejected
			charge(4, "2025-01", "cy@uni.edu", "x", "F-3", "AWS", "Amazon S3", "50", "50"),              // Rejected: Cy has nothing left
			charge(5, "2024-12", "dee@uni.edu", "x", "F-3", "AWS", "Amazon S3", "50", "50"),             // other period
		},
		Rejected: map[int64]bool{3: true, 4: true},
	}
	sts := build(t, r, "2025-01", Options{})
	if len(sts) != 2 {
		t.Fatalf("got %d statements, want 2 (ada with $0 due, bob): %+v", len(sts), sts)
	}
	m := byPI(sts)
	ada := m["ada@uni.edu"]
	if ada == nil {
		t.Fatal("zero-dollar statement of ada@uni.edu missing")
	}
	eq(t, "ada list", ada.Totals.ListCost, "2400.00")
	eq(t, "ada discount", ada.Totals.Discount, "-2400.00")
	eq(t, "ada billed", ada.Totals.BilledCost, "0.00")
	eq(t, "ada due", ada.Totals.AmountDue, "0.00")
	bob := m["bob@uni.edu"]
	eq(t, "bob list", bob.Totals.ListCost, "100.00")
	eq(t, "bob due", bob.Totals.AmountDue, "80.00")
	eq(t, "bob line discount", bob.Lines[0].Discount, "-20.00")
	if ada.Status != statement.StatusDraft || ada.FinalizedAt != "" {
		t.Errorf("open period: status %q finalized_at %q", ada.Status, ada.FinalizedAt)
	}
	if sts[0].PI.Email != "ada@uni.edu" || sts[1].PI.Email != "bob@uni.edu" {
		t.Errorf("statements not ordered by PI e-mail: %s, %s", sts[0].PI.Email, sts[1].PI.Email)
	}
}

func TestLinesRoundedThenSummed(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}}
	// One line of three charges of 0.004: exact sum 0.012 → 0.01.
	for i := int64(1); i <= 3; i++ {
		r.ChargeList = append(r.ChargeList, charge(i, "2025-01", "a@u.edu", "p", "F", "AWS", "S3", "0.004", "0.004"))
	}
	// Two lines of 0.005 each: each rounds (half away from zero) to 0.01, so
	// the total is 0.02, although the exact grand total 0.022 would be 0.02
	// and 0.010 for these two alone would round to 0.01.
	r.ChargeList = append(r.ChargeList,
		charge(4, "2025-01", "a@u.edu", "p", "F", "AWS", "EC2", "0.005", "0.005"),
		charge(5, "2025-01", "a@u.edu", "p", "F", "HPC", "Compute", "0.005", "-0.005"),
	)
	st := build(t, r, "2025-01", Options{})[0]
	if len(st.Lines) != 3 {
		t.Fatalf("want 3 lines (AWS S3, AWS EC2, HPC Compute), got %+v", st.Lines)
	}
	var sum money.Money
	for _, l := range st.Lines {
		sum = sum.Add(l.BilledCost)
		if l.Discount.String() != l.BilledCost.Sub(l.ListCost).String() {
			t.Errorf("line discount %s != billed %s - list %s", l.Discount, l.BilledCost, l.ListCost)
		}
	}
	eq(t, "S3 line", st.Lines[0].BilledCost, "0.01") // AWS EC2 sorts first: check by service
	for _, l := range st.Lines {
		switch l.Service {
		case "S3":
			eq(t, "S3 billed", l.BilledCost, "0.01")
		case "EC2":
			eq(t, "EC2 billed", l.BilledCost, "0.01")
		case "Compute":
			eq(t, "Compute billed (half away from zero)", l.BilledCost, "-0.01")
		}
	}
	eq(t, "list total = sum of rounded lines", st.Totals.ListCost, "0.03")
	eq(t, "billed total", st.Totals.BilledCost, sum.String())
	eq(t, "billed total", st.Totals.BilledCost, "0.01")
	eq(t, "discount total", st.Totals.Discount, "-0.02")
	eq(t, "amount due", st.Totals.AmountDue, "0.01")
}

func TestLineGroupingBySourceServiceProjectFundUnit(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}}
	c := func(id int64, project, fund, unit, qty, ref1 string) ledger.Charge {
		ch := charge(id, "2025-01", "a@u.edu", project, fund, "HPC", "Compute", "1", "0")
		ch.Unit, ch.Quantity, ch.Ref1 = unit, d(qty), ref1
		return ch
	}
	r.ChargeList = []ledger.Charge{
		c(1, "p1", "F1", "Core-Hours", "10", "G-1"),
		c(2, "p1", "F1", "Core-Hours", "5.5", "G-1"), // same line
		c(3, "p1", "F2", "Core-Hours", "1", "G-1"),   // other fund
		c(4, "p2", "F1", "Core-Hours", "1", "G-1"),   // other project
		c(5, "p1", "F1", "GPU-Hours", "2", "G-1"),    // other unit
		c(6, "p1", "F1", "Core-Hours", "1", "G-2"),   // other grant ref: journal books it apart
	}
	st := build(t, r, "2025-01", Options{})[0]
	if len(st.Lines) != 5 {
		t.Fatalf("want 5 lines, got %d: %+v", len(st.Lines), st.Lines)
	}
	l := st.Lines[0]
	if l.ProjectID != "p1" || l.FundOrg != "F1" || l.Unit != "Core-Hours" || l.Ref1 != "G-1" || l.Quantity != "15.5" {
		t.Errorf("first line %+v, want p1/F1/Core-Hours/G-1 quantity 15.5", l)
	}
	eq(t, "summed list", l.ListCost, "2.00")
	if st.FundOrg != "" || st.ProjectID != "" {
		t.Errorf("statement fund %q project %q: lines differ, want both empty", st.FundOrg, st.ProjectID)
	}
}

func TestStatementFundAndProjectOnlyWhenShared(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		charge(1, "2025-01", "a@u.edu", "climate", "NSF-1", "HPC", "Compute", "1", "1"),
		charge(2, "2025-01", "a@u.edu", "climate", "NSF-1", "AWS", "EC2", "1", "1"),
		charge(3, "2025-01", "b@u.edu", "climate", "NSF-1", "HPC", "Compute", "1", "1"),
		charge(4, "2025-01", "b@u.edu", "ocean", "NSF-1", "HPC", "Compute", "1", "1"),
	}}
	m := byPI(build(t, r, "2025-01", Options{}))
	if a := m["a@u.edu"]; a.FundOrg != "NSF-1" || a.ProjectID != "climate" {
		t.Errorf("a: fund %q project %q, want NSF-1 climate", a.FundOrg, a.ProjectID)
	}
	if b := m["b@u.edu"]; b.FundOrg != "NSF-1" || b.ProjectID != "" {
		t.Errorf("b: fund %q project %q, want NSF-1 and no shared project", b.FundOrg, b.ProjectID)
	}
}

func TestByProject(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		charge(1, "2025-01", "a@u.edu", "climate", "NSF-1", "HPC", "Compute", "100", "0"),
		charge(2, "2025-01", "a@u.edu", "ocean", "NSF-2", "HPC", "Compute", "50", "25"),
		charge(3, "2025-01", "a@u.edu", "", "DEPT", "AWS", "EC2", "10", "10"),
		charge(4, "2025-01", "b@u.edu", "climate", "NSF-1", "HPC", "Compute", "7", "7"),
	}, AdjustmentList: []ledger.Adjustment{
		{ID: 1, Period: "2025-01", PIEmail: "a@u.edu", ProjectID: "ocean", Amount: d("-5"), Reason: "outage"},
		{ID: 2, Period: "2025-01", PIEmail: "a@u.edu", Amount: d("-1"), Reason: "goodwill"},
		{ID: 3, Period: "2025-01", PIEmail: "a@u.edu", ProjectID: "wind", Amount: d("3"), Reason: "late usage"},
	}}
	sts := build(t, r, "2025-01", Options{By: ByProject})
	type k struct{ pi, project string }
	got := map[k]*statement.Statement{}
	ids := map[string]bool{}
	for i := range sts {
		got[k{sts[i].PI.Email, sts[i].ProjectID}] = &sts[i]
		ids[sts[i].StatementID] = true
	}
	if len(sts) != 5 || len(ids) != 5 {
		t.Fatalf("want 5 statements with distinct ids (a: none, climate, ocean, wind; b: climate), got %d, %d ids", len(sts), len(ids))
	}
	// The adjustment that names no project goes on the PI's project with the
	// largest billed amount (ocean: 25.00, over no-project 10.00 and
	// climate 0.00), with a note saying so.
	oc := got[k{"a@u.edu", "ocean"}]
	if oc == nil || len(oc.Lines) != 1 || len(oc.Adjustments) != 2 || oc.Adjustments[0].Reason != "outage" || oc.Adjustments[1].Reason != "goodwill" {
		t.Fatalf("ocean statement: %+v", oc)
	}
	if len(oc.Notes) != 1 || !strings.Contains(oc.Notes[0], "PI-level adjustment 2") {
		t.Errorf("ocean notes %q: want the placement note", oc.Notes)
	}
	eq(t, "ocean due", oc.Totals.AmountDue, "19.00")
	none := got[k{"a@u.edu", ""}]
	if none == nil || len(none.Adjustments) != 0 {
		t.Fatalf("no-project statement: %+v", none)
	}
	eq(t, "no-project due", none.Totals.AmountDue, "10.00")
	wind := got[k{"a@u.edu", "wind"}]
	if wind == nil || len(wind.Lines) != 0 || wind.ProjectID != "wind" {
		t.Fatalf("adjustment-only project statement: %+v", wind)
	}
	eq(t, "wind due", wind.Totals.AmountDue, "3.00")
	cl := got[k{"a@u.edu", "climate"}]
	eq(t, "climate list", cl.Totals.ListCost, "100.00")
	eq(t, "climate due", cl.Totals.AmountDue, "0.00")
	if cl.StatementID == got[k{"b@u.edu", "climate"}].StatementID {
		t.Error("two PIs on one project share a statement id")
	}
	// The per-PI ids differ from per-project ids.
	// A PI with a single project: the loose adjustment goes on it.
	r.ChargeList = append(r.ChargeList, charge(9, "2025-01", "c@u.edu", "solo", "F", "HPC", "Compute", "10", "10"))
	r.AdjustmentList = append(r.AdjustmentList, ledger.Adjustment{ID: 4, Period: "2025-01", PIEmail: "C@u.edu", Amount: d("-2"), Reason: "credit"})
	var solo []statement.Statement
	for _, st := range build(t, r, "2025-01", Options{By: ByProject}) {
		if st.PI.Email == "c@u.edu" {
			solo = append(solo, st)
		}
	}
	if len(solo) != 1 || solo[0].ProjectID != "solo" || len(solo[0].Adjustments) != 1 {
		t.Fatalf("single-project PI: %+v", solo)
	}
	eq(t, "solo due", solo[0].Totals.AmountDue, "8.00")
	r.ChargeList, r.AdjustmentList = r.ChargeList[:len(r.ChargeList)-1], r.AdjustmentList[:len(r.AdjustmentList)-1]
	pi := build(t, r, "2025-01", Options{})
	if len(pi) != 2 {
		t.Fatalf("by pi: want 2 statements, got %d", len(pi))
	}
	eq(t, "a by pi due", byPI(pi)["a@u.edu"].Totals.AmountDue, "32.00") // 0+25+10 billed, -5-1+3 adjusted
}

func TestStableIDs(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		charge(1, "2025-01", "ada@uni.edu", "p", "F", "HPC", "Compute", "1", "1"),
	}}
	first := build(t, r, "2025-01", Options{})[0].StatementID
	if !regexp.MustCompile(`^2025-01-\d{8}$`).MatchString(first) {
		t.Fatalf("id %q: want 2025-01-NNNNNNNN", first)
	}
	if first != StatementID("2025-01", "Ada@Uni.edu", "", false) {
		t.Errorf("id depends on e-mail case")
	}
	// Other PIs appear in a later import (sorting before and after ada).
	r.ChargeList = append(r.ChargeList,
		charge(2, "2025-01", "aaron@uni.edu", "p", "F", "HPC", "Compute", "1", "1"),
		charge(3, "2025-01", "zed@uni.edu", "p", "F", "HPC", "Compute", "1", "1"))
	again := byPI(build(t, r, "2025-01", Options{}))
	if again["ada@uni.edu"].StatementID != first {
		t.Errorf("ada's id changed from %s to %s when other PIs appeared", first, again["ada@uni.edu"].StatementID)
	}
	if again["aaron@uni.edu"].StatementID == first || again["zed@uni.edu"].StatementID == first {
		t.Error("ids collide")
	}
	if StatementID("2025-02", "ada@uni.edu", "", false)[8:] != first[8:] {
		t.Error("the number should follow the PI across periods (only the period prefix changes)")
	}
	// A forced collision is resolved deterministically.
	seen := map[string]bool{}
	a := uniqueID("2025-01", stmtKey{pi: "x@u.edu"}, false, seen)
	b := uniqueID("2025-01", stmtKey{pi: "x@u.edu"}, false, seen)
	if a == b || b != hashID("2025-01", "x@u.edu", "", false, 1) {
		t.Errorf("collision: %s %s", a, b)
	}
}

func TestFinalStatus(t *testing.T) {
	fin := time.Date(2025, 2, 3, 14, 5, 6, 0, time.FixedZone("EST", -5*3600))
	r := &memReader{PeriodList: []ledger.PeriodInfo{{Period: "2025-01", State: ledger.StateFinalized, FinalizedAt: fin}},
		ChargeList: []ledger.Charge{charge(1, "2025-01", "a@u.edu", "p", "F", "HPC", "Compute", "1", "1")}}
	st := build(t, r, "2025-01", Options{})[0]
	if st.Status != statement.StatusFinal || st.FinalizedAt != "2025-02-03T19:05:06Z" {
		t.Errorf("status %q finalized_at %q", st.Status, st.FinalizedAt)
	}
	r.PeriodList[0].State = ledger.StateClosed
	if st := build(t, r, "2025-01", Options{})[0]; st.Status != statement.StatusDraft || st.FinalizedAt != "" {
		t.Errorf("closed period must be draft: %q %q", st.Status, st.FinalizedAt)
	}
}

func TestAdjustmentsAndNegativeAmountDue(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")},
		ChargeList: []ledger.Charge{charge(1, "2025-01", "a@u.edu", "p", "F", "AWS", "EC2", "100", "40")},
		AdjustmentList: []ledger.Adjustment{
			{ID: 2, Period: "2025-01", PIEmail: "a@u.edu", Amount: d("-50.005"), Reason: "credit"},
			{ID: 1, Period: "2025-01", PIEmail: "A@U.EDU", Amount: d("5"), Reason: "late", Ref: "2024-12 charge 9"},
			{ID: 3, Period: "2025-01", PIEmail: "nocharges@u.edu", Amount: d("12.5"), Reason: "license"},
		}}
	m := byPI(build(t, r, "2025-01", Options{}))
	a := m["a@u.edu"]
	if len(a.Adjustments) != 2 || a.Adjustments[0].ID != 1 || a.Adjustments[1].Amount.String() != "-50.01" || a.Adjustments[0].Ref != "2024-12 charge 9" {
		t.Fatalf("adjustments %+v", a.Adjustments)
	}
	eq(t, "adjustments total", a.Totals.Adjustments, "-45.01")
	eq(t, "amount due is a credit, never clamped", a.Totals.AmountDue, "-5.01")
	if got := statement.CreditSentence(a, func(m money.Money) string { return "$" + m.Format() }); !strings.HasPrefix(got, "Credit of $5.01 to F:") {
		t.Errorf("credit sentence %q", got)
	}
	eq(t, "billed unchanged", a.Totals.BilledCost, "40.00")
	n := m["nocharges@u.edu"]
	if n == nil || len(n.Lines) != 0 {
		t.Fatalf("a PI with only an adjustment gets a statement: %+v", n)
	}
	eq(t, "adjustment-only due", n.Totals.AmountDue, "12.50")
	if n.Lines == nil || n.Adjustments == nil {
		t.Error("lines/adjustments must encode as [] not null")
	}
}

func TestPIFilter(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		charge(1, "2025-01", "a@u.edu", "p", "F", "HPC", "Compute", "1", "1"),
		charge(2, "2025-01", "b@u.edu", "p", "F", "HPC", "Compute", "1", "1"),
	}}
	sts := build(t, r, "2025-01", Options{PI: " B@U.edu "})
	if len(sts) != 1 || sts[0].PI.Email != "b@u.edu" {
		t.Fatalf("--pi: %+v", sts)
	}
	if sts[0].StatementID != StatementID("2025-01", "b@u.edu", "", false) {
		t.Error("filtered statement must keep its id")
	}
}

func TestEndDateNotes(t *testing.T) {
	mk := func(id int64, project, end, recon string) ledger.Charge {
		c := charge(id, "2025-01", "a@u.edu", project, "F", "HPC", "Compute", "1", "1")
		c.EndDate, c.ReconciliationEnd = end, recon
		return c
	}
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		mk(1, "ended", "2025-01-15", ""),
		mk(2, "soon", "2025-03-30", ""),    // 58 days after 2025-01-31
		mk(3, "edge", "2025-04-01", ""),    // exactly 60 days
		mk(4, "later", "2025-04-02", ""),   // 61 days: no note
		mk(5, "recon", "", "2025-02-10"),   // reconciliation end within 60 days
		mk(6, "recon", "", "2024-06-01"),   // an older tag: the latest date wins
		mk(7, "bad", "31/12/2025", ""),     // unreadable
		mk(8, "lastday", "2025-01-31", ""), // the period's last day: passed
	}}
	st := build(t, r, "2025-01", Options{})[0]
	all := strings.Join(st.Notes, "\n")
	for _, want := range []string{
		"Project ended: end date 2025-01-15 has passed.",
		"Project soon: end date 2025-03-30 is 58 days after the end of this period.",
		"Project edge: end date 2025-04-01 is 60 days after",
		"Project recon: reconciliation end 2025-02-10 is 10 days after",
		`Project bad: end date "31/12/2025" is not a date`,
		"Project lastday: end date 2025-01-31 has passed.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "later") || strings.Contains(all, "2024-06-01") {
		t.Errorf("unexpected note:\n%s", all)
	}
	if len(st.Notes) != 6 {
		t.Errorf("want 6 notes, got %d", len(st.Notes))
	}
}

func TestMixedCurrencyRefused(t *testing.T) {
	c := charge(2, "2025-01", "a@u.edu", "p", "F", "Azure", "VM", "1", "1")
	c.Currency = "EUR"
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		charge(1, "2025-01", "a@u.edu", "p", "F", "HPC", "Compute", "1", "1"), c}}
	if _, _, err := Build(ctx, r, "2025-01", Options{}); err == nil || !strings.Contains(err.Error(), "EUR") {
		t.Fatalf("mixed currencies: err = %v", err)
	}
}

func TestUnknownPeriodAndBadOptions(t *testing.T) {
	r := &memReader{}
	if _, _, err := Build(ctx, r, "2025-01", Options{}); !errors.Is(err, ledger.ErrNoPeriod) {
		t.Errorf("unknown period: %v", err)
	}
	if _, err := NewBuilder(open("2025-01"), Options{By: "fund"}); err == nil {
		t.Error("--by fund accepted")
	}
	if _, err := NewBuilder(open("2025-1"), Options{}); err == nil {
		t.Error("period 2025-1 accepted")
	}
}

func TestCoveredPercent(t *testing.T) {
	m := func(s string) money.Money { return money.Cents(d(s)) }
	for _, c := range []struct{ list, billed, want string }{
		{"2400", "0", "100.0%"},
		{"1000", "170", "83.0%"},
		{"1000", "0.01", "99.9%"}, // 99.999%: never 100% while something is billed
		{"1000", "0.50", "99.9%"}, // 99.95%
		{"200", "75", "62.5%"},
		{"300", "200", "33.3%"},
		{"100", "100", "0.0%"},
		{"100", "120", "0.0%"}, // a surcharge is not "covered"
		{"0", "0", "0.0%"},
		{"100000", "99999.99", "less than 0.1%"},
	} {
		got := statement.CoveredPercent(statement.Totals{ListCost: m(c.list), BilledCost: m(c.billed)})
		if got != c.want {
			t.Errorf("list %s billed %s: %s, want %s", c.list, c.billed, got, c.want)
		}
	}
	st := &statement.Statement{Totals: statement.Totals{ListCost: m("2400"), BilledCost: m("0")}}
	if s := statement.CoveredSentence(st); s != "Your institution covered $2,400.00 (100.0%) of the list price of the services you used." {
		t.Error(s)
	}
}

func TestCSVAndTemplate(t *testing.T) {
	r := &memReader{PeriodList: []ledger.PeriodInfo{open("2025-01")}, ChargeList: []ledger.Charge{
		charge(1, "2025-01", "a@u.edu", "=HYPERLINK(\"http://x\")", "F", "HPC", "Compute", "2400", "0"),
		charge(2, "2025-01", "b@u.edu", "p", "F", "HPC", "Compute", "1", "1"),
	}, AdjustmentList: []ledger.Adjustment{{ID: 1, Period: "2025-01", PIEmail: "b@u.edu", Amount: d("-1"), Reason: "credit"}}}
	sts := build(t, r, "2025-01", Options{})
	var buf bytes.Buffer
	if err := statement.WriteCSV(&buf, sts); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 { // header, a's line, b's line, b's adjustment
		t.Fatalf("rows %d: %v", len(rows), rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if got := rows[1][col["project_id"]]; !strings.HasPrefix(got, "'=") {
		t.Errorf("formula not defused: %q", got)
	}
	if rows[1][col["list_cost"]] != "2400.00" || rows[1][col["discount"]] != "-2400.00" || rows[1][col["amount_due"]] != "0.00" {
		t.Errorf("row %v", rows[1])
	}
	if rows[3][col["kind"]] != "adjustment" || rows[3][col["adjustment"]] != "-1.00" || rows[3][col["reason"]] != "credit" {
		t.Errorf("adjustment row %v", rows[3])
	}
	tpl, err := statement.ParseTemplate("t", `{{.PI.Email}} {{money .Totals.ListCost}} {{money (neg .Totals.Discount)}} {{covered .}}{{"\n"}}`)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := statement.WriteTemplate(&buf, tpl, sts); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "a@u.edu 2,400.00 2,400.00 100.0%\nb@u.edu 1.00 0.00 0.0%\n" {
		t.Errorf("template output %q", buf.String())
	}
	buf.Reset()
	if err := statement.WriteNDJSON(&buf, sts); err != nil {
		t.Fatal(err)
	}
	back, err := statement.ReadNDJSON(&buf)
	if err != nil || len(back) != 2 || back[0].Totals.Discount.String() != "-2400.00" || back[0].Lines[0].ProjectID != `=HYPERLINK("http://x")` {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

func TestHistory(t *testing.T) {
	r := &memReader{}
	for i, p := range []string{"2023-12", "2024-01", "2024-06", "2024-12", "2025-01", "2025-02"} {
		r.ChargeList = append(r.ChargeList, charge(int64(i), p, "a@u.edu", "p", "F", "HPC", "Compute", "10", "1"))
		r.PeriodList = append(r.PeriodList, ledger.PeriodInfo{Period: p, State: ledger.StateOpen})
	}
	h, err := History(ctx, r, "2025-01")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range h["a@u.edu"] {
		got = append(got, m.Period)
	}
	if strings.Join(got, ",") != "2024-06,2024-12,2025-01" {
		t.Errorf("history months %v, want the 12 months 2024-02..2025-01", got)
	}
}

// TestHistoryUsesTheStatementsRounding: the chart's months are the
// statements' totals (each line rounded once), not the month's charges
// rounded once, so its axis never says a cent less than the list price
// printed beside it (issue 27).
func TestHistoryUsesTheStatementsRounding(t *testing.T) {
	r := &memReader{}
	r.ChargeList = append(r.ChargeList,
		charge(1, "2025-01", "a@u.edu", "p", "F", "HPC", "Compute", "127.185", "1.005"),
		charge(2, "2025-01", "a@u.edu", "p", "F", "HPC", "GPU", "127.185", "1.005"))
	r.PeriodList = []ledger.PeriodInfo{{Period: "2025-01", State: ledger.StateOpen}}
	h, err := History(ctx, r, "2025-01")
	if err != nil {
		t.Fatal(err)
	}
	sts, _, err := Build(ctx, r, "2025-01", Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := h["a@u.edu"]
	if len(m) != 1 || m[0].ListCost.String() != "254.38" || !m[0].ListCost.Equal(sts[0].Totals.ListCost.Decimal) ||
		m[0].BilledCost.String() != "2.02" {
		t.Errorf("history %+v, statement totals %+v (exact sums would give 254.37 and 2.01)", m, sts[0].Totals)
	}
}

// TestDescriptionAndUnderReview: non-usage charges keep their description
// as a line of their own; a draft's line with a charge waiting for review
// is marked, a final statement's never (issue 27).
func TestDescriptionAndUnderReview(t *testing.T) {
	for _, state := range []string{ledger.StateClosed, ledger.StateFinalized} {
		b, err := NewBuilder(ledger.PeriodInfo{Period: "2025-01", State: state}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		use := charge(1, "2025-01", "a@u.edu", "p", "F", "AWS", "Amazon EC2", "10", "10")
		credit := charge(2, "2025-01", "a@u.edu", "p", "F", "AWS", "Amazon EC2", "-4", "-4")
		credit.Description = "Service credit for outage"
		other := charge(3, "2025-01", "a@u.edu", "p", "F", "AWS", "Amazon EC2", "-1", "-1")
		other.Description = "Refund: duplicate bill"
		pending := charge(4, "2025-01", "a@u.edu", "p", "F", "AWS", "Amazon EC2", "5", "5")
		pending.ReviewStatus = "pending"
		for _, c := range []ledger.Charge{use, credit, other, pending} {
			if err := b.Add(&c); err != nil {
				t.Fatal(err)
			}
		}
		sts, err := b.Statements()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range sts[0].Lines {
			got = append(got, fmt.Sprintf("%s|%s|%v", l.BilledCost, l.Description, l.UnderReview))
		}
		want := "15.00||true,-1.00|Refund: duplicate bill|false,-4.00|Service credit for outage|false"
		if state == ledger.StateFinalized {
			want = strings.ReplaceAll(want, "true", "false")
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: lines %v, want %s", state, got, want)
		}
		if statement.HasUnderReview(&sts[0]) != (state != ledger.StateFinalized) {
			t.Errorf("%s: HasUnderReview wrong", state)
		}
	}
}
