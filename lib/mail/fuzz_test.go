package mail

import (
	"bytes"
	netmail "net/mail"
	"strings"
	"testing"
)

// FuzzBuild: whatever lands in a statement's id, PI name and address, the
// builder either refuses it or makes a message that parses back with
// exactly the one intended recipient and no header beyond those it sets.
func FuzzBuild(f *testing.F) {
	f.Add("2025-01-0001", "Ada Lovelace", "ada@uni.edu")
	f.Add("2025-01-0001", "Ada\r\nBcc: evil@x.org", "ada@uni.edu")
	f.Add("../../x", "Ada", "ada@uni.edu\nBcc: evil@x.org")
	f.Add("id", "=?utf-8?q?evil?= <e@x.org>", "\"a b\"@uni.edu")
	f.Add("id\x00", "Zoë \"Z\" O'Brien, PhD", "ada@[127.0.0.1]")
	dir := f.TempDir()
	base := testStatement(f, dir, 1, "ada@uni.edu", "Ada")
	b := newBuilder(f)
	allowed := map[string]bool{
		"Auto-Submitted": true, "Date": true, "Mime-Version": true, "Message-Id": true, "Subject": true,
		"User-Agent": true, "X-Mailer": true, "X-Openchargeback-Pdf-Sha256": true, "X-Openchargeback-Period": true,
		"X-Openchargeback-Statement-Id": true, "From": true, "To": true, "Reply-To": true, "Content-Type": true,
	}
	f.Fuzz(func(t *testing.T, id, name, email string) {
		st := base
		st.StatementID, st.PI.Name, st.PI.Email = id, name, email
		m, err := b.Build(&st, st.PDF)
		if err != nil {
			return
		}
		var raw bytes.Buffer
		if _, err := m.Msg.WriteTo(&raw); err != nil {
			t.Fatal(err)
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw.Bytes()))
		if err != nil {
			t.Fatalf("unparseable message for %q %q %q: %v", id, name, email, err)
		}
		for k := range msg.Header {
			if !allowed[k] {
				t.Fatalf("unexpected header %q from %q %q %q", k, id, name, email)
			}
		}
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != m.To {
			t.Fatalf("To %v (%v), want exactly %s; input %q %q", to, err, m.To, name, email)
		}
		if strings.ContainsAny(m.FileName, "/\\\x00") || strings.HasPrefix(m.FileName, ".") {
			t.Fatalf("file name %q", m.FileName)
		}
	})
}
