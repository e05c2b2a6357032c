package flag

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/openchargeback/ocb/lib/focus"
)

// benchCSV writes n rows shaped like the generated FOCUS exports (37
// columns, tags with four keys) into a temporary file.
func benchCSV(b *testing.B, n int) string {
	b.Helper()
	var buf bytes.Buffer
	buf.WriteString(benchHeader + "\n")
	services := []struct{ svc, unit, list string }{
		{"Amazon EC2", "Hours", "0.1920"}, {"Amazon S3", "GB-Months", "0.0230"},
		{"HPC Compute", "Core-Hours", "0.0200"}, {"HPC GPU", "GPU-Hours", "2.5000"},
	}
	for i := 0; i < n; i++ {
		s := services[i%len(services)]
		pi := i % 60
		qty := float64(i%997) + 1.25
		fmt.Fprintf(&buf, "%d.%02d,123,Acct,USD,2025-02-01T00:00:00Z,2025-01-01T00:00:00Z,Usage,,%s usage,Usage-Based,2025-01-%02dT00:00:00Z,2025-01-%02dT00:00:00Z,%.2f,%s,0,0,0,Issuer,%.4f,%s,Committed,%.2f,%s,P,P,us-east-1,US East,res-%d-%d,name-%d,Instance,Compute,%s,SKU-%d,SKU-%d-1,sub-%d,sub,\"{\"\"pi_email\"\":\"\"pi%03d@uni.edu\"\",\"\"pi_name\"\":\"\"PI %03d\"\",\"\"project_id\"\":\"\"project-%03d\"\",\"\"fund_org\"\":\"\"NSF-P%02d-2025\"\"}\"\n",
			i%50, i%100, s.svc, i%28+2, i%28+1, qty, s.unit, qty*2.5, s.list, qty, s.unit, pi, i%7, pi, s.svc, i%4, i%4, pi, pi, pi, pi, pi%50)
	}
	p := filepath.Join(b.TempDir(), "bench.csv")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}

const benchHeader = "BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName,SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags"

func benchRun(b *testing.B, stream bool) {
	const n = 200_000
	p := benchCSV(b, n)
	cfg := DefaultConfig()
	cfg.RequireTags = []string{"pi_email", "fund_org", "project_id"}
	cfg.TempDir = b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := Input{Name: p, Path: p}
		var f *os.File
		if stream {
			var err error
			if f, err = os.Open(p); err != nil {
				b.Fatal(err)
			}
			// Hide the *os.File: a stream that cannot seek is spooled.
			in = Input{Name: "-", R: struct{ io.Reader }{f}}
		}
		sum, err := Run(cfg, []Input{in}, io.Discard)
		if f != nil {
			f.Close()
		}
		if err != nil {
			b.Fatal(err)
		}
		if sum.Rows != n {
			b.Fatalf("rows = %d", sum.Rows)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRunFile reads a regular file twice.
func BenchmarkRunFile(b *testing.B) { benchRun(b, false) }

// BenchmarkRunStdin spools a stream for the second pass.
func BenchmarkRunStdin(b *testing.B) { benchRun(b, true) }

// BenchmarkFocusCopy is the baseline: a bare lib/focus read and write of the
// same rows, no rules. Compare its rows/s with BenchmarkRunFile.
func BenchmarkFocusCopy(b *testing.B) {
	const n = 200_000
	p := benchCSV(b, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		r, err := focus.NewReader(f, p)
		if err != nil {
			b.Fatal(err)
		}
		w := focus.NewWriter(io.Discard, focus.CSV)
		w.WriteHeader(r.Header())
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			w.Write(row.Values)
		}
		w.Flush()
		f.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
