package ledger

import (
	"strings"
	"testing"
)

// This package's tests register no backend: opening a file path or a
// PostgreSQL DSN says which backend the program was built without.
func TestOpenWithoutBackend(t *testing.T) {
	for dsn, want := range map[string]string{
		"ledger.db":                 "built without the SQLite backend",
		"postgres://u:pw@h/db":      "built without the PostgreSQL backend",
		"host=/run/postgresql x=1 ": "built without the SQLite backend",
	} {
		if _, err := Open(dsn); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "pw@") {
			t.Errorf("Open(%q): %v, want %q", dsn, err, want)
		}
		if _, err := OpenExisting(dsn); err == nil || !strings.Contains(err.Error(), "ledger not available") || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenExisting(%q): %v, want %q", dsn, err, want)
		}
	}
}
