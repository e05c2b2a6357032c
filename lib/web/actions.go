package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

func (q *req) actor() Actor { return Actor{User: q.User.Name, Origin: "web"} }

// refused renders a change the ledger turned down, with its own message.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, q *req, err error) {
	switch {
	case errors.Is(err, ledger.ErrNoPeriod):
		s.fail(w, r, q, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrRefused):
		s.fail(w, r, q, http.StatusConflict, "Refused: "+webWords(err.Error()))
	default:
		s.internal(w, r, q, err)
	}
}

// done redirects after a successful POST (post/redirect/get), with a fixed
// notice code rather than free text so a link cannot put words on the page.
func done(w http.ResponseWriter, r *http.Request, path string, v url.Values) {
	http.Redirect(w, r, path+"?"+v.Encode(), http.StatusSeeOther)
}

var notices = map[string]string{
	"close":    "The period is closed: no more imports; reviews, adjustments and disputes continue.",
	"reopen":   "The period is open again.",
	"finalize": "The period is finalized. Its statements are final and can no longer change.",
	"approve":  "Approved %s charge(s).",
	"reject":   "Rejected %s charge(s); they stay in the ledger but leave the statements.",
	"assign":   "Assigned tags to %s charge(s).",
	"adjusted": "Adjustment %s recorded.",
	"disputed": "Dispute %s opened.",
	"resolved": "Dispute %s resolved.",
	"notified": "Dispute %s resolved; the PI was e-mailed the resolution.",
	"unsent":   "Dispute %s resolved, but the e-mail to the PI failed (see the server log); tell them another way.",
	"nothing":  "Nothing selected.",
	"voided":   "Adjustment %s voided: its reversing entry is on the adjustments page of the period that received it.",
	"unruled":  "Rule %s removed: later imports no longer fill it; what it filled stays assigned.",
	"moved":    "Charge %s moved: reassigned in its own period, or, once that is finalized, by a pair of adjustments in the open period (see its adjustments page).",
}

func notice(r *http.Request) string {
	q := r.URL.Query()
	f, ok := notices[q.Get("done")]
	if !ok {
		return ""
	}
	if strings.Contains(f, "%s") {
		n := q.Get("n")
		if _, err := strconv.ParseInt(n, 10, 64); err != nil {
			n = "?"
		}
		return fmt.Sprintf(f, n)
	}
	return f
}

var periodActions = map[string]struct{ Verb, Explain string }{
	"close":    {"Close", "Closing stops imports into the period. Reviewers can still adjust and PIs can still dispute; an admin can reopen it."},
	"reopen":   {"Reopen", "Reopening allows imports into the period again."},
	"finalize": {"Finalize", "Finalizing is permanent: the period's charges, adjustments and statements can never change again; later corrections go into the next open period. It is refused while review items are pending or disputes are open."},
}

type confirmData struct {
	Period, Action, Verb, Explain string
	Info                          ledger.PeriodInfo
	Blockers                      []blocker // what stops a finalize
	Allowed                       bool      // the action applies to the period's state
}

type blocker struct{ Text, Href string }

// fromState is the state each period action starts from.
var fromState = map[string]string{"close": ledger.StateOpen, "reopen": ledger.StateClosed, "finalize": ledger.StateClosed}

func (s *Server) periodConfirm(w http.ResponseWriter, r *http.Request, q *req) {
	s.periodConfirmPage(w, r, q, r.PathValue("period"), r.URL.Query().Get("action"), nil)
}

func (s *Server) periodConfirmPage(w http.ResponseWriter, r *http.Request, q *req, p, a string, in *inline) {
	pa, ok := periodActions[a]
	if !periodRE.MatchString(p) || !ok {
		s.fail(w, r, q, http.StatusNotFound, "No such period action.")
		return
	}
	ctx := r.Context()
	info, err := s.cfg.Ledger.Period(ctx, p)
	if err != nil {
		s.refused(w, r, q, err)
		return
	}
	d := confirmData{Period: p, Action: a, Verb: pa.Verb, Explain: pa.Explain, Info: info, Allowed: info.State == fromState[a]}
	if a == "finalize" && d.Allowed {
		_, pending, err := s.cfg.Ledger.Charges(ctx, ChargeFilter{Period: p, Status: "pending", Limit: 1})
		if err != nil {
			s.internal(w, r, q, err)
			return
		}
		if pending > 0 {
			d.Blockers = append(d.Blockers, blocker{fmt.Sprintf("%d review item(s) pending: approve or reject them", pending), "/review?period=" + p})
		}
		ds, err := s.cfg.Ledger.Disputes(ctx, p)
		if err != nil {
			s.internal(w, r, q, err)
			return
		}
		open := 0
		for _, x := range ds {
			if x.Status == "open" {
				open++
			}
		}
		if open > 0 {
			d.Blockers = append(d.Blockers, blocker{fmt.Sprintf("%d dispute(s) open: resolve them", open), "/disputes?period=" + p})
		}
	}
	s.render(w, in.status(), "confirm", view{Title: pa.Verb + " " + p, Q: q, Period: p, NavItem: "dashboard",
		Data: d, Error: in.err()})
}

