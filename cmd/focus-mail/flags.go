package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
)

func flags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "smtp", Usage: "deliver by SMTP: `URL` smtp://user@host:587 (STARTTLS) or smtps://user@host:465",
			EnvVars: append(cliutil.Env("smtp-url"), cliutil.Env("smtp")...)},
		&cli.StringFlag{Name: "smtp-ca", Usage: "trust the CA certificate(s) in `FILE` (PEM) for the SMTP server, e.g. an internal CA",
			EnvVars: cliutil.Env("smtp-ca")},
		cliutil.SMTPPasswordFileFlag(),
		&cli.StringFlag{Name: "helo", Usage: "EHLO `NAME` (default: this host's name; some relays want a full domain name)", EnvVars: cliutil.Env("helo")},
		&cli.StringFlag{Name: "outbox", Usage: "write each message as `DIR`/<statement id>.eml instead of sending", EnvVars: cliutil.Env("outbox")},
		&cli.StringFlag{Name: "from", Usage: "sender `ADDR`, e.g. 'Research Computing Billing <billing@example.edu>'", EnvVars: cliutil.Env("from")},
		&cli.StringFlag{Name: "reply-to", Usage: "Reply-To `ADDR`", EnvVars: cliutil.Env("reply-to")},
		&cli.StringSliceFlag{Name: "bcc", Usage: "blind copy of every message to `ADDR` (repeatable)", EnvVars: cliutil.Env("bcc")},
		&cli.BoolFlag{Name: "dry-run", Usage: "print who would get what (stdout) and send nothing"},
		&cli.StringFlag{Name: "sent-log", Usage: "append-only NDJSON `FILE` of delivered statements; a re-run sends nothing twice (default: LEDGER.sent-log beside --db, the record the web shares)", EnvVars: cliutil.Env("sent-log")},
		&cli.StringFlag{Name: "db", Value: "./ledger.db", Usage: "the ledger `FILE` whose sent record (LEDGER.sent-log) is kept by default; focus-mail never opens the ledger itself", EnvVars: cliutil.Env("db")},
		&cli.BoolFlag{Name: "resend", Usage: "send again statements whose PDF changed since they were sent"},
		&cli.Float64Flag{Name: "rate", Usage: "at most `N` messages per second (0: no limit)", EnvVars: cliutil.Env("rate")},
		&cli.IntFlag{Name: "retries", Value: 4, Usage: "retries of a temporary SMTP failure (`N`)", EnvVars: cliutil.Env("retries")},
		&cli.DurationFlag{Name: "retry-wait", Value: 2 * time.Second, Usage: "first backoff `DURATION`, doubled each retry up to --retry-max-wait", EnvVars: cliutil.Env("retry-wait")},
		&cli.DurationFlag{Name: "retry-max-wait", Value: time.Minute, Usage: "longest backoff `DURATION`", EnvVars: cliutil.Env("retry-max-wait")},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "SMTP connection and command `DURATION`", EnvVars: cliutil.Env("timeout")},
		&cli.StringFlag{Name: "errors", Value: "text", Usage: "diagnostics `FORMAT`: text (FILE:LINE: field: message [rule]) or json (one object a line)", EnvVars: cliutil.Env("errors")},
		&cli.StringFlag{Name: "subject-template", Usage: "Go text/template `FILE` for the subject", EnvVars: cliutil.Env("subject-template")},
		&cli.StringFlag{Name: "text-template", Usage: "Go text/template `FILE` for the plain-text body", EnvVars: cliutil.Env("text-template")},
		&cli.StringFlag{Name: "write-templates", Usage: "write the default templates into `DIR` to start a site's own, and exit"},
		&cli.StringFlag{Name: "html-template", Usage: "Go html/template `FILE` for the HTML body", EnvVars: cliutil.Env("html-template")},
	}, draftFlags()...)
}
