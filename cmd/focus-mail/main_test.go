package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// writeStatements writes n statements (PI i at pi<i>@uni.edu) and their
// PDFs under dir and returns the NDJSON.
func writeStatements(t *testing.T, dir string, emails ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i, email := range emails {
		id := fmt.Sprintf("2025-01-%04d", i+1)
		pdf := []byte("%PDF-1.4\n" + id + "\n\x00\x01\x02\xff\n%%EOF\n")
		path := filepath.Join(dir, id+".pdf")
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pdf)
		m := func(s string) money.Money { v, _ := money.Parse(s); return v }
		st := statement.Statement{
			StatementID: id, Period: "2025-01", Status: statement.StatusFinal, Currency: "USD",
			PI:          statement.Person{Email: email, Name: fmt.Sprintf("PI %d", i+1)},
			Lines:       []statement.Line{{Source: "HPC", Service: "HPC Compute", ListCost: m("100"), Discount: m("-75"), BilledCost: m("25")}},
			Adjustments: []statement.Adjustment{},
			Totals:      statement.Totals{ListCost: m("100"), Discount: m("-75"), BilledCost: m("25"), AmountDue: m("25")},
			PDF:         path, PDFSHA256: hex.EncodeToString(sum[:]),
		}
		if err := enc.Encode(&st); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func runCmd(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if os.Getenv("FOCUS_DB") == "" {
		// The default sent-log sits beside the ledger: keep it in the
		// test's folder, not the package's.
		t.Setenv("FOCUS_DB", filepath.Join(t.TempDir(), "ledger.db"))
	}
	var out, errb bytes.Buffer
	app := newApp(bytes.NewReader(stdin), &out, &errb)
	code = cliutil.Run(app, append([]string{"focus-mail"}, args...))
	return code, out.String(), errb.String()
}

func TestOutboxAndSentLog(t *testing.T) {
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu", "grace@uni.edu")
	outbox, log := filepath.Join(dir, "outbox"), filepath.Join(dir, "sent.log")
	code, out, errs := runCmd(t, in, "--outbox", outbox, "--from", "billing@example.edu", "--sent-log", log)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "2 sent, 0 skipped, 0 failed") {
		t.Errorf("summary: %s", errs)
	}
	for _, f := range []string{"2025-01-0001.eml", "2025-01-0002.eml"} {
		if _, err := os.Stat(filepath.Join(outbox, f)); err != nil {
			t.Error(err)
		}
	}
	code, out, errs = runCmd(t, in, "--outbox", outbox, "--from", "billing@example.edu", "--sent-log", log)
	if code != 0 || !strings.Contains(errs, "0 sent, 2 skipped (2 already sent") || strings.Count(out, "skipped-sent") != 2 {
		t.Fatalf("re-run: exit %d\n%s\n%s", code, out, errs)
	}
}

func TestFailedStatementExitsOne(t *testing.T) {
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu", "bad address")
	code, out, errs := runCmd(t, in, "--outbox", filepath.Join(dir, "o"), "--from", "billing@example.edu")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "1 sent, 0 skipped, 1 failed") || !strings.Contains(errs, "-:2: pi.email:") {
		t.Errorf("stderr:\n%s", errs)
	}
}

