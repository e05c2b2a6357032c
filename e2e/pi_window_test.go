package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/openchargeback/ocb/internal/browsertest"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/mail"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/web"
)

// The PI review window end to end, in a real browser: focus-load closes
// the period, focus-statement makes the drafts, focus-mail --draft --outbox
// writes the e-mails; the PI opens the link from the e-mail, files a
// dispute; the reviewer sees and resolves it (e-mailing the PI); the PI
// page shows the answer; finalize goes through; the link is refused.
//
// OCB_PI_SCREENSHOT=FILE saves the PI page (docs/pi-page.png is made so).

const piCSV = `BillingPeriodStart,BillingPeriodEnd,ListCost,BilledCost,ServiceName,ConsumedQuantity,ConsumedUnit,Tags
2025-01-01,2025-01-31,2400.00,600.00,HPC Compute,1200,Core-Hours,"{""pi_email"":""ada@uni.edu"",""pi_name"":""Ada Lovelace"",""fund_org"":""NSF-ATM-2024"",""project_id"":""climate-modeling""}"
2025-01-01,2025-01-31,180.00,180.00,HPC Storage,3,TB-Months,"{""pi_email"":""ada@uni.edu"",""pi_name"":""Ada Lovelace"",""fund_org"":""NSF-ATM-2024"",""project_id"":""climate-modeling""}"
2025-01-01,2025-01-31,310.25,248.20,HPC GPU,24,GPU-Hours,"{""pi_email"":""ada@uni.edu"",""pi_name"":""Ada Lovelace"",""fund_org"":""NSF-ATM-2024"",""project_id"":""climate-modeling""}"
2025-01-01,2025-01-31,100.00,80.00,HPC Compute,50,Core-Hours,"{""pi_email"":""grace@uni.edu"",""pi_name"":""Grace Hopper"",""fund_org"":""DOE-1"",""project_id"":""compilers""}"
`

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FOCUS_DB=", "FOCUS_SMTP_URL=", "FOCUS_OUTBOX=", "FOCUS_BASE_URL=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out.String(), errb.String())
	}
	return out.String()
}

func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// axe runs the vendored axe-core of lib/web's tests on the page.
func axe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	src, err := os.ReadFile("../lib/web/testdata/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		t.Fatal(err)
	}
	out, err := chromedp.Run(c, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var vs []struct{ ID, Impact, Help string }
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: axe %s (%s): %s", what, v.ID, v.Impact, v.Help)
		}
	}
}

// draftLink finds the PI link in a draft .eml (quoted-printable body).
func draftLink(t *testing.T, file, base string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("=\r\n", "", "=\n", "").Replace(string(b))
	m := regexp.MustCompile(regexp.QuoteMeta(base) + `/pi/[A-Za-z0-9_.-]+`).FindString(s)
	if m == "" {
		t.Fatalf("no PI link in %s:\n%s", file, s)
	}
	return m
}

