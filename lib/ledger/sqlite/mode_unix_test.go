//go:build unix

package sqlite

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
)

// A new ledger file (and its write-ahead log) is 0600: it holds every PI's
// charges, whatever the umask lets through.
func TestNewLedgerIsPrivate(t *testing.T) {
	for umask, want := range map[int]os.FileMode{0o022: 0o600, 0o000: 0o600} {
		path := filepath.Join(t.TempDir(), "ledger.db")
		old := syscall.Umask(umask)
		l, err := ledger.Open(path)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := importString(t, l, "X", "BillingPeriodStart,BilledCost,ServiceName,Tags\n2025-01-01,1,S,\n"); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{path, path + "-wal"} {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err) // the WAL is there while the ledger is open
			}
			if fi.Mode().Perm() != want {
				t.Errorf("umask %03o: %s is %v, want %v", umask, filepath.Base(f), fi.Mode().Perm(), want)
			}
		}
		l.Close()
	}
}
