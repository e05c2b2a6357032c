package web

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
)

// memLedger is an in-memory Backend for handler tests of the web layer
// (routing, roles, CSRF, rendering). The period rules themselves are
// lib/ledger's; the real-ledger tests check those end to end.
type memLedger struct {
	periods  []ledger.PeriodInfo
	charges  []ChargeRow
	adjs     []ledger.Adjustment
	disputes []Dispute
	calls    []string // every mutation, "who:what"
}

// reader is the fake's read side: a ledgertest.MemReader over the rows as
// they are now (review decisions change them), so the fake reads by the
// StatementReader contract the ledger keeps (PI then id order, rejected
// charges left out, monthly totals summed) instead of a copy of its own;
// TestMemLedgerContract checks it. The rows stay in memLedger's own
// fields, which the tests fill and inspect.
func (m *memLedger) reader() *ledgertest.MemReader {
	r := &ledgertest.MemReader{PeriodList: m.periods, AdjustmentList: m.adjs, Rejected: map[int64]bool{}}
	for _, c := range m.charges {
		r.ChargeList = append(r.ChargeList, c.Charge)
		if c.Review == "rejected" {
			r.Rejected[c.ID] = true
		}
	}
	return r
}

func (m *memLedger) Period(ctx context.Context, p string) (ledger.PeriodInfo, error) {
	return m.reader().Period(ctx, p)
}
func (m *memLedger) Periods(ctx context.Context) ([]ledger.PeriodInfo, error) {
	return m.reader().Periods(ctx)
}
func (m *memLedger) EachCharge(ctx context.Context, p string, fn func(*ledger.Charge) error) error {
	return m.reader().EachCharge(ctx, p, fn)
}
func (m *memLedger) Adjustments(ctx context.Context, p string) ([]ledger.Adjustment, error) {
	return m.reader().Adjustments(ctx, p)
}
func (m *memLedger) MonthlyTotals(ctx context.Context, from, to string) ([]ledger.MonthTotal, error) {
	return m.reader().MonthlyTotals(ctx, from, to)
}

// TestMemLedgerContract holds the fake to the StatementReader contract.
func TestMemLedgerContract(t *testing.T) {
	f := ledgertest.ContractMemReader()
	m := &memLedger{periods: f.PeriodList, adjs: f.AdjustmentList}
	for _, c := range f.ChargeList {
		r := ChargeRow{Charge: c}
		if f.Rejected[c.ID] {
			r.Review = "rejected"
		}
		m.charges = append(m.charges, r)
	}
	ledgertest.TestStatementReader(t, m, nil)
}

func (m *memLedger) match(f ChargeFilter) []ChargeRow {
	var out []ChargeRow
	for _, c := range m.charges {
		if c.Period != f.Period || (f.PI != "" && !strings.Contains(c.PIEmail, f.PI)) ||
			(f.Service != "" && c.ServiceName != f.Service) || (f.Source != "" && c.Source != f.Source) ||
			(f.Project != "" && c.ProjectID != f.Project) || (f.Flag != "" && !strings.Contains(c.Flags, f.Flag)) {
			continue
		}
		if f.Status == "clean" && c.Review != "" || f.Status != "" && f.Status != "clean" && c.Review != f.Status {
			continue
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		less := out[i].ID < out[j].ID
		switch f.Sort {
		case "billed":
			less = out[i].BilledCost.LessThan(out[j].BilledCost)
		case "pi":
			less = out[i].PIEmail < out[j].PIEmail
		}
		if f.Desc {
			return !less
		}
		return less
	})
	return out
}

func (m *memLedger) Charges(_ context.Context, f ChargeFilter) ([]ChargeRow, int, error) {
	all := m.match(f)
	lo := min(f.Offset, len(all))
	hi := len(all)
	if f.Limit > 0 {
		hi = min(lo+f.Limit, len(all))
	}
	return all[lo:hi], len(all), nil
}

