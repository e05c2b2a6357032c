// The StatementReader contract: the rules the comments of
// ledger.StatementReader state, checked on any reader holding one fixture,
// so a fake (MemReader, lib/web's memLedger) reads as the ledger does.

package ledgertest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// The contract's fixture, in the order it is entered: period 2025-02 is
// created before 2025-01 (Periods must still list 2025-01 first); charge
// ids do not follow PI order; charge 5 is rejected; charge 6 has no PI and
// is assigned one that sorts before the charge ids around it; adjustments
// are entered b, a, b.
type contractImport struct {
	period, source string
	rows           []contractRow
}

type contractRow struct {
	pi      string // as imported ("" = no pi_email tag)
	assign  string // PI assigned by review ("" = none)
	reject  bool
	project string
	fund    string
	service string
	list    string
	billed  string
	outlier bool // flagged, so review can reject it
}

var contractImports = []contractImport{
	{"2025-02", "HPC", []contractRow{
		{pi: "c@uni.edu", project: "p3", fund: "F-C", service: "Compute", list: "3.50", billed: "3"},
		{pi: "a@uni.edu", project: "p1", fund: "F-A", service: "Compute", list: "1.25", billed: "1.25"},
	}},
	{"2025-01", "AWS", []contractRow{
		{pi: "b@uni.edu", project: "p2", fund: "F-B", service: "EC2", list: "10.005", billed: "9.5"},
		{pi: "a@uni.edu", project: "p1", fund: "F-A", service: "S3", list: "0.000001", billed: "0.000001"},
		{pi: "b@uni.edu", project: "p2", fund: "F-B", service: "EC2", list: "100", billed: "100", outlier: true, reject: true},
		{pi: "", assign: "a@uni.edu", project: "p1", fund: "F-A", service: "EC2", list: "4", billed: "4"},
	}},
	{"2025-01", "HPC", []contractRow{
		{pi: "a@uni.edu", project: "p1", fund: "F-A", service: "Compute", list: "-2", billed: "-0.5"},
		{pi: "C@Uni.edu", project: "p3", fund: "F-C", service: "Compute", list: "1.1", billed: "1.1"},
	}},
	{"2025-03", "AWS", []contractRow{
		{pi: "a@uni.edu", project: "p1", fund: "F-A", service: "S3", list: "7", billed: "7"},
	}},
}

var contractAdjustments = []ledger.Adjustment{
	{Period: "2025-01", PIEmail: "b@uni.edu", Amount: decimal.RequireFromString("-1"), Reason: "credit"},
	{Period: "2025-01", PIEmail: "a@uni.edu", Amount: decimal.RequireFromString("2.5"), Reason: "late usage"},
	{Period: "2025-01", PIEmail: "b@uni.edu", Amount: decimal.RequireFromString("0.75"), Reason: "fix"},
}

// contractStates are the periods' states after loading, in creation order.
var contractStates = []ledger.PeriodInfo{
	{Period: "2025-02", State: ledger.StateFinalized},
	{Period: "2025-01", State: ledger.StateClosed},
	{Period: "2025-03", State: ledger.StateOpen},
}

// contractCharges are the fixture's charges as the ledger holds them after
// review, ids 1…n in import order, with the final (lower-cased) PI.
func contractCharges() (cs []ledger.Charge, rejected map[int64]bool) {
	rejected = map[int64]bool{}
	id := int64(0)
	for _, imp := range contractImports {
		for _, r := range imp.rows {
			id++
			pi := strings.ToLower(r.pi)
			if r.assign != "" {
				pi = r.assign
			}
			cs = append(cs, ledger.Charge{ID: id, Source: imp.source, Period: imp.period, PIEmail: pi, ProjectID: r.project,
				FundOrg: r.fund, ServiceName: r.service, ListCost: D(r.list), BilledCost: D(r.billed), Currency: "USD"})
			if r.reject {
				rejected[id] = true
			}
		}
	}
	return cs, rejected
}

// ContractMemReader returns a MemReader holding the contract's fixture as a
// test would fill one: periods, charges and adjustments in the order they
// were entered, rejected charges marked in Rejected.
func ContractMemReader() *MemReader {
	cs, rejected := contractCharges()
	m := &MemReader{ChargeList: cs, Rejected: rejected}
	at := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, p := range contractStates {
		if p.State != ledger.StateOpen {
			p.ClosedAt = at
		}
		if p.State == ledger.StateFinalized {
			p.FinalizedAt = at
		}
		m.PeriodList = append(m.PeriodList, p)
	}
	for i, a := range contractAdjustments {
		a.ID = int64(i + 1)
		a.FundOrg = map[string]string{"a@uni.edu": "F-A", "b@uni.edu": "F-B"}[a.PIEmail]
		m.AdjustmentList = append(m.AdjustmentList, a)
	}
	return m
}

