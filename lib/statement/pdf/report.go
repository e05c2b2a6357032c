package pdf

import (
	"fmt"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

var reportCols = []struct {
	title string
	w     float64
	right bool
}{
	{"Fund/org", 96, false},
	{"PI", 160, false},
	{"List price", 80, true},
	{"Discount", 76, true},
	{"Billed", 76, true},
	{"Covered", 44, true},
}

// Report renders the annual value-delivered report. It is stamped with
// nothing time-dependent, so the same ledger gives the same bytes.
func (r *Renderer) Report(rep *build.Report) ([]byte, error) {
	draft := rep.Draft()
	d, err := r.newDoc(fmt.Sprintf("Value delivered %d", rep.Year), lastFinalized(rep), draft)
	if err != nil {
		return nil, err
	}
	d.footer = fmt.Sprintf("%s · Value delivered in %d", r.inst.Name, rep.Year)
	if draft {
		d.footer += " · includes periods not yet finalized"
	}
	head := func() {
		x := margin
		d.fillRect(margin, d.y, contentW, rowH+2, 30, 60, 110)
		d.pdf.SetTextColor(255, 255, 255)
		d.setFont(fontBold, 8)
		for _, c := range reportCols {
			a := gopdf.Left
			if c.right {
				a = gopdf.Right
			}
			d.text(x+3, d.y+1, c.w-6, rowH, c.title, a)
			x += c.w
		}
		d.gray(0)
		d.y += rowH + 3
	}
	d.onPage = func() {
		d.setFont(fontBold, 9)
		d.text(margin, d.y, contentW, 12, fmt.Sprintf("Value delivered in %d (continued)", rep.Year), gopdf.Left)
		d.y += 20
		head()
	}
	d.addPage()
	d.setFont(fontBold, 15)
	d.text(margin, d.y, contentW, 18, orDefault(r.inst.Name, "Research Computing"), gopdf.Left)
	d.y += 22
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
	for _, l := range d.wrap("Periods: "+strings.Join(ps, ", "), contentW, 3) {
		d.text(margin, d.y, contentW, 12, l, gopdf.Left)
		d.y += 12
	}
	d.y += 8
	t := statement.Totals{ListCost: rep.Totals.ListCost, Discount: rep.Totals.Discount, BilledCost: rep.Totals.BilledCost}
	figs := []struct {
		k string
		m money.Money
	}{{"List price", t.ListCost}, {"Discount", t.Discount}, {"Billed", t.BilledCost}}
	w := (contentW - 20) / 3
	for i, f := range figs {
		x := margin + float64(i)*(w+10)
		d.fillRect(x, d.y, w, 54, 238, 241, 246)
		d.setFont(fontRegular, 9)
		d.text(x+10, d.y+6, w-20, 12, f.k, gopdf.Left)
		d.setFont(fontBold, 19)
		d.amount(x+10, d.y+20, w-20, 26, CurrencyAmount("USD", f.m))
	}
	d.y += 66
	d.setFont(fontRegular, 10.5)
	sentence := "No list-priced services were used in this year."
	if t.ListCost.Sign() > 0 {
		sentence = fmt.Sprintf("The institution covered $%s (%s) of the list price of the services its researchers used.",
			statement.Covered(t).Format(), statement.CoveredPercent(t))
	}
	if !rep.Totals.Adjustments.IsZero() {
		// Adjustments (credits beyond the charges included) are part of
		// what the funds were charged: shown, never dropped.
		sentence += fmt.Sprintf(" Adjustments for the year: %s; amount due after adjustments: %s.",
			CurrencyAmount("USD", rep.Totals.Adjustments), CurrencyAmount("USD", rep.Totals.AmountDue))
	}
	for _, l := range d.wrap(sentence, contentW, 3) {
		d.text(margin, d.y, contentW, 14, l, gopdf.Left)
		d.y += 14
	}
	d.y += 10
	head()
	for i := 0; i < len(rep.Rows); {
		j := i
		var sub statement.Totals
		for ; j < len(rep.Rows) && rep.Rows[j].FundOrg == rep.Rows[i].FundOrg; j++ {
			row := rep.Rows[j]
			pi := clean(row.PIEmail)
			if n := clean(row.PIName); n != "" {
				pi = n + " <" + pi + ">"
			}
			reportRow(d, []string{orDefault(clean(row.FundOrg), "—"), pi, row.ListCost.Format(), row.Discount.Format(), row.BilledCost.Format(),
				statement.CoveredPercent(statement.Totals{ListCost: row.ListCost, BilledCost: row.BilledCost})}, false)
			sub.ListCost, sub.Discount, sub.BilledCost = sub.ListCost.Add(row.ListCost), sub.Discount.Add(row.Discount), sub.BilledCost.Add(row.BilledCost)
		}
		reportRow(d, []string{"Subtotal " + orDefault(clean(rep.Rows[i].FundOrg), "—"), "", sub.ListCost.Format(), sub.Discount.Format(), sub.BilledCost.Format(),
			statement.CoveredPercent(sub)}, true)
		d.y += 3
		i = j
	}
	reportRow(d, []string{"Total", "", t.ListCost.Format(), t.Discount.Format(), t.BilledCost.Format(), statement.CoveredPercent(t)}, true)
	return d.bytes()
}

func reportRow(d *doc, cells []string, bold bool) {
	if d.y+rowH > bottom {
		d.addPage()
	}
	if bold {
		d.fillRect(margin, d.y, contentW, rowH, 238, 241, 246)
		d.setFont(fontBold, 8)
	} else {
		d.setFont(fontRegular, 8)
	}
	x := margin
	for i, c := range reportCols {
		w := c.w
		if i == 0 && cells[1] == "" { // subtotal label spans the PI column
			w += reportCols[1].w
		}
		if c.right {
			d.amount(x+3, d.y, w-6, rowH, cells[i])
		} else {
			d.text(x+3, d.y, w-6, rowH, cells[i], gopdf.Left)
		}
		x += c.w
	}
	d.y += rowH
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
