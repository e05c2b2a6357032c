//go:build unix

package mail

import (
	"os"
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
