package web

import (
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every mutating route with a valid form, and the least role it needs.
var mutations = []struct {
	path string
	form url.Values
	role string
}{
	{"/review", url.Values{"action": {"approve"}, "id": {"2"}, "period": {"2025-01"}}, "rev"},
	{"/adjustments", url.Values{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "amount": {"-10"}, "reason": {"outage"}}, "rev"},
	{"/disputes", url.Values{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "reason": {"not mine"}}, "rev"},
	{"/periods/2025-01/close", url.Values{}, "ada"},
}

func TestMutationsRefuseViewerAndBadCSRF(t *testing.T) {
	for _, m := range mutations {
		t.Run(m.path, func(t *testing.T) {
			l := sampleLedger()
			h := newHarness(t, l)
			// GET never mutates: the route answers 405.
			b := h.loggedIn("ada")
			r := b.get(m.path)
			if !strings.HasPrefix(m.path, "/periods/") && r.Code == http.StatusOK {
				// /review, /adjustments, /disputes have a GET page; it must not have changed anything.
				if len(l.calls) != 0 {
					t.Fatalf("GET %s mutated: %v", m.path, l.calls)
				}
			} else {
				wantCode(t, r, http.StatusMethodNotAllowed)
			}
			// A viewer (and, for period actions, a reviewer) is refused with 403.
			low := []string{"vic"}
			if m.role == "ada" {
				low = append(low, "rev")
			}
			for _, u := range low {
				lb := h.loggedIn(u)
				r := lb.post(m.path, clone(m.form))
				wantCode(t, r, http.StatusForbidden)
				mustContain(t, r, "needs the")
			}
			// Missing and wrong CSRF tokens are refused with 403.
			ok := h.loggedIn(m.role)
			f := clone(m.form)
			f.Set("csrf", "")
			wantCode(t, ok.post(m.path, f), http.StatusForbidden)
			f.Set("csrf", "AAAA"+ok.csrf[4:])
			wantCode(t, ok.post(m.path, f), http.StatusForbidden)
			// Another session's token is no good either.
			other := h.loggedIn(m.role)
			f.Set("csrf", other.csrf)
			wantCode(t, ok.post(m.path, f), http.StatusForbidden)
			// A cross-origin POST with the right token is refused.
			req, _ := http.NewRequest("POST", h.ts.URL+m.path, strings.NewReader(withCSRF(m.form, ok.csrf).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			wantCode(t, ok.do(req), http.StatusForbidden)
			if len(l.calls) != 0 {
				t.Fatalf("refused requests reached the ledger: %v", l.calls)
			}
			// Unauthenticated: to the login page.
			r = h.browser().post(m.path, withCSRF(m.form, ok.csrf))
			wantCode(t, r, http.StatusSeeOther)
			// The right role with the right token succeeds.
			r = ok.post(m.path, clone(m.form))
			wantCode(t, r, http.StatusSeeOther)
			if len(l.calls) == 0 && len(l.adjs) == 0 && len(l.disputes) == 0 {
				t.Fatal("the allowed request did nothing")
			}
		})
	}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func withCSRF(v url.Values, tok string) url.Values {
	out := clone(v)
	out.Set("csrf", tok)
	return out
}

func TestReviewQueueBulk(t *testing.T) {
	l := sampleLedger()
	h := newHarness(t, l)
	b := h.loggedIn("rev")
	r := b.get("/review?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "Review queue — 2025-01", `name="id" value="2"`, `name="id" value="4"`, "outlier", "2 charge(s)")
	if strings.Contains(r.Body, `name="id" value="1"`) {
		t.Error("a clean charge is in the pending queue")
	}
	r = b.post("/review", url.Values{"action": {"approve"}, "id": {"2", "4"}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusSeeOther)
	r = b.get(r.Hdr.Get("Location"))
	mustContain(t, r, "Approved 2 charge(s).", "0 charge(s)")
	if l.charges[1].Review != "approved" || l.charges[3].Review != "approved" || l.calls[0] != "rev/web:approve [2 4]" {
		t.Errorf("not approved as rev from the web: %v %+v", l.calls, l.charges)
	}
	r = b.post("/review", url.Values{"action": {"assign"}, "id": {"4"}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusBadRequest) // assign without a value
	r = b.post("/review", url.Values{"action": {"assign"}, "id": {"4"}, "tag_pi_email": {"carol@uni.edu"}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusSeeOther)
	if l.charges[3].PIEmail != "carol@uni.edu" {
		t.Error("assign did not reach the ledger")
	}
	r = b.post("/review", url.Values{"action": {"drop-table"}, "id": {"4"}})
	wantCode(t, r, http.StatusBadRequest)
	r = b.post("/review", url.Values{"action": {"approve"}, "id": {"4 OR 1=1"}})
	wantCode(t, r, http.StatusBadRequest)
	// A viewer sees the queue but no buttons.
	v := h.loggedIn("vic")
	r = v.get("/review?period=2025-01&status=approved")
	wantCode(t, r, http.StatusOK)
	if strings.Contains(r.Body, `value="approve"`) {
		t.Error("viewer gets review buttons")
	}
}

func TestFinalizedPeriodRefused(t *testing.T) {
	l := sampleLedger()
	l.charges = append(l.charges, ChargeRow{Charge: row(9, "HPC", "ada@uni.edu", "HPC", "1", "1", "", "").Charge})
	l.charges[4].Period = "2024-12"
	h := newHarness(t, l)
	b := h.loggedIn("ada")
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{"/review", url.Values{"action": {"reject"}, "id": {"9"}}},
		{"/adjustments", url.Values{"period": {"2024-12"}, "pi": {"ada@uni.edu"}, "amount": {"5"}, "reason": {"x"}}},
		{"/disputes", url.Values{"period": {"2024-12"}, "pi": {"ada@uni.edu"}, "reason": {"x"}}},
		{"/periods/2024-12/reopen", nil},
	} {
		r := b.post(c.path, c.form)
		wantCode(t, r, http.StatusConflict)
		mustContain(t, r, "Refused: period 2024-12 is finalized")
	}
}

func TestPeriodConfirmAndAction(t *testing.T) {
	l := sampleLedger()
	h := newHarness(t, l)
	b := h.loggedIn("ada")
	r := b.get("/periods/2025-01/confirm?action=finalize")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "Finalize period 2025-01?", "permanent", "The period is open, so it cannot be finalized now")
	r = b.get("/periods/2025-01/confirm?action=close")
	mustContain(t, r, `action="/periods/2025-01/close"`, `name="seen" value="open"`)
	wantCode(t, b.get("/periods/2025-01/confirm?action=explode"), http.StatusNotFound)
	wantCode(t, b.get("/periods/2099-01/confirm?action=close"), http.StatusNotFound)
	wantCode(t, h.loggedIn("rev").get("/periods/2025-01/confirm?action=close"), http.StatusForbidden)
	r = b.post("/periods/2025-01/close", nil)
	wantCode(t, r, http.StatusSeeOther)
	r = b.get(r.Hdr.Get("Location"))
	mustContain(t, r, "The period is closed", "confirm?action=finalize", "confirm?action=reopen")
	if l.periods[1].State != "closed" || l.calls[0] != "ada/web:close 2025-01" {
		t.Errorf("%v %v", l.periods, l.calls)
	}
	wantCode(t, b.post("/periods/2025-01/explode", nil), http.StatusNotFound)
	// The finalize confirm page lists what blocks it, with no button.
	r = b.get("/periods/2025-01/confirm?action=finalize")
	mustContain(t, r, "What stops finalizing", "2 review item(s) pending", `href="/review?period=2025-01"`)
	if strings.Contains(r.Body, `action="/periods/2025-01/finalize"`) {
		t.Error("finalize button shown although review items are pending")
	}
	// A confirm page loaded while the period was open, submitted after
	// another admin closed it: refused on the page, nothing done.
	r = b.post("/periods/2025-01/close", url.Values{"seen": {"open"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "Period 2025-01 became closed", "after you loaded this page")
	if len(l.calls) != 1 {
		t.Errorf("calls %v", l.calls)
	}
}

func TestAdjustmentsAndDisputes(t *testing.T) {
	l := sampleLedger()
	h := newHarness(t, l)
	b := h.loggedIn("rev")
	r := b.get("/adjustments?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "No adjustments.", `<label for="amount">`)
	for _, bad := range []url.Values{
		{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "amount": {"abc"}, "reason": {"x"}},
		{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "amount": {"0"}, "reason": {"x"}},
		{"period": {"2025-01"}, "pi": {"nobody"}, "amount": {"1"}, "reason": {"x"}},
		{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "amount": {"1"}, "reason": {" "}},
		{"period": {"25-1"}, "pi": {"ada@uni.edu"}, "amount": {"1"}, "reason": {"x"}},
	} {
		wantCode(t, b.post("/adjustments", bad), http.StatusBadRequest)
	}
	r = b.post("/adjustments", url.Values{"period": {"2025-01"}, "pi": {"Ada@Uni.edu"}, "amount": {"-1,012.505"}, "reason": {"node <outage>"}})
	wantCode(t, r, http.StatusSeeOther)
	r = b.get(r.Hdr.Get("Location"))
	mustContain(t, r, "Adjustment 1 recorded.", "ada@uni.edu", `<span class="neg">−$1,012.51</span>`, "node &lt;outage&gt;")
	if !l.adjs[0].Amount.Equal(dec("-1012.505")) {
		t.Errorf("amount %s: the exact value must reach the ledger", l.adjs[0].Amount)
	}

	r = b.post("/disputes", url.Values{"period": {"2025-01"}, "pi": {"bob@uni.edu"}, "charge": {"2"}, "reason": {"not my VM"}})
	wantCode(t, r, http.StatusSeeOther)
	r = b.get(r.Hdr.Get("Location"))
	mustContain(t, r, "Dispute 1 opened.", "not my VM", "(1 open)", `action="/disputes/1/resolve"`)
	mustContain(t, b.get("/dashboard?period=2025-01"), `<a href="/disputes?period=2025-01">1</a>`)
	wantCode(t, b.post("/disputes", url.Values{"period": {"2025-01"}, "pi": {"bob@uni.edu"}, "charge": {"x"}, "reason": {"r"}}), http.StatusBadRequest)
	wantCode(t, b.post("/disputes/1/resolve", url.Values{"note": {""}}), http.StatusBadRequest)
	r = b.post("/disputes/1/resolve", url.Values{"note": {"credited"}, "period": {"2025-01"}})
	wantCode(t, r, http.StatusSeeOther)
	r = b.get(r.Hdr.Get("Location"))
	mustContain(t, r, "Dispute 1 resolved.", "credited (rev)", "(0 open)")
	wantCode(t, b.get("/disputes/1/resolve"), http.StatusMethodNotAllowed)
}

func TestChargeBrowser(t *testing.T) {
	l := sampleLedger()
	for i := int64(10); i < 260; i++ {
		l.charges = append(l.charges, row(i, "HPC", fmt.Sprintf("pi%03d@uni.edu", i), "HPC Compute", "1", "0.5", "", ""))
	}
	h := newHarness(t, l)
	b := h.loggedIn("vic")
	r := b.get("/charges?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "254 charge(s), showing 1–100", "Page 1 of 3", `rel="next"`, "<caption>", `aria-sort="ascending"`)
	r = b.get("/charges?period=2025-01&page=3")
	mustContain(t, r, "showing 201–254", `rel="prev"`, "pi259@uni.edu")
	r = b.get("/charges?period=2025-01&source=AWS&sort=billed&dir=desc")
	mustContain(t, r, "3 charge(s)", `aria-sort="descending"`)
	if i, j := strings.Index(r.Body, "Amazon EC2"), strings.Index(r.Body, "Amazon S3"); i < 0 || j < 0 || i > j {
		t.Error("not sorted by billed, descending")
	}
	r = b.get("/charges?period=2025-01&flag=outlier")
	mustContain(t, r, "1 charge(s)", "bob@uni.edu")
	// Unknown sort keys and page numbers are ignored, not passed on.
	wantCode(t, b.get("/charges?period=2025-01&sort=1;DROP&page=-5"), http.StatusOK)

	r = b.get("/charges.csv?period=2025-01&source=AWS")
	wantCode(t, r, http.StatusOK)
	if ct := r.Hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("csv: %v %d rows", err, len(recs))
	}
	if recs[0][0] != "ChargeId" || recs[3][3] != `'=HYPERLINK("http://evil")` || recs[1][12] != "1000.005" {
		t.Errorf("csv rows: %q", recs)
	}
	// The whole view, not one page.
	r = b.get("/charges.csv?period=2025-01")
	if n := strings.Count(r.Body, "\n"); n != 255 {
		t.Errorf("csv has %d lines, want 255", n)
	}
}

// Refusals show on the page they came from, with the entries kept; a
// finalized period has no forms and says why; stale forms are refused.
func TestErrorsWhereTheyHappened(t *testing.T) {
	l := sampleLedger()
	h := newHarness(t, l)
	rev := h.loggedIn("rev")
	// A bad amount: the adjustments page again, the entries kept.
	r := rev.post("/adjustments", url.Values{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "amount": {"abc"}, "reason": {"GPU refund"}})
	wantCode(t, r, http.StatusBadRequest)
	mustContain(t, r, `value="GPU refund"`, `value="ada@uni.edu"`)
	if h1, e, f := strings.Index(r.Body, "<h1>Adjustments — 2025-01</h1>"), strings.Index(r.Body, `role="alert">Give a non-zero amount`),
		strings.Index(r.Body, `method="post" action="/adjustments"`); !(h1 >= 0 && h1 < e && e < f) {
		t.Errorf("the error is not between the title and the form: %d %d %d", h1, e, f)
	}
	// Two people enter the same adjustment from pages loaded before either.
	form := url.Values{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "amount": {"-12.50"}, "reason": {"refund"}, "seen": {"0"}}
	wantCode(t, rev.post("/adjustments", maps.Clone(form)), http.StatusSeeOther)
	ada := h.loggedIn("ada")
	ada.get("/adjustments?period=2025-01")
	r = ada.post("/adjustments", form)
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "Adjustment 1 for ada@uni.edu (\u2212$12.50", "was recorded by rev", "after you loaded this page", `name="seen" value="1"`, `value="-12.50"`)
	if len(l.adjs) != 1 {
		t.Fatalf("adjustments %v", l.adjs)
	}
	// A dispute resolved by someone else meanwhile.
	rev.post("/disputes", url.Values{"period": {"2025-01"}, "pi": {"ada@uni.edu"}, "reason": {"too high"}})
	wantCode(t, rev.post("/disputes/1/resolve", url.Values{"period": {"2025-01"}, "note": {"credited"}}), http.StatusSeeOther)
	r = ada.post("/disputes/1/resolve", url.Values{"period": {"2025-01"}, "note": {"no change"}})
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "<h1>Disputes — 2025-01</h1>", "Dispute 1 was resolved by rev", "after you loaded this page", `&#34;credited&#34;`)
	// A finalized period: no forms anywhere, a line saying why.
	for _, path := range []string{"/review?period=2024-12", "/adjustments?period=2024-12", "/disputes?period=2024-12"} {
		r = rev.get(path)
		wantCode(t, r, http.StatusOK)
		mustContain(t, r, `class="readonly">Period 2024-12 is finalized`)
		if strings.Contains(r.Body, `method="post" action="/review"`) || strings.Contains(r.Body, `method="post" action="/adjustments"`) ||
			strings.Contains(r.Body, `method="post" action="/disputes`) {
			t.Errorf("%s: a form on a finalized period", path)
		}
	}
}
