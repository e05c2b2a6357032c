package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/statement/pdf"
)

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// fixture: two PIs in 2025-01 (one fully subsidized), a December history
// month, an adjustment, a rejected charge and a project ending soon.
func fixture(state string) *memReader {
	ada1 := charge(1, "2025-01", "ada@uni.edu", "climate-modeling", "NSF-ATM-2024", "HPC", "HPC Compute", "2400", "0")
	ada1.Quantity, ada1.Unit, ada1.PIName = d("1200"), "Core-Hours", "Ada Lovelace"
	ada1.EndDate = "2025-02-15"
	ada1.Ref1 = "GRANT-7"
	r := &memReader{
		PeriodList: []ledger.PeriodInfo{
			{Period: "2024-12", State: ledger.StateFinalized, FinalizedAt: time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC)},
			{Period: "2025-01", State: state},
		},
		ChargeList: []ledger.Charge{
			ada1,
			charge(2, "2025-01", "bob@uni.edu", "genome", "NIH-R01", "AWS", "Amazon EC2", "1234.567", "987.654"),
			charge(3, "2025-01", "bob@uni.edu", "genome", "NIH-R01", "AWS", "Amazon S3", "10", "10"),
			charge(4, "2025-01", "bob@uni.edu", "genome", "NIH-R01", "AWS", "Amazon EC2", "99999", "99999"), // rejected
			charge(5, "2024-12", "ada@uni.edu", "climate-modeling", "NSF-ATM-2024", "HPC", "HPC Compute", "2000", "0"),
		},
		Rejected:       map[int64]bool{4: true},
		AdjustmentList: []ledger.Adjustment{{ID: 1, Period: "2025-01", PIEmail: "bob@uni.edu", Amount: d("-12.50"), Reason: "outage credit"}},
	}
	if state == ledger.StateFinalized {
		r.PeriodList[1].FinalizedAt = time.Date(2025, 2, 3, 19, 5, 6, 0, time.UTC)
	}
	return r
}

var defaultOpenLedger = openLedger

func run(t *testing.T, r ledger.StatementReader, args ...string) (string, string, int) {
	t.Helper()
	old := openLedger
	t.Cleanup(func() { openLedger = old })
	openLedger = defaultOpenLedger
	if r != nil {
		openLedger = func(string) (ledger.StatementReader, io.Closer, error) { return r, nopCloser{}, nil }
	}
	var out, errb bytes.Buffer
	code := cliutil.Run(newApp(strings.NewReader(""), &out, &errb), append([]string{"focus-statement"}, args...))
	return out.String(), errb.String(), code
}

