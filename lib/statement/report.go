package statement

import (
	"context"
	"encoding/csv"
	"fmt"
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

// AnnualReport builds the report from the statement lines of every period
// of the year: each line rounded as on the statements, so the report and
// the statements agree to the cent.
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
	for _, p := range ps {
		if !strings.HasPrefix(p.Period, prefix) {
			continue
		}
		rep.Periods = append(rep.Periods, p)
		b, err := NewBuilder(p, Options{})
		if err != nil {
			return nil, err
		}
		if err := r.EachCharge(ctx, p.Period, b.Add); err != nil {
			return nil, fmt.Errorf("charges of %s: %w", p.Period, err)
		}
		sts, err := b.Statements()
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			for _, l := range st.Lines {
				k := key{l.FundOrg, st.PI.Email}
				row := rows[k]
				if row == nil {
					row = &ReportRow{FundOrg: l.FundOrg, PIEmail: st.PI.Email}
					rows[k], months[k] = row, map[string]bool{}
				}
				if row.PIName == "" {
					row.PIName = st.PI.Name
				}
				row.ListCost = row.ListCost.Add(l.ListCost)
				row.Discount = row.Discount.Add(l.Discount)
				row.BilledCost = row.BilledCost.Add(l.BilledCost)
				months[k][p.Period] = true
			}
		}
	}
	for k, row := range rows {
		row.Months = len(months[k])
		rep.Rows = append(rep.Rows, *row)
		rep.Totals.ListCost = rep.Totals.ListCost.Add(row.ListCost)
		rep.Totals.Discount = rep.Totals.Discount.Add(row.Discount)
		rep.Totals.BilledCost = rep.Totals.BilledCost.Add(row.BilledCost)
	}
	rep.Totals.Months = len(rep.Periods)
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
	cw.Write([]string{"year", "fund_org", "pi_email", "pi_name", "list_cost", "discount", "billed_cost", "covered_pct", "months", "draft"})
	draft := strconv.FormatBool(rep.Draft())
	for _, r := range rep.Rows {
		pct := CoveredPercent(Totals{ListCost: r.ListCost, BilledCost: r.BilledCost})
		cw.Write([]string{strconv.Itoa(rep.Year), safe(r.FundOrg), safe(r.PIEmail), safe(r.PIName),
			r.ListCost.String(), r.Discount.String(), r.BilledCost.String(),
			strings.TrimSuffix(pct, "%"), strconv.Itoa(r.Months), draft})
	}
	cw.Flush()
	return cw.Error()
}
