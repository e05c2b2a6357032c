// Package pdf renders statements and the annual report as PDF with
// signintech/gopdf. The Go fonts are embedded (subset per document), so the
// output never depends on the fonts of the machine, and nothing in a
// document depends on the time it was rendered: a finalized statement
// re-rendered is byte-identical.
package pdf

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Institution is who issues the statements (header of every page).
type Institution struct {
	Name    string
	Address string // may hold several lines separated by "\n" or ";"
	Contact string
}

// Renderer renders PDFs. The fonts are parsed once; a Renderer is safe for
// use by several goroutines at once (each document has its own gopdf.GoPdf).
type Renderer struct {
	inst    Institution
	fonts   *gopdf.FontContainer
	metrics map[string]*metrics // by font family
}

const (
	fontRegular = "goregular"
	fontBold    = "gobold"
	producer    = "OpenChargeback focus-statement"
)

// NewRenderer parses the embedded fonts.
func NewRenderer(inst Institution) (*Renderer, error) {
	fc := &gopdf.FontContainer{}
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{fontRegular, goregular.TTF}, {fontBold, gobold.TTF}} {
		ttf, err := unhint(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("embedded font %s: %w", f.name, err)
		}
		if err := fc.AddTTFFontData(f.name, ttf); err != nil {
			return nil, fmt.Errorf("embedded font %s: %w", f.name, err)
		}
	}
	ms := map[string]*metrics{}
	for _, f := range []string{fontRegular, fontBold} {
		m, err := newMetrics(f, fc)
		if err != nil {
			return nil, fmt.Errorf("embedded font %s: %w", f, err)
		}
		ms[f] = m
	}
	inst.Name = clean(inst.Name)
	inst.Contact = clean(inst.Contact)
	return &Renderer{inst: inst, fonts: fc, metrics: ms}, nil
}

// Page geometry (US Letter, points).
const (
	pageW    = 612.0
	pageH    = 792.0
	margin   = 40.0
	contentW = pageW - 2*margin
	footerY  = pageH - 38 // top of the footer's last line
	footerLH = 9.0        // footer line height
)

// doc wraps one gopdf document with a cursor and the text helpers every
// page needs: measured truncation and wrapping so text never overlaps.
type doc struct {
	pdf    *gopdf.GoPdf
	y      float64
	page   int
	font   string
	size   float64
	fonts  map[string]*metrics
	m      *metrics // of font
	err    error
	onPage func() // draws the header of a continuation page
	footer string
	draft  bool
	bottom float64 // last y for content; the footer lives below
}

func (r *Renderer) newDoc(title string, created time.Time, draft bool) (*doc, error) {
	p := &gopdf.GoPdf{}
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	p.SetCompressLevel(6) // level 9 is half as fast for 8 bytes less
	info := gopdf.PdfInfo{Title: clean(title), Producer: producer, Creator: producer}
	if !created.IsZero() {
		info.CreationDate = created.UTC()
	}
	p.SetInfo(info)
	if err := p.AddTTFFontFromFontContainer(fontRegular, r.fonts); err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	if err := p.AddTTFFontFromFontContainer(fontBold, r.fonts); err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	return &doc{pdf: p, draft: draft, fonts: r.metrics}, nil
}

func (d *doc) setFont(family string, size float64) {
	if d.err != nil {
		return
	}
	d.font, d.size, d.m = family, size, d.fonts[family]
	d.err = d.pdf.SetFont(family, "", size)
	if d.err == nil && d.m == nil {
		d.err = fmt.Errorf("font %s: no metrics", family)
	}
}

func (d *doc) gray(g uint8)        { d.pdf.SetTextColor(g, g, g) }
func (d *doc) color(r, g, b uint8) { d.pdf.SetTextColor(r, g, b) }

// width of s in points in the current font (what gopdf's MeasureTextWidth
// returns, from the Renderer's metrics).
func (d *doc) width(s string) float64 {
	if d.err != nil {
		return 0
	}
	if d.m == nil {
		d.err = errors.New("no font set")
		return 0
	}
	u, err := d.m.units(s)
	if err != nil {
		d.err = err
	}
	return points(u, d.size)
}

