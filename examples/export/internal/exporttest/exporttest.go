// Package exporttest holds the checks every reference export script's test
// makes of its output: a golden file compared byte for byte, and the FOCUS
// arithmetic (ListUnitPrice × PricingQuantity = ListCost, and so on)
// recomputed independently of the script.
package exporttest

import (
	"bytes"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

// Main is an export script's run: args, stdin, stdout and stderr in, the
// exit code out.
type Main func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// Runner returns a function that runs run on stdin and args and returns
// the exit code, stdout and stderr.
func Runner(run Main) func(t *testing.T, stdin string, args ...string) (int, string, string) {
	return func(t *testing.T, stdin string, args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
}

// Bundled runs run with args on a bundled January 2025 input that must
// succeed, compares its output with the golden file, checks it as Check
// does, and returns the totals and stderr.
func Bundled(t *testing.T, run Main, golden string, args ...string) (Totals, string) {
	t.Helper()
	code, out, stderr := Runner(run)(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	Golden(t, golden, []byte(out))
	return Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"), stderr
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/export")

// Golden compares got with the file at path; with -update it writes it.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it after a deliberate change)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Totals are sums over an export's rows.
type Totals struct {
	Rows                          int
	List, Billed, Contracted, Eff decimal.Decimal
	// ByService sums BilledCost per ServiceName; Quantity sums
	// ConsumedQuantity per ConsumedUnit.
	ByService map[string]decimal.Decimal
	Quantity  map[string]decimal.Decimal
	Records   [][]string
	Header    []string
}

// Index maps each column name of the output to its index in Records.
func (tot Totals) Index() map[string]int {
	idx := map[string]int{}
	for i, h := range tot.Header {
		idx[h] = i
	}
	return idx
}

// Check reads a FOCUS CSV export, checks the per-row arithmetic and the
// period columns, and returns the totals.
func Check(t *testing.T, out []byte, periodStart, periodEnd string) Totals {
	t.Helper()
	r, err := focus.NewReader(bytes.NewReader(out), "output")
	if err != nil {
		t.Fatal(err)
	}
	col := func(n string) int {
		i := r.Index(n)
		if i < 0 {
			t.Fatalf("output has no %s column", n)
		}
		return i
	}
	tot := Totals{ByService: map[string]decimal.Decimal{}, Quantity: map[string]decimal.Decimal{}, Header: r.Header()}
	dec := func(row focus.Row, n string) decimal.Decimal {
		v := row.Values[col(n)]
		d, err := decimal.NewFromString(v)
		if err != nil {
			t.Fatalf("line %d: %s %q: %v", row.Line, n, v, err)
		}
		return d
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tot.Rows++
		tot.Records = append(tot.Records, append([]string(nil), row.Values...))
		if got := row.Values[col("BillingPeriodStart")]; got != periodStart {
			t.Errorf("line %d: BillingPeriodStart %s, want %s", row.Line, got, periodStart)
		}
		if got := row.Values[col("BillingPeriodEnd")]; got != periodEnd {
			t.Errorf("line %d: BillingPeriodEnd %s, want %s", row.Line, got, periodEnd)
		}
		for _, c := range []string{"ChargePeriodStart", "ChargePeriodEnd"} {
			v := row.Values[col(c)]
			if v < periodStart || v > periodEnd || !strings.HasSuffix(v, "Z") {
				t.Errorf("line %d: %s %s outside [%s, %s]", row.Line, c, v, periodStart, periodEnd)
			}
		}
		list, billed := dec(row, "ListCost"), dec(row, "BilledCost")
		contracted, eff := dec(row, "ContractedCost"), dec(row, "EffectiveCost")
		if row.Values[col("ChargeCategory")] == "Usage" {
			qty := dec(row, "PricingQuantity")
			if p := dec(row, "ListUnitPrice").Mul(qty); !p.Equal(list) {
				t.Errorf("line %d: ListUnitPrice × PricingQuantity = %s, ListCost %s", row.Line, p, list)
			}
			if p := dec(row, "ContractedUnitPrice").Mul(qty); !p.Equal(contracted) {
				t.Errorf("line %d: ContractedUnitPrice × PricingQuantity = %s, ContractedCost %s", row.Line, p, contracted)
			}
			unit := row.Values[col("ConsumedUnit")]
			tot.Quantity[unit] = tot.Quantity[unit].Add(dec(row, "ConsumedQuantity"))
		}
		if billed.GreaterThan(list) {
			t.Errorf("line %d: BilledCost %s over ListCost %s", row.Line, billed, list)
		}
		if !eff.Equal(billed) {
			t.Errorf("line %d: EffectiveCost %s, BilledCost %s (no amortization here: they must agree)", row.Line, eff, billed)
		}
		if _, err := focus.ParseTags(row.Values[col("Tags")]); err != nil {
			t.Errorf("line %d: Tags: %v", row.Line, err)
		}
		tot.List = tot.List.Add(list)
		tot.Billed = tot.Billed.Add(billed)
		tot.Contracted = tot.Contracted.Add(contracted)
		tot.Eff = tot.Eff.Add(eff)
		svc := row.Values[col("ServiceName")]
		tot.ByService[svc] = tot.ByService[svc].Add(billed)
	}
	return tot
}

// Dec parses a decimal for an expected value.
func Dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
