package cliutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// testApp has a setting (--db, with a variable) at the root and again in
// "report", a per-run flag (--period) and a group with a subcommand that
// defines no flag of its own. Actions print what they would use.
func testApp(out *strings.Builder) *cli.App {
	db := func() cli.Flag {
		return &cli.StringFlag{Name: "db", Value: "./ledger.db", EnvVars: Env("db")}
	}
	show := func(c *cli.Context) error {
		out.WriteString("db=" + c.String("db") + " users=" + c.String("users") + " period=" + c.String("period") + "\n")
		return nil
	}
	return &cli.App{
		Name:   "focus-x",
		Writer: out, ErrWriter: out,
		Flags:  []cli.Flag{db(), &cli.StringFlag{Name: "period"}, &cli.IntFlag{Name: "jobs", EnvVars: Env("jobs")}},
		Action: show,
		Commands: []*cli.Command{
			{Name: "report", Flags: []cli.Flag{db(), &cli.StringFlag{Name: "period"}}, Action: show},
			{Name: "periods", Subcommands: []*cli.Command{{Name: "list", Action: show}}},
			{Name: "serve", Flags: []cli.Flag{&cli.StringFlag{Name: "users", EnvVars: Env("users"), Required: true}}, Action: show},
		},
	}
}

func run(t *testing.T, env map[string]string, args ...string) (string, int) {
	t.Helper()
	for _, k := range []string{"FOCUS_DB", "FOCUS_CONFIG", "FOCUS_USERS", "FOCUS_JOBS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out strings.Builder
	code := Run(testApp(&out), append([]string{"focus-x"}, args...))
	return out.String(), code
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Flag > environment > file > default, at the root and in a subcommand.
func TestConfigPrecedence(t *testing.T) {
	cfg := writeConfig(t, "db: /file.db\njobs: 3\n")
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "db=./ledger.db"},
		{map[string]string{"FOCUS_CONFIG": cfg}, nil, "db=/file.db"},
		{nil, []string{"--config", cfg}, "db=/file.db"},
		{nil, []string{"--config", cfg, "report"}, "db=/file.db"},
		{nil, []string{"report", "--config", cfg}, "db=/file.db"},
		{nil, []string{"--config", cfg, "periods", "list"}, "db=/file.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, nil, "db=/env.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, []string{"report"}, "db=/env.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, []string{"--db", "/flag.db"}, "db=/flag.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, []string{"--db", "/flag.db", "report"}, "db=/flag.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, []string{"report", "--db", "/flag.db"}, "db=/flag.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, []string{"--db", "/flag.db", "periods", "list"}, "db=/flag.db"},
		{map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "/env.db"}, []string{"periods", "list", "--db", "/flag.db"}, "db=/flag.db"},
	} {
		out, code := run(t, tc.env, tc.args...)
		if code != 0 || !strings.HasPrefix(out, tc.want+" ") {
			t.Errorf("env %v, args %q: exit %d, %q; want %s", tc.env, tc.args, code, out, tc.want)
		}
	}
}

// The same flag on both sides of the subcommand with different values is
// refused; with the same value it is not ambiguous.
func TestFlagBothSides(t *testing.T) {
	if out, code := run(t, nil, "--db", "/a.db", "report", "--db", "/b.db"); code != ExitInternal || !strings.Contains(out, "before and after") {
		t.Errorf("exit %d, %q", code, out)
	}
	if out, code := run(t, nil, "--db", "/a.db", "report", "--db", "/a.db"); code != 0 || !strings.HasPrefix(out, "db=/a.db ") {
		t.Errorf("exit %d, %q", code, out)
	}
	// A per-run flag of the root's own action before a subcommand that
	// has none would be dropped: refused.
	if out, code := run(t, nil, "--period", "2025-01", "periods", "list"); code != ExitInternal || !strings.Contains(out, "not an option") {
		t.Errorf("exit %d, %q", code, out)
	}
	// ... and taken by one that has it.
	if out, code := run(t, nil, "--period", "2025-01", "report"); code != 0 || !strings.Contains(out, "period=2025-01") {
		t.Errorf("exit %d, %q", code, out)
	}
}

// Per-run choices never come from the file: one there is refused, not
// ignored. A required setting may come from the file.
func TestConfigPerRunAndRequired(t *testing.T) {
	cfg := writeConfig(t, "db: /file.db\nperiod: 2025-01\n")
	if out, code := run(t, nil, "--config", cfg); code != ExitInternal || !strings.Contains(out, "period: per-run choices are never read") {
		t.Errorf("exit %d, %q", code, out)
	}
	if out, code := run(t, nil, "serve"); code != ExitInternal || !strings.Contains(out, `Required flag "users"`) {
		t.Errorf("exit %d, %q", code, out)
	}
	cfg = writeConfig(t, "users: /etc/openchargeback/users.txt\n")
	if out, code := run(t, nil, "--config", cfg, "serve"); code != 0 || !strings.Contains(out, "users=/etc/openchargeback/users.txt") {
		t.Errorf("exit %d, %q", code, out)
	}
	if out, code := run(t, nil, "--config", filepath.Join(t.TempDir(), "missing.yaml")); code != ExitInternal || !strings.Contains(out, "no such file") {
		t.Errorf("a missing --config file: exit %d, %q", code, out)
	}
	cfg = writeConfig(t, "db: [unclosed\n")
	if out, code := run(t, nil, "--config", cfg); code != ExitInternal || !strings.Contains(out, "config") {
		t.Errorf("bad YAML: exit %d, %q", code, out)
	}
}

