package build

import (
	"context"
	"encoding/csv"
	"fmt"
	"github.com/openchargeback/ocb/lib/statement"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

// Report is the annual value-delivered report: what the services used by
// each fund/org and PI would have cost at list price, what the institution
// covered (the discount) and what was billed.
type Report struct {
	Year    int
	Periods []ledger.PeriodInfo // the year's periods in the ledger, oldest first
	Rows    []ReportRow         // by fund/org, then PI e-mail
	Totals  ReportRow           // sums of Rows (FundOrg and PI empty)

	// Months is Sum of each period's statements, oldest first: the
	// report's chart by month (the one rounding rule, like every view).
	Months []ReportPeriod
	// Categories sums the statement lines per service category (the
	// line's FOCUS ServiceCategory, else its source, e.g. "HPC"), largest
	// list price first. Adjustments belong to no category.
	Categories []ReportCategory
}

// ReportPeriod is one period's totals in the annual report.
type ReportPeriod struct {
	Period string
	Totals statement.Totals
}

// ReportCategory is one service category's totals for the year.
type ReportCategory struct {
	Category   string
	ListCost   money.Money
	Discount   money.Money
	BilledCost money.Money
}

// DisplayName is the PI's name, or the e-mail when the ledger has no name:
// never blank.
func (r ReportRow) DisplayName() string {
	if strings.TrimSpace(r.PIName) != "" {
		return r.PIName
	}
	return r.PIEmail
}

// ReportRow is one fund/org and PI for the year.
type ReportRow struct {
	FundOrg    string
	PIEmail    string
	PIName     string
	ListCost   money.Money
	Discount   money.Money
	BilledCost money.Money
	Months     int // periods with charges

	// Adjustments posted to this fund for this PI, and AmountDue =
	// BilledCost + Adjustments (negative: a net credit to the fund).
	Adjustments money.Money
	AmountDue   money.Money
}

// Draft reports whether any period of the report is not finalized.
func (r *Report) Draft() bool {
	for _, p := range r.Periods {
		if p.State != ledger.StateFinalized {
			return true
		}
	}
	return false
}

// AnnualReport builds the report from the statements of every period of
// the year (Build, the one rounding rule): each line and adjustment as the
// statements show it, so the report and the statements agree to the cent.
// An adjustment counts on its own fund (the statement's when it names
// none), as focus-journal posts it; credits beyond the charges are counted,
// never dropped.
func AnnualReport(ctx context.Context, r ledger.StatementReader, year int) (*Report, error) {
	ps, err := r.Periods(ctx)
	if err != nil {
		return nil, fmt.Errorf("periods: %w", err)
	}
	rep := &Report{Year: year}
	prefix := fmt.Sprintf("%04d-", year)
	type key struct{ fund, pi string }
	rows := map[key]*ReportRow{}
	months := map[key]map[string]bool{}
	cats := map[string]*ReportCategory{}
	row := func(fund string, st *statement.Statement) *ReportRow {
		k := key{fund, st.PI.Email}
		r := rows[k]
		if r == nil {
			r = &ReportRow{FundOrg: fund, PIEmail: st.PI.Email}
			rows[k], months[k] = r, map[string]bool{}
		}
		if r.PIName == "" {
			r.PIName = st.PI.Name
		}
		return r
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Period, prefix) {
			continue
		}
		rep.Periods = append(rep.Periods, p)
		sts, _, err := Build(ctx, r, p.Period, Options{})
		if err != nil {
			return nil, err
		}
		rep.Months = append(rep.Months, ReportPeriod{Period: p.Period, Totals: statement.Sum(sts)})
		for i := range sts {
			st := &sts[i]
			for _, l := range st.Lines {
				cn := firstNonEmpty(firstNonEmpty(strings.TrimSpace(l.ServiceCategory), strings.TrimSpace(l.Source)), "Other")
				c := cats[cn]
				if c == nil {
					c = &ReportCategory{Category: cn}
					cats[cn] = c
				}
				c.ListCost = c.ListCost.Add(l.ListCost)
				c.Discount = c.Discount.Add(l.Discount)
				c.BilledCost = c.BilledCost.Add(l.BilledCost)
				row := row(l.FundOrg, st)
				row.ListCost = row.ListCost.Add(l.ListCost)
				row.Discount = row.Discount.Add(l.Discount)
				row.BilledCost = row.BilledCost.Add(l.BilledCost)
				months[key{l.FundOrg, st.PI.Email}][p.Period] = true
			}
			for _, a := range st.Adjustments {
				row := row(firstNonEmpty(a.FundOrg, st.FundOrg), st)
				row.Adjustments = row.Adjustments.Add(a.Amount)
			}
		}
	}
	for k, row := range rows {
		row.Months = len(months[k])
		row.AmountDue = row.BilledCost.Add(row.Adjustments)
		rep.Rows = append(rep.Rows, *row)
		rep.Totals.ListCost = rep.Totals.ListCost.Add(row.ListCost)
		rep.Totals.Discount = rep.Totals.Discount.Add(row.Discount)
		rep.Totals.BilledCost = rep.Totals.BilledCost.Add(row.BilledCost)
		rep.Totals.Adjustments = rep.Totals.Adjustments.Add(row.Adjustments)
		rep.Totals.AmountDue = rep.Totals.AmountDue.Add(row.AmountDue)
	}
	rep.Totals.Months = len(rep.Periods)
	for _, c := range cats {
		rep.Categories = append(rep.Categories, *c)
	}
	sort.Slice(rep.Categories, func(i, j int) bool {
		a, b := rep.Categories[i], rep.Categories[j]
		if c := a.ListCost.Cmp(b.ListCost.Decimal); c != 0 {
			return c > 0
		}
		return a.Category < b.Category
	})
	sort.Slice(rep.Rows, func(i, j int) bool {
		if rep.Rows[i].FundOrg != rep.Rows[j].FundOrg {
			return rep.Rows[i].FundOrg < rep.Rows[j].FundOrg
		}
		return rep.Rows[i].PIEmail < rep.Rows[j].PIEmail
	})
	return rep, nil
}

// WriteReportCSV writes one row per fund/org and PI. Money columns are
// plain decimals; covered_pct is the honest (floored) percentage.
func WriteReportCSV(w io.Writer, rep *Report) error {
	cw := csv.NewWriter(w)
	// adjustments and amount_due are added at the end: columns are added,
	// never moved, for the spreadsheets that read this file.
	cw.Write([]string{"year", "fund_org", "pi_email", "pi_name", "list_cost", "discount", "billed_cost", "covered_pct", "months", "draft", "adjustments", "amount_due"})
	draft := strconv.FormatBool(rep.Draft())
	for _, r := range rep.Rows {
		share, _ := statement.CoveredShare(statement.Totals{ListCost: r.ListCost, BilledCost: r.BilledCost})
		pct := share.StringFixed(1) // a number for spreadsheets: floored, "0.0" under 0.1%
		cw.Write([]string{strconv.Itoa(rep.Year), statement.SafeCell(r.FundOrg), statement.SafeCell(r.PIEmail), statement.SafeCell(r.PIName),
			r.ListCost.String(), r.Discount.String(), r.BilledCost.String(),
			pct, strconv.Itoa(r.Months), draft, r.Adjustments.String(), r.AmountDue.String()})
	}
	cw.Flush()
	return cw.Error()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
