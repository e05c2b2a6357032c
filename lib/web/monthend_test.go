package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/journal"
	"github.com/openchargeback/ocb/lib/ledger"
)

func journalSettings(t *testing.T) *JournalSettings {
	t.Helper()
	a, err := journal.ReadAccounts(strings.NewReader("source,service,service_category,income_fund,income_account,cost_center,expense_account\n*,*,,RC-FUND,4100,RC-CC,6100\n"), "accounts.csv")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := journal.LoadTemplate("generic", "")
	if err != nil {
		t.Fatal(err)
	}
	return &JournalSettings{Accounts: a, Template: tmpl, Format: "generic"}
}

func fundedLedger() *memLedger {
	l := sampleLedger()
	l.charges = l.charges[:2] // two PIs with real addresses
	for i := range l.charges {
		l.charges[i].FundOrg = "NSF-ATM-2024"
	}
	return l
}

func TestStatementsZipAndCSV(t *testing.T) {
	h := newHarness(t, fundedLedger())
	b := h.loggedIn("vic")
	r := b.get("/statements?period=2025-01")
	mustContain(t, r, `href="/statements.zip?period=2025-01&amp;by=pi"`, "every PDF in one zip (DRAFT)", "the statements as CSV (DRAFT)")

	r = b.get("/statements.zip?period=2025-01")
	wantCode(t, r, http.StatusOK)
	if cd := r.Hdr.Get("Content-Disposition"); cd != `attachment; filename="statements-2025-01-DRAFT.zip"` {
		t.Errorf("zip name: %s", cd)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 {
		t.Fatalf("zip has %d files, want 2", len(zr.File))
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "2025-01/2025-01_") || !strings.HasSuffix(f.Name, ".pdf") {
			t.Errorf("zip entry %q is not named as focus-statement --pdf-dir names it", f.Name)
		}
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.Contains(pdfText(t, body), "DRAFT") {
			t.Errorf("%s: a draft PDF without DRAFT", f.Name)
		}
	}
	r = b.get("/statements.csv?period=2025-01&by=project")
	wantCode(t, r, http.StatusOK)
	if cd := r.Hdr.Get("Content-Disposition"); cd != `attachment; filename="statements-2025-01-by-project-DRAFT.csv"` {
		t.Errorf("csv name: %s", cd)
	}
	if !strings.HasPrefix(r.Body, "statement_id,") || !strings.Contains(r.Body, ",draft,") {
		t.Errorf("csv:\n%s", r.Body)
	}
	// The finalized month: no DRAFT in the name.
	r = b.get("/statements.zip?period=2024-12")
	if cd := r.Hdr.Get("Content-Disposition"); cd != `attachment; filename="statements-2024-12.zip"` {
		t.Errorf("final zip name: %s", cd)
	}
	wantCode(t, b.get("/statements.zip?period=1999-01"), http.StatusNotFound)
}

func TestJournalPage(t *testing.T) {
	l := fundedLedger()
	h := newHarness(t, l, func(c *Config) { c.Journal = journalSettings(t) })
	wantCode(t, h.loggedIn("rev").get("/journal?period=2025-01"), http.StatusForbidden)
	b := h.loggedIn("ada")
	r := b.get("/journal?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "Trial journal", "RC-2025-01-DRAFT", "balanced", "$900.00", "focus-journal: journal RC-2025-01-DRAFT (includes draft statements: trial only)")
	r = b.get("/journal.csv?period=2025-01")
	wantCode(t, r, http.StatusOK)
	if cd := r.Hdr.Get("Content-Disposition"); cd != `attachment; filename="journal-RC-2025-01-DRAFT.csv"` {
		t.Errorf("journal name: %s", cd)
	}
	if !strings.Contains(r.Body, "NSF-ATM-2024") || !strings.Contains(r.Body, "4100") {
		t.Errorf("journal:\n%s", r.Body)
	}
	// A line without a fund: refused, with focus-journal's reason.
	l.charges[1].FundOrg = ""
	r = b.get("/journal?period=2025-01")
	mustContain(t, r, "is refused", "fund_org")
	wantCode(t, b.get("/journal.csv?period=2025-01"), http.StatusConflict)

	// Without --accounts the page says so in words, not flags.
	h2 := newHarness(t, fundedLedger())
	r = h2.loggedIn("ada").get("/journal?period=2025-01")
	mustContain(t, r, "not set up on this server")
	if strings.Contains(r.Body, "--accounts") {
		t.Error("the page talks CLI")
	}
}

func TestNewSiteImportPageSaysTheFirstImportCreatesTheLedger(t *testing.T) {
	lazy := NewLazyBackend()
	h := newHarness(t, lazy, func(c *Config) {
		c.Sessions = lazy
		c.Import = func(context.Context, Actor, ImportRequest) ([]FileReport, error) { return nil, nil }
	})
	b := h.loggedIn("ada")
	mustContain(t, b.get("/dashboard"), "the first import creates the ledger")
	r := b.get("/import")
	mustContain(t, r, `id="no-ledger"`, "there is no ledger yet")
	if strings.Contains(r.Body, "focus-") {
		t.Errorf("the import page talks CLI:\n%s", r.Body)
	}
	// The session survives the ledger's arrival.
	if err := lazy.Set(context.Background(), fundedLedger()); err != nil {
		t.Fatal(err)
	}
	r = b.get("/import")
	wantCode(t, r, http.StatusOK)
	if strings.Contains(r.Body, `id="no-ledger"`) {
		t.Error("still says there is no ledger")
	}
}

// TestAuditPage: every change is listed, filtered by period, user and
// action, and downloaded as CSV without a cell a spreadsheet would run.
func TestAuditPage(t *testing.T) {
	b := realLedger(t)
	h := newHarness(t, b)
	wantCode(t, h.loggedIn("rev").get("/audit"), http.StatusForbidden)
	admin := h.loggedIn("ada")
	wantCode(t, admin.post("/periods/2025-01/close", url.Values{"seen": {"open"}}), http.StatusSeeOther)
	if _, err := b.Ledger.Adjust(context.Background(), ledger.Actor{User: "=evil", Origin: "cli"}, ledger.Adjustment{
		Period: "2025-01", PIEmail: "ada.lovelace@uni.edu", FundOrg: "NSF-ATM-2024", Amount: dec("-1"), Reason: "=HYPERLINK(\"http://x\")", NewPI: true}); err != nil {
		t.Fatal(err)
	}
	r := admin.get("/audit")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "Download these 7 record(s)", "period-close", "=HYPERLINK")
	r = admin.get("/audit?period=2025-01&user=ada")
	mustContain(t, r, ">ada<", "close")
	if strings.Contains(r.Body, "=evil") && strings.Contains(r.Body, `<td class="ident">=evil</td>`) {
		t.Error("the user filter let another user's record through")
	}
	r = admin.get("/audit.csv?period=2025-01&user=%3Devil")
	wantCode(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "'=evil") || !strings.Contains(r.Body, `'=HYPERLINK`) || strings.Contains(r.Body, ",=") {
		t.Errorf("audit CSV is not formula-safe:\n%s", r.Body)
	}
	if strings.Contains(r.Body, ",ada,") {
		t.Errorf("audit CSV ignores the user filter:\n%s", r.Body)
	}
}

