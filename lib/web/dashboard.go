package web

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

var periodRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// group is one row of a breakdown (source, service or PI) with its bar widths.
type group struct {
	Name         string
	List, Billed decimal.Decimal
	Covered      decimal.Decimal // List - Billed: what the institution paid for
	Count        int
	ListW, BillW int // bar widths in the chart's 0..barMax coordinate space
	CoveredPct   string
	// ListCut, BillCut: the bar is longer than the scale (one row dominates
	// the breakdown) and is drawn cut, with a break mark.
	ListCut, BillCut bool
}

const barMax = 400

type dashData struct {
	Periods []ledger.PeriodInfo
	Info    ledger.PeriodInfo
	Total   group
	Totals  statement.Totals // the statements' totals (adjustments, amount due)
	// Tie is the period's tie-out to its source (statement.Tie, the same
	// figures focus-journal's summary prints): source total = statements +
	// rounding.
	Tie      statement.TieOut
	Sources  []group
	Services []group
	TopPIs   []group
	Pending  int
	Disputes int // open disputes; -1 = the ledger does not track them
	NoData   bool
	Trend    *trend // list vs billed over the last 12 periods
	Cut      bool   // a breakdown has a cut (not to scale) bar
}

// pickPeriod returns the period the request asks for, or the newest open
// one (else the newest), or "" when the ledger has none.
func pickPeriod(r *http.Request, ps []ledger.PeriodInfo) string {
	if p := r.URL.Query().Get("period"); periodRE.MatchString(p) {
		return p
	}
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].State == ledger.StateOpen {
			return ps[i].Period
		}
	}
	if len(ps) > 0 {
		return ps[len(ps)-1].Period
	}
	return ""
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, q *req) {
	ctx := r.Context()
	ps, err := s.cfg.Ledger.Periods(ctx)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	d := dashData{Periods: ps, Disputes: -1}
	p := pickPeriod(r, ps)
	if p == "" {
		d.NoData = true
		s.render(w, http.StatusOK, "dashboard", view{Title: "Dashboard", Q: q, Data: d, NavItem: "dashboard"})
		return
	}
	d.Info, err = s.cfg.Ledger.Period(ctx, p)
	if errors.Is(err, ledger.ErrNoPeriod) {
		s.fail(w, r, q, http.StatusNotFound, "There is no period "+p+" in the ledger.")
		return
	}
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	if err := periodFigures(ctx, s.cfg.Ledger, p, &d); err != nil {
		s.internal(w, r, q, err)
		return
	}
	d.Trend = buildTrend(ctx, s.cfg.Ledger, s.totals, ps, p, d.Totals)
	for _, err := range d.Trend.errs {
		s.log.Error("dashboard", "err", err)
	}
	for _, gs := range [][]group{d.Sources, d.Services, d.TopPIs} {
		for _, g := range gs {
			d.Cut = d.Cut || g.ListCut || g.BillCut
		}
	}
	if n, ok := s.openDisputes(r, p); ok {
		d.Disputes = n
	}
	s.render(w, http.StatusOK, "dashboard", view{Title: "Dashboard " + p, Q: q, Period: p, Data: d, NavItem: "dashboard", Notice: notice(r)})
}

// periodFigures fills the dashboard's money and breakdowns of period p.
// The figures come from the statements themselves (lib/statement's one
// rounding rule: each statement line rounded once, every total a sum of
// rounded lines), so the dashboard, the statements page, the PDFs and the
// journal agree to the cent.
func periodFigures(ctx context.Context, l ledger.StatementReader, p string, d *dashData) error {
	sts, _, err := build.Build(ctx, l, p, build.Options{Observe: func(c *ledger.Charge) {
		if c.ReviewStatus == "pending" {
			d.Pending++
		}
	}})
	if err != nil {
		return err
	}
	d.Totals = statement.Sum(sts)
	if d.Tie, err = statement.Tie(sts); err != nil {
		return err
	}
	src := map[string]*group{}
	svc := map[string]*group{}
	pis := map[string]*group{}
	add := func(m map[string]*group, k string, l *statement.Line) {
		g := m[k]
		if g == nil {
			g = &group{Name: k}
			m[k] = g
		}
		g.List = g.List.Add(l.ListCost.Decimal)
		g.Billed = g.Billed.Add(l.BilledCost.Decimal)
		g.Count += l.Charges
	}
	for i := range sts {
		for j := range sts[i].Lines {
			l := &sts[i].Lines[j]
			add(src, l.Source, l)
			add(svc, l.Service, l)
			add(pis, sts[i].PI.Email, l)
			d.Total.Count += l.Charges
		}
	}
	d.Total.List, d.Total.Billed = d.Totals.ListCost.Decimal, d.Totals.BilledCost.Decimal
	finish(&d.Total, d.Total.List)
	d.Sources = ranked(src, 0)
	d.Services = ranked(svc, 0)
	d.TopPIs = ranked(pis, 10)
	return nil
}