func TestPrintConfig(t *testing.T) {
	cfg := writeConfig(t, "jobs: 3\n")
	out, code := run(t, map[string]string{"FOCUS_CONFIG": cfg, "FOCUS_DB": "postgres://bill:s3cret@db/ledger"}, "report", "--print-config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, want := range []string{"config file: " + cfg, "db: postgres://bill:********@db/ledger # env FOCUS_DB", "jobs: 3 # file " + cfg} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") || strings.Contains(out, "period") {
		t.Errorf("a secret or a per-run flag printed:\n%s", out)
	}
	out, _ = run(t, nil, "--db", "/a.db", "report", "--print-config")
	if !strings.Contains(out, "db: /a.db # flag (before report)") {
		t.Errorf("%s", out)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"smtp", "smtp://u:pw@host:587"}:                      "smtp://u:********@host:587",
		{"smtp", "smtp://u@host:587"}:                         "smtp://u@host:587",
		{"smtp-password", "pw"}:                               "********",
		{"smtp-password-file", "/etc/openchargeback/smtp-pw"}: "/etc/openchargeback/smtp-pw",
		{"db", "/var/lib/ledger.db"}:                          "/var/lib/ledger.db",
		{"session-key", "/etc/x/session"}:                     "/etc/x/session",
		{"smtp-password", ""}:                                 "",
	} {
		if got := Mask(in[0], in[1]); got != want {
			t.Errorf("Mask(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// A per-run flag before a group reaches the group's subcommand that has it.
func TestFlagThroughGroup(t *testing.T) {
	var out strings.Builder
	app := testApp(&out)
	app.Commands = append(app.Commands, &cli.Command{Name: "review", Subcommands: []*cli.Command{
		{Name: "list", Flags: []cli.Flag{&cli.StringFlag{Name: "period"}}, Action: func(c *cli.Context) error {
			out.WriteString("period=" + c.String("period") + "\n")
			return nil
		}},
		{Name: "approve", Action: func(c *cli.Context) error { return nil }},
	}})
	t.Setenv("FOCUS_CONFIG", os.DevNull)
	if code := Run(app, []string{"focus-x", "--period", "2025-01", "review", "list"}); code != 0 || out.String() != "period=2025-01\n" {
		t.Errorf("exit %d, %q", code, out.String())
	}
	out.Reset()
	app = testApp(&out)
	app.Commands = append(app.Commands, &cli.Command{Name: "review", Subcommands: []*cli.Command{{Name: "approve", Action: func(c *cli.Context) error { return nil }}}})
	if code := Run(app, []string{"focus-x", "--period", "2025-01", "review", "approve"}); code != ExitInternal || !strings.Contains(out.String(), `--period is not an option of "approve"`) {
		t.Errorf("exit %d, %q", code, out.String())
	}
}

// With neither --config nor FOCUS_CONFIG, /etc/openchargeback/config.yaml
// is read when it exists, and its absence is no error.
func TestDefaultConfig(t *testing.T) {
	old := defaultConfig
	defer func() { defaultConfig = old }()
	defaultConfig = filepath.Join(t.TempDir(), "config.yaml")
	if out, code := run(t, nil); code != 0 || !strings.HasPrefix(out, "db=./ledger.db ") {
		t.Errorf("no default file: exit %d, %q", code, out)
	}
	os.WriteFile(defaultConfig, []byte("db: /etc.db\n"), 0o600)
	if out, code := run(t, nil, "report"); code != 0 || !strings.HasPrefix(out, "db=/etc.db ") {
		t.Errorf("default file: exit %d, %q", code, out)
	}
	// FOCUS_CONFIG names another file instead.
	other := writeConfig(t, "db: /other.db\n")
	if out, code := run(t, map[string]string{"FOCUS_CONFIG": other}); code != 0 || !strings.HasPrefix(out, "db=/other.db ") {
		t.Errorf("FOCUS_CONFIG: exit %d, %q", code, out)
	}
}

// A repeatable setting given one value in the file ("trusted-proxy:
// 127.0.0.1") is a list of one, as the flag given once would be; a list
// stays a list.
func TestConfigScalarForAList(t *testing.T) {
	for text, want := range map[string]string{
		"proxy: 127.0.0.1\n":               "[127.0.0.1]",
		"proxy: [127.0.0.1, 10.0.0.0/8]\n": "[127.0.0.1 10.0.0.0/8]",
	} {
		var out strings.Builder
		app := &cli.App{Name: "focus-x", Writer: &out, ErrWriter: &out,
			Flags: []cli.Flag{&cli.StringSliceFlag{Name: "proxy", EnvVars: Env("proxy")}},
			Action: func(c *cli.Context) error {
				out.WriteString(fmt.Sprint(c.StringSlice("proxy")))
				return nil
			}}
		t.Setenv("FOCUS_PROXY", "")
		os.Unsetenv("FOCUS_PROXY")
		if code := Run(app, []string{"focus-x", "--config", writeConfig(t, text)}); code != 0 || out.String() != want {
			t.Errorf("%q: exit %d, %q; want %s", text, code, out.String(), want)
		}
	}
}
