package mail

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/mail/smtptest"
)

// smtpSender connects to srv as focus-mail would from its URL, with the
// test CA trusted and retries that do not wait.
func smtpSender(t *testing.T, srv *smtptest.Server, password string, mod func(*SMTPConfig)) (*SMTPSender, *[]time.Duration) {
	t.Helper()
	cfg, err := ParseSMTPURL(srv.URL(), password)
	if err != nil {
		t.Fatal(err)
	}
	cfg.CAFile = srv.CAFile
	cfg.Retries = 3
	cfg.Backoff = 10 * time.Millisecond
	cfg.MaxBackoff = 15 * time.Millisecond
	cfg.Timeout = 5 * time.Second
	cfg.HELO = "client.test"
	var slept []time.Duration
	cfg.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &slept
}

func runSMTP(t *testing.T, s *SMTPSender, input []byte, sentLog string, resend bool) runResult {
	t.Helper()
	var log *SentLog
	if sentLog != "" {
		var err error
		if log, err = OpenSentLog(sentLog, false); err != nil {
			t.Fatal(err)
		}
		defer log.Close()
	}
	var out, errb bytes.Buffer
	r := NewRunner(RunConfig{Builder: newBuilder(t), Deliverer: s, SentLog: log, Resend: resend, Out: &out, Err: &errb})
	err := r.Process(context.Background(), bytes.NewReader(input), "statements.ndjson")
	return runResult{out.String(), errb.String(), r.Summary, err}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, Username: "billing", Password: "s3cret"})
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada Lovelace")
	b := testStatement(t, dir, 2, "grace@uni.edu", "Grace Hopper")
	// Loopback would allow plain text; insist on STARTTLS as for a real host.
	s, _ := smtpSender(t, srv, "s3cret", func(c *SMTPConfig) { c.RequireTLS = true })
	res := runSMTP(t, s, ndjson(t, a, b), "", false)
	if res.runErr != nil || res.sum.Sent != 2 {
		t.Fatalf("%v %+v\n%s", res.runErr, res.sum, res.err)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("server got %d messages", len(msgs))
	}
	for i, m := range msgs {
		if !m.TLS || m.AuthUser != "billing" {
			t.Errorf("message %d: TLS %v, auth %q", i, m.TLS, m.AuthUser)
		}
		if m.From != "billing@example.edu" {
			t.Errorf("envelope from %q", m.From)
		}
	}
	// The envelope carries the Bcc; the message does not show it.
	if got := strings.Join(msgs[0].To, ","); got != "ada@uni.edu,archive@example.edu" {
		t.Errorf("envelope recipients %q", got)
	}
	p := parseMessage(t, msgs[1].Data)
	if !strings.Contains(p.Header.Get("To"), "grace@uni.edu") || p.Header.Get("Bcc") != "" {
		t.Errorf("headers To %q Bcc %q", p.Header.Get("To"), p.Header.Get("Bcc"))
	}
	if !bytes.Equal(p.Attachment, fakePDF("2025-01-0002")) {
		t.Error("attachment bytes differ after SMTP")
	}
	if srv.Connections() != 1 {
		t.Errorf("%d connections for 2 messages, want 1 (reused)", srv.Connections())
	}
	if !strings.Contains(res.out, "sent\t2025-01-0001\tada@uni.edu\tsmtp://127.0.0.1:") {
		t.Errorf("stdout:\n%s", res.out)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.ImplicitTLS, Username: "u", Password: "p"})
	if !strings.HasPrefix(srv.URL(), "smtps://u@127.0.0.1:") {
		t.Fatal(srv.URL())
	}
	dir := t.TempDir()
	s, _ := smtpSender(t, srv, "p", nil)
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada")), "", false)
	if res.sum.Sent != 1 || len(srv.Messages()) != 1 || !srv.Messages()[0].TLS {
		t.Fatalf("%+v %s", res.sum, res.err)
	}
}