func (s *Server) periodAction(w http.ResponseWriter, r *http.Request, q *req) {
	p, a := r.PathValue("period"), r.PathValue("action")
	if _, ok := periodActions[a]; !ok || !periodRE.MatchString(p) {
		s.fail(w, r, q, http.StatusNotFound, "No such period action.")
		return
	}
	// The confirm page says which state it was made from: a period
	// another admin changed since is not acted on blindly.
	if seen := r.PostFormValue("seen"); seen != "" {
		info, err := s.cfg.Ledger.Period(r.Context(), p)
		if err != nil {
			s.refused(w, r, q, err)
			return
		}
		if info.State != seen {
			when := ""
			switch {
			case !info.FinalizedAt.IsZero():
				when = " at " + info.FinalizedAt.UTC().Format("2006-01-02 15:04 UTC")
			case !info.ClosedAt.IsZero():
				when = " at " + info.ClosedAt.UTC().Format("2006-01-02 15:04 UTC")
			}
			msg := fmt.Sprintf("Period %s became %s%s after you loaded this page (it was %s), so nothing was done.", p, info.State, when, seen)
			s.periodConfirmPage(w, r, q, p, a, &inline{Status: http.StatusConflict, Error: msg})
			return
		}
	}
	if err := s.cfg.Ledger.PeriodAction(r.Context(), q.actor(), p, a); errors.Is(err, ErrRefused) {
		s.periodConfirmPage(w, r, q, p, a, &inline{Status: http.StatusConflict, Error: "Refused: " + webWords(err.Error())})
		return
	} else if err != nil {
		s.refused(w, r, q, err)
		return
	}
	done(w, r, "/dashboard", url.Values{"period": {p}, "done": {a}})
}

// back is r as the GET of its page for period, to show a refusal there.
func back(r *http.Request, period string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = url.Values{"period": {period}}.Encode()
	return r2
}

