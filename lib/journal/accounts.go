package journal

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gocarina/gocsv"
)

// Account is one row of the accounts file: which services it matches and
// where their money goes. Source, Service and ServiceCategory select; an
// empty value or "*" matches anything.
type Account struct {
	Source          string `csv:"source"`
	Service         string `csv:"service"`
	ServiceCategory string `csv:"service_category"`
	// The service centre's side (credited for a charge).
	IncomeFund    string `csv:"income_fund"`    // the service centre's fund (optional)
	IncomeAccount string `csv:"income_account"` // income/recovery object code (required)
	CostCenter    string `csv:"cost_center"`    // the service centre's cost centre/org (optional)
	// The PI's side (debited on the line's fund_org for a charge).
	ExpenseAccount string `csv:"expense_account"` // expense object code (required)
	Description    string `csv:"description"`     // free text, ignored by the journal
	// Kind is "" (a service row) or "rounding": the one row naming the
	// account that takes the difference between the statements (each line
	// rounded once) and the source total (the rows rounded once). Its
	// income_account, income_fund and cost_center say where; it selects no
	// service and needs no expense_account.
	Kind string `csv:"kind"`

	line int // physical line in the accounts file, for diagnostics
}

// Match ranks, most specific first. The rank order is the documented
// precedence (docs/journal-formats.md): a service named at one source beats
// the service anywhere, which beats a category at one source, a category
// anywhere, a whole source, and finally the "*" default.
const (
	rankSourceService = iota
	rankService
	rankSourceCategory
	rankCategory
	rankSource
	rankDefault
	numRanks
)

var rankNames = [numRanks]string{
	"source+service", "service", "source+service_category", "service_category", "source", "default",
}

// Accounts maps services to accounts. Build it with ReadAccounts.
type Accounts struct {
	name     string
	byKey    [numRanks]map[string]*Account
	rows     []Account
	rounding *Account // the kind=rounding row, nil when the file has none
}

// Kinds of accounts rows.
const (
	AccountService  = ""         // a service mapping (the default)
	AccountRounding = "rounding" // where the month's rounding difference posts
)

// Rounding returns the kind=rounding row, or nil when the file has none.
func (a *Accounts) Rounding() *Account { return a.rounding }

// requiredColumns must appear in the header of an accounts file.
var requiredColumns = []string{"source", "service", "service_category", "income_account", "expense_account"}

// knownColumns are the columns an accounts file may carry; anything else is
// probably a typo (e.g. "income_acount") that would silently map nothing.
var knownColumns = map[string]bool{
	"source": true, "service": true, "service_category": true, "income_fund": true,
	"income_account": true, "cost_center": true, "expense_account": true, "description": true, "kind": true,
}

// lineDecoder hands gocsv the records we already read, so that we keep
// each record's physical line for diagnostics (gocsv does not report them).
type lineDecoder struct{ rows [][]string }

func (d lineDecoder) GetCSVRows() ([][]string, error) { return d.rows, nil }

