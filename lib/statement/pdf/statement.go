package pdf

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/signintech/gopdf"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// CurrencyAmount formats an amount for display: "$2,400.00" for USD,
// "EUR 2,400.00" otherwise, "-$10.00" for a credit.
func CurrencyAmount(cur string, m money.Money) string {
	s := m.Format()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if cur == "" || cur == "USD" {
		s = "$" + s
	} else {
		s = cur + " " + s
	}
	if neg {
		s = "−" + s // U+2212: a real minus sign reads better than a hyphen
	}
	return s
}

// PeriodTitle turns "2025-01" into "January 2025".
func PeriodTitle(p string) string {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return p
	}
	return t.Format("January 2006")
}

// Statement renders one statement. hist is the PI's monthly totals (oldest
// first, up to 12 months ending with the statement's period) for the chart;
// nil or empty draws no chart.
func (r *Renderer) Statement(st *statement.Statement, hist []ledger.MonthTotal) ([]byte, error) {
	var created time.Time
	if st.FinalizedAt != "" {
		t, err := time.Parse(time.RFC3339, st.FinalizedAt)
		if err != nil {
			return nil, fmt.Errorf("statement %s: finalized_at %q: %w", st.StatementID, st.FinalizedAt, err)
		}
		created = t
	}
	draft := st.Status != statement.StatusFinal
	d, err := r.newDoc("Statement "+st.StatementID, created, draft)
	if err != nil {
		return nil, err
	}
	id := clean(st.StatementID)
	d.footer = fmt.Sprintf("Statement %s · %s · %s", id, PeriodTitle(st.Period), clean(st.PI.Email))
	if draft {
		d.footer += " · DRAFT: figures may change until the period is finalized"
	} else if st.FinalizedAt != "" {
		d.footer += " · final, period finalized " + created.UTC().Format("2006-01-02 15:04 UTC")
	}
	d.onPage = func() {
		d.setFont(fontBold, 9)
		d.text(margin, d.y, contentW, 12, fmt.Sprintf("%s · Statement %s (continued)", r.inst.Name, id), gopdf.Left)
		d.y += 20
	}
	d.addPage()
	r.header(d, st)
	figures(d, st)
	detail(d, st)
	totals(d, st)
	if len(hist) > 0 {
		chart(d, st, hist)
	}
	return d.bytes()
}

// header: institution left, statement id and period right, then the PI
// block. Long values wrap (measured in their font); nothing is cut off.
func (r *Renderer) header(d *doc, st *statement.Statement) {
	top := d.y
	leftW := contentW * 0.58
	d.setFont(fontBold, 15)
	y := top
	for _, l := range d.wrap(orDefault(r.inst.Name, "Research Computing"), leftW, 0) {
		d.text(margin, y, leftW, 18, l, gopdf.Left)
		y += 18
	}
	y += 2
	d.setFont(fontRegular, 8.5)
	d.gray(90)
	for _, a := range append(splitAddress(r.inst.Address), r.inst.Contact) {
		for _, l := range d.wrap(a, leftW, 0) {
			d.text(margin, y, leftW, 11, l, gopdf.Left)
			y += 11
		}
	}
	d.gray(0)

	rx, rw := margin+leftW+10, contentW-leftW-10
	d.setFont(fontBold, 13)
	d.text(rx, top, rw, 18, "Statement", gopdf.Right)
	d.setFont(fontRegular, 9)
	d.text(rx, top+20, rw, 11, clean(st.StatementID), gopdf.Right)
	d.text(rx, top+31, rw, 11, "Period: "+PeriodTitle(st.Period), gopdf.Right)
	status := "Status: DRAFT"
	if st.Status == statement.StatusFinal {
		status = "Status: final"
		if t, err := time.Parse(time.RFC3339, st.FinalizedAt); err == nil {
			status += " (" + t.UTC().Format("2006-01-02") + ")"
		}
	}
	d.text(rx, top+42, rw, 11, status, gopdf.Right)
	if y < top+56 {
		y = top + 56
	}
	y += 6
	d.hline(y, 180, 0.6)
	y += 10

	// PI block: two columns of label/value pairs.
	type kv struct{ k, v string }
	left := []kv{{"PI", orDefault(clean(st.PI.Name), "—")}, {"E-mail", clean(st.PI.Email)}}
	right := []kv{{"Fund/org", orDefault(clean(st.FundOrg), fundsOf(st))}, {"Project", orDefault(clean(st.ProjectID), projectsOf(st))}}
	col := func(x, w float64, kvs []kv) float64 {
		yy := y
		for _, p := range kvs {
			d.setFont(fontRegular, 8)
			d.gray(110)
			d.text(x, yy, 55, 13, p.k, gopdf.Left)
			d.gray(0)
			d.setFont(fontBold, 10)
			for _, l := range d.wrap(p.v, w-58, 0) {
				d.text(x+58, yy, w-58, 13, l, gopdf.Left)
				yy += 13
			}
		}
		return yy
	}
	half := contentW / 2
	y1 := col(margin, half-10, left)
	y2 := col(margin+half, half, right)
	d.y = max(y1, y2) + 12
}

