package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchStatement has a realistic 25 KiB PDF (focus-statement's PDFs are
// under 30 KiB) and a dozen lines.
func benchStatement(b *testing.B) statementT {
	dir := b.TempDir()
	st := testStatement(b, dir, 1, "ada@uni.edu", "Ada Lovelace")
	pdf := make([]byte, 25<<10)
	_, _ = rand.Read(pdf)
	copy(pdf, "%PDF-1.7\n")
	if err := os.WriteFile(st.PDF, pdf, 0o644); err != nil {
		b.Fatal(err)
	}
	st.PDFSHA256 = sha256hex(pdf)
	for len(st.Lines) < 12 {
		st.Lines = append(st.Lines, st.Lines[0])
	}
	return st
}

// BenchmarkBuildMessage: read and check the PDF, render the templates and
// build the MIME message, then serialise it (what SMTP DATA costs).
func BenchmarkBuildMessage(b *testing.B) {
	st := benchStatement(b)
	bld := newBuilder(b)
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		m, err := bld.Build(&st, st.PDF)
		if err != nil {
			b.Fatal(err)
		}
		if size, err = m.Msg.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "bytes/msg")
}

// BenchmarkOutboxRun: the whole path for one statement in outbox mode —
// NDJSON decode, build, write and fsync the .eml, append and fsync the
// sent-log record.
func BenchmarkOutboxRun(b *testing.B) {
	st := benchStatement(b)
	dir := b.TempDir()
	ob, err := NewOutbox(filepath.Join(dir, "outbox"))
	if err != nil {
		b.Fatal(err)
	}
	line := ndjson(b, st)
	bld := newBuilder(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		// A fresh sent-log each round so every statement is really sent.
		log, err := OpenSentLog(filepath.Join(dir, "sent-"+strconv.Itoa(i)+".log"), false)
		if err != nil {
			b.Fatal(err)
		}
		r := NewRunner(RunConfig{Builder: bld, Deliverer: ob, SentLog: log})
		if err := r.Process(context.Background(), bytes.NewReader(line), "b"); err != nil || r.Summary.Sent != 1 {
			b.Fatal(err, r.Summary)
		}
		log.Close()
	}
}
