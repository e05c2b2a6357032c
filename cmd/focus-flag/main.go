// Command focus-flag adds an x_Flags column of review codes to a FOCUS
// charge stream. The rules live in lib/flag; this file is flag parsing.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	flagrules "github.com/openchargeback/ocb/lib/flag"
	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

func main() {
	tuneGC()
	os.Exit(cliutil.Run(newApp(os.Stdin, os.Stdout, os.Stderr), os.Args))
}

// tuneGC trades memory for speed within the budget (< 256 MiB for 1M rows):
// the reader allocates a string per row, and with the default GOGC the
// collector runs often enough to cost a fifth of the time. The soft limit
// makes it collect harder before the budget is reached. GOGC and GOMEMLIMIT
// in the environment still win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(180 << 20)
	}
}

const description = `Reads FOCUS charges (CSV or NDJSON; FILE... or stdin) and writes every row
back out with an x_Flags column: ';'-separated review codes, empty when the
row is clean. focus-load turns flagged rows into review items. Flags are not
errors: the exit status is 0 (2 for usage or I/O errors, 1 when the input is
not a readable charge stream: run focus-validate first).

Codes:
  missing-tag:KEY   a --require-tags key is absent or empty (KEY is the actual
                    tag key after --tag-* renaming)
  bad-tags          the Tags cell is not a JSON object
  bad-email         pi_email is not a bare address (user@host.domain)
  bad-amount        BilledCost, ListCost or ConsumedQuantity is not a number
  negative-cost     BilledCost < 0 on a row that is not a credit, refund or
                    correction (ChargeCategory Credit/Adjustment, ChargeClass
                    Correction, or "refund"/"credit" in ChargeDescription)
  billed-over-list  BilledCost > ListCost
  no-list-price     BilledCost > 0 but ListCost missing or 0 (the statement
                    cannot show the discount)
  duplicate         the same charge (ResourceId, ChargePeriodStart/End, SkuId,
                    ChargeDescription, ServiceName, BilledCost, ListCost,
                    ConsumedQuantity, pi_email, project_id) seen earlier in the
                    input; the first copy stays clean, later copies are flagged
  outlier           far from the usual for its group (ServiceName +
                    ConsumedUnit) in this input, by a robust z-score:
                      z = (ln x - median(ln x)) / (1.4826 * MAD(ln x))
                    MAD is the median absolute deviation; 1.4826*MAD estimates
                    a standard deviation that a few wild values cannot inflate,
                    and logarithms make it a ratio ("n times the usual").
                    Two statistics: (1) the row's unit cost, cost/ConsumedQuantity,
                    against rows of the same SkuId too (one SKU, one price),
                    |z| > --outlier-z; (2) a PI's total cost in the group against
                    the other PIs' totals, z > --outlier-z, marked on that PI's
                    largest row in the group. Cost is ListCost when positive
                    (subsidies do not hide usage), else BilledCost. A group
                    needs --outlier-min-group rows (PIs); a row (total) below
                    --outlier-min is never an outlier; the spread is at least
                    0.05 (unit cost) or 0.25 (totals) in ln units, so a flat
                    rate card does not turn rounding into outliers.
  jump              with --baseline: a PI's BilledCost or ListCost for a service
                    rose above --jump-factor times last month's and by more
                    than --jump-min; marked on the PI's largest row for the
                    service (PIs not in the baseline are new, not jumps)
  period-mismatch   BillingPeriodStart's month differs from --period, or from the
                    month most rows carry (date-only values like 2025-01-01 are fine)
  bad-fund          fund_org matches none of the --fund-pattern regexes (each must
                    match the whole value; no check without --fund-pattern)
  watch             ServiceName or ResourceName matches a --watch regex (anywhere;
                    use (?i) for any case)

An existing x_Flags column (a re-run, or a site's own codes) keeps its place:
codes focus-flag writes are recomputed, other codes are kept in front.
Rules that need the whole input take two passes: regular files (also
"< file" on stdin) are read twice; a pipe is spooled to an unlinked temporary
file in $TMPDIR (as large as the input). A summary goes to stderr (-q: none).`

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "require-tags", Value: "pi_email", EnvVars: cliutil.Env("require-tags"),
			Usage: "comma-separated tag roles (pi_email, fund_org, project_id, ...) or literal keys that every row must carry; OpenChargeback sites use pi_email,fund_org,project_id"},
		&cli.StringSliceFlag{Name: "fund-pattern", EnvVars: cliutil.Env("fund-pattern"),
			Usage: "regex a fund_org value must match as a whole (repeatable; none = no bad-fund check)"},
		&cli.StringSliceFlag{Name: "watch", EnvVars: cliutil.Env("watch"),
			Usage: "regex over ServiceName and ResourceName that marks a row 'watch' (repeatable), e.g. '(?i)gpu'"},
		&cli.StringFlag{Name: "period",
			Usage: "billing period YYYY-MM rows must belong to (default: the month most rows carry)"},
		&cli.StringFlag{Name: "baseline",
			Usage: "last month's statements NDJSON (focus-statement output) for the jump rule"},
		&cli.StringFlag{Name: "jump-factor", Value: "3", EnvVars: cliutil.Env("jump-factor"),
			Usage: "jump: cost must exceed this many times the baseline"},
		&cli.StringFlag{Name: "jump-min", Value: "100", EnvVars: cliutil.Env("jump-min"),
			Usage: "jump: and rise by more than this amount"},
		&cli.Float64Flag{Name: "outlier-z", Value: 6, EnvVars: cliutil.Env("outlier-z"),
			Usage: "outlier: robust z-score threshold"},
		&cli.IntFlag{Name: "outlier-min-group", Value: 5, EnvVars: cliutil.Env("outlier-min-group"),
			Usage: "outlier: fewest rows (unit cost) or PIs (totals) a group needs"},
		&cli.StringFlag{Name: "outlier-min", Value: "10", EnvVars: cliutil.Env("outlier-min"),
			Usage: "outlier: smallest row cost or PI total that can be an outlier"},
		&cli.BoolFlag{Name: "only-flagged",
			Usage: "write only rows with flags (ad hoc checks of a new export)"},
		&cli.StringFlag{Name: "out",
			Usage: "output format csv|ndjson (default: as the input)"},
		&cli.BoolFlag{Name: "explain",
			Usage: "one line per flag on stderr, FILE:LINE: Column: why [code] (the numbers behind an outlier or jump)"},
		&cli.StringFlag{Name: "errors", Value: "text", EnvVars: cliutil.Env("errors"),
			Usage: "stderr `FORMAT`: text (FILE:LINE: Column: message [rule]) or json (one object a line: --explain lines and the summary)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"},
			Usage: "no summary on stderr"},
	}
	flags = append(flags, tagkeys.Flags()...)
	return &cli.App{
		Name:  "focus-flag",
		Usage: "add review flags (x_Flags) to FOCUS charges",
		UsageText: `focus-flag [options] [FILE...]

   focus-validate hpc.csv aws.csv | focus-flag --require-tags pi_email,fund_org,project_id \
       --fund-pattern '[A-Z]+-[A-Z]+-[0-9]{4}' --watch '(?i)gpu' --baseline last-month.ndjson > flagged.csv
   focus-flag --only-flagged --explain new-export.csv`,
		Description:               description,
		Reader:                    stdin,
		Writer:                    stdout,
		ErrWriter:                 stderr,
		HideHelpCommand:           true,
		DisableSliceFlagSeparator: true, // regexes contain commas
		Flags:                     flags,
		Action:                    run,
	}
}

