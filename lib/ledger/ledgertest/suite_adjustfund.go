package ledgertest

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// Every adjustment has a fund from the moment it is entered: --fund, else
// the PI's one fund in the period; none or several is refused then, not by
// focus-journal after the period is final.
func testAdjustmentFundResolvedWhenEntered(t *testing.T, open Opener) {
	l := open(t)
	const data = "BillingPeriodStart,BilledCost,ListCost,ServiceName,Tags\n" +
		`2025-01-01T00:00:00Z,10,20,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F-A"",""project_id"":""p1""}"` + "\n" +
		`2025-01-01T00:00:00Z,5,20,S,"{""pi_email"":""a@uni.edu"",""fund_org"":""F-B"",""project_id"":""p2""}"` + "\n" +
		`2025-01-01T00:00:00Z,7,7,S,"{""pi_email"":""b@uni.edu"",""fund_org"":""F-C""}"` + "\n"
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	adj := func(pi, project, fund string) (ledger.Adjustment, error) {
		id, err := l.Adjust(ctx, tester, ledger.Adjustment{Period: "2025-01", PIEmail: pi, ProjectID: project, FundOrg: fund,
			Amount: decimal.RequireFromString("-1"), Reason: "r", NewPI: pi == "nobody@uni.edu"})
		if err != nil {
			return ledger.Adjustment{}, err
		}
		as, err := l.Adjustments(ctx, "2025-01")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.ID == id {
				return a, nil
			}
		}
		t.Fatalf("adjustment %d not stored", id)
		return ledger.Adjustment{}, nil
	}
	if a, err := adj("B@uni.edu", "", ""); err != nil || a.FundOrg != "F-C" {
		t.Errorf("one fund: %+v %v, want F-C", a, err)
	}
	if a, err := adj("a@uni.edu", "p2", ""); err != nil || a.FundOrg != "F-B" {
		t.Errorf("project's fund: %+v %v, want F-B", a, err)
	}
	if a, err := adj("a@uni.edu", "", "F-A"); err != nil || a.FundOrg != "F-A" {
		t.Errorf("--fund: %+v %v", a, err)
	}
	_, err := adj("a@uni.edu", "", "")
	if !ledger.IsRefused(err) || !strings.Contains(err.Error(), "F-A, F-B") || !strings.Contains(err.Error(), "--fund") {
		t.Errorf("several funds: %v, want a refusal naming F-A, F-B and --fund", err)
	}
	_, err = adj("nobody@uni.edu", "", "")
	if !ledger.IsRefused(err) || !strings.Contains(err.Error(), "no charges with a fund") {
		t.Errorf("no charges: %v, want a refusal", err)
	}
}