// ranked sorts groups by list price (largest first), keeps the first n (0 =
// all) and scales their bars to the largest.
func ranked(m map[string]*group, n int) []group {
	gs := make([]group, 0, len(m))
	for _, g := range m {
		gs = append(gs, *g)
	}
	sort.Slice(gs, func(i, j int) bool {
		if c := gs[i].List.Cmp(gs[j].List); c != 0 {
			return c > 0
		}
		return gs[i].Name < gs[j].Name
	})
	if n > 0 && len(gs) > n {
		gs = gs[:n]
	}
	scale := barScale(gs)
	for i := range gs {
		finish(&gs[i], scale)
	}
	return gs
}

// barScale is the value a full-length bar stands for: the largest value,
// unless one row dominates (its largest value more than 3× any other
// row's), when the scale is 1.25× the second row's so the other rows stay
// readable; the dominant row's bars are then drawn cut, with a break mark,
// and their values are in the table beside them.
func barScale(gs []group) decimal.Decimal {
	var vs []decimal.Decimal
	for _, g := range gs {
		vs = append(vs, decimal.Max(g.List, g.Billed))
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].GreaterThan(vs[j]) })
	if len(vs) == 0 {
		return decimal.Zero
	}
	if len(vs) > 1 && vs[1].IsPositive() && vs[0].GreaterThan(vs[1].Mul(decimal.NewFromInt(3))) {
		return vs[1].Mul(decimal.RequireFromString("1.25"))
	}
	return vs[0]
}

func finish(g *group, max decimal.Decimal) {
	g.Covered = g.List.Sub(g.Billed)
	g.CoveredPct = coveredPct(g.List, g.Billed)
	if max.IsPositive() {
		g.ListW, g.ListCut = barWidth(g.List, max), g.List.GreaterThan(max)
		g.BillW, g.BillCut = barWidth(g.Billed, max), g.Billed.GreaterThan(max)
	}
}

func barWidth(v, max decimal.Decimal) int {
	if !v.IsPositive() {
		return 0
	}
	if v.GreaterThan(max) {
		return barMax // cut: drawn with a break mark
	}
	w := int(v.Mul(decimal.NewFromInt(barMax)).Div(max).IntPart())
	if w < 1 {
		w = 1 // a non-zero amount stays visible
	}
	return w
}

// coveredPct is the share of the list price the institution covered,
// floored to one decimal like statement.CoveredPercent (99.96% is never
// shown as 100% while something is still due). Unlike a statement's
// sentence it may be negative: a breakdown row's Covered column is the
// signed net (list − billed), and its share says the same.
func coveredPct(list, billed decimal.Decimal) string {
	if !list.IsPositive() {
		return "–"
	}
	p := list.Sub(billed).Mul(decimal.NewFromInt(100)).Div(list).RoundFloor(1)
	return p.StringFixed(1) + "%"
}

// internal answers a failure that is not the user's doing. The page shows
// a reference, never the error: database messages name tables, columns
// and paths an attacker should not learn. The log has the detail under
// the same reference.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, q *req, err error) {
	ref := randomID()[:8]
	s.log.Error("request", "ref", ref, "path", r.URL.Path, "err", err)
	s.fail(w, r, q, http.StatusInternalServerError, "Something went wrong on the server (reference "+ref+"). Try again; if it persists, give the administrator this reference: the server log has the details.")
}

// openDisputes counts the period's open disputes.
func (s *Server) openDisputes(r *http.Request, period string) (int, bool) {
	ds, err := s.cfg.Ledger.Disputes(r.Context(), period)
	if err != nil {
		return 0, false
	}
	n := 0
	for _, d := range ds {
		if d.Status == "open" {
			n++
		}
	}
	return n, true
}
