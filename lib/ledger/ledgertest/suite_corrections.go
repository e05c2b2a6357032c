package ledgertest

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// Corrections the accounting way (issue 26): typed PIs and funds are
// checked, unknown periods refused, and mistakes are undone by entries
// (void, correct) that name what they correct; nothing refused is written.
func testCorrectionsByEntries(t *testing.T, open Opener) {
	l := open(t)
	const jan = "BillingPeriodStart,BilledCost,ListCost,ServiceName,Tags,x_Flags\n" +
		`2025-01-01T00:00:00Z,10.005,20,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F-A""}",` + "\n" +
		`2025-01-01T00:00:00Z,5,20,S,"{""pi_email"":""k.johnson@@uni"",""fund_org"":""F-B""}",bad-email` + "\n" +
		`2025-01-01T00:00:00Z,0,7,S,"{""pi_email"":""b@uni.edu"",""fund_org"":""F-B""}",` + "\n"
	const feb = "BillingPeriodStart,BilledCost,ListCost,ServiceName,Tags\n" +
		`2025-02-01T00:00:00Z,3,3,S,"{""pi_email"":""b@uni.edu"",""fund_org"":""F-B""}"` + "\n"
	for _, d := range []string{jan, feb} {
		if _, err := importString(t, l, "X", d); err != nil {
			t.Fatal(err)
		}
	}
	refusedWith := func(err error, want string) {
		t.Helper()
		if !ledger.IsRefused(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want a refusal with %q", err, want)
		}
	}
	keys := func(r string) string { return r }

	// A typed PI or fund must be known, or said to be new.
	_, err := l.AssignTags(ctx, tester, []int64{2}, map[string]string{ledger.RolePIEmail: "a@uni.ed"}, keys, ledger.DecideOptions{})
	refusedWith(err, "did you mean a@uni.edu")
	_, err = l.AssignTags(ctx, tester, []int64{2}, map[string]string{ledger.RoleFundOrg: "F-C"}, keys, ledger.DecideOptions{})
	refusedWith(err, "fund/org F-C is not in the ledger")
	_, err = l.AssignTags(ctx, tester, []int64{2}, map[string]string{ledger.RolePIEmail: "k@@uni"}, keys, ledger.DecideOptions{NewPI: true})
	refusedWith(err, "is not an e-mail address")
	// Approving a charge whose PI is no address is refused.
	refusedWith(l.Approve(ctx, tester, []int64{2}, ""), `has pi_email "k.johnson@@uni", which is not an e-mail address`)
	if _, err := l.AssignTags(ctx, tester, []int64{2}, map[string]string{ledger.RolePIEmail: "k@uni.edu", ledger.RoleFundOrg: "F-NEW"}, keys,
		ledger.DecideOptions{NewPI: true, NewFund: true}); err != nil {
		t.Fatal(err)
	}

	// An adjustment names a period the ledger has, or starts one on purpose.
	adj := ledger.Adjustment{Period: "2052-01", PIEmail: "a@uni.edu", FundOrg: "F-A", Amount: decimal.RequireFromString("-4.50"), Reason: "credit"}
	_, err = l.Adjust(ctx, tester, adj)
	refusedWith(err, "period 2052-01 is not in the ledger (the latest is 2025-02)")
	if ps, _ := l.Periods(ctx); len(ps) != 2 {
		t.Errorf("periods after a refused adjustment: %v", ps)
	}
	adj.NewPeriod = true
	id, err := l.Adjust(ctx, tester, adj)
	if err != nil {
		t.Fatal(err)
	}
	refusedWith(l.RemovePeriod(ctx, tester, "2052-01"), "it holds 1 adjustment(s)")
	refusedWith(l.RemovePeriod(ctx, tester, "2025-02"), "it holds 1 import(s)")

	// Void: the opposite amount, same PI and fund, once; a void is not voided.
	voidID, into, err := l.VoidAdjustment(ctx, tester, id, "", "")
	if err != nil || into != "2052-01" {
		t.Fatalf("void %d: %d in %s, %v", id, voidID, into, err)
	}
	as, err := l.Adjustments(ctx, "2052-01")
	if err != nil || len(as) != 2 || !as[1].Amount.Equal(decimal.RequireFromString("4.50")) || as[1].VoidOf != id || as[1].FundOrg != "F-A" {
		t.Fatalf("adjustments after the void: %+v %v", as, err)
	}
	_, _, err = l.VoidAdjustment(ctx, tester, id, "", "")
	refusedWith(err, "already voided by adjustment")
	_, _, err = l.VoidAdjustment(ctx, tester, voidID, "", "")
	refusedWith(err, "is itself the void of adjustment")

	// Correct in a period not finalized: a reassignment.
	res, err := l.CorrectCharge(ctx, tester, ledger.Correction{ChargeID: 4, PIEmail: "a@uni.edu", Reason: "r"}, keys)
	if err != nil || !res.Reassigned {
		t.Fatalf("correct in an open period: %+v %v", res, err)
	}
	// After finalize: a pair in the open period, total unchanged.
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if err := l.FinalizePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	_, err = l.CorrectCharge(ctx, tester, ledger.Correction{ChargeID: 1, PIEmail: "b@uni.edu", Reason: "r"}, keys)
	refusedWith(err, "2 later periods are open (2025-02, 2052-01): say which with --into")
	_, err = l.CorrectCharge(ctx, tester, ledger.Correction{ChargeID: 3, PIEmail: "a@uni.edu", Into: "2025-02", Reason: "r"}, keys)
	refusedWith(err, "was billed 0")
	res, err = l.CorrectCharge(ctx, tester, ledger.Correction{ChargeID: 1, PIEmail: "b@uni.edu", Into: "2025-02", Reason: "not a's"}, keys)
	if err != nil || res.Reassigned || res.Period != "2025-02" || !res.Amount.Equal(decimal.RequireFromString("10.005")) {
		t.Fatalf("correct after finalize: %+v %v", res, err)
	}
	as, err = l.Adjustments(ctx, "2025-02")
	if err != nil || len(as) != 2 {
		t.Fatalf("adjustments of 2025-02: %+v %v", as, err)
	}
	var sum decimal.Decimal
	for _, a := range as {
		sum = sum.Add(a.Amount)
		if a.ChargeID != 1 || a.FundOrg != "F-A" || a.Ref != "2025-01 charge 1" {
			t.Errorf("correction entry %+v: want charge 1, fund F-A, ref", a)
		}
	}
	if !sum.IsZero() || as[0].PIEmail != "a@uni.edu" || !as[0].Amount.IsNegative() || as[1].PIEmail != "b@uni.edu" {
		t.Errorf("correction pair %+v", as)
	}
	// A second move starts from the last owner.
	res, err = l.CorrectCharge(ctx, tester, ledger.Correction{ChargeID: 1, PIEmail: "k@uni.edu", Into: "2025-02", Reason: "not b's"}, keys)
	if err != nil || res.From != "b@uni.edu (F-A)" {
		t.Fatalf("second move: %+v %v", res, err)
	}
	audit, err := l.Audit(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, a := range audit {
		actions[a.Action]++
	}
	if actions["correct"] != 4 || actions["adjust-void"] != 1 || actions["adjust"] != 1 {
		t.Errorf("audit actions %v", actions)
	}
	// An open period that holds nothing can be removed (audited).
	imp, err := importString(t, l, "Y", "BillingPeriodStart,BilledCost,ServiceName,Tags\n"+
		`2025-03-01T00:00:00Z,1,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F-A""}"`+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RemoveImport(ctx, tester, imp.ImportID); err != nil {
		t.Fatal(err)
	}
	if err := l.RemovePeriod(ctx, tester, "2025-03"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Period(ctx, "2025-03"); err == nil {
		t.Error("period 2025-03 still there after its removal")
	}
	refusedWith(l.RemovePeriod(ctx, tester, "2025-01"), "it is finalized")
	if audit, _ = l.Audit(ctx, "2025-03"); len(audit) == 0 || audit[len(audit)-1].Action != "period-remove" {
		t.Errorf("audit of 2025-03: %+v", audit)
	}
}

// --replace refuses another provider's file, and one that shares no
// service with the import it replaces, unless AllowProviderChange.
func testReplaceKeepsTheProvider(t *testing.T, open Opener) {
	l := open(t)
	file := func(provider, service string) string {
		return "BillingPeriodStart,BilledCost,ServiceName,ProviderName,Tags\n" +
			`2025-01-01T00:00:00Z,1,` + service + `,` + provider + `,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}"` + "\n"
	}
	imp := func(data string, allow bool) error {
		_, err := l.Import(ctx, tester, strings.NewReader(data), ledger.ImportOptions{Source: "AWS", FileName: "f.csv",
			Tags: tagkeys.Default(), Replace: true, AllowProviderChange: allow})
		return err
	}
	if err := imp(file("Amazon", "EC2"), false); err != nil {
		t.Fatal(err)
	}
	// Late usage of another service, same provider: the same source.
	if err := imp(file("Amazon", "EC2")+`2025-01-01T00:00:00Z,2,S3,Amazon,"{""pi_email"":""a@uni.edu"",""fund_org"":""F""}"`+"\n", false); err != nil {
		t.Fatalf("a corrected re-export: %v", err)
	}
	if err := imp(file("Research Computing", "EC2"), false); !ledger.IsRefused(err) || !strings.Contains(err.Error(), "provider (Research Computing) is not that of import 2") {
		t.Errorf("another provider: %v", err)
	}
	if err := imp(file("Amazon", "HPC Compute"), false); !ledger.IsRefused(err) || !strings.Contains(err.Error(), "none of the file's services (HPC Compute)") {
		t.Errorf("no service in common: %v", err)
	}
	if err := imp(file("Research Computing", "HPC Compute"), true); err != nil {
		t.Errorf("with AllowProviderChange: %v", err)
	}
}

// Remembered owners fill gaps only: a later import's row of the resource
// without a PI (or with no address) takes the rule's; a row with a valid
// PI keeps its own, flagged or not.
func testOwnerRulesFillGaps(t *testing.T, open Opener) {
	l := open(t)
	const jan = "BillingPeriodStart,BilledCost,ServiceName,ResourceId,Tags,x_Flags\n" +
		`2025-01-01T00:00:00Z,1,S,r1,"{""fund_org"":""F""}",` + "\n" +
		`2025-01-01T00:00:00Z,1,S,r2,"{""pi_email"":""b@uni.edu"",""fund_org"":""F""}",` + "\n"
	if _, err := importString(t, l, "X", jan); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AssignTags(ctx, tester, []int64{1}, map[string]string{ledger.RolePIEmail: "b@uni.edu"}, func(r string) string { return r },
		ledger.DecideOptions{Remember: true}); err != nil {
		t.Fatal(err)
	}
	const feb = "BillingPeriodStart,BilledCost,ServiceName,ResourceId,Tags,x_Flags\n" +
		`2025-02-01T00:00:00Z,1,S,r1,"{""fund_org"":""F""}",` + "\n" +
		`2025-02-01T00:00:00Z,2,S,r1,"{""pi_email"":""c@uni.edu"",""fund_org"":""F""}",watch` + "\n" +
		`2025-02-01T00:00:00Z,3,S,r1,"{""pi_email"":""c@@uni"",""fund_org"":""F""}",bad-email` + "\n"
	res, err := importString(t, l, "X", feb)
	if err != nil {
		t.Fatal(err)
	}
	if res.RulesApplied[1] != 2 {
		t.Errorf("rule 1 filled %v, want 2 rows", res.RulesApplied)
	}
	items, err := l.ReviewItems(ctx, "2025-02", "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range items {
		got[it.BilledCost] = it.PIEmail + " " + it.Status + " " + it.DecidedBy
	}
	want := map[string]string{"1": "b@uni.edu approved rule 1", "2": "c@uni.edu pending ", "3": "b@uni.edu approved rule 1"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("row billed %s: %q, want %q", k, got[k], w)
		}
	}
	rules, err := l.OwnerRules(ctx)
	if err != nil || len(rules) != 1 || rules[0].Uses != 2 || rules[0].LastUsedAt == "" || rules[0].ResourceID != "r1" {
		t.Errorf("rules %+v %v", rules, err)
	}
	if err := l.RemoveOwnerRule(ctx, tester, 1); err != nil {
		t.Fatal(err)
	}
	if rules, _ := l.OwnerRules(ctx); len(rules) != 0 {
		t.Errorf("rules after remove: %+v", rules)
	}
}
