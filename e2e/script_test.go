// Package e2e runs the end-to-end scripts in testdata/script: the real
// focus-* binaries, built once, composed with pipes over real files and a
// real ledger: SQLite, or PostgreSQL with FOCUS_TEST_BACKEND=postgres and
// FOCUS_TEST_POSTGRES (make test runs both when the server is set).
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/openchargeback/ocb/internal/pgtest"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "focus-e2e-bin")
	if err != nil {
		panic(err)
	}
	binDir = dir
	// The reference export scripts (slurm-to-focus, ...) are built too, so
	// scripts can pipe their output into the tools.
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./cmd/...", "./examples/export/...")
	cmd.Dir = ".."
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		panic("build binaries: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestScripts(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(root, "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("TESTDATA", filepath.Join(root, "testdata"))
			env.Setenv("ROOT", root)
			// Tools must not pick up the developer's configuration.
			for _, kv := range os.Environ() {
				if strings.HasPrefix(kv, "FOCUS_") {
					k, _, _ := strings.Cut(kv, "=")
					env.Setenv(k, "")
				}
			}
			// Nor the machine's /etc/openchargeback/config.yaml.
			env.Setenv("FOCUS_CONFIG", os.DevNull)
			// $LEDGER: the script's ledger, a SQLite file (l.db) or, with
			// FOCUS_TEST_BACKEND=postgres, a fresh PostgreSQL schema;
			// $LEDGER2: a second one (focus-load copy).
			for _, v := range []string{"LEDGER", "LEDGER2"} {
				env.Setenv(v, filepath.Join(env.WorkDir, strings.ToLower(v[:1])+v[6:]+".db"))
				if !pgtest.OnPostgres() {
					continue
				}
				if pgtest.Base() == "" {
					return fmt.Errorf("FOCUS_TEST_BACKEND=postgres without %s", pgtest.Env)
				}
				dsn, drop, err := pgtest.Fresh(pgtest.Base())
				if err != nil {
					return err
				}
				env.Defer(func() { drop() })
				env.Setenv(v, dsn)
			}
			return nil
		},
		// [sqlite] and [postgres]: lines for one backend (the sqlite3
		// shell, psql).
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "sqlite":
				return !pgtest.OnPostgres(), nil
			case "postgres":
				return pgtest.OnPostgres(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		RequireExplicitExec: false,
	})
}
