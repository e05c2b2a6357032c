package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/mail/smtptest"
)

func TestSMTPDeliveryWithPasswordFromEnv(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, Username: "billing", Password: "pa55"})
	t.Setenv("FOCUS_SMTP_PASSWORD", "pa55")
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu", "grace@uni.edu")
	code, out, errs := runCmd(t, in, "--smtp", srv.URL(), "--smtp-ca", srv.CAFile, "--from", "billing@example.edu",
		"--sent-log", filepath.Join(dir, "sent.log"), "--rate", "50")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || !msgs[0].TLS || msgs[0].AuthUser != "billing" {
		t.Fatalf("server got %+v", msgs)
	}
	if strings.Contains(out+errs, "pa55") {
		t.Error("password printed")
	}
	// FOCUS_SMTP_URL works like --smtp, and the sent-log stops a second send.
	t.Setenv("FOCUS_SMTP_URL", srv.URL())
	t.Setenv("FOCUS_SMTP_CA", srv.CAFile)
	code, _, errs = runCmd(t, in, "--from", "billing@example.edu", "--sent-log", filepath.Join(dir, "sent.log"))
	if code != 0 || !strings.Contains(errs, "0 sent, 2 skipped") || len(srv.Messages()) != 2 {
		t.Fatalf("re-run exit %d, %d messages: %s", code, len(srv.Messages()), errs)
	}
}

func TestSMTPPermanentFailureExitsOne(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, RejectRcpt: []string{"gone@uni.edu"}, TempFailures: 1})
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu", "gone@uni.edu", "grace@uni.edu")
	code, out, errs := runCmd(t, in, "--smtp", srv.URL(), "--smtp-ca", srv.CAFile, "--from", "billing@example.edu",
		"--retries", "2", "--retry-wait", "1ms")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "2 sent, 0 skipped, 1 failed") || !strings.Contains(errs, "[smtp-permanent]") ||
		!strings.Contains(errs, "retry 1 of 2") {
		t.Errorf("stderr:\n%s", errs)
	}
	if !strings.Contains(out, "failed\t2025-01-0002\tgone@uni.edu\t") {
		t.Errorf("stdout:\n%s", out)
	}
	if len(srv.Messages()) != 2 {
		t.Errorf("delivered %d", len(srv.Messages()))
	}
}

func TestSMTPBadCredentialsExitTwo(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: smtptest.StartTLS, Username: "billing", Password: "right"})
	t.Setenv("FOCUS_SMTP_PASSWORD", "wrong")
	dir := t.TempDir()
	in := writeStatements(t, dir, "ada@uni.edu", "grace@uni.edu")
	code, _, errs := runCmd(t, in, "--smtp", srv.URL(), "--smtp-ca", srv.CAFile, "--from", "billing@example.edu")
	if code != 2 || srv.AuthFailures() != 1 || !strings.Contains(errs, "SMTP AUTH failed") {
		t.Fatalf("exit %d, %d auth failures\n%s", code, srv.AuthFailures(), errs)
	}
}
