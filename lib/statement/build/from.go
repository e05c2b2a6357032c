package build

import (
	"context"
	"fmt"
	"github.com/openchargeback/ocb/lib/statement"
	"sort"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
)

// Build reads one period from the ledger and returns its statements (see
// Builder) and the period's state.
func Build(ctx context.Context, r ledger.StatementReader, period string, opts Options) ([]statement.Statement, ledger.PeriodInfo, error) {
	p, err := r.Period(ctx, period)
	if err != nil {
		return nil, p, fmt.Errorf("period %s: %w", period, err)
	}
	b, err := NewBuilder(p, opts)
	if err != nil {
		return nil, p, err
	}
	// A ledger that keeps sums per statement line gives those: statements
	// of a 1M-charge month without reading a million charges back.
	each := r.EachCharge
	if lr, ok := r.(ledger.LineReader); ok {
		each = lr.EachChargeSummed
	}
	if err := each(ctx, period, b.Add); err != nil {
		return nil, p, fmt.Errorf("charges of %s: %w", period, err)
	}
	adjs, err := r.Adjustments(ctx, period)
	if err != nil {
		return nil, p, fmt.Errorf("adjustments of %s: %w", period, err)
	}
	b.AddAdjustments(adjs)
	sts, err := b.Statements()
	if err != nil {
		return nil, p, err
	}
	if namer, ok := r.(ledger.PINamer); ok {
		if err := nameAdjustmentOnly(ctx, namer, sts); err != nil {
			return nil, p, err
		}
	}
	return sts, p, nil
}

// nameAdjustmentOnly gives a statement without charges (only adjustments)
// the name its PI's charges carry in other periods, so that the PDF says
// who it is for.
func nameAdjustmentOnly(ctx context.Context, namer ledger.PINamer, sts []statement.Statement) error {
	var emails []string
	for i := range sts {
		if sts[i].PI.Name == "" && len(sts[i].Lines) == 0 {
			emails = append(emails, sts[i].PI.Email)
		}
	}
	if len(emails) == 0 {
		return nil
	}
	names, err := namer.PINames(ctx, emails)
	if err != nil {
		return err
	}
	for i := range sts {
		if sts[i].PI.Name == "" && len(sts[i].Lines) == 0 {
			sts[i].PI.Name = names[sts[i].PI.Email]
		}
	}
	return nil
}

// HistoryMonths is how many months the statement chart shows.
const HistoryMonths = 12

// History returns each PI's list and billed totals for the HistoryMonths
// periods ending with period (inclusive), oldest first, keyed by lower-cased
// PI e-mail. Months without charges are absent. The totals are the
// statements' own (each line rounded once, then summed: the one rounding
// rule), so the chart beside a statement's figures, and its axis, say the
// same cents as the statement (a month's charges summed exactly and
// rounded once could differ by a cent per line).
func History(ctx context.Context, r ledger.StatementReader, period string) (map[string][]ledger.MonthTotal, error) {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return nil, fmt.Errorf("period %q: want YYYY-MM", period)
	}
	from := t.AddDate(0, -(HistoryMonths - 1), 0).Format("2006-01")
	ps, err := r.Periods(ctx)
	if err != nil {
		return nil, fmt.Errorf("periods: %w", err)
	}
	out := map[string][]ledger.MonthTotal{}
	for _, p := range ps {
		if p.Period < from || p.Period > period {
			continue
		}
		sts, _, err := Build(ctx, r, p.Period, Options{})
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", p.Period, err)
		}
		for i := range sts {
			st := &sts[i]
			if len(st.Lines) == 0 {
				continue // adjustments only: no usage to chart
			}
			k := strings.ToLower(st.PI.Email)
			out[k] = append(out[k], ledger.MonthTotal{Period: p.Period, PIEmail: st.PI.Email,
				ListCost: st.Totals.ListCost.Decimal, BilledCost: st.Totals.BilledCost.Decimal})
		}
	}
	for _, ms := range out {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Period < ms[j].Period })
	}
	return out, nil
}
