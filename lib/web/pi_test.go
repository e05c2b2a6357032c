package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

var piKey = []byte("pi-link-key-for-tests-0123456789")

// piLedger is a closed period with two PIs: ada (two lines) and grace.
func piLedger(t testing.TB) *LedgerBackend {
	t.Helper()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	data := "BillingPeriodStart,BilledCost,ListCost,ServiceName,ConsumedQuantity,ConsumedUnit,Tags\n" +
		`2025-01-01T00:00:00Z,250.00,1000.00,HPC Compute,500,Core-Hours,"{""pi_email"":""ada@uni.edu"",""pi_name"":""Ada Lovelace"",""fund_org"":""NSF-ATM-2024"",""project_id"":""climate""}"` + "\n" +
		`2025-01-01T00:00:00Z,120.50,120.50,HPC Storage,2,TB-Months,"{""pi_email"":""ada@uni.edu"",""pi_name"":""Ada Lovelace"",""fund_org"":""NSF-ATM-2024"",""project_id"":""climate""}"` + "\n" +
		`2025-01-01T00:00:00Z,80.00,100.00,HPC Compute,40,Core-Hours,"{""pi_email"":""grace@uni.edu"",""fund_org"":""DOE-1"",""project_id"":""compilers""}"` + "\n"
	a := ledger.Actor{User: "t", Origin: "cli"}
	if _, err := l.Import(context.Background(), a, strings.NewReader(data), ledger.ImportOptions{Source: "HPC", Tags: tagkeys.Default()}); err != nil {
		t.Fatal(err)
	}
	if err := l.ClosePeriod(context.Background(), a, "2025-01"); err != nil {
		t.Fatal(err)
	}
	return &LedgerBackend{Ledger: l, Keys: tagkeys.Default()}
}

// piToken signs the link focus-mail --draft would put in pi's draft e-mail.
func piToken(t testing.TB, b *LedgerBackend, pi string, exp time.Time) string {
	t.Helper()
	sts, _, err := build.Build(context.Background(), b, "2025-01", build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.PI.Email == pi {
			tok, err := pilink.Sign(piKey, pilink.Claims{Period: "2025-01", StatementID: st.StatementID, Email: pi, FinalOn: "2025-02-20", Expires: exp})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
	}
	t.Fatalf("no statement of %s", pi)
	return ""
}

func withLinkKey(c *Config) { c.LinkKey = piKey }

// TestPILinkRefusals: forged, tampered, expired, foreign-key, wrong-PI
// and finalized links all get the very same answer (no enumeration).
func TestPILinkRefusals(t *testing.T) {
	b := piLedger(t)
	h := newHarness(t, b, withLinkKey)
	now := h.clock.Now()
	good := piToken(t, b, "ada@uni.edu", now.Add(24*time.Hour))
	pi := h.browser()
	r := pi.get("/pi/" + good)
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "Ada Lovelace", "HPC Compute", "HPC Storage", "$370.50", "Thursday 20 February 2025", "Download the statement (PDF)")
	if r.Hdr.Get("Referrer-Policy") != "no-referrer" || r.Hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", r.Hdr)
	}
	if pdf := pi.get("/pi/" + good + "/pdf"); pdf.Code != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("pdf: %d", pdf.Code)
	}

	p, sig, _ := strings.Cut(good, ".")
	flipped := []byte(p)
	flipped[5] ^= 1
	expired := piToken(t, b, "ada@uni.edu", now.Add(-time.Second))
	otherKey, _ := pilink.Sign([]byte("some-other-key-0123456789abcdef!"), pilink.Claims{Period: "2025-01", StatementID: "2025-01-00000001", Email: "ada@uni.edu", Expires: now.Add(time.Hour)})
	adaID := strings.TrimPrefix(strings.SplitN(strings.SplitN(r.Body, "<dt>Statement</dt><dd>", 2)[1], "<", 2)[0], "")
	wrongPI, _ := pilink.Sign(piKey, pilink.Claims{Period: "2025-01", StatementID: adaID, Email: "grace@uni.edu", Expires: now.Add(time.Hour)})
	noPeriod, _ := pilink.Sign(piKey, pilink.Claims{Period: "2024-12", StatementID: "2024-12-00000001", Email: "ada@uni.edu", Expires: now.Add(time.Hour)})
	cases := map[string]string{
		"forged":     "eyJwIjoiMjAyNS0wMSJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"tampered":   string(flipped) + "." + sig,
		"bad sig":    p + "." + strings.Repeat("A", len(sig)),
		"expired":    expired,
		"other key":  otherKey,
		"wrong PI":   wrongPI,
		"no period":  noPeriod,
		"no token":   "x",
		"truncated":  good[:len(good)-3],
		"pdf forged": "zzz.zzz/pdf",
	}
	var first string
	for name, tok := range cases {
		r := h.browser().get("/pi/" + tok)
		if r.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", name, r.Code)
		}
		if first == "" {
			first = r.Body
		} else if r.Body != first {
			t.Errorf("%s: a different refusal page:\n%s\nvs\n%s", name, r.Body, first)
		}
	}
	mustContain(t, resp{Body: first}, "This link does not work", "stop working when the statements become final")
	if strings.Contains(first, "Ada") || strings.Contains(first, "2025-01") {
		t.Errorf("refusal names the statement: %s", first)
	}
	// The tokens never reach the server log.
	for _, tok := range []string{good, expired, wrongPI} {
		if strings.Contains(h.logs.String(), tok) || strings.Contains(h.logs.String(), tok[:20]) {
			t.Errorf("log holds a token:\n%s", h.logs)
		}
	}
}