// TestOneErrorOnce: the wrong month's 31 identical complaints are one line
// with the count and the first rows.
func TestOneErrorOnce(t *testing.T) {
	var in []string
	in = append(in, "aws.csv:1: warning: 16 FOCUS 1.0 mandatory column(s) missing [spec-mandatory-columns]")
	for i := 2; i <= 32; i++ {
		in = append(in, fmt.Sprintf(`aws.csv:%d: BillingPeriodStart: "2025-01-0%d" is not in --period 2025-02 [period-mismatch]`, i, i%9+1))
	}
	in = append(in, "aws.csv:7: Tags: pi_email is missing [missing-tag]", "something else entirely")
	got := groupDiagnostics(in)
	want := []string{
		"aws.csv:1: warning: 16 FOCUS 1.0 mandatory column(s) missing [spec-mandatory-columns]",
		`aws.csv:2: BillingPeriodStart: "2025-01-03" is not in --period 2025-02 [period-mismatch] — the same on 31 rows: lines 2, 3, 4, 5, 6 and 26 more`,
		"aws.csv:7: Tags: pi_email is missing [missing-tag]",
		"something else entirely",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNoCLITalk: the ledger's command-line advice reaches a web page as
// what to do on the page, never as a flag to pass.
func TestNoCLITalk(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"import a.csv: no BillingPeriodStart column: give --period YYYY-MM", "import a.csv: no BillingPeriodStart column: give the period in the form"},
		{"source AWS already has import 3 for period 2025-01 with different content: use --replace to replace it (or `focus-load remove 3`)",
			`source AWS already has import 3 for period 2025-01 with different content: tick "Replace an earlier file of this source" to replace it`},
		{"charge 7 is not pending: approved by ada; give --any to change that decision", "charge 7 is not pending: approved by ada: it has been decided already"},
		{"ada@uni.edu has charges on 2 funds in 2025-01 (A, B): say which one with --fund", "ada@uni.edu has charges on 2 funds in 2025-01 (A, B): choose one of them as the fund in the form"},
		{"period 2025-01 is finalized: put the adjustment in the next open period with --ref \"2025-01 ...\"", "period 2025-01 is finalized: put the adjustment in the next open period with a reference to what it corrects (\"2025-01 ...\")"},
		{`wrong.csv:2: BillingPeriodStart: "2025-01-01" is not in --period 2025-02 [period-mismatch]`, `wrong.csv:2: BillingPeriodStart: "2025-01-01" is not in period 2025-02 [period-mismatch]`},
		{"--reason is required: the PI reads it on the statement", "A reason is required: the PI reads it on the statement"},
		{"PI ada.lovlace@uni.edu is not in the ledger; did you mean ada.lovelace@uni.edu?; if it is a new PI, give --new-pi",
			"PI ada.lovlace@uni.edu is not in the ledger; did you mean ada.lovelace@uni.edu?; if it is a new PI, tick “new PI”"},
		{"adjustment 4 is in finalized period 2025-01 and 2 later periods are open (2025-02, 2025-03): say which with --into",
			"adjustment 4 is in finalized period 2025-01 and 2 later periods are open (2025-02, 2025-03): an admin posts it from the command line, into the period they choose"},
		{"charge 9 is in finalized period 2025-01 and no later period is open: give --into PERIOD (with --new-period to start it)",
			"charge 9 is in finalized period 2025-01 and no later period is open: an admin posts it from the command line, into a period they name"},
	} {
		got := webWords(c.in)
		if got != c.want {
			t.Errorf("webWords(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if strings.Contains(got, " --") || strings.Contains(got, "focus-") {
			t.Errorf("still CLI talk: %q", got)
		}
	}
}
