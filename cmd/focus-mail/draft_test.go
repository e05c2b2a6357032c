package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/pilink"
)

func TestDraftLinkVerifiesWithServeKey(t *testing.T) {
	dir := t.TempDir()
	in := bytes.ReplaceAll(writeStatements(t, dir, "ada@uni.edu"), []byte(`"status":"final"`), []byte(`"status":"draft"`))
	keyFile := filepath.Join(dir, "ledger.db.link-key")
	outbox := filepath.Join(dir, "outbox")
	code, out, errs := runCmd(t, in, "--draft", "--final-on", "2099-02-20", "--base-url", "https://billing.example.edu/",
		"--link-key", keyFile, "--outbox", outbox, "--from", "billing@example.edu")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(outbox, "2025-01-0001.draft.eml"))
	if err != nil {
		t.Fatal(err)
	}
	// Quoted-printable may fold the link; undo soft line breaks first.
	text := strings.ReplaceAll(string(b), "=\r\n", "")
	text = strings.ReplaceAll(text, "=\n", "")
	m := regexp.MustCompile(`https://billing\.example\.edu/pi/([A-Za-z0-9_.=-]+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in\n%s", text)
	}
	key, err := pilink.LoadOrCreateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.ReplaceAll(m[1], "=3D", "=")
	c, err := pilink.Verify(key, tok, time.Now())
	if err != nil || c.StatementID != "2025-01-0001" || c.Email != "ada@uni.edu" || c.Period != "2025-01" {
		t.Fatalf("%+v %v (token %q)", c, err, tok)
	}
	// Default expiry: a week after the final date, through that day.
	if want := time.Date(2099, 2, 28, 0, 0, 0, 0, time.UTC); !c.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", c.Expires, want)
	}
	for _, s := range []string{"20 February 2099", "HOW TO DISPUTE A LINE", "X-OpenChargeback-Draft: yes"} {
		if !strings.Contains(text, s) {
			t.Errorf("draft lacks %q", s)
		}
	}
	// A base URL without a key (and the other way round) is a usage error.
	if code, _, _ := runCmd(t, in, "--draft", "--base-url", "https://b.example.edu", "--outbox", outbox, "--from", "b@example.edu"); code != 2 {
		t.Errorf("--base-url without --link-key: exit %d", code)
	}
	if code, _, _ := runCmd(t, in, "--final-on", "2099-01-01", "--outbox", outbox, "--from", "b@example.edu"); code != 2 {
		t.Errorf("--final-on without --draft: exit %d", code)
	}
}