func TestDryRunPrintsAndSendsNothing(t *testing.T) {
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu")
	log := filepath.Join(dir, "sent.log")
	code, out, errs := runCmd(t, in, "--dry-run", "--from", "billing@example.edu", "--sent-log", log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "would-send\t2025-01-0001\tada@uni.edu\t") || !strings.Contains(errs, "dry run, nothing sent") {
		t.Errorf("out %q err %q", out, errs)
	}
	if _, err := os.Stat(log); !os.IsNotExist(err) {
		t.Errorf("dry run created the sent-log: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{"--outbox", "x"}, // no --from
		{"--from", "b@example.edu"},
		{"--from", "b@example.edu", "--outbox", "x", "--smtp", "smtp://h"},
		{"--from", "not an address", "--dry-run"},
		{"--from", "b@example.edu", "--smtp", "http://h"},
		{"--from", "b@example.edu", "--smtp", "smtp://h:99999"},
	}
	for _, args := range cases {
		if code, _, errs := runCmd(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

func TestSMTPURLFromEnvConflictsWithOutbox(t *testing.T) {
	t.Setenv("FOCUS_SMTP_URL", "smtp://mail.example.edu")
	code, _, errs := runCmd(t, nil, "--outbox", t.TempDir(), "--from", "b@example.edu")
	if code != 2 || !strings.Contains(errs, "not both") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestWriteTemplatesThenUseThem(t *testing.T) {
	dir := t.TempDir()
	tdir := filepath.Join(dir, "tmpl")
	code, out, errs := runCmd(t, nil, "--write-templates", tdir)
	if code != 0 || strings.Count(out, "\n") != 6 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// A second write refuses to clobber a site's edits.
	if code, _, _ := runCmd(t, nil, "--write-templates", tdir); code != 2 {
		t.Errorf("overwrite: exit %d", code)
	}
	subj := filepath.Join(tdir, "subject.tmpl")
	if err := os.WriteFile(subj, []byte("Your {{.PeriodName}} statement ({{.AmountDue}} due)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := writeStatements(t, dir, "ada@uni.edu")
	code, out, errs = runCmd(t, in, "--dry-run", "--from", "b@example.edu", "--subject-template", subj,
		"--text-template", filepath.Join(tdir, "body.txt.tmpl"), "--html-template", filepath.Join(tdir, "body.html.tmpl"))
	if code != 0 || !strings.Contains(out, `subject "Your January 2025 statement ($25.00 due)"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// A template with an error is a usage error before anything is sent.
	if err := os.WriteFile(subj, []byte("{{.NoSuchField}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, in, "--outbox", filepath.Join(dir, "o"), "--from", "b@example.edu", "--subject-template", subj)
	if code != 2 || !strings.Contains(errs, "NoSuchField") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestErrorsJSON(t *testing.T) {
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu", "not an address")
	code, _, errs := runCmd(t, in, "--outbox", filepath.Join(dir, "o"), "--from", "b@example.edu", "--errors", "json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 2 {
		t.Fatalf("stderr:\n%s", errs)
	}
	var d struct {
		File, Column, Rule, Severity, Message string
		Line                                  int
		StatementID                           string `json:"statement_id"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &d); err != nil {
		t.Fatal(err)
	}
	if d.File != "-" || d.Line != 2 || d.Column != "pi.email" || d.Rule != "bad-address" || d.Severity != "error" ||
		d.StatementID != "2025-01-0002" {
		t.Errorf("diagnostic %+v", d)
	}
	var sum struct {
		Severity     string
		Sent, Failed int
	}
	if err := json.Unmarshal([]byte(lines[1]), &sum); err != nil || sum.Severity != "summary" || sum.Sent != 1 || sum.Failed != 1 {
		t.Errorf("summary %s: %+v %v", lines[1], sum, err)
	}
}

func TestDryRunChecksSMTPURL(t *testing.T) {
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu")
	if code, _, errs := runCmd(t, in, "--dry-run", "--from", "b@example.edu", "--smtp", "smtp://mail.example.edu/x"); code != 2 {
		t.Errorf("bad URL in a dry run: exit %d %s", code, errs)
	}
	// A good URL: nothing is contacted (nothing listens there), exit 0.
	if code, out, errs := runCmd(t, in, "--dry-run", "--from", "b@example.edu", "--smtp", "smtp://127.0.0.1:1"); code != 0 || !strings.HasPrefix(out, "would-send") {
		t.Errorf("exit %d %s %s", code, out, errs)
	}
}

// TestSentRecordKeptByDefault: without --sent-log the record is kept
// beside the ledger (LEDGER.sent-log, shared with serve), so a re-run
// mails nobody twice; a PostgreSQL ledger needs the file named.
func TestSentRecordKeptByDefault(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FOCUS_DB", filepath.Join(dir, "ledger.db"))
	in := writeStatements(t, dir, "ada@uni.edu", "grace@uni.edu")
	outbox := filepath.Join(dir, "outbox")
	if code, out, errs := runCmd(t, in, "--outbox", outbox, "--from", "billing@example.edu"); code != 0 || strings.Count(out, "sent\t") != 2 {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "ledger.db.sent-log")); err != nil {
		t.Fatalf("no default sent record: %v", err)
	}
	code, out, errs := runCmd(t, in, "--outbox", outbox, "--from", "billing@example.edu")
	if code != 0 || strings.Count(out, "skipped-sent") != 2 {
		t.Fatalf("re-run mailed again: exit %d\n%s\n%s", code, out, errs)
	}
	t.Setenv("FOCUS_DB", "postgres://db.example.edu/ledger")
	if code, _, errs := runCmd(t, in, "--outbox", outbox, "--from", "billing@example.edu"); code != 2 || !strings.Contains(errs, "give --sent-log FILE") {
		t.Errorf("PostgreSQL without --sent-log: exit %d\n%s", code, errs)
	}
}
