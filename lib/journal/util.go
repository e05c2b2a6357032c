package journal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

// periodEnd is the last day of a YYYY-MM period.
func periodEnd(period string) (string, error) {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return "", fmt.Errorf("period %q is not YYYY-MM", period)
	}
	return t.AddDate(0, 1, -1).Format("2006-01-02"), nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func hasDraft(inputs []Input) bool {
	for _, in := range inputs {
		if in.Statement.Status == statement.StatusDraft {
			return true
		}
	}
	return false
}

// splitAt splits "FILE:LINE".
func splitAt(at string) (string, int) {
	i := strings.LastIndexByte(at, ':')
	if i < 0 {
		return at, 0
	}
	n, err := strconv.Atoi(at[i+1:])
	if err != nil {
		return at, 0
	}
	return at[:i], n
}

// describe builds a line description: "2025-01 Ada Lovelace HPC Compute".
// Control characters (a reason typed with a newline, a tab) become
// spaces, because a journal line is one line in every ERP.
func describe(period, who, what string) string {
	parts := []string{period, who, what}
	var b strings.Builder
	for _, p := range parts {
		p = CleanText(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// checkTotals verifies that a statement's totals are the sums of its lines
// (the rule every tool relies on to agree to the cent). A statement that
// does not add up is refused rather than posted from either figure.
func checkTotals(in Input) []Problem {
	st := in.Statement
	billed, adj := money.Zero, money.Zero
	for _, l := range st.Lines {
		billed = billed.Add(l.BilledCost)
	}
	for _, a := range st.Adjustments {
		adj = adj.Add(a.Amount)
	}
	var probs []Problem
	bad := func(col, msg string) {
		probs = append(probs, Problem{File: in.File, Line: in.Line, Column: col,
			Msg: fmt.Sprintf("statement %s: %s", st.StatementID, msg), Rule: "bad-totals"})
	}
	if !billed.Equal(st.Totals.BilledCost.Decimal) {
		bad("totals.billed_cost", fmt.Sprintf("%s but its lines sum to %s", st.Totals.BilledCost, billed))
	}
	if !adj.Equal(st.Totals.Adjustments.Decimal) {
		bad("totals.adjustments", fmt.Sprintf("%s but its adjustments sum to %s", st.Totals.Adjustments, adj))
	}
	due := billed.Add(adj) // a negative amount due is a credit, never clamped
	if !due.Equal(st.Totals.AmountDue.Decimal) {
		bad("totals.amount_due", fmt.Sprintf("%s but billed %s + adjustments %s gives %s", st.Totals.AmountDue, billed, adj, due))
	}
	return probs
}

// commonRefs returns the ref1 and ref2 shared by every line of the
// statement on fund ("" where they differ or there is no such line).
func commonRefs(lines []statement.Line, fund string) (ref1, ref2 string) {
	first := true
	for _, l := range lines {
		if firstNonEmpty(l.FundOrg) != fund && l.FundOrg != "" {
			continue
		}
		if first {
			ref1, ref2, first = l.Ref1, l.Ref2, false
			continue
		}
		if l.Ref1 != ref1 {
			ref1 = ""
		}
		if l.Ref2 != ref2 {
			ref2 = ""
		}
	}
	return ref1, ref2
}

// checkCodes refuses control characters (NUL, tab, CR, LF, ...) in the
// codes a journal line posts to or references. Free text (names, reasons)
// is cleaned instead, but a fund or account code with a hidden character
// would post to an account nobody can find, so it is not guessed at.
func checkCodes(in Input) []Problem {
	st := in.Statement
	var probs []Problem
	check := func(col, where, v string) {
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			probs = append(probs, Problem{File: in.File, Line: in.Line, Column: col,
				Msg: fmt.Sprintf("statement %s%s: %q contains a control character", st.StatementID, where, v), Rule: "bad-code"})
		}
	}
	check("statement_id", "", st.StatementID)
	check("pi.email", "", st.PI.Email)
	check("fund_org", "", st.FundOrg)
	check("project_id", "", st.ProjectID)
	for i, l := range st.Lines {
		w := fmt.Sprintf(" line %d", i+1)
		for _, f := range [][2]string{{"source", l.Source}, {"service", l.Service}, {"project_id", l.ProjectID},
			{"fund_org", l.FundOrg}, {"cost_center", l.CostCenter}, {"account_code", l.AccountCode}, {"ref1", l.Ref1}, {"ref2", l.Ref2}} {
			check(f[0], w, f[1])
		}
	}
	for i, a := range st.Adjustments {
		w := fmt.Sprintf(" adjustment %d", i+1)
		check("fund_org", w, a.FundOrg)
		check("project_id", w, a.ProjectID)
	}
	return probs
}
