package ledger

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/openchargeback/ocb/lib/tagkeys"
)

// BenchmarkImport imports 50k rows (the bundled AWS sample repeated) into a
// fresh ledger file per iteration.
func BenchmarkImport(b *testing.B) {
	in, err := os.ReadFile("../../testdata/2025-01/aws.csv")
	if err != nil {
		b.Fatal(err)
	}
	nl := bytes.IndexByte(in, '\n')
	header, body := in[:nl+1], in[nl+1:]
	var buf bytes.Buffer
	buf.Write(header)
	rows := bytes.Count(body, []byte("\n"))
	for buf.Len() < 0 || rows*(buf.Len()/len(body)) < 50000 {
		buf.Write(body)
	}
	data := buf.Bytes()
	n := bytes.Count(data, []byte("\n")) - 1
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l, err := Open(filepath.Join(b.TempDir(), "l.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := l.Import(ctx, tester, bytes.NewReader(data), ImportOptions{Source: "B", Tags: tagkeys.Default()}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		l.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