// prefix is the number of runes of rs, at least least, whose width plus
// extra (1/1000 em) fits in w points: the longest such prefix, widths being
// never negative; least when none fits.
func (d *doc) prefix(rs []rune, extra int, w float64, least int) int {
	if d.err != nil || d.m == nil {
		return least
	}
	sum, n := extra, 0
	for i, r := range rs {
		u, err := d.m.rune(r)
		if err != nil {
			d.err = err
			return least
		}
		sum += int(u)
		if points(sum, d.size) > w {
			break
		}
		n = i + 1
	}
	return max(n, least)
}

// fit truncates s with an ellipsis so it is at most w points wide in the
// current font.
func (d *doc) fit(s string, w float64) string {
	if d.width(s) <= w {
		return s
	}
	rs := []rune(s)
	ell, err := d.m.units("…")
	if err != nil {
		d.err = err
	}
	return string(rs[:d.prefix(rs, ell, w, 0)]) + "…"
}

// wrap splits s into lines at most w points wide, at most max lines (0:
// no limit), so nothing is cut off: it breaks at a space when it can, else
// after a '-', '_', '.', '/', '@' or ',' (ids, funds and e-mail addresses),
// else anywhere in a long word. No character is added or dropped except the
// spaces at the breaks, so the lines joined (whitespace removed) are s.
// Only when max lines are not enough is the last one truncated with "…".
func (d *doc) wrap(s string, w float64, max int) []string {
	var lines []string
	rest := strings.TrimSpace(s)
	for rest != "" {
		if d.err != nil {
			return lines
		}
		if (max > 0 && len(lines) == max-1) || d.width(rest) <= w {
			lines = append(lines, d.fit(rest, w))
			break
		}
		rs := []rune(rest)
		cut := breakAt(rs, d.prefix(rs, 0, w, 1)) // longest prefix that fits, at least a rune
		lines = append(lines, strings.TrimSpace(string(rs[:cut])))
		rest = strings.TrimSpace(string(rs[cut:]))
	}
	return lines
}

// breakAt is where a line of the first n runes of rs (which fit) should
// end: after the last space, else after the last punctuation that joins
// the parts of an id, else at n. The rest (rs[n:]) starts the next line.
func breakAt(rs []rune, n int) int {
	if n >= len(rs) {
		return n
	}
	if rs[n] == ' ' {
		return n
	}
	for i := n - 1; i > 0; i-- {
		if rs[i] == ' ' {
			return i
		}
	}
	for i := n - 1; i > 0; i-- {
		switch rs[i] {
		case '-', '_', '.', '/', '@', ',', ';', ':', '|', '·':
			return i + 1
		}
	}
	return n
}

// lines wraps a cell: paragraphs (split at "\n", which clean never leaves
// in a value) each wrapped to w without a line limit.
func (d *doc) lines(s string, w float64) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		out = append(out, d.wrap(p, w, 0)...)
	}
	return out
}

// text draws s in a box of width w at (x, y) (y = top of the line),
// truncated to fit; align is gopdf.Left, gopdf.Right or gopdf.Center.
func (d *doc) text(x, y, w, h float64, s string, align int) {
	if d.err != nil || s == "" {
		return
	}
	s = d.fit(s, w)
	d.pdf.SetXY(x, y)
	d.err = d.pdf.CellWithOption(&gopdf.Rect{W: w, H: h}, s, gopdf.CellOption{Align: align | gopdf.Middle})
}

// amount draws a money string right-aligned; if it is wider than the
// column, the font shrinks instead of cutting digits.
func (d *doc) amount(x, y, w, h float64, s string) { d.shrink(x, y, w, h, s, gopdf.Right) }

// shrink draws s in one line, the font shrinking (down to 4 pt) rather
// than any character being cut.
func (d *doc) shrink(x, y, w, h float64, s string, align int) {
	if d.err != nil {
		return
	}
	size := d.size
	for d.width(s) > w && d.size > 4 {
		d.setFont(d.font, d.size-0.5)
	}
	d.text(x, y, w, h, s, align)
	if d.size != size {
		d.setFont(d.font, size)
	}
}

func (d *doc) hline(y float64, g uint8, width float64) {
	d.pdf.SetStrokeColor(g, g, g)
	d.pdf.SetLineWidth(width)
	d.pdf.Line(margin, y, pageW-margin, y)
}

