package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/statement/pdf"
)

// The PI review window: a PI follows the link in their draft statement
// e-mail (focus-mail --draft) to /pi/TOKEN, sees that one statement as the
// PDF shows it, downloads the PDF, and disputes a line or the whole
// statement, without an account. The token (lib/pilink) is the only
// credential: signed with the link key, scoped to one statement and PI,
// refused once it expires or its period is finalized. Every refusal —
// forged, tampered, expired, finalized, statement gone — is the same page
// with the same status, so a link reveals nothing about other statements.
//
// The token never reaches a log: these handlers log "/pi/…" instead of the
// path, and pages under /pi/ send Referrer-Policy: no-referrer so the
// token does not leave in a Referer header either.

const (
	piCookie       = "ocb_pi"         // double-submit CSRF cookie of the PI pages
	piMaxForm      = 16 << 10         // bytes of a dispute form
	piWindow       = time.Minute      // request rate window per address and per link
	piMaxRequests  = 60               // requests per address, and per link, per window
	piBadWindow    = 10 * time.Minute // bad-link window per address
	piMaxBadTokens = 10               // refused links per address per bad window
)

// NewPIDispute is a dispute a PI files on their statement page.
type NewPIDispute struct {
	Period, PIEmail, Line, Reason string
}

// PIDisputer is a backend that records PI disputes (origin "pi").
type PIDisputer interface {
	OpenPIDispute(ctx context.Context, d NewPIDispute) (int64, error)
}

// NotifyFunc e-mails the PI the resolution of dispute d (web resolve with
// "e-mail the PI"); it returns where the message went.
type NotifyFunc func(ctx context.Context, d Dispute) (string, error)

var _ PIDisputer = (*LedgerBackend)(nil)

// OpenPIDispute records a PI's dispute (ledger.OpenPIDispute).
func (b *LedgerBackend) OpenPIDispute(ctx context.Context, d NewPIDispute) (int64, error) {
	id, err := b.Ledger.OpenPIDispute(ctx, ledger.PIDispute{Period: d.Period, PIEmail: d.PIEmail, Line: d.Line, Reason: d.Reason})
	return id, refusal(err)
}

// LineKey names a statement line in a PI's dispute: the fields that make
// a line (source, service, project, fund, unit, account, cost centre,
// refs), the non-empty ones, labelled, joined by " · ". A line sums
// several charges, so the dispute names the line as the PI saw it; the
// reviewer finds its charges with the same fields in the charge browser.
func LineKey(l statement.Line) string {
	var parts []string
	for _, f := range [][2]string{{"Source", l.Source}, {"Service", l.Service}, {"Project", l.ProjectID}, {"Fund", l.FundOrg},
		{"Unit", l.Unit}, {"Account", l.AccountCode}, {"Cost centre", l.CostCenter}, {"Ref1", l.Ref1}, {"Ref2", l.Ref2},
		{"Description", l.Description}} {
		if f[1] != "" {
			parts = append(parts, f[0]+" "+f[1])
		}
	}
	return strings.Join(parts, " · ")
}

func (s *Server) piRoutes(m routeMux) {
	m.HandleFunc("GET /pi/{token}", s.piHandler(s.piPage))
	m.HandleFunc("GET /pi/{token}/pdf", s.piHandler(s.piPDF))
	m.HandleFunc("POST /pi/{token}/dispute", s.piHandler(s.piDispute))
}

// piReq is a PI request whose link checked out.
type piReq struct {
	Token  string
	Claims pilink.Claims
	St     *statement.Statement
	Info   ledger.PeriodInfo
	CSRF   string
}

type piHandlerFunc func(w http.ResponseWriter, r *http.Request, p *piReq)

// piHandler rate-limits by address, checks the link and finds its
// statement; anything wrong is the one refusal page.
func (s *Server) piHandler(h piHandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Robots-Tag", "noindex, nofollow")
		ip, now := s.clientIP(r), s.cfg.Now()
		// Counted per address and per link: one link cannot be used to
		// hammer the server from many addresses, and PIs behind one
		// address (a NAT, a proxy not given as --trusted-proxy) do not
		// share one link's budget. Refused links count per address.
		wait, ok := s.piLimit.allow(ip, now)
		if ok {
			wait, ok = s.piLimit.allow(piTokenKey(r.PathValue("token")), now)
		}
		if !ok {
			hd.Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
			s.render(w, http.StatusTooManyRequests, "pi_refused", view{Title: "Too many requests",
				Error: "Too many requests from your address. Please wait a few minutes and try again."})
			return
		}
		p, ok := s.piCheck(r, now)
		if !ok {
			s.piLimit.bad(ip, now)
			s.piRefuse(w)
			return
		}
		p.CSRF = s.piCSRF(w, r, p.Token)
		h(w, r, p)
	}
}

// piRefuse is the one answer to every link that does not work.
func (s *Server) piRefuse(w http.ResponseWriter) {
	s.render(w, http.StatusNotFound, "pi_refused", view{Title: "This link does not work"})
}

