// Package cliutil holds what every focus-* binary shares: environment
// variable names for flags, exit codes and error reporting.
package cliutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Exit codes of every tool (DESIGN.md).
const (
	ExitOK       = 0
	ExitData     = 1 // the data has problems: invalid rows, refused state change
	ExitInternal = 2 // usage, I/O or internal error
)

// Env returns the environment variable for a flag: "max-errors" → FOCUS_MAX_ERRORS.
func Env(flag string) []string {
	return []string{"FOCUS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))}
}

// DataError marks a failure caused by the data (exit 1) rather than by usage
// or I/O (exit 2).
type DataError struct{ Err error }

func (e *DataError) Error() string { return e.Err.Error() }
func (e *DataError) Unwrap() error { return e.Err }

// Dataf returns a DataError.
func Dataf(format string, a ...any) error { return &DataError{fmt.Errorf(format, a...)} }

// silentExit carries an exit code whose message was already printed.
type silentExit struct{ code int }

func (e silentExit) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Exit returns an error that makes Run exit with code without printing.
func Exit(code int) error { return silentExit{code} }

// Run runs app with args and returns the process exit code, printing an
// error as "NAME: message" on stderr.
//
// Stdout is data: the help urfave/cli prints for a usage error (a
// mistyped flag, a missing required flag, a missing subcommand) goes to
// stderr with exit 2, so the next tool in a pipe never parses it as CSV.
// Help and the version asked for on purpose (--help, -h, help, --version)
// go to stdout, exit 0.
func Run(app *cli.App, args []string) int {
	app.ExitErrHandler = func(*cli.Context, error) {} // we decide the code
	if app.Version == "" {
		app.Version = Version() // every tool answers --version from its build info
	}
	if app.ErrWriter == nil {
		app.ErrWriter = os.Stderr
	}
	if app.Writer == nil {
		app.Writer = os.Stdout
	}
	data := app.Writer
	growPipes()
	configure(app, data)
	if ok, err := generate(app, args, data); ok {
		if err != nil {
			fmt.Fprintf(app.ErrWriter, "%s: %v\n", app.Name, err)
			return ExitInternal
		}
		return ExitOK
	}
	if !askedForHelp(args) {
		// Until an action runs, whatever urfave/cli prints is about usage.
		app.Writer = app.ErrWriter
		app.Action = toData(app.Action, data)
		routeCommands(app.Commands, data)
	}
	err := app.Run(args)
	if err == nil {
		return ExitOK
	}
	var se silentExit
	if errors.As(err, &se) {
		return se.code
	}
	fmt.Fprintf(app.ErrWriter, "%s: %s\n", app.Name, Printable(err.Error()))
	var de *DataError
	if errors.As(err, &de) {
		return ExitData
	}
	return ExitInternal
}

// askedForHelp reports whether the command line asks for help or the
// version on purpose.
func askedForHelp(args []string) bool {
	for i, a := range args {
		if i == 0 {
			continue
		}
		switch a {
		case "--":
			return false
		case "-h", "--help", "-help", "--version", "-v":
			return true
		case "help", "h":
			// "focus-load help" or "focus-load review help"; not a value
			// of a flag ("--note help").
			if !strings.HasPrefix(args[i-1], "-") || i == 1 {
				return true
			}
		}
	}
	return false
}

// toData wraps an action so that it writes its data to stdout.
func toData(action cli.ActionFunc, data io.Writer) cli.ActionFunc {
	if action == nil {
		return nil
	}
	return func(c *cli.Context) error {
		c.App.Writer = data
		return action(c)
	}
}

// routeCommands wraps every command's action (see toData); a command that
// only groups subcommands answers a missing or unknown subcommand with a
// usage error (its help on stderr, exit 2) instead of help on stdout.
func routeCommands(cmds []*cli.Command, data io.Writer) {
	for _, cmd := range cmds {
		if cmd.Action == nil && len(cmd.Subcommands) > 0 {
			names := make([]string, 0, len(cmd.Subcommands))
			for _, sc := range cmd.Subcommands {
				names = append(names, sc.Name)
			}
			cmd.Action = func(c *cli.Context) error {
				_ = cli.ShowSubcommandHelp(c)
				if c.NArg() > 0 {
					return fmt.Errorf("%s: unknown subcommand %q: want %s", c.Command.Name, c.Args().First(), strings.Join(names, ", "))
				}
				return fmt.Errorf("%s: give a subcommand: %s", c.Command.Name, strings.Join(names, ", "))
			}
		} else {
			cmd.Action = toData(cmd.Action, data)
		}
		routeCommands(cmd.Subcommands, data)
	}
}

// IsTerminal reports whether w is a terminal (progress output only then).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// OpenInputs calls fn for each named input ("-" or none means stdin).
func OpenInputs(c *cli.Context, fn func(r io.Reader, name string) error) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		args = []string{"-"}
	}
	for _, name := range args {
		if name == "-" {
			if err := fn(c.App.Reader, "-"); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = fn(f, name)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
