// Command focus-validate checks FOCUS charge streams: valid rows (normalised)
// to stdout as they are read, one diagnostic a problem to stderr, invalid
// rows with an x_Errors column to --reject. The rules live in lib/validate.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/validate"
)

func main() {
	tuneGC()
	os.Exit(cliutil.Run(newApp(os.Stdin, os.Stdout, os.Stderr), os.Args))
}

// tuneGC: the reader allocates one string per record and the live heap is
// tiny (a few batches), so with the default GOGC the collector runs every few
// thousand rows; 400 cuts ~20% of the time on 1M rows for ~16 MiB more RSS.
// The soft limit keeps the budget (< 64 MiB) when huge fields grow the heap.
// GOGC and GOMEMLIMIT in the environment still win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
}

const description = `Reads FOCUS charges (CSV or NDJSON; FILE... or stdin) and writes the valid
rows to stdout as they are read (constant memory), normalised: in the default
(tolerant) mode the deviations real exports carry are rewritten, each with a
warning naming the rule:
  2025-01-01, 2024-09-18 22:00:00   -> 2025-01-01T00:00:00Z  [date-only] [datetime-format]
  NULL / null                       -> empty (null)          [null-literal]
  Usage-based                       -> Usage-Based           [enum-case]
  BillingPeriodEnd 2025-01-31 (start 2025-01-01)
                                    -> 2025-02-01T00:00:00Z  [inclusive-billing-period-end]
  ChargePeriodEnd 2025-01-10 in such a file -> 2025-01-11T00:00:00Z [inclusive-charge-period-end]
Rows with an error go to --reject FILE with an x_Errors column (nothing is
lost); every diagnostic is "FILE:LINE: Column: message [rule]" on stderr.

Default mode checks the chargeback profile (BilledCost, ServiceName, Tags,
a billing period: BillingPeriodStart or --period; a missing pi_email tag is a
warning so review can assign the PI; --strict-profile makes it an error, and
so does --strict unless --strict-profile=false is given) and
the type, format and allowed values of every FOCUS column present. --strict
checks full conformance to the FOCUS version (detected from the header, or
--spec): every deviation above is an error, as are missing mandatory and
unknown columns.

The header also tells the FOCUS dataset: a file of another dataset (FOCUS 1.3
Contract Commitment, 1.4 Billing Period or Invoice Detail) is refused with one
message before anything is written; --dataset NAME validates such a file.
JSON Object Format columns (AllocatedMethodDetails, ContractApplied,
CommitmentProgramEligibilityDetails) must be JSON objects of the schema's top
level; --strict checks the whole JSON schema of the spec.

Several FILEs must share the first file's header (one output stream).
Exit status: 0 all rows valid (warnings allowed), 1 invalid rows or a bad
file/header, 2 usage or I/O error.`

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "spec", Value: "auto",
			Usage: "FOCUS `VERSION`: auto (from the header), 1.0, 1.1, 1.2, 1.3 or 1.4"},
		&cli.StringFlag{Name: "dataset", Value: "auto",
			Usage: "FOCUS `DATASET` to validate: auto (Cost and Usage; a file of another dataset is refused), cost-and-usage, contract-commitment, billing-period or invoice-detail"},
		&cli.BoolFlag{Name: "strict",
			Usage: "full FOCUS conformance: deviations, missing mandatory and unknown columns are errors"},
		&cli.BoolFlag{Name: "strict-profile", EnvVars: cliutil.Env("strict-profile"),
			Usage: "a row without the PI e-mail tag is an error (default: a warning, review assigns the PI; --strict implies it unless --strict-profile=false)"},
		&cli.StringFlag{Name: "reject",
			Usage: "write invalid rows, with an x_Errors column, to `FILE`"},
		&cli.IntFlag{Name: "max-errors", Value: 100, EnvVars: cliutil.Env("max-errors"),
			Usage: "print at most `N` error diagnostics (0 = all); the rest are counted"},
		&cli.StringFlag{Name: "errors", Value: "text", EnvVars: cliutil.Env("errors"),
			Usage: "stderr `FORMAT`: text (FILE:LINE: Column: message [rule]) or json (one object a line)"},
		&cli.StringFlag{Name: "period",
			Usage: "billing period `YYYY-MM` for rows without BillingPeriodStart (rows that carry one must match)"},
		&cli.StringFlag{Name: "currency", Value: "USD", EnvVars: cliutil.Env("currency"),
			Usage: "ISO 4217 `CODE` billed when there is no BillingCurrency column"},
		&cli.StringFlag{Name: "max-field", Value: "1MiB", EnvVars: cliutil.Env("max-field"),
			Usage: "refuse a row with a field longer than `SIZE` (bytes, K, M, KiB, MiB); a real export never comes near"},
		&cli.StringFlag{Name: "max-row", Value: "8MiB", EnvVars: cliutil.Env("max-row"),
			Usage: "refuse a row longer than `SIZE`; bounds the memory one row can take"},
		&cli.StringFlag{Name: "out",
			Usage: "output `FORMAT` csv|ndjson (default: as the input)"},
	}
	flags = append(flags, tagkeys.Flags()...)
	return &cli.App{
		Name:            "focus-validate",
		Usage:           "check FOCUS charge rows; valid rows to stdout, invalid ones to --reject",
		UsageText:       "focus-validate [options] [FILE...]\n\n   focus-validate --reject rejected.csv testdata/2025-01/*.csv > valid.csv\n   focus-validate --period 2025-01 --strict-profile export.csv | focus-flag | focus-load import --source HPC",
		Description:     description,
		Flags:           flags,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			return run(c, stdin, stdout, stderr)
		},
	}
}

