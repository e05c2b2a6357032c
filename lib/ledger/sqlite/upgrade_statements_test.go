package sqlite

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// TestUpgradedLedgerGivesTheSameStatements: the finalized period of the
// previous release's ledger gives, after the upgrade, byte for byte the
// statements that release wrote (testdata/v2-demo-statements-2025-01.ndjson).
func TestUpgradedLedgerGivesTheSameStatements(t *testing.T) {
	l := openReleaseLedger(t)
	sts, _, err := build.Build(context.Background(), l, "2025-01", build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The one difference allowed is the field added since (issue 27):
	// billed_cost_exact, the line's exact sum, which must round to the
	// line as it was. Everything else, every figure included, is the
	// release's bytes.
	exact := 0
	for i := range sts {
		for k := range sts[i].Lines {
			l := &sts[i].Lines[k]
			if l.BilledCostExact == "" {
				continue
			}
			exact++
			if _, err := l.ExactBilled(); err != nil {
				t.Errorf("%s line %d: %v", sts[i].StatementID, k+1, err)
			}
			l.BilledCostExact = ""
		}
	}
	if exact == 0 {
		t.Error("no line of the demo month has a sub-cent sum: the exact figures are not read back")
	}
	var got bytes.Buffer
	if err := statement.WriteNDJSON(&got, sts); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/v2-demo-statements-2025-01.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("statements of finalized 2025-01 changed across the upgrade:\n got %.300s\nwant %.300s", got.String(), want)
	}
}
