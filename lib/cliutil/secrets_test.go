package cliutil

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// A password in the --smtp URL on the command line is warned about (ps
// shows it); one from the environment is not; --smtp-password-file gives
// the password without argv.
func TestSMTPPasswordWarningsAndFile(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "smtp-pw")
	os.WriteFile(pwFile, []byte("s3cret\n"), 0o600)
	run := func(env string, args ...string) (string, string) {
		t.Setenv("FOCUS_SMTP_URL", env)
		t.Setenv("FOCUS_SMTP_PASSWORD", "")
		var errb bytes.Buffer
		var pw string
		app := &cli.App{Name: "t", ErrWriter: &errb, Writer: &bytes.Buffer{},
			Flags: []cli.Flag{&cli.StringFlag{Name: "smtp", EnvVars: append(Env("smtp-url"), Env("smtp")...)}, SMTPPasswordFileFlag()},
			Action: func(c *cli.Context) error {
				var err error
				pw, err = SMTPPassword(c, c.App.ErrWriter, "t")
				return err
			}}
		if code := Run(app, append([]string{"t"}, args...)); code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errb.String())
		}
		return pw, errb.String()
	}
	if _, errs := run("", "--smtp", "smtp://u:hunter2@mail.example:587"); !strings.Contains(errs, "WARNING: the --smtp URL carries a password") || !strings.Contains(errs, "--smtp-password-file") {
		t.Errorf("password in argv: %q", errs)
	}
	if _, errs := run("smtp://u:hunter2@mail.example:587"); errs != "" {
		t.Errorf("password from the environment: %q", errs)
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfg, []byte("smtp: smtp://u:hunter2@mail.example:587\n"), 0o600)
	if _, errs := run("", "--config", cfg); errs != "" {
		t.Errorf("password from the config file: %q", errs)
	}
	pw, errs := run("", "--smtp", "smtp://u@mail.example:587", "--smtp-password-file", pwFile)
	if pw != "s3cret" || errs != "" {
		t.Errorf("password file: %q, %q", pw, errs)
	}
	os.Chmod(pwFile, 0o644)
	if _, errs := run("", "--smtp", "smtp://u@mail.example:587", "--smtp-password-file", pwFile); !strings.Contains(errs, "readable by everyone") {
		t.Errorf("shared password file: %q", errs)
	}
}
