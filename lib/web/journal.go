package web

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"text/template"

	"github.com/openchargeback/ocb/lib/journal"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// JournalSettings are serve's --accounts, --journal-format and
// --journal-template, read with the functions focus-journal reads them
// with (journal.LoadAccounts, journal.LoadTemplate).
type JournalSettings struct {
	Accounts *journal.Accounts
	Template *template.Template
	Format   string // the layout's name, shown on the page
}

type journalData struct {
	Info     ledger.PeriodInfo
	Periods  []ledger.PeriodInfo
	Off      bool // serve has no --accounts
	J        *journal.Journal
	Summary  string   // focus-journal's summary, word for word
	Problems []string // why the journal was refused
	Lines    []journal.Line
	Format   string
}

// makeJournal builds the period's GL journal as focus-journal does from
// focus-statement's output: the statements go through their NDJSON form,
// then journal.Build and journal.Render with serve's settings. A period
// that is not finalized gives a trial journal (focus-journal --draft: the
// id ends in -DRAFT). refused lists what stops the journal.
func (s *Server) makeJournal(r *http.Request, period string) (j *journal.Journal, out []byte, info ledger.PeriodInfo, refused []string, err error) {
	sts, info, err := build.Build(r.Context(), s.cfg.Ledger, period, build.Options{By: build.ByPI})
	if err != nil {
		return nil, nil, info, nil, err
	}
	in, err := journal.FromStatements(sts, "ledger "+period)
	if err == nil {
		j, err = journal.Build(in, s.cfg.Journal.Accounts, journal.Options{AllowDraft: info.State != ledger.StateFinalized})
	}
	if err == nil {
		out, err = journal.Render(s.cfg.Journal.Template, j)
	}
	var re *journal.RefusedError
	if errors.As(err, &re) {
		for _, p := range re.Problems {
			refused = append(refused, p.String())
		}
		return nil, nil, info, refused, nil
	}
	return j, out, info, nil, err
}

// periodFailed answers a request for period p whose making failed with
// err: not found when the ledger has no such period, an internal error
// otherwise. It writes nothing and returns false when err is nil.
func (s *Server) periodFailed(w http.ResponseWriter, r *http.Request, q *req, p string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ledger.ErrNoPeriod):
		s.fail(w, r, q, http.StatusNotFound, "The ledger has no period "+p+".")
	default:
		s.internal(w, r, q, err)
	}
	return true
}

func (s *Server) journalPage(w http.ResponseWriter, r *http.Request, q *req) {
	ps, err := s.cfg.Ledger.Periods(r.Context())
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	p := pickPeriod(r, ps)
	d := journalData{Periods: ps, Off: s.cfg.Journal == nil}
	if p != "" && !d.Off {
		d.Format = s.cfg.Journal.Format
		j, _, info, refused, err := s.makeJournal(r, p)
		if s.periodFailed(w, r, q, p, err) {
			return
		}
		d.Info, d.Problems, d.J = info, refused, j
		if j != nil {
			var sum bytes.Buffer
			journal.WriteSummary(&sum, j)
			d.Summary = strings.TrimRight(sum.String(), "\n")
			d.Lines = j.Lines
		}
	}
	s.render(w, http.StatusOK, "journal", view{Title: "Journal " + p, Q: q, Period: p, Data: d, NavItem: "journal"})
}

func (s *Server) journalCSV(w http.ResponseWriter, r *http.Request, q *req) {
	if s.cfg.Journal == nil {
		s.fail(w, r, q, http.StatusNotFound, "The journal is not set up on this server: it needs the site's accounts file, given when the server is started.")
		return
	}
	p := r.URL.Query().Get("period")
	if !periodRE.MatchString(p) {
		s.fail(w, r, q, http.StatusNotFound, "Choose a period (YYYY-MM).")
		return
	}
	j, out, _, refused, err := s.makeJournal(r, p)
	if s.periodFailed(w, r, q, p, err) {
		return
	}
	if refused != nil {
		s.fail(w, r, q, http.StatusConflict, "The journal of "+p+" was refused: "+strings.Join(refused, "; "))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	// The id is RC-PERIOD, with -DRAFT for a trial journal: [A-Z0-9-] only.
	w.Header().Set("Content-Disposition", `attachment; filename="journal-`+safeFileName(j.ID)+`.csv"`)
	w.Write(out)
}

// safeFileName keeps letters, digits, '-', '_' and '.' of a name that goes
// into a Content-Disposition header.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
