package statement

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// memReader is an in-memory ledger.StatementReader: a test fixture for the
// pure builder, honouring the interface's ordering and exclusion rules
// (rejected charges are never returned).
type memReader struct {
	periods  []ledger.PeriodInfo
	charges  []ledger.Charge
	rejected map[int64]bool
	adjs     []ledger.Adjustment
}

func (m *memReader) Period(_ context.Context, p string) (ledger.PeriodInfo, error) {
	for _, pi := range m.periods {
		if pi.Period == p {
			return pi, nil
		}
	}
	return ledger.PeriodInfo{}, fmt.Errorf("period %s: %w", p, ledger.ErrNoPeriod)
}

func (m *memReader) Periods(context.Context) ([]ledger.PeriodInfo, error) { return m.periods, nil }

func (m *memReader) EachCharge(_ context.Context, p string, fn func(*ledger.Charge) error) error {
	var cs []ledger.Charge
	for _, c := range m.charges {
		if c.Period == p && !m.rejected[c.ID] {
			cs = append(cs, c)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].PIEmail != cs[j].PIEmail {
			return cs[i].PIEmail < cs[j].PIEmail
		}
		return cs[i].ID < cs[j].ID
	})
	var reused ledger.Charge // the interface reuses the *Charge; so do we
	for _, c := range cs {
		reused = c
		if err := fn(&reused); err != nil {
			return err
		}
	}
	return nil
}

func (m *memReader) Adjustments(_ context.Context, p string) ([]ledger.Adjustment, error) {
	var out []ledger.Adjustment
	for _, a := range m.adjs {
		if a.Period == p {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memReader) MonthlyTotals(_ context.Context, from, to string) ([]ledger.MonthTotal, error) {
	type k struct{ p, pi string }
	sums := map[k]*ledger.MonthTotal{}
	var keys []k
	for _, c := range m.charges {
		if c.Period < from || c.Period > to || m.rejected[c.ID] {
			continue
		}
		kk := k{c.Period, strings.ToLower(c.PIEmail)}
		t := sums[kk]
		if t == nil {
			t = &ledger.MonthTotal{Period: c.Period, PIEmail: kk.pi}
			sums[kk] = t
			keys = append(keys, kk)
		}
		t.ListCost = t.ListCost.Add(c.ListCost)
		t.BilledCost = t.BilledCost.Add(c.BilledCost)
	}
	var out []ledger.MonthTotal
	for _, kk := range keys {
		out = append(out, *sums[kk])
	}
	return out, nil
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// charge is a shorthand for test charges.
func charge(id int64, period, pi, project, fund, source, service, list, billed string) ledger.Charge {
	return ledger.Charge{ID: id, Period: period, PIEmail: pi, ProjectID: project, FundOrg: fund,
		Source: source, ServiceName: service, ListCost: d(list), BilledCost: d(billed), Currency: "USD"}
}
