package validate

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
)

// benchInput is a FOCUS CSV: $VALIDATE_BENCH_FILE when set (e.g. a generated 1M-row file),
// else the bundled Azure sample repeated to 8 MB.
func benchInput(b *testing.B) []byte {
	if p := os.Getenv("VALIDATE_BENCH_FILE"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	data, err := os.ReadFile("../../testdata/2025-01/azure.csv")
	if err != nil {
		b.Fatal(err)
	}
	i := bytes.IndexByte(data, '\n') + 1
	var buf bytes.Buffer
	buf.Write(data[:i])
	for buf.Len() < 8<<20 {
		buf.Write(data[i:])
	}
	return buf.Bytes()
}

func countRows(data []byte) int { return bytes.Count(data, []byte{'\n'}) - 1 }

// BenchmarkRun is focus-validate end to end (read, check, write CSV).
func BenchmarkRun(b *testing.B) {
	data := benchInput(b)
	rows := countRows(data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cfg := Config{Stdout: io.Discard, Stderr: io.Discard,
			Open: func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		res, err := Run(cfg, []string{"bench.csv"})
		if err != nil || res.Read != rows {
			b.Fatalf("%v %+v (want %d rows)", err, res, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCheck is the row checks alone, on rows already read.
func BenchmarkCheck(b *testing.B) {
	data := benchInput(b)
	rd, err := focus.NewReader(bytes.NewReader(data), "bench")
	if err != nil {
		b.Fatal(err)
	}
	var rows [][]string
	for len(rows) < 1000 {
		r, err := rd.Read()
		if err != nil {
			break
		}
		rows = append(rows, append([]string(nil), r.Values...))
	}
	s, _, err := NewSchema("bench", 1, rd.Header(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	chk := s.NewChecker()
	vals := make([]string, len(rd.Header()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(vals, rows[i%len(rows)])
		chk.Check(2, vals)
	}
}

// BenchmarkReadOnly is the focus.Reader alone: the floor under BenchmarkRun.
func BenchmarkReadOnly(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rd, err := focus.NewReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rd.Read(); err != nil {
				break
			}
		}
	}
}

// BenchmarkRunJSONObjects is BenchmarkRun on FOCUS 1.4 rows with JSON
// Object Format columns (AllocatedMethodDetails, ContractApplied,
// CommitmentProgramEligibilityDetails): the provider-shaped testdata
// repeated to 8 MB, default mode and --strict (the whole JSON schema).
func BenchmarkRunJSONObjects(b *testing.B) {
	var buf bytes.Buffer
	// One header (the providers' x_ columns differ): the AWS-shaped file.
	data, err := os.ReadFile("../../testdata/focus-versions/1.4/aws.csv")
	if err != nil {
		b.Fatal(err)
	}
	i := bytes.IndexByte(data, '\n') + 1
	buf.Write(data[:i])
	for buf.Len() < 8<<20 {
		buf.Write(data[i:])
	}
	in := buf.Bytes()
	rows := countRows(in)
	for _, strict := range []bool{false, true} {
		name := "default"
		if strict {
			name = "strict"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				cfg := Config{Options: Options{Strict: strict}, Stdout: io.Discard, Stderr: io.Discard,
					Open: func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(in)), nil }}
				res, err := Run(cfg, []string{"bench.csv"})
				if err != nil || res.Read != rows || res.Valid != rows {
					b.Fatalf("%v %+v (want %d rows)", err, res, rows)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
