package pdf

import (
	"sync"
	"unicode/utf8"

	"github.com/signintech/gopdf"
)

// metrics are the advance widths of one font's characters, as gopdf
// measures them: MeasureTextWidth sums, for each rune, the width of its
// glyph in 1/1000 em (an integer; no kerning, no character spacing) and
// multiplies the sum by size/1000. Layout measures text a great many times
// (truncation and wrapping bisect), and gopdf's MeasureTextWidth looks every
// rune up in two maps, allocates, and adds the runes to the document's font
// subset even when they are never drawn. The widths are the same numbers,
// so the layout is the same to the last bit (TestMetricsMatchGopdf).
//
// Shared by every document of a Renderer: the table is read-only; runes
// past it are measured once, by gopdf, under a lock.
type metrics struct {
	low  [latinEnd]uint32 // runes below latinEnd
	mu   sync.Mutex
	gp   *gopdf.GoPdf // measures the other runes; guarded by mu
	more sync.Map     // rune → uint32, the other runes measured so far
}

// latinEnd: Latin-1 and Latin Extended-A and -B, measured up front.
const latinEnd = 0x250

func newMetrics(family string, fonts *gopdf.FontContainer) (*metrics, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeLetter, Unit: gopdf.UnitPT})
	if err := gp.AddTTFFontFromFontContainer(family, fonts); err != nil {
		return nil, err
	}
	if err := gp.SetFont(family, "", 1000); err != nil { // 1000 pt: widths in 1/1000 em
		return nil, err
	}
	m := &metrics{gp: gp}
	for r := rune(0); r < latinEnd; r++ {
		w, err := m.measure(r)
		if err != nil {
			return nil, err
		}
		m.low[r] = w
	}
	return m, nil
}

func (m *metrics) measure(r rune) (uint32, error) {
	w, err := m.gp.MeasureTextWidth(string(r))
	return uint32(w), err
}

func (m *metrics) rune(r rune) (uint32, error) {
	if r >= 0 && r < latinEnd {
		return m.low[r], nil
	}
	if w, ok := m.more.Load(r); ok {
		return w.(uint32), nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	w, err := m.measure(r)
	if err == nil {
		m.more.Store(r, w)
	}
	return w, err
}

// units is the width of s in 1/1000 em.
func (m *metrics) units(s string) (int, error) {
	sum := 0
	for i := 0; i < len(s); {
		r := rune(s[i])
		if r < utf8.RuneSelf {
			sum += int(m.low[r])
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		w, err := m.rune(r)
		if err != nil {
			return 0, err
		}
		sum += int(w)
		i += n
	}
	return sum, nil
}

// points converts a width in 1/1000 em to points at size, as gopdf does.
func points(units int, size float64) float64 { return float64(units) * (size / 1000.0) }
