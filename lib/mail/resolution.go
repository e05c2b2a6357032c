package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"

	gomail "github.com/wneessen/go-mail"
)

// Resolution is a dispute's answer, e-mailed to the PI who disputed
// (focus-load dispute resolve --notify, or "e-mail the PI" on the web).
type Resolution struct {
	DisputeID  int64
	Period     string // YYYY-MM
	PIEmail    string
	Line       string // the line disputed ("" = the whole statement or ChargeID)
	ChargeID   int64
	Reason     string // what the PI said
	Note       string // the resolution
	ResolvedBy string
}

// HeaderDisputeID names the dispute a resolution message answers.
const HeaderDisputeID = "X-OpenChargeback-Dispute-Id"

var resolutionText = texttemplate.Must(texttemplate.New("resolution").Parse(`Hello,

Your dispute about your research computing statement for {{.PeriodName}} has been resolved.

You disputed: {{.What}}
You said:     {{.Reason}}

Resolution:
    {{.Note}}

Any correction is on your statement: the statement page (the link in
your draft statement e-mail) shows it until the period is final, and the
final statement will carry it.
Questions: just reply to this message.

Research Computing billing
`))

// BuildResolution makes the plain-text resolution e-mail to the PI (no
// attachment). Delivered by any Deliverer; in an outbox it is
// dispute-<id>-resolved.eml.
func (b *Builder) BuildResolution(res Resolution) (*Message, error) {
	to, err := parseMailbox("pi_email", res.PIEmail, false)
	if err != nil {
		return nil, fieldErr("pi.email", "bad-address", err)
	}
	if err := checkHeaderValue("period", res.Period); err != nil {
		return nil, fieldErr("period", "header-injection", err)
	}
	what := "the whole statement"
	switch {
	case res.Line != "":
		what = "the line " + res.Line
	case res.ChargeID != 0:
		what = fmt.Sprintf("charge %d", res.ChargeID)
	}
	var body strings.Builder
	if err := resolutionText.Execute(&body, map[string]string{
		"PeriodName": periodName(res.Period), "What": what, "Reason": oneLineText(res.Reason), "Note": oneLineText(res.Note),
	}); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("dispute-%d-resolved", res.DisputeID)
	m := &Message{StatementID: name, To: to.Address, FileName: name, MessageID: b.messageID(name),
		Subject: fmt.Sprintf("Your dispute about your %s research computing statement is resolved", periodName(res.Period))}
	msg := b.envelope(&netmail.Address{Address: m.To}, m.Subject, m.MessageID, "OpenChargeback")
	msg.SetGenHeader(gomail.Header(HeaderDisputeID), fmt.Sprint(res.DisputeID))
	msg.SetGenHeader(gomail.Header(HeaderPeriod), res.Period)
	msg.SetBodyString(gomail.TypeTextPlain, body.String())
	m.Msg = msg
	return m, nil
}

// oneLineText flattens control characters (a reason's line breaks stay
// readable as spaces) so a body line cannot be faked.
func oneLineText(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)), " ")
}

// NotifyConfig is where resolution e-mails go: SMTP (the same URL,
// password and CA settings as focus-mail) or an outbox directory.
type NotifyConfig struct {
	SMTPURL, Password, CAFile, Outbox string
	From, ReplyTo                     string
	Bcc                               []string
}

// NewNotifier checks c and returns a Builder and a Deliverer for
// resolution e-mails; the caller closes the Deliverer.
func NewNotifier(c NotifyConfig) (*Builder, Deliverer, error) {
	if c.From == "" {
		return nil, nil, fmt.Errorf("e-mailing the PI needs --from (the sender address)")
	}
	b, err := NewBuilder(BuilderConfig{From: c.From, ReplyTo: c.ReplyTo, Bcc: c.Bcc})
	if err != nil {
		return nil, nil, err
	}
	switch {
	case c.SMTPURL != "" && c.Outbox != "":
		return nil, nil, fmt.Errorf("give either --smtp (or FOCUS_SMTP_URL) or --outbox, not both")
	case c.Outbox != "":
		o, err := NewOutbox(c.Outbox)
		return b, o, err
	case c.SMTPURL != "":
		cfg, err := ParseSMTPURL(c.SMTPURL, c.Password)
		if err != nil {
			return nil, nil, err
		}
		cfg.CAFile = c.CAFile
		s, err := NewSMTPSender(cfg)
		return b, s, err
	}
	return nil, nil, fmt.Errorf("e-mailing the PI needs --smtp URL (or FOCUS_SMTP_URL) or --outbox DIR")
}
