package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openchargeback/ocb/internal/browsertest"
	"github.com/openchargeback/ocb/lib/mail/smtptest"
)

// The month end of a site that only uses a browser (issue 28): an empty
// folder, `focus-statement passwd` for the first admin, `focus-statement
// serve` (the real binary), and then only the browser: upload, review,
// close, finalize, the zip of final PDFs, the journal, mailed statements.
// The CLI then makes the same period's PDFs and journal, which must be
// byte-identical to the web's, and focus-mail, on the shared sent record,
// mails nobody a second time.

const monthCSV = piCSV + `2025-01-01,2025-01-31,40.00,40.00,HPC Storage,1,TB-Months,"{""pi_email"":""grace@uni.edu"",""pi_name"":""Grace Hopper"",""project_id"":""compilers""}"
`

// fetchB64 downloads path in the page (with the page's session) and
// returns the bytes and the Content-Disposition header.
func fetchInPage(t *testing.T, ctx context.Context, path string) ([]byte, string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	js := `fetch(` + "`" + path + "`" + `).then(async r => {
	  const b = new Uint8Array(await r.arrayBuffer()); let s = "";
	  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
	  return r.status + "\n" + (r.headers.get("Content-Disposition") || "") + "\n" + btoa(s);
	})`
	out, err := chromedp.Run(c, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	parts := strings.SplitN(out, "\n", 3)
	if parts[0] != "200" {
		t.Fatalf("fetch %s: status %s", path, parts[0])
	}
	b, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	return b, parts[1]
}

// checkPage runs axe on the page at 1280 and 390 px, light and dark, and
// checks that at 390 px the page does not scroll sideways.
func checkPage(t *testing.T, ctx context.Context, url, what string) {
	t.Helper()
	for _, w := range []int64{1280, 390} {
		for _, theme := range []string{"light", "dark"} {
			browsertest.Step(t, ctx, what+" at "+theme, chromedp.EmulateViewport(w, 900), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("h1")))
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.setAttribute("data-theme", "`+theme+`"); true`)); err != nil {
				t.Fatal(err)
			}
			axe(t, ctx, fmt.Sprintf("%s, %s, %d px", what, theme, w))
			if w == 390 {
				if over, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`)); err != nil || over > 0 {
					t.Errorf("%s at 390 px scrolls sideways by %d px (%v)", what, over, err)
				}
			}
		}
	}
	browsertest.Step(t, ctx, "back to 1280", chromedp.EmulateViewport(1280, 900))
}

