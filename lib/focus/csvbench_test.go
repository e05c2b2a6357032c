package focus

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// benchCSVRows is the size of the benchmark input: about 11 MB, like
// `go run ./internal/gendata --rows 20000`.
const benchCSVRows = 20000

// benchFOCUSCSV builds rows shaped like internal/gendata's (a command, so
// not importable): 37 columns, all unquoted but Tags, a JSON object whose
// quotes are doubled.
func benchFOCUSCSV(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,PricingUnit,ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName,SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags\n")
	services := []struct{ name, unit, sku, typ, cat string }{
		{"Amazon S3", "GB-Months", "S3-STD", "Bucket", "Storage"},
		{"Amazon EC2", "Hours", "EC2-M5", "Instance", "Compute"},
		{"HPC Compute", "Core-Hours", "HPC-CPU", "Job", "Compute"},
		{"Storage Accounts", "GB-Months", "AZ-BLOB-HOT", "Storage Account", "Storage"},
	}
	for i := 0; i < rows; i++ {
		s := services[i%len(services)]
		pi := i % 97
		day := i%28 + 1
		qty := i%4000 + 1
		fmt.Fprintf(&b, "%d.%06d,123456789012,AWS research account,USD,2025-02-01T00:00:00Z,2025-01-01T00:00:00Z,Usage,,%s usage,Usage-Based,"+
			"2025-01-%02dT00:00:00Z,2025-01-%02dT00:00:00Z,%d.%02d,%s,%d.%06d,0.0195,%d.%06d,Amazon Web Services,%d.%05d,0.0230,Committed,%d.%02d,%s,"+
			"Amazon Web Services,Amazon Web Services,us-east-1,US East (N. Virginia),aws-project-%03d-%d,project-%03d bucket,%s,%s,%s,%s,%s-202501,"+
			"sub-project-%03d,project-%03d,\"{\"\"pi_email\"\":\"\"pi%03d@uni.edu\"\",\"\"pi_name\"\":\"\"PI %03d\"\",\"\"project_id\"\":\"\"project-%03d\"\",\"\"fund_org\"\":\"\"NSF-P%02d-2025\"\"}\"\n",
			qty/50, i%1000000, s.name, day+1, day, qty, i%100, s.unit, qty/50, i%1000000, qty/50, i%1000000, qty/40, i%100000, qty, i%100, s.unit,
			pi, i%50, pi, s.typ, s.cat, s.name, s.sku, s.sku, pi, pi, pi, pi, pi, pi%60)
	}
	return b.Bytes()
}

// reportPerRow adds ns/row and allocs/row; mallocs is the count before the
// timed loop.
func reportPerRow(b *testing.B, rows int, mallocs uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := float64(b.N) * float64(rows)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/row")
	b.ReportMetric(float64(ms.Mallocs-mallocs)/n, "allocs/row")
}

func mallocCount() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// BenchmarkReadCSVEncodingCSV is the baseline: bare encoding/csv as the
// Reader configured it.
func BenchmarkReadCSVEncodingCSV(b *testing.B) {
	data := benchFOCUSCSV(benchCSVRows)
	b.SetBytes(int64(len(data)))
	m := mallocCount()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		n := 0
		for {
			if _, err := cr.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchCSVRows+1 {
			b.Fatalf("%d records", n)
		}
	}
	reportPerRow(b, benchCSVRows, m)
}

// BenchmarkReadCSV is the focus Reader (header checks, line numbers).
func BenchmarkReadCSV(b *testing.B) { benchReadCSV(b, NewReader) }

// BenchmarkReadCSVRaw also keeps each record's input bytes (focus-validate).
func BenchmarkReadCSVRaw(b *testing.B) { benchReadCSV(b, NewRawReader) }

func benchReadCSV(b *testing.B, newReader func(io.Reader, string) (*Reader, error)) {
	data := benchFOCUSCSV(benchCSVRows)
	b.SetBytes(int64(len(data)))
	m := mallocCount()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := newReader(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchCSVRows {
			b.Fatalf("%d rows", n)
		}
	}
	reportPerRow(b, benchCSVRows, m)
}
