package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	netmail "net/mail"
	"net/textproto"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/openchargeback/ocb/lib/statement"
)

// MaxPDFSize is the largest statement PDF focus-mail attaches. Statements
// are tens of KiB; 10 MiB (about 13.5 MiB once base64-encoded) stays under
// the message size limit of every common relay, and a bigger file means
// something upstream went wrong.
const MaxPDFSize = 10 << 20

// Header names focus-mail adds so a mailbox rule or a helpdesk can find the
// statement a message belongs to.
const (
	HeaderStatementID = "X-OpenChargeback-Statement-Id"
	HeaderPeriod      = "X-OpenChargeback-Period"
	HeaderPDFSHA256   = "X-OpenChargeback-Pdf-Sha256"
)

// BuilderConfig is what every message of a run shares.
type BuilderConfig struct {
	From      string   // "Billing <billing@uni.edu>" or a bare address
	ReplyTo   string   // optional
	Bcc       []string // optional copies, e.g. the billing mailbox
	Templates *Templates
	// DraftTemplates render draft mailings (BuildDraft); nil = the
	// embedded draft defaults.
	DraftTemplates *Templates
	Now            func() time.Time // for the Date header; time.Now if nil
}

// Builder turns statements into MIME messages (multipart/mixed with a
// multipart/alternative text+HTML body and the PDF), built by go-mail.
type Builder struct {
	from      *netmail.Address
	replyTo   *netmail.Address
	bcc       []*netmail.Address
	domain    string
	templates *Templates
	drafts    *Templates
	now       func() time.Time
}

// NewBuilder checks the run-wide addresses once, so a bad --from is a usage
// error before anything is sent.
func NewBuilder(c BuilderConfig) (*Builder, error) {
	b := &Builder{templates: c.Templates, drafts: c.DraftTemplates, now: c.Now}
	if b.templates == nil {
		t, err := LoadTemplates(TemplateFiles{})
		if err != nil {
			return nil, err
		}
		b.templates = t
	}
	if b.drafts == nil {
		t, err := LoadDraftTemplates(TemplateFiles{})
		if err != nil {
			return nil, err
		}
		b.drafts = t
	}
	if b.now == nil {
		b.now = time.Now
	}
	var err error
	if b.from, err = parseMailbox("--from", c.From, true); err != nil {
		return nil, err
	}
	_, b.domain, _ = strings.Cut(b.from.Address, "@")
	if c.ReplyTo != "" {
		if b.replyTo, err = parseMailbox("--reply-to", c.ReplyTo, true); err != nil {
			return nil, err
		}
	}
	for _, a := range c.Bcc {
		p, err := parseMailbox("--bcc", a, true)
		if err != nil {
			return nil, err
		}
		b.bcc = append(b.bcc, p)
	}
	return b, nil
}

// Message is one statement's e-mail, ready for delivery.
type Message struct {
	StatementID    string
	To             string // the PI's bare address
	ToName         string
	Subject        string
	AttachmentName string
	PDFSHA256      string // hash of the bytes actually attached
	PDFSize        int
	FileName       string // base name for the outbox, without ".eml"
	MessageID      string // without angle brackets
	Draft          bool
	Msg            *gomail.Msg
}

// Build makes the message for st. pdfPath is where the PDF is (the
// statement's "pdf", resolved by the caller). Every problem — a header value
// with a line break, an invalid address, a missing, oversized or non-PDF
// file, a hash that does not match pdf_sha256 — is an error for this
// statement; no message is produced, so nothing malformed can be sent.
func (b *Builder) Build(st *statement.Statement, pdfPath string) (*Message, error) {
	return b.build(st, pdfPath, nil)
}

