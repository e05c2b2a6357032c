package main

import (
	"fmt"
	"strings"

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
   focus-load adjust --period 2025-02 --pi ada@uni.edu --amount 40.00 --reason "late HPC usage" --ref "2025-01 HPC"
   focus-load adjust void --reason "entered twice" 12   # post the reversing entry of adjustment 12`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "period", Usage: "YYYY-MM"},
			&cli.StringFlag{Name: "pi", Usage: "the PI's e-mail"},
			&cli.StringFlag{Name: "amount", Usage: "exact decimal; negative is a credit"},
			&cli.StringFlag{Name: "reason", Usage: "shown on the statement"},
			&cli.StringFlag{Name: "project", Usage: "project id the adjustment belongs to"},
			&cli.StringFlag{Name: "fund", Usage: "fund/org to post it to"},
			&cli.StringFlag{Name: "ref", Usage: "what it corrects, e.g. \"2025-01 charge 1234\""},
			&cli.BoolFlag{Name: "new-pi", Usage: "accept a PI e-mail the ledger has never seen (refused otherwise: a typo would bill nobody)"},
			&cli.BoolFlag{Name: "new-fund", Usage: "accept a --fund the ledger has never seen (refused otherwise: a typo would debit no account)"},
			&cli.BoolFlag{Name: "new-period", Usage: "start a period the ledger does not have yet with this adjustment (refused otherwise: a typo would open a period)"},
		},
		Subcommands: []*cli.Command{adjustVoidCommand()},
		Action: func(c *cli.Context) error {
			// Not Required flags: `adjust void` is a subcommand, which
			// must not need them.
			if c.NArg() > 0 {
				return fmt.Errorf("adjust: no such command %q (adjust void ID, or adjust --period P --pi EMAIL --amount N --reason TEXT)", c.Args().First())
			}
			var missing []string
			for _, f := range []string{"period", "pi", "amount", "reason"} {
				if !c.IsSet(f) {
					missing = append(missing, f)
				}
			}
			if len(missing) > 0 {
				// A usage error: the help goes to stderr, as urfave/cli
				// does for its own Required flags.
				cli.HelpPrinter(c.App.ErrWriter, cli.CommandHelpTemplate, c.Command)
				return fmt.Errorf("adjust: Required flags %q not set (adjust --period P --pi EMAIL --amount N --reason TEXT)", strings.Join(missing, ", "))
			}
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
				NewFund: c.Bool("new-fund"), NewPeriod: c.Bool("new-period"),
			})
			if err != nil {
				return refusal(err)
			}
			fmt.Fprintf(c.App.ErrWriter, "focus-load: adjustment %d: %s %s for %s\n", id, c.String("period"), money.DisplayExact(amount, ""), c.String("pi"))
			return nil
		},
	}
}

func adjustVoidCommand() *cli.Command {
	return &cli.Command{
		Name:      "void",
		Usage:     "post the reversing entry of an adjustment (the past is never edited), linked to it and audited",
		ArgsUsage: "ID",
		UsageText: `focus-load adjust void 12
   focus-load adjust void --reason "credit entered for the wrong PI" 12
   focus-load adjust void --into 2025-03 12   # 12 is in a finalized period and several are open

   The void has the opposite amount, the same PI, project and fund. It goes
   into the adjustment's own period while that is not finalized, else into
   the one open period after it (--into to choose).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "reason", Usage: "shown on the statement (default: \"void of adjustment ID (its reason)\")"},
			&cli.StringFlag{Name: "into", Usage: "the period that receives the void when the adjustment's own is finalized"},
		},
		Action: func(c *cli.Context) error {
			ids, err := parseIDs(c.Args().Slice())
			if err != nil {
				return err
			}
			if len(ids) != 1 {
				return fmt.Errorf("adjust void: give one adjustment id")
			}
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			id, period, err := l.VoidAdjustment(c.Context, ledger.CLIActor(), ids[0], c.String("into"), c.String("reason"))
			if err != nil {
				return refusal(err)
			}
			fmt.Fprintf(c.App.ErrWriter, "focus-load: adjustment %d voids adjustment %d, in %s\n", id, ids[0], period)
			return nil
		},
	}
}
