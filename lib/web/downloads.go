package web

import (
	"bytes"
	"net/http"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// The statements page's downloads: every PDF of a period in one zip, and
// the statements as CSV. Both are built by the functions focus-statement
// calls (build.Build, pdf.Renderer, statement.WriteCSV), so the zip unpacks
// to the files `focus-statement --pdf-dir` writes, byte for byte.

// periodStatements builds a period's statements and PDF history for a
// download; ok is false when a response was written (no such period).
func (s *Server) periodStatements(w http.ResponseWriter, r *http.Request, q *req) ([]statement.Statement, ledger.PeriodInfo, bool) {
	p := r.URL.Query().Get("period")
	if !periodRE.MatchString(p) {
		s.fail(w, r, q, http.StatusNotFound, "Choose a period (YYYY-MM).")
		return nil, ledger.PeriodInfo{}, false
	}
	sts, info, err := build.Build(r.Context(), s.cfg.Ledger, p, build.Options{By: byOption(r)})
	if s.periodFailed(w, r, q, p, err) {
		return nil, info, false
	}
	return sts, info, true
}

// downloadName is the name of a period's download: a draft says so in the
// name, so a draft zip on someone's desktop is never taken for the final.
func downloadName(what, period, by string, info ledger.PeriodInfo, ext string) string {
	n := what + "-" + period
	if by == build.ByProject {
		n += "-by-project"
	}
	if info.State != ledger.StateFinalized {
		n += "-DRAFT"
	}
	return n + ext
}

func (s *Server) statementsZip(w http.ResponseWriter, r *http.Request, q *req) {
	sts, info, ok := s.periodStatements(w, r, q)
	if !ok {
		return
	}
	hist, err := build.History(r.Context(), s.cfg.Ledger, info.Period)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	// Rendered in memory first: a failure half way must be an error page,
	// not a truncated zip that looks complete.
	var buf bytes.Buffer
	if err := s.pdf.WriteZip(&buf, sts, hist); err != nil {
		s.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+downloadName("statements", info.Period, byOption(r), info, ".zip")+`"`)
	w.Write(buf.Bytes())
}

func (s *Server) statementsCSV(w http.ResponseWriter, r *http.Request, q *req) {
	sts, info, ok := s.periodStatements(w, r, q)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := statement.WriteCSV(&buf, sts); err != nil {
		s.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+downloadName("statements", info.Period, byOption(r), info, ".csv")+`"`)
	w.Write(buf.Bytes())
}
