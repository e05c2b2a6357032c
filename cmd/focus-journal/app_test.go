package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/cliutil"
)

const (
	accounts = "../../testdata/accounts.csv"
	sample   = "../../lib/journal/testdata/statements-2025-01.ndjson"
)

func runApp(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp(strings.NewReader(stdin), &out, &errb)
	code := cliutil.Run(app, append([]string{"focus-journal"}, args...))
	return code, out.String(), errb.String()
}

func TestJournalSample(t *testing.T) {
	code, out, errs := runApp(t, "", "--accounts", accounts, sample)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := strings.Count(out, "\n"); n != 77 {
		t.Errorf("%d lines of output, want header + 76", n)
	}
	for _, w := range []string{"journal RC-2025-01, period 2025-01, accounting date 2025-01-31, USD", "lines 76  statements 12 (11 posted, 1 with nothing due)",
		"total debits $66,695.37  total credits $66,695.37", "net charged to PI funds $66,563.71 = control total (statements' amount due) $66,563.71",
		"1 statements with a negative amount due: $37.66 credited to PI funds",
		// The sample statements carry no sub-cent sums: nothing to round.
		"source total $66,563.71 = statements $66,563.71 + rounding $0.00"} {
		if !strings.Contains(errs, w) {
			t.Errorf("summary lacks %q:\n%s", w, errs)
		}
	}
	// Same from stdin, with the accounts file (a setting) from the
	// environment; a journal id and date are per run, never from it.
	data, _ := os.ReadFile(sample)
	t.Setenv("FOCUS_ACCOUNTS", accounts)
	t.Setenv("FOCUS_JOURNAL_ID", "RC-STALE")
	t.Setenv("FOCUS_ACCOUNTING_DATE", "2024-01-01")
	t.Setenv("FOCUS_DRAFT", "true")
	code, out2, _ := runApp(t, string(data), "--format", "banner", "--journal-id", "RC-JAN", "--accounting-date", "2025-02-03")
	if code != 0 || !strings.Contains(out2, "RECHARGE,RC-JAN,2025-01-0001,1,2025-02-03,JE16,1405.59,D,") {
		t.Errorf("exit %d:\n%.300s", code, out2)
	}
}

func TestRefusalsWriteNothing(t *testing.T) {
	data, _ := os.ReadFile(sample)
	draft := strings.ReplaceAll(string(data), `"status": "final"`, `"status": "draft"`)
	nofund := strings.Replace(string(data), `"fund_org": "NIH-GM-2024", `, "", -1)
	dir := t.TempDir()
	noEC2 := filepath.Join(dir, "accts.csv")
	src, _ := os.ReadFile(accounts)
	var keep []string
	for _, l := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(l, "AWS,") && !strings.HasPrefix(l, ",,") {
			keep = append(keep, l)
		}
	}
	os.WriteFile(noEC2, []byte(strings.Join(keep, "\n")), 0o644)
	cases := []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"draft", draft, []string{"--accounts", accounts}, 1, "12 of 12 statements are drafts"},
		{"unmapped", string(data), []string{"--accounts", noEC2}, 1, `3 service(s) have no account mapping`},
		{"no fund", nofund, []string{"--accounts", accounts}, 1, "no fund_org to charge [no-fund]"},
		{"bad json", string(data) + "{oops\n", []string{"--accounts", accounts}, 1, "-:13: not a statement"},
		{"empty", "", []string{"--accounts", accounts}, 1, "no statements on input"},
		{"no accounts flag", string(data), nil, 2, "--accounts FILE is required"},
		{"accounts missing", string(data), []string{"--accounts", filepath.Join(dir, "nope.csv")}, 2, "--accounts: open"},
		{"bad accounts", string(data), []string{"--accounts", sample}, 1, "not a CSV accounts file"},
		{"bad format", string(data), []string{"--accounts", accounts, "--format", "sap"}, 2, `unknown format "sap"`},
		{"bad template", string(data), []string{"--accounts", accounts, "--template", filepath.Join(dir, "t.tmpl")}, 2, "--template"},
	}
	for _, c := range cases {
		code, out, errs := runApp(t, c.stdin, c.args...)
		if code != c.code || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d (want %d), stdout %d bytes, stderr:\n%s", c.name, code, c.code, len(out), errs)
		}
	}
	// The unmapped message names every unmapped service, in one message.
	_, _, errs := runApp(t, string(data), "--accounts", noEC2)
	for _, s := range []string{`"Amazon EC2"`, `"Amazon S3"`, `"Amazon SageMaker"`} {
		if !strings.Contains(errs, s) {
			t.Errorf("unmapped message lacks %s:\n%s", s, errs)
		}
	}
	// --draft turns the refusal into a trial journal with its own id.
	code, out, errs := runApp(t, draft, "--accounts", accounts, "--draft")
	if code != 0 || !strings.Contains(out, "\nRC-2025-01-DRAFT,1,") || !strings.Contains(errs, "trial only") {
		t.Errorf("--draft: exit %d\n%.200s\n%s", code, out, errs)
	}
}

