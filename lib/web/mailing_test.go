package web

import (
	"bufio"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/mail"
)

func mailSettings(t *testing.T, dir string) *MailSettings {
	t.Helper()
	b, err := mail.NewBuilder(mail.BuilderConfig{From: "billing@example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := mail.NewOutbox(filepath.Join(dir, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	return &MailSettings{Builder: b, Deliverer: o, SentLog: filepath.Join(dir, "ledger.db.sent-log"), Via: "outbox", TempDir: dir}
}

// waitMail waits for the server's mailing to finish.
func waitMail(t *testing.T, s *Server) mailJob {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if j, ok, running := s.mailer.snapshot(); ok && !running {
			return j
		}
	}
	t.Fatal("the mailing did not finish")
	return mailJob{}
}

func sentRecords(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func outboxFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, _ := os.ReadDir(filepath.Join(dir, "outbox"))
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestMailFromStatementsPage: an admin mails a closed period's drafts; a
// second mailing skips them (one sent record, focus-mail's); a changed
// statement says so; one statement is resent on purpose; the final
// mailing after finalize is its own; a mailing a stopped server left
// unfinished is resumed on start without mailing anyone twice.
func TestMailFromStatementsPage(t *testing.T) {
	dir := t.TempDir()
	l := fundedLedger()
	l.periods[1].State = ledger.StateClosed
	ms := mailSettings(t, dir)
	h := newHarness(t, l, func(c *Config) { c.Mail = ms })
	b := h.loggedIn("ada")
	r := b.get("/statements?period=2025-01")
	mustContain(t, r, "E-mail the DRAFT statements", "not sent")
	rv := h.loggedIn("rev")
	mustContain(t, rv.get("/statements?period=2025-01"), "not sent")
	wantCode(t, rv.post("/statements/send", url.Values{"period": {"2025-01"}}), http.StatusForbidden)
	wantCode(t, b.post("/statements/send", url.Values{"period": {"2025-01"}, "by": {"pi"}}), http.StatusSeeOther)
	j := waitMail(t, h.srv)
	if !j.Draft || j.Total != 2 || len(j.Outcomes) != 2 || j.Stopped != "" {
		t.Fatalf("job: %+v", j)
	}
	files := outboxFiles(t, dir)
	if len(files) != 2 || !strings.HasSuffix(files[0], ".draft.eml") {
		t.Fatalf("outbox: %v", files)
	}
	if recs := sentRecords(t, ms.SentLog); len(recs) != 2 || !strings.Contains(recs[0], `"draft":true`) {
		t.Fatalf("sent record: %v", recs)
	}
	r = b.get("/statements?period=2025-01")
	mustContain(t, r, "2 of 2 done — 2 sent, 0 failed", `class="mail-sent" data-label="E-mail">sent 20`)

	// Again: nobody is mailed twice.
	b.post("/statements/send", url.Values{"period": {"2025-01"}})
	j = waitMail(t, h.srv)
	for id, o := range j.Outcomes {
		if o.Outcome != mail.OutcomeSkippedSent {
			t.Errorf("second mailing: %s %+v", id, o)
		}
	}
	if recs := sentRecords(t, ms.SentLog); len(recs) != 2 {
		t.Fatalf("second mailing wrote records: %v", recs)
	}

	// A statement that changed since it was mailed says so.
	l.charges[0].BilledCost = dec("12.34")
	r = b.get("/statements?period=2025-01")
	mustContain(t, r, "changed since sent")

	// Resend one on purpose.
	id := ""
	for k := range j.Outcomes {
		id = k
		break
	}
	wantCode(t, b.post("/statements/send", url.Values{"period": {"2025-01"}, "id": {id}}), http.StatusSeeOther)
	j = waitMail(t, h.srv)
	if len(j.Outcomes) != 1 || j.Outcomes[id].Outcome != mail.OutcomeSent {
		t.Fatalf("resend: %+v", j)
	}
	recs := sentRecords(t, ms.SentLog)
	if len(recs) != 3 || !strings.Contains(recs[2], `"resend":true`) {
		t.Fatalf("resend record: %v", recs)
	}

	// An open period cannot be mailed.
	l.periods[1].State = ledger.StateOpen
	mustContain(t, b.get("/statements?period=2025-01"), "Drafts are mailed once the period is closed")
	wantCode(t, b.post("/statements/send", url.Values{"period": {"2025-01"}}), http.StatusConflict)

	// Finalized: the final mailing, interrupted after one statement (the
	// job file says unfinished), resumed by a new server on the same record.
	l.periods[1].State = ledger.StateFinalized
	wantCode(t, b.post("/statements/send", url.Values{"period": {"2025-01"}}), http.StatusSeeOther)
	j = waitMail(t, h.srv)
	if j.Draft || j.Outcomes[id].Outcome != mail.OutcomeSent {
		t.Fatalf("final mailing: %+v", j)
	}
	finals := len(sentRecords(t, ms.SentLog))
	j.Done = false
	h.srv.mailer.save(&j)
	h2 := newHarness(t, l, func(c *Config) { c.Mail = ms })
	j2 := waitMail(t, h2.srv)
	for k, o := range j2.Outcomes {
		if o.Outcome != mail.OutcomeSkippedSent {
			t.Errorf("resumed mailing sent %s again: %+v", k, o)
		}
	}
	if len(j2.Outcomes) != 2 || !j2.Done {
		t.Errorf("resumed: %+v", j2)
	}
	if n := len(sentRecords(t, ms.SentLog)); n != finals {
		t.Errorf("resume added %d records", n-finals)
	}
}
