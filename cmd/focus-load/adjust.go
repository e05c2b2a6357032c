package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

func adjustCommand() *cli.Command {
	return &cli.Command{
		Name:  "adjust",
		Usage: "add a credit (negative) or charge to a PI's statement in an open or closed period",
		UsageText: `focus-load adjust --period 2025-01 --pi ada@uni.edu --amount -12.50 --reason "node outage credit"
   # late usage for finalized 2025-01, billed in open 2025-02:
   focus-load adjust --period 2025-02 --pi ada@uni.edu --amount 40.00 --reason "late HPC usage" --ref "2025-01 HPC"`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "period", Required: true, Usage: "YYYY-MM"},
			&cli.StringFlag{Name: "pi", Required: true, Usage: "the PI's e-mail"},
			&cli.StringFlag{Name: "amount", Required: true, Usage: "exact decimal; negative is a credit"},
			&cli.StringFlag{Name: "reason", Required: true, Usage: "shown on the statement"},
			&cli.StringFlag{Name: "project", Usage: "project id the adjustment belongs to"},
			&cli.StringFlag{Name: "fund", Usage: "fund/org to post it to"},
			&cli.StringFlag{Name: "ref", Usage: "what it corrects, e.g. \"2025-01 charge 1234\""},
			&cli.BoolFlag{Name: "new-pi", Usage: "accept a PI e-mail the ledger has never seen (refused otherwise: a typo would bill nobody)"},
		},
		Action: func(c *cli.Context) error {
			amount, err := ledger.ParseAmount(c.String("amount"))
			if err != nil {
				return err
			}
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			id, err := l.Adjust(c.Context, ledger.CLIActor(), ledger.Adjustment{
				Period: c.String("period"), PIEmail: c.String("pi"), Amount: amount, Reason: c.String("reason"),
				ProjectID: c.String("project"), FundOrg: c.String("fund"), Ref: c.String("ref"), NewPI: c.Bool("new-pi"),
			})
			if err != nil {
				return refusal(err)
			}
			fmt.Fprintf(c.App.ErrWriter, "focus-load: adjustment %d: %s %s for %s\n", id, c.String("period"), money.DisplayExact(amount, ""), c.String("pi"))
			return nil
		},
	}
}
