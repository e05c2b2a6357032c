// Package cliutiltest holds checks every focus-* command's tests run on
// its urfave/cli app.
package cliutiltest

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
)

// NewApp is the signature of every tool's newApp.
type NewApp func(stdin io.Reader, stdout, stderr io.Writer) *cli.App

// FlagPlacement runs every command of the tool with each of its flags
// after the command's name and before it (at every level above it), each
// time with --print-config, which shows where every value landed without
// running the action. After the name the value must be the command's.
// Before it, the value must be the command's too, or the line must be
// refused as a usage error (exit 2): never accepted and dropped, which is
// how "focus-statement --db X report" used to report on ./ledger.db.
// It walks the app, so commands and flags added later are covered.
func FlagPlacement(t *testing.T, newApp NewApp) {
	t.Helper()
	clearFocusEnv(t)
	t.Setenv("FOCUS_CONFIG", os.DevNull) // not the machine's /etc/openchargeback
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	name := app.Name
	inherited := 0
	eachFlag(app, func(path []string, f cli.Flag, others []string) {
		fn := f.Names()[0]
		if fn == "help" || !visible(f) {
			return
		}
		arg, val := sample(f)
		line := lineRE(f, fn, val)
		// After the command's name.
		args := append(append(append(append([]string{name}, path...), arg...), others...), "--print-config")
		out, errs, code := run(newApp, args)
		if code != 0 || !line.MatchString(out) {
			t.Errorf("%q: exit %d, want %s in\n%s%s", args[1:], code, line, out, errs)
		}
		// Before it, at each level above.
		for i := range path {
			args := append(append(append(append(append([]string{name}, path[:i]...), arg...), path[i:]...), others...), "--print-config")
			out, errs, code := run(newApp, args)
			switch {
			case code == 0 && line.MatchString(out):
				inherited++
			case code == cliutil.ExitInternal && (strings.Contains(errs, "flag provided but not defined") || strings.Contains(errs, "is not an option of")):
			default:
				t.Errorf("%q: exit %d, the value is neither the command's (%s) nor refused:\n%s%s", args[1:], code, line, out, errs)
			}
		}
	})
	if len(app.Commands) > 0 && inherited == 0 {
		t.Errorf("%s: no flag before a subcommand reached it", name)
	}
}

// SettingsFromFile sets every setting (a flag with a FOCUS_ variable) of
// every command from a config file and checks that the command takes it
// from there: a flag someone adds gets the file with no code of its own,
// and one of a kind the config helper cannot read fails here.
func SettingsFromFile(t *testing.T, newApp NewApp) {
	t.Helper()
	clearFocusEnv(t)
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	dir := t.TempDir()
	n := 0
	// others go on the command line; the flag tested is only in the file.
	eachFlag(app, func(path []string, f cli.Flag, others []string) {
		if !cliutil.IsSetting(f) {
			return
		}
		name := f.Names()[0]
		_, val := sample(f)
		yval := val
		if _, ok := f.(*cli.StringSliceFlag); ok {
			yval = "[" + val + "]"
		}
		cfg := dir + "/" + strings.Join(append(append([]string{}, path...), name), "-") + ".yaml"
		if err := os.WriteFile(cfg, []byte(name+": "+yval+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args := append(append(append([]string{app.Name}, path...), others...), "--config", cfg, "--print-config")
		out, errs, code := run(newApp, args)
		want := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: "?\[?` + regexp.QuoteMeta(val) + `\]?"? # file `)
		if code != 0 || !want.MatchString(out) {
			t.Errorf("%q with %q in the config file: exit %d, want %s in\n%s%s", args[1:], name+": "+yval, code, want, out, errs)
		}
		n++
	})
	if n == 0 {
		t.Errorf("%s: no settings", app.Name)
	}
}

// clearFocusEnv unsets every FOCUS_ variable for the test, so that the
// machine's settings do not reach the commands.
func clearFocusEnv(t *testing.T) {
	t.Helper()
	for _, k := range os.Environ() {
		if strings.HasPrefix(k, "FOCUS_") {
			name, _, _ := strings.Cut(k, "=")
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

// eachFlag calls do for every flag of every command of app, app's own
// flags first, with the command's path and the other required flags of
// the command as arguments with a value, for a command line that gets past
// them.
func eachFlag(app *cli.App, do func(path []string, f cli.Flag, others []string)) {
	var walk func(path []string, flags []cli.Flag, cmds []*cli.Command)
	walk = func(path []string, flags []cli.Flag, cmds []*cli.Command) {
		var required []string
		for _, f := range flags {
			if isRequired(f) {
				required = append(required, f.Names()[0])
			}
		}
		for _, f := range flags {
			var others []string
			for _, r := range required {
				if r != f.Names()[0] {
					others = append(others, "--"+r, "x-required")
				}
			}
			do(path, f, others)
		}
		for _, c := range cmds {
			walk(append(append([]string{}, path...), c.Name), c.Flags, c.Subcommands)
		}
	}
	walk(nil, app.Flags, app.Commands)
}

func run(newApp NewApp, args []string) (string, string, int) {
	var out, errb bytes.Buffer
	code := cliutil.Run(newApp(strings.NewReader(""), &out, &errb), args)
	return out.String(), errb.String(), code
}

func visible(f cli.Flag) bool {
	v, ok := f.(cli.VisibleFlag)
	return !ok || v.IsVisible()
}

func isRequired(f cli.Flag) bool {
	r, ok := f.(cli.RequiredFlag)
	return ok && r.IsRequired()
}

// sample is a command-line value for f and how --print-config shows it.
func sample(f cli.Flag) ([]string, string) {
	n := "--" + f.Names()[0]
	switch f.(type) {
	case *cli.BoolFlag:
		return []string{n}, "true"
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag, *cli.Uint64Flag:
		return []string{n, "7"}, "7"
	case *cli.Float64Flag:
		return []string{n, "1.5"}, "1.5"
	case *cli.DurationFlag:
		return []string{n, "3s"}, "3s"
	}
	return []string{n, "x-sample"}, "x-sample"
}

func lineRE(f cli.Flag, name, val string) *regexp.Regexp {
	if cliutil.IsSetting(f) {
		return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: "?\[?` + regexp.QuoteMeta(val) + `\]?"? # flag`)
	}
	return regexp.MustCompile(`(?m)^# per-run: --` + regexp.QuoteMeta(name) + ` \[?` + regexp.QuoteMeta(val))
}
