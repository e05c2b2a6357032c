// Command focus-statement writes PI statements from the ledger: NDJSON (the
// contract for focus-journal and focus-mail), CSV, any text through a Go
// template, and one PDF per statement; `report` is the annual
// value-delivered report.
package main

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
)

func main() { os.Exit(cliutil.Run(newApp(os.Stdin, os.Stdout, os.Stderr), os.Args)) }

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "focus-statement",
		Usage: "PI statements (list price, discount, amount due) from the ledger as NDJSON, CSV, templates and PDF",
		UsageText: `focus-statement --db ledger.db --period 2025-01 --pdf-dir out/statements > statements.ndjson
   focus-statement --period 2025-01 --by project --format csv > statements.csv
   focus-statement --period 2025-01 --pi ada@uni.edu --template examples/statement.md.tmpl
   focus-statement report --year 2025 --pdf value-2025.pdf > value-2025.csv`,
		Description: `One statement per PI with charges in the period (zero-dollar ones included),
or with --by project one per PI and project. Statements are "draft" until the
period is finalized; PDFs of a draft carry a DRAFT watermark, and re-running on a
finalized period reproduces the same bytes. PDF files are named by period, PI,
project (with --by project) and the statement id's number, e.g.
DIR/2025-01/2025-01_lovelace-ada_27321688.pdf.`,
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags:     append(dbFlags(), statementFlags()...),
		Action:    statementsAction,
		Commands:  []*cli.Command{reportCommand(), serveCommand(), passwdCommand()},
	}
}

func dbFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "db", Value: "./ledger.db", Usage: "the ledger: a SQLite `FILE` or a postgres:// URL", EnvVars: cliutil.Env("db")},
	}
}

func institutionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "institution", Value: "Research Computing", Usage: "issuer `NAME` printed on PDFs", EnvVars: cliutil.Env("institution"), Category: "PDF"},
		&cli.StringFlag{Name: "institution-address", Usage: "issuer address printed on PDFs (lines separated by ';')", EnvVars: cliutil.Env("institution-address"), Category: "PDF"},
		&cli.StringFlag{Name: "contact", Usage: "contact line printed on PDFs, e.g. 'rc-billing@uni.edu · 555-0100'", EnvVars: cliutil.Env("contact"), Category: "PDF"},
	}
}
