package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/mail"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/statement"
)

// Draft mailings (the PI review window): each PI gets their draft
// statement of a closed period, the date it becomes final, and a link to
// their statement page on focus-statement serve, where they can dispute a
// line without an account.

// DefaultFinalAfter is how long after a draft mailing the statements
// become final when --final-on is not given.
const DefaultFinalAfter = 14 * 24 * time.Hour

// DefaultLinkGrace is how long after --final-on a link keeps working when
// --link-expires is not given (finalizing the period ends it sooner).
const DefaultLinkGrace = 7 * 24 * time.Hour

func draftFlags() []cli.Flag {
	return []cli.Flag{
		// Per-run selections: no environment variables.
		&cli.BoolFlag{Name: "draft", Usage: "mail draft statements for review (own sent-log records; final statements are refused)"},
		&cli.StringFlag{Name: "final-on", Usage: "with --draft: the `DATE` (YYYY-MM-DD) the statements become final (default: 14 days from today)"},
		&cli.StringFlag{Name: "link-expires", Usage: "with --draft: last `DATE` (YYYY-MM-DD) the PI links work (default: --final-on + 7 days; finalizing ends them sooner)"},
		// Settings.
		&cli.StringFlag{Name: "base-url", Usage: "with --draft: `URL` where PIs reach focus-statement serve, e.g. https://billing.example.edu", EnvVars: cliutil.Env("base-url")},
		&cli.StringFlag{Name: "link-key", Usage: "with --base-url: the link key `FILE` serve checks links with (serve's default: LEDGER.link-key)", EnvVars: cliutil.Env("link-key")},
		&cli.StringFlag{Name: "draft-subject-template", Usage: "Go text/template `FILE` for draft subjects", EnvVars: cliutil.Env("draft-subject-template")},
		&cli.StringFlag{Name: "draft-text-template", Usage: "Go text/template `FILE` for draft plain-text bodies", EnvVars: cliutil.Env("draft-text-template")},
		&cli.StringFlag{Name: "draft-html-template", Usage: "Go html/template `FILE` for draft HTML bodies", EnvVars: cliutil.Env("draft-html-template")},
	}
}

// draftSetup reads the draft flags: the draft templates (always, so a bad
// site template is found early) and, with --draft, the run's settings.
func draftSetup(c *cli.Context) (*mail.Templates, *mail.DraftRun, error) {
	tmpl, err := mail.LoadDraftTemplates(mail.TemplateFiles{
		Subject: c.String("draft-subject-template"), Text: c.String("draft-text-template"), HTML: c.String("draft-html-template"),
	})
	if err != nil {
		return nil, nil, err
	}
	if !c.Bool("draft") {
		for _, f := range []string{"final-on", "link-expires"} {
			if c.IsSet(f) {
				return nil, nil, fmt.Errorf("--%s goes with --draft", f)
			}
		}
		return tmpl, nil, nil
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	finalOn := c.String("final-on")
	if finalOn == "" {
		finalOn = today.Add(DefaultFinalAfter).Format("2006-01-02")
	}
	fo, err := time.Parse("2006-01-02", finalOn)
	if err != nil {
		return nil, nil, fmt.Errorf("--final-on %q: want YYYY-MM-DD", finalOn)
	}
	run := &mail.DraftRun{FinalOn: finalOn}
	base, keyFile := c.String("base-url"), c.String("link-key")
	switch {
	case base == "" && keyFile == "":
		fmt.Fprintf(c.App.ErrWriter, "%s: warning: --draft without --base-url: the drafts carry no link; PIs dispute by replying\n", c.App.Name)
		return tmpl, run, nil
	case base == "":
		return nil, nil, errors.New("--link-key needs --base-url (where PIs reach focus-statement serve)")
	case keyFile == "":
		return nil, nil, errors.New("--base-url needs --link-key FILE: the key serve checks the links with (serve's default: LEDGER.link-key)")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, nil, fmt.Errorf("--base-url %q: want http(s)://host[/path]", base)
	}
	key, err := pilink.LoadOrCreateKey(keyFile)
	if err != nil {
		return nil, nil, err
	}
	expires := fo.Add(DefaultLinkGrace).AddDate(0, 0, 1)
	if e := c.String("link-expires"); e != "" {
		if expires, err = pilink.EndOfDay(e); err != nil {
			return nil, nil, fmt.Errorf("--link-expires: %w", err)
		}
	}
	if !expires.After(time.Now()) {
		return nil, nil, fmt.Errorf("--link-expires is in the past: the links would not work")
	}
	base = strings.TrimRight(base, "/")
	run.Link = func(st *statement.Statement) (string, error) {
		tok, err := pilink.Sign(key, pilink.Claims{Period: st.Period, StatementID: st.StatementID, Email: st.PI.Email, FinalOn: finalOn, Expires: expires})
		if err != nil {
			return "", err
		}
		return pilink.URL(base, tok), nil
	}
	return tmpl, run, nil
}
