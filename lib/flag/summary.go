package flag

import (
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/money"
)

// Summary is what a run found.
type Summary struct {
	Rows, Flagged int
	Codes         []CodeCount // codes that fired, in x_Flags order
	TopPIs        []PICost    // PIs by flagged BilledCost, largest first
	Period        string      // the period rows were compared with ("" = none)

	bits    [numBits]int
	missing []int
	piCost  map[uint32]*PICost
}

// CodeCount is how many rows carry a code.
type CodeCount struct {
	Code  string
	Count int
}

// PICost is one PI's flagged rows and their BilledCost and ListCost (exact
// sums; the list cost shows what a subsidised flagged row is worth).
type PICost struct {
	PI           string // pi_email tag value; "" = rows without one
	Billed, List decimal.Decimal
	Rows         int
}

func (s *Summary) finish(e *engine) {
	for i, code := range e.missingCodes {
		if s.missing[i] > 0 {
			s.Codes = append(s.Codes, CodeCount{code, s.missing[i]})
		}
	}
	for i := 0; i < numBits; i++ {
		if s.bits[i] > 0 {
			s.Codes = append(s.Codes, CodeCount{bitCodes[i], s.bits[i]})
		}
	}
	for _, pc := range s.piCost {
		s.TopPIs = append(s.TopPIs, *pc)
	}
	sort.Slice(s.TopPIs, func(i, j int) bool {
		a, b := s.TopPIs[i], s.TopPIs[j]
		if c := a.Billed.Cmp(b.Billed); c != 0 {
			return c > 0
		}
		if a.Rows != b.Rows {
			return a.Rows > b.Rows
		}
		return a.PI < b.PI
	})
	if len(s.TopPIs) > e.cfg.TopPIs {
		s.TopPIs = s.TopPIs[:e.cfg.TopPIs]
	}
	if int(e.target) < len(e.monthNames) {
		s.Period = e.monthNames[e.target]
	} else {
		s.Period = e.cfg.Period
	}
}

// Write prints the summary for a person (stderr).
func (s *Summary) Write(w io.Writer, prog string) {
	pct := 0.0
	if s.Rows > 0 {
		pct = 100 * float64(s.Flagged) / float64(s.Rows) // display only
	}
	rows := "rows"
	if s.Rows == 1 {
		rows = "row"
	}
	fmt.Fprintf(w, "%s: %d %s, %d flagged (%.1f%%)", prog, s.Rows, rows, s.Flagged, pct)
	if s.Period != "" {
		fmt.Fprintf(w, ", period %s", s.Period)
	}
	fmt.Fprintln(w)
	width := 0
	for _, c := range s.Codes {
		width = max(width, len(c.Code))
	}
	for _, c := range s.Codes {
		fmt.Fprintf(w, "  %-*s %8d\n", width, c.Code, c.Count)
	}
	if len(s.TopPIs) > 0 {
		fmt.Fprintf(w, "  top PIs by flagged BilledCost:\n")
		for _, p := range s.TopPIs {
			name := p.PI
			if name == "" {
				name = "(no pi_email)"
			}
			unit := "rows"
			if p.Rows == 1 {
				unit = "row"
			}
			fmt.Fprintf(w, "    %-32s %14s billed %14s list  %d %s\n", name,
				money.Cents(p.Billed).Format(), money.Cents(p.List).Format(), p.Rows, unit)
		}
	}
}

// WriteJSON prints the summary as one JSON object on a line, for
// --errors json (stderr stays NDJSON throughout).
func (s *Summary) WriteJSON(w io.Writer) {
	type code struct {
		Code  string `json:"code"`
		Count int    `json:"count"`
	}
	type pi struct {
		PI         string      `json:"pi"`
		BilledCost money.Money `json:"billed_cost"`
		ListCost   money.Money `json:"list_cost"`
		Rows       int         `json:"rows"`
	}
	out := struct {
		Severity string `json:"severity"`
		Rule     string `json:"rule"`
		Message  string `json:"message"`
		Rows     int    `json:"rows"`
		Flagged  int    `json:"flagged"`
		Period   string `json:"period,omitempty"`
		Codes    []code `json:"codes"`
		TopPIs   []pi   `json:"top_pis"`
	}{Severity: "notice", Rule: "summary", Message: fmt.Sprintf("%d rows, %d flagged", s.Rows, s.Flagged),
		Rows: s.Rows, Flagged: s.Flagged, Period: s.Period, Codes: []code{}, TopPIs: []pi{}}
	for _, c := range s.Codes {
		out.Codes = append(out.Codes, code(c))
	}
	for _, p := range s.TopPIs {
		out.TopPIs = append(out.TopPIs, pi{p.PI, money.Cents(p.Billed), money.Cents(p.List), p.Rows})
	}
	writeJSONLine(w, out)
}
