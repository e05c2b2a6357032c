package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/statement/build"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "annual value-delivered report per fund/org and PI: list price, discount, billed",
		UsageText: `focus-statement report --year 2025 > value-2025.csv
   focus-statement report --year 2025 --pdf value-2025.pdf`,
		Description: `Sums the rounded statement lines of every period of the year (so the report
agrees with the statements to the cent), per fund/org and PI. CSV on stdout,
and a PDF with --pdf. Periods that are not finalized are included and named.`,
		Flags: append(append(dbFlags(),
			&cli.IntFlag{Name: "year", Usage: "calendar `YYYY`"},
			&cli.StringFlag{Name: "pdf", Usage: "also write the report as a PDF `FILE`"},
			&cli.StringFlag{Name: "format", Value: "csv", Usage: "stdout `FORMAT`: csv or none"},
		), institutionFlags()...),
		Action: func(c *cli.Context) error {
			year := c.Int("year")
			if year < 1900 || year > 9999 {
				return fmt.Errorf("--year YYYY is required")
			}
			if f := c.String("format"); f != "csv" && f != "none" {
				return fmt.Errorf("--format %q: want csv or none", f)
			}
			r, closer, err := openLedger(c.String("db"))
			if err != nil {
				return fmt.Errorf("open ledger %s: %w", c.String("db"), err)
			}
			defer closer.Close()
			rep, err := build.AnnualReport(c.Context, r, year)
			if err != nil {
				return err
			}
			if len(rep.Periods) == 0 {
				return cliutil.Dataf("no periods of %d in the ledger", year)
			}
			if f := c.String("pdf"); f != "" {
				rd, err := renderer(c)
				if err != nil {
					return err
				}
				b, err := rd.Report(rep)
				if err != nil {
					return err
				}
				if err := os.WriteFile(f, b, 0o644); err != nil {
					return fmt.Errorf("write %s: %w", f, err)
				}
			}
			if c.String("format") == "csv" {
				return build.WriteReportCSV(c.App.Writer, rep)
			}
			return nil
		},
	}
}