func TestMonthEndFromTheBrowser(t *testing.T) {
	dir := t.TempDir()
	root, _ := filepath.Abs("..")
	bin := func(name string) string { return filepath.Join(binDir, name) }

	// The first admin, as the README says.
	pw := exec.Command(bin("focus-statement"), "passwd", "--user", "boss", "--role", "admin")
	pw.Stdin = strings.NewReader("correct-horse-battery\n")
	line, err := pw.Output()
	if err != nil {
		t.Fatalf("passwd: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), line, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hpc.csv"), []byte(monthCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	smtp := smtptest.Start(t, smtptest.Options{TLS: smtptest.NoTLS})

	// serve in the empty folder: no ledger yet.
	serve := exec.Command(bin("focus-statement"), "serve", "--db", "ledger.db", "--users", "users.txt", "--addr", "127.0.0.1:0",
		"--accounts", filepath.Join(root, "testdata", "accounts.csv"), "--from", "billing@example.edu", "--smtp", smtp.URL())
	serve.Dir = dir
	serve.Env = cleanEnv()
	stderr, _ := serve.StderrPipe()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	sc := bufio.NewScanner(stderr)
	base := ""
	var startup []string
	for base == "" && sc.Scan() {
		startup = append(startup, sc.Text())
		if m := regexp.MustCompile(`(http://127\.0\.0\.1:[0-9]+)/`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("serve did not start:\n%s", strings.Join(startup, "\n"))
	}
	var serveLog syncBuffer
	go io.Copy(&serveLog, stderr)
	if !strings.Contains(strings.Join(startup, "\n"), "no ledger at ledger.db yet") {
		t.Errorf("serve does not say the ledger is missing:\n%s", strings.Join(startup, "\n"))
	}

	ctx := browsertest.Start(t, "")
	browsertest.Step(t, ctx, "sign in", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "boss"), chromedp.SendKeys(chromedp.ID("password"), "correct-horse-battery"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		// Not "h1": the sign-in page has one too, and navigating on while
		// the sign-in is in flight aborts it.
		chromedp.WaitReady(chromedp.CSS(`form[action="/logout"]`)))
	if txt := pageText(t, ctx); !strings.Contains(txt, "the first import creates the ledger") {
		t.Errorf("dashboard of a new site:\n%s", txt)
	}
	checkPage(t, ctx, base+"/import", "import page of a new site")
	if txt := pageText(t, ctx); !strings.Contains(txt, "there is no ledger yet") {
		t.Errorf("import page of a new site:\n%s", txt)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledger.db")); err == nil {
		t.Fatal("a ledger before any import")
	}

	browsertest.Step(t, ctx, "upload", chromedp.Navigate(base+"/import"), chromedp.WaitVisible(chromedp.ID("files")),
		chromedp.SendKeys(chromedp.ID("source"), "HPC"),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{filepath.Join(dir, "hpc.csv")}),
		chromedp.Click(chromedp.CSS(`form[action="/import"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("section h2")))
	if txt := pageText(t, ctx); !strings.Contains(txt, "5 rows") || strings.Contains(txt, "Refused") {
		t.Fatalf("after the upload:\n%s", txt)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledger.db")); err != nil {
		t.Fatalf("the upload made no ledger: %v", err)
	}

	// Review: Grace's storage row has no fund; give it one.
	checkPage(t, ctx, base+"/review?period=2025-01&status=pending", "review queue")
	browsertest.Step(t, ctx, "assign the fund", chromedp.Navigate(base+"/review?period=2025-01&status=pending"),
		chromedp.WaitVisible(chromedp.ID("select-all")), chromedp.Click(chromedp.ID("select-all")),
		chromedp.SendKeys(chromedp.ID("tag_fund_org"), "DOE-1"),
		chromedp.Click(chromedp.CSS(`button[value=assign]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	for i := 0; i < 3; i++ { // whatever is still pending is approved
		browsertest.Step(t, ctx, "pending", chromedp.Navigate(base+"/review?period=2025-01&status=pending"), chromedp.WaitVisible(chromedp.CSS("h1")))
		n, _ := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.querySelectorAll('input[name=id]').length`))
		if n == 0 {
			break
		}
		browsertest.Step(t, ctx, "approve", chromedp.Click(chromedp.ID("select-all")),
			chromedp.Click(chromedp.CSS(`button[value=approve]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	}

	for _, action := range []string{"close", "finalize"} {
		browsertest.Step(t, ctx, action, chromedp.Navigate(base+"/periods/2025-01/confirm?action="+action),
			chromedp.WaitVisible(chromedp.CSS("form.confirm button[type=submit]")),
			chromedp.Click(chromedp.CSS("form.confirm button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	}

	// The final statements: the zip, byte for byte what the CLI writes.
	checkPage(t, ctx, base+"/statements?period=2025-01", "statements page")
	zipBytes, cd := fetchInPage(t, ctx, "/statements.zip?period=2025-01&by=pi")
	if cd != `attachment; filename="statements-2025-01.zip"` {
		t.Errorf("zip name %q", cd)
	}
	stmts := run(t, dir, "focus-statement", "--db", "ledger.db", "--period", "2025-01", "--pdf-dir", "out")
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		t.Fatal(err)
	}
	cli, _ := filepath.Glob(filepath.Join(dir, "out", "2025-01", "*.pdf"))
	if len(zr.File) != len(cli) || len(cli) != 2 {
		t.Fatalf("zip has %d PDFs, the CLI wrote %d", len(zr.File), len(cli))
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		web, _ := io.ReadAll(rc)
		rc.Close()
		want, err := os.ReadFile(filepath.Join(dir, "out", filepath.FromSlash(f.Name)))
		if err != nil {
			t.Errorf("zip entry %s: the CLI has no such file: %v", f.Name, err)
			continue
		}
		if !bytes.Equal(web, want) {
			t.Errorf("%s: the web's PDF differs from the CLI's", f.Name)
		}
	}
	csvBytes, _ := fetchInPage(t, ctx, "/statements.csv?period=2025-01&by=pi")
	if cliCSV := run(t, dir, "focus-statement", "--db", "ledger.db", "--period", "2025-01", "--format", "csv"); string(csvBytes) != cliCSV ||
		!strings.Contains(cliCSV, ",final,") {
		t.Errorf("the web's statements CSV differs from focus-statement --format csv:\nweb:\n%s\ncli:\n%s", csvBytes, cliCSV)
	}

	// The journal: the page's totals and CSV, byte for byte focus-journal's.
	checkPage(t, ctx, base+"/journal?period=2025-01", "journal page")
	if txt := pageText(t, ctx); !strings.Contains(txt, "RC-2025-01") || !strings.Contains(txt, "balanced") || strings.Contains(txt, "Trial") {
		t.Errorf("journal page:\n%s", txt)
	}
	webJournal, cd := fetchInPage(t, ctx, "/journal.csv?period=2025-01")
	if cd != `attachment; filename="journal-RC-2025-01.csv"` {
		t.Errorf("journal name %q", cd)
	}
	if err := os.WriteFile(filepath.Join(dir, "statements.ndjson"), []byte(stmts), 0o644); err != nil {
		t.Fatal(err)
	}
	cliJournal := run(t, dir, "focus-journal", "--accounts", filepath.Join(root, "testdata", "accounts.csv"), "statements.ndjson")
	if !bytes.Equal(webJournal, []byte(cliJournal)) {
		t.Errorf("the web's journal differs from focus-journal's:\nweb:\n%s\ncli:\n%s", webJournal, cliJournal)
	}

	// Mail the final statements from the page; progress until done.
	browsertest.Step(t, ctx, "mail", chromedp.Navigate(base+"/statements?period=2025-01"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/statements/send"] button.primary`)),
		chromedp.Click(chromedp.CSS(`form[action="/statements/send"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("#mail-progress")))
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	err = chromedp.Do(c, chromedp.WaitVisible(chromedp.CSS("#mail-progress:not([data-running])")))
	cancel()
	if err != nil {
		serve.Process.Signal(syscall.SIGQUIT)
		time.Sleep(time.Second)
		t.Fatalf("mailing did not finish: %v\n%s\nserve:\n%s", err, pageText(t, ctx), serveLog.String())
	}
	if txt := pageText(t, ctx); !strings.Contains(txt, "2 of 2 done — 2 sent, 0 failed") || strings.Count(txt, "sent 20") != 2 {
		t.Errorf("after mailing:\n%s", txt)
	}
	if n := len(smtp.Messages()); n != 2 {
		t.Fatalf("the SMTP server got %d messages, want 2", n)
	}
	checkPage(t, ctx, base+"/statements?period=2025-01", "statements page after mailing")
	checkPage(t, ctx, base+"/audit?period=2025-01", "audit page")
	if txt := pageText(t, ctx); !strings.Contains(txt, "period-finalize") || !strings.Contains(txt, "import") {
		t.Errorf("audit page:\n%s", txt)
	}
	auditCSV, _ := fetchInPage(t, ctx, "/audit.csv?period=2025-01&user=boss")
	if !strings.Contains(string(auditCSV), "period-close") {
		t.Errorf("audit CSV:\n%s", auditCSV)
	}
	// focus-mail on the same ledger keeps the same record: nobody twice.
	out := run(t, dir, "focus-mail", "--db", "ledger.db", "--smtp", smtp.URL(), "--from", "billing@example.edu", "statements.ndjson")
	if strings.Count(out, "skipped-sent") != 2 || len(smtp.Messages()) != 2 {
		t.Errorf("focus-mail after the web mailed:\n%s\n%d messages", out, len(smtp.Messages()))
	}
}

// syncBuffer is a bytes.Buffer for one writer and a reader at the end.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// cleanEnv is the environment without the developer's FOCUS_ settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOCUS_") {
			env = append(env, kv)
		}
	}
	return env
}
