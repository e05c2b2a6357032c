//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The journal file is 0644 under the usual umask, and a site's stricter
// umask holds (no chmod widening it).
func TestOutputFileRespectsUmask(t *testing.T) {
	for umask, want := range map[int]os.FileMode{0o022: 0o644, 0o027: 0o640, 0o077: 0o600} {
		out := filepath.Join(t.TempDir(), "journal.csv")
		old := syscall.Umask(umask)
		code, _, errs := runApp(t, "", "--accounts", accounts, "-o", out, sample)
		syscall.Umask(old)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		fi, err := os.Stat(out)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("umask %03o: journal %v (%v), want %v", umask, fi.Mode().Perm(), err, want)
		}
	}
}