func (d *doc) fillRect(x, y, w, h float64, r, g, b uint8) {
	d.pdf.SetFillColor(r, g, b)
	d.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

// addPage starts a page: watermark first (so content is drawn over it),
// then the footer and the continuation header.
func (d *doc) addPage() {
	if d.err != nil {
		return
	}
	d.pdf.AddPage()
	d.page++
	if d.draft {
		font, size := d.font, d.size
		d.setFont(fontBold, 130)
		d.gray(232)
		w := d.width("DRAFT")
		cx, cy := pageW/2, pageH/2
		d.pdf.Rotate(40, cx, cy)
		d.pdf.SetXY(cx-w/2, cy-65)
		if d.err == nil {
			d.err = d.pdf.Cell(nil, "DRAFT")
		}
		d.pdf.RotateReset()
		if font != "" {
			d.setFont(font, size)
		}
	}
	font, size := d.font, d.size
	d.setFont(fontRegular, 7.5)
	d.gray(110)
	// The footer wraps (a long e-mail is never cut); the content ends above
	// its first line.
	fl := d.wrap(d.footer, contentW-70, 0)
	fy := footerY - float64(max(len(fl)-1, 0))*footerLH
	d.bottom = fy - 14
	for _, l := range fl {
		d.text(margin, fy, contentW-70, 10, l, gopdf.Left)
		fy += footerLH
	}
	d.text(pageW-margin-60, footerY, 60, 10, fmt.Sprintf("Page %d", d.page), gopdf.Right)
	d.gray(0)
	if font != "" {
		d.setFont(font, size)
	}
	d.y = margin
	if d.page > 1 && d.onPage != nil {
		d.onPage()
	}
}

// need starts a new page unless h points fit above the footer.
func (d *doc) need(h float64) {
	if d.y+h > d.bottom {
		d.addPage()
	}
}

func (d *doc) bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	return d.pdf.GetBytesPdfReturnErr()
}

// maxRunes caps any text drawn: no box on a page holds more, and measuring
// a megabyte-long tag value for every truncation step would be slow.
const maxRunes = 600

