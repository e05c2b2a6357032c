package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/journal"
	"github.com/openchargeback/ocb/lib/web"
)

// journalFlags are serve's journal settings: focus-journal's --accounts,
// --format and --template under the names they have in a serve config.
func journalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "accounts", Usage: "journal page: the accounts `FILE` focus-journal --accounts reads (service → GL accounts)", EnvVars: cliutil.Env("accounts"), Category: "Journal"},
		&cli.StringFlag{Name: "journal-format", Value: "generic", Usage: "journal page: layout " + strings.Join(journal.Formats(), "|") + ", as focus-journal --format", EnvVars: cliutil.Env("journal-format"), Category: "Journal"},
		&cli.StringFlag{Name: "journal-template", Usage: "journal page: your own layout, a Go text/template `FILE`, as focus-journal --template", EnvVars: cliutil.Env("journal-template"), Category: "Journal"},
	}
}

// journalSetup reads the journal settings once, at start-up, so a wrong
// accounts file stops the server with its line numbers instead of failing
// on the page. Without --accounts the page says the journal is not set up.
func journalSetup(c *cli.Context) (*web.JournalSettings, error) {
	tmpl, err := journal.LoadTemplate(c.String("journal-format"), c.String("journal-template"))
	if err != nil {
		return nil, err
	}
	if c.String("accounts") == "" {
		return nil, nil
	}
	accts, err := journal.LoadAccounts(c.String("accounts"))
	if err != nil {
		return nil, err
	}
	name := c.String("journal-format")
	if f := c.String("journal-template"); f != "" {
		name = f
	}
	return &web.JournalSettings{Accounts: accts, Template: tmpl, Format: name}, nil
}
