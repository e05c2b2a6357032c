package journal

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// What focus-journal and the web's journal page share: the layout and the
// accounts file are read, and the summary printed, by these functions, so
// the two doors give the same journal byte for byte.

// LoadTemplate is the layout of --template FILE, else of the built-in
// --format. Errors name the flag they come from.
func LoadTemplate(format, file string) (*template.Template, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--template: %w", err)
		}
		return ParseTemplate(filepath.Base(file), string(b))
	}
	src, err := BuiltinTemplate(format)
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	return ParseTemplate(format, src)
}

// LoadAccounts reads the accounts file. A file with wrong rows returns an
// *AccountsError.
func LoadAccounts(name string) (*Accounts, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--accounts: %w", err)
	}
	defer f.Close()
	return ReadAccounts(f, name)
}

// FromStatements turns statements built in memory into journal inputs the
// way focus-journal sees them: written as statement NDJSON and read back.
// The round trip is the point: the journal then cannot depend on anything
// the NDJSON does not carry, so a journal made from the ledger by the web
// equals the one focus-journal makes from focus-statement's output.
func FromStatements(sts []statement.Statement, name string) ([]Input, error) {
	var buf bytes.Buffer
	if err := statement.WriteNDJSON(&buf, sts); err != nil {
		return nil, err
	}
	return ReadStatements(&buf, name)
}

// WriteSummary prints the totals and the balance check of a journal, as
// focus-journal prints them on stderr.
func WriteSummary(w io.Writer, j *Journal) {
	id := j.ID
	if j.Draft {
		id += " (includes draft statements: trial only)"
	}
	fmt.Fprintf(w, "focus-journal: journal %s, period %s, accounting date %s, %s\n", id, strings.Join(j.Periods, "+"), j.AccountingDate, j.Currency)
	fmt.Fprintf(w, "  lines %d  statements %d (%d posted, %d with nothing due)  $0 lines skipped %d\n",
		len(j.Lines), j.Statements, j.Posted, j.Statements-j.Posted, j.Skipped)
	fmt.Fprintf(w, "  total debits %s  total credits %s\n", money.Display(j.TotalDebit, j.Currency), money.Display(j.TotalCredit, j.Currency))
	fmt.Fprintf(w, "  net charged to PI funds %s = control total (statements' amount due) %s\n",
		money.Display(j.NetCharged, j.Currency), money.Display(j.ControlTotal, j.Currency))
	fmt.Fprintf(w, "  %s\n", j.TieOutLine())
	if j.CreditStatements > 0 {
		fmt.Fprintf(w, "  %d statements with a negative amount due: %s credited to PI funds (included in the net)\n", j.CreditStatements, money.Display(j.CreditTotal, j.Currency))
	}
}