// clean makes tag values safe to draw: control characters (NUL, CR, LF,
// tabs, bidi overrides) become spaces, runs of spaces collapse, and text is
// cut at maxRunes.
func clean(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if n++; n > maxRunes {
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ")
}

// A table whose columns are sized to their content and whose text cells
// wrap within their column (multi-line rows): nothing is cut off. Money
// cells never wrap; they get the width of their widest value.
type table struct {
	d     *doc
	cols  []column
	w     []float64 // column widths, summing to contentW
	size  float64   // font size of the body
	onNew func()    // drawn before the head on a new page (optional)
}

// column of a table.
type column struct {
	title string
	right bool // right-aligned
	money bool // one line, never wrapped: as wide as its widest value
}

// trow is one table row. span > 1: the first cell spans that many columns
// (a subtotal label), the cells it covers are empty.
type trow struct {
	cells []string
	bold  bool
	shade bool
	span  int
}

const (
	cellPad = 3.0  // left and right padding of a cell
	tRowH   = 13.0 // height of a one-line row
	tLineH  = 9.5  // each further line of a wrapped row
	minCol  = 70.0 // a text column is never squeezed below its longest word, up to this
)

// newTable sizes the columns to the header and every row. When the natural
// widths fit, the spare width goes to the text columns; when they do not,
// money columns keep their width and the text columns share the rest, each
// at least its longest word (up to minCol), the widest wrapping first.
func (d *doc) newTable(cols []column, rows []trow, size float64) *table {
	n := len(cols)
	need := make([]float64, n) // natural width of the content
	least := make([]float64, n)
	measure := func(i int, s string) {
		for _, p := range strings.Split(s, "\n") {
			if w := d.width(p); w > need[i] {
				need[i] = w
			}
			if cols[i].money {
				continue
			}
			for _, word := range strings.Fields(p) {
				if w := min(d.width(word), minCol); w > least[i] {
					least[i] = w
				}
			}
		}
	}
	d.setFont(fontBold, size)
	for i, c := range cols {
		need[i] = d.width(c.title) // a title wraps (at spaces) only when space is short
		for _, word := range strings.Fields(c.title) {
			if w := d.width(word); w > least[i] {
				least[i] = w
			}
		}
	}
	for _, bold := range []bool{false, true} {
		d.setFont(map[bool]string{false: fontRegular, true: fontBold}[bold], size)
		for _, r := range rows {
			if r.bold != bold {
				continue
			}
			for i, c := range r.cells {
				if i < n && (i > 0 || r.span <= 1) {
					measure(i, c)
				}
			}
		}
	}
	w := make([]float64, n)
	total, fixed := 0.0, 0.0
	for i := range cols {
		need[i] += 2 * cellPad
		least[i] = min(least[i]+2*cellPad, need[i])
		total += need[i]
		if cols[i].money {
			fixed += need[i]
		}
	}
	if total <= contentW {
		textNeed := total - fixed
		for i := range cols {
			w[i] = need[i]
			if !cols[i].money && textNeed > 0 {
				w[i] += (contentW - total) * need[i] / textNeed
			}
		}
		if textNeed == 0 {
			w[n-1] += contentW - total
		}
	} else {
		avail := contentW - fixed
		for i := range cols {
			if cols[i].money {
				w[i] = need[i]
			} else {
				w[i] = least[i]
				avail -= least[i]
			}
		}
		if avail < 0 { // money alone is too wide: scale it (amounts shrink)
			scale := max((fixed+avail)/fixed, 0.3)
			for i := range cols {
				if cols[i].money {
					w[i] *= scale
				}
			}
			avail = 0
		}
		for avail > 0.01 { // water-fill the text columns towards their need
			var open []int
			for i := range cols {
				if !cols[i].money && w[i] < need[i]-0.01 {
					open = append(open, i)
				}
			}
			if len(open) == 0 {
				break
			}
			share := avail / float64(len(open))
			for _, i := range open {
				add := min(share, need[i]-w[i])
				w[i] += add
				avail -= add
			}
		}
	}
	return &table{d: d, cols: cols, w: w, size: size}
}

func (t *table) x(i int) float64 {
	x := margin
	for j := 0; j < i; j++ {
		x += t.w[j]
	}
	return x
}

// head draws the column titles (wrapped at spaces when a column is narrow).
func (t *table) head() {
	d := t.d
	d.setFont(fontBold, t.size)
	ls := make([][]string, len(t.cols))
	n := 1
	for i, c := range t.cols {
		ls[i] = d.wrap(c.title, t.w[i]-2*cellPad, 0)
		n = max(n, len(ls[i]))
	}
	h := tRowH + 2 + float64(n-1)*tLineH
	d.fillRect(margin, d.y, contentW, h, 30, 60, 110)
	d.pdf.SetTextColor(255, 255, 255)
	for i, c := range t.cols {
		a := gopdf.Left
		if c.right {
			a = gopdf.Right
		}
		for k, l := range ls[i] {
			d.text(t.x(i)+cellPad, d.y+2.75+float64(k)*tLineH, t.w[i]-2*cellPad, tLineH, l, a)
		}
	}
	d.gray(0)
	d.y += h + 3
}

// row draws one row, as tall as its longest wrapped cell; a row that does
// not fit above the footer starts a new page with the head repeated.
func (t *table) row(r trow) {
	d := t.d
	f := fontRegular
	if r.bold {
		f = fontBold
	}
	d.setFont(f, t.size)
	ls := make([][]string, len(t.cols))
	ws := make([]float64, len(t.cols))
	n := 1
	for i := range t.cols {
		if i >= len(r.cells) || r.cells[i] == "" {
			continue
		}
		ws[i] = t.w[i]
		if i == 0 && r.span > 1 {
			ws[i] = t.x(r.span) - t.x(0)
		}
		if t.cols[i].money {
			ls[i] = []string{r.cells[i]}
		} else {
			ls[i] = d.lines(r.cells[i], ws[i]-2*cellPad)
		}
		n = max(n, len(ls[i]))
	}
	h := tRowH + float64(n-1)*tLineH
	if d.y+h > d.bottom {
		d.addPage()
		if t.onNew != nil {
			t.onNew()
		}
		t.head()
		d.setFont(f, t.size)
	}
	if r.shade {
		d.fillRect(margin, d.y, contentW, h, 238, 241, 246)
	}
	for i, c := range t.cols {
		for k, l := range ls[i] {
			y := d.y + (tRowH-tLineH)/2 + float64(k)*tLineH
			switch {
			case c.money: // every digit kept: the font shrinks if need be
				d.amount(t.x(i)+cellPad, y, ws[i]-2*cellPad, tLineH, l)
			case c.right:
				d.text(t.x(i)+cellPad, y, ws[i]-2*cellPad, tLineH, l, gopdf.Right)
			default:
				d.text(t.x(i)+cellPad, y, ws[i]-2*cellPad, tLineH, l, gopdf.Left)
			}
		}
	}
	d.y += h
}
