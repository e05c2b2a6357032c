package cliutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"ada@uni.edu":                   "ada@uni.edu",
		"Zoë\tline\nnext":               "Zoë\tline\nnext",
		"\x1b]0;PWNED\a\x1b[2J":         `\x1b]0;PWNED\x07\x1b[2J`,
		"a\u009b31mred":                 `a\u009b31mred`,
		"\r\x00\x7f":                    `\x0d\x00\x7f`,
		"invoice\u202egpj.exe":          `invoice\u202egpj.exe`,
		"bad\xffbyte":                   `bad\xffbyte`,
		"\xc2\x9b (C1 CSI, UTF-8)":      `\u009b (C1 CSI, UTF-8)`,
		"replacement \ufffd as written": `replacement \ufffd as written`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// An error that quotes a value from the ledger reaches the terminal
// without its escape sequences.
func TestRunPrintsErrorsPrintable(t *testing.T) {
	var errb bytes.Buffer
	app := &cli.App{Name: "t", ErrWriter: &errb, Writer: &bytes.Buffer{},
		Action: func(*cli.Context) error { return Dataf("user %s refused", "\x1b]0;PWNED\a") }}
	Run(app, []string{"t"})
	if strings.ContainsAny(errb.String(), "\x1b\a") || !strings.Contains(errb.String(), `\x1b]0;PWNED\x07`) {
		t.Errorf("stderr %q", errb.String())
	}
}