func TestNDJSON(t *testing.T) {
	out, errs, code := run(t, fixture(ledger.StateOpen), "--period", "2025-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sts, err := statement.ReadNDJSON(strings.NewReader(out))
	if err != nil || len(sts) != 2 {
		t.Fatalf("%v: %d statements\n%s", err, len(sts), out)
	}
	a, b := sts[0], sts[1]
	if a.PI.Email != "ada@uni.edu" || a.Totals.ListCost.String() != "2400.00" || a.Totals.AmountDue.String() != "0.00" || a.Status != "draft" {
		t.Errorf("ada: %+v", a)
	}
	if len(a.Notes) != 1 || !strings.Contains(a.Notes[0], "2025-02-15") || a.Lines[0].Ref1 != "GRANT-7" || a.Lines[0].Quantity != "1200" {
		t.Errorf("ada notes/ref1/quantity: %+v", a)
	}
	// EC2 987.654 → 987.65, S3 10.00; adjustment −12.50; the rejected charge is not there.
	if b.Totals.BilledCost.String() != "997.65" || b.Totals.ListCost.String() != "1244.57" || b.Totals.AmountDue.String() != "985.15" {
		t.Errorf("bob totals %+v", b.Totals)
	}
	if !strings.Contains(errs, "2 statements for 2025-01 (open): list $3,644.57, discount −$2,646.92, billed $997.65, adjustments −$12.50, amount due $985.15") {
		t.Errorf("summary: %q", errs)
	}
	if !strings.Contains(out, `"discount":"-2400.00"`) || !strings.Contains(out, `"amount_due":"0.00"`) {
		t.Errorf("money is not a decimal string:\n%s", out)
	}
}

func TestCSVByProjectAndPI(t *testing.T) {
	out, errs, code := run(t, fixture(ledger.StateOpen), "--period", "2025-01", "--by", "project", "--format", "csv", "--pi", "BOB@uni.edu")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "statement_id" { // header, EC2, S3, adjustment
		t.Fatalf("rows: %v", rows)
	}
	for _, r := range rows[1:] {
		if r[4] != "bob@uni.edu" || r[7] != "genome" {
			t.Errorf("row %v", r)
		}
	}
	if want := build.StatementID("2025-01", "bob@uni.edu", "genome", true); rows[1][0] != want {
		t.Errorf("id %s, want %s", rows[1][0], want)
	}
}

func TestTemplateExample(t *testing.T) {
	out, errs, code := run(t, fixture(ledger.StateFinalized), "--period", "2025-01", "--template", "../../examples/statement.md.tmpl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"# Statement 2025-01-", "**PI:** Ada Lovelace <ada@uni.edu>", "| 2,400.00 | -2,400.00 | 0.00 | **0.00** |",
		"Your institution covered $2,400.00 (100.0%) of the list price", "> **Note:** Project climate-modeling: end date 2025-02-15",
		"- -12.50 — outage credit", "**Total due: USD 985.15** (final, 2025-02-03T19:05:06Z)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("template output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DRAFT") {
		t.Error("final statements marked DRAFT")
	}
}

func TestPDFDir(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--period", "2025-01", "--pdf-dir", dir, "--institution", "Example U Research Computing", "--contact", "billing@example.edu"}
	out, errs, code := run(t, fixture(ledger.StateFinalized), args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sts, _ := statement.ReadNDJSON(strings.NewReader(out))
	if len(sts) != 2 {
		t.Fatalf("%d statements", len(sts))
	}
	first := map[string][]byte{}
	for _, st := range sts {
		if st.PDF != filepath.Join(dir, "2025-01", pdf.BaseName(&st)) || !strings.HasSuffix(st.PDF, st.StatementID[len("2025-01-"):]+".pdf") || len(st.PDFSHA256) != 64 {
			t.Errorf("pdf %q sha %q", st.PDF, st.PDFSHA256)
		}
		b, err := os.ReadFile(st.PDF)
		if err != nil {
			t.Fatal(err)
		}
		first[st.PDF] = b
		txt, err := exec.Command("pdftotext", st.PDF, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(txt)), " ")
		for _, want := range []string{"Example U Research Computing", "billing@example.edu", st.PI.Email, st.StatementID} {
			if !strings.Contains(flat, want) {
				t.Errorf("%s lacks %q", st.PDF, want)
			}
		}
		if st.PI.Email == "ada@uni.edu" && (!strings.Contains(flat, "Your last 12 months") || !strings.Contains(flat, "2,400.00")) {
			t.Errorf("ada's PDF lacks the chart or figures:\n%s", flat)
		}
	}
	if !strings.Contains(errs, "2 PDFs in") {
		t.Errorf("summary %q", errs)
	}
	// Re-running on the finalized period reproduces every byte and the NDJSON.
	out2, _, code := run(t, fixture(ledger.StateFinalized), args...)
	if code != 0 || out2 != out {
		t.Fatalf("re-run differs (exit %d)", code)
	}
	for p, b := range first {
		b2, _ := os.ReadFile(p)
		if !bytes.Equal(b, b2) {
			t.Errorf("%s changed on re-run", p)
		}
	}
}

func TestErrors(t *testing.T) {
	r := fixture(ledger.StateOpen)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, 2, "--period YYYY-MM is required"},
		{[]string{"--period", "2025-01", "--by", "fund"}, 2, "--by"},
		{[]string{"--period", "2025-01", "--format", "xml"}, 2, "--format"},
		{[]string{"--period", "2025-03"}, 1, "no such period"},
		{[]string{"--period", "2025-01", "--pi", "nobody@uni.edu"}, 1, "no statement for nobody@uni.edu"},
		{[]string{"--period", "2025-01", "--template", "/nonexistent.tmpl"}, 2, "template"},
		{[]string{"report"}, 2, "--year"},
		{[]string{"report", "--year", "2023"}, 1, "no periods of 2023"},
	} {
		_, errs, code := run(t, r, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d %q, want %d %q", c.args, code, errs, c.code, c.msg)
		}
	}
	// With no ledger file: a clear I/O error, and no empty ledger created.
	missing := filepath.Join(t.TempDir(), "ledger.db")
	_, errs, code := run(t, nil, "--db", missing, "--period", "2025-01")
	if _, err := os.Stat(missing); err == nil {
		t.Error("focus-statement created a ledger")
	}
	if code != 2 || !strings.Contains(errs, "does not exist") {
		t.Errorf("no ledger: exit %d %q", code, errs)
	}
}

func TestReport(t *testing.T) {
	r := fixture(ledger.StateOpen)
	r.PeriodList = append(r.PeriodList, ledger.PeriodInfo{Period: "2025-02", State: ledger.StateOpen})
	r.ChargeList = append(r.ChargeList, charge(9, "2025-02", "ada@uni.edu", "climate-modeling", "NSF-ATM-2024", "HPC", "HPC Compute", "100.005", "0"))
	pdfFile := filepath.Join(t.TempDir(), "value.pdf")
	out, errs, code := run(t, r, "report", "--year", "2025", "--pdf", pdfFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"year", "fund_org", "pi_email", "pi_name", "list_cost", "discount", "billed_cost", "covered_pct", "months", "draft", "adjustments", "amount_due"},
		{"2025", "NIH-R01", "bob@uni.edu", "", "1244.57", "-246.92", "997.65", "19.8", "1", "true", "-12.50", "985.15"},
		{"2025", "NSF-ATM-2024", "ada@uni.edu", "Ada Lovelace", "2500.01", "-2500.01", "0.00", "100.0", "2", "true", "0.00", "0.00"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for i := range want {
		if strings.Join(rows[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("row %d: %v, want %v", i, rows[i], want[i])
		}
	}
	txt, err := exec.Command("pdftotext", pdfFile, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(txt)), " ")
	for _, w := range []string{"Value delivered in 2025", "$3,744.58", "Subtotal NSF-ATM-2024", "2025-02 (open)"} {
		if !strings.Contains(flat, w) {
			t.Errorf("report PDF lacks %q:\n%s", w, flat)
		}
	}
}
