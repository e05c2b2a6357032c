//go:build unix

package mail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A "pdf" path naming a FIFO must be refused, not block the run forever.
func TestBuildRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	st := testStatement(t, dir, 6, "ada@uni.edu", "Ada")
	st.PDF = dir + "/fifo"
	if err := syscall.Mkfifo(st.PDF, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newBuilder(t).Build(&st, st.PDF); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v", err)
	}
}

// While a run holds the sent-log, another run cannot take it (it would
// wait in OpenSentLog); a dry run only reads and does not need the lock.
func TestSentLogIsLockedDuringARun(t *testing.T) {
	path := t.TempDir() + "/sent.log"
	l, err := OpenSentLog(path, false)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != syscall.EWOULDBLOCK {
		t.Fatalf("second lock: %v, want EWOULDBLOCK", err)
	}
	if _, err := OpenSentLog(path, true); err != nil {
		t.Fatalf("read-only open while locked: %v", err)
	}
	l.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("lock not released on Close: %v", err)
	}
}

// Draft e-mails carry PI link tokens: the outbox writes them 0600 and its
// new folder 0700, whatever the (looser) umask, and a stricter umask holds.
func TestOutboxFilesArePrivate(t *testing.T) {
	for _, c := range []struct {
		umask      int
		file, fold os.FileMode
	}{{0o022, 0o600, 0o700}, {0o000, 0o600, 0o700}, {0o277, 0o400, 0o500}} {
		old := syscall.Umask(c.umask)
		dir := t.TempDir()
		st := testStatement(t, dir, 1, "ada@uni.edu", "Ada")
		input, _ := json.Marshal(st)
		r := runOutbox(t, append(input, '\n'), filepath.Join(dir, "outbox"), "", nil)
		syscall.Umask(old)
		if r.runErr != nil {
			t.Fatal(r.runErr, r.err)
		}
		ents, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
		if len(ents) != 1 {
			t.Fatalf("umask %03o: %d .eml files", c.umask, len(ents))
		}
		fi, _ := os.Stat(ents[0])
		di, _ := os.Stat(filepath.Join(dir, "outbox"))
		if fi.Mode().Perm() != c.file || di.Mode().Perm() != c.fold {
			t.Errorf("umask %03o: .eml %v, outbox %v; want %v, %v", c.umask, fi.Mode().Perm(), di.Mode().Perm(), c.file, c.fold)
		}
		os.Chmod(filepath.Join(dir, "outbox"), 0o700) // so the test can clean up
	}
}