// LoadContract puts the contract's fixture into an empty ledger through its
// API: Import, Assign, Reject, Adjust, ClosePeriod, FinalizePeriod.
func LoadContract(t *testing.T, l *ledger.Ledger) {
	t.Helper()
	id := int64(0)
	assign := map[int64]string{}
	var reject []int64
	for _, imp := range contractImports {
		var b strings.Builder
		b.WriteString("BillingPeriodStart,BilledCost,ListCost,ServiceName,Tags,x_Flags\n")
		for _, r := range imp.rows {
			id++
			var tags []string
			for k, v := range map[string]string{"pi_email": r.pi, "project_id": r.project, "fund_org": r.fund} {
				if v != "" {
					tags = append(tags, fmt.Sprintf(`""%s"":""%s""`, k, v))
				}
			}
			sort.Strings(tags)
			flags := ""
			if r.outlier {
				flags = "outlier"
			}
			fmt.Fprintf(&b, "%s-01,%s,%s,%s,\"{%s}\",%s\n", imp.period, r.billed, r.list, r.service, strings.Join(tags, ","), flags)
			if r.assign != "" {
				assign[id] = r.assign
			}
			if r.reject {
				reject = append(reject, id)
			}
		}
		if _, err := importString(t, l, imp.source, b.String()); err != nil {
			t.Fatalf("contract fixture, import %s %s: %v", imp.period, imp.source, err)
		}
	}
	for id, pi := range assign {
		if err := l.Assign(ctx, tester, []int64{id}, map[string]string{ledger.RolePIEmail: pi}, func(r string) string { return r }); err != nil {
			t.Fatalf("contract fixture, assign %d: %v", id, err)
		}
	}
	if err := l.Reject(ctx, tester, reject, "contract"); err != nil {
		t.Fatalf("contract fixture, reject %v: %v", reject, err)
	}
	for _, a := range contractAdjustments {
		if _, err := l.Adjust(ctx, tester, a); err != nil {
			t.Fatalf("contract fixture, adjustment %+v: %v", a, err)
		}
	}
	for _, p := range contractStates {
		if p.State != ledger.StateOpen {
			if err := l.ClosePeriod(ctx, tester, p.Period); err != nil {
				t.Fatal(err)
			}
		}
		if p.State == ledger.StateFinalized {
			if err := l.FinalizePeriod(ctx, tester, p.Period); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestStatementReader checks that r, holding the contract's fixture
// (LoadContract, ContractMemReader), keeps the rules of
// ledger.StatementReader: Period and its ErrNoPeriod, Periods oldest
// first, EachCharge in PI then id order without rejected charges and
// stopping at fn's error, Adjustments in PI then id order, MonthlyTotals
// over an inclusive range without rejected charges. A subtest named in
// skip is skipped with the reason given: a fake that deviates on purpose
// says so there.
func TestStatementReader(t *testing.T, r ledger.StatementReader, skip map[string]string) {
	for _, c := range readerContract {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := skip[c.name]; ok {
				t.Skip(why)
			}
			c.fn(t, r)
		})
	}
}

var readerContract = []struct {
	name string
	fn   func(*testing.T, ledger.StatementReader)
}{
	{"Period", contractPeriod},
	{"PeriodUnknown", contractPeriodUnknown},
	{"PeriodsOldestFirst", contractPeriodsOldestFirst},
	{"EachChargeByPIThenIDWithoutRejected", contractEachCharge},
	{"EachChargeStopsAtFnError", contractEachChargeStops},
	{"AdjustmentsByPIThenID", contractAdjustmentsOrder},
	{"MonthlyTotalsInclusiveWithoutRejected", contractMonthlyTotals},
}

func showPeriod(p ledger.PeriodInfo) string {
	return fmt.Sprintf("%s %s closed:%v finalized:%v", p.Period, p.State, !p.ClosedAt.IsZero(), !p.FinalizedAt.IsZero())
}

// wantPeriod is a period as the contract shows it: closing times set
// exactly when the state says the period was closed or finalized.
func wantPeriod(p ledger.PeriodInfo) string {
	return fmt.Sprintf("%s %s closed:%v finalized:%v", p.Period, p.State, p.State != ledger.StateOpen, p.State == ledger.StateFinalized)
}

func contractPeriod(t *testing.T, r ledger.StatementReader) {
	for _, want := range contractStates {
		got, err := r.Period(ctx, want.Period)
		if err != nil || showPeriod(got) != wantPeriod(want) {
			t.Errorf("Period(%s) = %s, %v; want %s", want.Period, showPeriod(got), err, wantPeriod(want))
		}
	}
}

func contractPeriodUnknown(t *testing.T, r ledger.StatementReader) {
	if _, err := r.Period(ctx, "2024-12"); !errors.Is(err, ledger.ErrNoPeriod) {
		t.Errorf("Period of an unknown period: %v, want an error wrapping ErrNoPeriod", err)
	}
}

func contractPeriodsOldestFirst(t *testing.T, r ledger.StatementReader) {
	ps, err := r.Periods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, p := range ps {
		got = append(got, showPeriod(p))
	}
	sorted := append([]ledger.PeriodInfo(nil), contractStates...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Period < sorted[j].Period })
	for _, p := range sorted {
		want = append(want, wantPeriod(p))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Periods:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func showCharge(c *ledger.Charge) string {
	return fmt.Sprintf("%d %s %s %s %s %s %s list=%s billed=%s", c.ID, c.Period, c.PIEmail, c.Source, c.ProjectID, c.FundOrg,
		c.ServiceName, c.ListCost.String(), c.BilledCost.String())
}

func contractEachCharge(t *testing.T, r ledger.StatementReader) {
	cs, rejected := contractCharges()
	for _, p := range contractStates {
		var want []string
		var keep []ledger.Charge
		for _, c := range cs {
			if c.Period == p.Period && !rejected[c.ID] {
				keep = append(keep, c)
			}
		}
		sort.Slice(keep, func(i, j int) bool {
			if keep[i].PIEmail != keep[j].PIEmail {
				return keep[i].PIEmail < keep[j].PIEmail
			}
			return keep[i].ID < keep[j].ID
		})
		for i := range keep {
			want = append(want, showCharge(&keep[i]))
		}
		var got []string
		if err := r.EachCharge(ctx, p.Period, func(c *ledger.Charge) error {
			got = append(got, showCharge(c))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("EachCharge(%s):\n%s\nwant\n%s", p.Period, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func contractEachChargeStops(t *testing.T, r ledger.StatementReader) {
	stop := errors.New("stop")
	n := 0
	err := r.EachCharge(ctx, "2025-01", func(*ledger.Charge) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn returning an error: EachCharge %v after %d calls, want that error after 1", err, n)
	}
}

func showAdjustment(a ledger.Adjustment) string {
	return fmt.Sprintf("%d %s %s %s %s %q", a.ID, a.Period, a.PIEmail, a.FundOrg, a.Amount.String(), a.Reason)
}

func contractAdjustmentsOrder(t *testing.T, r ledger.StatementReader) {
	want := map[string][]string{"2025-01": {
		showAdjustment(ledger.Adjustment{ID: 2, Period: "2025-01", PIEmail: "a@uni.edu", FundOrg: "F-A", Amount: D("2.5"), Reason: "late usage"}),
		showAdjustment(ledger.Adjustment{ID: 1, Period: "2025-01", PIEmail: "b@uni.edu", FundOrg: "F-B", Amount: D("-1"), Reason: "credit"}),
		showAdjustment(ledger.Adjustment{ID: 3, Period: "2025-01", PIEmail: "b@uni.edu", FundOrg: "F-B", Amount: D("0.75"), Reason: "fix"}),
	}}
	for _, p := range contractStates {
		as, err := r.Adjustments(ctx, p.Period)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range as {
			got = append(got, showAdjustment(a))
		}
		if strings.Join(got, "\n") != strings.Join(want[p.Period], "\n") {
			t.Errorf("Adjustments(%s):\n%s\nwant\n%s", p.Period, strings.Join(got, "\n"), strings.Join(want[p.Period], "\n"))
		}
	}
}

// contractMonthlyTotals: the order of MonthlyTotals is not part of the
// contract, so both sides are sorted by period, then PI.
func contractMonthlyTotals(t *testing.T, r ledger.StatementReader) {
	cs, rejected := contractCharges()
	for _, rng := range [][2]string{{"2025-01", "2025-02"}, {"2025-03", "2025-03"}, {"2024-01", "2024-12"}} {
		sums := map[[2]string][2]decimal.Decimal{}
		for _, c := range cs {
			if c.Period < rng[0] || c.Period > rng[1] || rejected[c.ID] {
				continue
			}
			k := [2]string{c.Period, c.PIEmail}
			s := sums[k]
			sums[k] = [2]decimal.Decimal{s[0].Add(c.ListCost), s[1].Add(c.BilledCost)}
		}
		var want []string
		for k, s := range sums {
			want = append(want, fmt.Sprintf("%s %s list=%s billed=%s", k[0], k[1], s[0].String(), s[1].String()))
		}
		ts, err := r.MonthlyTotals(ctx, rng[0], rng[1])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ts {
			got = append(got, fmt.Sprintf("%s %s list=%s billed=%s", m.Period, m.PIEmail, m.ListCost.String(), m.BilledCost.String()))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("MonthlyTotals(%s, %s):\n%s\nwant\n%s", rng[0], rng[1], strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
