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
