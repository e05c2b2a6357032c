package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

func importFlags() []cli.Flag {
	return append([]cli.Flag{
		// Per-run selections and actions: never from the environment.
		&cli.StringFlag{Name: "source", Usage: "name of the source (AWS, Azure, HPC, Storage…)"},
		&cli.StringFlag{Name: "period", Usage: "billing period YYYY-MM (default: from BillingPeriodStart)"},
		&cli.BoolFlag{Name: "replace", Usage: "replace the source's earlier import for the period"},
		&cli.BoolFlag{Name: "allow-overlap", Usage: "import rows already in the period under another source (audited)"},
		&cli.BoolFlag{Name: "dry-run", Usage: "look before you leap: run the whole import, report what it would do, roll it back (nothing written, the audit included)"},
		&cli.BoolFlag{Name: "allow-provider-change", Usage: "let --replace swap the import for one of another provider, or with none of its services"},
		&cli.StringFlag{Name: "currency", Value: "USD", Usage: "currency of rows without BillingCurrency", EnvVars: cliutil.Env("currency")},
	}, tagkeys.Flags()...)
}

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import FOCUS files (CSV or NDJSON; stdin when no FILE) in one transaction each",
		UsageText: "focus-load [--db FILE] import --source NAME [--period YYYY-MM] [--replace] [--allow-overlap] [--dry-run] [FILE...]\n\nExamples:\n   focus-validate hpc.csv | focus-flag | focus-load import --source HPC --period 2025-01\n   focus-load import --dry-run --source AWS --replace aws-corrected.csv   # what would change; nothing written",
		Flags:     importFlags(),
		Action:    importAction,
	}
}

// tuneImportGC: an import's live heap is its batches in flight (about
// 50 MiB), so with GOGC 100 the collector ran 51 times for 1M rows. GOGC
// 400 under a soft limit of 160 MiB runs it about a third as often and
// keeps the peak RSS (with SQLite's page cache) near 210 MiB, inside the
// 256 MiB budget. GOGC and GOMEMLIMIT in the environment still win.
func tuneImportGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}