func TestSMTPRequiresSTARTTLSOffNonLoopback(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.NoTLS})
	dir := t.TempDir()
	s, _ := smtpSender(t, srv, "", func(c *SMTPConfig) { c.RequireTLS = true })
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada"), testStatement(t, dir, 2, "b@uni.edu", "B")), "", false)
	if !errors.Is(res.runErr, ErrFatal) || !strings.Contains(res.runErr.Error(), "STARTTLS") {
		t.Fatalf("run error %v", res.runErr)
	}
	if len(srv.Messages()) != 0 || res.sum.Failed != 1 {
		t.Errorf("sent %d in plain text; summary %+v", len(srv.Messages()), res.sum)
	}
}

func TestSMTPUntrustedCertificateIsFatal(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS})
	dir := t.TempDir()
	s, slept := smtpSender(t, srv, "", func(c *SMTPConfig) { c.CAFile = ""; c.RequireTLS = true })
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada")), "", false)
	if !errors.Is(res.runErr, ErrFatal) || !strings.Contains(res.runErr.Error(), "certificate") {
		t.Fatalf("run error %v", res.runErr)
	}
	if len(*slept) != 0 {
		t.Errorf("retried a certificate failure %d times", len(*slept))
	}
}

func TestSMTPAuthFailureIsFatalAndNotRepeated(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, Username: "billing", Password: "right"})
	dir := t.TempDir()
	s, _ := smtpSender(t, srv, "wrong", nil)
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada"), testStatement(t, dir, 2, "b@uni.edu", "B")), "", false)
	if !errors.Is(res.runErr, ErrFatal) {
		t.Fatalf("run error %v", res.runErr)
	}
	if srv.AuthFailures() != 1 {
		t.Errorf("%d failed logins; one is enough to stop (accounts get locked)", srv.AuthFailures())
	}
	if strings.Contains(res.err+res.runErr.Error(), "wrong") {
		t.Error("the password appears in the output")
	}
}

func TestSMTPTemporaryFailureRetried(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, TempFailures: 2})
	dir := t.TempDir()
	s, slept := smtpSender(t, srv, "", nil)
	var logb bytes.Buffer
	s.cfg.Notify = func(id, msg string) { logb.WriteString(id + ": " + msg + "\n") }
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada")), "", false)
	if res.sum.Sent != 1 || res.sum.Failed != 0 {
		t.Fatalf("%+v\n%s", res.sum, res.err)
	}
	if srv.Attempts() != 3 || len(srv.Messages()) != 1 {
		t.Errorf("attempts %d, delivered %d", srv.Attempts(), len(srv.Messages()))
	}
	if want := []time.Duration{10 * time.Millisecond, 15 * time.Millisecond}; !equalDurations(*slept, want) {
		t.Errorf("backoff %v, want %v (doubled, capped)", *slept, want)
	}
	if !strings.Contains(logb.String(), "451") || !strings.Contains(logb.String(), "retry 1 of 3") {
		t.Errorf("retry log:\n%s", logb.String())
	}
	// The retried message carries the whole PDF, not what was left of it.
	if p := parseMessage(t, srv.Messages()[0].Data); !bytes.Equal(p.Attachment, fakePDF("2025-01-0001")) {
		t.Error("attachment damaged by the retry")
	}
}

func TestSMTPTemporaryFailureGivesUp(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, TempFailures: 100})
	dir := t.TempDir()
	s, slept := smtpSender(t, srv, "", nil)
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada")), "", false)
	if res.runErr != nil || res.sum.Failed != 1 || srv.Attempts() != 4 || len(*slept) != 3 {
		t.Fatalf("err %v %+v attempts %d sleeps %d", res.runErr, res.sum, srv.Attempts(), len(*slept))
	}
	if !strings.Contains(res.err, "[smtp-temporary]") || !strings.Contains(res.err, "gave up after 4 attempts") {
		t.Errorf("stderr: %s", res.err)
	}
}

