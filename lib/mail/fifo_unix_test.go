//go:build unix

package mail

import (
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
