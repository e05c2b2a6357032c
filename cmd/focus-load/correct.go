package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

func correctCommand() *cli.Command {
	return &cli.Command{
		Name:  "correct",
		Usage: "move a charge to its right PI or fund; after finalize, by a pair of audited adjustments",
		UsageText: `focus-load correct --charge 1234 --tag pi_email=katherine.johnson@uni.edu --reason "billed to Ada by mistake"
   focus-load correct --charge 1234 --tag fund_org=NASA-HEO-2024 --into 2025-03 --reason "wrong fund"

   In a period that is not finalized the charge is simply reassigned (as
   review assign --any). In a finalized one the statement stays as sent:
   the open period after it (or --into) gets minus the charge's billed cost
   for its old PI and fund and plus it for the new, each naming the charge,
   so the period's total amount due does not change.`,
		Flags: append([]cli.Flag{
			&cli.Int64Flag{Name: "charge", Usage: "the charge `ID` (review list, export, the web's charges page)"},
			&cli.StringSliceFlag{Name: "tag", Usage: "pi_email=EMAIL and/or fund_org=FUND: the new owner"},
			&cli.StringFlag{Name: "into", Usage: "the open `PERIOD` that receives the pair (default: the one open period after the charge's)"},
			&cli.StringFlag{Name: "reason", Usage: "why; both PIs read it on their statements"},
			&cli.BoolFlag{Name: "new-pi", Usage: "accept a pi_email the ledger has never seen"},
			&cli.BoolFlag{Name: "new-fund", Usage: "accept a fund_org the ledger has never seen"},
			&cli.BoolFlag{Name: "new-period", Usage: "let --into start a period the ledger does not have"},
		}, tagkeys.Flags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("correct: unexpected %q: give the charge with --charge ID (flags only)", c.Args().First())
			}
			if c.Int64("charge") <= 0 {
				return fmt.Errorf("correct: --charge ID is required")
			}
			if strings.TrimSpace(c.String("reason")) == "" {
				return fmt.Errorf("correct: --reason is required: both PIs read it on their statements")
			}
			corr := ledger.Correction{ChargeID: c.Int64("charge"), Into: c.String("into"), Reason: c.String("reason"),
				NewPI: c.Bool("new-pi"), NewFund: c.Bool("new-fund"), NewPeriod: c.Bool("new-period")}
			for _, kv := range c.StringSlice("tag") {
				k, v, ok := strings.Cut(kv, "=")
				switch strings.TrimSpace(k) {
				case ledger.RolePIEmail:
					corr.PIEmail = v
				case ledger.RoleFundOrg:
					corr.FundOrg = v
				default:
					ok = false
				}
				if !ok || strings.TrimSpace(v) == "" {
					return fmt.Errorf("--tag %q: want pi_email=EMAIL or fund_org=FUND", kv)
				}
			}
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			res, err := l.CorrectCharge(c.Context, ledger.CLIActor(), corr, tagKeyFunc(tagkeys.FromContext(c)))
			if err != nil {
				return refusal(err)
			}
			w := c.App.ErrWriter
			if res.Reassigned {
				printChanges(c, res.Changes)
				fmt.Fprintf(w, "focus-load: charge %d reassigned in %s (not finalized: no adjustments needed)\n", corr.ChargeID, res.Period)
				return nil
			}
			fmt.Fprintf(w, "focus-load: charge %d moved in %s: adjustment %d %s for %s, adjustment %d %s for %s\n",
				corr.ChargeID, res.Period, res.Minus, money.DisplayExact(res.Amount.Neg(), ""), res.From,
				res.Plus, money.DisplayExact(res.Amount, ""), res.To)
			return nil
		},
	}
}
