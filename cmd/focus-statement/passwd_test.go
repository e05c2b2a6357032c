package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/web"
)

// webApp runs the web subcommands in-process the way main.go's app will.
func webApp(stdin string) (*cli.App, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &cli.App{Name: "focus-statement", Reader: strings.NewReader(stdin), Writer: &out, ErrWriter: &errb,
		Commands: []*cli.Command{passwdCommand(), serveCommand()}}, &out, &errb
}

func TestPasswd(t *testing.T) {
	app, out, _ := webApp("correct horse battery\n")
	if code := cliutil.Run(app, []string{"focus-statement", "passwd", "--user", "ada", "--role", "admin"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	line := strings.TrimSpace(out.String())
	us, err := web.ParseUsers(strings.NewReader(line), "users")
	if err != nil {
		t.Fatalf("the printed line is not a users-file line: %v (%q)", err, line)
	}
	if us["ada"].Role != web.RoleAdmin || bcrypt.CompareHashAndPassword(us["ada"].Hash, []byte("correct horse battery")) != nil {
		t.Errorf("line %q", line)
	}

	app, out, _ = webApp("correct horse battery\r\n")
	if code := cliutil.Run(app, []string{"focus-statement", "passwd"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if h := strings.TrimSpace(out.String()); bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse battery")) != nil {
		t.Errorf("hash %q does not match (CRLF must be trimmed)", h)
	}

	for _, c := range []struct {
		in   string
		args []string
		code int
		msg  string
	}{
		{"short\n", nil, 1, "too short"},
		{"12345678\n", nil, 1, "too short: 8 characters, at least 12"},
		{"Password2024!\n", nil, 1, "common word or password"},
		{"", nil, 2, "no password"},
		{"correct horse\n", []string{"--user", "a:b"}, 2, "may not contain"},
		{"correct horse\n", []string{"--role", "root"}, 2, "unknown role"},
	} {
		app, _, errb := webApp(c.in)
		code := cliutil.Run(app, append([]string{"focus-statement", "passwd"}, c.args...))
		if code != c.code || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("%q %v: exit %d %q, want %d %q", c.in, c.args, code, errb.String(), c.code, c.msg)
		}
	}
}

func TestServeRefusesBadSetup(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--db", dir + "/l.db"}, `Required flag "users"`},
		{[]string{"--users", dir + "/none"}, "users:"},
		{[]string{"--users", dir + "/none", "--max-upload", "lots"}, "--max-upload"},
		{[]string{"--users", dir + "/none", "--tls-cert", "c.pem"}, "go together"},
	} {
		app, _, errb := webApp("")
		code := cliutil.Run(app, append([]string{"focus-statement", "serve"}, c.args...))
		if code == 0 || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("%v: exit %d %q, want %q", c.args, code, errb.String(), c.msg)
		}
	}
}

// A users file (or TLS key) others can read is warned about at start-up.
func TestServeWarnsAboutSharedUsersFile(t *testing.T) {
	dir := t.TempDir()
	h, err := web.HashPassword("correct horse battery", "ada")
	if err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(dir, "users")
	for mode, warn := range map[os.FileMode]bool{0o644: true, 0o640: true, 0o600: false} {
		if err := os.WriteFile(users, []byte("ada:admin:"+h+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(users, mode)
		app, _, errb := webApp("")
		cliutil.Run(app, []string{"focus-statement", "serve", "--users", users, "--db", filepath.Join(dir, "no-such-folder", "ledger.db")}) // refused after the warning
		if got := strings.Contains(errb.String(), "WARNING: users file"); got != warn || (warn && !strings.Contains(errb.String(), "chmod 600")) {
			t.Errorf("users file %v: warned %v, want %v:\n%s", mode, got, warn, errb.String())
		}
	}
}
