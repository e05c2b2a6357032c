package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
)

// `sessions revoke --user` ends that user's web sessions, and no one else's.
func TestSessionsRevokeUser(t *testing.T) {
	db := filepath.Join(t.TempDir(), "l.db")
	good := "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1.50,S,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\",\"\"fund_org\"\":\"\"F\"\"}\"\n"
	if _, errs, code := run(t, good, "--db", db, "--source", "X"); code != 0 {
		t.Fatal(errs)
	}
	l, err := ledger.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, now := context.Background(), time.Now()
	for _, s := range [][2]string{{"s1", "ada"}, {"s2", "ada"}, {"s3", "rev"}} {
		if err := l.AddSession(ctx, s[0], s[1], now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, errs, code := run(t, "", "--db", db, "sessions", "revoke", "--user", "ada"); code != 0 || !strings.Contains(errs, "ended 2 session(s) of ada") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for id, want := range map[string]bool{"s1": false, "s2": false, "s3": true} {
		if ok, err := l.SessionActive(ctx, id, time.Now(), 0); err != nil || ok != want {
			t.Errorf("session %s active %v (%v), want %v", id, ok, err, want)
		}
	}
	if _, errs, code := run(t, "", "--db", db, "sessions", "revoke"); code != 2 || !strings.Contains(errs, "user") {
		t.Errorf("no --user: exit %d %s", code, errs)
	}
}

// A sign-in attempt named with terminal escapes, and a tag value carrying
// them, are shown escaped by `audit --format table` and `review list`.
func TestTablesShowNoTerminalEscapes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "l.db")
	evil := "\x1b]0;PWNED\a\x1b[2J"
	data := "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1.50,S,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\",\"\"project_id\"\":\"\"p\\u001b[2J\\u009b31m\"\"}\"\n"
	if _, errs, code := run(t, data, "--db", db, "--source", "X"); code != 0 {
		t.Fatal(errs)
	}
	l, err := ledger.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AuditWeb(context.Background(), evil, "login-failed", "from 192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	l.Close()
	out, errs, code := run(t, "", "--db", db, "audit", "--format", "table")
	if code != 0 || strings.ContainsAny(out, "\x1b\a") || !strings.Contains(out, `\x1b]0;PWNED\x07\x1b[2J`) {
		t.Errorf("audit table (exit %d, %s):\n%q", code, errs, out)
	}
	out, errs, code = run(t, "", "--db", db, "review", "list", "--format", "table")
	if code != 0 || strings.ContainsAny(out, "\x1b\u009b") || !strings.Contains(out, `p\x1b[2J\u009b31m`) {
		t.Errorf("review table (exit %d, %s):\n%q", code, errs, out)
	}
}
