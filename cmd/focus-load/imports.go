package main

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
)

func importsCommand() *cli.Command {
	return &cli.Command{
		Name: "imports", Usage: "list imports",
		UsageText: "focus-load imports [--period 2025-01] [--format table|csv|ndjson]",
		Flags:     []cli.Flag{&cli.StringFlag{Name: "period"}, formatFlag()},
		Action: func(c *cli.Context) error {
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			is, err := l.Imports(c.Context, c.String("period"))
			if err != nil {
				return err
			}
			t := &table{header: []string{"id", "period", "source", "file", "rows", "flagged", "list_cost", "billed_cost", "imported_at", "imported_by", "sha256"}}
			for _, i := range is {
				t.add(i.ID, i.Period, i.Source, i.FileName, i.Rows, i.Flagged, i.ListCost, i.BilledCost, i.ImportedAt, i.ImportedBy, i.SHA256)
			}
			return t.write(c)
		},
	}
}

func removeCommand() *cli.Command {
	return &cli.Command{
		Name: "remove", Usage: "remove an import and its charges (open periods only)", ArgsUsage: "IMPORT",
		UsageText: "focus-load remove 3",
		Action: func(c *cli.Context) error {
			id, err := strconv.ParseInt(c.Args().First(), 10, 64)
			if err != nil || c.NArg() != 1 {
				return fmt.Errorf("remove: give one import id (see `focus-load imports`)")
			}
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			if err := l.RemoveImport(c.Context, ledger.CLIActor(), id); err != nil {
				return refusal(err)
			}
			fmt.Fprintf(c.App.ErrWriter, "focus-load: import %d removed\n", id)
			return nil
		},
	}
}
