package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// unhint returns a copy of a TrueType font without hinting: the fpgm, prep
// and cvt tables are dropped and every glyph's instructions removed. gopdf
// embeds those tables and the instructions in every subset, and for the Go
// fonts they are about a third of each PDF; PDF viewers render text at print
// and zoom sizes where TrueType hinting does nothing useful. Done once per
// Renderer, so it costs nothing per statement.
func unhint(ttf []byte) ([]byte, error) {
	if len(ttf) < 12 {
		return nil, errors.New("font too short")
	}
	be := binary.BigEndian
	n := int(be.Uint16(ttf[4:]))
	type table struct {
		tag  string
		data []byte
	}
	tables := map[string][]byte{}
	for i := 0; i < n; i++ {
		e := 12 + 16*i
		if e+16 > len(ttf) {
			return nil, errors.New("font table directory truncated")
		}
		tag := string(ttf[e : e+4])
		off, ln := int(be.Uint32(ttf[e+8:])), int(be.Uint32(ttf[e+12:]))
		if off < 0 || ln < 0 || off+ln > len(ttf) {
			return nil, fmt.Errorf("font table %q out of range", tag)
		}
		tables[tag] = ttf[off : off+ln]
	}
	head, maxp, loca, glyf := tables["head"], tables["maxp"], tables["loca"], tables["glyf"]
	if len(head) < 54 || len(maxp) < 6 || loca == nil || glyf == nil {
		return nil, errors.New("font lacks head, maxp, loca or glyf")
	}
	numGlyphs := int(be.Uint16(maxp[4:]))
	short := be.Uint16(head[50:]) == 0
	offset := func(i int) (int, error) {
		var o int
		if short {
			if 2*i+2 > len(loca) {
				return 0, errors.New("loca truncated")
			}
			o = int(be.Uint16(loca[2*i:])) * 2
		} else {
			if 4*i+4 > len(loca) {
				return 0, errors.New("loca truncated")
			}
			o = int(be.Uint32(loca[4*i:]))
		}
		if o > len(glyf) {
			return 0, errors.New("loca points past glyf")
		}
		return o, nil
	}
	newGlyf := make([]byte, 0, len(glyf))
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := 0; g < numGlyphs; g++ {
		be.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		a, err := offset(g)
		if err != nil {
			return nil, err
		}
		b, err := offset(g + 1)
		if err != nil {
			return nil, err
		}
		if b <= a {
			continue // empty glyph (space)
		}
		out, err := stripGlyph(glyf[a:b])
		if err != nil {
			return nil, fmt.Errorf("glyph %d: %w", g, err)
		}
		newGlyf = append(newGlyf, out...)
		for len(newGlyf)%4 != 0 {
			newGlyf = append(newGlyf, 0)
		}
	}
	be.PutUint32(newLoca[4*numGlyphs:], uint32(len(newGlyf)))
	newHead := append([]byte(nil), head...)
	be.PutUint16(newHead[50:], 1) // long loca offsets
	tables["head"], tables["loca"], tables["glyf"] = newHead, newLoca, newGlyf
	delete(tables, "fpgm")
	delete(tables, "prep")
	delete(tables, "cvt ")

	var list []table
	for tag, data := range tables {
		list = append(list, table{tag, data})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].tag < list[j].tag })
	nt := len(list)
	sel := 0
	for 1<<(sel+1) <= nt {
		sel++
	}
	out := make([]byte, 12+16*nt)
	be.PutUint32(out, 0x00010000)
	be.PutUint16(out[4:], uint16(nt))
	be.PutUint16(out[6:], uint16(16<<sel))
	be.PutUint16(out[8:], uint16(sel))
	be.PutUint16(out[10:], uint16(nt*16-(16<<sel)))
	for i, t := range list {
		e := 12 + 16*i
		copy(out[e:], t.tag)
		be.PutUint32(out[e+4:], checksum(t.data))
		be.PutUint32(out[e+8:], uint32(len(out)))
		be.PutUint32(out[e+12:], uint32(len(t.data)))
		out = append(out, t.data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}

// stripGlyph removes the instructions of one glyph description.
func stripGlyph(g []byte) ([]byte, error) {
	be := binary.BigEndian
	if len(g) < 10 {
		return nil, errors.New("glyph header truncated")
	}
	nc := int(int16(be.Uint16(g)))
	if nc >= 0 {
		p := 10 + 2*nc
		if p+2 > len(g) {
			return nil, errors.New("simple glyph truncated")
		}
		il := int(be.Uint16(g[p:]))
		if p+2+il > len(g) {
			return nil, errors.New("instructions past glyph end")
		}
		out := make([]byte, 0, len(g)-il)
		out = append(out, g[:p]...)
		out = append(out, 0, 0)
		return append(out, g[p+2+il:]...), nil
	}
	// Composite: walk the components, clear WE_HAVE_INSTRUCTIONS and cut
	// the instructions that follow the last component.
	out := append([]byte(nil), g...)
	p := 10
	for {
		if p+4 > len(out) {
			return nil, errors.New("composite glyph truncated")
		}
		flags := be.Uint16(out[p:])
		be.PutUint16(out[p:], flags&^0x0100)
		p += 4
		if flags&0x0001 != 0 { // ARG_1_AND_2_ARE_WORDS
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0: // WE_HAVE_A_SCALE
			p += 2
		case flags&0x0040 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
			p += 4
		case flags&0x0080 != 0: // WE_HAVE_A_TWO_BY_TWO
			p += 8
		}
		if flags&0x0020 == 0 { // MORE_COMPONENTS
			break
		}
	}
	if p > len(out) {
		return nil, errors.New("composite glyph truncated")
	}
	return out[:p], nil
}
