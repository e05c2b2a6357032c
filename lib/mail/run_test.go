package mail

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type runResult struct {
	out, err string
	sum      Summary
	runErr   error
}

func runOutbox(t *testing.T, input []byte, outbox, sentLog string, mod func(*RunConfig)) runResult {
	t.Helper()
	ob, err := NewOutbox(outbox)
	if err != nil {
		t.Fatal(err)
	}
	var log *SentLog
	if sentLog != "" {
		if log, err = OpenSentLog(sentLog, false); err != nil {
			t.Fatal(err)
		}
		defer log.Close()
	}
	var out, errb bytes.Buffer
	cfg := RunConfig{Builder: newBuilder(t), Deliverer: ob, SentLog: log, Out: &out, Err: &errb}
	if mod != nil {
		mod(&cfg)
	}
	r := NewRunner(cfg)
	runErr := r.Process(context.Background(), bytes.NewReader(input), "statements.ndjson")
	return runResult{out.String(), errb.String(), r.Summary, runErr}
}

func TestOutboxWritesParseableMessages(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada Lovelace")
	b := testStatement(t, dir, 2, "grace@uni.edu", "Grace Hopper")
	outbox := filepath.Join(dir, "outbox")
	res := runOutbox(t, ndjson(t, a, b), outbox, "", nil)
	if res.runErr != nil || res.sum.Sent != 2 || res.sum.Failed != 0 {
		t.Fatalf("%+v\n%s\n%s", res.sum, res.out, res.err)
	}
	for _, st := range []statementT{a, b} {
		raw, err := os.ReadFile(filepath.Join(outbox, st.StatementID+".eml"))
		if err != nil {
			t.Fatal(err)
		}
		p := parseMessage(t, raw)
		if !strings.Contains(p.Header.Get("To"), st.PI.Email) {
			t.Errorf("%s: To %q", st.StatementID, p.Header.Get("To"))
		}
		if !bytes.Equal(p.Attachment, fakePDF(st.StatementID)) {
			t.Errorf("%s: attachment differs", st.StatementID)
		}
	}
	if !strings.Contains(res.out, "sent\t2025-01-0002\tgrace@uni.edu\toutbox:") {
		t.Errorf("stdout:\n%s", res.out)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(outbox)
	if len(ents) != 2 {
		t.Errorf("outbox holds %d entries, want 2", len(ents))
	}
}

func TestOutboxNameNeverFromTags(t *testing.T) {
	dir := t.TempDir()
	st := testStatement(t, dir, 1, "ada@uni.edu", "../../evil")
	st.StatementID = "../../../tmp/evil"
	st.ProjectID = "../x"
	outbox := filepath.Join(dir, "outbox")
	res := runOutbox(t, ndjson(t, st), outbox, "", nil)
	if res.sum.Sent != 1 {
		t.Fatalf("%+v %s", res.sum, res.err)
	}
	ents, _ := os.ReadDir(outbox)
	if len(ents) != 1 || strings.Contains(ents[0].Name(), "/") || strings.HasPrefix(ents[0].Name(), ".") ||
		!strings.HasSuffix(ents[0].Name(), ".eml") {
		t.Fatalf("outbox entries: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "..", "tmp", "evil.eml")); err == nil {
		t.Fatal("file written outside the outbox")
	}
}

func TestSentLogPreventsSecondSendAndResend(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	b := testStatement(t, dir, 2, "grace@uni.edu", "Grace")
	outbox, logPath := filepath.Join(dir, "outbox"), filepath.Join(dir, "sent.log")

	first := runOutbox(t, ndjson(t, a, b), outbox, logPath, nil)
	if first.sum.Sent != 2 {
		t.Fatalf("first run: %+v %s", first.sum, first.err)
	}
	for _, f := range []string{"2025-01-0001.eml", "2025-01-0002.eml"} {
		os.Remove(filepath.Join(outbox, f))
	}

	second := runOutbox(t, ndjson(t, a, b), outbox, logPath, nil)
	if second.sum.Sent != 0 || second.sum.SkippedSent != 2 {
		t.Fatalf("second run: %+v\n%s", second.sum, second.out)
	}
	if !strings.Contains(second.out, "skipped-sent\t2025-01-0001\tada@uni.edu\talready sent") {
		t.Errorf("second run does not say so:\n%s", second.out)
	}
	if ents, _ := os.ReadDir(outbox); len(ents) != 0 {
		t.Errorf("second run wrote %d messages", len(ents))
	}

	// The PDF of b changes (a correction was made): not sent without --resend.
	newPDF := append(fakePDF(b.StatementID), []byte("corrected")...)
	if err := os.WriteFile(b.PDF, newPDF, 0o644); err != nil {
		t.Fatal(err)
	}
	b.PDFSHA256 = sha256hex(newPDF)
	third := runOutbox(t, ndjson(t, a, b), outbox, logPath, nil)
	if third.sum.Sent != 0 || third.sum.SkippedChanged != 1 || third.sum.SkippedSent != 1 {
		t.Fatalf("third run: %+v\n%s", third.sum, third.out)
	}
	if !strings.Contains(third.out, "skipped-changed\t2025-01-0002") || !strings.Contains(third.err, "--resend") {
		t.Errorf("third run output:\n%s\n%s", third.out, third.err)
	}

	fourth := runOutbox(t, ndjson(t, a, b), outbox, logPath, func(c *RunConfig) { c.Resend = true })
	if fourth.sum.Sent != 1 || fourth.sum.SkippedSent != 1 {
		t.Fatalf("resend run: %+v\n%s", fourth.sum, fourth.out)
	}
	raw, err := os.ReadFile(filepath.Join(outbox, "2025-01-0002.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if p := parseMessage(t, raw); !bytes.Equal(p.Attachment, newPDF) {
		t.Error("resent message does not carry the corrected PDF")
	}

	// And once resent, it is not sent a third time.
	fifth := runOutbox(t, ndjson(t, a, b), outbox, logPath, func(c *RunConfig) { c.Resend = true })
	if fifth.sum.Sent != 0 || fifth.sum.SkippedSent != 2 {
		t.Fatalf("fifth run: %+v\n%s", fifth.sum, fifth.out)
	}

	log, err := OpenSentLog(logPath, true)
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := log.Lookup(b.StatementID)
	if !ok || rec.PDFSHA256 != b.PDFSHA256 || !rec.Resend || rec.To != "grace@uni.edu" || rec.SentAt == "" {
		t.Errorf("sent-log record %+v", rec)
	}
	lines := strings.Count(readString(t, logPath), "\n")
	if lines != 3 {
		t.Errorf("sent-log has %d records, want 3 (2 sends + 1 resend)", lines)
	}
}

func TestSentLogSurvivesTornLine(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	logPath := filepath.Join(dir, "sent.log")
	if err := os.WriteFile(logPath, []byte(`{"statement_id":"2025-01-0009","to":"x@y.z","pdf_sha256":"ab"}`+"\n"+`{"statement_id":"2025-01-00`), 0o644); err != nil {
		t.Fatal(err)
	}
	log, err := OpenSentLog(logPath, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Warnings) != 1 || log.Len() != 1 {
		t.Fatalf("warnings %v, records %d", log.Warnings, log.Len())
	}
	log.Close()
	res := runOutbox(t, ndjson(t, a), filepath.Join(dir, "outbox"), logPath, nil)
	if res.sum.Sent != 1 {
		t.Fatal(res.err)
	}
	log, err = OpenSentLog(logPath, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := log.Lookup(a.StatementID); !ok || log.Len() != 2 {
		t.Fatalf("the record after a torn line was not readable: %q", readString(t, logPath))
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	outbox := filepath.Join(dir, "outbox")
	res := runOutbox(t, ndjson(t, a), outbox, "", func(c *RunConfig) { c.DryRun = true; c.Deliverer = nil })
	if res.sum.WouldSend != 1 || res.sum.Sent != 0 {
		t.Fatalf("%+v", res.sum)
	}
	if !strings.Contains(res.out, "would-send\t2025-01-0001\tada@uni.edu\tsubject \"DRAFT") {
		t.Errorf("dry-run output:\n%s", res.out)
	}
	if ents, _ := os.ReadDir(outbox); len(ents) != 0 {
		t.Errorf("dry run wrote %d files", len(ents))
	}
}

func TestBadStatementsAreCountedNotFatal(t *testing.T) {
	dir := t.TempDir()
	good := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	inj := testStatement(t, dir, 2, "bob@uni.edu", "Bob\r\nBcc: evil@x.org")
	bad := testStatement(t, dir, 3, "not-an-address", "Carl")
	gone := testStatement(t, dir, 4, "dora@uni.edu", "Dora")
	os.Remove(gone.PDF)
	in := ndjson(t, good, inj, bad, gone)
	in = append(in, []byte("{not json\n")...)
	in = append(in, ndjson(t, good)...) // duplicate id
	outbox := filepath.Join(dir, "outbox")
	res := runOutbox(t, in, outbox, "", nil)
	if res.runErr != nil {
		t.Fatal(res.runErr)
	}
	if res.sum.Sent != 1 || res.sum.Failed != 5 {
		t.Fatalf("%+v\n%s\n%s", res.sum, res.out, res.err)
	}
	for _, want := range []string{
		"statements.ndjson:2: pi.name: statement 2025-01-0002: pi.name contains a control character",
		"[header-injection]",
		"statements.ndjson:3: pi.email: statement 2025-01-0003:", "[bad-address]",
		"statements.ndjson:4: pdf: statement 2025-01-0004:", "[pdf-missing]",
		"statements.ndjson:5: statement: not a statement", "[bad-json]",
		"statements.ndjson:6: statement_id: statement 2025-01-0001: statement_id appears again (first at statements.ndjson:1)",
	} {
		if !strings.Contains(res.err, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.err)
		}
	}
	ents, _ := os.ReadDir(outbox)
	if len(ents) != 1 {
		t.Errorf("outbox holds %d files, want only the good one", len(ents))
	}
	if n := strings.Count(res.out, "\n"); n != 6 {
		t.Errorf("stdout has %d lines for 6 statements:\n%s", n, res.out)
	}
}

func TestRateLimitsDeliveries(t *testing.T) {
	dir := t.TempDir()
	var sts []statementT
	for i := 1; i <= 4; i++ {
		sts = append(sts, testStatement(t, dir, i, "pi@uni.edu", "PI"))
	}
	now := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	var slept []time.Duration
	res := runOutbox(t, ndjson(t, sts...), filepath.Join(dir, "outbox"), "", func(c *RunConfig) {
		c.Rate = 2
		c.Now = func() time.Time { return now }
		c.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil }
	})
	if res.sum.Sent != 4 {
		t.Fatal(res.err)
	}
	if len(slept) != 3 {
		t.Fatalf("slept %v, want 3 waits of 500ms", slept)
	}
	for _, d := range slept {
		if d != 500*time.Millisecond {
			t.Errorf("waited %s, want 500ms at --rate 2", d)
		}
	}
}

func TestResolvePDFBesideInputFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out", "a.pdf"), []byte("%PDF"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := resolvePDF("out/a.pdf", filepath.Join(dir, "statements.ndjson"))
	if got != filepath.Join(dir, "out", "a.pdf") {
		t.Errorf("resolvePDF = %q", got)
	}
	if got := resolvePDF("out/a.pdf", "-"); got != "out/a.pdf" {
		t.Errorf("stdin: resolvePDF = %q", got)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInputWithBOMAndCRLF(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	b := testStatement(t, dir, 2, "grace@uni.edu", "Grace")
	in := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(ndjson(t, a, b), []byte("\n"), []byte("\r\n"))...)
	in = append(in, []byte("\r\n  \r\n")...) // blank lines at the end are not statements
	res := runOutbox(t, in, filepath.Join(dir, "outbox"), "", nil)
	if res.sum.Sent != 2 || res.sum.Failed != 0 {
		t.Fatalf("%+v\n%s", res.sum, res.err)
	}
}

func TestNULAndFormulaTextStayInTheBody(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	a.Lines[0].Service = "=HYPERLINK(\"http://evil\",\"x\")\x00"
	a.Adjustments[0].Reason = "credit\r\nBcc: evil@x.org"
	outbox := filepath.Join(dir, "outbox")
	res := runOutbox(t, ndjson(t, a), outbox, "", nil)
	if res.sum.Sent != 1 {
		t.Fatalf("%+v\n%s", res.sum, res.err)
	}
	raw, err := os.ReadFile(filepath.Join(outbox, "2025-01-0001.eml"))
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, raw)
	if p.Header.Get("Bcc") != "" || len(p.Header) > 16 {
		t.Errorf("body text reached the header: %v", p.Header)
	}
	if !strings.Contains(p.Text, "credit\r\nBcc: evil@x.org") && !strings.Contains(p.Text, "credit\nBcc: evil@x.org") {
		t.Errorf("adjustment reason not carried in the body as text:\n%s", p.Text)
	}
}

// cancelAfterFirst delivers to an outbox and cancels the run after the
// first message, as a Ctrl-C would.
type cancelAfterFirst struct {
	*Outbox
	cancel context.CancelFunc
}

func (c cancelAfterFirst) Deliver(ctx context.Context, m *Message) (string, error) {
	defer c.cancel()
	return c.Outbox.Deliver(ctx, m)
}

func TestInterruptStopsBetweenStatementsAndLogs(t *testing.T) {
	dir := t.TempDir()
	in := ndjson(t, testStatement(t, dir, 1, "a@uni.edu", "A"), testStatement(t, dir, 2, "b@uni.edu", "B"))
	ob, err := NewOutbox(filepath.Join(dir, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := OpenSentLog(filepath.Join(dir, "sent.log"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := NewRunner(RunConfig{Builder: newBuilder(t), Deliverer: cancelAfterFirst{ob, cancel}, SentLog: log})
	err = r.Process(ctx, bytes.NewReader(in), "x")
	if err != context.Canceled || r.Summary.Sent != 1 {
		t.Fatalf("err %v, %+v", err, r.Summary)
	}
	if _, ok := log.Lookup("2025-01-0001"); !ok || log.Len() != 1 {
		t.Error("the message sent before the interrupt is not in the sent-log")
	}
}

func TestTwoStatementsOnOneLineRefused(t *testing.T) {
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	b := testStatement(t, dir, 2, "grace@uni.edu", "Grace")
	in := bytes.ReplaceAll(ndjson(t, a, b), []byte("}\n{"), []byte("}{"))
	res := runOutbox(t, in, filepath.Join(dir, "outbox"), "", nil)
	if res.sum.Failed != 1 || res.sum.Sent != 0 || !strings.Contains(res.err, "more than one JSON value") {
		t.Fatalf("%+v\n%s", res.sum, res.err)
	}
}
