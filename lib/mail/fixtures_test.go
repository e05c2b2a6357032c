package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

func mustMoney(t testing.TB, s string) money.Money {
	t.Helper()
	m, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fakePDF is a small "PDF" with binary bytes in it, so base64 round trips
// are really checked.
func fakePDF(id string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	fmt.Fprintf(&b, "1 0 obj << /Title (%s) >> endobj\n", id)
	for i := 0; i < 300; i++ {
		b.WriteByte(byte(i * 7))
	}
	b.WriteString("\n%%EOF\n")
	return b.Bytes()
}

// testStatement is a statement for PI n with its PDF written under dir.
func testStatement(t testing.TB, dir string, n int, email, name string) statement.Statement {
	t.Helper()
	id := fmt.Sprintf("2025-01-%04d", n)
	pdf := fakePDF(id)
	path := filepath.Join(dir, id+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	return statement.Statement{
		StatementID: id, Period: "2025-01", Status: statement.StatusDraft, Currency: "USD",
		PI:      statement.Person{Email: email, Name: name},
		FundOrg: "NSF-ATM-2024", ProjectID: "climate-modeling",
		Lines: []statement.Line{{
			Source: "HPC", Service: "HPC Compute", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024",
			Quantity: "1200", Unit: "Core-Hours",
			ListCost: mustMoney(t, "2400"), Discount: mustMoney(t, "-2400"), BilledCost: mustMoney(t, "0"),
		}, {
			Source: "AWS", Service: "Amazon EC2", ProjectID: "climate-modeling", FundOrg: "NSF-ATM-2024",
			ListCost: mustMoney(t, "1234.56"), Discount: mustMoney(t, "-123.46"), BilledCost: mustMoney(t, "1111.10"),
		}},
		Adjustments: []statement.Adjustment{{Amount: mustMoney(t, "-10"), Reason: "node outage credit"}},
		Totals: statement.Totals{
			ListCost: mustMoney(t, "3634.56"), Discount: mustMoney(t, "-2523.46"), BilledCost: mustMoney(t, "1111.10"),
			Adjustments: mustMoney(t, "-10"), AmountDue: mustMoney(t, "1101.10"),
		},
		PDF: path, PDFSHA256: hex.EncodeToString(sum[:]),
	}
}

func ndjson(t testing.TB, sts ...statement.Statement) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := range sts {
		if err := enc.Encode(&sts[i]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}