func splitAddress(a string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(a, func(r rune) bool { return r == '\n' || r == ';' }) {
		if l = clean(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func distinct(st *statement.Statement, f func(*statement.Line) string) string {
	seen := map[string]bool{}
	var vs []string
	for i := range st.Lines {
		v := clean(f(&st.Lines[i]))
		if v != "" && !seen[v] {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	switch len(vs) {
	case 0:
		return "—"
	case 1:
		return vs[0]
	}
	return fmt.Sprintf("%d (see lines)", len(vs))
}

func fundsOf(st *statement.Statement) string {
	return distinct(st, func(l *statement.Line) string { return l.FundOrg })
}
func projectsOf(st *statement.Statement) string {
	return distinct(st, func(l *statement.Line) string { return l.ProjectID })
}

// figures: the numbers a PI reads first, in large type — list price,
// discount, adjustments and amount due side by side, so list + discount +
// adjustments = amount due reads at a glance — then the coverage sentence
// and the notes.
func figures(d *doc, st *statement.Statement) {
	gap := 10.0
	w := (contentW - 3*gap) / 4
	h := 58.0
	y := d.y
	items := []struct {
		label string
		m     money.Money
		dark  bool
	}{
		{"List price", st.Totals.ListCost, false},
		{"Discount", st.Totals.Discount, false},
		{"Adjustments", st.Totals.Adjustments, false},
		{"Amount due", st.Totals.AmountDue, true},
	}
	for i, it := range items {
		x := margin + float64(i)*(w+gap)
		if it.dark {
			d.fillRect(x, y, w, h, 30, 60, 110)
			d.pdf.SetTextColor(255, 255, 255)
		} else {
			d.fillRect(x, y, w, h, 238, 241, 246)
			d.gray(70)
		}
		d.setFont(fontRegular, 9)
		d.text(x+10, y+7, w-20, 12, it.label, gopdf.Left)
		if !it.dark {
			d.gray(0)
		}
		d.setFont(fontBold, 21)
		d.amount(x+10, y+22, w-20, 28, CurrencyAmount(st.Currency, it.m))
		d.gray(0)
	}
	d.y = y + h + 12
	d.setFont(fontRegular, 10.5)
	for _, l := range d.wrap(statement.CoveredSentence(st), contentW, 0) {
		d.text(margin, d.y, contentW, 14, l, gopdf.Left)
		d.y += 14
	}
	if credit := statement.CreditSentence(st, func(m money.Money) string { return CurrencyAmount(st.Currency, m) }); credit != "" {
		d.setFont(fontBold, 10.5)
		for _, l := range d.wrap(clean(credit), contentW, 0) {
			d.need(14)
			d.text(margin, d.y, contentW, 14, l, gopdf.Left)
			d.y += 14
		}
	}
	if statement.HasUnderReview(st) {
		d.setFont(fontBold, 9.5)
		d.color(160, 40, 20)
		for _, l := range d.wrap(statement.UnderReviewSentence, contentW, 0) {
			d.need(13)
			d.text(margin, d.y, contentW, 13, l, gopdf.Left)
			d.y += 13
		}
		d.gray(0)
	}
	if len(st.Notes) > 0 {
		d.y += 4
		d.setFont(fontBold, 9)
		d.color(160, 40, 20)
		for _, n := range st.Notes {
			for i, l := range d.wrap("Note: "+clean(n), contentW, 0) {
				_ = i
				d.need(12)
				d.text(margin, d.y, contentW, 12, l, gopdf.Left)
				d.y += 12
			}
		}
		d.gray(0)
	}
	d.y += 10
}

// detailCols: project, fund/org, service, quantity, then money.
var detailCols = []column{
	{title: "Project"}, {title: "Fund/org"}, {title: "Service"}, {title: "Quantity", right: true},
	{title: "List price", right: true, money: true}, {title: "Discount", right: true, money: true},
	{title: "Amount due", right: true, money: true},
}

// detail: the lines grouped by project (lines are sorted by project),
// each project closed by a subtotal row. Columns are sized to their
// content; long projects, funds, services and units wrap in their cell.
func detail(d *doc, st *statement.Statement) {
	d.need(40)
	d.setFont(fontBold, 11)
	d.text(margin, d.y, contentW, 14, "Charges by service and project", gopdf.Left)
	d.y += 18
	if len(st.Lines) == 0 {
		d.setFont(fontRegular, 9)
		d.text(margin, d.y, contentW, 12, "No usage was charged in this period.", gopdf.Left)
		d.y += 20
		return
	}
	var rows []trow
	var gaps []int // rows after which a small gap is left (end of a project)
	quals := statement.Qualifiers(st)
	for i := 0; i < len(st.Lines); {
		j := i
		var list, disc, bill money.Money
		for ; j < len(st.Lines) && st.Lines[j].ProjectID == st.Lines[i].ProjectID; j++ {
			l := &st.Lines[j]
			// The source is shown unless the service name already says it
			// ("HPC Compute" from source "HPC").
			svc := clean(l.Service)
			if src := clean(l.Source); src != "" && !strings.HasPrefix(strings.ToLower(svc), strings.ToLower(src)) {
				svc = src + " · " + svc
			}
			svc += lineExtras(l, quals[j])
			q := ""
			if l.Quantity != "" {
				q = strings.TrimSpace(qty(l.Quantity) + " " + clean(l.Unit))
			}
			rows = append(rows, trow{cells: []string{orDefault(clean(l.ProjectID), "—"), clean(l.FundOrg), svc, q,
				l.ListCost.Format(), l.Discount.Format(), l.BilledCost.Format()}})
			list, disc, bill = list.Add(l.ListCost), disc.Add(l.Discount), bill.Add(l.BilledCost)
		}
		rows = append(rows, trow{cells: []string{"Subtotal " + orDefault(clean(st.Lines[i].ProjectID), "(no project)"), "", "", "",
			list.Format(), disc.Format(), bill.Format()}, bold: true, shade: true, span: 4})
		gaps = append(gaps, len(rows)-1)
		i = j
	}
	t := d.newTable(detailCols, rows, 7.5)
	t.head()
	g := 0
	for k, r := range rows {
		t.row(r)
		if g < len(gaps) && gaps[g] == k {
			d.y += 3
			g++
		}
	}
	d.y += 8
}

// lineExtras is what the service cell says beyond the service: what a
// non-usage line is (its description), the keys that tell it from a line
// that looks the same, and the under-review mark. The cell wraps, so none
// of it is cut.
func lineExtras(l *statement.Line, qual string) string {
	var s string
	if d := clean(l.Explain()); d != "" {
		s += ": " + d
	}
	if q := clean(qual); q != "" {
		s += " (" + q + ")"
	}
	if l.UnderReview {
		s += " [" + statement.UnderReviewMark + "]"
	}
	return s
}

// qty shows a summed quantity with at most two decimals and separators.
func qty(s string) string {
	v, err := decimal.NewFromString(s)
	if err != nil {
		return clean(s)
	}
	m := money.Money{Decimal: v.Round(2)}
	f := m.Format()
	return strings.TrimSuffix(f, ".00")
}

// totals: adjustments, then the summary block on the right.
func totals(d *doc, st *statement.Statement) {
	cur := st.Currency
	if len(st.Adjustments) > 0 {
		d.need(40)
		d.setFont(fontBold, 11)
		d.text(margin, d.y, contentW, 14, "Adjustments", gopdf.Left)
		d.y += 18
		d.setFont(fontRegular, 8.5)
		for _, a := range st.Adjustments {
			reason := orDefault(clean(a.Reason), "(no reason given)")
			if a.Ref != "" {
				reason += " — ref. " + clean(a.Ref)
			}
			lines := d.wrap(reason, contentW-110, 0)
			d.need(float64(len(lines)) * tRowH)
			d.amount(pageW-margin-100, d.y, 100, tRowH, CurrencyAmount(cur, a.Amount))
			for _, l := range lines {
				d.text(margin+3, d.y, contentW-110, tRowH, l, gopdf.Left)
				d.y += tRowH
			}
		}
		d.y += 8
	}
	rows := []struct {
		k    string
		m    money.Money
		bold bool
	}{
		{"List price", st.Totals.ListCost, false},
		{"Discount", st.Totals.Discount, false},
		{"Billed", st.Totals.BilledCost, false},
		{"Adjustments", st.Totals.Adjustments, false},
		{"Amount due", st.Totals.AmountDue, true},
	}
	d.need(float64(len(rows))*15 + 10)
	x := pageW - margin - 230
	d.hline(d.y, 180, 0.6)
	d.y += 4
	for _, r := range rows {
		f := fontRegular
		if r.bold {
			f = fontBold
		}
		d.setFont(f, 10)
		d.text(x, d.y, 120, 15, r.k, gopdf.Left)
		d.amount(x+120, d.y, 110, 15, CurrencyAmount(cur, r.m))
		d.y += 15
	}
	d.y += 14
}

// chart: list vs billed per month for the 12 months ending with the
// statement's period, as paired bars.
func chart(d *doc, st *statement.Statement, hist []ledger.MonthTotal) {
	const h = 80.0
	d.need(h + 48)
	d.setFont(fontBold, 10)
	d.text(margin, d.y, contentW, 14, "Your last 12 months: list price and billed", gopdf.Left)
	d.y += 18
	end, err := time.Parse("2006-01", st.Period)
	if err != nil {
		return
	}
	months := make([]string, build.HistoryMonths)
	for i := range months {
		months[i] = end.AddDate(0, i-(build.HistoryMonths-1), 0).Format("2006-01")
	}
	byMonth := map[string]ledger.MonthTotal{}
	maxV := decimal.Zero
	for _, m := range hist {
		byMonth[m.Period] = m
		for _, v := range []decimal.Decimal{m.ListCost, m.BilledCost} {
			if v.GreaterThan(maxV) {
				maxV = v
			}
		}
	}
	axisW := 70.0
	x0 := margin + axisW
	slot := (contentW - axisW) / float64(len(months))
	base := d.y + h
	d.setFont(fontRegular, 7)
	d.gray(110)
	d.text(margin, d.y-4, axisW-6, 10, CurrencyAmount(st.Currency, money.Cents(maxV)), gopdf.Right)
	d.text(margin, base-8, axisW-6, 10, CurrencyAmount(st.Currency, money.Zero), gopdf.Right)
	d.pdf.SetStrokeColor(180, 180, 180)
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(x0, base, pageW-margin, base)
	for i, p := range months {
		x := x0 + float64(i)*slot
		m := byMonth[p]
		bw := slot * 0.34
		for j, v := range []decimal.Decimal{m.ListCost, m.BilledCost} {
			if !maxV.IsPositive() || !v.IsPositive() {
				continue
			}
			bh, _ := v.Div(maxV).Mul(decimal.NewFromFloat(h)).Float64() // drawing only, not money
			if bh < 0.5 {
				bh = 0.5
			}
			if j == 0 {
				d.fillRect(x+slot*0.14, base-bh, bw, bh, 170, 190, 220)
			} else {
				d.fillRect(x+slot*0.14+bw, base-bh, bw, bh, 30, 60, 110)
			}
		}
		t, _ := time.Parse("2006-01", p)
		d.text(x, base+2, slot, 10, t.Format("Jan"), gopdf.Center)
	}
	y := base + 14
	d.fillRect(x0, y+2, 8, 7, 170, 190, 220)
	d.text(x0+11, y, 60, 10, "List price", gopdf.Left)
	d.fillRect(x0+75, y+2, 8, 7, 30, 60, 110)
	d.text(x0+86, y, 60, 10, "Billed", gopdf.Left)
	d.gray(0)
	d.y = y + 18
}
