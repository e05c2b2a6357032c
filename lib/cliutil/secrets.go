package cliutil

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// WarnIfShared writes a warning to w when the file at path can be read by
// its group or by others: a users file's hashes can be cracked offline, a
// TLS key impersonates the server. A warning, not a refusal: some sites
// share such files with a service group on purpose.
func WarnIfShared(w io.Writer, tool, what, path string) {
	if path == "" {
		return
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o044 == 0 {
		return
	}
	fmt.Fprintf(w, "%s: WARNING: %s %s is readable by %s (mode %v); chmod 600 it (or 640 for a service group)\n",
		tool, what, path, readers(st.Mode().Perm()), st.Mode().Perm())
}

func readers(m os.FileMode) string {
	switch {
	case m&0o004 != 0:
		return "everyone on this host"
	default:
		return "its group"
	}
}

// SMTPPasswordFileFlag is --smtp-password-file: the SMTP password read
// from a file, so it never sits in argv, where `ps` shows it to every
// user of the host.
func SMTPPasswordFileFlag() cli.Flag {
	return &cli.StringFlag{Name: "smtp-password-file", Usage: "read the SMTP password from the first line of `FILE` (mode 600) instead of the --smtp URL or FOCUS_SMTP_PASSWORD",
		EnvVars: Env("smtp-password-file")}
}

// SMTPPassword is the password for the --smtp URL: from
// --smtp-password-file, else FOCUS_SMTP_PASSWORD, else "" (the URL's own,
// if any). When the URL itself carries a password and was typed on the
// command line (visible to `ps`; the environment and the config file are
// not), a warning on w says how to move it.
func SMTPPassword(c *cli.Context, w io.Writer, tool string) (string, error) {
	raw := c.String("smtp")
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, has := u.User.Password(); has && OnCommandLine(c, "smtp") {
			fmt.Fprintf(w, "%s: WARNING: the --smtp URL carries a password, which any user of this host can read with ps; give it in --smtp-password-file FILE or the FOCUS_SMTP_PASSWORD environment variable instead\n", tool)
		}
	}
	if f := c.String("smtp-password-file"); f != "" {
		WarnIfShared(w, tool, "SMTP password file", f)
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("--smtp-password-file: %w", err)
		}
		pw, _, _ := strings.Cut(string(b), "\n")
		if pw = strings.TrimRight(pw, "\r"); pw == "" {
			return "", fmt.Errorf("--smtp-password-file %s: the first line is empty; put the password there", f)
		}
		return pw, nil
	}
	return os.Getenv("FOCUS_SMTP_PASSWORD"), nil
}
