package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"

	"github.com/openchargeback/ocb/lib/ledger"
)

// AuditLister is a ledger that lists its audit log (focus-load audit).
type AuditLister interface {
	Audit(ctx context.Context, period string) ([]ledger.AuditRecord, error)
}

// auditPageRows bounds the page; the CSV has every matching record.
const auditPageRows = 500

type auditData struct {
	Periods              []ledger.PeriodInfo
	Period, User, Action string
	Users, Actions       []string // the choices, from the log itself
	Rows                 []ledger.AuditRecord
	Total                int
	Shown                int
	Off                  bool
}

// auditRecords is the log filtered by period, user and action (exact
// matches; "" = any), newest first, with the users and actions it holds.
func (s *Server) auditRecords(r *http.Request) (auditData, error) {
	q := r.URL.Query()
	d := auditData{Period: q.Get("period"), User: q.Get("user"), Action: q.Get("action")}
	if !periodRE.MatchString(d.Period) {
		d.Period = ""
	}
	al, ok := s.cfg.Ledger.(AuditLister)
	if !ok {
		d.Off = true
		return d, nil
	}
	all, err := al.Audit(r.Context(), d.Period)
	if err != nil {
		return d, err
	}
	users, actions := map[string]bool{}, map[string]bool{}
	for i := len(all) - 1; i >= 0; i-- {
		a := all[i]
		users[a.Who], actions[a.Action] = true, true
		if (d.User == "" || a.Who == d.User) && (d.Action == "" || a.Action == d.Action) {
			d.Rows = append(d.Rows, a)
		}
	}
	for u := range users {
		d.Users = append(d.Users, u)
	}
	for a := range actions {
		d.Actions = append(d.Actions, a)
	}
	sort.Strings(d.Users)
	sort.Strings(d.Actions)
	d.Total = len(d.Rows)
	return d, nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, q *req) {
	d, err := s.auditRecords(r)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	if d.Periods, err = s.cfg.Ledger.Periods(r.Context()); err != nil {
		s.internal(w, r, q, err)
		return
	}
	if len(d.Rows) > auditPageRows {
		d.Rows = d.Rows[:auditPageRows]
	}
	d.Shown = len(d.Rows)
	s.render(w, http.StatusOK, "audit", view{Title: "Audit log", Q: q, Period: d.Period, Data: d, NavItem: "audit"})
}

// auditCSV downloads the filtered log, every text cell formula-safe.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, q *req) {
	d, err := s.auditRecords(r)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	name := "audit"
	if d.Period != "" {
		name += "-" + d.Period
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "who", "origin", "action", "record", "period", "before", "after", "reason"})
	for _, a := range d.Rows {
		cw.Write([]string{strconv.FormatInt(a.ID, 10), csvSafe(a.At), csvSafe(a.Who), csvSafe(a.Origin), csvSafe(a.Action),
			csvSafe(a.Record), csvSafe(a.Period), csvSafe(a.Before), csvSafe(a.After), csvSafe(a.Reason)})
	}
	cw.Flush()
}
