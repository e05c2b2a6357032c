package journal

import (
	"strings"
	"testing"
)

const precedenceCSV = `source,service,service_category,income_fund,income_account,cost_center,expense_account
AWS,Amazon EC2,,F,1-src-svc,CC,E1
*,Amazon EC2,*,F,2-svc,CC,E2
AWS,,Compute,F,3-src-cat,CC,E3
,,Compute,F,4-cat,CC,E4
AWS,,,F,5-src,CC,E5
*,*,*,F,6-default,CC,E6
`

func TestLookupPrecedence(t *testing.T) {
	a := accountsFrom(t, precedenceCSV)
	cases := []struct{ source, service, category, want string }{
		{"AWS", "Amazon EC2", "Compute", "1-src-svc"},
		{"aws", " amazon ec2 ", "", "1-src-svc"}, // case and space do not matter
		{"Azure", "Amazon EC2", "Compute", "2-svc"},
		{"", "Amazon EC2", "", "2-svc"},
		{"AWS", "Amazon S3", "Compute", "3-src-cat"},
		{"Azure", "Virtual Machines", "Compute", "4-cat"},
		{"AWS", "Amazon S3", "Storage", "5-src"},
		{"AWS", "Amazon S3", "", "5-src"},
		{"HPC", "HPC GPU", "Storage", "6-default"},
		{"", "", "", "6-default"},
	}
	for _, c := range cases {
		got, ok := a.Lookup(c.source, c.service, c.category)
		if !ok || got.IncomeAccount != c.want {
			t.Errorf("Lookup(%q,%q,%q) = %v, want %s", c.source, c.service, c.category, got, c.want)
		}
	}
}

func TestLookupNoDefault(t *testing.T) {
	a := accountsFrom(t, "source,service,service_category,income_account,expense_account\nHPC,HPC Compute,,48110,62110\n")
	if _, ok := a.Lookup("HPC", "HPC GPU", "Compute"); ok {
		t.Fatal("HPC GPU mapped without a row for it")
	}
	if acc, ok := a.Lookup("hpc", "HPC COMPUTE", ""); !ok || acc.ExpenseAccount != "62110" {
		t.Fatalf("got %v %v", acc, ok)
	}
}

func TestSampleAccountsCoverBundledServices(t *testing.T) {
	a := sampleAccounts(t)
	// Every service in testdata/2025-01 and 2025-12, with and without a
	// category (the 12-column OpenChargeback files carry none).
	for _, s := range [][3]string{
		{"AWS", "Amazon EC2", "Compute"}, {"AWS", "Amazon S3", "Storage"},
		{"AWS", "Amazon SageMaker", "AI and Machine Learning"}, {"AWS", "Amazon SageMaker", ""},
		{"Azure", "Virtual Machines", "Compute"}, {"Azure", "Storage Accounts", "Storage"},
		{"HPC", "HPC Compute", "Compute"}, {"HPC", "HPC GPU", ""},
		{"Storage", "Research Storage", "Storage"},
		{"GCP", "Compute Engine", "Compute"}, // unknown source: category fallback
		{"", AdjustmentService, ""},
	} {
		if _, ok := a.Lookup(s[0], s[1], s[2]); !ok {
			t.Errorf("sample accounts.csv does not map %q", s)
		}
	}
	if _, ok := a.Lookup("GCP", "BigQuery", "Analytics"); ok {
		t.Error("sample accounts.csv has a catch-all default; it should not")
	}
	acc, _ := a.Lookup("HPC", "HPC GPU", "Compute")
	if acc.IncomeAccount != "48120" || acc.ExpenseAccount != "62120" || acc.CostCenter != "RC-HPC" || acc.IncomeFund != "SC-RESCOMP" {
		t.Errorf("HPC GPU row = %+v", acc)
	}
}

func TestReadAccountsBOMCommentsCRLF(t *testing.T) {
	src := "\uFEFFSource,Service,Service_Category,Income_Account,Expense_Account\r\n# a comment\r\nHPC,,,48100,62100\r\n"
	a := accountsFrom(t, src)
	acc, ok := a.Lookup("HPC", "anything", "")
	if !ok || acc.IncomeAccount != "48100" || acc.Line() != 3 {
		t.Fatalf("got %+v ok=%v", acc, ok)
	}
}

func TestReadAccountsProblems(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"missing column", "source,service,income_account,expense_account\nHPC,,1,2\n", "service_category: required column missing"},
		{"typo column", "source,service,service_category,income_acount,income_account,expense_account\nHPC,,,1,1,2\n", "income_acount: unknown column"},
		{"duplicate column", "source,service,service_category,income_account,income_account,expense_account\nHPC,,,1,1,2\n", "income_account: duplicate column"},
		{"empty income", "source,service,service_category,income_account,expense_account\nHPC,,,,62100\n", "x.csv:2: income_account: empty"},
		{"empty expense", "source,service,service_category,income_account,expense_account\nHPC,,,48100,\n", "x.csv:2: expense_account: empty"},
		{"ambiguous", "source,service,service_category,income_account,expense_account\nHPC,,,1,2\nhpc,*,,3,4\n", "x.csv:3: source: same match as line 2"},
		{"service and category", "source,service,service_category,income_account,expense_account\nHPC,HPC GPU,Compute,1,2\n", "x.csv:2: service_category: set either service or service_category"},
		{"ragged", "source,service,service_category,income_account,expense_account\nHPC,,1,2\n", "x.csv:2: column 1: wrong number of fields"},
		{"empty file", "", "empty file"},
	}
	for _, c := range cases {
		_, err := ReadAccounts(strings.NewReader(c.src), "x.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// All problems at once.
	_, err := ReadAccounts(strings.NewReader("source,service,service_category,income_account,expense_account\nA,,,,1\nB,,,2,\n"), "x.csv")
	if err == nil || !strings.Contains(err.Error(), "x.csv:2: income_account") || !strings.Contains(err.Error(), "x.csv:3: expense_account") {
		t.Errorf("want both problems, got %v", err)
	}
}
