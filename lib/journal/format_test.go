package journal

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/statement"
)

func render(t *testing.T, format string, j *Journal) [][]string {
	t.Helper()
	src, err := BuiltinTemplate(format)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := ParseTemplate(format, src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(tm, j)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.Contains(out, []byte("\n\n")) {
		t.Errorf("%s: blank line or no final newline:\n%s", format, out)
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll() // also checks every row has the header's field count
	if err != nil {
		t.Fatalf("%s: not valid CSV: %v\n%s", format, err, out)
	}
	if len(recs) != len(j.Lines)+1 {
		t.Fatalf("%s: %d records for %d lines", format, len(recs), len(j.Lines))
	}
	return recs
}

// col returns the values of a named column.
func col(t *testing.T, recs [][]string, name string) []string {
	t.Helper()
	for i, h := range recs[0] {
		if h == name {
			var v []string
			for _, r := range recs[1:] {
				v = append(v, r[i])
			}
			return v
		}
	}
	t.Fatalf("no column %q in %v", name, recs[0])
	return nil
}

func sum(t *testing.T, vs []string) decimal.Decimal {
	t.Helper()
	s := decimal.Zero
	for _, v := range vs {
		if v == "" {
			continue
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			t.Fatalf("amount %q: %v", v, err)
		}
		if d.Exponent() != -2 {
			t.Errorf("amount %q is not two-place", v)
		}
		s = s.Add(d)
	}
	return s
}

func sampleJournal(t *testing.T) *Journal {
	j, err := Build(readSample(t), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestFormatsList(t *testing.T) {
	if got := strings.Join(Formats(), ","); got != "banner,generic,peoplesoft,workday" {
		t.Errorf("Formats() = %s", got)
	}
	if _, err := BuiltinTemplate("oracle"); err == nil || !strings.Contains(err.Error(), "known: banner, generic, peoplesoft, workday") {
		t.Errorf("unknown format: %v", err)
	}
}

func TestGenericFormat(t *testing.T) {
	j := sampleJournal(t)
	recs := render(t, "generic", j)
	wantHeader := "journal_id,line,accounting_date,period,statement_id,side,party,fund_org,cost_center,account,debit,credit,amount,currency,description,pi_email,pi_name,project_id,source,service,kind,ref1,ref2"
	if strings.Join(recs[0], ",") != wantHeader {
		t.Fatalf("header %v", recs[0])
	}
	total := j.TotalDebit.Decimal
	if d, c := sum(t, col(t, recs, "debit")), sum(t, col(t, recs, "credit")); !d.Equal(total) || !c.Equal(total) {
		t.Errorf("debit column %s credit column %s, want %s", d, c, total)
	}
	if s := sum(t, col(t, recs, "amount")); !s.IsZero() {
		t.Errorf("signed amounts sum to %s", s)
	}
	want := readSample(t)
	due := decimal.Zero
	for _, in := range want {
		due = due.Add(in.Statement.Totals.AmountDue.Decimal)
	}
	net := decimal.Zero
	parties, amounts := col(t, recs, "party"), col(t, recs, "amount")
	for i := range parties {
		if parties[i] == PartyFund {
			net = net.Add(decimal.RequireFromString(amounts[i]))
		}
	}
	if !net.Equal(due) {
		t.Errorf("net to PI funds in the CSV %s, amount due %s", net, due)
	}
	r := recs[1]
	if r[0] != "RC-2025-01" || r[1] != "1" || r[2] != "2025-01-31" || r[4] != "2025-01-0001" || r[21] != "NSF-2401234" {
		t.Errorf("first row %v", r)
	}
	// Full UTF-8 description in the generic format.
	if !strings.Contains(strings.Join(col(t, recs, "description"), "|"), "2025-01 José García-Müller Amazon SageMaker") {
		t.Error("generic description lost or cut")
	}
}

func TestWorkdayFormat(t *testing.T) {
	j := sampleJournal(t)
	recs := render(t, "workday", j)
	if recs[0][0] != "Journal Key" || recs[0][5] != "Debit Amount" || recs[0][6] != "Credit Amount" {
		t.Fatalf("header %v", recs[0])
	}
	d, c := col(t, recs, "Debit Amount"), col(t, recs, "Credit Amount")
	for i := range d {
		if (d[i] == "") == (c[i] == "") {
			t.Errorf("row %d: debit %q credit %q: exactly one must be set", i+1, d[i], c[i])
		}
	}
	if sd, sc := sum(t, d), sum(t, c); !sd.Equal(sc) || !sd.Equal(j.TotalDebit.Decimal) {
		t.Errorf("debits %s credits %s", sd, sc)
	}
	refs := col(t, recs, "External Reference ID")
	if refs[0] != "2025-01-0001" || col(t, recs, "Reference 1")[0] != "NSF-2401234" {
		t.Errorf("refs %q", recs[1])
	}
}

func TestPeopleSoftFormat(t *testing.T) {
	j := sampleJournal(t)
	recs := render(t, "peoplesoft", j)
	if s := sum(t, col(t, recs, "MONETARY_AMOUNT")); !s.IsZero() {
		t.Errorf("MONETARY_AMOUNT sums to %s", s)
	}
	for _, a := range col(t, recs, "MONETARY_AMOUNT") {
		if strings.HasPrefix(a, "'") {
			t.Errorf("negative amount %q was quoted as text", a)
		}
	}
	long := false
	for _, d := range col(t, recs, "LINE_DESCR") {
		if n := utf8.RuneCountInString(d); n > 30 || !utf8.ValidString(d) {
			t.Errorf("LINE_DESCR %q: %d characters", d, n)
		}
		long = long || utf8.RuneCountInString(d) == 30
	}
	if !long {
		t.Error("no description reached the 30-character limit; the test does not exercise the cut")
	}
	if !strings.Contains(strings.Join(col(t, recs, "LINE_DESCR"), "|"), "2025-01 José García-Müller Ama") {
		t.Error("UTF-8 description not cut at 30 characters")
	}
	if col(t, recs, "JOURNAL_DATE")[0] != "01/31/2025" || col(t, recs, "JOURNAL_ID")[0] != "RC-2025-01" || col(t, recs, "CHARTFIELD1")[0] != "NSF-2401234" {
		t.Errorf("row %v", recs[1])
	}
}

func TestBannerFormat(t *testing.T) {
	j := sampleJournal(t)
	recs := render(t, "banner", j)
	ind, amt := col(t, recs, "DR_CR_IND"), col(t, recs, "TRANS_AMT")
	var d, c []string
	for i := range ind {
		switch ind[i] {
		case "D":
			d = append(d, amt[i])
		case "C":
			c = append(c, amt[i])
		default:
			t.Fatalf("DR_CR_IND %q", ind[i])
		}
		if strings.HasPrefix(amt[i], "-") {
			t.Errorf("TRANS_AMT %q is signed; Banner uses the indicator", amt[i])
		}
	}
	if sd, sc := sum(t, d), sum(t, c); !sd.Equal(sc) || !sd.Equal(j.TotalDebit.Decimal) {
		t.Errorf("D %s C %s", sd, sc)
	}
	for _, s := range col(t, recs, "TRANS_DESC") {
		if n := utf8.RuneCountInString(s); n > 35 {
			t.Errorf("TRANS_DESC %q: %d characters", s, n)
		}
	}
	if !strings.Contains(strings.Join(col(t, recs, "TRANS_DESC"), "|"), "2025-01 José García-Müller Amazon S") {
		t.Error("TRANS_DESC not cut at 35 characters")
	}
	if recs[1][col0(recs, "FUND_CODE")] != "NSF-ATM-2024" || recs[2][col0(recs, "FUND_CODE")] != "SC-CLOUD" || recs[2][col0(recs, "ORGN_CODE")] != "RC-CLOUD" {
		t.Errorf("FOAPAL %v / %v", recs[1], recs[2])
	}
}

func col0(recs [][]string, name string) int {
	for i, h := range recs[0] {
		if h == name {
			return i
		}
	}
	return -1
}

// TestFormulaInjection puts spreadsheet formulas in every free-text field a
// statement carries and checks that no cell of any format starts one.
func TestFormulaInjection(t *testing.T) {
	evil := `=HYPERLINK("http://x","y")`
	l := line("AWS", "+Amazon EC2", "@FUND", "12.50")
	l.ProjectID, l.Ref1, l.Ref2, l.CostCenter, l.AccountCode = evil, "-1+2", "@cmd", "=cc", "=acct"
	st := stmt("=1+1", statement.StatusFinal, []statement.Line{l, line("AWS", "Amazon S3", "@FUND", "-2.50")},
		statement.Adjustment{Amount: m("-1.25"), Reason: "\r=evil()"})
	st.PI.Name = "\t" + evil
	st.PI.Email = "@x.edu"
	st.Period = "2025-01"
	a := accountsFrom(t, "source,service,service_category,income_fund,income_account,cost_center,expense_account\n*,*,*,=F,=I,+CC,-E\n")
	j, err := Build(inputs(st), a, Options{JournalID: "=ID"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats() {
		recs := render(t, f, j)
		seenNeg := false
		for _, r := range recs[1:] {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !number.MatchString(c) {
					t.Errorf("%s: cell %q starts a formula", f, c)
				}
				seenNeg = seenNeg || c == "-12.50" || c == "-8.75"
			}
		}
		if f == "peoplesoft" && !seenNeg {
			t.Errorf("%s: negative amount lost its sign or was quoted", f)
		}
		if f == "generic" && recs[1][col0(recs, "project_id")] != "'"+evil {
			t.Errorf("generic project_id = %q", recs[1][col0(recs, "project_id")])
		}
	}
}

func TestCustomTemplate(t *testing.T) {
	j := sampleJournal(t)
	src := `{{- range .Lines}}{{if eq .Side "D"}}{{csv .Fund}};{{abs .Signed}};{{cut 12 .Description | csv}};{{upper .Currency}};{{date "20060102" $.AccountingDate}}
{{end}}{{end -}}`
	tm, err := ParseTemplate("mine.tmpl", src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(tm, j)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(string(out), "\n", 2)[0]
	if first != "NSF-ATM-2024;1405.59;2025-01 Ada;USD;20250131" {
		t.Errorf("first line %q", first)
	}
	// cut leaves room for the quote that defuses a formula.
	tm, _ = ParseTemplate("cut", `{{cut 5 "=abcdefg" | csv}}|{{cut 5 "abcdefg" | csv}}|{{nz .TotalDebit}}`)
	out, err = Render(tm, &Journal{})
	if err != nil || string(out) != "'=abc|abcde|" {
		t.Errorf("cut: %q %v", out, err)
	}
	if _, err := ParseTemplate("broken", "{{range .Lines}"); err == nil || !strings.Contains(err.Error(), "template broken") {
		t.Errorf("parse error: %v", err)
	}
	tm, _ = ParseTemplate("nofield", "{{range .Lines}}{{.GrantNumber}}{{end}}")
	if _, err := Render(tm, j); err == nil || !strings.Contains(err.Error(), "GrantNumber") {
		t.Errorf("unknown field: %v", err)
	}
	tm, _ = ParseTemplate("baddate", `{{date "2006" "31/01/2025"}}`)
	if _, err := Render(tm, j); err == nil {
		t.Error("bad date accepted")
	}
}