// build makes the message; draft is nil for a normal mailing.
func (b *Builder) build(st *statement.Statement, pdfPath string, draft *DraftInfo) (*Message, error) {
	if strings.TrimSpace(st.StatementID) == "" {
		return nil, fieldErrf("statement_id", "missing-id", "statement has no statement_id")
	}
	for _, f := range []struct{ what, v string }{
		{"statement_id", st.StatementID}, {"period", st.Period}, {"pi.name", st.PI.Name},
	} {
		if err := checkHeaderValue(f.what, f.v); err != nil {
			return nil, fieldErr(f.what, "header-injection", err)
		}
	}
	to, err := parseMailbox("pi.email", st.PI.Email, false)
	if err != nil {
		return nil, fieldErr("pi.email", "bad-address", err)
	}
	pdf, sum, err := readPDF(pdfPath, st.PDFSHA256)
	if err != nil {
		return nil, err
	}
	m := &Message{
		StatementID:    st.StatementID,
		To:             to.Address,
		ToName:         strings.TrimSpace(st.PI.Name),
		AttachmentName: SafeFileName(st.StatementID) + ".pdf",
		PDFSHA256:      sum,
		PDFSize:        len(pdf),
		FileName:       SafeFileName(st.StatementID),
		Draft:          st.Status != statement.StatusFinal,
	}
	view := NewView(st, m.AttachmentName, b.from.Address)
	tmpl := b.templates
	if draft != nil {
		tmpl = b.drafts
		m.FileName += ".draft" // the final mailing's .eml does not replace it
		view.Link, view.FinalOnDate, view.FinalOn = draft.Link, draft.FinalOn, longDate(draft.FinalOn)
	}
	r, err := tmpl.Render(&view)
	if err != nil {
		return nil, fieldErr("template", "template", err)
	}
	m.Subject = r.Subject
	m.MessageID = b.messageID(m.FileName)

	msg := b.envelope(&netmail.Address{Name: m.ToName, Address: m.To}, m.Subject, m.MessageID, "OpenChargeback focus-mail")
	msg.SetGenHeader(gomail.Header(HeaderStatementID), st.StatementID)
	if st.Period != "" {
		msg.SetGenHeader(gomail.Header(HeaderPeriod), st.Period)
	}
	msg.SetGenHeader(gomail.Header(HeaderPDFSHA256), sum)
	if draft != nil {
		msg.SetGenHeader(gomail.Header(HeaderDraft), "yes")
	}
	msg.SetBodyString(gomail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	// The attachment writes from a fresh reader every time: a retry after a
	// connection dropped mid-DATA must send the whole PDF again (go-mail's
	// AttachReader would resume from where the failed attempt stopped).
	msg.SetAttachments([]*gomail.File{{
		Name:        m.AttachmentName,
		ContentType: gomail.ContentType("application/pdf"),
		Enc:         gomail.EncodingB64,
		Header:      textproto.MIMEHeader{},
		Writer: func(w io.Writer) (int64, error) {
			return bytes.NewReader(pdf).WriteTo(w)
		},
	}})
	m.Msg = msg
	return m, nil
}

// messageID is unique per message (a re-send is a new message, and some
// providers drop a second message with a Message-ID they have seen) and
// names the statement, which helps when a PI forwards it to a helpdesk.
// envelope starts a message with the headers every message of ours has:
// sender, recipient, Reply-To and Bcc, subject, date, id, user agent, and
// Auto-Submitted (machine-sent: vacation responders do not answer, RFC
// 3834; people can still reply, Reply-To says where to).
func (b *Builder) envelope(to *netmail.Address, subject, messageID, agent string) *gomail.Msg {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(b.from)
	msg.ToMailAddress(to)
	if b.replyTo != nil {
		msg.ReplyToMailAddress(b.replyTo)
	}
	if len(b.bcc) > 0 {
		msg.BccMailAddress(b.bcc...)
	}
	msg.Subject(subject)
	msg.SetDateWithValue(b.now())
	msg.SetMessageIDWithValue(messageID)
	msg.SetUserAgent(agent)
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	return msg
}

func (b *Builder) messageID(name string) string {
	var r [12]byte
	_, _ = rand.Read(r[:])
	return "ocb." + name + "." + hex.EncodeToString(r[:]) + "@" + b.domain
}

// readPDF reads the statement PDF and checks it against the hash in the
// statement, so the PI gets exactly the file focus-statement produced.
func readPDF(path, wantSHA string) ([]byte, string, error) {
	if path == "" {
		return nil, "", fieldErrf("pdf", "pdf-missing", "statement has no pdf (run focus-statement with --pdf-dir)")
	}
	// Stat before opening: opening a FIFO or a device named by a bad "pdf"
	// path would block or read forever.
	if fi, err := os.Stat(path); err != nil {
		return nil, "", fieldErr("pdf", "pdf-missing", fmt.Errorf("statement pdf: %w", err))
	} else if !fi.Mode().IsRegular() {
		return nil, "", fieldErrf("pdf", "pdf-missing", "statement pdf %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fieldErr("pdf", "pdf-missing", fmt.Errorf("statement pdf: %w", err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", fieldErr("pdf", "pdf-missing", fmt.Errorf("statement pdf: %w", err))
	}
	if !fi.Mode().IsRegular() {
		return nil, "", fieldErrf("pdf", "pdf-missing", "statement pdf %s is not a regular file", path)
	}
	if fi.Size() > MaxPDFSize {
		return nil, "", fieldErrf("pdf", "pdf-too-large", "statement pdf %s is %d bytes, more than the %d-byte limit", path, fi.Size(), MaxPDFSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxPDFSize+1))
	if err != nil {
		return nil, "", fieldErr("pdf", "pdf-missing", fmt.Errorf("read statement pdf %s: %w", path, err))
	}
	if len(data) > MaxPDFSize {
		return nil, "", fieldErrf("pdf", "pdf-too-large", "statement pdf %s grew beyond the %d-byte limit while being read", path, MaxPDFSize)
	}
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		return nil, "", fieldErrf("pdf", "not-pdf", "statement pdf %s is not a PDF (does not start with %%PDF)", path)
	}
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	if wantSHA != "" && !strings.EqualFold(strings.TrimSpace(wantSHA), sum) {
		return nil, "", fieldErrf("pdf_sha256", "pdf-mismatch", "statement pdf %s has sha256 %s, but the statement says pdf_sha256 %s: the PDF changed after the statement was made; re-run focus-statement", path, sum, wantSHA)
	}
	return data, sum, nil
}
