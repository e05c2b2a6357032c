package web

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// twoPeriodLedger is realLedger (2025-01: AWS, HPC) plus the 2025-12
// sample exports (AWS, Azure, HPC, storage).
func twoPeriodLedger(t *testing.T) *LedgerBackend {
	t.Helper()
	b := realLedger(t)
	for _, src := range []string{"aws", "azure", "hpc", "storage"} {
		f, err := os.Open("../../testdata/2025-12/" + src + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Ledger.Import(context.Background(), ledger.Actor{User: "t", Origin: "cli"}, f,
			ledger.ImportOptions{Source: strings.ToUpper(src), Tags: tagkeys.Default()})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestDashboardTrendFromStatements: the trend chart and its table show,
// per period, statement.Sum of that period's statements (the one rounding
// rule), as inline SVG with a title and labels; a finalized period's totals
// are built once and then served from the cache.
func TestDashboardTrendFromStatements(t *testing.T) {
	b := twoPeriodLedger(t)
	ctx := context.Background()
	pending, _, err := b.Charges(ctx, ChargeFilter{Period: "2025-01", Status: "pending"})
	if err != nil {
		t.Fatal(err)
	}
	dec := ReviewDecision{Action: "reject"}
	for _, c := range pending {
		dec.IDs = append(dec.IDs, c.ID)
	}
	if _, err := b.Decide(ctx, Actor{User: "t", Origin: "cli"}, dec); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, b)
	admin := h.loggedIn("ada")
	r := admin.get("/dashboard?period=2025-12")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, `<svg class="trend"`, `<title id="trend-title">List price vs billed per period, 2025-01 to 2025-12</title>`,
		"List price and billed, 2025-01 to 2025-12", `text-anchor="middle">Jan</text>`, `text-anchor="middle">Dec</text>`)
	if strings.Contains(r.Body, "style=") || regexp.MustCompile(`<script>`).MatchString(r.Body) {
		t.Error("the chart uses inline style or script (the CSP forbids them)")
	}
	for _, p := range []string{"2025-01", "2025-12"} {
		sts, _, err := build.Build(context.Background(), b, p, build.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sum := statement.Sum(sts)
		mustContain(t, r, p+": list "+money.Display(sum.ListCost, "")+", billed "+money.Display(sum.BilledCost, ""),
			`<title>`+p+` list price `+money.Display(sum.ListCost, ""))
		if !sum.ListCost.IsPositive() {
			t.Fatalf("%s has no list price: the test proves nothing", p)
		}
	}
	// Bars are drawn: two non-empty rects per period.
	if n := len(regexp.MustCompile(`<rect class="(list|billed)" x="\d+" y="\d+" width="\d+" height="[1-9]\d*">`).FindAllString(r.Body, -1)); n != 4 {
		t.Errorf("%d drawn trend bars, want 4", n)
	}
	// Finalize 2025-01: its totals are cached, and the page is unchanged.
	for _, a := range []string{"close", "finalize"} {
		if err := b.PeriodAction(ctx, Actor{User: "t", Origin: "cli"}, "2025-01", a); err != nil {
			t.Fatal(err)
		}
	}
	r2 := admin.get("/dashboard?period=2025-12")
	h.srv.totals.mu.Lock()
	n := len(h.srv.totals.m)
	h.srv.totals.mu.Unlock()
	if n != 1 {
		t.Errorf("%d cached periods, want 1 (2025-01, finalized)", n)
	}
	if a, b := trendSVG(r.Body), trendSVG(r2.Body); a != b || a == "" {
		t.Error("the chart changed when its period was finalized")
	}
}

func trendSVG(body string) string {
	i, j := strings.Index(body, `<svg class="trend"`), strings.Index(body, `</svg>`)
	if i < 0 || j < i {
		return ""
	}
	return body[i:j]
}

// TestBreakdownBarsWhenOneRowDominates: when one row is more than three
// times any other, the scale follows the second row (readable bars) and
// the dominant row's bars are cut, marked and said to be not to scale.
func TestBreakdownBarsWhenOneRowDominates(t *testing.T) {
	d := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	gs := ranked(map[string]*group{
		"HPC":   {Name: "HPC", List: d("106362.89"), Billed: d("1000")},
		"AWS":   {Name: "AWS", List: d("1200"), Billed: d("1000")},
		"Azure": {Name: "Azure", List: d("300"), Billed: d("300")},
	}, 0)
	if gs[0].Name != "HPC" || !gs[0].ListCut || gs[0].BillCut || gs[0].ListW != barMax {
		t.Errorf("dominant row %+v", gs[0])
	}
	if gs[1].ListW != barMax*100/125 || gs[2].ListW != 80 {
		t.Errorf("other rows not scaled to the second: %d %d", gs[1].ListW, gs[2].ListW)
	}
	even := ranked(map[string]*group{"A": {Name: "A", List: d("200")}, "B": {Name: "B", List: d("100")}}, 0)
	if even[0].ListCut || even[0].ListW != barMax || even[1].ListW != barMax/2 {
		t.Errorf("no row dominates, yet %+v", even)
	}
	h := newHarness(t, sampleLedger())
	r := h.loggedIn("vic").get("/dashboard?period=2025-01")
	if strings.Contains(r.Body, `class="cut"`) != strings.Contains(r.Body, "A bar with a break is cut") {
		t.Error("a cut bar without its explanation (or the reverse)")
	}
}

func TestNiceScale(t *testing.T) {
	for _, c := range []struct{ max, top, step float64 }{
		{106362.89, 150000, 50000}, {1000, 1000, 250}, {0, 1, 0.25}, {3.2, 4, 1}, {999.99, 1000, 250},
	} {
		if top, step := niceScale(c.max); top != c.top || step != c.step {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
	if s := axisLabel(125000); s != "$125,000" {
		t.Errorf("axisLabel = %q", s)
	}
}

// TestTrendKeepsTime: periods sit on a time axis (Feb and Dec are ten
// slots apart, not neighbours) and one outlier month is drawn cut with a
// break mark instead of flattening the others.
func TestTrendKeepsTime(t *testing.T) {
	l := &memLedger{periods: []ledger.PeriodInfo{{Period: "2025-02", State: ledger.StateOpen}, {Period: "2025-03", State: ledger.StateOpen},
		{Period: "2025-12", State: ledger.StateOpen}}}
	for i, p := range []struct{ period, list string }{{"2025-02", "100"}, {"2025-03", "120"}, {"2025-12", "5000"}} {
		c := row(int64(i+1), "HPC", "ada@uni.edu", "HPC Compute", p.list, p.list, "", "")
		c.Period = p.period
		l.charges = append(l.charges, c)
	}
	tr := buildTrend(context.Background(), l, newTotalsCache(), l.periods, "2025-12", statement.Totals{})
	if tr == nil || len(tr.Points) != 3 {
		t.Fatalf("trend: %+v", tr)
	}
	slot := tr.Points[1].X - tr.Points[0].X // Feb → Mar: one month
	if ratio := float64(tr.Points[2].X-tr.Points[1].X) / float64(slot); slot <= 0 || ratio < 8.8 || ratio > 9.2 {
		t.Errorf("Mar → Dec is %d px, want 9 slots of %d px: not a time axis", tr.Points[2].X-tr.Points[1].X, slot)
	}
	// Dec is given by the dashboard; build its totals here instead.
	tr = buildTrend(context.Background(), l, newTotalsCache(), l.periods, "2025-12", totalsOf(t, l, "2025-12"))
	dec := tr.Points[2]
	if !tr.Cut || dec.ListCut == "" || dec.BillCut == "" || tr.Points[0].ListCut != "" {
		t.Errorf("the outlier is not cut: %+v", tr)
	}
	if feb := tr.Points[0]; feb.ListH < (plotBottom-plotTop)/2 {
		t.Errorf("Feb's bar is %d px of %d: flattened by the outlier", feb.ListH, plotBottom-plotTop)
	}
	if dec.ListY < plotTop || dec.ListH != plotBottom-plotTop {
		t.Errorf("the cut bar leaves the plot: y %d h %d", dec.ListY, dec.ListH)
	}
}

func totalsOf(t *testing.T, l ledger.StatementReader, p string) statement.Totals {
	t.Helper()
	sts, _, err := build.Build(context.Background(), l, p, build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return statement.Sum(sts)
}
