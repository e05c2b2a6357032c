package ledgertest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
)

// 20 reviewers decide the same pending item at once from the same page:
// the first decision stands, every other one is refused as stale.
func testSeenDecisionsDoNotFlipFlop(t *testing.T, open Opener) {
	l := open(t)
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags,x_Flags\n" +
		`2025-01-01,2,S,"{""pi_email"":""b@uni.edu"",""fund_org"":""F""}",outlier` + "\n"
	if _, err := importString(t, l, "X", data); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := ledger.Actor{User: fmt.Sprintf("rev%d", i), Origin: "web"}
			seen := ledger.Seen{1: "pending"}
			if i%2 == 0 {
				errs[i] = l.ApproveSeen(ctx, a, []int64{1}, "", seen)
			} else {
				errs[i] = l.RejectSeen(ctx, a, []int64{1}, "", seen)
			}
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("two decisions applied: %d and %d", winner, i)
			}
			winner = i
			continue
		}
		var st *ledger.StaleError
		if !ledger.IsRefused(err) || !errors.As(err, &st) || st.ChargeID != 1 || st.Seen != "pending" {
			t.Errorf("decision %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no decision applied")
	}
	items, _ := l.ReviewItems(ctx, "2025-01", "")
	want := "approved"
	if winner%2 == 1 {
		want = "rejected"
	}
	if items[0].Status != want || items[0].DecidedBy != fmt.Sprintf("rev%d", winner) {
		t.Fatalf("final %s by %s, want %s by rev%d", items[0].Status, items[0].DecidedBy, want, winner)
	}
	var st *ledger.StaleError
	errors.As(errs[(winner+1)%20], &st)
	if msg := st.Error(); !strings.Contains(msg, "charge 1 was "+want+" by rev") || !strings.Contains(msg, "UTC") {
		t.Errorf("message %q", msg)
	}
	// Assign from a stale view is refused too; from the current one it applies.
	if err := l.AssignSeen(ctx, tester, []int64{1}, map[string]string{ledger.RoleProjectID: "p"}, func(r string) string { return r }, ledger.Seen{1: "pending"}); !ledger.IsRefused(err) {
		t.Errorf("stale assign: %v", err)
	}
	if err := l.AssignSeen(ctx, tester, []int64{1}, map[string]string{ledger.RoleProjectID: "p"}, func(r string) string { return r }, ledger.Seen{1: want}); err != nil {
		t.Errorf("assign: %v", err)
	}
}
