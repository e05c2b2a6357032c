package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

func importFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "source", Usage: "name of the source (AWS, Azure, HPC, Storage…)", EnvVars: cliutil.Env("source")},
		&cli.StringFlag{Name: "period", Usage: "billing period YYYY-MM (default: from BillingPeriodStart)", EnvVars: cliutil.Env("period")},
		&cli.BoolFlag{Name: "replace", Usage: "replace the source's earlier import for the period", EnvVars: cliutil.Env("replace")},
		&cli.StringFlag{Name: "currency", Value: "USD", Usage: "currency of rows without BillingCurrency", EnvVars: cliutil.Env("currency")},
	}, tagkeys.Flags()...)
}

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import FOCUS files (CSV or NDJSON; stdin when no FILE) in one transaction each",
		UsageText: "focus-load [--db FILE] import --source NAME [--period YYYY-MM] [--replace] [FILE...]\n\nExample:\n   focus-validate hpc.csv | focus-flag | focus-load import --source HPC --period 2025-01",
		Flags:     importFlags(),
		Action:    importAction,
	}
}

func importAction(c *cli.Context) error {
	if c.String("source") == "" {
		if c.NArg() == 0 && c.Command.Name != "import" {
			return cli.ShowAppHelp(c)
		}
		return fmt.Errorf("--source is required (e.g. --source AWS)")
	}
	l, err := openLedger(c)
	if err != nil {
		return err
	}
	defer l.Close()
	stderr := c.App.ErrWriter
	return cliutil.OpenInputs(c, func(r io.Reader, name string) error {
		res, err := l.Import(c.Context, ledger.CLIActor(), r, ledger.ImportOptions{
			Source: c.String("source"), Period: c.String("period"), FileName: displayName(name),
			Replace: c.Bool("replace"), Tags: tagkeys.FromContext(c), Currency: c.String("currency"),
		})
		if err != nil {
			return refusal(err)
		}
		if res.NoOp {
			fmt.Fprintf(stderr, "focus-load: %s: already imported as import %d (same bytes): nothing to do; period %s is %s\n", displayName(name), res.ImportID, res.Period, res.State)
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
		return nil
	})
}

func displayName(name string) string {
	if name == "-" || name == "" {
		return "<stdin>"
	}
	return name
}