func (s *Server) piCheck(r *http.Request, now time.Time) (*piReq, bool) {
	tok := r.PathValue("token")
	c, err := pilink.Verify(s.cfg.LinkKey, tok, now)
	if err != nil {
		return nil, false
	}
	info, err := s.cfg.Ledger.Period(r.Context(), c.Period)
	if err != nil {
		if !errors.Is(err, ledger.ErrNoPeriod) {
			s.log.Error("pi page", "path", "/pi/…", "err", err)
		}
		return nil, false
	}
	if info.State == ledger.StateFinalized {
		return nil, false // the window is over: the final statement is mailed
	}
	for _, by := range []string{build.ByPI, build.ByProject} {
		sts, _, err := build.Build(r.Context(), s.cfg.Ledger, c.Period, build.Options{By: by})
		if err != nil {
			s.log.Error("pi page", "path", "/pi/…", "err", err)
			return nil, false
		}
		for i := range sts {
			if sts[i].StatementID == c.StatementID {
				if !strings.EqualFold(sts[i].PI.Email, c.Email) {
					return nil, false // the statement is someone else's now (re-assigned charges)
				}
				return &piReq{Token: tok, Claims: c, St: &sts[i], Info: info}, true
			}
		}
	}
	return nil, false
}

// piCSRF returns the form token of a PI page: a random cookie (set here if
// missing) bound by MAC to the link, checked on POST (double submit).
func (s *Server) piCSRF(w http.ResponseWriter, r *http.Request, tok string) string {
	v := ""
	if c, err := r.Cookie(piCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		v = c.Value
	} else if r.Method == http.MethodGet {
		v = randomID()
		c := cookie(piCookie, v, s.secure(r), 0)
		c.Path = "/pi/"
		http.SetCookie(w, c)
	}
	if v == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return s.sess.mac("pi-csrf", v, string(sum[:]))
}

type piData struct {
	St        *statement.Statement
	Info      ledger.PeriodInfo
	Token     string
	CSRF      string
	FinalOn   string
	Lines     []piLine
	Disputes  []Dispute
	Open      int
	Form      map[string]string // the entries of a refused form, shown again
	MaxReason int
}

type piLine struct {
	statement.Line
	Key string
}

var piNotices = map[string]string{
	"filed": "Thank you: your dispute was sent to the billing office. This page shows their answer; the statement is not finalized while your dispute is open.",
}

func (s *Server) piPage(w http.ResponseWriter, r *http.Request, p *piReq) {
	s.piShow(w, r, p, http.StatusOK, piNotices[r.URL.Query().Get("done")], "", nil)
}

func (s *Server) piShow(w http.ResponseWriter, r *http.Request, p *piReq, status int, notice, errMsg string, form url.Values) {
	st := p.St
	d := piData{St: st, Info: p.Info, Token: p.Token, CSRF: p.CSRF, Form: map[string]string{}, MaxReason: ledger.MaxPIReason}
	if p.Claims.FinalOn != "" {
		if t, err := time.Parse("2006-01-02", p.Claims.FinalOn); err == nil {
			d.FinalOn = t.Format("Monday 2 January 2006")
		}
	}
	for k := range form {
		d.Form[k] = form.Get(k)
	}
	for _, l := range st.Lines {
		d.Lines = append(d.Lines, piLine{Line: l, Key: LineKey(l)})
	}
	ds, err := s.cfg.Ledger.Disputes(r.Context(), st.Period)
	if err != nil {
		s.log.Error("pi page", "path", "/pi/…", "err", err)
		s.render(w, http.StatusInternalServerError, "pi_refused", view{Title: "Something went wrong",
			Error: "The statement could not be shown just now. Please try again later."})
		return
	}
	for _, x := range ds {
		if strings.EqualFold(x.PIEmail, st.PI.Email) {
			d.Disputes = append(d.Disputes, x)
			if x.Status == "open" {
				d.Open++
			}
		}
	}
	s.render(w, status, "pi", view{Title: "Your statement for " + st.Period, Notice: notice, Error: errMsg, Data: d})
}

func (s *Server) piPDF(w http.ResponseWriter, r *http.Request, p *piReq) {
	hist, err := build.History(r.Context(), s.cfg.Ledger, p.St.Period)
	if err != nil {
		s.log.Error("pi pdf", "path", "/pi/…", "err", err)
		s.piRefuse(w)
		return
	}
	b, err := s.pdf.Statement(p.St, hist[strings.ToLower(p.St.PI.Email)])
	if err != nil {
		s.log.Error("pi pdf", "path", "/pi/…", "err", err)
		s.piRefuse(w)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+pdf.BaseName(p.St)+`"`)
	w.Write(b)
}

