package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/mail"
)

// notifyFlags are `dispute resolve --notify` and where the e-mail goes:
// the same settings (and FOCUS_* variables) as focus-mail.
func notifyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "notify", Usage: "e-mail the PI the resolution (by --smtp or into --outbox)"},
		&cli.StringFlag{Name: "smtp", Usage: "with --notify: SMTP `URL`, as focus-mail", EnvVars: append(cliutil.Env("smtp-url"), cliutil.Env("smtp")...)},
		&cli.StringFlag{Name: "smtp-ca", Usage: "with --notify: CA certificate `FILE` for the SMTP server", EnvVars: cliutil.Env("smtp-ca")},
		cliutil.SMTPPasswordFileFlag(),
		&cli.StringFlag{Name: "outbox", Usage: "with --notify: write the e-mail as `DIR`/dispute-ID-resolved.eml instead", EnvVars: cliutil.Env("outbox")},
		&cli.StringFlag{Name: "from", Usage: "with --notify: sender `ADDR`", EnvVars: cliutil.Env("from")},
		&cli.StringFlag{Name: "reply-to", Usage: "with --notify: Reply-To `ADDR`", EnvVars: cliutil.Env("reply-to")},
	}
}

// notifier is set up before the dispute is resolved, so a missing setting
// is a usage error that changes nothing.
type notifier struct {
	b *mail.Builder
	d mail.Deliverer
}

func newNotifier(c *cli.Context) (*notifier, error) {
	if !c.Bool("notify") {
		return nil, nil
	}
	pw, err := cliutil.SMTPPassword(c, c.App.ErrWriter, "focus-load")
	if err != nil {
		return nil, err
	}
	b, d, err := mail.NewNotifier(mail.NotifyConfig{SMTPURL: c.String("smtp"), Password: pw,
		CAFile: c.String("smtp-ca"), Outbox: c.String("outbox"), From: c.String("from"), ReplyTo: c.String("reply-to")})
	if err != nil {
		return nil, fmt.Errorf("--notify: %w", err)
	}
	return &notifier{b, d}, nil
}

func (n *notifier) send(c *cli.Context, l *ledger.Ledger, id int64) error {
	defer n.d.Close()
	d, err := l.Dispute(c.Context, id)
	if err != nil {
		return err
	}
	m, err := n.b.BuildResolution(mail.Resolution{DisputeID: d.ID, Period: d.Period, PIEmail: d.PIEmail, Line: d.Line,
		ChargeID: d.ChargeID, Reason: d.Reason, Note: d.Note, ResolvedBy: d.ResolvedBy})
	if err != nil {
		return fmt.Errorf("dispute %d is resolved, but the e-mail to %s could not be made: %w", id, d.PIEmail, err)
	}
	via, err := n.d.Deliver(c.Context, m)
	if err != nil {
		return fmt.Errorf("dispute %d is resolved, but the e-mail to %s failed: %w", id, d.PIEmail, err)
	}
	fmt.Fprintf(c.App.ErrWriter, "focus-load: dispute %d: resolution e-mailed to %s (%s)\n", id, cliutil.Printable(d.PIEmail), via)
	return nil
}
