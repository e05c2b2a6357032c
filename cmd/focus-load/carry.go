package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// carryCommand is the explicit, audited alternative to crediting a PI's
// fund: a negative amount due is moved into a later period as a pair of
// adjustments. Nothing does this silently (DESIGN.md: never clamped).
func carryCommand() *cli.Command {
	return &cli.Command{
		Name:  "carry-credits",
		Usage: "move negative amounts due (credits beyond the charges) into a later period, as audited adjustments",
		UsageText: `focus-load carry-credits --from 2025-01 --to 2025-02
   focus-load carry-credits --from 2025-01 --to 2025-02 --pi ada@uni.edu --dry-run

   For each PI whose 2025-01 statement has a negative amount due -X, adds
   +X to 2025-01 ("credit of X carried to 2025-02", amount due becomes 0.00)
   and -X to 2025-02 ("credit carried from 2025-01"), in one transaction.
   --from must not be finalized; run it after review, before finalize.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Required: true, Usage: "the period whose credits move (YYYY-MM, open or closed)"},
			&cli.StringFlag{Name: "to", Required: true, Usage: "the later period that receives them (YYYY-MM, not finalized)"},
			&cli.StringFlag{Name: "pi", Usage: "only this PI's credit"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print what would be carried; change nothing"},
			&cli.BoolFlag{Name: "new-period", Usage: "start --to if the ledger does not have it yet (needed unless --to is the month after --from)"},
		},
		Action: func(c *cli.Context) error {
			from, to := c.String("from"), c.String("to")
			for _, p := range []string{from, to} {
				if err := ledger.ValidPeriod(p); err != nil {
					return err
				}
			}
			if to <= from {
				return fmt.Errorf("--to %s must be after --from %s", to, from)
			}
			l, err := openLedger(c)
			if err != nil {
				return err
			}
			defer l.Close()
			sts, _, err := build.Build(c.Context, l, from, build.Options{PI: c.String("pi")})
			if err != nil {
				return refusal(err)
			}
			adjs := build.CarryCredits(sts, to)
			// The month after --from may be started by the carry (its
			// imports often come later); any other period the ledger does
			// not have needs --new-period, as adjust does.
			next, err := time.Parse("2006-01", from)
			if err != nil {
				return err
			}
			for i := range adjs {
				adjs[i].NewPeriod = c.Bool("new-period") || to == next.AddDate(0, 1, 0).Format("2006-01")
			}
			w := c.App.ErrWriter
			if len(adjs) == 0 {
				fmt.Fprintf(w, "focus-load: no statement of %s has a negative amount due: nothing to carry\n", from)
				return nil
			}
			for i := 0; i < len(adjs); i += 2 {
				fmt.Fprintf(w, "focus-load: %s: credit %s on %s carried to %s\n", adjs[i].PIEmail, money.DisplayExact(adjs[i].Amount, ""), adjs[i].FundOrg, to)
			}
			if c.Bool("dry-run") {
				fmt.Fprintf(w, "focus-load: --dry-run: nothing changed\n")
				return nil
			}
			if _, err := l.AdjustAll(c.Context, ledger.CLIActor(), "carry-credit", adjs); err != nil {
				return refusal(err)
			}
			fmt.Fprintf(w, "focus-load: %d credits carried from %s to %s (%d adjustments, audited)\n", len(adjs)/2, from, to, len(adjs))
			return nil
		},
	}
}
