package sqlite

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// benchData repeats the bundled AWS sample's rows to n rows.
func benchData(b *testing.B, n int) []byte {
	in, err := os.ReadFile("../../../testdata/2025-01/aws.csv")
	if err != nil {
		b.Fatal(err)
	}
	i := bytes.IndexByte(in, '\n')
	header, body := in[:i+1], in[i+1:]
	lines := bytes.SplitAfter(body, []byte("\n"))
	var out bytes.Buffer
	out.Write(header)
	for k := 0; k < n; k++ {
		out.Write(lines[k%len(lines)])
		if len(lines[k%len(lines)]) == 0 {
			n++
		}
	}
	return out.Bytes()
}

// BenchmarkImport: one import of 50k rows into a new ledger file per
// iteration; rows/s is the figure to compare with scripts/bench.d/30-load.sh.
func BenchmarkImport(b *testing.B) {
	const rows = 50000
	data := benchData(b, rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l, err := ledger.Open(filepath.Join(b.TempDir(), "b"+strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		res, err := l.Import(ctx, tester, bytes.NewReader(data), ledger.ImportOptions{Source: "B", FileName: "b.csv", Tags: tagkeys.Default()})
		if err != nil || res.Rows != rows {
			b.Fatalf("%d rows, %v", res.Rows, err)
		}
		l.Close()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