func TestCustomTemplateAndPrint(t *testing.T) {
	code, out, _ := runApp(t, "", "--format", "peoplesoft", "--print-template")
	if code != 0 || !strings.Contains(out, "cut 30 .Description") {
		t.Fatalf("print-template: %d %q", code, out)
	}
	tmpl := filepath.Join(t.TempDir(), "mine.tmpl")
	os.WriteFile(tmpl, []byte("{{row \"id\" \"n\"}}\n{{row .ID (len .Lines)}}\n"), 0o644)
	code, out, errs := runApp(t, "", "--accounts", accounts, "--template", tmpl, sample)
	if code != 0 || out != "id,n\nRC-2025-01,76\n" {
		t.Errorf("custom template: %d %q %s", code, out, errs)
	}
	// A template that fails half-way writes nothing.
	os.WriteFile(tmpl, []byte("header\n{{range .Lines}}{{.Nope}}{{end}}"), 0o644)
	code, out, errs = runApp(t, "", "--accounts", accounts, "--template", tmpl, sample)
	if code != 2 || out != "" || !strings.Contains(errs, "Nope") {
		t.Errorf("failing template: %d %q %s", code, out, errs)
	}
}

func TestHelpHasExample(t *testing.T) {
	_, out, _ := runApp(t, "", "--help")
	if !strings.Contains(out, "focus-journal --accounts accounts.csv") || !strings.Contains(out, "FOCUS_ACCOUNTS") {
		t.Errorf("help:\n%s", out)
	}
}

func TestOutputFileAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "journal.csv")
	code, stdout, errs := runApp(t, "", "--accounts", accounts, "-o", out, sample)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d stdout %q %s", code, stdout, errs)
	}
	first, _ := os.ReadFile(out)
	if !bytes.HasPrefix(first, []byte("journal_id,line,")) || bytes.Count(first, []byte("\n")) != 77 {
		t.Fatalf("journal file:\n%.200s", first)
	}
	// A refused run leaves the earlier journal untouched and no temp file.
	data, _ := os.ReadFile(sample)
	draft := strings.ReplaceAll(string(data), `"status": "final"`, `"status": "draft"`)
	code, _, _ = runApp(t, draft, "--accounts", accounts, "-o", out)
	after, _ := os.ReadFile(out)
	ents, _ := os.ReadDir(dir)
	if code != 1 || !bytes.Equal(first, after) || len(ents) != 1 {
		t.Errorf("refused run: exit %d, file changed %v, %d entries in dir", code, !bytes.Equal(first, after), len(ents))
	}
	code, _, errs = runApp(t, "", "--accounts", accounts, "-o", filepath.Join(dir, "no", "such", "dir.csv"), sample)
	if code != 2 || !strings.Contains(errs, "--output") {
		t.Errorf("bad output dir: %d %s", code, errs)
	}
}

func TestAllSubsidizedMonth(t *testing.T) {
	// A month where every statement is $0 is a valid, empty journal.
	data, _ := os.ReadFile(sample)
	var zero string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, `"statement_id": "2025-01-0003"`) {
			zero = l + "\n"
		}
	}
	if zero == "" {
		t.Fatal("sample lost its $0 statement")
	}
	code, out, errs := runApp(t, zero, "--accounts", accounts)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "journal_id,") ||
		!strings.Contains(errs, "lines 0  statements 1 (0 posted, 1 with nothing due)") || !strings.Contains(errs, "control total (statements' amount due) $0.00") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
}
