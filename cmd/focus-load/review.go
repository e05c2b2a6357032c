package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

func reviewCommand() *cli.Command {
	anyFlag := &cli.BoolFlag{Name: "any", Usage: "also act on charges outside the review queue (already decided, or never flagged)"}
	decide := func(name, usage, status string) *cli.Command {
		return &cli.Command{
			Name: name, Usage: usage, ArgsUsage: "ID...",
			Flags: []cli.Flag{&cli.StringFlag{Name: "note", Usage: "why"}, anyFlag},
			Action: func(c *cli.Context) error {
				ids, err := parseIDs(c.Args().Slice())
				if err != nil {
					return err
				}
				l, err := openLedger(c)
				if err != nil {
					return err
				}
				defer l.Close()
				changes, err := l.Decide(c.Context, ledger.CLIActor(), ids, status, ledger.DecideOptions{Note: c.String("note"), Any: c.Bool("any")})
				if err != nil {
					return refusal(err)
				}
				printChanges(c, changes)
				fmt.Fprintf(c.App.ErrWriter, "focus-load: %d review item(s) %s\n", len(ids), status)
				return nil
			},
		}
	}
	return &cli.Command{
		Name:  "review",
		Usage: "list and decide review items (flagged charges)",
		UsageText: `focus-load review list --period 2025-01 --status pending
   focus-load review approve 12 13
   focus-load review reject --note "test instance, not research" 14
   focus-load review assign --tag pi_email=ada@uni.edu --tag fund_org=NSF-ATM-2024 15
   focus-load review assign --new-pi --tag pi_email=new.faculty@uni.edu 16   # a PI the ledger has not seen
   focus-load review assign --remember --tag pi_email=ada@uni.edu 17        # and next month's rows of its resource too`,
		Subcommands: []*cli.Command{
			{
				Name: "list", Usage: "list review items",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "period", Usage: "YYYY-MM"},
					&cli.StringFlag{Name: "status", Usage: "pending, approved or rejected"},
					&cli.StringFlag{Name: "resource-id", Usage: "only items of this ResourceId"},
					&cli.BoolFlag{Name: "ids", Usage: "print only the ids, one a line (for $(...) in scripts)"},
					formatFlag(),
				},
				Action: func(c *cli.Context) error {
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					items, err := l.ReviewItems(c.Context, c.String("period"), c.String("status"))
					if err != nil {
						return err
					}
					if r := c.String("resource-id"); c.IsSet("resource-id") {
						keep := items[:0]
						for _, i := range items {
							if i.ResourceID == r {
								keep = append(keep, i)
							}
						}
						items = keep
					}
					if c.Bool("ids") {
						for _, i := range items {
							fmt.Fprintln(c.App.Writer, i.ChargeID)
						}
						return nil
					}
					t := &table{header: []string{"id", "period", "source", "status", "flags", "pi_email", "project_id", "fund_org", "service", "resource_id", "resource_name", "list_cost", "billed_cost", "decided_by", "note"}}
					for _, i := range items {
						t.add(i.ChargeID, i.Period, i.Source, i.Status, i.Flags, i.PIEmail, i.ProjectID, i.FundOrg, i.ServiceName, i.ResourceID, i.ResourceName, i.ListCost, i.BilledCost, i.DecidedBy, i.Note)
					}
					return t.write(c)
				},
			},
			decide("approve", "approve pending review items: their charges go on statements", "approved"),
			decide("reject", "reject pending review items: charges stay in the ledger, left off statements", "rejected"),
			{
				Name: "assign", Usage: "set tags of charges (fixes missing or wrong tags) and clear the flags they answer",
				ArgsUsage: "ID...",
				Flags: append([]cli.Flag{
					&cli.StringSliceFlag{Name: "tag", Usage: "ROLE=VALUE, ROLE one of " + strings.Join(ledger.Roles, ", ")},
					&cli.StringFlag{Name: "note", Usage: "why (in the audit log)"},
					&cli.BoolFlag{Name: "new-pi", Usage: "accept a pi_email the ledger has never seen (refused otherwise, with the nearest known ones)"},
					&cli.BoolFlag{Name: "new-fund", Usage: "accept a fund_org the ledger has never seen (refused otherwise, with the nearest known ones)"},
					&cli.BoolFlag{Name: "remember", Usage: "keep the PI and fund as a rule for each charge's resource (ResourceId): later imports fill them into its rows that lack them (focus-load rules list)"},
					anyFlag,
				}, tagkeys.Flags()...),
				Action: func(c *cli.Context) error {
					ids, err := parseIDs(c.Args().Slice())
					if err != nil {
						return err
					}
					values := map[string]string{}
					for _, kv := range c.StringSlice("tag") {
						k, v, ok := strings.Cut(kv, "=")
						if !ok || strings.TrimSpace(v) == "" {
							return fmt.Errorf("--tag %q: want ROLE=VALUE, e.g. pi_email=ada@uni.edu", kv)
						}
						values[strings.TrimSpace(k)] = strings.TrimSpace(v)
					}
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					changes, err := l.AssignTags(c.Context, ledger.CLIActor(), ids, values, tagKeyFunc(tagkeys.FromContext(c)),
						ledger.DecideOptions{Note: c.String("note"), Any: c.Bool("any"), NewPI: c.Bool("new-pi"), NewFund: c.Bool("new-fund"), Remember: c.Bool("remember")})
					if err != nil {
						return refusal(err)
					}
					printChanges(c, changes)
					fmt.Fprintf(c.App.ErrWriter, "focus-load: tags assigned to %d charge(s)\n", len(ids))
					return nil
				},
			},
		},
	}
}

// printChanges prints what a review command changed, one line each, on
// stderr (stdout stays for data).
func printChanges(c *cli.Context, changes []string) {
	for _, ch := range changes {
		fmt.Fprintln(c.App.ErrWriter, cliutil.Printable(ch)) // tag values come from imported files
	}
}

func parseIDs(args []string) ([]int64, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("give one or more ids (see `focus-load review list`)")
	}
	ids := make([]int64, 0, len(args))
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("%q after the ids: put flags before the ids (e.g. `review reject --note TEXT 14`)", a)
		}
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not an id", a)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
