package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/mail"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/web"
)

// piFlags are serve's settings for the PI review window: the link key PI
// links are checked with (shared with focus-mail --draft) and where
// resolution e-mails go (the same settings as focus-mail).
func piFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "link-key", Usage: "PI link key `FILE`, shared with focus-mail --link-key (default: DB.link-key, created with mode 0600)", EnvVars: cliutil.Env("link-key")},
		&cli.StringFlag{Name: "smtp", Usage: "e-mail to PIs (statements, resolutions): SMTP `URL`, as focus-mail", EnvVars: append(cliutil.Env("smtp-url"), cliutil.Env("smtp")...)},
		&cli.StringFlag{Name: "smtp-ca", Usage: "CA certificate `FILE` for the SMTP server", EnvVars: cliutil.Env("smtp-ca")},
		cliutil.SMTPPasswordFileFlag(),
		&cli.StringFlag{Name: "outbox", Usage: "e-mail to PIs as .eml files in `DIR` instead of SMTP, as focus-mail --outbox", EnvVars: cliutil.Env("outbox")},
		&cli.StringFlag{Name: "from", Usage: "sender `ADDR` of e-mail to PIs (with --smtp or --outbox: the statements page mails statements, and resolving a dispute offers \"e-mail the PI\")", EnvVars: cliutil.Env("from")},
		&cli.StringFlag{Name: "reply-to", Usage: "Reply-To `ADDR` of resolution e-mails", EnvVars: cliutil.Env("reply-to")},
		&cli.StringFlag{Name: "sent-log", Usage: "the sent record `FILE` shared with focus-mail (default: DB.sent-log, focus-mail's default too)", EnvVars: cliutil.Env("sent-log")},
		&cli.StringFlag{Name: "base-url", Usage: "`URL` where PIs reach this server, for the links in draft e-mails (as focus-mail --base-url)", EnvVars: cliutil.Env("base-url")},
	}
}

// lockedDeliverer lets resolution e-mails and statement mailings share one
// delivery (one SMTP connection), one message at a time.
type lockedDeliverer struct {
	mu sync.Mutex
	d  mail.Deliverer
}

func (l *lockedDeliverer) Deliver(ctx context.Context, m *mail.Message) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.d.Deliver(ctx, m)
}

func (l *lockedDeliverer) Close() error { return l.d.Close() }

// mailSetup is the statements page's mailing: the Builder and Deliverer
// focus-mail would make of the same settings, and the sent record focus-mail
// keeps by default.
func mailSetup(c *cli.Context, db string, b *mail.Builder, d mail.Deliverer, linkKey []byte) (*web.MailSettings, error) {
	if b == nil {
		return nil, nil
	}
	sent := c.String("sent-log")
	if sent == "" {
		if sent = mail.SentLogFor(db); sent == "" {
			return nil, errors.New("serve: with a PostgreSQL ledger and mail settings give --sent-log FILE (the file focus-mail --sent-log uses)")
		}
	}
	via := "outbox " + c.String("outbox")
	if c.String("outbox") == "" {
		cfg, err := mail.ParseSMTPURL(c.String("smtp"), "")
		if err != nil {
			return nil, err
		}
		via = "SMTP " + cfg.Host
	}
	ms := &web.MailSettings{Builder: b, Deliverer: d, SentLog: sent, Via: via, TempDir: c.String("temp-dir")}
	base := strings.TrimRight(c.String("base-url"), "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("--base-url %q: want http(s)://host[/path]", base)
		}
	}
	// Draft mailings as focus-mail --draft makes them by default: final in
	// 14 days, links (with --base-url) good for a week after that.
	ms.Draft = func(now time.Time) (*mail.DraftRun, error) {
		today := now.UTC().Truncate(24 * time.Hour)
		fo := today.AddDate(0, 0, 14)
		run := &mail.DraftRun{FinalOn: fo.Format("2006-01-02")}
		if base == "" {
			return run, nil
		}
		expires := fo.AddDate(0, 0, 8)
		run.Link = func(st *statement.Statement) (string, error) {
			tok, err := pilink.Sign(linkKey, pilink.Claims{Period: st.Period, StatementID: st.StatementID, Email: st.PI.Email, FinalOn: run.FinalOn, Expires: expires})
			if err != nil {
				return "", err
			}
			return pilink.URL(base, tok), nil
		}
		return run, nil
	}
	return ms, nil
}

// piSetup loads (or creates) the link key and, when --from and --smtp or
// --outbox are set, the resolution notifier.
func piSetup(c *cli.Context, db string) ([]byte, web.NotifyFunc, *web.MailSettings, io.Closer, error) {
	keyFile := c.String("link-key")
	if keyFile == "" && ledger.IsPostgresDSN(db) {
		return nil, nil, nil, nil, errors.New("serve: with a PostgreSQL ledger give --link-key FILE (the same file focus-mail --draft uses)")
	}
	if keyFile == "" {
		keyFile = pilink.KeyFileFor(db)
	}
	key, err := pilink.LoadOrCreateKey(keyFile)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if c.String("from") == "" || (c.String("smtp") == "" && c.String("outbox") == "") {
		return key, nil, nil, io.NopCloser(nil), nil
	}
	pw, err := cliutil.SMTPPassword(c, c.App.ErrWriter, "focus-statement serve")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	b, d, err := mail.NewNotifier(mail.NotifyConfig{SMTPURL: c.String("smtp"), Password: pw,
		CAFile: c.String("smtp-ca"), Outbox: c.String("outbox"), From: c.String("from"), ReplyTo: c.String("reply-to")})
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("e-mail to PIs: %w", err)
	}
	ld := &lockedDeliverer{d: d} // one SMTP connection, one message at a time
	ms, err := mailSetup(c, db, b, ld, key)
	if err != nil {
		d.Close()
		return nil, nil, nil, nil, err
	}
	notify := func(ctx context.Context, x web.Dispute) (string, error) {
		m, err := b.BuildResolution(mail.Resolution{DisputeID: x.ID, Period: x.Period, PIEmail: x.PIEmail, Line: x.Line,
			ChargeID: x.ChargeID, Reason: x.Reason, Note: x.Note, ResolvedBy: x.ResolvedBy})
		if err != nil {
			return "", err
		}
		return ld.Deliver(ctx, m)
	}
	return key, notify, ms, d, nil
}
