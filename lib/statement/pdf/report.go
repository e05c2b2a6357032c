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

// reportCols: the annual report's table. The PI cell holds the name (or
// the e-mail when there is none) and, below it, the e-mail.
var reportCols = []column{
	{title: "Fund/org"}, {title: "PI"},
	{title: "List price", right: true, money: true}, {title: "Discount", right: true, money: true},
	{title: "Billed", right: true, money: true}, {title: "Adjustments", right: true, money: true},
	{title: "Amount due", right: true, money: true}, {title: "Covered", right: true, money: true},
}

// Colours of the charts: list price light, billed dark (as on statements).
var (
	listRGB   = [3]uint8{170, 190, 220}
	billedRGB = [3]uint8{30, 60, 110}
)

// Report renders the annual value-delivered report. It is stamped with
// nothing time-dependent, so the same ledger gives the same bytes.
func (r *Renderer) Report(rep *build.Report) ([]byte, error) {
	draft := rep.Draft()
	d, err := r.newDoc(fmt.Sprintf("Value delivered %d", rep.Year), lastFinalized(rep), draft)
	if err != nil {
		return nil, err
	}
	d.footer = fmt.Sprintf("%s · Value delivered in %d", orDefault(r.inst.Name, "Research Computing"), rep.Year)
	if draft {
		d.footer += " · includes periods not yet finalized"
	}
	cont := func() {
		d.setFont(fontBold, 9)
		d.text(margin, d.y, contentW, 12, fmt.Sprintf("Value delivered in %d (continued)", rep.Year), gopdf.Left)
		d.y += 20
	}
	d.onPage = cont
	d.addPage()
	d.setFont(fontBold, 15)
	for _, l := range d.wrap(orDefault(r.inst.Name, "Research Computing"), contentW, 0) {
		d.text(margin, d.y, contentW, 18, l, gopdf.Left)
		d.y += 18
	}
	d.y += 4
	d.setFont(fontBold, 12)
	d.text(margin, d.y, contentW, 16, fmt.Sprintf("Value delivered in %d", rep.Year), gopdf.Left)
	d.y += 18
	d.setFont(fontRegular, 9)
	var ps []string
	for _, p := range rep.Periods {
		s := p.Period
		if p.State != ledger.StateFinalized {
			s += " (" + p.State + ")"
		}
		ps = append(ps, s)
	}
	for _, l := range d.wrap("Periods: "+strings.Join(ps, ", "), contentW, 0) {
		d.text(margin, d.y, contentW, 12, l, gopdf.Left)
		d.y += 12
	}
	d.y += 8
	t := statement.Totals{ListCost: rep.Totals.ListCost, Discount: rep.Totals.Discount, BilledCost: rep.Totals.BilledCost,
		Adjustments: rep.Totals.Adjustments, AmountDue: rep.Totals.AmountDue}
	type fig struct {
		k string
		m money.Money
	}
	figs := []fig{{"List price", t.ListCost}, {"Discount", t.Discount}, {"Billed", t.BilledCost}}
	if !t.Adjustments.IsZero() {
		figs = append(figs, fig{"Amount due", t.AmountDue})
	}
	gap := 10.0
	w := (contentW - gap*float64(len(figs)-1)) / float64(len(figs))
	for i, f := range figs {
		x := margin + float64(i)*(w+gap)
		d.fillRect(x, d.y, w, 54, 238, 241, 246)
		d.setFont(fontRegular, 9)
		d.shrink(x+10, d.y+6, w-20, 12, f.k, gopdf.Left)
		d.setFont(fontBold, 19)
		d.amount(x+10, d.y+20, w-20, 26, CurrencyAmount("USD", f.m))
	}
	d.y += 66
	d.setFont(fontRegular, 10.5)
	sentence := "No list-priced services were used in this year."
	if t.ListCost.Sign() > 0 {
		sentence = fmt.Sprintf("The institution covered %s (%s) of the list price of the services its researchers used.",
			CurrencyAmount("USD", statement.Covered(t)), statement.CoveredPercent(t))
	}
	if !t.Adjustments.IsZero() {
		// Adjustments (credits beyond the charges included) are part of
		// what the funds were charged: shown, never dropped.
		sentence += fmt.Sprintf(" Adjustments for the year: %s; amount due after adjustments: %s.",
			CurrencyAmount("USD", t.Adjustments), CurrencyAmount("USD", t.AmountDue))
	}
	for _, l := range d.wrap(sentence, contentW, 0) {
		d.text(margin, d.y, contentW, 14, l, gopdf.Left)
		d.y += 14
	}
	d.y += 10
	monthChart(d, rep)
	categoryChart(d, rep)

	var rows []trow
	for i := 0; i < len(rep.Rows); {
		j := i
		var sub statement.Totals
		for ; j < len(rep.Rows) && rep.Rows[j].FundOrg == rep.Rows[i].FundOrg; j++ {
			row := rep.Rows[j]
			pi := clean(row.DisplayName())
			if e := clean(row.PIEmail); e != "" && e != pi {
				pi += "\n" + e
			}
			rt := statement.Totals{ListCost: row.ListCost, Discount: row.Discount, BilledCost: row.BilledCost, Adjustments: row.Adjustments, AmountDue: row.AmountDue}
			rows = append(rows, trow{cells: reportCells(orDefault(clean(row.FundOrg), "—"), pi, rt)})
			sub = sub.Add(rt)
		}
		rows = append(rows, trow{cells: reportCells("Subtotal "+orDefault(clean(rep.Rows[i].FundOrg), "—"), "", sub), bold: true, shade: true, span: 2})
		i = j
	}
	rows = append(rows, trow{cells: reportCells("Total", "", t), bold: true, shade: true, span: 2})
	d.need(60)
	d.setFont(fontBold, 11)
	d.text(margin, d.y, contentW, 14, "By fund/org and PI", gopdf.Left)
	d.y += 18
	tb := d.newTable(reportCols, rows, 8)
	tb.head()
	for _, r := range rows {
		tb.row(r)
		if r.span > 1 {
			d.y += 3
		}
	}
	return d.bytes()
}