// parseIDs reads the checked charge ids.
func parseIDs(vs []string) ([]int64, error) {
	ids := make([]int64, 0, len(vs))
	for _, v := range vs {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("bad charge id %q", v)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *Server) reviewSubmit(w http.ResponseWriter, r *http.Request, q *req) {
	ids, err := parseIDs(r.PostForm["id"])
	if err != nil {
		s.fail(w, r, q, http.StatusBadRequest, err.Error())
		return
	}
	back := url.Values{"period": {r.PostFormValue("period")}}
	if len(ids) == 0 {
		back.Set("done", "nothing")
		done(w, r, "/review", back)
		return
	}
	d := ReviewDecision{Action: r.PostFormValue("action"), IDs: ids, Note: strings.TrimSpace(r.PostFormValue("note")),
		Seen: map[int64]string{}}
	for _, id := range ids {
		if v, ok := r.PostForm["seen."+strconv.FormatInt(id, 10)]; ok && len(v) > 0 {
			d.Seen[id] = v[0]
		}
	}
	switch d.Action {
	case "approve", "reject":
	case "assign":
		d.Tags = map[string]string{}
		for _, k := range []string{"pi_email", "fund_org", "project_id"} {
			if v := strings.TrimSpace(r.PostFormValue("tag_" + k)); v != "" {
				d.Tags[k] = v
			}
		}
		if len(d.Tags) == 0 {
			s.fail(w, r, q, http.StatusBadRequest, "Assign needs at least one tag value (PI e-mail, fund/org or project).")
			return
		}
		d.NewPI, d.NewFund = r.PostFormValue("new_pi") != "", r.PostFormValue("new_fund") != ""
		d.Remember = r.PostFormValue("remember") != ""
	default:
		s.fail(w, r, q, http.StatusBadRequest, "Unknown review action.")
		return
	}
	n, err := s.cfg.Ledger.Decide(r.Context(), q.actor(), d)
	if errors.Is(err, ErrRefused) {
		s.reviewRefused(w, r, q, d, err)
		return
	}
	if err != nil {
		s.refused(w, r, q, err)
		return
	}
	back.Set("done", d.Action)
	back.Set("n", strconv.Itoa(n))
	done(w, r, "/review", back)
}

// cliHint matches the command-line advice in a ledger message ("(`focus-load
// review assign ...`)"), which means nothing on a web page.
var cliHint = regexp.MustCompile("\\s*\\(?`focus-[^`]*`\\)?")

// webWords is a ledger message without its command-line advice.
func webWords(msg string) string {
	return flagWords(cliHint.ReplaceAllString(orCLIHint.ReplaceAllString(msg, ""), ""))
}

// reviewRefused shows a refused review decision on the review page itself,
// with the selection kept (bar a charge someone else decided meanwhile).
func (s *Server) reviewRefused(w http.ResponseWriter, r *http.Request, q *req, d ReviewDecision, err error) {
	sel := map[int64]bool{}
	for _, id := range d.IDs {
		sel[id] = true
	}
	msg := "Refused: " + webWords(err.Error()) + ". Nothing was changed; your selection is kept."
	var st *ledger.StaleError
	if errors.As(err, &st) {
		delete(sel, st.ChargeID)
		who := ""
		if st.By != "" {
			who = " by " + st.By
		}
		when := ""
		if !st.At.IsZero() {
			when = " at " + st.At.UTC().Format("15:04 UTC")
		}
		verb := "was " + st.Now
		if st.Now == "pending" {
			verb = "was put back to pending"
		}
		msg = fmt.Sprintf("Charge %d %s%s%s after you loaded this page, so nothing was changed. It is left unselected; the rest of your selection is kept — submit again to %s them.",
			st.ChargeID, verb, who, when, d.Action)
	}
	r2 := r.Clone(r.Context())
	v, _ := url.ParseQuery(r.PostFormValue("view"))
	r2.URL.RawQuery = v.Encode()
	s.chargePageWith(w, r2, q, "review", true, &inline{Status: http.StatusConflict, Error: msg, Selected: sel})
}

func (s *Server) adjustSubmit(w http.ResponseWriter, r *http.Request, q *req) {
	f := r.PostForm
	adj := NewAdjustment{
		Period: f.Get("period"), PIEmail: strings.ToLower(strings.TrimSpace(f.Get("pi"))),
		ProjectID: strings.TrimSpace(f.Get("project")), FundOrg: strings.TrimSpace(f.Get("fund_org")),
		Reason: strings.TrimSpace(f.Get("reason")), Ref: strings.TrimSpace(f.Get("ref")),
		NewPI: f.Get("new_pi") != "", NewFund: f.Get("new_fund") != "",
	}
	amt, err := decimal.NewFromString(strings.ReplaceAll(strings.TrimSpace(f.Get("amount")), ",", ""))
	switch {
	case !periodRE.MatchString(adj.Period):
		err = errors.New("Choose a period (YYYY-MM).")
	case adj.PIEmail == "" || !strings.Contains(adj.PIEmail, "@"):
		err = errors.New("Give the PI's e-mail.")
	case err != nil || amt.IsZero():
		err = errors.New("Give a non-zero amount, e.g. -12.50 for a credit.")
	case adj.Reason == "":
		err = errors.New("Give a reason: it is printed on the statement.")
	}
	if err != nil {
		s.adjustmentsPage(w, back(r, adj.Period), q, &inline{Status: http.StatusBadRequest, Error: webWords(err.Error()), Form: r.PostForm})
		return
	}
	adj.Amount = amt
	// Another adjustment for the same PI recorded since the form was
	// loaded may be this one entered twice: say so, keep the entries.
	if seen, err := strconv.ParseInt(f.Get("seen"), 10, 64); err == nil {
		rows, err := s.cfg.Ledger.Adjustments(r.Context(), adj.Period)
		if err != nil {
			s.internal(w, r, q, err)
			return
		}
		for _, a := range rows {
			if a.ID > seen && a.PIEmail == adj.PIEmail {
				msg := fmt.Sprintf("Adjustment %d for %s (%s, %q) was recorded by %s at %s after you loaded this page, so yours was not. If yours is another one, submit it again.",
					a.ID, a.PIEmail, money.Display(money.Cents(a.Amount), ""), a.Reason, a.CreatedBy, a.CreatedAt.UTC().Format("15:04 UTC"))
				s.adjustmentsPage(w, back(r, adj.Period), q, &inline{Status: http.StatusConflict, Error: msg, Form: r.PostForm})
				return
			}
		}
	}
	id, err := s.cfg.Ledger.AddAdjustment(r.Context(), q.actor(), adj)
	if errors.Is(err, ErrRefused) {
		s.adjustmentsPage(w, back(r, adj.Period), q, &inline{Status: http.StatusConflict, Error: "Refused: " + webWords(err.Error()), Form: r.PostForm})
		return
	}
	if err != nil {
		s.refused(w, r, q, err)
		return
	}
	done(w, r, "/adjustments", url.Values{"period": {adj.Period}, "done": {"adjusted"}, "n": {strconv.FormatInt(id, 10)}})
}

func (s *Server) disputeSubmit(w http.ResponseWriter, r *http.Request, q *req) {
	f := r.PostForm
	d := NewDispute{Period: f.Get("period"), PIEmail: strings.ToLower(strings.TrimSpace(f.Get("pi"))),
		Reason: strings.TrimSpace(f.Get("reason")), NewPI: f.Get("new_pi") != ""}
	var err error
	if c := strings.TrimSpace(f.Get("charge")); c != "" {
		d.ChargeID, err = strconv.ParseInt(c, 10, 64)
		if err != nil || d.ChargeID <= 0 {
			err = errors.New("The charge id is a number from the charge browser.")
		}
	}
	switch {
	case err != nil:
	case !periodRE.MatchString(d.Period):
		err = errors.New("Choose a period (YYYY-MM).")
	case d.PIEmail == "" || !strings.Contains(d.PIEmail, "@"):
		err = errors.New("Give the PI's e-mail.")
	case d.Reason == "":
		err = errors.New("Give the reason for the dispute.")
	}
	if err != nil {
		s.disputesPage(w, back(r, d.Period), q, &inline{Status: http.StatusBadRequest, Error: webWords(err.Error()), Form: r.PostForm})
		return
	}
	id, err := s.cfg.Ledger.OpenDispute(r.Context(), q.actor(), d)
	if errors.Is(err, ErrRefused) {
		s.disputesPage(w, back(r, d.Period), q, &inline{Status: http.StatusConflict, Error: "Refused: " + webWords(err.Error()), Form: r.PostForm})
		return
	}
	if err != nil {
		s.refused(w, r, q, err)
		return
	}
	done(w, r, "/disputes", url.Values{"period": {d.Period}, "done": {"disputed"}, "n": {strconv.FormatInt(id, 10)}})
}

func (s *Server) disputeResolve(w http.ResponseWriter, r *http.Request, q *req) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	note := strings.TrimSpace(r.PostFormValue("note"))
	if err != nil || id <= 0 {
		s.fail(w, r, q, http.StatusNotFound, "No such dispute.")
		return
	}
	period := r.PostFormValue("period")
	if note == "" {
		s.disputesPage(w, back(r, period), q, &inline{Status: http.StatusBadRequest, Error: fmt.Sprintf("Say how dispute %d was resolved.", id)})
		return
	}
	if err := s.cfg.Ledger.ResolveDispute(r.Context(), q.actor(), id, note); errors.Is(err, ErrRefused) {
		msg := "Refused: " + webWords(err.Error())
		if ds, derr := s.cfg.Ledger.Disputes(r.Context(), period); derr == nil {
			for _, x := range ds {
				if x.ID == id && x.Status != "open" {
					msg = fmt.Sprintf("Dispute %d was %s by %s at %s after you loaded this page (%q), so your resolution was not recorded.",
						id, x.Status, x.ResolvedBy, x.ResolvedAt.UTC().Format("15:04 UTC"), x.Note)
				}
			}
		}
		s.disputesPage(w, back(r, period), q, &inline{Status: http.StatusConflict, Error: msg})
		return
	} else if err != nil {
		s.refused(w, r, q, err)
		return
	}
	code := "resolved"
	if r.PostFormValue("notify") != "" {
		code = s.notifyResolution(r.Context(), id)
	}
	done(w, r, "/disputes", url.Values{"period": {r.PostFormValue("period")}, "done": {code}, "n": {strconv.FormatInt(id, 10)}})
}