func TestPIReviewWindowInBrowser(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	if err := os.WriteFile(filepath.Join(dir, "hpc.csv"), []byte(piCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "focus-load", "--db", db, "import", "--source", "HPC", "hpc.csv")
	run(t, dir, "focus-load", "--db", db, "periods", "close", "2025-01")

	// serve (in process, the same lib/web as focus-statement serve) with
	// the link key focus-mail will sign with.
	l, err := ledger.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	linkKeyFile := pilink.KeyFileFor(db)
	linkKey, err := pilink.LoadOrCreateKey(linkKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sessKey, err := web.LoadOrCreateKey(db + ".session-key")
	if err != nil {
		t.Fatal(err)
	}
	users := web.Users{}
	for name, role := range map[string]web.Role{"rev": web.RoleReviewer, "boss": web.RoleAdmin} {
		h, _ := bcrypt.GenerateFromPassword([]byte("password-"+name), bcrypt.MinCost)
		users[name] = web.User{Name: name, Role: role, Hash: h}
	}
	notifyOutbox := filepath.Join(dir, "notify")
	nb, nd, err := mail.NewNotifier(mail.NotifyConfig{Outbox: notifyOutbox, From: "billing@example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv, err := web.New(web.Config{Ledger: &web.LedgerBackend{Ledger: l, Keys: tagkeys.Default()}, Users: users, Key: sessKey,
		LinkKey: linkKey, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Notify: func(ctx context.Context, d web.Dispute) (string, error) {
			m, err := nb.BuildResolution(mail.Resolution{DisputeID: d.ID, Period: d.Period, PIEmail: d.PIEmail, Line: d.Line, Reason: d.Reason, Note: d.Note})
			if err != nil {
				return "", err
			}
			return nd.Deliver(ctx, m)
		}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	// Drafts: statements with PDFs, mailed with --draft into an outbox.
	stmts := run(t, dir, "focus-statement", "--db", db, "--period", "2025-01", "--pdf-dir", "out")
	if err := os.WriteFile(filepath.Join(dir, "statements.ndjson"), []byte(stmts), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, dir, "focus-mail", "--draft", "--final-on", "2025-02-20", "--link-expires", "2099-12-31",
		"--base-url", ts.URL, "--link-key", linkKeyFile, "--outbox", "outbox", "--from", "billing@example.edu",
		"--sent-log", "sent.log", "statements.ndjson")
	var adaID string
	for _, ln := range strings.Split(out, "\n") {
		if f := strings.Split(ln, "\t"); len(f) > 2 && f[2] == "ada@uni.edu" {
			adaID = f[1]
		}
	}
	if adaID == "" {
		t.Fatalf("no draft for ada:\n%s", out)
	}
	link := draftLink(t, filepath.Join(dir, "outbox", adaID+".draft.eml"), ts.URL)
	token := strings.TrimPrefix(link, ts.URL+"/pi/")

	ctx := browsertest.Start(t, "")
	browsertest.Step(t, ctx, "open the link from the e-mail", chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))
	txt := pageText(t, ctx)
	for _, want := range []string{"Your statement for 2025-01", "Draft for your review", "Thursday 20 February 2025",
		"Ada Lovelace", "HPC GPU", "$1,028.20", "Download the statement (PDF)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("PI page lacks %q:\n%s", want, txt)
		}
	}
	axe(t, ctx, "PI page")
	// A phone, dark: still accessible, never scrolls sideways.
	browsertest.Step(t, ctx, "PI page at 390 px", chromedp.EmulateViewport(390, 900), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.setAttribute("data-theme", "dark"); true`)); err != nil {
		t.Fatal(err)
	}
	axe(t, ctx, "PI page at 390 px, dark")
	if over, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`)); err != nil || over > 0 {
		t.Errorf("PI page at 390 px scrolls sideways by %d px (%v)", over, err)
	}
	browsertest.Step(t, ctx, "back to 1100 px",
		chromedp.EmulateViewport(1100, 900), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))

	line := "Source HPC · Service HPC GPU · Project climate-modeling · Fund NSF-ATM-2024 · Unit GPU-Hours"
	browsertest.Step(t, ctx, "file a dispute",
		chromedp.SetValue(chromedp.ID("line"), line),
		chromedp.SendKeys(chromedp.ID("reason"), "We ran no GPU jobs in January: the <gpu> queue was down."),
		chromedp.Click(chromedp.CSS(`form[action$="/dispute#new-dispute"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
	if txt := pageText(t, ctx); !strings.Contains(txt, "your dispute was sent") || !strings.Contains(txt, "the <gpu> queue was down") ||
		!strings.Contains(txt, "open — with the billing office") {
		t.Fatalf("after filing:\n%s", txt)
	}

	// The reviewer sees it, and finalize is blocked.
	browsertest.Step(t, ctx, "reviewer signs in", chromedp.Navigate(ts.URL+"/login?next=/disputes%3Fperiod%3D2025-01"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "rev"), chromedp.SendKeys(chromedp.ID("password"), "password-rev"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/resolve"]`)))
	if txt := pageText(t, ctx); !strings.Contains(txt, line) || !strings.Contains(txt, "(PI, on their statement page)") {
		t.Fatalf("queue:\n%s", txt)
	}
	if out := run(t, dir, "focus-load", "--db", db, "dispute", "list", "--period", "2025-01", "--format", "csv"); !strings.Contains(out, line) || !strings.Contains(out, ",pi") {
		t.Errorf("dispute list:\n%s", out)
	}
	// The reviewer credits the GPU line, then resolves, e-mailing the PI.
	run(t, dir, "focus-load", "--db", db, "adjust", "--period", "2025-01", "--pi", "ada@uni.edu", "--amount", "-248.20", "--reason", "GPU queue outage: January GPU hours credited")
	browsertest.Step(t, ctx, "resolve", chromedp.Navigate(ts.URL+"/disputes?period=2025-01"),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/resolve"] input[name=note]`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/resolve"] input[name=note]`), "Right: the GPU hours are credited (adjustment on your statement)."),
		chromedp.Click(chromedp.CSS(`form[action$="/resolve"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
	if txt := pageText(t, ctx); !strings.Contains(txt, "the PI was e-mailed the resolution") {
		t.Errorf("after resolve:\n%s", txt)
	}
	ents, _ := os.ReadDir(notifyOutbox)
	if len(ents) != 1 || !strings.HasPrefix(ents[0].Name(), "dispute-") {
		t.Errorf("notify outbox: %v", ents)
	}

	// The PI page shows the answer and the revised draft.
	browsertest.Step(t, ctx, "PI page again", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#disputes")))
	txt = pageText(t, ctx)
	for _, want := range []string{"resolved", "Right: the GPU hours are credited", "GPU queue outage", "$780.00"} {
		if !strings.Contains(txt, want) {
			t.Errorf("PI page after resolution lacks %q:\n%s", want, txt)
		}
	}
	if f := os.Getenv("OCB_PI_SCREENSHOT"); f != "" {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Finalize (admin) now goes through; the link is refused afterwards.
	browsertest.Step(t, ctx, "admin signs in", chromedp.Navigate(ts.URL+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "boss"), chromedp.SendKeys(chromedp.ID("password"), "password-boss"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button`)))
	browsertest.Step(t, ctx, "finalize", chromedp.Navigate(ts.URL+"/periods/2025-01/confirm?action=finalize"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/periods/2025-01/finalize"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/periods/2025-01/finalize"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
	browsertest.Step(t, ctx, "link after finalize", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))
	if txt := pageText(t, ctx); !strings.Contains(txt, "This link does not work") || strings.Contains(txt, "Ada") {
		t.Fatalf("after finalize:\n%s", txt)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), token[:24]) {
		t.Errorf("the server log holds the PI token:\n%s", logs.String())
	}
}
