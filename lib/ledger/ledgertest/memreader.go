// Package ledgertest helps test the ledger: Test, the ledger suite every
// backend runs (suite.go); TestStatementReader, the StatementReader
// contract the backends and the fakes all pass (statementreader.go);
// MemReader, an in-memory ledger.StatementReader for tests of the packages
// that read the ledger (the statement builder, its command, lib/web's
// fake); RandomLedger for property tests.
package ledgertest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// MemReader is an in-memory ledger.StatementReader honouring the
// interface's ordering and exclusion rules (rejected charges are never
// returned), whatever order its lists are filled in; TestStatementReader
// holds it to the contract the backends keep.
type MemReader struct {
	PeriodList     []ledger.PeriodInfo
	ChargeList     []ledger.Charge
	Rejected       map[int64]bool
	AdjustmentList []ledger.Adjustment
}

func (m *MemReader) Period(_ context.Context, p string) (ledger.PeriodInfo, error) {
	for _, pi := range m.PeriodList {
		if pi.Period == p {
			return pi, nil
		}
	}
	return ledger.PeriodInfo{}, fmt.Errorf("period %s: %w", p, ledger.ErrNoPeriod)
}

func (m *MemReader) Periods(context.Context) ([]ledger.PeriodInfo, error) {
	out := append([]ledger.PeriodInfo(nil), m.PeriodList...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period < out[j].Period })
	return out, nil
}

func (m *MemReader) EachCharge(_ context.Context, p string, fn func(*ledger.Charge) error) error {
	var cs []ledger.Charge
	for _, c := range m.ChargeList {
		if c.Period == p && !m.Rejected[c.ID] {
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

func (m *MemReader) Adjustments(_ context.Context, p string) ([]ledger.Adjustment, error) {
	var out []ledger.Adjustment
	for _, a := range m.AdjustmentList {
		if a.Period == p {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].PIEmail != out[j].PIEmail {
			return out[i].PIEmail < out[j].PIEmail
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func (m *MemReader) MonthlyTotals(_ context.Context, from, to string) ([]ledger.MonthTotal, error) {
	type k struct{ p, pi string }
	sums := map[k]*ledger.MonthTotal{}
	var keys []k
	for _, c := range m.ChargeList {
		if c.Period < from || c.Period > to || m.Rejected[c.ID] {
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

// D is decimal.RequireFromString.
func D(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Charge is a shorthand for test charges.
func Charge(id int64, period, pi, project, fund, source, service, list, billed string) ledger.Charge {
	return ledger.Charge{ID: id, Period: period, PIEmail: pi, ProjectID: project, FundOrg: fund,
		Source: source, ServiceName: service, ListCost: D(list), BilledCost: D(billed), Currency: "USD"}
}