func run(c *cli.Context) error {
	if f, ok := c.App.Reader.(*os.File); ok && c.NArg() == 0 && cliutil.IsTerminal(f) {
		return fmt.Errorf("no input: give FILE arguments or pipe charges in (see --help)")
	}
	cfg := flagrules.DefaultConfig()
	cfg.Keys = tagkeys.FromContext(c)
	cfg.RequireTags = flagrules.ParseRequireTags(c.String("require-tags"))
	var err error
	if cfg.FundPatterns, err = flagrules.CompileFundPatterns(c.StringSlice("fund-pattern")); err != nil {
		return err
	}
	if cfg.Watch, err = flagrules.CompileWatch(c.StringSlice("watch")); err != nil {
		return err
	}
	if p := c.String("period"); p != "" {
		m, ok := flagrules.Month(p)
		if !ok || len(strings.TrimSpace(p)) != 7 {
			return fmt.Errorf("--period %q: want YYYY-MM", p)
		}
		cfg.Period = m
	}
	for _, d := range []struct {
		name string
		dst  *decimal.Decimal
	}{{"jump-factor", &cfg.JumpFactor}, {"jump-min", &cfg.JumpMin}, {"outlier-min", &cfg.OutlierMin}} {
		v, err := decimal.NewFromString(strings.TrimSpace(c.String(d.name)))
		if err != nil || v.Sign() < 0 {
			return fmt.Errorf("--%s %q: want a non-negative number", d.name, c.String(d.name))
		}
		*d.dst = v
	}
	if cfg.OutlierZ = c.Float64("outlier-z"); cfg.OutlierZ <= 0 {
		return fmt.Errorf("--outlier-z must be positive")
	}
	if cfg.OutlierMinGroup = c.Int("outlier-min-group"); cfg.OutlierMinGroup < 3 {
		return fmt.Errorf("--outlier-min-group must be at least 3")
	}
	cfg.OnlyFlagged = c.Bool("only-flagged")
	errorsJSON := false
	switch c.String("errors") {
	case "text":
	case "json":
		errorsJSON = true
	default:
		return fmt.Errorf("--errors %q: want text or json", c.String("errors"))
	}
	if c.Bool("explain") {
		cfg.Explain, cfg.ExplainJSON = c.App.ErrWriter, errorsJSON
	}
	if o := c.String("out"); o != "" {
		f, err := focus.ParseFormat(o)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		cfg.Out = &f
	}
	if b := c.String("baseline"); b != "" {
		f, err := os.Open(b)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		cfg.Baseline, err = flagrules.LoadBaseline(f, b)
		f.Close()
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}

	var inputs []flagrules.Input
	args := c.Args().Slice()
	if len(args) == 0 {
		args = []string{"-"}
	}
	stdinUsed := false
	for _, a := range args {
		if a == "-" {
			if stdinUsed {
				return fmt.Errorf("stdin (-) given twice")
			}
			stdinUsed = true
			inputs = append(inputs, flagrules.Input{Name: "-", R: c.App.Reader})
			continue
		}
		inputs = append(inputs, flagrules.Input{Name: a, Path: a})
	}
	sum, err := flagrules.Run(cfg, inputs, c.App.Writer)
	if err != nil {
		var pe *focus.ParseError
		if errors.As(err, &pe) {
			return &cliutil.DataError{Err: fmt.Errorf("%w (run focus-validate first)", err)}
		}
		return err
	}
	switch {
	case c.Bool("quiet"):
	case errorsJSON:
		sum.WriteJSON(c.App.ErrWriter)
	default:
		sum.Write(c.App.ErrWriter, c.App.Name)
	}
	return nil
}
