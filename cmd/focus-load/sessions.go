package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"
)

// sessionsCommand ends web sessions from the command line, for every
// `focus-statement serve` of the ledger at once (sessions live in the
// ledger's web_sessions table): a lost laptop, a leaver, a suspected
// stolen cookie. Changing the user's password in the users file ends
// them too, at serve's next start.
func sessionsCommand() *cli.Command {
	return &cli.Command{
		Name:  "sessions",
		Usage: "end web sessions (focus-statement serve)",
		Subcommands: []*cli.Command{{
			Name:      "revoke",
			Usage:     "end every web session of one user, on every server of the ledger",
			UsageText: "focus-load sessions revoke --user NAME",
			Flags:     []cli.Flag{&cli.StringFlag{Name: "user", Usage: "web user `NAME` (as in serve's --users file)", Required: true}},
			Action: func(c *cli.Context) error {
				if c.Args().Len() > 0 {
					return fmt.Errorf("sessions revoke: unexpected argument %q (give the user with --user)", c.Args().First())
				}
				user := c.String("user")
				if user == "" {
					return errors.New("sessions revoke: --user is empty")
				}
				l, err := openLedger(c)
				if err != nil {
					return err
				}
				defer l.Close()
				n, err := l.RevokeUserSessions(c.Context, user, time.Now())
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(c.App.ErrWriter, "focus-load: ended %d session(s) of %s\n", n, user)
				return err
			},
		}},
	}
}
