package web

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// memLedger is an in-memory StatementReader for the read-only pages' tests.
type memLedger struct {
	periods []ledger.PeriodInfo
	charges []ledger.Charge
}

func (m *memLedger) Period(_ context.Context, p string) (ledger.PeriodInfo, error) {
	for _, pi := range m.periods {
		if pi.Period == p {
			return pi, nil
		}
	}
	return ledger.PeriodInfo{}, fmt.Errorf("period %s: %w", p, ledger.ErrNoPeriod)
}
func (m *memLedger) Periods(context.Context) ([]ledger.PeriodInfo, error) { return m.periods, nil }
func (m *memLedger) EachCharge(_ context.Context, p string, fn func(*ledger.Charge) error) error {
	for i := range m.charges {
		if m.charges[i].Period == p {
			c := m.charges[i]
			if err := fn(&c); err != nil {
				return err
			}
		}
	}
	return nil
}
func (m *memLedger) Adjustments(context.Context, string) ([]ledger.Adjustment, error) {
	return nil, nil
}
func (m *memLedger) MonthlyTotals(context.Context, string, string) ([]ledger.MonthTotal, error) {
	return nil, nil
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func sampleLedger() *memLedger {
	return &memLedger{
		periods: []ledger.PeriodInfo{{Period: "2025-01", State: ledger.StateOpen}},
		charges: []ledger.Charge{
			{ID: 1, Source: "HPC", Period: "2025-01", PIEmail: "ada@uni.edu", ServiceName: "HPC Compute", ListCost: dec("2400"), BilledCost: dec("0")},
			{ID: 2, Source: "AWS", Period: "2025-01", PIEmail: "bob@uni.edu", ServiceName: "Amazon EC2", ListCost: dec("1000.005"), BilledCost: dec("900"), ReviewStatus: "pending"},
			{ID: 3, Source: "AWS", Period: "2025-01", PIEmail: "<script>alert(1)</script>@x", ServiceName: "Amazon S3", ListCost: dec("10"), BilledCost: dec("10")},
		},
	}
}
