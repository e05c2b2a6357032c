package main

import (
	"github.com/urfave/cli/v2"
)

func auditCommand() *cli.Command {
	return &cli.Command{
		Name: "audit", Usage: "list every change to the ledger: who, origin, record, before/after, reason, when",
		UsageText: "focus-load audit [--period 2025-01] [--format table|csv|ndjson]",
		Flags:     []cli.Flag{&cli.StringFlag{Name: "period"}, formatFlag()},
		Action: func(c *cli.Context) error {
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			rs, err := l.Audit(c.Context, c.String("period"))
			if err != nil {
				return err
			}
			t := &table{header: []string{"id", "at", "who", "origin", "action", "record", "period", "before", "after", "reason"}}
			for _, r := range rs {
				t.add(r.ID, r.At, r.Who, r.Origin, r.Action, r.Record, r.Period, r.Before, r.After, r.Reason)
			}
			return t.write(c)
		},
	}
}
