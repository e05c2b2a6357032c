package cliutil

import (
	"bytes"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	p := &Progress{what: "rows", total: 1000}
	p.Items.Store(412000)
	p.Bytes.Store(250)
	got := p.line(2 * time.Second)
	if want := "412,000 rows  206,000 rows/s  25%  ETA 6s"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	p.total = 0 // stdin: no ETA
	if got := p.line(2 * time.Second); got != "412,000 rows  206,000 rows/s" {
		t.Errorf("line without a size = %q", got)
	}
}

// In a pipe or a log file nothing is printed, however long the work.
func TestProgressSilentWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := StartProgress(&buf, "rows", 100)
	p.Items.Add(5)
	time.Sleep(progressDelay + progressEvery)
	p.Stop()
	if buf.Len() != 0 {
		t.Errorf("printed %q to a buffer", buf.String())
	}
}

// A run of a known number of items (PDFs) has its ETA from the items done.
func TestItemProgressLine(t *testing.T) {
	p := &Progress{what: "PDFs", total: 1000, byItems: true}
	p.Items.Store(250)
	if got := p.line(2 * time.Second); got != "250 PDFs  125 PDFs/s  25%  ETA 6s" {
		t.Fatalf("line = %q", got)
	}
}
