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
	decide := func(name, usage string, reject bool) *cli.Command {
		return &cli.Command{
			Name: name, Usage: usage, ArgsUsage: "ID...",
			Flags: []cli.Flag{&cli.StringFlag{Name: "note", Usage: "why", EnvVars: cliutil.Env("note")}},
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
				if reject {
					err = l.Reject(c.Context, ledger.CLIActor(), ids, c.String("note"))
				} else {
					err = l.Approve(c.Context, ledger.CLIActor(), ids, c.String("note"))
				}
				if err != nil {
					return refusal(err)
				}
				past := "approved"
				if reject {
					past = "rejected"
				}
				fmt.Fprintf(c.App.ErrWriter, "focus-load: %d review item(s) %s\n", len(ids), past)
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
   focus-load review assign --tag pi_email=ada@uni.edu --tag fund_org=NSF-ATM-2024 15`,
		Subcommands: []*cli.Command{
			{
				Name: "list", Usage: "list review items",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "period", Usage: "YYYY-MM", EnvVars: cliutil.Env("period")},
					&cli.StringFlag{Name: "status", Usage: "pending, approved or rejected", EnvVars: cliutil.Env("status")},
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
					t := &table{header: []string{"id", "period", "source", "status", "flags", "pi_email", "project_id", "fund_org", "service", "resource_id", "resource_name", "list_cost", "billed_cost", "decided_by", "note"}}
					for _, i := range items {
						t.add(i.ChargeID, i.Period, i.Source, i.Status, i.Flags, i.PIEmail, i.ProjectID, i.FundOrg, i.ServiceName, i.ResourceID, i.ResourceName, i.ListCost, i.BilledCost, i.DecidedBy, i.Note)
					}
					return t.write(c)
				},
			},
			decide("approve", "approve review items: their charges go on statements", false),
			decide("reject", "reject review items: charges stay in the ledger, left off statements", true),
			{
				Name: "assign", Usage: "set tags of charges (fixes missing or wrong tags) and clear the flags they answer",
				ArgsUsage: "ID...",
				Flags: append([]cli.Flag{
					&cli.StringSliceFlag{Name: "tag", Usage: "ROLE=VALUE, ROLE one of " + strings.Join(ledger.Roles, ", "), EnvVars: cliutil.Env("tag")},
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
					if err := l.Assign(c.Context, ledger.CLIActor(), ids, values, tagKeyFunc(tagkeys.FromContext(c))); err != nil {
						return refusal(err)
					}
					fmt.Fprintf(c.App.ErrWriter, "focus-load: tags assigned to %d charge(s)\n", len(ids))
					return nil
				},
			},
		},
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
