package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
)

func copyCommand() *cli.Command {
	return &cli.Command{
		Name:  "copy",
		Usage: "copy the ledger (--db) into a new, empty ledger: SQLite → PostgreSQL or back",
		UsageText: `focus-load --db ledger.db copy --to postgres://billing@db.example.edu/ledger
   focus-load --db postgres://billing@db.example.edu/ledger copy --to ledger-copy.db`,
		Description: `Copies every period (state and timestamps), import (rows, line sums and
fingerprints), charge, review decision, tag assignment, adjustment, dispute and
audit record with its id, in one transaction, into --to, which must hold no
ledger data yet. Prints, per period, the counts and money of both sides; exit 1
when they differ or the target is not empty. A finalized period arrives
finalized: the target's triggers guard it as they guard the source.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Required: true, Usage: "the target ledger: a new SQLite `FILE` or a postgres:// URL of an empty database"},
			formatFlag(),
		},
		Action: func(c *cli.Context) error {
			src, err := openLedger(c)
			if err != nil {
				return err
			}
			defer src.Close()
			to := c.String("to")
			il, err := openImportLedger(to) // a new file appears only if the copy commits
			if err != nil {
				return err
			}
			defer il.Close()
			if err := src.CopyTo(c.Context, il.l); err != nil {
				return refusal(err)
			}
			if il.fresh() {
				published, err := il.publish()
				if err != nil {
					return err
				}
				if !published {
					return &cliutil.DataError{Err: fmt.Errorf("copy: %s was created by another program meanwhile: nothing copied there", to)}
				}
			}
			a, err := src.Counts(c.Context)
			if err != nil {
				return err
			}
			b, err := il.l.Counts(c.Context)
			if err != nil {
				return err
			}
			t := &table{header: []string{"side", "period", "state", "imports", "charges", "review", "adjustments", "disputes", "audit", "list_cost", "billed_cost", "adjustments_total"}}
			same := len(a) == len(b)
			for i := range a {
				p := a[i]
				t.add("source", p.Period, p.State, p.Imports, p.Charges, p.Review, p.Adjustments, p.Disputes, p.Audit, p.ListCost.String(), p.BilledCost.String(), p.AdjustmentsTotal.String())
				if i < len(b) {
					q := b[i]
					t.add("target", q.Period, q.State, q.Imports, q.Charges, q.Review, q.Adjustments, q.Disputes, q.Audit, q.ListCost.String(), q.BilledCost.String(), q.AdjustmentsTotal.String())
					same = same && p.Equal(q)
				}
			}
			if err := t.write(c); err != nil {
				return err
			}
			if !same {
				return &cliutil.DataError{Err: errors.New("copy: the target's counts or totals differ from the source's (see above)")}
			}
			fmt.Fprintf(c.App.ErrWriter, "focus-load: copied %s to %s: %d periods, every count and total equal\n", ledger.Redact(c.String("db")), ledger.Redact(to), len(a)-1)
			return nil
		},
	}
}
