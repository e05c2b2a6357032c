package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/journal"
)

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "focus-journal",
		Usage:     "post statements as a balanced GL journal (CSV) for finance",
		UsageText: "focus-journal --accounts FILE [--format generic|workday|peoplesoft|banner] [--template FILE] [--draft] [--journal-id ID] [--accounting-date YYYY-MM-DD] [-o FILE] [FILE...]",
		Description: `Reads statements (focus-statement NDJSON) and writes one journal: each
non-zero statement line debits the PI's fund_org with the mapped expense
object code (or the line's account_code) and credits the service centre's
income account; adjustments post the same way (a credit reverses the
direction). $0 lines are skipped. Nothing is written, exit 1, when a
statement is a draft (unless --draft), a service has no account, a line has
no fund_org, or the journal would not balance.

Accounts file (CSV): source,service,service_category,income_fund,
income_account,cost_center,expense_account[,description]. Most specific
row wins: source+service > service > source+service_category >
service_category > source > "*" default. Adjustments map as service
"Adjustment". A line's account_code replaces the expense code.
Formats, columns and template functions: docs/journal-formats.md.

Example:
   focus-statement --period 2025-01 | focus-journal --accounts accounts.csv > journal-2025-01.csv
   focus-journal --accounts accounts.csv --format banner statements.ndjson > feed.csv
   focus-journal --accounts accounts.csv -o journal.csv statements.ndjson   # file untouched if refused
   focus-journal --format peoplesoft --print-template > my-layout.tmpl   # start your own`,
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "accounts", Usage: "accounts `FILE` (CSV): service → income account, cost centre, expense code", EnvVars: cliutil.Env("accounts")},
			&cli.StringFlag{Name: "format", Value: "generic", Usage: "output layout: " + strings.Join(journal.Formats(), "|")},
			&cli.StringFlag{Name: "template", Usage: "your own layout: a Go text/template `FILE` (overrides --format)"},
			&cli.BoolFlag{Name: "draft", Usage: "journal draft statements too (a trial run; the default journal id gets -DRAFT)"},
			&cli.StringFlag{Name: "journal-id", Usage: "journal `ID`, the external reference finance recognises a re-submission by (default RC-<period>)"},
			&cli.StringFlag{Name: "accounting-date", Usage: "accounting `DATE` YYYY-MM-DD (default: last day of the period)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the journal to `FILE` (atomically: left untouched when refused) instead of stdout"},
			&cli.BoolFlag{Name: "print-template", Usage: "print the --format template and exit (to start your own)"},
		},
		Action: run,
	}
}

func run(c *cli.Context) error {
	if c.Bool("print-template") {
		src, err := journal.BuiltinTemplate(c.String("format"))
		if err != nil {
			return err
		}
		_, err = io.WriteString(c.App.Writer, src)
		return err
	}
	tmpl, err := journal.LoadTemplate(c.String("format"), c.String("template"))
	if err != nil {
		return err
	}
	if c.String("accounts") == "" {
		return errors.New("--accounts FILE is required (the service → GL account map; see --help)")
	}
	accts, err := readAccounts(c.String("accounts"))
	if err != nil {
		return err
	}

	var inputs []journal.Input
	var refused []journal.Problem
	err = cliutil.OpenInputs(c, func(r io.Reader, name string) error {
		in, err := journal.ReadStatements(r, name)
		inputs = append(inputs, in...)
		var re *journal.RefusedError
		if errors.As(err, &re) {
			refused = append(refused, re.Problems...)
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if len(refused) > 0 {
		return &cliutil.DataError{Err: &journal.RefusedError{Problems: refused}}
	}

	j, err := journal.Build(inputs, accts, journal.Options{
		JournalID:      c.String("journal-id"),
		AccountingDate: c.String("accounting-date"),
		AllowDraft:     c.Bool("draft"),
	})
	if err != nil {
		var re *journal.RefusedError
		if errors.As(err, &re) {
			return &cliutil.DataError{Err: err}
		}
		return err
	}
	out, err := journal.Render(tmpl, j)
	if err != nil {
		return err
	}
	// Only now, with the whole journal built, checked and rendered, is
	// anything written.
	if name := c.String("output"); name != "" {
		if err := writeAtomic(name, out); err != nil {
			return err
		}
	} else if _, err := c.App.Writer.Write(out); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	journal.WriteSummary(c.App.ErrWriter, j)
	return nil
}

func readAccounts(name string) (*journal.Accounts, error) {
	a, err := journal.LoadAccounts(name)
	var ae *journal.AccountsError
	if errors.As(err, &ae) {
		return nil, &cliutil.DataError{Err: err}
	}
	return a, err
}

// writeAtomic writes data to name through a temporary file in the same
// folder and a rename, so a reader (or a finance upload job) never sees a
// partial journal, and a refused run leaves an earlier journal as it was.
func writeAtomic(name string, data []byte) error {
	// Not os.CreateTemp: its 0600 would have to be widened by a chmod,
	// which overrides the umask. Asking for 0644 at creation lets the
	// kernel apply the umask, so a site's stricter one (027, 077) holds.
	var f *os.File
	var err error
	for i := 0; i < 100; i++ {
		tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("--output: write %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--output: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}
