package mail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/statement"
)

// parsedMessage is a message read back with the standard library only, the
// way a mail client would see it.
type parsedMessage struct {
	Header     netmail.Header
	Subject    string
	Text, HTML string
	Attachment []byte
	AttachName string
	AttachType string
}

func parseMessage(t testing.TB, raw []byte) parsedMessage {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	var p parsedMessage
	p.Header = msg.Header
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	walkParts(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &p)
	return p
}

func walkParts(t testing.TB, ctype, cte string, body io.Reader, p *parsedMessage) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			walkParts(t, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, p)
			if _, fn := partFileName(part); fn != "" {
				p.AttachName = fn
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(cte) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		r = newQPReader(body)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s part: %v", mt, err)
	}
	switch mt {
	case "text/plain":
		p.Text = string(data)
	case "text/html":
		p.HTML = string(data)
	default:
		p.Attachment, p.AttachType = data, mt
	}
}

func partFileName(part *multipart.Part) (string, string) {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return "", ""
	}
	return "", params["filename"]
}

func newBuilder(t testing.TB) *Builder {
	t.Helper()
	b, err := NewBuilder(BuilderConfig{
		From: "Research Computing Billing <billing@example.edu>", ReplyTo: "rc-help@example.edu",
		Bcc: []string{"archive@example.edu"},
		Now: func() time.Time { return time.Date(2025, 2, 3, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func render(t testing.TB, m *Message) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.Msg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBuildParsesBackWithPDF(t *testing.T) {
	dir := t.TempDir()
	st := testStatement(t, dir, 7, "ada@uni.edu", "Ada Lovelace")
	m, err := newBuilder(t).Build(&st, st.PDF)
	if err != nil {
		t.Fatal(err)
	}
	raw := render(t, m)
	p := parseMessage(t, raw)

	if got := p.Header.Get("To"); got != `"Ada Lovelace" <ada@uni.edu>` {
		t.Errorf("To = %q", got)
	}
	if got := p.Header.Get("From"); !strings.Contains(got, "<billing@example.edu>") {
		t.Errorf("From = %q", got)
	}
	if got := p.Header.Get("Reply-To"); !strings.Contains(got, "rc-help@example.edu") {
		t.Errorf("Reply-To = %q", got)
	}
	if p.Header.Get("Bcc") != "" || bytes.Contains(raw, []byte("archive@example.edu")) {
		t.Errorf("Bcc address leaked into the message:\n%s", raw)
	}
	if got := p.Header.Get(HeaderStatementID); got != "2025-01-0007" {
		t.Errorf("%s = %q", HeaderStatementID, got)
	}
	if !strings.HasPrefix(p.Subject, "DRAFT") || !strings.Contains(p.Subject, "January 2025") ||
		!strings.Contains(p.Subject, "$1,101.10") {
		t.Errorf("subject = %q", p.Subject)
	}
	wantSummary := "List price $3,634.56 · Discount −$2,523.46 · Adjustments −$10.00 · Amount due $1,101.10"
	for name, body := range map[string]string{"text": p.Text, "html": p.HTML} {
		if !strings.Contains(body, wantSummary) {
			t.Errorf("%s body lacks %q:\n%s", name, wantSummary, body)
		}
		if !strings.Contains(body, "Your institution covered $2,523.46 (69.4%) of the list price of the services you used.") {
			t.Errorf("%s body lacks the covered sentence:\n%s", name, body)
		}
		if !strings.Contains(body, "DRAFT") {
			t.Errorf("%s body does not say DRAFT", name)
		}
		if !strings.Contains(body, "node outage credit") {
			t.Errorf("%s body lacks the adjustment", name)
		}
	}
	if !bytes.Equal(p.Attachment, fakePDF("2025-01-0007")) {
		t.Errorf("attachment bytes differ from the PDF (%d bytes vs %d)", len(p.Attachment), len(fakePDF("2025-01-0007")))
	}
	if p.AttachType != "application/pdf" || p.AttachName != "2025-01-0007.pdf" {
		t.Errorf("attachment %q %q", p.AttachType, p.AttachName)
	}
	// Every header line is CRLF-terminated and short enough for SMTP.
	hdr, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, l := range bytes.Split(hdr, []byte("\r\n")) {
		if len(l) > 998 || bytes.ContainsAny(l, "\r\n") {
			t.Errorf("bad header line %q", l)
		}
	}
}

func TestBuildFinalSaysNoDraft(t *testing.T) {
	dir := t.TempDir()
	st := testStatement(t, dir, 1, "ada@uni.edu", "")
	st.Status = statement.StatusFinal
	m, err := newBuilder(t).Build(&st, st.PDF)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, render(t, m))
	if strings.Contains(p.Subject, "DRAFT") || strings.Contains(p.Text, "DRAFT") || strings.Contains(p.HTML, "DRAFT") {
		t.Errorf("final statement mentions DRAFT: %q\n%s", p.Subject, p.Text)
	}
	if !strings.Contains(p.Text, "Dear ada@uni.edu,") {
		t.Errorf("a PI without a name is addressed by e-mail:\n%s", p.Text)
	}
}

func TestHTMLEscapesStatementText(t *testing.T) {
	dir := t.TempDir()
	st := testStatement(t, dir, 2, "bob@uni.edu", "Bob <script>alert(1)</script>")
	st.Lines[0].Service = `<img src=x onerror=alert(2)>`
	m, err := newBuilder(t).Build(&st, st.PDF)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, render(t, m))
	if strings.Contains(p.HTML, "<script>") || strings.Contains(p.HTML, "<img src=x") {
		t.Errorf("HTML body not escaped:\n%s", p.HTML)
	}
	if !strings.Contains(p.HTML, "&lt;script&gt;") {
		t.Errorf("escaped name missing from HTML body")
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	b := newBuilder(t)
	cases := map[string]struct {
		edit func(st *statementT)
		rule string
	}{
		"CRLF in name":        {func(st *statementT) { st.PI.Name = "Ada\r\nBcc: evil@x.org" }, "header-injection"},
		"LF in name":          {func(st *statementT) { st.PI.Name = "Ada\nBcc: evil@x.org" }, "header-injection"},
		"CRLF in email":       {func(st *statementT) { st.PI.Email = "ada@uni.edu\r\nBcc: evil@x.org" }, "bad-address"},
		"CR in id":            {func(st *statementT) { st.StatementID = "2025-01-0001\rX-Evil: 1" }, "header-injection"},
		"two addresses":       {func(st *statementT) { st.PI.Email = "ada@uni.edu, evil@x.org" }, "bad-address"},
		"display name":        {func(st *statementT) { st.PI.Email = "Evil <evil@x.org>" }, "bad-address"},
		"not an address":      {func(st *statementT) { st.PI.Email = "ada at uni" }, "bad-address"},
		"empty email":         {func(st *statementT) { st.PI.Email = "" }, "bad-address"},
		"missing pdf field":   {func(st *statementT) { st.PDF = "" }, "pdf-missing"},
		"missing pdf file":    {func(st *statementT) { st.PDF = dir + "/nope.pdf" }, "pdf-missing"},
		"pdf is a directory":  {func(st *statementT) { st.PDF = dir }, "pdf-missing"},
		"hash mismatch":       {func(st *statementT) { st.PDFSHA256 = strings.Repeat("0", 64) }, "pdf-mismatch"},
		"no statement id":     {func(st *statementT) { st.StatementID = "" }, "missing-id"},
		"invalid UTF-8 name":  {func(st *statementT) { st.PI.Name = "Ada \xff" }, "header-injection"},
		"line separator name": {func(st *statementT) { st.PI.Name = "Ada\u2028Bcc: x@y.z" }, "header-injection"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st := testStatement(t, dir, 3, "ada@uni.edu", "Ada")
			tc.edit(&st)
			m, err := b.Build(&st, st.PDF)
			if err == nil {
				t.Fatalf("built a message:\n%s", render(t, m))
			}
			var se *StatementError
			if !asStatementError(err, &se) || se.Rule != tc.rule {
				t.Fatalf("error %v (%T), want rule %s", err, err, tc.rule)
			}
		})
	}
	t.Run("not a PDF", func(t *testing.T) {
		st := testStatement(t, dir, 4, "ada@uni.edu", "Ada")
		st.PDF = dir + "/x.txt"
		st.PDFSHA256 = ""
		if err := writeFile(st.PDF, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Build(&st, st.PDF); err == nil || !strings.Contains(err.Error(), "not a PDF") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBuilderRefusesBadFrom(t *testing.T) {
	for _, from := range []string{"", "billing", "a@b.c\r\nBcc: x@y.z", "a@b.c, d@e.f"} {
		if _, err := NewBuilder(BuilderConfig{From: from}); err == nil {
			t.Errorf("From %q accepted", from)
		}
	}
	if _, err := NewBuilder(BuilderConfig{From: "b@example.edu", Bcc: []string{"x\ny@z.org"}}); err == nil {
		t.Error("bad --bcc accepted")
	}
}

func TestSubjectTemplateCannotInject(t *testing.T) {
	dir := t.TempDir()
	f := dir + "/subject.tmpl"
	// A template that itself spans lines is refused when loaded.
	if err := writeFile(f, []byte("Statement {{.ID}}\nBcc: evil@x.org\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTemplates(TemplateFiles{Subject: f}); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Fatalf("load: %v", err)
	}
	// A statement value that would break the subject is refused when built.
	if err := writeFile(f, []byte("Statement {{.ID}} for {{.FundOrg}}\n")); err != nil {
		t.Fatal(err)
	}
	tm, err := LoadTemplates(TemplateFiles{Subject: f})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBuilder(BuilderConfig{From: "b@example.edu", Templates: tm})
	if err != nil {
		t.Fatal(err)
	}
	st := testStatement(t, dir, 5, "ada@uni.edu", "Ada")
	st.FundOrg = "F1\r\nBcc: evil@x.org"
	if _, err := b.Build(&st, st.PDF); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Fatalf("err = %v", err)
	}
}

func TestSafeFileName(t *testing.T) {
	cases := map[string]string{
		"2025-01-0007": "2025-01-0007",
	}
	for in, want := range cases {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"../../etc/passwd", "a/b", `a\b`, "..", ".", ".hidden", "", "x\x00y", strings.Repeat("a", 300), "ü"} {
		got := SafeFileName(in)
		if got == "" || strings.ContainsAny(got, `/\`+"\x00") || strings.HasPrefix(got, ".") || len(got) > 120 {
			t.Errorf("SafeFileName(%q) = %q is not a safe name", in, got)
		}
	}
	if SafeFileName("a/b") == SafeFileName("a_b") || SafeFileName("a/b") == SafeFileName(`a\b`) {
		t.Error("ids that sanitise alike share a file name")
	}
}

func TestCoveredSentenceIsHonest(t *testing.T) {
	cases := []struct{ list, disc, billed, want string }{
		{"2400", "-2400", "0", "covered $2,400.00 (100.0%) of the list price of the services you used."},
		{"1000", "-999.5", "0.5", "(99.9%)"},
		{"1000", "-999.99", "0.01", "(99.9%)"},
		{"100000", "-0.01", "99999.99", "(less than 0.1%)"},
		{"100", "0", "100", "did not cover any of the $100.00 list price"},
		{"0", "0", "0", "No list-priced services were used in this period."},
		{"100", "10", "110", "$10.00 above the $100.00 list price"},
	}
	for _, c := range cases {
		tot := statement.Totals{ListCost: mustMoney(t, c.list), Discount: mustMoney(t, c.disc), BilledCost: mustMoney(t, c.billed)}
		if got := coveredSentence(tot, "USD"); !strings.Contains(got, c.want) {
			t.Errorf("list %s discount %s: %q lacks %q", c.list, c.disc, got, c.want)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	cases := map[string]string{"-2400": "−$2,400.00", "0": "$0.00", "1234567.891": "$1,234,567.89"}
	for in, want := range cases {
		if got := FormatAmount(mustMoney(t, in), "USD"); got != want {
			t.Errorf("FormatAmount(%s) = %q, want %q", in, got, want)
		}
	}
	if got := FormatAmount(mustMoney(t, "5"), "chf"); got != "CHF 5.00" {
		t.Errorf("CHF: %q", got)
	}
}

func TestLongHeaderValuesStayLegal(t *testing.T) {
	dir := t.TempDir()
	b := newBuilder(t)
	st := testStatement(t, dir, 1, "ada@uni.edu", strings.Repeat("A", 850))
	m, err := b.Build(&st, st.PDF)
	if err != nil {
		t.Fatal(err)
	}
	raw := render(t, m)
	hdr, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, l := range bytes.Split(hdr, []byte("\r\n")) {
		if len(l) > 998 {
			t.Errorf("header line of %d bytes: %.60q...", len(l), l)
		}
	}
	if p := parseMessage(t, raw); !strings.Contains(p.Header.Get("To"), strings.Repeat("A", 850)) {
		t.Error("long name lost")
	}
	st.PI.Name = strings.Repeat("B", 1000)
	if _, err := b.Build(&st, st.PDF); err == nil || !strings.Contains(err.Error(), "too long for a mail header") {
		t.Fatalf("1000-byte name: %v", err)
	}
}

// TestLinesExplainedInMail (issue 27): a credit's description, the keys of
// look-alike lines and the under-review mark with its sentence, in both
// bodies; none of it on a statement without such lines.
func TestLinesExplainedInMail(t *testing.T) {
	dir := t.TempDir()
	st := testStatement(t, dir, 3, "ada@uni.edu", "Ada Lovelace")
	long := "Service credit for the 14 January outage under the service level agreement, case 171234567890, applied in full to this account"
	st.Lines = append(st.Lines,
		statement.Line{Source: "AWS", Service: "Amazon EC2", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024", Description: long,
			ListCost: mustMoney(t, "-5"), BilledCost: mustMoney(t, "-5")},
		statement.Line{Source: "AWS", Service: "Amazon EC2", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024", CostCenter: "CC-9",
			ListCost: mustMoney(t, "2"), BilledCost: mustMoney(t, "2"), UnderReview: true})
	m, err := newBuilder(t).Build(&st, st.PDF)
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, render(t, m))
	for name, body := range map[string]string{"text": p.Text, "html": p.HTML} {
		flat := strings.Join(strings.Fields(body), " ")
		sentence := statement.UnderReviewSentence
		if name == "html" {
			sentence = strings.ReplaceAll(sentence, `"`, "&#34;")
		}
		for _, want := range []string{long, "(cost centre CC-9)", "[under review]", sentence} {
			if !strings.Contains(flat, want) {
				t.Errorf("%s body lacks %q:\n%s", name, want, body)
			}
		}
	}
	plain := testStatement(t, dir, 4, "bob@uni.edu", "Bob")
	m, err = newBuilder(t).Build(&plain, plain.PDF)
	if err != nil {
		t.Fatal(err)
	}
	if p := parseMessage(t, render(t, m)); strings.Contains(p.Text+p.HTML, "under review") {
		t.Errorf("a statement with nothing pending mentions review:\n%s", p.Text)
	}
}
