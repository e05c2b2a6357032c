package pdf

import (
	"strings"
	"testing"

	"github.com/signintech/gopdf"
)

// TestMetricsMatchGopdf: the Renderer's widths are gopdf's, to the bit, for
// every font and size layout uses, in any script (missing glyphs too).
func TestMetricsMatchGopdf(t *testing.T) {
	r := renderer(t)
	texts := []string{
		"", "Statement 2025-01-00482913", "Amount due −$1,234,567.89 …", "Émilie du Châtelet · Zürich",
		"Ωμέγα Кириллица", "王小明 ☃ 🚀", "tab\tand\x00nul", string([]byte{0xff, 'a', 0xc3}), strings.Repeat("Wide W ", 80),
		"ǅǈǋ ȴȵȶ ɐɑ ʻ ˆ ̀ Ṁ ‰ € ™ ﬁ",
	}
	for _, family := range []string{fontRegular, fontBold} {
		gp := &gopdf.GoPdf{}
		gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
		if err := gp.AddTTFFontFromFontContainer(family, r.fonts); err != nil {
			t.Fatal(err)
		}
		d := &doc{pdf: &gopdf.GoPdf{}, fonts: r.metrics}
		d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
		if err := d.pdf.AddTTFFontFromFontContainer(family, r.fonts); err != nil {
			t.Fatal(err)
		}
		for _, size := range []float64{4, 4.5, 7, 7.5, 8.5, 9, 10.5, 13, 21, 130} {
			if err := gp.SetFont(family, "", size); err != nil {
				t.Fatal(err)
			}
			d.setFont(family, size)
			for _, s := range texts {
				want, err := gp.MeasureTextWidth(s)
				if err != nil {
					t.Fatal(err)
				}
				if got := d.width(s); got != want || d.err != nil {
					t.Errorf("%s %g pt %q: width %v, gopdf %v (err %v)", family, size, s, got, want, d.err)
				}
			}
		}
	}
}

// TestFitWrapAsBefore: fit and wrap, which now scan the runes once, cut
// where the bisection over gopdf's MeasureTextWidth did.
func TestFitWrapAsBefore(t *testing.T) {
	r := renderer(t)
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	if err := gp.AddTTFFontFromFontContainer(fontRegular, r.fonts); err != nil {
		t.Fatal(err)
	}
	width := func(s string) float64 {
		w, err := gp.MeasureTextWidth(s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	fit := func(s string, w float64) string { // the former bisection
		if width(s) <= w {
			return s
		}
		rs := []rune(s)
		lo, hi := 0, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if width(string(rs[:mid])+"…") <= w {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return string(rs[:lo]) + "…"
	}
	wrapCut := func(rs []rune, w float64) int {
		lo, hi := 1, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if width(string(rs[:mid])) <= w {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	d := &doc{pdf: &gopdf.GoPdf{}, fonts: r.metrics}
	d.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	if err := d.pdf.AddTTFFontFromFontContainer(fontRegular, r.fonts); err != nil {
		t.Fatal(err)
	}
	texts := []string{"Statement 2025-01-00482913", "exascale-turbulence-simulation-campaign-2025-allocation",
		"Émilie du Châtelet · 王小明 🚀 Ωμέγα", "W", "iiiiiiiiiiiiiiiiiiiiiiiiiiiiii", "a b c d e f g h i j k l m n o p"}
	for _, size := range []float64{7.5, 9, 13} {
		if err := gp.SetFont(fontRegular, "", size); err != nil {
			t.Fatal(err)
		}
		d.setFont(fontRegular, size)
		for _, s := range texts {
			for w := 0.0; w < 260; w += 0.75 {
				if got, want := d.fit(s, w), fit(s, w); got != want {
					t.Errorf("%g pt fit(%q, %g) = %q, was %q", size, s, w, got, want)
				}
				rs := []rune(s)
				if got, want := d.prefix(rs, 0, w, 1), wrapCut(rs, w); got != want {
					t.Errorf("%g pt wrap cut of %q at %g = %d, was %d", size, s, w, got, want)
				}
			}
		}
	}
	if d.err != nil {
		t.Fatal(d.err)
	}
}
