package statement

import "strings"

// UnderReviewMark is the mark a line under review carries on the PDF, the
// web pages and the e-mail.
const UnderReviewMark = "under review"

// UnderReviewSentence says what the mark means, once per statement that
// has a line under review (drafts only: a period is not finalized while
// review items are pending).
const UnderReviewSentence = "Lines marked \"under review\" include charges a reviewer has not approved yet: they may still change or be removed before this statement is final. If you think one is wrong, dispute it now."

// NoDescriptionCredit is what a credit line without a provider description
// says, so no credit is a bare negative number.
const NoDescriptionCredit = "Credit (the provider gave no description)"

// Explain is what a statement shows to say what the line is: its
// description, else, for a credit (a negative amount), that it is one;
// "" for an ordinary usage line.
func (l Line) Explain() string {
	if strings.TrimSpace(l.Description) != "" {
		return l.Description
	}
	if l.BilledCost.IsNegative() || l.ListCost.IsNegative() {
		return NoDescriptionCredit
	}
	return ""
}

// HasUnderReview reports whether any line of st is under review.
func HasUnderReview(st *Statement) bool {
	for i := range st.Lines {
		if st.Lines[i].UnderReview {
			return true
		}
	}
	return false
}

// Qualifiers returns, for each line, the keys of the line that the
// statement's tables do not print (account code, cost centre, refs),
// labelled and joined ("cost centre CC-1 · account 6100"), but only where
// another line of the statement prints the same source, service, project,
// fund, unit and description: two lines that look alike must say how they
// differ. Other lines get "".
func Qualifiers(st *Statement) []string {
	out := make([]string, len(st.Lines))
	printed := func(l *Line) string {
		return strings.Join([]string{l.Source, l.Service, l.ProjectID, l.FundOrg, l.Unit, l.Description}, "\x00")
	}
	n := map[string]int{}
	for i := range st.Lines {
		n[printed(&st.Lines[i])]++
	}
	for i := range st.Lines {
		l := &st.Lines[i]
		if n[printed(l)] < 2 {
			continue
		}
		var parts []string
		for _, f := range [][2]string{{"cost centre", l.CostCenter}, {"account", l.AccountCode}, {"ref", l.Ref1}, {"ref 2", l.Ref2}} {
			if f[1] != "" {
				parts = append(parts, f[0]+" "+f[1])
			}
		}
		if len(parts) == 0 {
			parts = []string{"no cost centre, account or ref"}
		}
		out[i] = strings.Join(parts, " · ")
	}
	return out
}