func importAction(c *cli.Context) error {
	if c.Command.Name != "import" && c.NArg() > 0 {
		if err := noSuchCommand(c, c.Args().First()); err != nil {
			return err
		}
	}
	if c.String("source") == "" {
		if c.NArg() == 0 && c.Command.Name != "import" {
			// No subcommand and nothing to import: a usage error, so the
			// help goes to stderr (stdout is data).
			cli.HelpPrinter(c.App.ErrWriter, cli.AppHelpTemplate, c.App)
			return fmt.Errorf("give a subcommand, or --source NAME to import (see focus-load --help)")
		}
		return fmt.Errorf("--source is required (e.g. --source AWS)")
	}
	tuneImportGC()
	il, err := openImportLedger(c.String("db"))
	if err != nil {
		return err
	}
	defer il.Close()
	stderr := c.App.ErrWriter
	return cliutil.OpenInputs(c, func(r io.Reader, name string) error {
		opt := ledger.ImportOptions{
			Source: c.String("source"), Period: c.String("period"), FileName: displayName(name),
			Replace: c.Bool("replace"), Tags: tagkeys.FromContext(c), Currency: c.String("currency"),
			AllowOverlap: c.Bool("allow-overlap"), AllowProviderChange: c.Bool("allow-provider-change"),
			DryRun: c.Bool("dry-run"),
		}
		// rows/s and an ETA on a terminal, after about 2 s; nothing in a pipe.
		prog := cliutil.StartProgress(c.App.ErrWriter, "rows", cliutil.SizeOf(r))
		defer prog.Stop()
		opt.Rows = &prog.Items
		var res ledger.ImportResult
		var err error
		if il.fresh() && opt.DryRun {
			// A dry run of a first import checks it on the new ledger,
			// which is never published: no file is left.
			res, err = il.l.Import(c.Context, ledger.CLIActor(), prog.CountingReader(r), opt)
		} else if il.fresh() {
			rewind := rewinder(r)
			res, err = il.l.Import(c.Context, ledger.CLIActor(), prog.CountingReader(r), opt)
			if err == nil {
				var published bool
				if published, err = il.publish(); err == nil && !published {
					// Another program created the ledger meanwhile: import there.
					if rewind == nil {
						return fmt.Errorf("%s: another program created the ledger %s while this import ran, so nothing was imported; run the import again", displayName(name), c.String("db"))
					}
					var again io.Reader
					if again, err = rewind(); err == nil {
						res, err = il.l.Import(c.Context, ledger.CLIActor(), again, opt)
					}
				}
			}
		} else {
			res, err = il.l.Import(c.Context, ledger.CLIActor(), prog.CountingReader(r), opt)
		}
		prog.Stop()
		var inv *ledger.InvalidRowsError
		if errors.As(err, &inv) {
			for _, d := range inv.Diagnostics {
				fmt.Fprintln(stderr, d.String())
			}
			if n := inv.Errors - len(inv.Diagnostics); n > 0 {
				fmt.Fprintf(stderr, "%s: … and %d more problem(s) (`focus-validate %s > /dev/null` lists them all)\n", inv.File, n, inv.File)
				inv.Kinds.Write(stderr, "focus-load: ")
			}
			return &cliutil.DataError{Err: errors.New(inv.Summary())}
		}
		if err != nil {
			return refusal(err)
		}
		if res.NoOp {
			fmt.Fprintf(stderr, "focus-load: %s: already imported as import %d (same bytes): nothing to do; period %s is %s\n", displayName(name), res.ImportID, res.Period, res.State)
			return nil
		}
		if res.DryRun {
			printDryRun(stderr, displayName(name), res)
			return nil
		}
		replaced := ""
		if len(res.Replaced) > 0 {
			replaced = fmt.Sprintf(", replaced import %v", res.Replaced)
		}
		// The rows' exact sums, not statement figures: statements round
		// each line to cents, so the two may differ by cents, and the
		// label says so.
		fmt.Fprintf(stderr, "focus-load: %s: import %d into %s (%s): %d rows, %d flagged for review, list %s, billed %s (exact row sums, before rounding)%s\n",
			displayName(name), res.ImportID, res.Period, res.State, res.Rows, res.Flagged,
			money.FormatExact(res.ListCost), money.FormatExact(res.BilledCost), replaced)
		for _, line := range ruleLines(res.RulesApplied) {
			fmt.Fprintf(stderr, "focus-load: %s: %s\n", displayName(name), line)
		}
		if res.Normalised > 0 {
			fmt.Fprintf(stderr, "focus-load: %s: %d row(s) normalised as focus-validate does, e.g. %s\n", displayName(name), res.Normalised, res.Warning)
		}
		if res.Unowned > 0 {
			fmt.Fprintf(stderr, "focus-load: %s: %d row(s) without a PI e-mail (or with one that is no address) or without a fund are pending review: `focus-load review list --period %s --status pending`\n", displayName(name), res.Unowned, res.Period)
		}
		if ov := res.Overlap; ov != nil {
			fmt.Fprintf(stderr, "focus-load: %s: warning: %d row(s) (the first at line %d) are also in import %d (source %s): check they are not billed twice (`focus-load review list`, `review reject`); recorded in the audit log\n",
				displayName(name), ov.Rows, ov.FirstLine, ov.ImportID, ov.Source)
		}
		return nil
	})
}

func displayName(name string) string {
	if name == "-" || name == "" {
		return "<stdin>"
	}
	return name
}

// commandWord matches what can only be a mistyped subcommand, never a
// file to import: a bare lowercase word.
var commandWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// noSuchCommand refuses a first argument of the default import action
// that is a word naming no file (`focus-load correct …` on a version
// without correct): read as a file to import it would only have answered
// "--source is required", which names the wrong fix.
func noSuchCommand(c *cli.Context, arg string) error {
	if !commandWord.MatchString(arg) {
		return nil
	}
	if _, err := os.Stat(arg); err == nil {
		return nil
	}
	var names []string
	for _, cmd := range c.App.VisibleCommands() {
		names = append(names, cmd.Name)
	}
	return fmt.Errorf("no such command %q; the commands are: %s (see focus-load --help)", arg, strings.Join(names, ", "))
}

// printDryRun says what an import would do (ledger.ImportResult.DryRunReport).
func printDryRun(w io.Writer, name string, res ledger.ImportResult) {
	for _, line := range res.DryRunReport() {
		fmt.Fprintf(w, "focus-load: %s: %s\n", name, line)
	}
}

// ruleLines says which owner rules filled how many rows, by rule id.
func ruleLines(applied map[int64]int) []string {
	ids := make([]int64, 0, len(applied))
	for id := range applied {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("owner rule %d filled %d row(s) (assigned by rule %d in review)", id, applied[id], id))
	}
	return out
}
