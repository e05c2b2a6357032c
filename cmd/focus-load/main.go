// Command focus-load keeps the SQLite ledger: imports of FOCUS files, the
// period lifecycle, review, adjustments, disputes, export and audit.
package main

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

func main() {
	os.Exit(cliutil.Run(newApp(os.Stdin, os.Stdout, os.Stderr), os.Args))
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "focus-load",
		Usage: "keep the SQLite ledger: imports, periods, review, adjustments, disputes",
		UsageText: `focus-load [--db FILE|URL] import --source NAME [--period YYYY-MM] [--replace] [--allow-overlap] [FILE...]
   focus-load [--db FILE|URL] periods list | close P | reopen P | finalize P | remove P
   focus-load [--db FILE|URL] review list [--period P] [--status pending] | approve [--any] ID... | reject [--any] ID... | assign [--any] --tag pi_email=X ID...
   focus-load [--db FILE|URL] adjust --period P --pi EMAIL [--new-pi] --amount -12.50 --reason TEXT
   focus-load [--db FILE|URL] adjust void ID | correct --charge ID --tag pi_email=X --reason TEXT
   focus-load [--db FILE|URL] dispute open|resolve|list ...
   focus-load [--db FILE|URL] rules list | remove ID
   focus-load [--db FILE|URL] imports | remove ID | export --period P | audit
   focus-load [--db FILE|URL] sessions revoke --user NAME`,
		Description: `Examples:
   focus-validate aws.csv | focus-flag | focus-load --db ledger.db import --source AWS
   focus-load review list --period 2025-01 --status pending
   focus-load periods close 2025-01 && focus-load periods finalize 2025-01

The import is the default action: "focus-load --source AWS aws.csv" imports.
Each import is one transaction keyed by the file's SHA-256: the same bytes
twice is a no-op. Every row is checked as focus-validate does (a file with an
invalid row is refused whole); rows already imported under another source
are refused (--allow-overlap); rows without a PI or fund are always
reviewed. Only an import creates the ledger. A finalized period is permanent (SQLite triggers refuse
any change). Exit 0 ok, 1 refused or bad data, 2 usage or I/O error.`,
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "db", Value: "ledger.db", Usage: "the ledger: a SQLite `FILE` or a postgres:// URL", EnvVars: cliutil.Env("db")},
		}, importFlags()...),
		Action: importAction,
		Commands: []*cli.Command{
			importCommand(), importsCommand(), removeCommand(), periodsCommand(), reviewCommand(),
			adjustCommand(), correctCommand(), rulesCommand(), carryCommand(), disputeCommand(), exportCommand(), auditCommand(), copyCommand(), sessionsCommand(),
		},
	}
	return app
}

// openLedger opens the --db ledger, which must exist: only an import
// creates one (a mistyped --db must not leave an empty ledger behind).
func openLedger(c *cli.Context) (*ledger.Ledger, error) {
	return ledger.OpenExisting(c.String("db"))
}

// refusal maps the ledger's refusals to exit 1.
func refusal(err error) error {
	if err != nil && ledger.IsRefused(err) {
		return &cliutil.DataError{Err: err}
	}
	return err
}

func tagKeyFunc(k tagkeys.Keys) func(string) string {
	return func(role string) string {
		switch role {
		case ledger.RolePIEmail:
			return k.PIEmail
		case ledger.RolePIName:
			return k.PIName
		case ledger.RoleFundOrg:
			return k.FundOrg
		case ledger.RoleProjectID:
			return k.ProjectID
		case ledger.RoleCostCenter:
			return k.CostCenter
		case ledger.RoleAccountCode:
			return k.AccountCode
		case ledger.RoleEndDate:
			return k.EndDate
		case ledger.RoleReconciliationEnd:
			return k.ReconciliationEnd
		}
		return role
	}
}
