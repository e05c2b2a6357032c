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
	// Cut: one period's bars are more than three times any other's, so the
	// scale follows the others and its bars are drawn cut with a break mark.
	Cut bool
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
	// ListCut, BillCut: the path of the break mark of a bar taller than
	// the scale ("" = drawn to scale).
	ListCut, BillCut string
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

// buildTrend computes the chart of the ledger's periods in the
// trendPeriods months up to and including sel; sel's totals are given (the
// dashboard built them). Periods sit on a time axis, one slot a month, so
// months without a period show as a gap, not as neighbours.
func buildTrend(ctx context.Context, l ledger.StatementReader, c *totalsCache, ps []ledger.PeriodInfo, sel string, selTotals statement.Totals) *trend {
	end, err := time.Parse("2006-01", sel)
	if err != nil {
		return nil
	}
	start := end.AddDate(0, 1-trendPeriods, 0)
	var window []ledger.PeriodInfo
	for _, p := range ps {
		if p.Period <= sel && p.Period >= start.Format("2006-01") {
			window = append(window, p)
		}
	}
	if len(window) == 0 {
		return nil
	}
	first, _ := time.Parse("2006-01", window[0].Period)
	months := monthsBetween(first, end) + 1
	tr := &trend{W: trendW, H: trendH, Left: plotLeft, Right: plotRight, Top: plotTop, Bottom: plotBottom,
		MonthY: labelMonthY, YearY: labelYearY, First: window[0].Period, Last: window[len(window)-1].Period}
	var tallest []float64 // each period's taller bar, for the scale
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
			tallest = append(tallest, decimal.Max(pt.List, pt.Billed).InexactFloat64())
		}
		tr.Points = append(tr.Points, pt)
	}
	scaleMax, cut := trendScale(tallest)
	tr.Cut = cut
	top, step := niceScale(scaleMax)
	for v := 0.0; v <= top+step/2; v += step {
		tr.Ticks = append(tr.Ticks, trendTick{Y: yOf(v, top), Label: axisLabel(v)})
	}
	slot := float64(plotRight-plotLeft) / float64(max(months, 6))
	for i := range tr.Points {
		pt := &tr.Points[i]
		t, _ := time.Parse("2006-01", pt.Period)
		x := float64(plotLeft) + float64(monthsBetween(first, t))*slot
		pt.W = int(slot * 0.34)
		pt.X = int(x + slot*0.14)
		pt.Center = int(x + slot/2)
		pt.ListY, pt.ListH = bar(pt.List, top)
		pt.BillY, pt.BillH = bar(pt.Billed, top)
		if pt.List.InexactFloat64() > top {
			pt.ListCut = breakMark(pt.X, pt.W)
		}
		if pt.Billed.InexactFloat64() > top {
			pt.BillCut = breakMark(pt.X+pt.W, pt.W)
		}
	}
	return tr
}

// monthsBetween counts the months from a to b (both first days of months).
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// trendScale is the value the y axis must reach. When one period's bars
// are more than three times any other's, the scale follows the second
// tallest (× 1.25) so the other periods stay readable, and the outlier is
// drawn cut, as the breakdown bars are.
func trendScale(tallest []float64) (float64, bool) {
	first, second := 0.0, 0.0
	for _, v := range tallest {
		switch {
		case v > first:
			first, second = v, first
		case v > second:
			second = v
		}
	}
	if second > 0 && first > 3*second {
		return second * 1.25, true
	}
	return first, false
}

// breakMark is the path of the break drawn across a cut bar, two slanted
// strokes near its top (stroked in the background colour by app.css).
func breakMark(x, w int) string {
	y := plotTop + 14
	return fmt.Sprintf("M%d %d L%d %d M%d %d L%d %d", x-1, y+5, x+w+1, y-1, x-1, y+11, x+w+1, y+5)
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
	if h > plotBottom-plotTop {
		h = plotBottom - plotTop // a cut bar (trendScale): full height, with a break mark
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