func TestPILinkRateLimitedPerAddress(t *testing.T) {
	b := piLedger(t)
	h := newHarness(t, b, withLinkKey)
	c := h.browser()
	for i := 0; i < piMaxBadTokens; i++ {
		if r := c.get("/pi/bad" + strings.Repeat("x", i)); r.Code != http.StatusNotFound {
			t.Fatalf("try %d: %d", i, r.Code)
		}
	}
	good := piToken(t, b, "ada@uni.edu", h.clock.Now().Add(time.Hour))
	r := c.get("/pi/" + good)
	wantCode(t, r, http.StatusTooManyRequests)
	if r.Hdr.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	h.clock.Add(piBadWindow)
	wantCode(t, c.get("/pi/"+good), http.StatusOK)
	// Plain request rate.
	for i := 0; i < piMaxRequests; i++ {
		c.get("/pi/" + good)
	}
	wantCode(t, c.get("/pi/"+good), http.StatusTooManyRequests)
}

// TestPIDisputeFlow over HTTP: CSRF, own lines only, length limit,
// escaping, the reviewer's queue, resolution shown, finalize, link dead.
func TestPIDisputeFlow(t *testing.T) {
	b := piLedger(t)
	h := newHarness(t, b, withLinkKey)
	exp := h.clock.Now().Add(48 * time.Hour)
	ada, grace := piToken(t, b, "ada@uni.edu", exp), piToken(t, b, "grace@uni.edu", exp)
	pi := h.browser()
	r := pi.get("/pi/" + ada)
	wantCode(t, r, http.StatusOK)
	line := "Source HPC · Service HPC Storage · Project climate · Fund NSF-ATM-2024 · Unit TB-Months"
	mustContain(t, r, `<option value="`+line+`"`)
	if strings.Contains(r.Body, "under review") || strings.Contains(r.Body, "under-review") {
		t.Error("a draft with nothing pending carries the under-review mark")
	}

	// No or a wrong CSRF token: refused, nothing recorded.
	wantCode(t, pi.post("/pi/"+ada+"/dispute", url.Values{"csrf": {"nope"}, "line": {line}, "reason": {"x"}}), http.StatusForbidden)
	wantCode(t, h.browser().post("/pi/"+ada+"/dispute", url.Values{"line": {line}, "reason": {"x"}}), http.StatusForbidden)
	// Another PI's line, or a made-up one, is not on grace's statement.
	g := h.browser()
	g.get("/pi/" + grace)
	wantCode(t, g.post("/pi/"+grace+"/dispute", url.Values{"line": {line}, "reason": {"not mine"}}), http.StatusBadRequest)
	// Too long, or empty.
	wantCode(t, pi.post("/pi/"+ada+"/dispute", url.Values{"line": {line}, "reason": {strings.Repeat("é", ledger.MaxPIReason+1)}}), http.StatusBadRequest)
	wantCode(t, pi.post("/pi/"+ada+"/dispute", url.Values{"line": {line}, "reason": {"  "}}), http.StatusBadRequest)
	if ds, _ := b.Disputes(context.Background(), "2025-01"); len(ds) != 0 {
		t.Fatalf("refused forms recorded disputes: %+v", ds)
	}

	r = pi.post("/pi/"+ada+"/dispute", url.Values{"line": {line}, "reason": {`<script>alert("x")</script> we deleted that data`}})
	wantCode(t, r, http.StatusSeeOther)
	r = pi.get(mustURL(r.Hdr.Get("Location")).RequestURI())
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "your dispute was sent", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; we deleted", "open — with the billing office", line)
	if strings.Contains(r.Body, "<script>alert") {
		t.Fatal("reason not escaped on the PI page")
	}

	rev := h.loggedIn("rev")
	r = rev.get("/disputes?period=2025-01")
	mustContain(t, r, line, "ada@uni.edu", "(PI, on their statement page)", "&lt;script&gt;alert")
	if strings.Contains(r.Body, "<script>alert") {
		t.Fatal("reason not escaped in the queue")
	}
	admin := h.loggedIn("ada")
	r = admin.get("/periods/2025-01/confirm?action=finalize")
	mustContain(t, r, "1 dispute(s) open")
	ds, _ := b.Disputes(context.Background(), "2025-01")
	if len(ds) != 1 || ds[0].Origin != "pi" || ds[0].Line != line {
		t.Fatalf("%+v", ds)
	}
	rev.get("/disputes?period=2025-01")
	wantCode(t, rev.post("/disputes/"+itoa(ds[0].ID)+"/resolve", url.Values{"period": {"2025-01"}, "note": {"Storage was <b>yours</b>: no change"}}), http.StatusSeeOther)
	r = pi.get("/pi/" + ada)
	mustContain(t, r, "resolved", "Storage was &lt;b&gt;yours&lt;/b&gt;: no change")

	admin.get("/periods/2025-01/confirm?action=finalize")
	wantCode(t, admin.post("/periods/2025-01/finalize", url.Values{"seen": {"closed"}}), http.StatusSeeOther)
	wantCode(t, pi.get("/pi/"+ada), http.StatusNotFound)
	wantCode(t, pi.post("/pi/"+ada+"/dispute", url.Values{"reason": {"late"}}), http.StatusNotFound)
}

