package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/web"
)

// passwdCommand prints a bcrypt hash for the web interface's users file.
func passwdCommand() *cli.Command {
	return &cli.Command{
		Name:  "passwd",
		Usage: "print a bcrypt password hash (or a whole users-file line) for `serve --users`",
		UsageText: `focus-statement passwd --user ada --role admin >> users.txt   (asks for the password)
   printf '%s\n' "$PW" | focus-statement passwd --user rev --role reviewer >> users.txt`,
		Description: `Reads the password from the terminal (twice, without echo) or, when stdin is not
a terminal, from its first line. Prints the bcrypt hash, or with --user and
--role the line "user:role:hash" for the users file. A password shorter
than 12 characters, a common one (or a common word with digits, symbols
or look-alike letters around it) or one holding the user name is refused,
saying why.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "user", Usage: "user `NAME`: print a whole users-file line"},
			&cli.StringFlag{Name: "role", Value: "viewer", Usage: "`ROLE` for the line: admin, reviewer or viewer"},
		},
		Action: func(c *cli.Context) error {
			user := c.String("user")
			if strings.ContainsAny(user, ": \t\r\n") {
				return fmt.Errorf("passwd: user name %q may not contain ':' or blanks", user)
			}
			role, err := web.ParseRole(c.String("role"))
			if err != nil {
				return fmt.Errorf("passwd: %w", err)
			}
			pw, err := readPassword(c.App.Reader, c.App.ErrWriter)
			if err != nil {
				return fmt.Errorf("passwd: %w", err)
			}
			h, err := web.HashPassword(pw, user)
			if err != nil {
				return cliutil.Dataf("passwd: %v", err)
			}
			if user != "" {
				_, err = fmt.Fprintf(c.App.Writer, "%s:%s:%s\n", user, role, h)
			} else {
				_, err = fmt.Fprintln(c.App.Writer, h)
			}
			return err
		},
	}
}

func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", fmt.Errorf("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password on stdin")
	}
	return line, nil
}