// piDispute files the PI's dispute: the form's CSRF token must match the
// page's cookie, the line must be one of this statement's lines (or "" for
// the whole statement), the reason 1–MaxPIReason characters.
func (s *Server) piDispute(w http.ResponseWriter, r *http.Request, p *piReq) {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			s.render(w, http.StatusForbidden, "pi_refused", view{Title: "Form refused", Error: "The form came from another site."})
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, piMaxForm)
	if err := r.ParseForm(); err != nil {
		s.piShow(w, r, p, http.StatusRequestEntityTooLarge, "", "Your reason is too long: please shorten it.", nil)
		return
	}
	got := r.PostFormValue("csrf")
	if p.CSRF == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) != 1 {
		s.piShow(w, r, p, http.StatusForbidden, "", "The form expired. Please reload this page and send your dispute again.", r.PostForm)
		return
	}
	line, reason := r.PostFormValue("line"), strings.TrimSpace(r.PostFormValue("reason"))
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		s.piShow(w, r, p, http.StatusBadRequest, "", "Please say what is wrong.", r.PostForm)
		return
	case n > ledger.MaxPIReason || !utf8.ValidString(reason):
		s.piShow(w, r, p, http.StatusBadRequest, "", fmt.Sprintf("Your reason is longer than %d characters: please shorten it.", ledger.MaxPIReason), r.PostForm)
		return
	}
	if line != "" {
		found := false
		for _, l := range p.St.Lines {
			if LineKey(l) == line {
				found = true
				break
			}
		}
		if !found {
			s.piShow(w, r, p, http.StatusBadRequest, "", "Choose a line of this statement, or the whole statement.", r.PostForm)
			return
		}
	}
	pd, ok := s.cfg.Ledger.(PIDisputer)
	if !ok {
		s.piShow(w, r, p, http.StatusNotImplemented, "", "Disputes cannot be filed here; please reply to the statement e-mail.", r.PostForm)
		return
	}
	id, err := pd.OpenPIDispute(r.Context(), NewPIDispute{Period: p.St.Period, PIEmail: p.St.PI.Email, Line: line, Reason: reason})
	if errors.Is(err, ErrRefused) {
		s.piShow(w, r, p, http.StatusConflict, "", "Not sent: "+err.Error(), r.PostForm)
		return
	}
	if err != nil {
		s.log.Error("pi dispute", "path", "/pi/…", "err", err)
		s.piShow(w, r, p, http.StatusInternalServerError, "", "Your dispute could not be saved just now. Please try again later.", r.PostForm)
		return
	}
	s.log.Info("audit", "who", p.St.PI.Email, "action", "pi-dispute", "detail", fmt.Sprintf("dispute %d on statement %s", id, p.St.StatementID))
	http.Redirect(w, r, "/pi/"+p.Token+"?done=filed#disputes", http.StatusSeeOther)
}

// piLimiter counts requests and refused links per client address.
type piLimiter struct {
	mu sync.Mutex
	m  map[string]*piCount
}

type piCount struct {
	start, badStart time.Time
	n, bad          int
}

func newPILimiter() *piLimiter { return &piLimiter{m: map[string]*piCount{}} }

// allow counts a request from ip and says whether it may go on, or how
// long to wait.
func (l *piLimiter) allow(ip string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 10000 { // forget stale addresses: the map stays bounded
		for k, c := range l.m {
			if now.Sub(c.start) >= piWindow && now.Sub(c.badStart) >= piBadWindow {
				delete(l.m, k)
			}
		}
	}
	c := l.m[ip]
	if c == nil {
		c = &piCount{start: now}
		l.m[ip] = c
	}
	if now.Sub(c.badStart) >= piBadWindow {
		c.badStart, c.bad = now, 0
	}
	if c.bad >= piMaxBadTokens {
		return c.badStart.Add(piBadWindow).Sub(now), false
	}
	if now.Sub(c.start) >= piWindow {
		c.start, c.n = now, 0
	}
	c.n++
	if c.n > piMaxRequests {
		return c.start.Add(piWindow).Sub(now), false
	}
	return 0, true
}

// piTokenKey is the limiter's key of a link: a hash, so the map neither
// holds tokens nor grows with their length.
func piTokenKey(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return "t\x00" + string(h[:16])
}

// bad counts a refused link from ip.
func (l *piLimiter) bad(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.m[ip]
	if c == nil {
		c = &piCount{start: now, badStart: now}
		l.m[ip] = c
	}
	c.bad++
}

// notifyResolution e-mails the PI the resolution of dispute id (Config.Notify)
// and returns the notice code for the disputes page.
func (s *Server) notifyResolution(ctx context.Context, id int64) string {
	if s.cfg.Notify == nil {
		return "resolved"
	}
	var d *Dispute
	if ds, err := s.disputesAll(ctx); err == nil {
		for i := range ds {
			if ds[i].ID == id {
				d = &ds[i]
			}
		}
	}
	if d == nil {
		s.log.Error("notify", "dispute", id, "err", "dispute not found")
		return "unsent"
	}
	via, err := s.cfg.Notify(ctx, *d)
	if err != nil {
		s.log.Error("notify", "dispute", id, "to", d.PIEmail, "err", err)
		return "unsent"
	}
	s.log.Info("notify", "dispute", id, "to", d.PIEmail, "via", via)
	return "notified"
}

func (s *Server) disputesAll(ctx context.Context) ([]Dispute, error) {
	return s.cfg.Ledger.Disputes(ctx, "")
}