// adjustVoid posts the reversing entry of an adjustment (focus-load
// adjust void): the adjustments page's "void" button.
func (s *Server) adjustVoid(w http.ResponseWriter, r *http.Request, q *req) {
	c, ok := s.cfg.Ledger.(Corrector)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !ok || err != nil || id <= 0 {
		s.fail(w, r, q, http.StatusNotFound, "No such adjustment.")
		return
	}
	period := r.PostFormValue("period")
	_, into, err := c.VoidAdjustment(r.Context(), q.actor(), id, strings.TrimSpace(r.PostFormValue("reason")))
	if errors.Is(err, ErrRefused) {
		s.adjustmentsPage(w, back(r, period), q, &inline{Status: http.StatusConflict, Error: "Refused: " + webWords(err.Error())})
		return
	}
	if err != nil {
		s.refused(w, r, q, err)
		return
	}
	done(w, r, "/adjustments", url.Values{"period": {into}, "done": {"voided"}, "n": {strconv.FormatInt(id, 10)}})
}

// chargeMove moves a charge to another PI or fund (focus-load correct):
// the charge browser's "move to another PI" form.
func (s *Server) chargeMove(w http.ResponseWriter, r *http.Request, q *req) {
	c, ok := s.cfg.Ledger.(Corrector)
	if !ok {
		s.fail(w, r, q, http.StatusNotFound, "Moving charges is not available on this ledger.")
		return
	}
	f := r.PostForm
	m := ChargeMove{PIEmail: strings.ToLower(strings.TrimSpace(f.Get("pi"))), FundOrg: strings.TrimSpace(f.Get("fund_org")),
		Reason: strings.TrimSpace(f.Get("reason")), NewPI: f.Get("new_pi") != "", NewFund: f.Get("new_fund") != ""}
	var err error
	m.ChargeID, err = strconv.ParseInt(strings.TrimSpace(f.Get("charge")), 10, 64)
	view, _ := url.ParseQuery(f.Get("view"))
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = view.Encode()
	switch {
	case err != nil || m.ChargeID <= 0:
		err = errors.New("Give the charge's id (the ID column).")
	case m.PIEmail == "" && m.FundOrg == "":
		err = errors.New("Give the new PI e-mail, the new fund/org, or both.")
	case m.Reason == "":
		err = errors.New("Give a reason: both PIs read it on their statements.")
	}
	if err != nil {
		s.chargePageWith(w, r2, q, "charges", false, &inline{Status: http.StatusBadRequest, Error: err.Error(), Form: f})
		return
	}
	if _, err := c.MoveCharge(r.Context(), q.actor(), m); errors.Is(err, ErrRefused) {
		s.chargePageWith(w, r2, q, "charges", false, &inline{Status: http.StatusConflict, Error: "Refused: " + webWords(err.Error()), Form: f})
		return
	} else if err != nil {
		s.refused(w, r, q, err)
		return
	}
	view.Set("done", "moved")
	view.Set("n", strconv.FormatInt(m.ChargeID, 10))
	done(w, r, "/charges", view)
}

