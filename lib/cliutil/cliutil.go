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
func Run(app *cli.App, args []string) int {
	app.ExitErrHandler = func(*cli.Context, error) {} // we decide the code
	if app.Version == "" {
		app.Version = Version() // every tool answers --version from its build info
	}
	if app.ErrWriter == nil {
		app.ErrWriter = os.Stderr
	}
	err := app.Run(args)
	if err == nil {
		return ExitOK
	}
	var se silentExit
	if errors.As(err, &se) {
		return se.code
	}
	fmt.Fprintf(app.ErrWriter, "%s: %v\n", app.Name, err)
	var de *DataError
	if errors.As(err, &de) {
		return ExitData
	}
	return ExitInternal
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
