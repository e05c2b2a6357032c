package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/mail"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/web"
)

// piFlags are serve's settings for the PI review window: the link key PI
// links are checked with (shared with focus-mail --draft) and where
// resolution e-mails go (the same settings as focus-mail).
func piFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "link-key", Usage: "PI link key `FILE`, shared with focus-mail --link-key (default: DB.link-key, created with mode 0600)", EnvVars: cliutil.Env("link-key")},
		&cli.StringFlag{Name: "smtp", Usage: "resolution e-mails to PIs: SMTP `URL`, as focus-mail", EnvVars: append(cliutil.Env("smtp-url"), cliutil.Env("smtp")...)},
		&cli.StringFlag{Name: "smtp-ca", Usage: "CA certificate `FILE` for the SMTP server", EnvVars: cliutil.Env("smtp-ca")},
		cliutil.SMTPPasswordFileFlag(),
		&cli.StringFlag{Name: "outbox", Usage: "resolution e-mails to PIs as `DIR`/dispute-ID-resolved.eml instead of SMTP", EnvVars: cliutil.Env("outbox")},
		&cli.StringFlag{Name: "from", Usage: "sender `ADDR` of resolution e-mails (with --smtp or --outbox: offers \"e-mail the PI\" when resolving)", EnvVars: cliutil.Env("from")},
		&cli.StringFlag{Name: "reply-to", Usage: "Reply-To `ADDR` of resolution e-mails", EnvVars: cliutil.Env("reply-to")},
	}
}

// piSetup loads (or creates) the link key and, when --from and --smtp or
// --outbox are set, the resolution notifier.
func piSetup(c *cli.Context, db string) ([]byte, web.NotifyFunc, io.Closer, error) {
	keyFile := c.String("link-key")
	if keyFile == "" && ledger.IsPostgresDSN(db) {
		return nil, nil, nil, errors.New("serve: with a PostgreSQL ledger give --link-key FILE (the same file focus-mail --draft uses)")
	}
	if keyFile == "" {
		keyFile = pilink.KeyFileFor(db)
	}
	key, err := pilink.LoadOrCreateKey(keyFile)
	if err != nil {
		return nil, nil, nil, err
	}
	if c.String("from") == "" || (c.String("smtp") == "" && c.String("outbox") == "") {
		return key, nil, io.NopCloser(nil), nil
	}
	pw, err := cliutil.SMTPPassword(c, c.App.ErrWriter, "focus-statement serve")
	if err != nil {
		return nil, nil, nil, err
	}
	b, d, err := mail.NewNotifier(mail.NotifyConfig{SMTPURL: c.String("smtp"), Password: pw,
		CAFile: c.String("smtp-ca"), Outbox: c.String("outbox"), From: c.String("from"), ReplyTo: c.String("reply-to")})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("resolution e-mails: %w", err)
	}
	var mu sync.Mutex // one SMTP connection, one message at a time
	notify := func(ctx context.Context, x web.Dispute) (string, error) {
		m, err := b.BuildResolution(mail.Resolution{DisputeID: x.ID, Period: x.Period, PIEmail: x.PIEmail, Line: x.Line,
			ChargeID: x.ChargeID, Reason: x.Reason, Note: x.Note, ResolvedBy: x.ResolvedBy})
		if err != nil {
			return "", err
		}
		mu.Lock()
		defer mu.Unlock()
		return d.Deliver(ctx, m)
	}
	return key, notify, d, nil
}