func reportCells(fund, pi string, t statement.Totals) []string {
	return []string{fund, pi, t.ListCost.Format(), t.Discount.Format(), t.BilledCost.Format(),
		t.Adjustments.Format(), t.AmountDue.Format(), statement.CoveredPercent(t)}
}

// monthChart: list price and billed per period of the year, paired bars.
// The gap between the two is what the institution contributed.
func monthChart(d *doc, rep *build.Report) {
	if len(rep.Months) == 0 {
		return
	}
	const h = 90.0
	d.need(h + 56)
	d.setFont(fontBold, 11)
	d.text(margin, d.y, contentW, 14, "List price and billed by month", gopdf.Left)
	d.y += 22
	maxV := decimal.Zero
	for _, m := range rep.Months {
		for _, v := range []decimal.Decimal{m.Totals.ListCost.Decimal, m.Totals.BilledCost.Decimal} {
			if v.GreaterThan(maxV) {
				maxV = v
			}
		}
	}
	axisW := 70.0
	x0 := margin + axisW
	// The twelve months of the year, a period's bars in its month's slot
	// (a month without a period stays empty, so gaps are seen).
	slot := (contentW - axisW) / 12
	base := d.y + h
	d.setFont(fontRegular, 7)
	d.gray(90)
	d.amount(margin, d.y-4, axisW-6, 10, CurrencyAmount("USD", money.Cents(maxV)))
	d.amount(margin, base-8, axisW-6, 10, CurrencyAmount("USD", money.Zero))
	d.pdf.SetStrokeColor(180, 180, 180)
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(x0, d.y, pageW-margin, d.y)
	d.pdf.Line(x0, base, pageW-margin, base)
	for i, m := range rep.Months {
		if t, err := time.Parse("2006-01", m.Period); err == nil && t.Year() == rep.Year {
			i = int(t.Month()) - 1
		}
		x := x0 + float64(i)*slot
		bw := slot * 0.34
		for j, v := range []decimal.Decimal{m.Totals.ListCost.Decimal, m.Totals.BilledCost.Decimal} {
			if !maxV.IsPositive() || !v.IsPositive() {
				continue
			}
			bh := max(v.Div(maxV).InexactFloat64()*h, 0.5) // drawing only, not money
			c := listRGB
			if j == 1 {
				c = billedRGB
			}
			d.fillRect(x+slot*0.14+float64(j)*bw, base-bh, bw, bh, c[0], c[1], c[2])
		}
	}
	for i := 0; i < 12; i++ {
		d.text(x0+float64(i)*slot, base+2, slot, 10, time.Month(i + 1).String()[:3], gopdf.Center)
	}
	y := base + 14
	legend(d, x0, y)
	d.gray(0)
	d.y = y + 20
}