func run(c *cli.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	opts := validate.Options{
		Spec:          c.String("spec"),
		Dataset:       c.String("dataset"),
		Strict:        c.Bool("strict"),
		StrictProfile: c.Bool("strict-profile"),
		Period:        c.String("period"),
		Currency:      c.String("currency"),
		Keys:          tagkeys.FromContext(c),
	}
	// --strict implies --strict-profile unless that is given explicitly:
	// --strict --strict-profile=false checks an export's FOCUS conformance
	// while leaving rows without a PI to review (focus-flag, focus-load).
	if opts.Strict && !c.IsSet("strict-profile") {
		opts.StrictProfile = true
	}
	if opts.Spec != "auto" {
		if _, err := focus.ParseVersion(opts.Spec); err != nil {
			return fmt.Errorf("--spec: %w", err)
		}
	}
	if opts.Dataset != "auto" {
		if _, err := focus.ParseDataset(opts.Dataset); err != nil {
			return fmt.Errorf("--dataset: %w", err)
		}
	}
	if opts.Period != "" {
		if _, err := validate.ParsePeriod(opts.Period); err != nil {
			return err
		}
	}
	if !validate.ValidCurrency(opts.Currency) {
		return fmt.Errorf("--currency %q: not an ISO 4217 code", opts.Currency)
	}
	limits, err := readLimits(c)
	if err != nil {
		return err
	}
	cfg := validate.Config{Options: opts, MaxErrors: c.Int("max-errors"), Stdout: stdout, Stderr: stderr, Limits: &limits}
	if cfg.MaxErrors < 0 {
		return fmt.Errorf("--max-errors %d: want 0 or more", cfg.MaxErrors)
	}
	switch c.String("errors") {
	case "text":
	case "json":
		cfg.JSON = true
	default:
		return fmt.Errorf("--errors %q: want text or json", c.String("errors"))
	}
	if o := c.String("out"); o != "" {
		f, err := focus.ParseFormat(o)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		cfg.Out = &f
	}
	if p := c.String("reject"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("--reject: %w", err)
		}
		defer f.Close()
		cfg.Reject = f
	}
	names := c.Args().Slice()
	// rows/s and an ETA on a terminal, after about 2 s; nothing in a pipe.
	var total int64
	for _, n := range names {
		if fi, err := os.Stat(n); err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
		}
	}
	prog := cliutil.StartProgress(c.App.ErrWriter, "rows", total)
	defer prog.Stop()
	cfg.Rows = &prog.Items
	cfg.Open = func(name string) (io.ReadCloser, error) {
		if name == "-" {
			return io.NopCloser(prog.CountingReader(stdin)), nil
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open input: %w", err)
		}
		return struct {
			io.Reader
			io.Closer
		}{prog.CountingReader(f), f}, nil
	}
	for _, n := range names {
		if strings.HasPrefix(n, "-") && n != "-" {
			return fmt.Errorf("flag %q after a file name: put options before FILE", n)
		}
	}
	res, err := validate.Run(cfg, names)
	prog.Stop() // before the exit's summary
	if err != nil {
		return err
	}
	return cliutil.Exit(res.ExitCode())
}

// readLimits reads --max-field and --max-row.
func readLimits(c *cli.Context) (focus.Limits, error) {
	field, err := cliutil.ParseSize(c.String("max-field"))
	if err != nil || field > 1<<30 {
		return focus.Limits{}, fmt.Errorf("--max-field %q: want a size up to 1GiB, e.g. 1MiB", c.String("max-field"))
	}
	row, err := cliutil.ParseSize(c.String("max-row"))
	if err != nil || row > 1<<30 {
		return focus.Limits{}, fmt.Errorf("--max-row %q: want a size up to 1GiB, e.g. 8MiB", c.String("max-row"))
	}
	if row < field {
		return focus.Limits{}, fmt.Errorf("--max-row %s is less than --max-field %s: a row holds its fields", c.String("max-row"), c.String("max-field"))
	}
	return focus.Limits{MaxField: int(field), MaxRow: int(row)}, nil
}