// rules lists the remembered owners with their last use.
func (s *Server) rules(w http.ResponseWriter, r *http.Request, q *req) {
	s.rulesPage(w, r, q, nil)
}

type rulesData struct {
	Rows []ledger.OwnerRule
}

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request, q *req, in *inline) {
	k, ok := s.cfg.Ledger.(RuleKeeper)
	if !ok {
		s.fail(w, r, q, http.StatusNotFound, "Remembered owners are not available on this ledger.")
		return
	}
	rows, err := k.OwnerRules(r.Context())
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	s.render(w, in.status(), "rules", view{Title: "Remembered owners", Q: q, Data: rulesData{Rows: rows},
		NavItem: "rules", Notice: notice(r), Error: in.err()})
}

// ruleRemove forgets a remembered owner (focus-load rules remove).
func (s *Server) ruleRemove(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := s.cfg.Ledger.(RuleKeeper)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !ok || err != nil || id <= 0 {
		s.fail(w, r, q, http.StatusNotFound, "No such rule.")
		return
	}
	if err := k.RemoveRule(r.Context(), q.actor(), id); errors.Is(err, ErrRefused) {
		s.rulesPage(w, r, q, &inline{Status: http.StatusConflict, Error: "Refused: " + webWords(err.Error())})
		return
	} else if err != nil {
		s.refused(w, r, q, err)
		return
	}
	done(w, r, "/rules", url.Values{"done": {"unruled"}, "n": {strconv.FormatInt(id, 10)}})
}
