package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/mail"
)

func run(c *cli.Context) error {
	if dir := c.String("write-templates"); dir != "" {
		files, err := mail.WriteDefaultTemplates(dir)
		for _, f := range files {
			fmt.Fprintln(c.App.Writer, f)
		}
		return err
	}
	smtpURL, outbox, dry := c.String("smtp"), c.String("outbox"), c.Bool("dry-run")
	from := c.String("from")
	switch {
	case from == "" && !dry:
		return errors.New("--from is required (the sender address, e.g. billing@example.edu)")
	case smtpURL != "" && outbox != "":
		// Also when one comes from the environment (FOCUS_SMTP_URL): a
		// development run must never reach real PIs by accident.
		return errors.New("give either --smtp (or FOCUS_SMTP_URL) or --outbox, not both")
	case smtpURL == "" && outbox == "" && !dry:
		return errors.New("nowhere to deliver: give --smtp URL (or FOCUS_SMTP_URL), --outbox DIR or --dry-run")
	case c.Float64("rate") < 0:
		return errors.New("--rate must not be negative")
	case c.Int("retries") < 0:
		return errors.New("--retries must not be negative")
	case c.String("errors") != "text" && c.String("errors") != "json":
		return fmt.Errorf("--errors %q: want text or json", c.String("errors"))
	}
	errorsJSON := c.String("errors") == "json"
	if from == "" {
		// A rehearsal sends nothing, so it needs no sender; the messages
		// are still built (templates checked) with a placeholder that can
		// never be delivered (.invalid, RFC 2606).
		from = "dry-run@example.invalid"
		mail.WriteDiagnostic(c.App.ErrWriter, errorsJSON, mail.Diagnostic{Severity: "warning", Message: "--dry-run without --from: the messages use " + from + "; the real run needs --from", Rule: "from"})
	}
	var r *mail.Runner // set below; SMTP retry notices go through it
	tmpl, err := mail.LoadTemplates(mail.TemplateFiles{
		Subject: c.String("subject-template"), Text: c.String("text-template"), HTML: c.String("html-template"),
	})
	if err != nil {
		return err
	}
	draftTmpl, draftRun, err := draftSetup(c)
	if err != nil {
		return err
	}
	builder, err := mail.NewBuilder(mail.BuilderConfig{
		From: from, ReplyTo: c.String("reply-to"), Bcc: c.StringSlice("bcc"), Templates: tmpl,
		DraftTemplates: draftTmpl,
	})
	if err != nil {
		return err
	}

	// The sent record is kept by default, beside the ledger, where serve
	// keeps it too: a re-run, or the web after the command line, never
	// mails a statement twice because someone forgot --sent-log.
	sentPath := c.String("sent-log")
	if sentPath == "" {
		if sentPath = mail.SentLogFor(c.String("db")); sentPath == "" {
			return errors.New("with a PostgreSQL ledger (--db / FOCUS_DB) give --sent-log FILE: the same file serve --sent-log uses")
		}
	}
	var sentLog *mail.SentLog
	if p := sentPath; p != "" {
		if sentLog, err = mail.OpenSentLog(p, dry); err != nil {
			return err
		}
		defer sentLog.Close()
		for _, w := range sentLog.Warnings {
			mail.WriteDiagnostic(c.App.ErrWriter, errorsJSON, mail.Diagnostic{Severity: "warning", Message: w, Rule: "sent-log"})
		}
	}

	var d mail.Deliverer
	switch {
	case dry:
		// Nothing is sent, but a URL that would not work should still be
		// reported by the rehearsal.
		if smtpURL != "" {
			if _, err := mail.ParseSMTPURL(smtpURL, ""); err != nil {
				return err
			}
		}
	case outbox != "":
		if d, err = mail.NewOutbox(outbox); err != nil {
			return err
		}
	default:
		pw, err := cliutil.SMTPPassword(c, c.App.ErrWriter, "focus-mail")
		if err != nil {
			return err
		}
		cfg, err := mail.ParseSMTPURL(smtpURL, pw)
		if err != nil {
			return err
		}
		cfg.CAFile = c.String("smtp-ca")
		cfg.Retries = c.Int("retries")
		cfg.Backoff = c.Duration("retry-wait")
		cfg.MaxBackoff = c.Duration("retry-max-wait")
		cfg.Timeout = c.Duration("timeout")
		cfg.HELO = c.String("helo")
		cfg.Notify = func(id, msg string) { r.Notice(id, msg) }
		if d, err = mail.NewSMTPSender(cfg); err != nil {
			return err
		}
	}
	if d != nil {
		defer d.Close()
	}

	// Ctrl-C or a SIGTERM from cron stops between statements (and cuts a
	// backoff short), so the sent-log always matches what went out.
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	r = mail.NewRunner(mail.RunConfig{
		Builder: builder, Deliverer: d, SentLog: sentLog, DryRun: dry, Resend: c.Bool("resend"),
		Rate: c.Float64("rate"), Out: c.App.Writer, Err: c.App.ErrWriter, ErrorsJSON: errorsJSON, Draft: draftRun,
	})
	runErr := cliutil.OpenInputs(c, func(in io.Reader, name string) error {
		return r.Process(ctx, in, name)
	})
	prefix := c.App.Name + ": "
	if dry {
		prefix += "dry run, nothing sent: "
	}
	if runErr == nil && r.Summary.Total() == 0 {
		mail.WriteDiagnostic(c.App.ErrWriter, errorsJSON, mail.Diagnostic{Severity: "warning", Message: "no statements in the input", Rule: "empty-input"})
	}
	if errorsJSON {
		b, _ := json.Marshal(struct {
			Severity string `json:"severity"`
			Message  string `json:"message"`
			mail.Summary
		}{"summary", strings.TrimSuffix(prefix, ": ") + ": " + r.Summary.String(), r.Summary})
		fmt.Fprintf(c.App.ErrWriter, "%s\n", b)
	} else {
		fmt.Fprintf(c.App.ErrWriter, "%s%s\n", prefix, r.Summary)
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return errors.New("interrupted; the sent-log records every message that went out")
		}
		return runErr
	}
	if r.Summary.Failed > 0 {
		return cliutil.Exit(cliutil.ExitData)
	}
	return nil
}
