package flag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Diagnostic is one explained flag. Its JSON form (--errors json) has the
// fields the other tools' diagnostics use.
type Diagnostic struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   string `json:"column,omitempty"`
	Severity string `json:"severity"` // always "notice": a flag is not an error
	Message  string `json:"message"`
	Rule     string `json:"rule,omitempty"` // the flag code
}

// WriteDiagnostic writes d as "FILE:LINE: Column: message [rule]" or, with
// asJSON, as one JSON object a line.
func WriteDiagnostic(w io.Writer, asJSON bool, d Diagnostic) {
	if asJSON {
		writeJSONLine(w, d)
		return
	}
	fmt.Fprintf(w, "%s:%d: %s: %s [%s]\n", d.File, d.Line, d.Column, d.Message, d.Rule)
}

// writeJSONLine writes v as one line of JSON, without encoding/json's HTML
// escaping (stderr is not HTML; "<stdin>" stays readable).
func writeJSONLine(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// note is an explanation without its place; pass 1 stores them in the
// spool as column US message US rule LF (values are %q-quoted, so no US or
// LF of their own).
type note struct{ column, message, rule string }

func appendNote(b []byte, n note) []byte {
	b = append(b, n.column...)
	b = append(b, 0x1f)
	b = append(b, n.message...)
	b = append(b, 0x1f)
	b = append(b, n.rule...)
	return append(b, '\n')
}

// With Config.Explain set, every flag gets a diagnostic line in the GNU
// style of the other tools, "FILE:LINE: Column: message [code]", in row
// order: what a reviewer needs to act on a flag without re-deriving it.
// One-row rules are explained in pass 1 (the values are at hand) and the
// text rides in the spool; the whole-input rules are explained in pass 2.

// rowFacts is what the explanation of the one-row rules needs.
type rowFacts struct {
	v                 []string
	c                 *cols
	billedOK, listOK  bool
	qtyOK             bool
	dupOf             uint64 // source index << 32 | line of the first copy
	email, fund       string
	watchSvc, watchRN bool
}

func (e *engine) explainRow(bits, missing uint32, f *rowFacts) string {
	var b []byte
	say := func(col, code, format string, a ...any) {
		b = appendNote(b, note{col, fmt.Sprintf(format, a...), code})
	}
	v, c := f.v, f.c
	for i, code := range e.missingCodes {
		if missing&(1<<uint(i)) != 0 {
			say("Tags", code, "no %q tag", e.reqKeys[i])
		}
	}
	if bits&bitBadTags != 0 {
		say("Tags", CodeBadTags, "not a JSON object of tags")
	}
	if bits&bitBadEmail != 0 {
		say("Tags", CodeBadEmail, "%s %q is not a bare e-mail address", show(e.cfg.Keys.PIEmail), f.email)
	}
	if bits&bitBadAmount != 0 {
		for _, x := range []struct {
			ok  bool
			col string
			i   int
		}{{f.billedOK, "BilledCost", c.billed}, {f.listOK, "ListCost", c.list}, {f.qtyOK, "ConsumedQuantity", c.qty}} {
			if !x.ok {
				say(x.col, CodeBadAmount, "%q is not a number", get(v, x.i))
			}
		}
	}
	if bits&bitNegativeCost != 0 {
		cat := get(v, c.category)
		if cat == "" {
			cat = "no ChargeCategory"
		}
		say("BilledCost", CodeNegativeCost, "%s (%s) is not a credit, refund or correction", show(get(v, c.billed)), show(cat))
	}
	if bits&bitBilledOverList != 0 {
		say("BilledCost", CodeBilledOverList, "%s is more than ListCost %s", show(get(v, c.billed)), show(get(v, c.list)))
	}
	if bits&bitNoListPrice != 0 {
		l := show(get(v, c.list))
		if c.list < 0 {
			l = "no ListCost column"
		} else if l == "" {
			l = "empty"
		}
		say("ListCost", CodeNoListPrice, "%s while BilledCost is %s", l, show(get(v, c.billed)))
	}
	if bits&bitDuplicate != 0 {
		src, ln := int(f.dupOf>>32), int(uint32(f.dupOf))
		first := "?"
		if src < len(e.sources) {
			first = e.sources[src].name
		}
		say("ResourceId", CodeDuplicate, "the same charge as %s:%d", show(first), ln)
	}
	if bits&bitBadFund != 0 {
		say("Tags", CodeBadFund, "%s %q matches no --fund-pattern", show(e.cfg.Keys.FundOrg), f.fund)
	}
	if bits&bitWatch != 0 {
		if f.watchSvc {
			say("ServiceName", CodeWatch, "%q matches --watch", get(v, c.service))
		}
		if f.watchRN {
			say("ResourceName", CodeWatch, "%q matches --watch", get(v, c.resName))
		}
	}
	return string(b)
}

// explainPass2 writes the row's stored text and the whole-input rules' lines.
func (e *engine) explainPass2(name string, idx uint32, m *metaRec, bits uint32, unitOutlier bool) {
	say := func(n note) {
		WriteDiagnostic(e.cfg.Explain, e.cfg.ExplainJSON, Diagnostic{File: name, Line: int(m.line),
			Column: n.column, Severity: "notice", Message: n.message, Rule: n.rule})
	}
	for rest := m.explain; len(rest) > 0; {
		var rec []byte
		rec, rest, _ = bytes.Cut(rest, []byte{'\n'})
		f := strings.SplitN(string(rec), "\x1f", 3)
		if len(f) == 3 {
			say(note{f[0], f[1], f[2]})
		}
	}
	if unitOutlier {
		st := e.unitStats[m.group]
		say(note{"ConsumedQuantity", fmt.Sprintf("unit cost %.4g is %s the usual %.4g for its service, unit and SKU (robust z %.1f)",
			math.Exp(m.lnUnit), ratio(m.lnUnit-st.median), math.Exp(st.median), st.z(m.lnUnit)), CodeOutlier})
	}
	for _, n := range e.aggNotes[idx] {
		say(n)
	}
	if bits&bitPeriodMismatch != 0 {
		got := "not a date"
		if int(m.month) < len(e.monthNames) {
			got = e.monthNames[m.month]
		}
		want := "the month most rows carry"
		if e.cfg.Period != "" {
			want = "--period"
		}
		target := e.cfg.Period
		if int(e.target) < len(e.monthNames) {
			target = e.monthNames[e.target]
		}
		say(note{"BillingPeriodStart", fmt.Sprintf("%s is not %s, %s", got, want, target), CodePeriodMismatch})
	}
}

// show returns a cell value for a message: as it is when it is plain
// printable text, else quoted, so that no value can break a diagnostic
// line (or the spool's record separators) with a line break or control.
func show(s string) string {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return strconv.Quote(s)
		}
	}
	return s
}

// ratio formats e^d for a reader: "12.3×", "1760×", or "1/4.5 of".
func ratio(d float64) string {
	r := math.Exp(math.Abs(d))
	txt := fmt.Sprintf("%.3g", r)
	if r >= 1000 {
		txt = fmt.Sprintf("%.0f", r)
	}
	if d >= 0 {
		return txt + "×"
	}
	return "1/" + txt + " of"
}
