package pdf

import (
	"fmt"
	"github.com/openchargeback/ocb/lib/ledger"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

func m(s string) money.Money { return money.Cents(decimal.RequireFromString(s)) }

// sample is Ada's fully subsidized month: list 2,400.00, discount
// −2,400.00, due 0.00, plus a partly discounted cloud line.
func sample(status string) *statement.Statement {
	st := &statement.Statement{
		StatementID: "2025-01-00482913", Period: "2025-01", Status: status, Currency: "USD",
		PI:      statement.Person{Email: "ada@uni.edu", Name: "Ada Lovelace"},
		FundOrg: "NSF-ATM-2024",
		Lines: []statement.Line{
			{Source: "HPC", Service: "HPC Compute", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024", Quantity: "1200", Unit: "Core-Hours",
				ListCost: m("2400"), Discount: m("-2400"), BilledCost: m("0")},
			{Source: "AWS", Service: "Amazon EC2", ProjectID: "ocean", FundOrg: "NSF-ATM-2024",
				ListCost: m("1234.56"), Discount: m("-234.56"), BilledCost: m("1000")},
		},
		Adjustments: []statement.Adjustment{{Amount: m("-10"), Reason: "node outage credit"}},
		Notes:       []string{"Project ocean: end date 2025-03-01 is 29 days after the end of this period."},
	}
	st.Totals = statement.Totals{ListCost: m("3634.56"), Discount: m("-2634.56"), BilledCost: m("1000"), Adjustments: m("-10"), AmountDue: m("990")}
	if status == statement.StatusFinal {
		st.FinalizedAt = "2025-02-03T19:05:06Z"
	}
	return st
}

func renderer(t testing.TB) *Renderer {
	r, err := NewRenderer(Institution{Name: "Example University Research Computing", Address: "1 Campus Drive; Springfield, ST 00000", Contact: "rc-billing@example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func pdftotext(t *testing.T, b []byte, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "s.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", append(args, f, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestStatementPDFText(t *testing.T) {
	b, err := renderer(t).Statement(sample(statement.StatusDraft), nil)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/sample.pdf", b, 0o644)
	txt := pdftotext(t, b, "-layout")
	t.Log(txt)
}

func TestWorstSizeProbe(t *testing.T) {
	st := sample(statement.StatusDraft)
	all := "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ éüñçøåßÉÜ"
	for i := 0; i < 40; i++ {
		st.Lines = append(st.Lines, statement.Line{Source: "AWS", Service: all, ProjectID: all, FundOrg: all, ListCost: m("1"), BilledCost: m("1")})
	}
	st.PI.Name = all
	var hist []ledger.MonthTotal
	for i := 1; i <= 12; i++ {
		hist = append(hist, ledger.MonthTotal{Period: fmt.Sprintf("2024-%02d", i), ListCost: decimal.NewFromInt(int64(i * 100)), BilledCost: decimal.NewFromInt(int64(i * 10))})
	}
	b, err := renderer(t).Statement(st, hist)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/worst.pdf", b, 0o644)
	t.Logf("size %d", len(b))
}
