package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStreamFiltersLinkNoDatabase pins the pipeline's shape: only focus-load
// and focus-statement touch the ledger. The stream filters read and write
// statements and FOCUS rows through lib/statement and lib/focus, which
// import no ledger, so none of them links lib/ledger or a database driver
// (a cgo SQLite in focus-mail was the reason the statement contract moved
// out of the package that builds statements).
func TestStreamFiltersLinkNoDatabase(t *testing.T) {
	cmds := []string{"../cmd/focus-journal", "../cmd/focus-mail", "../cmd/focus-validate", "../cmd/focus-flag"}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, cmds...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/openchargeback/ocb/lib/ledger",
		"github.com/mattn/go-sqlite3",
		"github.com/jackc/pgx",
	}
	// database/sql/driver is fine (shopspring/decimal implements Valuer);
	// database/sql itself is only needed to open a database.
	forbidden = append(forbidden, "database/sql")
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if pkg == f || (f != "database/sql" && strings.HasPrefix(pkg, f+"/")) {
				t.Errorf("a stream filter links %s (go list -deps %s): move the code that needs it out of the packages they import", pkg, strings.Join(cmds, " "))
			}
		}
	}
}

// TestLedgerLinksNoDriver pins the backend split: lib/ledger holds the
// rules and the shared SQL and imports no database driver; each backend
// package (lib/ledger/sqlite, lib/ledger/postgres) links its own, and
// only the programs that open ledgers import the backends.
func TestLedgerLinksNoDriver(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../lib/ledger").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range []string{"github.com/mattn/go-sqlite3", "github.com/jackc/pgx", "github.com/openchargeback/ocb/lib/ledger/sqlite", "github.com/openchargeback/ocb/lib/ledger/postgres"} {
			if pkg == f || strings.HasPrefix(pkg, f+"/") {
				t.Errorf("lib/ledger links %s: driver code belongs in the backend packages", pkg)
			}
		}
	}
}
