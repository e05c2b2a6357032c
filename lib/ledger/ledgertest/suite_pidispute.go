package ledgertest

import (
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
)

func testPIDisputeOriginLineAuditAndFinalize(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ListCost,ServiceName,Tags\n" +
		`2025-01-01T00:00:00Z,10,20,Compute,"{""pi_email"":""Ada@uni.edu"",""fund_org"":""F1""}"` + "\n"
	if _, err := importString(t, l, "HPC", data); err != nil {
		t.Fatal(err)
	}
	if err := l.ClosePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	// Someone who is not billed in the period cannot file one.
	if _, err := l.OpenPIDispute(ctx, ledger.PIDispute{Period: "2025-01", PIEmail: "eve@uni.edu", Reason: "x"}); !ledger.IsRefused(err) {
		t.Fatalf("unknown PI: %v", err)
	}
	if _, err := l.OpenPIDispute(ctx, ledger.PIDispute{Period: "2025-01", PIEmail: "ada@uni.edu", Reason: strings.Repeat("x", ledger.MaxPIReason+1)}); !ledger.IsRefused(err) {
		t.Fatalf("long reason: %v", err)
	}
	id, err := l.OpenPIDispute(ctx, ledger.PIDispute{Period: "2025-01", PIEmail: "ADA@uni.edu", Line: "HPC · Compute · F1", Reason: "<b>not mine</b>"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := l.Dispute(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Origin != "pi" || d.OpenedBy != "ada@uni.edu" || d.PIEmail != "ada@uni.edu" || d.Line != "HPC · Compute · F1" || d.ChargeID != 0 || d.Status != "open" {
		t.Fatalf("dispute %+v", d)
	}
	recs, err := l.Audit(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var who, origin, after string
	found := false
	for _, r := range recs {
		if r.Action == "dispute-open" {
			who, origin, after, found = r.Who, r.Origin, r.After, true
			break
		}
	}
	if !found {
		t.Fatal("no dispute-open audit record")
	}
	if who != "ada@uni.edu" || origin != "pi" || !strings.Contains(after, "HPC · Compute · F1") {
		t.Errorf("audit %s %s %s", who, origin, after)
	}
	if err := l.FinalizePeriod(ctx, tester, "2025-01"); !ledger.IsRefused(err) {
		t.Fatalf("finalize with an open PI dispute: %v", err)
	}
	if err := l.ResolveDispute(ctx, tester, id, "credited"); err != nil {
		t.Fatal(err)
	}
	if err := l.FinalizePeriod(ctx, tester, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.OpenPIDispute(ctx, ledger.PIDispute{Period: "2025-01", PIEmail: "ada@uni.edu", Reason: "late"}); !ledger.IsRefused(err) {
		t.Fatalf("finalized: %v", err)
	}
	// Staff disputes record their origin too.
	ds, _ := l.Disputes(ctx, "")
	if len(ds) != 1 || ds[0].Note != "credited" {
		t.Fatalf("%+v", ds)
	}
}