func TestSMTPPermanentFailureForOnePI(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, RejectRcpt: []string{"gone@uni.edu"}})
	dir := t.TempDir()
	in := ndjson(t,
		testStatement(t, dir, 1, "ada@uni.edu", "Ada"),
		testStatement(t, dir, 2, "gone@uni.edu", "Gone"),
		testStatement(t, dir, 3, "grace@uni.edu", "Grace"))
	s, slept := smtpSender(t, srv, "", nil)
	logPath := filepath.Join(dir, "sent.log")
	res := runSMTP(t, s, in, logPath, false)
	if res.runErr != nil || res.sum.Sent != 2 || res.sum.Failed != 1 {
		t.Fatalf("err %v %+v\n%s", res.runErr, res.sum, res.err)
	}
	if len(*slept) != 0 {
		t.Errorf("a 550 was retried")
	}
	if !strings.Contains(res.err, "statements.ndjson:2: smtp: statement 2025-01-0002:") ||
		!strings.Contains(res.err, "550") || !strings.Contains(res.err, "[smtp-permanent]") {
		t.Errorf("stderr:\n%s", res.err)
	}
	var to []string
	for _, m := range srv.Messages() {
		to = append(to, m.To[0])
	}
	if strings.Join(to, ",") != "ada@uni.edu,grace@uni.edu" {
		t.Errorf("delivered to %v", to)
	}
	// The failed one is not in the sent-log, so the next run tries it again.
	log, err := OpenSentLog(logPath, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := log.Lookup("2025-01-0002"); ok || log.Len() != 2 {
		t.Errorf("sent-log records %d, has the failed one: %v", log.Len(), ok)
	}
}

func TestSMTPSentLogAndResend(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS})
	dir := t.TempDir()
	a := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
	logPath := filepath.Join(dir, "sent.log")
	s, _ := smtpSender(t, srv, "", nil)
	if res := runSMTP(t, s, ndjson(t, a), logPath, false); res.sum.Sent != 1 {
		t.Fatal(res.err)
	}
	if res := runSMTP(t, s, ndjson(t, a), logPath, false); res.sum.Sent != 0 || res.sum.SkippedSent != 1 {
		t.Fatalf("second run %+v", res.sum)
	}
	if len(srv.Messages()) != 1 {
		t.Fatalf("sent twice: %d", len(srv.Messages()))
	}
	newPDF := append(fakePDF(a.StatementID), " corrected"...)
	if err := writeFile(a.PDF, newPDF); err != nil {
		t.Fatal(err)
	}
	a.PDFSHA256 = sha256hex(newPDF)
	if res := runSMTP(t, s, ndjson(t, a), logPath, false); res.sum.SkippedChanged != 1 || len(srv.Messages()) != 1 {
		t.Fatalf("changed without --resend: %+v, %d messages", res.sum, len(srv.Messages()))
	}
	if res := runSMTP(t, s, ndjson(t, a), logPath, true); res.sum.Sent != 1 || len(srv.Messages()) != 2 {
		t.Fatalf("--resend: %+v, %d messages", res.sum, len(srv.Messages()))
	}
	if p := parseMessage(t, srv.Messages()[1].Data); !bytes.Equal(p.Attachment, newPDF) {
		t.Error("resent message lacks the new PDF")
	}
}

func TestSMTPUnreachableIsFatal(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	dir := t.TempDir()
	s, slept := smtpSender(t, srv, "", func(c *SMTPConfig) { c.Port = 1 }) // nothing listens on port 1
	res := runSMTP(t, s, ndjson(t, testStatement(t, dir, 1, "ada@uni.edu", "Ada"), testStatement(t, dir, 2, "b@uni.edu", "B")), "", false)
	if !errors.Is(res.runErr, ErrFatal) || len(*slept) != 3 {
		t.Fatalf("err %v, sleeps %d", res.runErr, len(*slept))
	}
	if res.sum.Failed != 1 {
		t.Errorf("%+v: the run should stop at the first statement", res.sum)
	}
}