// ReadAccounts reads an accounts CSV file. name is used in diagnostics.
// Lines starting with '#' are comments. Every problem in the file is
// reported at once, one "FILE:LINE: column: message" per line.
func ReadAccounts(r io.Reader, name string) (*Accounts, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &AccountsError{Problems: []string{fmt.Sprintf("%s:%d: column %d: %v (not a CSV accounts file?)", name, pe.Line, pe.Column, pe.Err)}}
		}
		if err != nil {
			return nil, fmt.Errorf("accounts %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("accounts %s: empty file (need a header: %s)", name, strings.Join(requiredColumns, ","))
	}
	header := rows[0]
	seen := map[string]bool{}
	var probs []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		header[i] = h
		if !knownColumns[h] {
			probs = append(probs, fmt.Sprintf("%s:%d: %s: unknown column (known: %s)", name, lines[0], h, strings.Join(sortedKnown(), ", ")))
		}
		if seen[h] {
			probs = append(probs, fmt.Sprintf("%s:%d: %s: duplicate column", name, lines[0], h))
		}
		seen[h] = true
	}
	for _, c := range requiredColumns {
		if !seen[c] {
			probs = append(probs, fmt.Sprintf("%s:%d: %s: required column missing", name, lines[0], c))
		}
	}
	if len(probs) > 0 {
		return nil, &AccountsError{Problems: probs}
	}
	var accts []Account
	if err := gocsv.UnmarshalDecoder(lineDecoder{rows}, &accts); err != nil {
		return nil, fmt.Errorf("accounts %s: %w", name, err)
	}
	a := &Accounts{name: name, rows: accts}
	for i := range a.byKey {
		a.byKey[i] = map[string]*Account{}
	}
	for i := range a.rows {
		acc := &a.rows[i]
		acc.line = lines[i+1]
		acc.Source, acc.Service, acc.ServiceCategory = wild(acc.Source), wild(acc.Service), wild(acc.ServiceCategory)
		acc.IncomeFund = strings.TrimSpace(acc.IncomeFund)
		acc.IncomeAccount = strings.TrimSpace(acc.IncomeAccount)
		acc.CostCenter = strings.TrimSpace(acc.CostCenter)
		acc.ExpenseAccount = strings.TrimSpace(acc.ExpenseAccount)
		acc.Kind = strings.ToLower(strings.TrimSpace(acc.Kind))
		at := fmt.Sprintf("%s:%d", name, acc.line)
		switch acc.Kind {
		case AccountService:
		case AccountRounding:
			switch {
			case acc.IncomeAccount == "":
				probs = append(probs, at+": income_account: empty (the rounding row names the account the rounding difference posts to)")
			case acc.Source != "" || acc.Service != "" || acc.ServiceCategory != "":
				probs = append(probs, at+": kind: a rounding row selects no source, service or service_category")
			case a.rounding != nil:
				probs = append(probs, fmt.Sprintf("%s: kind: a second rounding row (the first is line %d)", at, a.rounding.line))
			default:
				a.rounding = acc
			}
			continue
		default:
			probs = append(probs, fmt.Sprintf("%s: kind: %q is not a kind (empty for a service row, or %q)", at, acc.Kind, AccountRounding))
			continue
		}
		if acc.IncomeAccount == "" {
			probs = append(probs, at+": income_account: empty (every service needs an account to credit)")
		}
		if acc.ExpenseAccount == "" {
			probs = append(probs, at+": expense_account: empty (every service needs an expense code to debit)")
		}
		rank, key, ok := rankOf(acc.Source, acc.Service, acc.ServiceCategory)
		if !ok {
			probs = append(probs, at+": service_category: set either service or service_category, not both (a service has one category)")
			continue
		}
		if prev := a.byKey[rank][key]; prev != nil {
			probs = append(probs, fmt.Sprintf("%s: %s: same match as line %d (ambiguous)", at, rankNames[rank], prev.line))
			continue
		}
		a.byKey[rank][key] = acc
	}
	if len(probs) > 0 {
		return nil, &AccountsError{Problems: probs}
	}
	return a, nil
}

// AccountsError lists every problem found in an accounts file.
type AccountsError struct{ Problems []string }

func (e *AccountsError) Error() string {
	return "accounts file has problems:\n  " + strings.Join(e.Problems, "\n  ")
}

func sortedKnown() []string {
	return []string{"source", "service", "service_category", "income_fund", "income_account", "cost_center", "expense_account", "description", "kind"}
}

// wild normalises a selector: "" and "*" both mean "any".
func wild(s string) string {
	s = strings.TrimSpace(s)
	if s == "*" {
		return ""
	}
	return s
}

// norm is the comparison form of a selector: matching ignores case and
// surrounding space, because "AWS" from one export script and "aws" from
// another are the same source to a billing admin.
func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func rankOf(source, service, category string) (rank int, key string, ok bool) {
	s, v, c := norm(source), norm(service), norm(category)
	switch {
	case v != "" && c != "":
		return 0, "", false
	case s != "" && v != "":
		return rankSourceService, s + "\x00" + v, true
	case v != "":
		return rankService, v, true
	case s != "" && c != "":
		return rankSourceCategory, s + "\x00" + c, true
	case c != "":
		return rankCategory, c, true
	case s != "":
		return rankSource, s, true
	default:
		return rankDefault, "", true
	}
}

// Lookup finds the most specific account for a service (see the rank
// constants for the order). category may be empty when the statement does
// not carry one.
func (a *Accounts) Lookup(source, service, category string) (*Account, bool) {
	s, v, c := norm(source), norm(service), norm(category)
	try := func(rank int, key string) *Account { return a.byKey[rank][key] }
	if v != "" {
		if acc := try(rankSourceService, s+"\x00"+v); acc != nil && s != "" {
			return acc, true
		}
		if acc := try(rankService, v); acc != nil {
			return acc, true
		}
	}
	if c != "" {
		if s != "" {
			if acc := try(rankSourceCategory, s+"\x00"+c); acc != nil {
				return acc, true
			}
		}
		if acc := try(rankCategory, c); acc != nil {
			return acc, true
		}
	}
	if s != "" {
		if acc := try(rankSource, s); acc != nil {
			return acc, true
		}
	}
	if acc := try(rankDefault, ""); acc != nil {
		return acc, true
	}
	return nil, false
}

// Line is the accounts file line a row came from (for diagnostics).
func (a *Account) Line() int { return a.line }
