package web

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/statement/pdf"
)

// Statements are built on request with lib/statement from the same read
// contract focus-statement uses, so the page, the NDJSON and the PDF agree
// to the cent; the PDF is rendered by lib/statement/pdf (DRAFT unless the
// period is finalized, byte-identical for a finalized period).

var statementIDRE = regexp.MustCompile(`^([0-9]{4}-[0-9]{2})-[0-9]{8}$`)

type statementsData struct {
	Periods []ledger.PeriodInfo
	Info    ledger.PeriodInfo
	By      string
	Rows    []statement.Statement
	Total   statement.Totals
	Mail    mailView
}

func byOption(r *http.Request) string {
	if r.URL.Query().Get("by") == build.ByProject {
		return build.ByProject
	}
	return build.ByPI
}

func (s *Server) statements(w http.ResponseWriter, r *http.Request, q *req) {
	ps, err := s.cfg.Ledger.Periods(r.Context())
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	d := statementsData{Periods: ps, By: byOption(r)}
	p := pickPeriod(r, ps)
	if p != "" {
		d.Rows, d.Info, err = build.Build(r.Context(), s.cfg.Ledger, p, build.Options{By: d.By})
		if err != nil {
			s.refused(w, r, q, err)
			return
		}
		d.Total = statement.Sum(d.Rows)
		if d.Mail, err = s.mailStatuses(r.Context(), d.Rows, d.Info, d.By); err != nil {
			s.internal(w, r, q, err)
			return
		}
	}
	s.render(w, http.StatusOK, "statements", view{Title: "Statements " + p, Q: q, Period: p, Data: d, NavItem: "statements"})
}

// oneStatement finds a statement by id; the id carries its period.
func (s *Server) oneStatement(w http.ResponseWriter, r *http.Request, q *req) (*statement.Statement, bool) {
	id := r.PathValue("id")
	m := statementIDRE.FindStringSubmatch(id)
	if m == nil {
		s.fail(w, r, q, http.StatusNotFound, "No such statement.")
		return nil, false
	}
	sts, _, err := build.Build(r.Context(), s.cfg.Ledger, m[1], build.Options{By: byOption(r)})
	if errors.Is(err, ledger.ErrNoPeriod) {
		s.fail(w, r, q, http.StatusNotFound, "No such statement.")
		return nil, false
	}
	if err != nil {
		s.internal(w, r, q, err)
		return nil, false
	}
	for i := range sts {
		if sts[i].StatementID == id {
			return &sts[i], true
		}
	}
	s.fail(w, r, q, http.StatusNotFound, "No statement "+id+" (with by="+byOption(r)+").")
	return nil, false
}

type statementView struct {
	St *statement.Statement
	By string
}

func (s *Server) statementPage(w http.ResponseWriter, r *http.Request, q *req) {
	st, ok := s.oneStatement(w, r, q)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "statement", view{Title: "Statement " + st.StatementID, Q: q, Period: st.Period,
		NavItem: "statements", Data: statementView{St: st, By: byOption(r)}})
}

func (s *Server) statementPDF(w http.ResponseWriter, r *http.Request, q *req) {
	if s.pdf == nil {
		s.fail(w, r, q, http.StatusNotImplemented, "PDF rendering is not available.")
		return
	}
	st, ok := s.oneStatement(w, r, q)
	if !ok {
		return
	}
	hist, err := build.History(r.Context(), s.cfg.Ledger, st.Period)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	b, err := s.pdf.Statement(st, hist[strings.ToLower(st.PI.Email)])
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	// pdf.BaseName is lower-case ASCII letters, digits, '-', '_' and '.':
	// safe in a header, and the name the CLI gives the same PDF.
	w.Header().Set("Content-Disposition", `attachment; filename="`+pdf.BaseName(st)+`"`)
	w.Write(b)
}