func TestParseSMTPURL(t *testing.T) {
	c, err := ParseSMTPURL("smtp://billing:pw@mail.example.edu", "")
	if err != nil || c.Host != "mail.example.edu" || c.Port != 587 || !c.RequireTLS || c.ImplicitTLS ||
		c.Username != "billing" || c.Password != "pw" {
		t.Errorf("%+v %v", c, err)
	}
	c, err = ParseSMTPURL("smtps://billing@mail.example.edu", "fromenv")
	if err != nil || c.Port != 465 || !c.ImplicitTLS || c.Password != "fromenv" {
		t.Errorf("%+v %v", c, err)
	}
	c, err = ParseSMTPURL("smtp://billing:url@127.0.0.1:2525", "env")
	if err != nil || c.RequireTLS || c.Port != 2525 || c.Password != "env" {
		t.Errorf("loopback: %+v %v", c, err)
	}
	if c, _ := ParseSMTPURL("smtp://[::1]:25", ""); c.RequireTLS {
		t.Error("::1 is loopback")
	}
	if c, _ := ParseSMTPURL("smtp://localhost", ""); c.RequireTLS {
		t.Error("localhost is loopback")
	}
	for _, bad := range []string{"http://h", "smtp://", "smtp://h:0", "smtp://h/path", "smtp://h?tls=off", "smtp://:pw@h"} {
		if _, err := ParseSMTPURL(bad, ""); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseSMTPURL("smtp://u:topsecret@h?x=1", ""); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error shows the password: %v", err)
	}
	if _, err := ParseSMTPURL("smtp://h", "pw"); err == nil {
		t.Error("a password without a user name accepted")
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSMTPReconnectsWhenSessionLimitReached(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, MaxPerConn: 2})
	dir := t.TempDir()
	var sts []statementT
	for i := 1; i <= 5; i++ {
		sts = append(sts, testStatement(t, dir, i, "pi@uni.edu", "PI"))
	}
	s, slept := smtpSender(t, srv, "", nil)
	res := runSMTP(t, s, ndjson(t, sts...), "", false)
	if res.sum.Sent != 5 || len(srv.Messages()) != 5 {
		t.Fatalf("%+v, %d delivered\n%s", res.sum, len(srv.Messages()), res.err)
	}
	if srv.Connections() != 3 || len(*slept) != 2 {
		t.Errorf("%d connections, %d backoffs; want 3 and 2", srv.Connections(), len(*slept))
	}
}

// The server accepts each message and then drops the connection: go-mail
// reports the failed RSET, but the message is out and must not be sent again.
func TestSMTPDroppedAfterAcceptIsNotSentTwice(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, DropAfterData: true})
	dir := t.TempDir()
	in := ndjson(t, testStatement(t, dir, 1, "a@uni.edu", "A"), testStatement(t, dir, 2, "b@uni.edu", "B"))
	s, slept := smtpSender(t, srv, "", nil)
	res := runSMTP(t, s, in, "", false)
	if res.sum.Sent != 2 || res.sum.Failed != 0 {
		t.Fatalf("%+v\n%s", res.sum, res.err)
	}
	if len(srv.Messages()) != 2 || srv.Attempts() != 2 {
		t.Errorf("server got %d messages in %d DATA commands, want 2 and 2", len(srv.Messages()), srv.Attempts())
	}
	if len(*slept) != 0 {
		t.Errorf("backed off %d times for a connection closed after success", len(*slept))
	}
}

// The server closes the idle connection between two messages: the sender
// notices (go-mail's NOOP fails) and dials again at once, without a backoff.
func TestSMTPIdleConnectionClosedByServer(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS})
	dir := t.TempDir()
	s, slept := smtpSender(t, srv, "", nil)
	b := newBuilder(t)
	for i := 1; i <= 2; i++ {
		st := testStatement(t, dir, i, "a@uni.edu", "A")
		m, err := b.Build(&st, st.PDF)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Deliver(context.Background(), m); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		srv.CloseConnections()
	}
	if len(srv.Messages()) != 2 || srv.Connections() != 2 || len(*slept) != 0 {
		t.Errorf("%d messages, %d connections, %d backoffs; want 2, 2, 0", len(srv.Messages()), srv.Connections(), len(*slept))
	}
}

func TestParseSMTPURLUserWithAt(t *testing.T) {
	c, err := ParseSMTPURL("smtp://billing%40example.edu@mail.example.edu:2587", "pw")
	if err != nil || c.Username != "billing@example.edu" || c.Port != 2587 || c.Password != "pw" {
		t.Errorf("%+v %v", c, err)
	}
}
