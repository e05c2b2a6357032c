package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// The import parses batches of rows in parallel (lib/ledger/parse.go) and
// must still decide as one pass would: the first problem in file order,
// wherever its batch was checked. These files span several batches.
func rowsCSV(n int, row func(i int) string) string {
	var b strings.Builder
	b.WriteString("BillingPeriodStart,BilledCost,ListCost,ServiceName,ResourceId,Tags\n")
	for i := 0; i < n; i++ {
		b.WriteString(row(i))
		b.WriteByte('\n')
	}
	return b.String()
}

func goodRow(i int) string {
	return fmt.Sprintf(`2025-01-01,%d.25,%d.50,S,r%d,"{""pi_email"":""p%d@uni.edu"",""fund_org"":""F-1""}"`, i%7, i%7+1, i, i%5)
}

func TestImportAcrossBatchesDecidesInFileOrder(t *testing.T) {
	t.Run("a later batch in another period", func(t *testing.T) {
		l := open(t)
		data := rowsCSV(3000, func(i int) string {
			if i >= 2500 {
				return strings.Replace(goodRow(i), "2025-01-01", "2025-02-01", 1)
			}
			return goodRow(i)
		})
		_, err := importString(t, l, "X", data)
		// Line 2502 is row 2500 (the header is line 1).
		if !ledger.IsRefused(err) || !strings.Contains(err.Error(), "X.csv:2502: BillingPeriodStart: row is in period 2025-02, the import is for 2025-01") {
			t.Fatalf("err = %v", err)
		}
		if imps, err := l.Imports(ctx, "2025-01"); err == nil && len(imps) > 0 {
			t.Fatalf("imports after a refusal: %v", imps)
		}
	})
	t.Run("invalid rows in two batches, listed in order", func(t *testing.T) {
		l := open(t)
		data := rowsCSV(3000, func(i int) string {
			if i == 2999 || i == 1100 || i == 5 {
				return strings.Replace(goodRow(i), fmt.Sprintf(",%d.25,", i%7), ",lots,", 1)
			}
			return goodRow(i)
		})
		_, err := importString(t, l, "X", data)
		var inv *ledger.InvalidRowsError
		if !errors.As(err, &inv) || inv.Rows != 3 || len(inv.Diagnostics) != 3 {
			t.Fatalf("err = %v", err)
		}
		for k, line := range []int{7, 1102, 3001} {
			if d := inv.Diagnostics[k]; d.Line != line || d.Column != "BilledCost" {
				t.Errorf("diagnostic %d: %s, want line %d BilledCost", k, d, line)
			}
		}
	})
	t.Run("every row of every batch lands, with exact sums", func(t *testing.T) {
		l := open(t)
		res, err := importString(t, l, "X", rowsCSV(5000, goodRow))
		if err != nil {
			t.Fatal(err)
		}
		billed := decimal.Zero
		for i := 0; i < 5000; i++ {
			billed = billed.Add(decimal.New(int64(i%7*100+25), -2))
		}
		if res.Rows != 5000 || !res.BilledCost.Equal(billed) {
			t.Fatalf("%d rows, billed %s, want 5000 and %s", res.Rows, res.BilledCost, billed)
		}
		// Charge ids follow the file's order, whichever worker checked a row.
		ids := map[string]int64{}
		if err := l.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error {
			ids[c.ResourceID] = c.ID
			return nil
		}); err != nil || len(ids) != 5000 {
			t.Fatalf("%d charges back (%v)", len(ids), err)
		}
		for i := 1; i < 5000; i++ {
			if ids[fmt.Sprintf("r%d", i)] != ids[fmt.Sprintf("r%d", i-1)]+1 {
				t.Fatalf("row %d has id %d after %d", i, ids[fmt.Sprintf("r%d", i)], ids[fmt.Sprintf("r%d", i-1)])
			}
		}
	})
}

// FuzzImport: whatever the input, an import either lands whole, and export
// gives back every row's cells as read, or is refused and leaves the
// ledger as it was (no import, no period). Never a panic.
func FuzzImport(f *testing.F) {
	aws, err := os.ReadFile("../../../testdata/2025-01/aws.csv")
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(aws), "\n")
	small := strings.Join(lines[:4], "")
	f.Add(small)
	f.Add("\ufeff" + strings.ReplaceAll(small, "\n", "\r\n"))
	f.Add(strings.Replace(small, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", 1))
	f.Add(strings.Replace(small, "6.175488", "=HYPERLINK(\"x\")", 1))
	f.Add(strings.Replace(small, "Amazon EC2", "Amazon\x00EC2", 1))
	f.Add(strings.Replace(small, `"Amazon EC2 usage, Jan 1"`, `"Amazon EC2 "usage`, 1))
	f.Add(rowsCSV(3, goodRow))
	f.Add(`{"BillingPeriodStart":"2025-01-01","BilledCost":"1","ServiceName":"S","Tags":{"pi_email":"a@uni.edu"}}` + "\n")
	f.Fuzz(func(t *testing.T, data string) {
		l, err := ledger.Open(filepath.Join(t.TempDir(), "f.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		res, err := l.Import(ctx, tester, strings.NewReader(data), ledger.ImportOptions{Source: "F", FileName: "f.csv", Period: "2025-01", Tags: tagkeys.Default()})
		imps, lerr := l.Imports(ctx, "")
		if lerr != nil {
			t.Fatal(lerr)
		}
		if err != nil {
			if len(imps) != 0 {
				t.Fatalf("refused (%v) but %d imports are in the ledger", err, len(imps))
			}
			if ps, _ := l.Periods(ctx); len(ps) != 0 {
				t.Fatalf("refused (%v) but periods %v are in the ledger", err, ps)
			}
			return
		}
		if len(imps) != 1 || res.Rows != imps[0].Rows {
			t.Fatalf("imported %d rows, the ledger lists %+v", res.Rows, imps)
		}
		in, err := focus.NewReader(strings.NewReader(data), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		w := focus.NewWriter(&out, focus.CSV)
		if _, err := l.ExportCharges(ctx, res.Period, w); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		back, err := focus.NewReader(bytes.NewReader(out.Bytes()), "export.csv")
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; ; n++ {
			a, aerr := in.Read()
			b, berr := back.Read()
			if aerr == io.EOF || berr == io.EOF {
				if aerr != berr || n != res.Rows {
					t.Fatalf("row %d: input %v, export %v (%d rows imported)", n, aerr, berr, res.Rows)
				}
				return
			}
			if aerr != nil || berr != nil {
				t.Fatalf("row %d: %v / %v", n, aerr, berr)
			}
			if strings.Join(a.Values, "\x1f") != strings.Join(b.Values, "\x1f") {
				t.Fatalf("row %d: exported %q, read %q", n, b.Values, a.Values)
			}
		}
	})
}
