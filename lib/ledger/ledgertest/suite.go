// The ledger suite: every behaviour of lib/ledger that touches the
// database, run on each backend. lib/ledger/sqlite/sqlite_test.go and
// lib/ledger/postgres/postgres_test.go call Test; a new backend's test
// calls it too (see ledger.Backend).

package ledgertest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// Opener returns a new, empty, migrated ledger of the backend under test,
// closed when t ends (t.Cleanup); it may skip t (a server not configured).
type Opener func(t *testing.T) *ledger.Ledger

// Test runs the ledger suite on the backend open opens, one subtest per
// behaviour, in a fixed order, each on a ledger of its own.
func Test(t *testing.T, open Opener) {
	for _, c := range suite {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}

// suite is the order the subtests run in.
var suite = []struct {
	name string
	fn   func(*testing.T, Opener)
}{
	{"MoneyIsExact", testMoneyIsExact},
	{"BadRowLeavesLedgerAsBefore", testBadRowLeavesLedgerAsBefore},
	{"ExportRoundTrip", testExportRoundTrip},
	{"RejectedExcludedAndAssignedReordered", testRejectedExcludedAndAssignedReordered},
	{"SameBytesOtherSourceRefused", testSameBytesOtherSourceRefused},
	{"AnonymousChangesRefused", testAnonymousChangesRefused},
	{"RareTagColumnsStored", testRareTagColumnsStored},
	{"SameFileAgainAfterClose", testSameFileAgainAfterClose},
	{"UnitSeparatorInValues", testUnitSeparatorInValues},
	{"ImportRunsValidateRules", testImportRunsValidateRules},
	{"UnownedRowsAreAlwaysReviewed", testUnownedRowsAreAlwaysReviewed},
	{"SameRowsUnderAnotherSourceRefused", testSameRowsUnderAnotherSourceRefused},
	{"ImportRefusesEveryInvalidSample", testImportRefusesEveryInvalidSample},
	{"HostileCellsRoundTrip", testHostileCellsRoundTrip},
	{"SeenDecisionsDoNotFlipFlop", testSeenDecisionsDoNotFlipFlop},
	{"PIDisputeOriginLineAuditAndFinalize", testPIDisputeOriginLineAuditAndFinalize},
	{"AdjustmentFundResolvedWhenEntered", testAdjustmentFundResolvedWhenEntered},
	{"CorrectionsByEntries", testCorrectionsByEntries},
	{"ReplaceKeepsTheProvider", testReplaceKeepsTheProvider},
	{"OwnerRulesFillGaps", testOwnerRulesFillGaps},
	{"StatementReader", testStatementReader},
	{"SessionsIdleAndRevokeUser", testSessionsIdleAndRevokeUser},
	{"PeriodChargesByImportRanges", testPeriodChargesByImportRanges},
}

var ctx = context.Background()
var tester = ledger.Actor{User: "tester", Origin: "cli"}

func importString(t *testing.T, l *ledger.Ledger, source, data string) (ledger.ImportResult, error) {
	t.Helper()
	return l.Import(ctx, tester, strings.NewReader(data), ledger.ImportOptions{Source: source, FileName: source + ".csv", Tags: tagkeys.Default()})
}

// testdata is the path of a file of the repository's testdata directory,
// wherever the calling backend's test runs.
func testdata(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", name)
}

// testStatementReader runs the StatementReader contract on the backend,
// the contract MemReader and lib/web's fake are held to as well.
func testStatementReader(t *testing.T, open Opener) {
	l := open(t)
	LoadContract(t, l)
	TestStatementReader(t, l, nil)
}

// leftBehind counts what a refused import may have left in a ledger that
// was empty: periods, imports and (withAudit) audit records through the
// API; charges through the database, as no API reads charges outside the
// periods the ledger has, and a charge left without its period or import
// is what the callers look for.
func leftBehind(t *testing.T, l *ledger.Ledger, withAudit bool) int {
	t.Helper()
	ps, err := l.Periods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	imps, err := l.Imports(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	n := len(ps) + len(imps)
	if withAudit {
		recs, err := l.Audit(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		n += len(recs)
	}
	var charges int
	if err := l.DB().QueryRow(`SELECT count(*) FROM charges`).Scan(&charges); err != nil {
		t.Fatal(err)
	}
	return n + charges
}

// periodCharges counts a period's charges, rejected ones included (Counts,
// the figures Copy compares).
func periodCharges(t *testing.T, l *ledger.Ledger, period string) int {
	t.Helper()
	cs, err := l.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Period == period {
			return c.Charges
		}
	}
	return 0
}

func testMoneyIsExact(t *testing.T, open Opener) {
	l := open(t)
	var b strings.Builder
	b.WriteString("BillingPeriodStart,BilledCost,ListCost,ServiceName,Tags\n")
	for i := 0; i < 10; i++ {
		b.WriteString(`2025-01-01T00:00:00Z,0.1,0.00000080000,S,"{""pi_email"":""a@uni.edu""}"` + "\n")
	}
	res, err := importString(t, l, "X", b.String())
	if err != nil {
		t.Fatal(err)
	}
	if !res.BilledCost.Equal(decimal.RequireFromString("1")) || res.BilledCost.String() != "1" {
		t.Fatalf("billed %s", res.BilledCost)
	}
	tot, err := l.MonthlyTotals(ctx, "2025-01", "2025-01")
	if err != nil || len(tot) != 1 {
		t.Fatal(tot, err)
	}
	if tot[0].BilledCost.String() != "1" || tot[0].ListCost.String() != "0.000008" {
		t.Fatalf("totals %s %s", tot[0].BilledCost, tot[0].ListCost)
	}
}

func testBadRowLeavesLedgerAsBefore(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1,S,\n2025-01-01,x,S,\n"
	if _, err := importString(t, l, "X", data); err == nil || !ledger.IsRefused(err) || !strings.Contains(err.Error(), "X.csv:3: BilledCost") {
		t.Fatalf("want refusal naming line 3, got %v", err)
	}
	if n := leftBehind(t, l, true); n != 0 {
		t.Fatalf("%d rows left behind by a refused import", n)
	}
}

func testExportRoundTrip(t *testing.T, open Opener) {
	l := open(t)
	in, err := os.ReadFile(testdata("2025-01/azure.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importString(t, l, "Azure", string(in)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := focus.NewWriter(&out, focus.CSV)
	if _, err := l.ExportCharges(ctx, "2025-01", w); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if out.String() != string(in) {
		t.Fatalf("export differs from import:\n%.400s\n---\n%.400s", out.String(), in)
	}
}

func testRejectedExcludedAndAssignedReordered(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags,x_Flags\n" +
		`2025-01-01,1,S,"{""pi_email"":""b@uni.edu"",""fund_org"":""F""}",` + "\n" +
		`2025-01-01,2,S,"{""pi_email"":""b@uni.edu"",""fund_org"":""F""}",outlier` + "\n" +
		`2025-01-01,4,S,"{""fund_org"":""F""}",missing-tag:pi_email` + "\n"
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	if err := l.Reject(ctx, tester, []int64{2}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AssignTags(ctx, tester, []int64{3}, map[string]string{ledger.RolePIEmail: "A@uni.edu"}, func(r string) string { return r }, ledger.DecideOptions{NewPI: true}); err != nil {
		t.Fatal(err)
	}
	var got []string
	l.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error {
		got = append(got, c.PIEmail+"="+c.BilledCost.String())
		return nil
	})
	if strings.Join(got, " ") != "a@uni.edu=4 b@uni.edu=1" {
		t.Fatalf("charges %v", got)
	}
	tot, err := l.MonthlyTotals(ctx, "2025-01", "2025-01")
	var sums []string
	for _, m := range tot {
		sums = append(sums, m.PIEmail+"="+m.BilledCost.String())
	}
	if err != nil || strings.Join(sums, " ") != "b@uni.edu=1 a@uni.edu=4" && strings.Join(sums, " ") != "a@uni.edu=4 b@uni.edu=1" {
		t.Fatalf("monthly totals %v %v", sums, err)
	}
	items, _ := l.ReviewItems(ctx, "2025-01", "")
	if len(items) != 2 || items[1].Status != "approved" || items[1].Flags != "" {
		t.Fatalf("items %+v", items)
	}
}

func testSameBytesOtherSourceRefused(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1.25,S,\n"
	if _, err := importString(t, l, "AWS", data); err != nil {
		t.Fatal(err)
	}
	res, err := importString(t, l, "AWS", data)
	if err != nil || !res.NoOp || res.ImportID != 1 {
		t.Fatalf("same source again: %+v %v", res, err)
	}
	_, err = importString(t, l, "aws", data)
	if err == nil || !ledger.IsRefused(err) || !strings.Contains(err.Error(), "were imported as source AWS (import 1)") {
		t.Fatalf("same bytes under another source: %v", err)
	}
	if n := periodCharges(t, l, "2025-01"); n != 1 {
		t.Fatalf("%d charges, want 1", n)
	}
}

func testAnonymousChangesRefused(t *testing.T, open Opener) {
	l := open(t)
	for _, a := range []ledger.Actor{{User: "", Origin: "cli"}, {User: "x", Origin: "cron"}} {
		_, err := l.Import(ctx, a, strings.NewReader("BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1,S,\n"), ledger.ImportOptions{Source: "X", Tags: tagkeys.Default()})
		if err == nil {
			t.Fatalf("%+v: import accepted", a)
		}
	}
	var n int
	l.DB().QueryRow(`SELECT count(*) FROM charges`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d charges from anonymous imports", n)
	}
	if _, err := l.Import(ctx, ledger.Actor{User: "web-admin", Origin: "web"}, strings.NewReader("BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1,S,\n"), ledger.ImportOptions{Source: "X", Tags: tagkeys.Default()}); err != nil {
		t.Fatal(err)
	}
	recs, err := l.Audit(ctx, "2025-01")
	if err != nil || len(recs) != 2 || recs[1].Who != "web-admin" || recs[1].Origin != "web" || recs[1].Action != "import" {
		t.Fatalf("audit %+v %v", recs, err)
	}
}

func testRareTagColumnsStored(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n" +
		`2025-01-01,1,S,"{""pi_email"":""A@Uni.edu"",""cost_center"":""CC1"",""end_date"":""2026-06-30""}"` + "\n" +
		`2025-01-01,2,S,"{""pi_email"":""b@uni.edu""}"` + "\n"
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := l.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error {
		got = append(got, c.PIEmail+"|"+c.CostCenter+"|"+c.EndDate+"|"+c.BilledCost.String())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "a@uni.edu|CC1|2026-06-30|1 b@uni.edu|||2" {
		t.Fatalf("charges %v", got)
	}
}

// A regular file seen before is answered from its hash, even after the
// period closed (a nightly job re-running); a changed file still is not.
func testSameFileAgainAfterClose(t *testing.T, open Opener) {
	l := open(t)
	p := filepath.Join(t.TempDir(), "aws.csv")
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1.25,S,\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	imp := func() (ledger.ImportResult, error) {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return l.Import(ctx, tester, f, ledger.ImportOptions{Source: "AWS", FileName: p, Tags: tagkeys.Default()})
	}
	first, err := imp()
	if err != nil || first.NoOp || first.Rows != 1 {
		t.Fatalf("first import %+v %v", first, err)
	}
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	again, err := imp()
	if err != nil || !again.NoOp || again.ImportID != first.ImportID || again.State != ledger.StateClosed || again.SHA256 != first.SHA256 {
		t.Fatalf("same file after close: %+v %v", again, err)
	}
	// Through a pipe (not seekable) the answer is the same.
	pr, pw, _ := os.Pipe()
	go func() { pw.WriteString(data); pw.Close() }()
	res, err := l.Import(ctx, tester, pr, ledger.ImportOptions{Source: "AWS", Tags: tagkeys.Default()})
	if err != nil || !res.NoOp || res.ImportID != first.ImportID || res.State != ledger.StateClosed {
		t.Fatalf("same bytes through a pipe after close: %+v %v", res, err)
	}
	os.WriteFile(p, []byte(data+"2025-01-01,2,S,\n"), 0o644)
	if _, err := imp(); err == nil || !strings.Contains(err.Error(), "period 2025-01 is closed") {
		t.Fatalf("changed file into a closed period: %v", err)
	}
}

func testUnitSeparatorInValues(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,ResourceName,Tags\n" +
		"2025-01-01,1,HPC\x1fCompute,node\x1f1,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\",\"\"project_id\"\":\"\"p\\u001fq\"\"}\"\n"
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := l.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error {
		got = append(got, c.ServiceName, c.ResourceName, c.ProjectID, c.BilledCost.String())
		return nil
	})
	if err != nil || strings.Join(got, "|") != "HPCCompute|node1|pq|1" {
		t.Fatalf("%q %v", got, err)
	}
}