func legend(d *doc, x, y float64) {
	d.setFont(fontRegular, 7.5)
	d.gray(60)
	d.fillRect(x, y+2, 8, 7, listRGB[0], listRGB[1], listRGB[2])
	d.text(x+11, y, 60, 10, "List price", gopdf.Left)
	d.fillRect(x+75, y+2, 8, 7, billedRGB[0], billedRGB[1], billedRGB[2])
	d.text(x+86, y, 60, 10, "Billed", gopdf.Left)
	d.text(x+150, y, contentW-(x-margin)-150, 10, "The difference is what the institution covered.", gopdf.Left)
}

// categoryChart: per service category, a list-price bar over a billed bar,
// each labelled with its amount, and the covered share.
func categoryChart(d *doc, rep *build.Report) {
	if len(rep.Categories) == 0 {
		return
	}
	maxV := decimal.Zero
	for _, c := range rep.Categories {
		for _, v := range []decimal.Decimal{c.ListCost.Decimal, c.BilledCost.Decimal} {
			if v.GreaterThan(maxV) {
				maxV = v
			}
		}
	}
	d.need(40 + 26)
	d.setFont(fontBold, 11)
	d.text(margin, d.y, contentW, 14, "List price and billed by service category", gopdf.Left)
	d.y += 20
	labelW, valueW := 120.0, 150.0
	barX := margin + labelW + 6
	barW := contentW - labelW - valueW - 12
	for _, c := range rep.Categories {
		d.setFont(fontBold, 8.5)
		ls := d.wrap(clean(c.Category), labelW, 0)
		h := max(26, float64(len(ls))*11+4)
		d.need(h)
		for k, l := range ls {
			d.text(margin, d.y+float64(k)*11, labelW, 11, l, gopdf.Left)
		}
		t := statement.Totals{ListCost: c.ListCost, Discount: c.Discount, BilledCost: c.BilledCost}
		d.setFont(fontRegular, 7.5)
		for j, v := range []money.Money{c.ListCost, c.BilledCost} {
			y := d.y + 1 + float64(j)*11
			if maxV.IsPositive() && v.IsPositive() {
				col := listRGB
				if j == 1 {
					col = billedRGB
				}
				bw := max(v.Decimal.Div(maxV).InexactFloat64()*barW, 0.5)
				d.fillRect(barX, y, bw, 9, col[0], col[1], col[2])
			}
			label := "List " + CurrencyAmount("USD", v)
			if j == 1 {
				label = "Billed " + CurrencyAmount("USD", v) + " · covered " + statement.CoveredPercent(t)
			}
			d.gray(40)
			d.shrink(barX+barW+6, y, valueW, 10, label, gopdf.Left)
		}
		d.gray(0)
		d.y += h
	}
	legend(d, barX, d.y)
	d.gray(0)
	d.y += 22
}

// lastFinalized is the report's creation date: the latest finalize time of
// its periods when all are finalized (so it is reproducible), else none.
func lastFinalized(rep *build.Report) (t time.Time) {
	for _, p := range rep.Periods {
		if p.State != ledger.StateFinalized {
			return time.Time{}
		}
		if p.FinalizedAt.After(t) {
			t = p.FinalizedAt
		}
	}
	return t
}
