package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// realLedger is a ledger file with the bundled 2025-01 samples, flagged rows
// marked as focus-flag would.
func realLedger(t *testing.T) *LedgerBackend {
	t.Helper()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for _, src := range []string{"aws", "hpc"} {
		b, err := os.ReadFile("../../testdata/2025-01/" + src + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		lines[0] += ",x_Flags"
		for i := 1; i < len(lines); i++ {
			if strings.Contains(lines[i], "planted-") && !strings.Contains(lines[i], "planted-credit") {
				lines[i] += ",watch"
			} else {
				lines[i] += ","
			}
		}
		if _, err := l.Import(context.Background(), ledger.Actor{User: "t", Origin: "cli"}, strings.NewReader(strings.Join(lines, "\n")+"\n"),
			ledger.ImportOptions{Source: strings.ToUpper(src), Tags: tagkeys.Default()}); err != nil {
			t.Fatal(err)
		}
	}
	return &LedgerBackend{Ledger: l, Keys: tagkeys.Default()}
}

// TestRealLedgerThroughTheWeb drives the web interface over a real SQLite
// ledger: the same rules as focus-load, refusals shown with the ledger's words.
func TestRealLedgerThroughTheWeb(t *testing.T) {
	b := realLedger(t)
	h := newHarness(t, b)
	admin := h.loggedIn("ada")

	r := admin.get("/dashboard?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "2025-01")
	mustContain(t, r, `<p class="tieout">Source total `)

	r = admin.get("/charges?period=2025-01&source=HPC&sort=billed&desc=1")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "HPC GPU")
	r = admin.get("/charges.csv?period=2025-01&flag=watch")
	wantCode(t, r, http.StatusOK)
	if n := strings.Count(strings.TrimSpace(r.Body), "\n"); n != 2 {
		t.Fatalf("CSV of flagged charges has %d rows, want 2:\n%s", n, r.Body)
	}

	items, err := b.ReviewItems(context.Background(), "2025-01", "pending")
	if err != nil || len(items) != 2 {
		t.Fatalf("pending items %v %v", items, err)
	}
	var missingPI, outlier string
	for _, it := range items {
		if it.PIEmail == "" {
			missingPI = itoa(it.ChargeID)
		} else {
			outlier = itoa(it.ChargeID)
		}
	}

	// Finalize needs a closed period, then no pending items: refused with the ledger's message.
	wantCode(t, admin.post("/periods/2025-01/close", url.Values{}), http.StatusSeeOther)
	r = admin.post("/periods/2025-01/finalize", url.Values{})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "cannot finalize period 2025-01", "pending")

	// The ledger refuses approving a charge nobody can be billed for.
	admin.get("/review?period=2025-01")
	r = admin.post("/review", url.Values{"action": {"approve"}, "id": {missingPI}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "has no pi_email")

	// A reviewer assigns and approves; the audit log names the web user.
	rev := h.loggedIn("rev")
	rev.get("/review?period=2025-01")
	wantCode(t, rev.post("/review", url.Values{"action": {"assign"}, "id": {missingPI}, "tag_pi_email": {"ada.lovelace@uni.edu"}, "period": {"2025-01"}}), http.StatusSeeOther)
	// The watch flag still needs a decision: assigning a PI answers only missing-tag.
	wantCode(t, rev.post("/review", url.Values{"action": {"approve"}, "id": {outlier, missingPI}, "period": {"2025-01"}}), http.StatusSeeOther)
	// ...but may not finalize.
	wantCode(t, rev.post("/periods/2025-01/finalize", url.Values{}), http.StatusForbidden)

	admin.get("/dashboard?period=2025-01")
	wantCode(t, admin.post("/periods/2025-01/finalize", url.Values{}), http.StatusSeeOther)
	p, _ := b.Period(context.Background(), "2025-01")
	if p.State != ledger.StateFinalized {
		t.Fatalf("state %s", p.State)
	}
	// Finalized: a further change is refused by the ledger.
	admin.get("/adjustments?period=2025-01")
	r = admin.post("/adjustments", url.Values{"period": {"2025-01"}, "pi": {"ada.lovelace@uni.edu"}, "amount": {"-5"}, "reason": {"late"}})
	if r.Code != http.StatusConflict && r.Code != http.StatusBadRequest {
		t.Fatalf("adjustment on a finalized period: %d\n%s", r.Code, r.Body)
	}
	mustContain(t, r, "finalized")

	audit, _ := b.Audit(context.Background(), "2025-01")
	var web int
	for _, a := range audit {
		if a.Origin == "web" && (a.Who == "rev" || a.Who == "ada") {
			web++
		}
	}
	if web < 3 {
		t.Fatalf("want the web actions audited with their users, got %d: %+v", web, audit)
	}
	// The statement of the reassigned PI is downloadable as a PDF.
	r = admin.get("/statements?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "ada.lovelace@uni.edu")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Twenty reviewers approve or reject the same item from the same page at
// once: the first decision stands, the rest are refused on the page, naming
// who decided.
func TestParallelDecisionsNoLostUpdate(t *testing.T) {
	b := realLedger(t)
	all, err := b.ReviewItems(context.Background(), "2025-01", "pending")
	var id, other string // a billable pending item and another pending one
	for _, it := range all {
		if it.PIEmail != "" && it.FundOrg != "" && id == "" {
			id = strconv.FormatInt(it.ChargeID, 10)
		} else if other == "" {
			other = strconv.FormatInt(it.ChargeID, 10)
		}
	}
	if err != nil || id == "" || other == "" {
		t.Fatalf("review items %v %v", all, err)
	}
	h := newHarness(t, b)
	rev := h.loggedIn("rev")
	rev.get("/review?period=2025-01")
	type result struct {
		action string
		r      resp
	}
	res := make(chan result, 20)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		a := []string{"approve", "reject"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			res <- result{a, rev.post("/review", url.Values{"period": {"2025-01"}, "action": {a}, "id": {id},
				"seen." + id: {"pending"}, "view": {"period=2025-01&status=pending"}})}
		}()
	}
	wg.Wait()
	close(res)
	var won []string
	for x := range res {
		switch x.r.Code {
		case http.StatusSeeOther:
			won = append(won, x.action)
		case http.StatusConflict:
			mustContain(t, x.r, "Charge "+id+" was ", " by rev at ", "after you loaded this page")
		default:
			t.Fatalf("status %d: %s", x.r.Code, x.r.Body)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d decisions applied: %v", len(won), won)
	}
	after, _ := b.ReviewItems(context.Background(), "2025-01", "")
	for _, it := range after {
		if strconv.FormatInt(it.ChargeID, 10) == id && it.Status != map[string]string{"approve": "approved", "reject": "rejected"}[won[0]] {
			t.Fatalf("charge %s is %s, first decision was %s", id, it.Status, won[0])
		}
	}
	// A stale page's decision on two charges: refused on the page, the
	// other charge still selected, the stale one not.
	r := rev.post("/review", url.Values{"period": {"2025-01"}, "action": {"reject"}, "id": {id, other},
		"seen." + id: {"pending"}, "seen." + other: {"pending"}, "view": {"period=2025-01&status=any"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "Charge "+id+" was ", `value="`+other+`" id="c`+other+`" aria-label="Select charge `+other+`" checked`)
	if strings.Contains(r.Body, `value="`+id+`" id="c`+id+`" aria-label="Select charge `+id+`" checked`) {
		t.Error("the stale charge is still selected")
	}
	if strings.Contains(r.Body, "focus-load") {
		t.Error("the web quotes a CLI command")
	}
}

// TestCorrectionsThroughTheWeb (issue 26): the web's forms check a typed PI
// and fund as focus-load does, offer "new PI" / "new fund", void an
// adjustment and move a charge with the same ledger functions.
func TestCorrectionsThroughTheWeb(t *testing.T) {
	b := realLedger(t)
	h := newHarness(t, b)
	rev := h.loggedIn("rev")
	ctx := context.Background()
	items, err := b.ReviewItems(ctx, "2025-01", "pending")
	if err != nil {
		t.Fatal(err)
	}
	var missingPI string
	for _, it := range items {
		if it.PIEmail == "" {
			missingPI = itoa(it.ChargeID)
		}
	}

	// Assign: a typo is refused with the nearest known PI; "new PI" lets a
	// newcomer through.
	rev.get("/review?period=2025-01")
	r := rev.post("/review", url.Values{"action": {"assign"}, "id": {missingPI}, "tag_pi_email": {"ada.lovlace@uni.edu"}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "did you mean ada.lovelace@uni.edu?", "tick “new PI”")
	r = rev.post("/review", url.Values{"action": {"assign"}, "id": {missingPI}, "tag_fund_org": {"NSF-ATM-2042"}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "did you mean NSF-ATM-2024", "tick “new fund”")
	wantCode(t, rev.post("/review", url.Values{"action": {"assign"}, "id": {missingPI}, "tag_pi_email": {"new.faculty@uni.edu"},
		"new_pi": {"1"}, "period": {"2025-01"}}), http.StatusSeeOther)

	// Adjustment and dispute forms: the same check, the same way out.
	rev.get("/adjustments?period=2025-01")
	r = rev.post("/adjustments", url.Values{"period": {"2025-01"}, "pi": {"grace.hoper@uni.edu"}, "amount": {"-5"}, "reason": {"credit"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "did you mean grace.hopper@uni.edu?")
	r = rev.post("/adjustments", url.Values{"period": {"2025-01"}, "pi": {"grace.hopper@uni.edu"}, "amount": {"-5"}, "reason": {"credit"}, "fund_org": {"NEW-FUND-1"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "fund/org NEW-FUND-1 is not in the ledger")
	wantCode(t, rev.post("/adjustments", url.Values{"period": {"2025-01"}, "pi": {"grace.hopper@uni.edu"}, "amount": {"-5"},
		"reason": {"credit"}, "fund_org": {"NEW-FUND-1"}, "new_fund": {"1"}}), http.StatusSeeOther)
	rev.get("/disputes?period=2025-01")
	r = rev.post("/disputes", url.Values{"period": {"2025-01"}, "pi": {"someone.new@uni.edu"}, "reason": {"why"}})
	wantCode(t, r, http.StatusConflict)
	wantCode(t, rev.post("/disputes", url.Values{"period": {"2025-01"}, "pi": {"someone.new@uni.edu"}, "reason": {"why"}, "new_pi": {"1"}}), http.StatusSeeOther)

	// Void: the adjustments page offers it; the reversing entry is linked.
	r = rev.get("/adjustments?period=2025-01")
	mustContain(t, r, `action="/adjustments/1/void"`)
	wantCode(t, rev.post("/adjustments/1/void", url.Values{"period": {"2025-01"}, "reason": {"entered twice"}}), http.StatusSeeOther)
	r = rev.get("/adjustments?period=2025-01")
	mustContain(t, r, "voided by 2", "void of 1", "entered twice")
	if strings.Contains(r.Body, `action="/adjustments/1/void"`) {
		t.Error("a voided adjustment still offers void")
	}
	r = rev.post("/adjustments/1/void", url.Values{"period": {"2025-01"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "already voided by adjustment 2")

	// Move a charge: the charge browser offers it; in an open period it is
	// a reassignment.
	r = rev.get("/charges?period=2025-01")
	mustContain(t, r, `action="/charges/move"`)
	r = rev.post("/charges/move", url.Values{"charge": {"1"}, "pi": {"grace.hoper@uni.edu"}, "reason": {"not Ada's"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "did you mean grace.hopper@uni.edu?")
	wantCode(t, rev.post("/charges/move", url.Values{"charge": {"1"}, "pi": {"grace.hopper@uni.edu"}, "reason": {"not Ada's"}}), http.StatusSeeOther)
	rows, _, err := b.Charges(ctx, ChargeFilter{Period: "2025-01", PI: "grace.hopper@uni.edu"})
	if err != nil {
		t.Fatal(err)
	}
	moved := false
	for _, c := range rows {
		moved = moved || c.ID == 1
	}
	if !moved {
		t.Errorf("charge 1 is not grace's after the move")
	}
	// A viewer is not offered it.
	if r := h.loggedIn("vic").get("/charges?period=2025-01"); strings.Contains(r.Body, `action="/charges/move"`) {
		t.Error("a viewer is offered to move a charge")
	}
}

// TestRememberedOwnersThroughTheWeb: the review form's "remember for this
// resource" keeps a rule; the rules page lists it and an admin removes it.
func TestRememberedOwnersThroughTheWeb(t *testing.T) {
	b := realLedger(t)
	h := newHarness(t, b)
	rev := h.loggedIn("rev")
	items, err := b.ReviewItems(context.Background(), "2025-01", "pending")
	if err != nil {
		t.Fatal(err)
	}
	var missingPI string
	for _, it := range items {
		if it.PIEmail == "" {
			missingPI = itoa(it.ChargeID)
		}
	}
	r := rev.get("/review?period=2025-01")
	mustContain(t, r, `name="remember"`)
	wantCode(t, rev.post("/review", url.Values{"action": {"assign"}, "id": {missingPI}, "tag_pi_email": {"ada.lovelace@uni.edu"},
		"remember": {"1"}, "period": {"2025-01"}}), http.StatusSeeOther)
	r = rev.get("/rules")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "planted-missing-pi-202501", "ada.lovelace@uni.edu", "never")
	if strings.Contains(r.Body, `action="/rules/1/remove"`) {
		t.Error("a reviewer is offered to remove a rule")
	}
	wantCode(t, rev.post("/rules/1/remove", url.Values{}), http.StatusForbidden)
	admin := h.loggedIn("ada")
	r = admin.get("/rules")
	mustContain(t, r, `action="/rules/1/remove"`)
	wantCode(t, admin.post("/rules/1/remove", url.Values{}), http.StatusSeeOther)
	if rules, _ := b.OwnerRules(context.Background()); len(rules) != 0 {
		t.Errorf("rules after removal: %+v", rules)
	}
}
