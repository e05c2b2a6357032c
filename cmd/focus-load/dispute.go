package main

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
)

func disputeCommand() *cli.Command {
	return &cli.Command{
		Name:  "dispute",
		Usage: "record and resolve PIs' disputes (finalize waits for them)",
		UsageText: `focus-load dispute open --period 2025-01 --pi ada@uni.edu --charge 42 --reason "not my instance"
   focus-load dispute resolve --note "credited in adjustment 7" 3
   focus-load dispute resolve --notify --outbox out/notify --from billing@example.edu --note "credited" 4
   focus-load dispute list --period 2025-01`,
		Subcommands: []*cli.Command{
			{
				Name: "open", Usage: "open a dispute",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "period", Required: true},
					&cli.StringFlag{Name: "pi", Required: true},
					&cli.Int64Flag{Name: "charge", Usage: "the disputed charge id (default: the whole statement)"},
					&cli.StringFlag{Name: "reason", Required: true},
					&cli.BoolFlag{Name: "new-pi", Usage: "accept a PI e-mail the ledger has never seen"},
				},
				Action: func(c *cli.Context) error {
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					id, err := l.OpenDispute(c.Context, ledger.CLIActor(), ledger.Dispute{
						Period: c.String("period"), PIEmail: c.String("pi"), ChargeID: c.Int64("charge"), Reason: c.String("reason"), NewPI: c.Bool("new-pi")})
					if err != nil {
						return refusal(err)
					}
					fmt.Fprintf(c.App.ErrWriter, "focus-load: dispute %d opened\n", id)
					return nil
				},
			},
			{
				Name: "resolve", Usage: "resolve a dispute", ArgsUsage: "ID",
				Flags: append([]cli.Flag{&cli.StringFlag{Name: "note", Required: true}}, notifyFlags()...),
				Action: func(c *cli.Context) error {
					ids, err := parseIDs(c.Args().Slice())
					if err != nil || len(ids) != 1 {
						return fmt.Errorf("dispute resolve: give one dispute id after the flags: `dispute resolve --note TEXT ID`")
					}
					id := ids[0]
					n, err := newNotifier(c)
					if err != nil {
						return err
					}
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					if err := l.ResolveDispute(c.Context, ledger.CLIActor(), id, c.String("note")); err != nil {
						return refusal(err)
					}
					fmt.Fprintf(c.App.ErrWriter, "focus-load: dispute %d resolved\n", id)
					if n != nil {
						return n.send(c, l, id)
					}
					return nil
				},
			},
			{
				Name: "list", Usage: "list disputes",
				Flags: []cli.Flag{&cli.StringFlag{Name: "period"}, formatFlag()},
				Action: func(c *cli.Context) error {
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					ds, err := l.Disputes(c.Context, c.String("period"))
					if err != nil {
						return err
					}
					t := &table{header: []string{"id", "period", "pi_email", "charge", "status", "reason", "note", "opened_at", "opened_by", "resolved_at", "resolved_by", "line", "origin"}}
					for _, d := range ds {
						charge := ""
						if d.ChargeID != 0 {
							charge = strconv.FormatInt(d.ChargeID, 10)
						}
						t.add(d.ID, d.Period, d.PIEmail, charge, d.Status, d.Reason, d.Note, d.OpenedAt, d.OpenedBy, d.ResolvedAt, d.ResolvedBy, d.Line, d.Origin)
					}
					return t.write(c)
				},
			},
		},
	}
}
