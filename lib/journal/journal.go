// Package journal turns statements into a balanced general-ledger journal:
// each billed amount debits the PI's fund with an expense object code and
// credits the service centre's income (recovery) account, mapped from the
// service by an accounts file. Nothing is dropped to make a journal
// balance; anything that cannot be posted is a Problem and the whole
// journal is refused.
package journal

import (
	"fmt"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// AdjustmentService is the service name adjustments are mapped by in the
// accounts file: an adjustment has no service of its own, so a row with
// service "Adjustment" names where credits and manual charges post;
// without one the "*" default applies.
const AdjustmentService = "Adjustment"

// Kinds of journal line.
const (
	KindCharge     = "charge"
	KindAdjustment = "adjustment"
	KindRounding   = "rounding" // the pair that ties the month to the source total
)

// Sides of a journal line.
const (
	Debit  = "D"
	Credit = "C"
)

// Parties of a journal line.
const (
	PartyFund   = "fund"   // the PI's fund_org, with an expense object code
	PartyIncome = "income" // the service centre, with its income/recovery account
	// PartyRounding is the accounts file's kind=rounding account: it takes
	// the difference between the statements and the source total.
	PartyRounding = "rounding"
)

// Line is one journal line: one side of one posting. Every posting is a
// debit line followed by its credit line, so each pair balances and every
// line can be traced back to its statement.
type Line struct {
	LineNo      int    // 1-based within the journal
	Side        string // "D" or "C"
	Party       string // "fund" (the PI's fund_org) or "income" (the service centre)
	Fund        string // fund/org to post to: the PI's fund_org, or the service centre's income_fund
	CostCenter  string // cost centre/org: the line's cost_center tag on the PI side, the service centre's on the income side
	Account     string // object code: expense (PI side, or the account_code override) or income
	Amount      money.Money
	Description string // readable, e.g. "2025-01 Ada Lovelace HPC Compute"; formats cut it to their limit

	Kind        string // charge | adjustment
	StatementID string
	Period      string
	Currency    string
	PIEmail     string
	PIName      string
	ProjectID   string
	Source      string
	Service     string
	Ref1, Ref2  string // --tag-ref1/--tag-ref2 values, e.g. a grant number
	// Partner is the other side's fund/account of the posting, handy for
	// layouts that put both on one row.
	PartnerFund, PartnerAccount string
}

// Debit is the amount when this is a debit line, else zero.
func (l Line) Debit() money.Money {
	if l.Side == Debit {
		return l.Amount
	}
	return money.Zero
}

// Credit is the amount when this is a credit line, else zero.
func (l Line) Credit() money.Money {
	if l.Side == Credit {
		return l.Amount
	}
	return money.Zero
}

// Signed is the amount with debits positive and credits negative (the
// one-amount layout, e.g. PeopleSoft's MONETARY_AMOUNT).
func (l Line) Signed() money.Money {
	if l.Side == Credit {
		return l.Amount.Neg()
	}
	return l.Amount
}

// Journal is a built, balanced journal.
type Journal struct {
	ID             string // stable external reference, e.g. RC-2025-01
	AccountingDate string // YYYY-MM-DD
	Periods        []string
	Currency       string
	Draft          bool // built from draft statements (--draft)
	Lines          []Line

	Statements   int         // statements read
	Posted       int         // statements with at least one posted line
	TotalDebit   money.Money // sum of debit lines
	TotalCredit  money.Money // sum of credit lines
	ControlTotal money.Money // sum of the statements' amount_due
	NetCharged   money.Money // PI-fund debits minus PI-fund credits; Check makes it equal ControlTotal
	Skipped      int         // $0 statement lines and adjustments, not posted

	// Statements with a negative amount due (a credit to the PI's fund,
	// posted like any other credit) and the sum of those credits.
	CreditStatements int
	CreditTotal      money.Money

	// Tie is the tie-out to the source: Source (the rows' billed cost
	// summed exactly and rounded once per period, plus the adjustments) =
	// Statements (Σ amount_due, the ControlTotal) + Rounding. The income
	// lines net to Source, the PI funds to Statements, and the rounding
	// lines carry the difference to the kind=rounding account.
	Tie statement.TieOut
	// NetIncome is income credits minus income debits; Check makes it
	// equal Tie.Source.
	NetIncome money.Money
}

// Input is one statement with where it came from, for diagnostics.
type Input struct {
	Statement statement.Statement
	File      string
	Line      int
}

// Options steer Build.
type Options struct {
	JournalID      string // "" = RC-<period>
	AccountingDate string // "" = last day of the (latest) period
	AllowDraft     bool
}

// Problem is a reason to refuse the journal.
type Problem struct {
	File   string
	Line   int
	Column string
	Msg    string
	Rule   string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	s := loc + ": "
	if p.Column != "" {
		s += p.Column + ": "
	}
	s += p.Msg
	if p.Rule != "" {
		s += " [" + p.Rule + "]"
	}
	return s
}

// RefusedError is returned when the journal cannot be written; it lists
// every problem at once so one run shows everything to fix.
type RefusedError struct{ Problems []Problem }

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "journal refused, nothing written (%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// unmapped collects the statement lines of one service with no account.
type unmapped struct {
	source, service, category string
	count                     int
	first                     string // first place it occurs
}

// Build posts the statements. It returns a *RefusedError listing every
// problem when the journal cannot be posted as a whole.
func Build(inputs []Input, accts *Accounts, opt Options) (*Journal, error) {
	j := &Journal{Statements: len(inputs), Draft: opt.AllowDraft && hasDraft(inputs)}
	var probs []Problem
	if len(inputs) == 0 {
		return nil, &RefusedError{[]Problem{{File: "-", Msg: "no statements on input (expected focus-statement NDJSON)", Rule: "no-statements"}}}
	}

	periods := map[string]bool{}
	rs := roundingSums{}
	currencies := map[string]bool{}
	var drafts []string
	draftAt := ""
	missing := map[string]*unmapped{}
	var missingOrder []string
	seen := map[string]string{} // statement id → where it was first read

	// Size the journal once: growing a slice of wide Line structs was most
	// of the build time of a large journal.
	n := 0
	for _, in := range inputs {
		n += len(in.Statement.Lines) + len(in.Statement.Adjustments)
	}
	j.Lines = make([]Line, 0, 2*n)

	for _, in := range inputs {
		st := in.Statement
		at := Problem{File: in.File, Line: in.Line}
		if st.Period != "" {
			periods[st.Period] = true
		}
		if _, err := periodEnd(st.Period); err != nil {
			p := at
			p.Column, p.Msg, p.Rule = "period", fmt.Sprintf("statement %s: %v", st.StatementID, err), "bad-period"
			probs = append(probs, p)
		}
		cur := strings.ToUpper(strings.TrimSpace(st.Currency))
		if cur == "" {
			cur = "USD"
		}
		currencies[cur] = true
		switch st.Status {
		case statement.StatusFinal:
		case statement.StatusDraft:
			if !opt.AllowDraft {
				drafts = append(drafts, st.StatementID)
				if draftAt == "" {
					draftAt = fmt.Sprintf("%s:%d", in.File, in.Line)
				}
			}
		default:
			p := at
			p.Column, p.Msg, p.Rule = "status", fmt.Sprintf("statement %s: status %q is neither draft nor final", st.StatementID, st.Status), "bad-status"
			probs = append(probs, p)
		}
		if st.StatementID == "" {
			p := at
			p.Column, p.Msg, p.Rule = "statement_id", "statement has no statement_id (every journal line references one)", "no-statement-id"
			probs = append(probs, p)
		} else if prev, dup := seen[st.StatementID]; dup {
			// The same file given twice, or two runs concatenated, would
			// post every charge twice and still balance.
			p := at
			p.Column, p.Msg, p.Rule = "statement_id", fmt.Sprintf("statement %s appears again (first at %s); a statement is posted once", st.StatementID, prev), "duplicate-statement"
			probs = append(probs, p)
		} else {
			seen[st.StatementID] = fmt.Sprintf("%s:%d", in.File, in.Line)
		}
		probs = append(probs, checkTotals(in)...)
		probs = append(probs, checkCodes(in)...)

		who := st.PI.Name
		if strings.TrimSpace(who) == "" {
			who = st.PI.Email
		}
		base := Line{
			StatementID: st.StatementID, Period: st.Period, Currency: cur,
			PIEmail: st.PI.Email, PIName: CleanText(st.PI.Name),
		}

		// Postings of this statement: charges, then adjustments.
		type posting struct {
			Line
			acct    *Account
			amount  money.Money // signed: > 0 charges the PI's fund
			expense string
		}
		var ps []posting
		for i, l := range st.Lines {
			exact, err := l.ExactBilled()
			if err != nil {
				p := at
				p.Column, p.Msg, p.Rule = "billed_cost_exact", fmt.Sprintf("statement %s line %d (%s %s): %v", st.StatementID, i+1, l.Source, l.Service, err), "bad-totals"
				probs = append(probs, p)
				continue
			}
			if l.BilledCost.IsZero() && exact.IsZero() {
				j.Skipped++
				continue
			}
			fund := firstNonEmpty(l.FundOrg, st.FundOrg)
			// A line that rounds to $0 charges no fund (only its income
			// account's share of the source total needs it).
			if fund == "" && !l.BilledCost.IsZero() {
				p := at
				p.Column = "fund_org"
				p.Msg = fmt.Sprintf("statement %s (%s) line %d (%s %s, %s): no fund_org to charge", st.StatementID, st.PI.Email, i+1, l.Source, l.Service, l.BilledCost)
				p.Rule = "no-fund"
				probs = append(probs, p)
			}
			acct, ok := accts.Lookup(l.Source, l.Service, l.ServiceCategory)
			if !ok {
				k := norm(l.Source) + "\x00" + norm(l.Service) + "\x00" + norm(l.ServiceCategory)
				u := missing[k]
				if u == nil {
					u = &unmapped{source: l.Source, service: l.Service, category: l.ServiceCategory,
						first: fmt.Sprintf("%s:%d statement %s", in.File, in.Line, st.StatementID)}
					missing[k] = u
					missingOrder = append(missingOrder, k)
				}
				u.count++
				continue
			}
			// The line's exact amount counts toward its income account's
			// share of the source total, even when it rounds to $0.
			rs.add(st.Period, acct, exact, l.BilledCost)
			if l.BilledCost.IsZero() {
				j.Skipped++
				continue
			}
			pl := base
			pl.Kind = KindCharge
			pl.Fund = fund
			pl.CostCenter = l.CostCenter
			pl.ProjectID = firstNonEmpty(l.ProjectID, st.ProjectID)
			pl.Source, pl.Service = l.Source, l.Service
			pl.Ref1, pl.Ref2 = l.Ref1, l.Ref2
			what := l.Service
			if l.BilledCost.IsNegative() {
				what += " credit" // tells it apart from the same service's charge
			}
			pl.Description = describe(st.Period, who, what)
			ps = append(ps, posting{Line: pl, acct: acct, amount: l.BilledCost, expense: firstNonEmpty(l.AccountCode, acct.ExpenseAccount)})
		}
		for i, a := range st.Adjustments {
			if a.Amount.IsZero() {
				j.Skipped++
				continue
			}
			fund := firstNonEmpty(a.FundOrg, st.FundOrg)
			if fund == "" {
				p := at
				p.Column = "fund_org"
				p.Msg = fmt.Sprintf("statement %s (%s) adjustment %d (%s, %q): no fund_org (the adjustment names none and the statement's lines do not share one)", st.StatementID, st.PI.Email, i+1, a.Amount, a.Reason)
				p.Rule = "no-fund"
				probs = append(probs, p)
			}
			acct, ok := accts.Lookup("", AdjustmentService, "")
			if !ok {
				k := "\x00" + norm(AdjustmentService) + "\x00"
				u := missing[k]
				if u == nil {
					u = &unmapped{service: AdjustmentService, first: fmt.Sprintf("%s:%d statement %s", in.File, in.Line, st.StatementID)}
					missing[k] = u
					missingOrder = append(missingOrder, k)
				}
				u.count++
				continue
			}
			pl := base
			pl.Kind = KindAdjustment
			pl.Fund = fund
			pl.ProjectID = firstNonEmpty(a.ProjectID, st.ProjectID)
			pl.Service = AdjustmentService
			// An adjustment has no tags of its own: it carries the
			// reference values (e.g. the grant) its fund's lines agree on.
			pl.Ref1, pl.Ref2 = commonRefs(st.Lines, fund)
			what := "adj " + a.Reason
			if a.Ref != "" {
				what += " (re " + a.Ref + ")"
			}
			pl.Description = describe(st.Period, who, what)
			ps = append(ps, posting{Line: pl, acct: acct, amount: a.Amount, expense: acct.ExpenseAccount})
		}

		posted := false
		for _, p := range ps {
			if p.amount.IsZero() {
				continue
			}
			d, c := p.Line, p.Line
			amt := p.amount
			if amt.IsPositive() {
				// A charge: debit the PI's fund (expense), credit the service centre (income).
				d.Account = p.expense
				c.Fund, c.CostCenter, c.Account = p.acct.IncomeFund, p.acct.CostCenter, p.acct.IncomeAccount
			} else {
				// A credit reverses the direction: debit the service centre's
				// income, credit the PI's fund.
				amt = amt.Neg()
				d.Fund, d.CostCenter, d.Account = p.acct.IncomeFund, p.acct.CostCenter, p.acct.IncomeAccount
				c.Account = p.expense
			}
			d.Side, c.Side = Debit, Credit
			if p.amount.IsPositive() {
				d.Party, c.Party = PartyFund, PartyIncome
			} else {
				d.Party, c.Party = PartyIncome, PartyFund
			}
			d.Amount, c.Amount = amt, amt
			d.PartnerFund, d.PartnerAccount = c.Fund, c.Account
			c.PartnerFund, c.PartnerAccount = d.Fund, d.Account
			j.Lines = append(j.Lines, d, c)
			posted = true
		}
		if posted {
			j.Posted++
		}
		j.ControlTotal = j.ControlTotal.Add(st.Totals.AmountDue)
		if st.Totals.AmountDue.IsNegative() {
			j.CreditStatements++
			j.CreditTotal = j.CreditTotal.Add(st.Totals.AmountDue.Neg())
		}
	}

	if len(drafts) > 0 {
		shown := drafts
		more := ""
		if len(shown) > 5 {
			more = fmt.Sprintf(" and %d more", len(shown)-5)
			shown = shown[:5]
		}
		file, line := splitAt(draftAt)
		// First in the list: it is the one to fix first (finalize), and
		// it explains the others' context (a period still under review).
		probs = append([]Problem{{File: file, Line: line, Column: "status",
			Msg: fmt.Sprintf("%d of %d statements are drafts (%s%s): journals post final statements only; finalize the period (focus-load periods finalize) or pass --draft for a trial journal",
				len(drafts), len(inputs), strings.Join(shown, ", "), more),
			Rule: "draft"}}, probs...)
	}
	if len(missingOrder) > 0 {
		var names []string
		for _, k := range missingOrder {
			u := missing[k]
			s := fmt.Sprintf("source %q service %q", u.source, u.service)
			if u.category != "" {
				s += fmt.Sprintf(" category %q", u.category)
			}
			s += fmt.Sprintf(" (%d line", u.count)
			if u.count != 1 {
				s += "s"
			}
			s += ", first at " + u.first + ")"
			names = append(names, s)
		}
		probs = append(probs, Problem{File: accts.name, Column: "income_account",
			Msg:  fmt.Sprintf("%d service(s) have no account mapping; add a row for each (or a service_category, source or * default row):\n    %s", len(names), strings.Join(names, "\n    ")),
			Rule: "no-account"})
	}
	if len(currencies) > 1 {
		probs = append(probs, Problem{File: inputs[0].File, Column: "currency",
			Msg: fmt.Sprintf("statements in more than one currency (%s): one journal posts one currency", strings.Join(sortedKeys(currencies), ", ")), Rule: "mixed-currency"})
	}
	ps := sortedKeys(periods)
	j.Periods = ps
	for c := range currencies {
		j.Currency = c
	}
	j.ID = opt.JournalID
	if j.ID == "" {
		switch len(ps) {
		case 1:
			j.ID = "RC-" + ps[0]
			if j.Draft {
				// A trial journal must not take the reference the real one
				// will be recognised by.
				j.ID += "-DRAFT"
			}
		case 0:
		default:
			probs = append(probs, Problem{File: inputs[0].File, Column: "period",
				Msg: fmt.Sprintf("statements of several periods (%s): pass --journal-id to name the combined journal", strings.Join(ps, ", ")), Rule: "mixed-period"})
		}
	}
	j.AccountingDate = opt.AccountingDate
	if j.AccountingDate == "" && len(ps) > 0 {
		if end, err := periodEnd(ps[len(ps)-1]); err == nil {
			j.AccountingDate = end
		}
	} else if j.AccountingDate != "" {
		if _, err := time.Parse("2006-01-02", j.AccountingDate); err != nil {
			probs = append(probs, Problem{File: "--accounting-date", Msg: fmt.Sprintf("%q is not a date YYYY-MM-DD", j.AccountingDate), Rule: "bad-date"})
		}
	}

	if len(probs) == 0 {
		sts := make([]statement.Statement, len(inputs))
		for i := range inputs {
			sts[i] = inputs[i].Statement
		}
		tie, err := statement.Tie(sts)
		if err != nil {
			probs = append(probs, Problem{File: inputs[0].File, Column: "billed_cost_exact", Msg: err.Error(), Rule: "bad-totals"})
		}
		j.Tie = tie
		cur := ""
		for c := range currencies {
			cur = c
		}
		probs = append(probs, rs.post(j, accts, cur)...)
	}
	for i := range j.Lines {
		j.Lines[i].LineNo = i + 1
	}
	j.TotalDebit, j.TotalCredit = money.Zero, money.Zero
	for _, l := range j.Lines {
		j.TotalDebit = j.TotalDebit.Add(l.Debit())
		j.TotalCredit = j.TotalCredit.Add(l.Credit())
	}
	if len(probs) == 0 {
		probs = append(probs, Check(j)...)
	}
	if len(probs) > 0 {
		return nil, &RefusedError{probs}
	}
	return j, nil
}

// netOf sums the amounts of party's lines: those on side plus, less all
// the others.
func netOf(lines []Line, party, plus string) money.Money {
	net := money.Zero
	for _, l := range lines {
		if l.Party != party {
			continue
		}
		if l.Side == plus {
			net = net.Add(l.Amount)
		} else {
			net = net.Sub(l.Amount)
		}
	}
	return net
}

// Check verifies that a journal balances: total debits equal total
// credits, each line's amount is positive and on one side, and the net
// charge to PI funds equals the statements' amount due (the control
// total). It never changes the journal.
func Check(j *Journal) []Problem {
	var probs []Problem
	d, c := money.Zero, money.Zero
	for _, l := range j.Lines {
		switch l.Side {
		case Debit:
			d = d.Add(l.Amount)
		case Credit:
			c = c.Add(l.Amount)
		default:
			probs = append(probs, Problem{File: j.ID, Column: "side", Msg: fmt.Sprintf("line %d: side %q is neither D nor C", l.LineNo, l.Side), Rule: "unbalanced"})
		}
		if !l.Amount.IsPositive() {
			probs = append(probs, Problem{File: j.ID, Column: "amount", Msg: fmt.Sprintf("line %d: amount %s is not positive", l.LineNo, l.Amount), Rule: "unbalanced"})
		}
	}
	if !d.Equal(c.Decimal) {
		probs = append(probs, Problem{File: j.ID, Column: "amount",
			Msg: fmt.Sprintf("debits %s and credits %s do not balance (difference %s)", d, c, d.Sub(c)), Rule: "unbalanced"})
	}
	// Net charge to PI funds: PI-side debits (charges) minus PI-side credits.
	net := netOf(j.Lines, PartyFund, Debit)
	j.NetCharged = net
	if !net.Equal(j.ControlTotal.Decimal) {
		probs = append(probs, Problem{File: j.ID, Column: "amount",
			Msg: fmt.Sprintf("net charged to PI funds %s differs from the statements' amount due %s", net, j.ControlTotal), Rule: "unbalanced"})
	}
	// Net credited to the service centres' income: the source total.
	inc := netOf(j.Lines, PartyIncome, Credit)
	j.NetIncome = inc
	if !inc.Equal(j.Tie.Source.Decimal) {
		probs = append(probs, Problem{File: j.ID, Column: "amount",
			Msg: fmt.Sprintf("net credited to income %s differs from the source total %s", inc, j.Tie.Source), Rule: "unbalanced"})
	}
	if !j.Tie.Statements.Equal(j.ControlTotal.Decimal) || !j.Tie.Rounding.Equal(j.Tie.Source.Sub(j.Tie.Statements).Decimal) {
		probs = append(probs, Problem{File: j.ID, Column: "amount",
			Msg: fmt.Sprintf("tie-out source %s = statements %s + rounding %s does not hold (control total %s)", j.Tie.Source, j.Tie.Statements, j.Tie.Rounding, j.ControlTotal), Rule: "unbalanced"})
	}
	return probs
}