// A link to a per-project statement (focus-statement --by project) works
// too: its id is looked up among the per-project statements.
func TestPILinkPerProjectStatement(t *testing.T) {
	b := piLedger(t)
	h := newHarness(t, b, withLinkKey)
	sts, _, err := build.Build(context.Background(), b, "2025-01", build.Options{By: build.ByProject})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, st := range sts {
		if st.PI.Email == "grace@uni.edu" {
			id = st.StatementID
		}
	}
	tok, err := pilink.Sign(piKey, pilink.Claims{Period: "2025-01", StatementID: id, Email: "grace@uni.edu", Expires: h.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r := h.browser().get("/pi/" + tok)
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, id, "compilers", "It becomes final when the billing office finalizes the period")
}

// TestStatementLinesExplained (issue 27): the staff statement page and the
// PI page show what a credit is (its description, whole), mark the line
// waiting for review with the sentence saying what that means, and show
// list price, discount, adjustments and amount due together.
func TestStatementLinesExplained(t *testing.T) {
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	long := "Service credit for the outage of 14 January under the service level agreement, case 171234567890, applied in full"
	data := "BillingPeriodStart,BilledCost,ListCost,ServiceName,ChargeCategory,ChargeDescription,Tags\n" +
		`2025-01-01T00:00:00Z,250.00,1000.00,HPC Compute,Usage,"$0.01 per core-hour","{""pi_email"":""ada@uni.edu"",""fund_org"":""NSF-1"",""project_id"":""climate""}"` + "\n" +
		`2025-01-01T00:00:00Z,-20.00,-20.00,HPC Compute,Credit,"` + long + `","{""pi_email"":""ada@uni.edu"",""fund_org"":""NSF-1"",""project_id"":""climate""}"` + "\n" +
		// no fund: held for review, still on ada's draft
		`2025-01-01T00:00:00Z,5.00,5.00,HPC Storage,Usage,,"{""pi_email"":""ada@uni.edu"",""project_id"":""climate""}"` + "\n"
	a := ledger.Actor{User: "t", Origin: "cli"}
	if _, err := l.Import(context.Background(), a, strings.NewReader(data), ledger.ImportOptions{Source: "HPC", Tags: tagkeys.Default()}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Adjust(context.Background(), a, ledger.Adjustment{Period: "2025-01", PIEmail: "ada@uni.edu", FundOrg: "NSF-1", Amount: decimal.RequireFromString("-4.50"), Reason: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	if err := l.ClosePeriod(context.Background(), a, "2025-01"); err != nil {
		t.Fatal(err)
	}
	b := &LedgerBackend{Ledger: l, Keys: tagkeys.Default()}
	h := newHarness(t, b, withLinkKey)
	sts, _, err := build.Build(context.Background(), b, "2025-01", build.Options{})
	if err != nil || len(sts) != 1 {
		t.Fatalf("%v %+v", err, sts)
	}
	want := []string{
		"<dt>List price</dt><dd>$985.00</dd>", "<dt>Discount</dt>", "<dt>Adjustments</dt><dd><span class=\"neg\">−$4.50</span></dd>",
		"<dt>Amount due (USD)</dt><dd>$230.50</dd>",
		"<small class=\"wrap\">" + long + "</small>",
		`<strong class="under-review">under review</strong>`,
		template.HTMLEscapeString(statement.UnderReviewSentence),
	}
	staff := h.loggedIn("vic").get("/statements/" + sts[0].StatementID + "?period=2025-01")
	wantCode(t, staff, http.StatusOK)
	mustContain(t, staff, want...)
	if strings.Contains(staff.Body, "per core-hour") {
		t.Error("a usage line's description is shown (it would split every line)")
	}
	pi := h.browser().get("/pi/" + piToken(t, b, "ada@uni.edu", h.clock.Now().Add(time.Hour)))
	wantCode(t, pi, http.StatusOK)
	mustContain(t, pi, want...)
}
