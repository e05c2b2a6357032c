package web

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// trendPeriods is how many periods the dashboard's trend chart shows.
const trendPeriods = 12

// The trend chart's SVG coordinate space (viewBox 0 0 trendW trendH).
const (
	trendW      = 720
	trendH      = 250
	plotLeft    = 92
	plotRight   = 710
	plotTop     = 16
	plotBottom  = 200
	labelMonthY = 218
	labelYearY  = 234
)

// trend is the dashboard's chart of list price vs billed per period, drawn
// server-side as SVG (no script, no inline style: geometry is attributes).
type trend struct {
	Points []trendPoint
	Ticks  []trendTick
	First  string
	Last   string
	// SVG constants for the template.
	W, H, Left, Right, Top, Bottom, MonthY, YearY int
	// errs are the periods' failures, for the server log: the page says
	// only that a period's figures are unavailable.
	errs []error
}

type trendPoint struct {
	Period       string
	Month, Year  string // x labels
	List, Billed decimal.Decimal
	AmountDue    decimal.Decimal
	CoveredPct   string
	Err          string // the period's statements could not be built
	X, W         int    // left edge and width of each bar
	ListY, ListH int
	BillY, BillH int
	Center       int
}

type trendTick struct {
	Y     int
	Label string
}

// totalsCache keeps the totals of finalized periods: a finalized period can
// never change (ledger triggers), so its statements are built once per
// server run. Open and closed periods are built on every request.
type totalsCache struct {
	mu sync.Mutex
	m  map[string]statement.Totals // key: period + finalize time
}

func newTotalsCache() *totalsCache { return &totalsCache{m: map[string]statement.Totals{}} }

// periodTotals is statement.Sum of the period's statements (the one
// rounding rule, the same figures as the statements page).
func (c *totalsCache) periodTotals(ctx context.Context, l ledger.StatementReader, p ledger.PeriodInfo) (statement.Totals, error) {
	key := ""
	if p.State == ledger.StateFinalized {
		key = p.Period + "@" + p.FinalizedAt.UTC().Format(time.RFC3339Nano)
		c.mu.Lock()
		t, ok := c.m[key]
		c.mu.Unlock()
		if ok {
			return t, nil
		}
	}
	sts, _, err := build.Build(ctx, l, p.Period, build.Options{})
	if err != nil {
		return statement.Totals{}, err
	}
	t := statement.Sum(sts)
	if key != "" {
		c.mu.Lock()
		c.m[key] = t
		c.mu.Unlock()
	}
	return t, nil
}

// buildTrend computes the last trendPeriods periods of the ledger up to
// and including sel; sel's totals are given (the dashboard built them).
func buildTrend(ctx context.Context, l ledger.StatementReader, c *totalsCache, ps []ledger.PeriodInfo, sel string, selTotals statement.Totals) *trend {
	var window []ledger.PeriodInfo
	for _, p := range ps {
		if p.Period <= sel {
			window = append(window, p)
		}
	}
	if len(window) > trendPeriods {
		window = window[len(window)-trendPeriods:]
	}
	if len(window) == 0 {
		return nil
	}
	tr := &trend{W: trendW, H: trendH, Left: plotLeft, Right: plotRight, Top: plotTop, Bottom: plotBottom,
		MonthY: labelMonthY, YearY: labelYearY, First: window[0].Period, Last: window[len(window)-1].Period}
	maxV := decimal.Zero
	for _, p := range window {
		pt := trendPoint{Period: p.Period, Month: p.Period, CoveredPct: "–"}
		if t, err := time.Parse("2006-01", p.Period); err == nil {
			pt.Month, pt.Year = t.Format("Jan"), t.Format("2006")
		}
		t := selTotals
		var err error
		if p.Period != sel {
			t, err = c.periodTotals(ctx, l, p)
		}
		if err != nil {
			pt.Err = "see the server log"
			tr.errs = append(tr.errs, fmt.Errorf("trend %s: %w", p.Period, err))
		} else {
			pt.List, pt.Billed, pt.AmountDue = t.ListCost.Decimal, t.BilledCost.Decimal, t.AmountDue.Decimal
			if t.ListCost.IsPositive() {
				pt.CoveredPct = statement.CoveredPercent(t)
			}
			maxV = decimal.Max(maxV, pt.List, pt.Billed)
		}
		tr.Points = append(tr.Points, pt)
	}
	top, step := niceScale(maxV.InexactFloat64())
	for v := 0.0; v <= top+step/2; v += step {
		tr.Ticks = append(tr.Ticks, trendTick{Y: yOf(v, top), Label: axisLabel(v)})
	}
	slot := float64(plotRight-plotLeft) / float64(max(len(tr.Points), 6))
	for i := range tr.Points {
		pt := &tr.Points[i]
		x := float64(plotLeft) + float64(i)*slot
		pt.W = int(slot * 0.34)
		pt.X = int(x + slot*0.14)
		pt.Center = int(x + slot/2)
		pt.ListY, pt.ListH = bar(pt.List, top)
		pt.BillY, pt.BillH = bar(pt.Billed, top)
	}
	return tr
}

// bar is the y and height of a bar for v (drawing only, never money); a
// non-zero amount stays visible, a negative one (a credit) is not drawn.
func bar(v decimal.Decimal, top float64) (y, h int) {
	if !v.IsPositive() || top <= 0 {
		return plotBottom, 0
	}
	h = int(math.Round(v.InexactFloat64() / top * float64(plotBottom-plotTop)))
	if h < 1 {
		h = 1
	}
	return plotBottom - h, h
}

func yOf(v, top float64) int {
	if top <= 0 {
		return plotBottom
	}
	return plotBottom - int(math.Round(v/top*float64(plotBottom-plotTop)))
}

// niceScale picks the axis top and tick step (1, 2, 2.5 or 5 × 10^k, four
// steps) for a largest value m.
func niceScale(m float64) (top, step float64) {
	if m <= 0 {
		return 1, 0.25
	}
	raw := m / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if step = f * mag; step >= raw {
			break
		}
	}
	return step * math.Ceil(m/step-1e-9), step
}

// axisLabel is an axis value as money without cents when whole ("$250,000").
func axisLabel(v float64) string {
	s := money.Display(money.Cents(decimal.NewFromFloat(v)), "")
	return strings.TrimSuffix(s, ".00")
}