func (m *memLedger) EachChargeRow(_ context.Context, f ChargeFilter, fn func(*ChargeRow) error) error {
	for _, c := range m.match(f) {
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

func (m *memLedger) state(p string) string {
	for _, pi := range m.periods {
		if pi.Period == p {
			return pi.State
		}
	}
	return ""
}

func (m *memLedger) PeriodAction(_ context.Context, a Actor, p, action string) error {
	for i := range m.periods {
		if m.periods[i].Period == p {
			if m.periods[i].State == ledger.StateFinalized {
				return fmt.Errorf("period %s is finalized: %w", p, ErrRefused)
			}
			m.periods[i].State = map[string]string{"close": "closed", "reopen": "open", "finalize": "finalized"}[action]
			m.calls = append(m.calls, a.User+"/"+a.Origin+":"+action+" "+p)
			return nil
		}
	}
	return fmt.Errorf("period %s: %w", p, ledger.ErrNoPeriod)
}

func (m *memLedger) Decide(_ context.Context, a Actor, d ReviewDecision) (int, error) {
	for _, id := range d.IDs {
		for _, c := range m.charges {
			if seen, ok := d.Seen[id]; ok && c.ID == id && c.Review != seen {
				return 0, ledgerRefusal{&ledger.StaleError{ChargeID: id, Seen: seen, Now: c.Review, By: c.DecidedBy}}
			}
		}
	}
	n := 0
	for _, id := range d.IDs {
		for i := range m.charges {
			c := &m.charges[i]
			if c.ID != id {
				continue
			}
			if m.state(c.Period) == ledger.StateFinalized {
				return 0, fmt.Errorf("period %s is finalized: %w", c.Period, ErrRefused)
			}
			switch d.Action {
			case "approve":
				c.Review = "approved"
			case "reject":
				c.Review = "rejected"
			case "assign":
				if v, ok := d.Tags["pi_email"]; ok {
					c.PIEmail = v
				}
			}
			c.DecidedBy = a.User
			n++
		}
	}
	m.calls = append(m.calls, fmt.Sprintf("%s/%s:%s %v", a.User, a.Origin, d.Action, d.IDs))
	return n, nil
}

func (m *memLedger) AddAdjustment(_ context.Context, a Actor, adj NewAdjustment) (int64, error) {
	if m.state(adj.Period) == ledger.StateFinalized {
		return 0, fmt.Errorf("period %s is finalized: %w", adj.Period, ErrRefused)
	}
	id := int64(len(m.adjs) + 1)
	m.adjs = append(m.adjs, ledger.Adjustment{ID: id, Period: adj.Period, PIEmail: adj.PIEmail, Amount: adj.Amount,
		Reason: adj.Reason, CreatedBy: a.User})
	m.calls = append(m.calls, a.User+"/"+a.Origin+":adjust "+adj.Amount.String())
	return id, nil
}

func (m *memLedger) Disputes(_ context.Context, p string) ([]Dispute, error) {
	var out []Dispute
	for _, d := range m.disputes {
		if d.Period == p {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memLedger) OpenDispute(_ context.Context, a Actor, d NewDispute) (int64, error) {
	if m.state(d.Period) == ledger.StateFinalized {
		return 0, fmt.Errorf("period %s is finalized: %w", d.Period, ErrRefused)
	}
	id := int64(len(m.disputes) + 1)
	m.disputes = append(m.disputes, Dispute{ID: id, Period: d.Period, PIEmail: d.PIEmail, ChargeID: d.ChargeID,
		Reason: d.Reason, Status: "open", OpenedBy: a.User})
	return id, nil
}

func (m *memLedger) ResolveDispute(_ context.Context, a Actor, id int64, note string) error {
	for i := range m.disputes {
		if m.disputes[i].ID == id {
			if m.disputes[i].Status != "open" {
				return fmt.Errorf("dispute %d is already %s: %w", id, m.disputes[i].Status, ErrRefused)
			}
			m.disputes[i].Status, m.disputes[i].Note, m.disputes[i].ResolvedBy = "resolved", note, a.User
			return nil
		}
	}
	return fmt.Errorf("dispute %d: %w", id, ErrRefused)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func row(id int64, src, pi, svc, list, billed, flags, review string) ChargeRow {
	return ChargeRow{Charge: ledger.Charge{ID: id, Source: src, Period: "2025-01", PIEmail: pi, ServiceName: svc,
		ListCost: dec(list), BilledCost: dec(billed), ReviewStatus: review}, Flags: flags, Review: review}
}

func sampleLedger() *memLedger {
	return &memLedger{
		periods: []ledger.PeriodInfo{{Period: "2024-12", State: ledger.StateFinalized}, {Period: "2025-01", State: ledger.StateOpen}},
		charges: []ChargeRow{
			row(1, "HPC", "ada@uni.edu", "HPC Compute", "2400", "0", "", ""),
			row(2, "AWS", "bob@uni.edu", "Amazon EC2", "1000.005", "900", "outlier", "pending"),
			row(3, "AWS", "<script>alert(1)</script>@x", "Amazon S3", "10", "10", "", ""),
			row(4, "AWS", "=HYPERLINK(\"http://evil\")", "Amazon S3", "5", "5", "bad-email", "pending"),
		},
	}
}
