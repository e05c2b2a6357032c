package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/focus"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name: "export", Usage: "write a period's charges back out as FOCUS, every column as imported",
		UsageText: "focus-load export --period 2025-01 [--out csv|ndjson] > 2025-01.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "period", Required: true},
			&cli.StringFlag{Name: "out", Value: "csv", Usage: "csv or ndjson"},
		},
		Action: func(c *cli.Context) error {
			f, err := focus.ParseFormat(c.String("out"))
			if err != nil {
				return err
			}
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			w := focus.NewWriter(c.App.Writer, f)
			n, err := l.ExportCharges(c.Context, c.String("period"), w)
			if err != nil {
				return refusal(err)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "focus-load: exported %d charges of %s\n", n, c.String("period"))
			return nil
		},
	}
}
