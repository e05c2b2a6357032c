package sqlite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
)

func TestOpenExistingDoesNotCreate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing.db")
	_, err := ledger.OpenExisting(p)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "ledger not available") {
		t.Fatalf("want a not-exist error, got %v", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenExisting created %s", p)
	}
	l, err := ledger.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	l, err = ledger.OpenExisting(p)
	if err != nil {
		t.Fatalf("existing ledger: %v", err)
	}
	l.Close()
}

// A ledger path with the characters a file: URI gives a meaning to ('#',
// '?', '%') names that very file, not a cut of it.
func TestPathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"runs#2.db", "what?.db", "100%25.db", "a b#c?d%e.db"} {
		path := filepath.Join(dir, name)
		l, err := ledger.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := importString(t, l, "X", rowsCSV(2, goodRow)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		l.Close()
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: the ledger is not at its path: %v", name, err)
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		switch e.Name() {
		case "runs#2.db", "what?.db", "100%25.db", "a b#c?d%e.db":
		default:
			t.Errorf("stray file %q beside the ledgers", e.Name())
		}
	}
}
