// Package pdf renders statements and the annual report as PDF with
// signintech/gopdf. The Go fonts are embedded (subset per document), so the
// output never depends on the fonts of the machine, and nothing in a
// document depends on the time it was rendered: a finalized statement
// re-rendered is byte-identical.
package pdf

import (
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
	inst  Institution
	fonts *gopdf.FontContainer
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
	inst.Name = clean(inst.Name)
	inst.Contact = clean(inst.Contact)
	return &Renderer{inst: inst, fonts: fc}, nil
}

// Page geometry (US Letter, points).
const (
	pageW    = 612.0
	pageH    = 792.0
	margin   = 40.0
	contentW = pageW - 2*margin
	bottom   = pageH - 52 // last y for content; the footer lives below
)

// doc wraps one gopdf document with a cursor and the text helpers every
// page needs: measured truncation and wrapping so text never overlaps.
type doc struct {
	pdf    *gopdf.GoPdf
	y      float64
	page   int
	font   string
	size   float64
	err    error
	onPage func() // draws the header of a continuation page
	footer string
	draft  bool
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
	return &doc{pdf: p, draft: draft}, nil
}

func (d *doc) setFont(family string, size float64) {
	if d.err != nil {
		return
	}
	d.font, d.size = family, size
	d.err = d.pdf.SetFont(family, "", size)
}

func (d *doc) gray(g uint8)        { d.pdf.SetTextColor(g, g, g) }
func (d *doc) color(r, g, b uint8) { d.pdf.SetTextColor(r, g, b) }
func (d *doc) width(s string) float64 {
	if d.err != nil {
		return 0
	}
	w, err := d.pdf.MeasureTextWidth(s)
	if err != nil {
		d.err = err
	}
	return w
}

// fit truncates s with an ellipsis so it is at most w points wide in the
// current font.
func (d *doc) fit(s string, w float64) string {
	if d.width(s) <= w {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs) // longest prefix that fits, by bisection
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.width(string(rs[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(rs[:lo]) + "…"
}

// wrap splits s into lines at most w points wide (at spaces when it can,
// anywhere in a long word such as an e-mail address), at most max lines;
// the last is truncated with an ellipsis if text remains.
func (d *doc) wrap(s string, w float64, max int) []string {
	var lines []string
	rest := strings.TrimSpace(s)
	for rest != "" && len(lines) < max {
		if len(lines) == max-1 || d.width(rest) <= w {
			lines = append(lines, d.fit(rest, w))
			break
		}
		rs := []rune(rest)
		lo, hi := 1, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if d.width(string(rs[:mid])) <= w {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		cut := lo
		if i := strings.LastIndexByte(string(rs[:lo]), ' '); i > 0 {
			cut = utf8.RuneCountInString(string(rs[:lo])[:i])
		}
		lines = append(lines, strings.TrimSpace(string(rs[:cut])))
		rest = strings.TrimSpace(string(rs[cut:]))
	}
	return lines
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
func (d *doc) amount(x, y, w, h float64, s string) {
	if d.err != nil {
		return
	}
	size := d.size
	for d.width(s) > w && d.size > 4 {
		d.setFont(d.font, d.size-0.5)
	}
	d.text(x, y, w, h, s, gopdf.Right)
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
	d.text(margin, pageH-38, contentW-60, 10, d.footer, gopdf.Left)
	d.text(pageW-margin-60, pageH-38, 60, 10, fmt.Sprintf("Page %d", d.page), gopdf.Right)
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
	if d.y+h > bottom {
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
