package main

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/ledger"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list or remove remembered owners (review assign --remember)",
		UsageText: `focus-load rules list [--format table|csv|ndjson]
   focus-load rules remove 3   # forget rule 3 (audited); what it filled stays assigned

   A rule fills a resource's PI and fund into later imports' rows of that
   ResourceId that lack them or carry an invalid pi_email. It never
   overrides a valid tag from the export.`,
		Subcommands: []*cli.Command{
			{
				Name: "list", Usage: "list the rules and their last use", Flags: []cli.Flag{formatFlag()},
				Action: func(c *cli.Context) error {
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					rules, err := l.OwnerRules(c.Context)
					if err != nil {
						return err
					}
					t := &table{header: []string{"id", "resource_id", "pi_email", "fund_org", "created_at", "created_by", "uses", "last_used_at"}}
					for _, r := range rules {
						t.add(r.ID, r.ResourceID, r.PIEmail, r.FundOrg, r.CreatedAt, r.CreatedBy, r.Uses, r.LastUsedAt)
					}
					return t.write(c)
				},
			},
			{
				Name: "remove", Usage: "forget a rule (audited)", ArgsUsage: "ID",
				UsageText: "focus-load rules remove 3",
				Action: func(c *cli.Context) error {
					id, err := strconv.ParseInt(c.Args().First(), 10, 64)
					if err != nil || c.NArg() != 1 || id <= 0 {
						return fmt.Errorf("rules remove: give one rule id (see `focus-load rules list`)")
					}
					l, err := openLedger(c)
					if err != nil {
						return err
					}
					defer l.Close()
					if err := l.RemoveOwnerRule(c.Context, ledger.CLIActor(), id); err != nil {
						return refusal(err)
					}
					fmt.Fprintf(c.App.ErrWriter, "focus-load: rule %d removed\n", id)
					return nil
				},
			},
		},
	}
}
