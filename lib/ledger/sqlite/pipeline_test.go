package sqlite

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
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
