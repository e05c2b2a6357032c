package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
)

func periodsCommand() *cli.Command {
	transition := func(name, usage string, fn func(*ledger.Ledger, *cli.Context, string) error) *cli.Command {
		return &cli.Command{
			Name: name, Usage: usage, ArgsUsage: "YYYY-MM",
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return fmt.Errorf("periods %s: give one period, e.g. 2025-01", name)
				}
				p := c.Args().First()
				if err := ledger.ValidPeriod(p); err != nil {
					return err
				}
				l, err := openLedger(c)
				if err != nil {
					return err
				}
				defer l.Close()
				if err := fn(l, c, p); err != nil {
					return refusal(err)
				}
				info, err := l.Period(c.Context, p)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.ErrWriter, "focus-load: period %s is %s\n", p, info.State)
				return nil
			},
		}
	}
	return &cli.Command{
		Name:  "periods",
		Usage: "list periods and move them open → closed → finalized (reopen: closed → open)",
		UsageText: `focus-load periods list [--format table|csv|ndjson]
   focus-load periods close 2025-01      # no more imports; review and disputes go on
   focus-load periods reopen 2025-01     # closed → open
   focus-load periods finalize 2025-01   # permanent; refused while review items or disputes are open
   focus-load periods remove 2052-01     # an open period holding nothing (started by mistake)`,
		Subcommands: []*cli.Command{
			{
				Name: "list", Usage: "list periods and their state", Flags: []cli.Flag{formatFlag()},
				Action: func(c *cli.Context) error {
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					ps, err := l.Periods(c.Context)
					if err != nil {
						return err
					}
					t := &table{header: []string{"period", "state", "closed_at", "finalized_at"}}
					for _, p := range ps {
						t.add(p.Period, p.State, stamp(p.ClosedAt.IsZero(), p.ClosedAt.Format("2006-01-02T15:04:05Z")),
							stamp(p.FinalizedAt.IsZero(), p.FinalizedAt.Format("2006-01-02T15:04:05Z")))
					}
					return t.write(c)
				},
			},
			transition("close", "close an open period: imports are refused from now on", func(l *ledger.Ledger, c *cli.Context, p string) error {
				return l.ClosePeriod(c.Context, ledger.CLIActor(), p)
			}),
			transition("reopen", "reopen a closed period", func(l *ledger.Ledger, c *cli.Context, p string) error {
				return l.ReopenPeriod(c.Context, ledger.CLIActor(), p)
			}),
			transition("finalize", "finalize a closed period: permanent", func(l *ledger.Ledger, c *cli.Context, p string) error {
				return l.FinalizePeriod(c.Context, ledger.CLIActor(), p)
			}),
			{
				Name: "remove", Usage: "remove an open period that holds no import, adjustment or dispute (one started by mistake); audited",
				ArgsUsage: "YYYY-MM",
				UsageText: "focus-load periods remove 2052-01   # e.g. started by a mistyped `adjust --period 2052-01 --new-period`",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return fmt.Errorf("periods remove: give one period, e.g. 2025-01")
					}
					p := c.Args().First()
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					if err := l.RemovePeriod(c.Context, ledger.CLIActor(), p); err != nil {
						return refusal(err)
					}
					fmt.Fprintf(c.App.ErrWriter, "focus-load: period %s removed\n", p)
					return nil
				},
			},
		},
	}
}

func stamp(zero bool, s string) string {
	if zero {
		return ""
	}
	return s
}
