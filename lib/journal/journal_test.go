package journal

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// readSample reads testdata/statements-2025-01.ndjson: 12 final statements
// with many-decimal quantities, a fully subsidized $0 statement (0003), a
// partly discounted cloud account, a negative AWS credit line and an
// adjustment credit (0001), a credit beyond the charges (0004), a second
// fund with an account_code override and a positive adjustment (0005).
func readSample(t testing.TB) []Input {
	t.Helper()
	f, err := os.Open("testdata/statements-2025-01.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadStatements(f, "statements-2025-01.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// amountDueFromFile sums totals.amount_due straight from the JSON text with
// decimal arithmetic, independently of ReadStatements and money.
func amountDueFromFile(t *testing.T, name string) decimal.Decimal {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum := decimal.Zero
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var raw struct {
			Totals struct {
				AmountDue string `json:"amount_due"`
			} `json:"totals"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		sum = sum.Add(decimal.RequireFromString(raw.Totals.AmountDue))
	}
	return sum
}

func TestBuildSampleBalancesToAmountDue(t *testing.T) {
	in := readSample(t)
	j, err := Build(in, sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := amountDueFromFile(t, "testdata/statements-2025-01.ndjson")
	if want.String() != "66563.71" {
		t.Fatalf("sample amount due = %s; regenerate expectations", want)
	}
	if !j.TotalDebit.Equal(j.TotalCredit.Decimal) {
		t.Fatalf("debits %s != credits %s", j.TotalDebit, j.TotalCredit)
	}
	// Net to PI funds and net to the service centres both equal the
	// statements' amount due, to the cent.
	fund, income := decimal.Zero, decimal.Zero
	for _, l := range j.Lines {
		signed := l.Signed().Decimal // debit +, credit -
		switch l.Party {
		case PartyFund:
			fund = fund.Add(signed)
		case PartyIncome:
			income = income.Sub(signed)
		default:
			t.Fatalf("line %d: party %q", l.LineNo, l.Party)
		}
		if l.Amount.Exponent() < -2 || !l.Amount.IsPositive() {
			t.Errorf("line %d: amount %s not positive cents", l.LineNo, l.Amount)
		}
	}
	if !fund.Equal(want) || !income.Equal(want) || !j.ControlTotal.Equal(want) || !j.NetCharged.Equal(want) {
		t.Fatalf("net fund %s, net income %s, control %s, net charged %s; want %s", fund, income, j.ControlTotal, j.NetCharged, want)
	}
	// Per statement too: what a PI's funds are charged is their amount due.
	byStmt := map[string]decimal.Decimal{}
	for _, l := range j.Lines {
		if l.Party == PartyFund {
			byStmt[l.StatementID] = byStmt[l.StatementID].Add(l.Signed().Decimal)
		}
	}
	for _, in := range in {
		st := in.Statement
		if got := byStmt[st.StatementID]; !got.Equal(st.Totals.AmountDue.Decimal) {
			t.Errorf("statement %s: posted %s to PI funds, amount due %s", st.StatementID, got, st.Totals.AmountDue)
		}
	}
	if j.Statements != 12 || j.Posted != 11 {
		t.Errorf("statements %d posted %d, want 12 and 11 (0003 is fully subsidized)", j.Statements, j.Posted)
	}
	if j.ID != "RC-2025-01" || j.AccountingDate != "2025-01-31" || j.Currency != "USD" {
		t.Errorf("id %q date %q currency %q", j.ID, j.AccountingDate, j.Currency)
	}
	if j.CreditStatements != 1 || j.CreditTotal.String() != "37.66" {
		t.Errorf("credits %d %s, want 37.66 on 2025-01-0004", j.CreditStatements, j.CreditTotal)
	}
	for _, l := range j.Lines {
		if l.StatementID == "2025-01-0003" {
			t.Errorf("fully subsidized statement posted a line: %+v", l)
		}
		if l.Debit().IsZero() == l.Credit().IsZero() {
			t.Errorf("line %d is on both or neither side", l.LineNo)
		}
	}
}

func TestChargeDirectionAndReversal(t *testing.T) {
	a := sampleAccounts(t)
	st := stmt("2025-01-0001", statement.StatusFinal,
		[]statement.Line{line("HPC", "HPC GPU", "NSF-1", "100.00"), line("AWS", "Amazon EC2", "NSF-1", "-2.50")},
		statement.Adjustment{Amount: m("-10.00"), Reason: "outage"},
		statement.Adjustment{Amount: m("5.00"), Reason: "late usage"})
	j, err := Build(inputs(st), a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ side, party, fund, account, amount string }
	var got []row
	for _, l := range j.Lines {
		got = append(got, row{l.Side, l.Party, l.Fund, l.Account, l.Amount.String()})
	}
	want := []row{
		{"D", "fund", "NSF-1", "62120", "100.00"}, // charge: debit the PI's fund, expense code
		{"C", "income", "SC-RESCOMP", "48120", "100.00"},
		{"D", "income", "SC-CLOUD", "48310", "2.50"}, // negative line: reversed
		{"C", "fund", "NSF-1", "62310", "2.50"},
		{"D", "income", "SC-RESCOMP", "48900", "10.00"}, // credit adjustment: reversed
		{"C", "fund", "NSF-1", "62900", "10.00"},
		{"D", "fund", "NSF-1", "62900", "5.00"},
		{"C", "income", "SC-RESCOMP", "48900", "5.00"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i+1, got[i], want[i])
		}
	}
	if j.TotalDebit.String() != "117.50" || j.NetCharged.String() != "92.50" || j.ControlTotal.String() != "92.50" {
		t.Errorf("debits %s net %s control %s", j.TotalDebit, j.NetCharged, j.ControlTotal)
	}
	if j.Lines[0].CostCenter != "" || j.Lines[1].CostCenter != "RC-HPC" {
		t.Errorf("cost centres %q %q", j.Lines[0].CostCenter, j.Lines[1].CostCenter)
	}
	if j.Lines[4].Description != "2025-01 Ada Lovelace adj outage" || j.Lines[0].Description != "2025-01 Ada Lovelace HPC GPU" ||
		j.Lines[2].Description != "2025-01 Ada Lovelace Amazon EC2 credit" {
		t.Errorf("descriptions %q / %q", j.Lines[0].Description, j.Lines[4].Description)
	}
}

func TestAccountCodeOverrideRefsAndCostCenter(t *testing.T) {
	l := line("AWS", "Amazon EC2", "NIH-1", "85.00")
	l.AccountCode, l.Ref1, l.Ref2, l.CostCenter = "63999", "R01-GM123456", "REQ-42", "DEPT-BIO"
	j, err := Build(inputs(stmt("2025-01-0002", statement.StatusFinal, []statement.Line{l})), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, c := j.Lines[0], j.Lines[1]
	if d.Account != "63999" || c.Account != "48310" {
		t.Errorf("override: debit %s credit %s, want 63999 / 48310 (the override replaces the expense code only)", d.Account, c.Account)
	}
	if d.CostCenter != "DEPT-BIO" || c.CostCenter != "RC-CLOUD" {
		t.Errorf("cost centres %q %q", d.CostCenter, c.CostCenter)
	}
	for _, x := range j.Lines {
		if x.Ref1 != "R01-GM123456" || x.Ref2 != "REQ-42" || x.StatementID != "2025-01-0002" {
			t.Errorf("refs on line %d: %q %q %q", x.LineNo, x.Ref1, x.Ref2, x.StatementID)
		}
	}
	if d.PartnerAccount != "48310" || c.PartnerAccount != "63999" || d.PartnerFund != "SC-CLOUD" {
		t.Errorf("partners %+v / %+v", d, c)
	}
}

func TestCreditBeyondChargesIsPostedInFull(t *testing.T) {
	st := stmt("2025-01-0009", statement.StatusFinal,
		[]statement.Line{line("HPC", "HPC GPU", "F1", "30.00")},
		statement.Adjustment{Amount: m("-20.00"), Reason: "first credit"},
		statement.Adjustment{Amount: m("-25.00"), Reason: "second credit"})
	if st.Totals.AmountDue.String() != "-15.00" {
		t.Fatalf("setup: amount due %s, want -15.00 (never clamped)", st.Totals.AmountDue)
	}
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 30 charged; both credits posted in full: the fund ends 15 in credit.
	var amounts []string
	for _, l := range j.Lines {
		if l.Side == Debit {
			amounts = append(amounts, l.Description+"="+l.Amount.String())
		}
	}
	want := "2025-01 Ada Lovelace HPC GPU=30.00|2025-01 Ada Lovelace adj first credit=20.00|2025-01 Ada Lovelace adj second credit=25.00"
	if strings.Join(amounts, "|") != want {
		t.Errorf("got %s", strings.Join(amounts, "|"))
	}
	if j.NetCharged.String() != "-15.00" || j.ControlTotal.String() != "-15.00" || !j.TotalDebit.Equal(j.TotalCredit.Decimal) {
		t.Errorf("net %s control %s debits %s credits %s", j.NetCharged, j.ControlTotal, j.TotalDebit, j.TotalCredit)
	}
	if j.CreditStatements != 1 || j.CreditTotal.String() != "15.00" {
		t.Errorf("credits %d %s", j.CreditStatements, j.CreditTotal)
	}
}

func TestWholeCreditPosted(t *testing.T) {
	// Only a credit, nothing charged: the credit is posted to the fund.
	st := stmt("2025-01-0010", statement.StatusFinal,
		[]statement.Line{line("HPC", "HPC GPU", "F1", "0.00")},
		statement.Adjustment{Amount: m("-7.00"), Reason: "goodwill", FundOrg: "F1"})
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Lines) != 2 || j.Posted != 1 || j.NetCharged.String() != "-7.00" {
		t.Fatalf("lines %d posted %d net %s", len(j.Lines), j.Posted, j.NetCharged)
	}
	for _, l := range j.Lines {
		if l.Party == PartyFund && (l.Side != Credit || l.Fund != "F1") {
			t.Errorf("the PI fund must be credited: %+v", l)
		}
	}
}

func TestZeroLinesSkippedEvenWithoutMapping(t *testing.T) {
	// A $0 line posts nothing, so it needs neither an account nor a fund.
	st := stmt("2025-01-0011", statement.StatusFinal, []statement.Line{
		line("GCP", "BigQuery", "", "0.00"), line("HPC", "HPC GPU", "F1", "1.00")},
		statement.Adjustment{Amount: m("0.00"), Reason: "nothing"})
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Lines) != 2 || j.Skipped != 2 {
		t.Errorf("lines %d skipped %d", len(j.Lines), j.Skipped)
	}
}

func TestRefuseDraft(t *testing.T) {
	var sts []statement.Statement
	for _, id := range []string{"2025-12-0001", "2025-12-0002", "2025-12-0003", "2025-12-0004", "2025-12-0005", "2025-12-0006", "2025-12-0007"} {
		s := stmt(id, statement.StatusDraft, []statement.Line{line("HPC", "HPC GPU", "F1", "1.00")})
		s.Period = "2025-12"
		sts = append(sts, s)
	}
	_, err := Build(inputs(sts...), sampleAccounts(t), Options{})
	msg := refused(t, err, "draft")
	for _, w := range []string{"7 of 7 statements are drafts", "2025-12-0001", "and 2 more", "--draft"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q:\n%s", w, msg)
		}
	}
	j, err := Build(inputs(sts...), sampleAccounts(t), Options{AllowDraft: true})
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != "RC-2025-12-DRAFT" || j.AccountingDate != "2025-12-31" || !j.Draft {
		t.Errorf("draft journal id %q date %q", j.ID, j.AccountingDate)
	}
	// --draft on final statements keeps the real reference.
	j, err = Build(inputs(stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "1.00")})), sampleAccounts(t), Options{AllowDraft: true})
	if err != nil || j.ID != "RC-2025-01" {
		t.Errorf("id %v err %v", j, err)
	}
}

func TestRefuseUnmappedListsAll(t *testing.T) {
	a := accountsFrom(t, "source,service,service_category,income_account,expense_account\nHPC,HPC GPU,,48120,62120\n")
	st1 := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{
		line("HPC", "HPC GPU", "F1", "1.00"), line("AWS", "Amazon EC2", "F1", "2.00"), line("Storage", "Research Storage", "F1", "3.00")})
	st2 := stmt("2025-01-0002", statement.StatusFinal, []statement.Line{line("AWS", "Amazon EC2", "F2", "4.00")},
		statement.Adjustment{Amount: m("-1.00"), Reason: "x"})
	_, err := Build(inputs(st1, st2), a, Options{})
	msg := refused(t, err, "no-account")
	for _, w := range []string{`"Amazon EC2" (2 lines, first at test.ndjson:1 statement 2025-01-0001)`, `"Research Storage" (1 line`, `service "Adjustment"`, "3 service(s)"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q:\n%s", w, msg)
		}
	}
}

func TestRefuseNoFund(t *testing.T) {
	// A line without fund_org, and an adjustment on a two-fund statement
	// with no fund of its own.
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{
		line("HPC", "HPC GPU", "F1", "1.00"), line("HPC", "HPC Compute", "F2", "2.00"), line("Storage", "Research Storage", "", "3.00")},
		statement.Adjustment{Amount: m("-1.00"), Reason: "credit"})
	_, err := Build(inputs(st), sampleAccounts(t), Options{})
	msg := refused(t, err, "no-fund")
	if !strings.Contains(msg, "test.ndjson:1: fund_org: statement 2025-01-0001 (ada@uni.edu) line 3 (Storage Research Storage, 3.00)") ||
		!strings.Contains(msg, "adjustment 1 (-1.00") {
		t.Errorf("message:\n%s", msg)
	}
	// The statement-level fund_org is used when a line has none.
	st = stmt("2025-01-0002", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "", "1.00")})
	st.FundOrg = "F9"
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil || j.Lines[0].Fund != "F9" {
		t.Fatalf("fallback to statement fund: %v %v", j, err)
	}
}

func TestRefuseUnbalanced(t *testing.T) {
	j, err := Build(inputs(stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "10.00")})), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p := Check(j); len(p) != 0 {
		t.Fatalf("balanced journal fails Check: %v", p)
	}
	bad := *j
	bad.Lines = append([]Line(nil), j.Lines...)
	bad.Lines[1].Amount = m("9.99")
	probs := Check(&bad)
	if len(probs) == 0 || !strings.Contains(probs[0].String(), "debits 10.00 and credits 9.99 do not balance (difference 0.01) [unbalanced]") {
		t.Errorf("Check = %v", probs)
	}
	// Dropping a line unbalances it too (Check never fixes anything).
	bad.Lines = j.Lines[:1]
	if probs := Check(&bad); len(probs) == 0 {
		t.Error("a dropped credit line passed Check")
	}
	// Balanced but not what the statements say is due.
	bad.Lines = append([]Line(nil), j.Lines...)
	bad.Lines[0].Amount, bad.Lines[1].Amount = m("9.00"), m("9.00")
	// Both sides moved: the funds no longer carry the statements' amount
	// due, and income no longer the source total.
	probs = Check(&bad)
	if len(probs) != 2 || !strings.Contains(probs[0].Msg, "differs from the statements' amount due 10.00") ||
		!strings.Contains(probs[1].Msg, "net credited to income 9.00 differs from the source total 10.00") {
		t.Errorf("Check = %v", probs)
	}
}

func TestRefuseBadTotals(t *testing.T) {
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "10.00")})
	st.Totals.AmountDue = m("10.01")
	_, err := Build(inputs(st), sampleAccounts(t), Options{})
	msg := refused(t, err, "bad-totals")
	if !strings.Contains(msg, "totals.amount_due: statement 2025-01-0001: 10.01 but billed 10.00 + adjustments 0.00 gives 10.00") {
		t.Errorf("message:\n%s", msg)
	}
	st = stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "10.00")})
	st.Totals.BilledCost = m("11.00")
	_, err = Build(inputs(st), sampleAccounts(t), Options{})
	refused(t, err, "bad-totals")
}

func TestRefuseMixedPeriodsAndCurrencies(t *testing.T) {
	a := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "1.00")})
	b := stmt("2025-02-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "1.00")})
	b.Period = "2025-02"
	_, err := Build(inputs(a, b), sampleAccounts(t), Options{})
	refused(t, err, "mixed-period")
	j, err := Build(inputs(a, b), sampleAccounts(t), Options{JournalID: "RC-2025-Q1"})
	if err != nil || j.ID != "RC-2025-Q1" || j.AccountingDate != "2025-02-28" {
		t.Fatalf("combined journal: %+v %v", j, err)
	}
	b.Period, b.Currency = "2025-01", "EUR"
	_, err = Build(inputs(a, b), sampleAccounts(t), Options{})
	refused(t, err, "mixed-currency")
}

func TestRefuseOtherInput(t *testing.T) {
	_, err := Build(nil, sampleAccounts(t), Options{})
	refused(t, err, "no-statements")
	st := stmt("", "posted", []statement.Line{line("HPC", "HPC GPU", "F1", "1.00")})
	st.Period = "Jan 2025"
	_, err = Build(inputs(st), sampleAccounts(t), Options{AccountingDate: "31/01/2025"})
	msg := refused(t, err, "bad-status")
	for _, w := range []string{"[no-statement-id]", "[bad-period]", "[bad-date]"} {
		if !strings.Contains(msg, w) {
			t.Errorf("lacks %s:\n%s", w, msg)
		}
	}
}

func TestReadStatementsHostile(t *testing.T) {
	src := "\xEF\xBB\xBF" + `{"statement_id":"a","period":"2025-01","status":"final","lines":[],"adjustments":[],"totals":{"list_cost":"0","discount":"0","billed_cost":"0","adjustments":"0","amount_due":"0"}}` + "\r\n\r\n" +
		`{"statement_id":"b","totals":{"amount_due":"abc"}}` + "\n" +
		"not json\n" +
		`{"statement_id":"c","lines":[{"billed_cost":1.005}]}`
	in, err := ReadStatements(strings.NewReader(src), "s.ndjson")
	re, ok := err.(*RefusedError)
	if !ok || len(re.Problems) != 2 {
		t.Fatalf("err = %v", err)
	}
	if re.Problems[0].Line != 3 || re.Problems[1].Line != 4 || !strings.Contains(re.Error(), "s.ndjson:4: not a statement") {
		t.Errorf("problems: %v", re)
	}
	if len(in) != 2 || in[0].Statement.StatementID != "a" || in[1].Line != 5 {
		t.Fatalf("inputs %+v", in)
	}
	if got := in[1].Statement.Lines[0].BilledCost.String(); got != "1.01" {
		t.Errorf("JSON number 1.005 read as %s (money rounds half away from zero)", got)
	}
}

func TestMoneyNeverFloat(t *testing.T) {
	// Many lines of a third of a cent's worth would drift in float64.
	var lines []statement.Line
	for i := 0; i < 3000; i++ {
		lines = append(lines, line("HPC", "HPC GPU", "F1", "0.10"))
	}
	j, err := Build(inputs(stmt("2025-01-0001", statement.StatusFinal, lines)), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.TotalDebit.String() != "300.00" || !j.TotalDebit.Equal(money.Money{Decimal: decimal.RequireFromString("300")}.Decimal) {
		t.Errorf("total %s", j.TotalDebit)
	}
}

func TestAdjustmentCarriesCommonRefs(t *testing.T) {
	l1, l2 := line("HPC", "HPC GPU", "F1", "10.00"), line("AWS", "Amazon S3", "F1", "5.00")
	l1.Ref1, l2.Ref1, l1.Ref2, l2.Ref2 = "NSF-2401234", "NSF-2401234", "REQ-1", "REQ-2"
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{l1, l2},
		statement.Adjustment{Amount: m("2.00"), Reason: "late usage", Ref: "2024-12"})
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	adj := j.Lines[4]
	if adj.Kind != KindAdjustment || adj.Ref1 != "NSF-2401234" || adj.Ref2 != "" || adj.Description != "2025-01 Ada Lovelace adj late usage (re 2024-12)" {
		t.Errorf("adjustment line %+v", adj)
	}
}

// FuzzBuild feeds arbitrary NDJSON through ReadStatements and Build: no
// panic, and whatever Build accepts passes Check and balances.
func FuzzBuild(f *testing.F) {
	data, err := os.ReadFile("testdata/statements-2025-01.ndjson")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n")[:5] {
		f.Add(l)
	}
	f.Add(`{"statement_id":"x","period":"2025-01","status":"final","lines":[{"source":"HPC","service":"HPC GPU","fund_org":"F","billed_cost":"-1"}],"adjustments":[{"amount":"3"}],"totals":{"billed_cost":"-1","adjustments":"3","amount_due":"2"}}`)
	f.Add(`{"statement_id":"x","period":"2025-13","status":"final"}`)
	a, err := ReadAccounts(strings.NewReader(precedenceCSV+",Adjustment,,F,9,CC,9\n"), "a.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in, _ := ReadStatements(strings.NewReader(s), "fuzz")
		j, err := Build(in, a, Options{AllowDraft: true})
		if err != nil {
			return
		}
		if p := Check(j); len(p) != 0 {
			t.Fatalf("accepted journal fails Check: %v", p)
		}
		if !j.TotalDebit.Equal(j.TotalCredit.Decimal) || !j.NetCharged.Equal(j.ControlTotal.Decimal) {
			t.Fatalf("unbalanced: %s %s %s %s", j.TotalDebit, j.TotalCredit, j.NetCharged, j.ControlTotal)
		}
	})
}

func TestRefuseDuplicateStatement(t *testing.T) {
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F1", "1.00")})
	_, err := Build(inputs(st, st), sampleAccounts(t), Options{})
	msg := refused(t, err, "duplicate-statement")
	if !strings.Contains(msg, "test.ndjson:2: statement_id: statement 2025-01-0001 appears again (first at test.ndjson:1)") {
		t.Errorf("message:\n%s", msg)
	}
}

func TestRefuseControlCharactersInCodes(t *testing.T) {
	l := line("HPC", "HPC GPU", "NSF\x00-1", "1.00")
	l.AccountCode = "62\n100"
	st := stmt("2025-01-0001", statement.StatusFinal, []statement.Line{l})
	st.PI.Name = "Ada\r\nLovelace\x00" // free text is cleaned, not refused
	_, err := Build(inputs(st), sampleAccounts(t), Options{})
	msg := refused(t, err, "bad-code")
	for _, w := range []string{`fund_org: statement 2025-01-0001 line 1: "NSF\x00-1" contains a control character`, `account_code: statement 2025-01-0001 line 1: "62\n100"`} {
		if !strings.Contains(msg, w) {
			t.Errorf("lacks %s:\n%s", w, msg)
		}
	}
	if strings.Contains(msg, "Ada") {
		t.Errorf("PI name refused:\n%s", msg)
	}
	st = stmt("2025-01-0001", statement.StatusFinal, []statement.Line{line("HPC", "HPC GPU", "F", "1.00")})
	st.PI.Name = "Ada\r\nLovelace\x00"
	j, err := Build(inputs(st), sampleAccounts(t), Options{})
	if err != nil || j.Lines[0].PIName != "Ada Lovelace" || j.Lines[0].Description != "2025-01 Ada Lovelace HPC GPU" {
		t.Fatalf("%+v %v", j, err)
	}
}
